"""Tagger: tokens (softmax and CRF, char features) and frames; save/load; SavedModel."""

import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import rnn_apps
from rnn_apps import Tagger
from rnn_apps.errors import DataError

TINY = {"units": 16, "embedding_dim": 16, "char_filters": 8, "seed": 0, "verbose": 0}
PEOPLE = ["Alice", "Bob", "Carol", "Dave", "Erin", "Frank", "Grace", "Heidi"]
PLACES = ["Paris", "Rome", "Oslo", "Lima", "Cairo", "Quito"]


def corpus(n=160):
    sentences, tags = [], []
    for i in range(n):
        person, place = PEOPLE[i % len(PEOPLE)], PLACES[i % len(PLACES)]
        if i % 2:
            sentences.append([person, "went", "to", place, "today"])
            tags.append(["B-PER", "O", "O", "B-LOC", "O"])
        else:
            sentences.append(["we", "met", person, "Smith", "in", place])
            tags.append(["O", "O", "B-PER", "I-PER", "O", "B-LOC"])
    return sentences, tags


def frames(n=80, seed=0):
    rng = np.random.default_rng(seed)
    sequences = [rng.normal(size=(rng.integers(4, 12), 2)).astype("float32") for _ in range(n)]
    return sequences, [["up" if f[0] > 0 else "down" for f in s] for s in sequences]


@pytest.fixture(scope="module")
def crf_tagger():
    return Tagger(crf=True, epochs=6, learning_rate=1e-2, **TINY).fit(*corpus())


@pytest.fixture(scope="module")
def softmax_tagger():
    return Tagger(epochs=6, learning_rate=1e-2, **TINY).fit(*corpus())


@pytest.fixture(scope="module")
def frames_tagger():
    return Tagger(units=8, epochs=12, learning_rate=1e-2, seed=0, verbose=0).fit(*frames())


def test_crf_tagger_returns_tag_lists_and_token_metrics(crf_tagger):
    sentences, tags = corpus(40)
    metrics = crf_tagger.evaluate(sentences, tags)
    assert {"token_accuracy", "macro_f1", "entity_f1", "n_tokens", "per_class"} <= set(metrics)
    assert metrics["n_tokens"] == sum(len(s) for s in sentences)
    predicted = crf_tagger.predict([["Bob", "went", "to", "Rome", "today"], ["hi"]])
    assert len(predicted[0]) == 5 and len(predicted[1]) == 1
    assert set(predicted[0]) <= set(crf_tagger.tags_)


@pytest.mark.quality
def test_quality_crf_tagger_learns_entities(crf_tagger):
    assert crf_tagger.evaluate(*corpus(40))["entity_f1"] > 0.9  # measured 1.0
    predicted = crf_tagger.predict([["Bob", "went", "to", "Rome", "today"]])
    assert predicted[0] == ["B-PER", "O", "O", "B-LOC", "O"]


def test_softmax_tagger_padding_does_not_change_answers(softmax_tagger):
    short = [["we", "met", "Dave", "Smith", "in", "Oslo"]]
    long = [*short, ["Erin", "went", "to", "Lima", "today", "and", "then", "to", "Rome"]]
    assert softmax_tagger.predict(short)[0] == softmax_tagger.predict(long)[0]


@pytest.mark.quality
def test_quality_softmax_tagger_learns_tokens(softmax_tagger):
    assert softmax_tagger.evaluate(*corpus(20))["token_accuracy"] > 0.9  # measured 1.0


@pytest.mark.quality
def test_quality_frames_tagger_learns_the_sign(frames_tagger):
    assert frames_tagger.evaluate(*frames(20, seed=1))["token_accuracy"] > 0.8  # measured 0.96


def test_frames_tagger(frames_tagger, tmp_path):
    model, sequences = frames_tagger, frames()[0]
    assert "entity_f1" not in model.evaluate(*frames(5, seed=2))
    model.save(tmp_path / "frames")
    loaded = rnn_apps.load(tmp_path / "frames")
    assert loaded.predict(sequences[:5]) == model.predict(sequences[:5])
    with pytest.raises(DataError, match="frames have 3 features; the model was trained on 2"):
        model.predict([np.zeros((4, 3), "float32")])


@pytest.mark.parametrize("kind", ["tokens", "frames"])
def test_savedmodel_tags_like_the_api_in_a_fresh_process(kind, crf_tagger, tmp_path):
    if kind == "tokens":
        model = crf_tagger
        batch = [["Bob", "went", "to", "Rome", "today"], ["we", "met", "Zoe", "Smith"]]
        raw = np.array([row + [""] * (5 - len(row)) for row in batch])
    else:
        sequences, labels = frames(40)
        model = Tagger(units=4, epochs=1, seed=0, verbose=0).fit(sequences, labels)
        batch = sequences[:3]
        raw = np.full((3, max(len(s) for s in batch), 2), np.nan, "float32")
        for row, sequence in enumerate(batch):
            raw[row, :len(sequence)] = sequence
    model.export(tmp_path / "export")
    np.save(tmp_path / "raw.npy", raw)
    script = textwrap.dedent(f"""
        import sys, json
        sys.modules["rnn_apps"] = None
        import numpy as np, tensorflow as tf
        serve = tf.saved_model.load(sys.argv[1]).signatures["serving_default"]
        tags = serve({kind}=tf.constant(np.load(sys.argv[2])))["tags"].numpy()
        print(json.dumps([[t.decode() for t in row] for row in tags]))
    """)
    result = subprocess.run([sys.executable, "-c", script, str(tmp_path / "export"),
                             str(tmp_path / "raw.npy")], check=False, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    served = json.loads(result.stdout.strip().splitlines()[-1])
    expected = model.predict(batch)
    assert [row[:len(tags)] for row, tags in zip(served, expected)] == expected
    assert all(tag == "" for row, tags in zip(served, expected) for tag in row[len(tags):])


def test_save_load_keeps_the_crf(crf_tagger, tmp_path):
    crf_tagger.save(tmp_path / "m")
    loaded = rnn_apps.load(tmp_path / "m")
    sentences = corpus(10)[0]
    assert loaded.predict(sentences) == crf_tagger.predict(sentences)
    assert loaded.tags_ == ["B-LOC", "B-PER", "I-PER", "O"]


def test_bad_input_is_refused():
    with pytest.raises(DataError, match="sentence 1: 2 steps but 1 tags"):
        Tagger(verbose=0).fit([["a"], ["b", "c"]], [["X"], ["Y"]])
    with pytest.raises(DataError, match=r"sentences\[1\] is empty"):
        Tagger(verbose=0).fit([["a"], []], [["X"], []])
    with pytest.raises(DataError, match="need at least 2 different tags"):
        Tagger(verbose=0, valid_split=0).fit([["a"], ["b"]], [["X"], ["X"]])
    with pytest.raises(DataError, match="sequence 1 has 3 features; sequence 0 has 2"):
        Tagger(verbose=0).fit([np.zeros((2, 2)), np.zeros((2, 3))], [["a", "b"], ["a", "b"]])
    with pytest.raises(DataError, match="2 sequences but 1 tag lists"):
        Tagger(verbose=0).fit([["a"], ["b"]], [["X"]])
