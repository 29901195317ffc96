"""``--embeddings``, ``--freeze-embeddings`` and ``--wide`` from the command line:
train, info, predict and export round trips, and a bad vectors file."""

import re

import numpy as np
from click.testing import CliRunner

import rnn_apps
from rnn_apps.cli import cli
from tests.conftest import DATASETS

TINY_ARGS = ["--units", "4", "--epochs", "1", "--seed", "0", "--quiet"]
WORDS = ["the", "Camera", "was", "to", "city", ".", "Anna"]
VECTORS = np.random.default_rng(5).normal(0, 0.3, size=(len(WORDS), 6)).astype(np.float32)


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def write_vectors(path, header: bool):
    lines = [f"{w} " + " ".join(f"{v:.6f}" for v in VECTORS[i]) for i, w in enumerate(WORDS)]
    path.write_text((f"{len(WORDS)} 6\n" if header else "") + "\n".join(lines) + "\n",
                    encoding="utf-8")
    return path


def test_sentiment_train_info_predict_export_with_vectors_and_wide(tmp_path, small_csv):
    vectors = write_vectors(tmp_path / "glove.txt", header=False)
    result = run("sentiment", "train", "--data", small_csv, "--out", tmp_path / "m",
                 "--embeddings", vectors, "--wide", *TINY_ARGS)
    assert result.exit_code == 0, result.output
    assert re.search(r"note: word vectors glove.txt \(6 dimensions\) cover [34] of \d+ "
                     r"vocabulary tokens \(\d+\.\d%\)", result.output), result.output
    assert "(embedding_dim=64 is not used)" in result.output
    vectors.unlink()  # weights live in the model: nothing below reads the file
    info = run("info", tmp_path / "m").output
    assert "word vectors: glove.txt (6 dimensions) cover " in info and "wide True" in info
    model = rnn_apps.load(tmp_path / "m")
    assert model.wide and model.embeddings == str(vectors) and not model.freeze_embeddings
    matrix = model.model_.get_layer("embedding").get_weights()[0]
    row = matrix[model.text_encoder_.vocabulary.index("camera")]
    assert 0 < np.abs(row - VECTORS[1]).max() < 0.1  # fine-tuned from the file's "Camera"
    predicted = run("sentiment", "predict", "--model", tmp_path / "m", "the food was great")
    assert predicted.exit_code == 0 and predicted.output.endswith("\tthe food was great\n")
    exported = run("sentiment", "export", "--model", tmp_path / "m", "--out", tmp_path / "e")
    assert exported.exit_code == 0 and (tmp_path / "e" / "saved_model.pb").is_file()
    core = run("sentiment", "export", "--model", tmp_path / "m", "--out", tmp_path / "c",
               "--format", "onnx")
    assert core.exit_code == 1 and core.output.strip() == (
        "Error: export --format onnx does not support the wide TF-IDF path (wide=True); "
        "export a SavedModel instead")
    # fine-tuning the saved model keeps its 6-dimensional vectors and does not read the file
    tuned = run("sentiment", "train", "--data", small_csv, "--out", tmp_path / "m2",
                "--init-from", tmp_path / "m", *TINY_ARGS)
    assert tuned.exit_code == 0 and "note: word vectors" not in tuned.output, tuned.output
    again = rnn_apps.load(tmp_path / "m2")
    assert again.model_.get_layer("embedding").output_dim == 6
    assert again.get_state()["word_vectors"] == model.get_state()["word_vectors"]


def test_tagging_train_with_frozen_vectors(tmp_path):
    vectors = write_vectors(tmp_path / "wiki.vec", header=True)
    result = run("tagging", "train", "--data", DATASETS / "tagging" / "ner_train.conll",
                 "--out", tmp_path / "m", "--embeddings", vectors, "--freeze-embeddings",
                 "--char-filters", "4", *TINY_ARGS)
    assert result.exit_code == 0, result.output
    tagger = rnn_apps.load(tmp_path / "m")
    layer = tagger.model_.get_layer("word_embedding")
    assert not layer.trainable and layer.output_dim == 6
    matrix = layer.get_weights()[0]
    for word in ("the", "to", "city", "."):
        np.testing.assert_allclose(matrix[tagger.encoder_.words.index(word) + 2],
                                   VECTORS[WORDS.index(word)], atol=1e-6)
    np.testing.assert_allclose(matrix[tagger.encoder_.words.index("anna") + 2],
                               VECTORS[WORDS.index("Anna")], atol=1e-6)


def test_a_bad_vectors_file_is_one_line_and_leaves_nothing(tmp_path, small_csv):
    bad = tmp_path / "vectors.bin"
    bad.write_bytes(b"12 300\nthe \x00\x01")
    result = run("sentiment", "train", "--data", small_csv, "--out", tmp_path / "m",
                 "--embeddings", bad, *TINY_ARGS)
    lines = result.output.strip().splitlines()
    assert result.exit_code == 1 and len(lines) == 1, result.output
    assert lines[0].startswith(f"Error: {bad}: the header claims 12 words of 300 dimensions")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["train.csv", "vectors.bin"]


def test_help_shows_the_options_and_their_defaults():
    pages = {task: " ".join(run(task, "train", "--help").output.split())
             for task in ("sentiment", "tagging", "seq2seq")}
    for page in pages.values():  # click may wrap a long default after a hyphen
        assert "--embeddings FILE" in page
        assert "--freeze-embeddings / --no-freeze-embeddings" in page
        assert re.search(r"\[default: --no-freeze-\s?embeddings\]", page)
    assert "--wide / --no-wide" in pages["sentiment"] and "[default: --no-wide]" in \
        pages["sentiment"]
    assert "--embeddings" not in run("textgen", "train", "--help").output
