"""Labels come back in the type they went in: integers, booleans, strings.

Through ``predict``, a save/load round trip (the dtype is in the metadata) and
the SavedModel (whose labels are their text, ``str(label)``); ``score``,
``GridSearchCV`` and ``rnn_apps.tune`` work with them.
"""

import json

import numpy as np
import pytest
import tensorflow as tf
from click.testing import CliRunner

import rnn_apps
from rnn_apps import SentimentClassifier, Tagger
from rnn_apps.cli import cli

TINY = {"cell": "gru", "units": 4, "embedding_dim": 4, "epochs": 1, "batch_size": 16,
        "seed": 0, "verbose": 0}
TEXTS = ["good film", "bad film", "not good", "very good", "awful plot", "fine cast",
         "great fun", "dull plot"] * 4
TEXT_LABELS = ["pos", "neg", "neg", "pos", "neg", "pos", "pos", "neg"] * 4
INTS = [1 if label == "pos" else 0 for label in TEXT_LABELS]


@pytest.fixture(scope="module")
def int_model():
    return SentimentClassifier(**TINY).fit(TEXTS, INTS)


def test_integer_labels_through_predict_score_save_and_savedmodel(int_model, tmp_path):
    predicted = int_model.predict(TEXTS[:4])
    assert predicted.dtype == np.int64 and set(predicted.tolist()) <= {0, 1}
    assert int_model.classes_.dtype == np.int64
    assert 0.0 <= int_model.score(TEXTS, INTS) <= 1.0          # scikit-learn's accuracy
    assert int_model.evaluate(TEXTS, INTS)["n"] == len(TEXTS)
    int_model.save(tmp_path / "model")
    assert json.loads((tmp_path / "model" / "rnn_apps.json").read_text())["state"][
        "label_dtype"] == "int64"
    loaded = rnn_apps.load(tmp_path / "model")
    again = loaded.predict(TEXTS[:4])
    assert again.dtype == np.int64 and again.tolist() == predicted.tolist()
    data = tmp_path / "scored.csv"   # labels read from a file are text: "1" is the class 1
    data.write_text("text,label\n" + "".join(f"{t},{v}\n" for t, v in zip(TEXTS, INTS)))
    result = CliRunner().invoke(cli, ["sentiment", "evaluate", "--model", str(tmp_path / "model"),
                                      "--data", str(data), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["accuracy"] == int_model.evaluate(TEXTS, INTS)["accuracy"]
    loaded.export(tmp_path / "export")
    served = tf.saved_model.load(str(tmp_path / "export")).signatures["serving_default"](
        text=tf.constant(TEXTS[:4]))
    assert [s.decode() for s in served["label"].numpy()] == [str(v) for v in predicted]


def test_boolean_string_and_numpy_integer_labels_keep_their_dtype(tmp_path):
    for labels, dtype in (([v == 1 for v in INTS], np.bool_),
                          (np.array(INTS, dtype=np.int32), np.int32),
                          (TEXT_LABELS, object)):
        model = SentimentClassifier(**TINY).fit(TEXTS, labels)
        predicted = model.predict(TEXTS[:4])
        assert predicted.dtype == dtype, (dtype, predicted.dtype)
        assert set(predicted.tolist()) <= set(np.asarray(labels).tolist())
        assert 0.0 <= model.score(TEXTS, labels) <= 1.0
        path = model.save(tmp_path / str(np.dtype(dtype)))
        again = rnn_apps.load(path).predict(TEXTS[:4])
        assert again.dtype == dtype and again.tolist() == predicted.tolist()


def test_grid_search_and_tune_score_integer_labels(int_model):
    from sklearn.model_selection import GridSearchCV

    search = GridSearchCV(SentimentClassifier(**TINY), {"units": [4, 6]}, cv=2, refit=False)
    search.fit(np.array(TEXTS, dtype=object), np.array(INTS))
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    best = rnn_apps.tune(SentimentClassifier(**TINY), TEXTS, INTS, trials=2, seed=0, verbose=0)
    assert [row["status"] for row in best.tuning_.results_] == ["ok", "ok"]
    assert best.predict(TEXTS[:2]).dtype == np.int64


def test_integer_tags_come_back_as_integers(tmp_path):
    sentences = [["we", "met", "Bob", "in", "Rome"], ["Alice", "went", "to", "Oslo"]] * 8
    tags = [[0, 0, 1, 0, 2], [1, 0, 0, 2]] * 8
    model = Tagger(cell="gru", units=4, embedding_dim=4, char_filters=2, char_dim=4, epochs=1,
                   seed=0, verbose=0).fit(sentences, tags)
    predicted = model.predict(sentences[:2])
    assert all(type(t) is int for row in predicted for t in row) and model.tags_ == [0, 1, 2]
    assert 0.0 <= model.score(sentences, tags) <= 1.0
    model.save(tmp_path / "tagger")
    loaded = rnn_apps.load(tmp_path / "tagger")
    assert loaded.predict(sentences[:2]) == predicted
    loaded.export(tmp_path / "export")
    served = tf.saved_model.load(str(tmp_path / "export")).signatures["serving_default"](
        tokens=tf.constant([sentences[1]]))
    assert [s.decode() for s in served["tags"].numpy()[0]] == [str(t) for t in predicted[1]]
