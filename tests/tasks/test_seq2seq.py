"""Seq2SeqTranslator: learns, beam search in the graph matches a Python loop,
save/load decodes at once, the SavedModel answers like the API, bad input."""

import json
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pytest

import rnn_apps
from rnn_apps import Seq2SeqTranslator
from rnn_apps.errors import DataError, RnnAppsError
from rnn_apps.tasks.seq2seq.estimator import InputNote
from rnn_apps.tasks.seq2seq.search import decoder_step, python_beam_search

SMALL = {"units": 16, "embedding_dim": 8, "batch_size": 32, "seed": 0, "verbose": 0}


def reversal(n, seed=0):
    """Strings of a-f and their reversals: a task attention solves quickly."""
    rng = np.random.default_rng(seed)
    sources = ["".join(rng.choice(list("abcdef"), rng.integers(2, 7))) for _ in range(n)]
    return sources, [s[::-1] for s in sources]


@pytest.fixture(scope="module")
def reverser():
    return Seq2SeqTranslator(epochs=8, learning_rate=0.01, **SMALL).fit(*reversal(600))


def test_evaluate_reports_the_text_metrics(reverser):
    metrics = reverser.evaluate(*reversal(10, seed=1))
    assert set(metrics) == {"bleu", "chrf", "exact_match", "cer", "n"} and metrics["n"] == 10


@pytest.mark.quality
def test_quality_learns_to_reverse_strings(reverser):
    sources, targets = reversal(100, seed=1)
    metrics = reverser.evaluate(sources, targets)
    assert metrics["cer"] < 0.15 and metrics["exact_match"] > 0.6, metrics
    greedy = reverser.predict(sources, beam_width=1)
    assert sum(g == t for g, t in zip(greedy, targets)) > 50


@pytest.mark.parametrize("width", [1, 3])
def test_graph_beam_search_matches_the_python_step_loop(reverser, width):
    import tensorflow as tf

    sources = reversal(20, seed=2)[0] + ["f", "abcdefabcdef"]
    encoder, decoder = reverser._networks()
    ids, _, _ = reverser.source_vocab_.encode_graph(tf.constant(sources),
                                                    reverser.state_["max_source_length"])
    expected = python_beam_search(encoder, decoder_step(decoder), ids.numpy(), width, 9, 1.0,
                                  reverser.target_vocab_.size)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InputNote)   # the last source is cut
        outputs = reverser.predict(sources, beam_width=width, max_length=9, length_penalty=1.0)
    table = np.array(["", "?", "", "", *reverser.target_vocab_.tokens], dtype=object)
    written = ["".join(table[row[:n]]) for row, n in zip(*expected)]
    assert outputs == written


def test_load_gives_a_model_that_decodes_at_once(reverser, tmp_path):
    reverser.save(tmp_path / "m")
    loaded = rnn_apps.load(tmp_path / "m")
    sources = reversal(10, seed=3)[0]
    assert type(loaded) is Seq2SeqTranslator
    assert loaded.predict(sources) == reverser.predict(sources)
    weights = loaded.attention_weights("abcd")
    assert weights["source"] == list("abcd")
    assert weights["weights"].shape == (len(weights["output"]) + 1, 4)
    assert np.allclose(weights["weights"].sum(axis=1), 1.0, atol=1e-5)


def test_savedmodel_answers_like_the_api_in_a_fresh_process(reverser, tmp_path):
    reverser.export(tmp_path / "export")
    sources = ["abc", "fedcba", "ab", "zz", "aaaaaaaaaaaaaaaaaa"]
    script = textwrap.dedent("""
        import sys, json
        sys.modules["rnn_apps"] = None
        sys.modules["keras"] = None
        import tensorflow as tf
        model = tf.saved_model.load(sys.argv[1])
        texts = tf.constant(json.loads(sys.argv[2]))
        served = model.signatures["serving_default"](text=texts)["output"].numpy()
        greedy = model.decode(texts, tf.constant(1), tf.constant(9), tf.constant(1.0))
        print(json.dumps([[t.decode() for t in served],
                          [t.decode() for t in greedy["output"].numpy()]]))
    """)
    result = subprocess.run([sys.executable, "-c", script, str(tmp_path / "export"),
                             json.dumps(sources)], check=False, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    served, greedy = json.loads(result.stdout.strip().splitlines()[-1])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InputNote)
        assert served == reverser.predict(sources)
        assert greedy == reverser.predict(sources, beam_width=1, max_length=9)


def test_long_and_unknown_input_is_handled_with_notes(reverser):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        outputs = reverser.predict(["abcdefabcdefabc", "abzz", "ab"])
    messages = sorted(str(w.message) for w in caught if w.category is InputNote)
    assert messages == ["1 source had tokens unseen in training (read as unknown)",
                        "1 source longer than 6 tokens was cut to 6"]
    assert len(outputs) == 3 and all(isinstance(o, str) for o in outputs)
    with pytest.raises(DataError, match=r"sources\[1\] is empty"):
        reverser.predict(["ab", ""])
    with pytest.raises(RnnAppsError, match="beam_width must be a positive integer"):
        reverser.predict(["ab"], beam_width=0)


def test_word_level_lstm_stack_with_additive_attention():
    sources = ["one two", "two three four", "four one", "three"] * 10
    targets = ["1 2 .", "2 3 4 .", "4 1 .", "3 ."] * 10
    model = Seq2SeqTranslator(cell="lstm", layers=2, attention="additive", source_level="word",
                              target_level="word", epochs=2, valid_split=0,
                              **SMALL).fit(sources, targets)
    assert model.target_vocab_.tokens[0] == "."
    outputs = model.predict(sources[:4], beam_width=2)
    written = model.target_vocab_.split(outputs)
    assert len(written) == 4 and all(set(w) <= {"1", "2", "3", "4", "."} for w in written)


def test_bad_settings_and_pairs_are_refused():
    sources, targets = reversal(20)
    for params, message in [({"attention": "dot"}, "attention must be one of"),
                            ({"source_level": "byte"}, "source_level must be one of"),
                            ({"beam_width": 0}, "beam_width must be a positive integer"),
                            ({"length_penalty": -1}, "length_penalty must be a number"),
                            ({"max_source_length": 0}, "max_source_length must be")]:
        with pytest.raises(RnnAppsError, match=message):
            Seq2SeqTranslator(**params, **SMALL).fit(sources, targets)
    with pytest.raises(DataError, match="20 sources but 19 targets"):
        Seq2SeqTranslator(**SMALL).fit(sources, targets[:19])
    with pytest.raises(DataError, match=r"targets\[2\] is empty"):
        Seq2SeqTranslator(**SMALL).fit(sources[:3], ["a", "b", " "])
    with pytest.raises(rnn_apps.NotFittedError):
        Seq2SeqTranslator().predict(["abc"])
