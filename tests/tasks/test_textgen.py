import math

import numpy as np
import pytest

import rnn_apps
from rnn_apps import TextGenerator
from rnn_apps.core import training
from rnn_apps.errors import DataError, RnnAppsError
from tests.conftest import DATASETS

TINY_LM = {"cell": "gru", "units": 16, "embedding_dim": 8, "bptt": 16, "batch_size": 4, "epochs": 2,
               "seed": 0, "verbose": 0}


@pytest.fixture(scope="module")
def corpus():
    return (DATASETS / "textgen" / "corpus.txt").read_text(encoding="utf-8")[:3000]


@pytest.fixture(scope="module")
def fitted_lm(corpus):
    return TextGenerator(**TINY_LM).fit(corpus)


def test_learns_hello_from_h_with_one_hot_characters():
    model = TextGenerator(cell="lstm", units=16, embedding_dim=None, batch_size=1, bptt=4,
                          epochs=200, learning_rate=0.05, valid_split=0.0, patience=None,
                          seed=0, verbose=0)
    model.fit("hello")
    assert sorted(model.vocabulary_.chars) == ["e", "h", "l", "o"]
    assert model.generate("h", length=4, temperature=0) == "hello"


def test_bptt_chunks_are_contiguous_streams_with_shifted_targets():
    ids = np.arange(1, 22)  # 21 tokens -> 2 streams of 10 steps
    chunks = training.bptt_chunks(ids, batch_size=2, bptt=4)
    assert [x.shape for x, _ in chunks] == [(2, 4), (2, 4), (2, 2)]
    stream0 = np.concatenate([x[0] for x, _ in chunks])
    stream1 = np.concatenate([x[1] for x, _ in chunks])
    assert list(stream0) == list(range(1, 11)) and list(stream1) == list(range(11, 21))
    for x, y in chunks:
        np.testing.assert_array_equal(y, x + 1)
    with pytest.raises(RnnAppsError, match="too short"):
        training.bptt_chunks(np.arange(3), batch_size=4, bptt=2)


def test_stateful_training_carries_state_and_resets_it():
    from rnn_apps.core.config import RecurrentConfig
    from rnn_apps.tasks.textgen.network import build_language_model

    trainer = build_language_model(RecurrentConfig(cell="lstm", units=3), vocab_size=6,
                                   embedding_dim=2, batch_size=2, stateful=True)
    layer = next(layer for layer in trainer.layers if getattr(layer, "stateful", False))
    x = np.array([[2, 3, 4], [5, 2, 3]])
    first = np.asarray(trainer(x))
    assert np.abs(np.asarray(layer.states[0])).sum() > 0
    second = np.asarray(trainer(x))
    assert not np.allclose(first, second)  # the carried state changed the output
    training.reset_recurrent_states(trainer)
    np.testing.assert_allclose(np.asarray(trainer(x)), first, atol=1e-6)


def test_fit_evaluate_and_metric_relations(fitted_lm, corpus):
    assert len(fitted_lm.history_["loss"]) == 2 and "val_loss" in fitted_lm.history_
    metrics = fitted_lm.evaluate(corpus[:1000])
    assert set(metrics) == {"loss", "perplexity", "bits_per_char", "n_chars", "loss_unit"}
    assert metrics["loss_unit"] == "nats per character"
    assert fitted_lm.history_["val_bits_per_char"][-1] == pytest.approx(
        fitted_lm.history_["val_loss"][-1] / math.log(2))
    assert metrics["bits_per_char"] == pytest.approx(metrics["loss"] / math.log(2))
    assert metrics["perplexity"] == pytest.approx(math.exp(metrics["loss"]))
    assert metrics["n_chars"] == 999
    assert fitted_lm.score(corpus[:1000]) == pytest.approx(-metrics["bits_per_char"])


def test_generation_is_repeatable_and_batched_prompts_match_single_ones(fitted_lm):
    a = fitted_lm.generate("And ", length=30, temperature=0.8, seed=3)
    b = fitted_lm.generate("And ", length=30, temperature=0.8, seed=3)
    assert a == b and a.startswith("And ") and len(a) == 34
    together = fitted_lm.generate(["And God", "a"], length=12, temperature=0)
    assert together == [fitted_lm.generate("And God", length=12, temperature=0),
                        fitted_lm.generate("a", length=12, temperature=0)]
    top1 = fitted_lm.generate("a", length=12, temperature=1.0, top_k=1, seed=5)
    assert top1 == together[1]  # top-1 sampling is greedy decoding
    stopped = fitted_lm.generate("And ", length=40, temperature=0, stop=" ")
    assert stopped.startswith("And ") and " " not in stopped[4:-1]


def test_save_load_round_trip(fitted_lm, tmp_path):
    fitted_lm.save(tmp_path / "lm")
    loaded = rnn_apps.load(tmp_path / "lm")
    assert isinstance(loaded, TextGenerator)
    assert loaded.generate("And ", length=25, temperature=0.7, seed=1) == \
        fitted_lm.generate("And ", length=25, temperature=0.7, seed=1)
    assert loaded.evaluate("the model")["loss"] == pytest.approx(
        fitted_lm.evaluate("the model")["loss"], rel=1e-5)


def test_windows_mode_trains(corpus):
    model = TextGenerator(**{**TINY_LM, "mode": "windows", "epochs": 1}).fit(corpus[:800])
    assert len(model.history_["loss"]) == 1
    assert len(model.generate("a", length=5)) == 6


def test_bad_input_is_refused_clearly(fitted_lm):
    with pytest.raises(DataError, match="text is empty"):
        TextGenerator(**TINY_LM).fit("   ")
    with pytest.raises(DataError, match="binary"):
        TextGenerator(**TINY_LM).fit("abc\x00def")
    with pytest.raises(RnnAppsError, match="bidirectional"):
        TextGenerator(**TINY_LM, bidirectional=True).fit("abcdef")
    with pytest.raises(DataError, match="characters not in the training text: '§'"):
        fitted_lm.generate("§ok")
    with pytest.raises(DataError, match="empty"):
        fitted_lm.generate("")
    with pytest.raises(RnnAppsError, match="length must be a positive integer up to 100000; got 0"):
        fitted_lm.generate("a", length=0)
    with pytest.raises(RnnAppsError, match=r"temperature must be a number in \[0, 100\]"):
        fitted_lm.generate("a", temperature=-1.0)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru", "esn"])
def test_padding_after_a_prompt_leaves_the_final_state_unchanged(cell):
    import tensorflow as tf

    from rnn_apps.core.config import RecurrentConfig
    from rnn_apps.tasks.textgen.network import build_language_model, zero_states

    model = build_language_model(RecurrentConfig(cell=cell, units=3, layers=2), vocab_size=6,
                                 embedding_dim=None, with_states=True)
    short = model([tf.constant([[4, 3]]), *zero_states(model, 1)])
    padded = model([tf.constant([[4, 3, 0, 0]]), *zero_states(model, 1)])
    for a, b in zip(short[1:], padded[1:]):
        np.testing.assert_allclose(a, b, atol=1e-6)


def test_echo_state_language_model_trains_saves_and_generates(corpus, tmp_path):
    model = TextGenerator(**{**TINY_LM, "cell": "esn", "units": 64, "leak_rate": 0.5})
    model.fit(corpus[:1500])
    model.save(tmp_path / "esn")
    loaded = rnn_apps.load(tmp_path / "esn")
    assert loaded.generate("And ", length=10, temperature=0) == \
        model.generate("And ", length=10, temperature=0)
