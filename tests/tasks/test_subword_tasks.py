"""level="subword" through every face: Python API, saved model, SavedModel, CLI."""

import base64
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

from rnn_apps import SentimentClassifier, Seq2SeqTranslator, TextGenerator, load
from rnn_apps.errors import ModelDirError, RnnAppsError
from rnn_apps.portable import export_core
from tests.cli.test_cli import TINY_ARGS, one_line_error, run
from tests.conftest import TINY
from tests.preprocessing.test_subword import corpus

LOAD_IN_PLAIN_PROCESS = """
import sys, tensorflow as tf
try:
    tf.saved_model.load(sys.argv[1])
except Exception as error:
    print(type(error).__name__, str(error).splitlines()[0])
import tensorflow_text
loaded = tf.saved_model.load(sys.argv[1])
print(open(loaded.subword_model.asset_path.numpy().decode(), "rb").read()[:0] == b"")
"""


def test_sentiment_subwords_round_trip_and_export(tmp_path, sentiment_train, sentiment_test):
    model = SentimentClassifier(**TINY, level="subword", vocab_size=200).fit(*sentiment_train)
    state = model.text_encoder_.get_state()
    assert state["level"] == "subword" and state["subword"]
    texts = sentiment_test[0][:20]
    probabilities = model.predict_proba(texts)
    model.save(tmp_path / "model")
    again = load(tmp_path / "model")
    assert np.allclose(again.predict_proba(texts), probabilities, atol=1e-6)
    again.export(tmp_path / "export")
    assert (tmp_path / "export" / "assets" / "subword.model").is_file()
    metadata = json.loads((tmp_path / "model" / "rnn_apps.json").read_text())
    for broken in ("not base64!", base64.b64encode(b"not a model").decode()):
        metadata["state"]["text"]["subword"] = broken
        (tmp_path / "model" / "rnn_apps.json").write_text(json.dumps(metadata))
        with pytest.raises(ModelDirError, match="malformed.*subword model"):
            load(tmp_path / "model")
    served = tf.saved_model.load(str(tmp_path / "export")).signatures["serving_default"]
    out = served(text=tf.constant(texts))["probabilities"].numpy()
    assert np.allclose(out, probabilities, atol=1e-5)
    # without tensorflow-text's ops the SavedModel does not load; with them it does
    result = subprocess.run([sys.executable, "-c", LOAD_IN_PLAIN_PROCESS,
                             str(tmp_path / "export")], check=False, capture_output=True,
                            text=True, timeout=120)
    lines = result.stdout.strip().splitlines()
    assert "SentencepieceOp" in lines[0] and lines[-1] == "True", result.stdout + result.stderr


def test_seq2seq_subwords_translate_unseen_words_and_export(tmp_path):
    # a copy task over words: unseen combinations are spelled with known pieces
    sources = corpus(400, seed=1)
    model = Seq2SeqTranslator(**{**TINY, "units": 16, "epochs": 1}, source_level="subword",
                              target_level="subword", vocab_size=60, beam_width=1)
    model.fit(sources, [s.upper() for s in sources])
    assert model.source_vocab_.level == model.target_vocab_.level == "subword"
    tests = ["the dog runs quickly", "walking cat"]
    outputs = model.predict(tests)
    assert len(outputs) == 2 and all(isinstance(o, str) for o in outputs)
    model.save(tmp_path / "model")
    model = load(tmp_path / "model")
    assert model.predict(tests) == outputs
    model.export(tmp_path / "export")
    names = {p.name for p in (tmp_path / "export" / "assets").iterdir()}
    assert names == {"source_subword.model", "target_subword.model"}
    served = tf.saved_model.load(str(tmp_path / "export")).signatures["serving_default"]
    assert [t.decode() for t in served(text=tf.constant(tests))["output"].numpy()] == outputs
    with pytest.raises(RnnAppsError, match="subword"):
        export_core(model, tmp_path / "onnx", "onnx")
    assert not (tmp_path / "onnx").exists()


def test_textgen_subwords_generate_pieces_and_score_per_character(tmp_path):
    text = "\n".join(corpus(200, seed=2))
    model = TextGenerator(**{**TINY, "cell": "lstm"}, level="subword", vocab_size=40, bptt=16)
    model.fit(text)
    sample = model.generate("the dog", length=12, seed=3)
    assert sample.startswith("the dog") and len(sample) > len("the dog")
    assert model.generate("the dog", length=12, seed=3) == sample
    scores = model.evaluate(text[:2000])
    assert scores["bits_per_char"] < scores["loss"] / np.log(2)  # several characters a piece
    assert scores["n_chars"] == len(text[:2000]) - 1
    model.save(tmp_path / "model")
    again = load(tmp_path / "model")
    assert again.generate("the dog", length=12, seed=3) == sample
    again.export(tmp_path / "export")
    loaded = tf.saved_model.load(str(tmp_path / "export"))
    out = loaded.signatures["generate_seeded"](
        prompt=tf.constant(["the dog"]), length=tf.constant(12), temperature=tf.constant(1.0),
        top_k=tf.constant(0), seed=tf.constant(3))["text"].numpy()[0].decode()
    assert out == sample


def test_cli_trains_a_subword_sentiment_model(tmp_path, small_csv):
    out = tmp_path / "model"
    result = run("sentiment", "train", "--data", small_csv, "--out", out, "--level", "subword",
                 "--vocab-size", 150, "--subword-model", "bpe", *TINY_ARGS)
    assert result.exit_code == 0, result.output
    model = load(out)
    assert model.text_encoder_.level == "subword" and model.subword_model == "bpe"
    bad = run("sentiment", "train", "--data", small_csv, "--out", tmp_path / "bad",
              "--level", "subword", "--vocab-size", 2, *TINY_ARGS)
    one_line_error(bad, "vocab_size")
    assert not Path(tmp_path / "bad").exists()


def test_streams_learn_subwords_in_one_pass(tmp_path, small_csv):
    from rnn_apps.data.pairs import read_pairs
    from rnn_apps.data.tables import read_labelled_texts
    from rnn_apps.data.text import read_text_stream

    streamed = SentimentClassifier(**{**TINY, "epochs": 1}, level="subword",
                                   vocab_size=120).fit(read_labelled_texts(small_csv,
                                                                           stream=True))
    assert streamed.text_encoder_.subword and len(streamed.predict(["a fine film"])) == 1
    pairs = tmp_path / "pairs.tsv"
    sources = corpus(120, seed=4)
    pairs.write_text("".join(f"{s}\t{s.upper()}\n" for s in sources), encoding="utf-8")
    translator = Seq2SeqTranslator(**{**TINY, "epochs": 1}, source_level="subword",
                                   target_level="subword", vocab_size=50, beam_width=1)
    translator.fit(read_pairs(pairs, stream=True))
    assert translator.target_vocab_.subword and len(translator.predict(sources[:2])) == 2
    text = tmp_path / "text.txt"
    text.write_text("\n".join(sources), encoding="utf-8")
    with pytest.raises(RnnAppsError, match="subword"):
        TextGenerator(**TINY, level="subword").fit(read_text_stream([text]))
