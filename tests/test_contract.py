"""One contract for all five tasks: the same methods with the same conventions,
scikit-learn's clone and a 2-fold grid search, ``rnn-apps inspect``, serving
through the task's adapter and the portable (ONNX) core."""

import math

import numpy as np
import pytest
from click.testing import CliRunner
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit

import rnn_apps
from rnn_apps.cli import cli
from tests.conftest import DATASETS, read_csv, seasonal_series

SMALL = {"units": 4, "epochs": 1, "batch_size": 16, "seed": 0, "verbose": 0}


def sentiment():
    texts, labels = read_csv(DATASETS / "sentiment" / "train.csv")
    return (rnn_apps.SentimentClassifier(embedding_dim=4, **SMALL), texts[:80], labels[:80],
            "a fine film")


def tagging():
    from rnn_apps.data.tagged import read_tagged

    words, tags = read_tagged(DATASETS / "tagging" / "ner_train.conll")
    return (rnn_apps.Tagger(embedding_dim=4, char_dim=4, char_filters=4, **SMALL), words[:60],
            tags[:60], "Grace Okafor wrote to City Hall")


def seq2seq():
    from rnn_apps.data.pairs import read_pairs

    sources, targets = read_pairs(DATASETS / "seq2seq" / "dates_train.tsv")
    return (rnn_apps.Seq2SeqTranslator(embedding_dim=4, beam_width=1, **SMALL), sources[:60],
            targets[:60], "10 May 1983")


def textgen():
    text = (DATASETS / "textgen" / "corpus.txt").read_text(encoding="utf-8")
    lines = [line for line in text.split("\n") if line.strip()][:60]
    return rnn_apps.TextGenerator(embedding_dim=4, bptt=16, **SMALL), lines, None, "The model"


def forecast():
    values = seasonal_series(n=120, period=12)[:, :1]
    model = rnn_apps.Forecaster(lookback=6, inputs="relative", deseasonalize="none",
                                ensemble=1, **SMALL)
    return model, values, None, "series.csv"


TASKS = {"sentiment": sentiment, "tagging": tagging, "seq2seq": seq2seq, "textgen": textgen,
         "forecast": forecast}
METHODS = ("fit", "predict", "evaluate", "score", "hidden_states", "save", "load", "export",
           "get_params", "set_params")


def fit_args(X, y):
    return (X,) if y is None else (X, y)


@pytest.mark.parametrize("task", sorted(TASKS))
def test_every_task_has_the_whole_method_set(task, tmp_path):
    model, X, y, sample = TASKS[task]()
    assert all(callable(getattr(model, name, None)) for name in METHODS)
    twin = clone(model)
    assert twin is not model and twin.get_params() == model.get_params()
    assert twin.set_params(units=5) is twin and twin.get_params()["units"] == 5
    assert model.fit(*fit_args(X, y)) is model and not hasattr(twin, "model_")

    predictions = model.predict(X[:3]) if task != "forecast" else model.predict(X)
    assert len(predictions) == (model.horizon if task == "forecast" else 3)
    metrics = model.evaluate(*fit_args(X, y))
    assert isinstance(metrics, dict) and metrics
    score = model.score(*fit_args(X, y))
    assert isinstance(score, float) and math.isfinite(score)
    if task == "forecast":
        assert score == -metrics["mase"]
    states = model.hidden_states(X[:2] if task != "forecast" else X)
    for state in states[:2]:
        assert len(state["layers"]) == 1
        assert state["layers"][0].shape[0] == len(state["tokens"]) > 0

    model.save(tmp_path / "model")
    loaded = type(model).load(tmp_path / "model")
    assert type(rnn_apps.load(tmp_path / "model")) is type(model)
    assert loaded.get_params() == model.get_params()
    assert loaded.score(*fit_args(X, y)) == pytest.approx(score, rel=1e-5, abs=1e-6)
    model.export(tmp_path / "export")
    assert (tmp_path / "export" / "saved_model.pb").is_file()
    check_served_like_the_api(task, model, tmp_path / "export", X, sample)
    check_portable_core(model, tmp_path / "onnx")

    if task == "forecast":  # inspect reads a series CSV for a forecaster
        sample = tmp_path / sample
        sample.write_text("column_0\n" + "\n".join(f"{v:.4f}" for v in X[:, 0]) + "\n")
    result = CliRunner().invoke(cli, ["inspect", "--model", str(tmp_path / "model"),
                                      "--input", str(sample), "--out", str(tmp_path / "h.png")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "h.png").stat().st_size > 0


def check_served_like_the_api(task, model, export_dir, X, sample):
    """The serving row: the task's adapter (found through the registry) parses a
    request and the SavedModel answers as the Python API does."""
    from rnn_apps.serving import load_servable

    raw = {"history": X[-model.lookback:].tolist()} if task == "forecast" else sample
    servable = load_servable(export_dir)
    try:
        assert servable.task == task and type(servable.adapter).__module__ == \
            f"rnn_apps.tasks.{task}.serving"
        answer = servable.run([servable.adapter.parse(raw)], servable.adapter.options({}))[0]
    finally:
        servable.close()
    if task == "sentiment":
        assert answer["label"] == str(model.predict([sample])[0])
    elif task == "tagging":
        assert answer["tags"] == model.predict(model.tokenize([sample]))[0]
    elif task == "seq2seq":
        assert answer["output"] == model.predict([sample])[0]
    elif task == "textgen":
        assert isinstance(answer["text"], str) and answer["text"]
    else:
        np.testing.assert_allclose(np.asarray(answer["forecast"]), model.predict(X),
                                   rtol=1e-4, atol=1e-4)


def check_portable_core(model, out):
    """The portable row: the task's cores and description (its hooks) convert to
    ONNX, checked against Keras by export_core itself."""
    import json

    from rnn_apps.portable import export_core

    assert export_core(model, out, "onnx") == out
    files = {p.name for p in out.iterdir()}
    assert "preprocessing.json" in files and any(name.endswith(".onnx") for name in files)
    assert json.loads((out / "preprocessing.json").read_text())


@pytest.mark.parametrize("task", sorted(TASKS))
def test_two_fold_grid_search_works_on_every_task(task):
    model, X, y, _ = TASKS[task]()
    if task == "sentiment":  # arrays of objects, as scikit-learn users hold texts
        X, y = np.array(X, dtype=object), np.array(y, dtype=object)
    cv = TimeSeriesSplit(n_splits=2) if task == "forecast" else 2
    search = GridSearchCV(model, {"units": [3]}, cv=cv, refit=False, error_score="raise")
    search.fit(*fit_args(X, y))
    scores = search.cv_results_["split0_test_score"], search.cv_results_["split1_test_score"]
    assert np.isfinite(scores).all() and search.best_params_ == {"units": 3}


def test_textgen_stops_after_patience_epochs_like_every_task(monkeypatch):
    """Keras' EarlyStopping for all: with a validation loss that never improves,
    training stops after 1 + patience epochs."""
    from rnn_apps.core import callbacks

    def worsening(self, epoch, logs=None):
        logs[self.name] = float(epoch)

    monkeypatch.setattr(callbacks.LogValue, "on_epoch_end", worsening)
    model, X, _, _ = textgen()
    model.set_params(epochs=6, patience=2).fit(X)
    assert len(model.history_["loss"]) == 3


def test_parameter_table_covers_every_parameter():
    for name in TASKS:
        cls = type(TASKS[name]()[0]) if name != "forecast" else rnn_apps.Forecaster
        assert set(cls._get_param_names()) <= set(cls._parameter_constraints), name


@pytest.mark.parametrize("task, params, message", [
    ("tagging", {"units": True}, "units must be a positive integer up to 16384; got True"),
    ("forecast", {"lookback": 0}, "lookback must be a positive integer"),
    ("textgen", {"mode": "chars"}, "mode must be one of tbptt, windows"),
    ("seq2seq", {"beam_width": 2.5}, "beam_width must be a positive integer"),
    ("sentiment", {"patience": -1}, "patience must be a non-negative integer or None"),
    ("tagging", {"word_dropout": 1.0}, r"word_dropout must be a number in \[0, 1\)"),
])
def test_bad_parameters_fail_in_fit_with_one_line(task, params, message):
    from rnn_apps.errors import RnnAppsError

    model, X, y, _ = TASKS[task]()
    with pytest.raises(RnnAppsError, match=message):
        model.set_params(**params).fit(*fit_args(X, y))


