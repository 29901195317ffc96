"""rnn_apps.tune: the search space, held-out scoring (time-ordered for the
forecaster), the budget, failed trials and the output directory."""

import csv
import json

import numpy as np
import pytest

import rnn_apps
from rnn_apps.core.engine import TrainingError
from rnn_apps.errors import DataError, RnnAppsError
from rnn_apps.tuning import space
from tests.conftest import DATASETS, read_csv, seasonal_series

TINY = {"units": 4, "embedding_dim": 4, "epochs": 1, "batch_size": 16, "seed": 0, "verbose": 0}


@pytest.fixture(scope="module")
def texts():
    texts, labels = read_csv(DATASETS / "sentiment" / "train.csv")
    return texts[:80], labels[:80], texts[400:430], labels[400:430]


def test_sentiment_search_scores_trials_on_the_validation_data_and_writes_its_directory(
        texts, tmp_path):
    train_x, train_y, valid_x, valid_y = texts
    out = tmp_path / "search"
    best = rnn_apps.tune(rnn_apps.SentimentClassifier(**TINY), train_x, train_y,
                         validation_data=(valid_x, valid_y), trials=2, seed=0, out=out)
    search = best.tuning_
    assert isinstance(best, rnn_apps.SentimentClassifier) and best is search.best_estimator_
    rows = search.results_
    assert [row["trial"] for row in rows] == [1, 2] and {r["status"] for r in rows} == {"ok"}
    # the first trial is the estimator as given; the parameters it set are not searched
    assert (rows[0]["cell"], rows[0]["pooling"], rows[0]["dropout"], rows[0]["learning_rate"]) \
        == ("gru", "last", 0.0, 1e-3)
    assert "units" not in search.space_ and "embedding_dim" not in search.space_
    assert rows[0] != rows[1]
    assert search.best_score_ == max(row["score"] for row in rows)
    assert search.best_score_ == pytest.approx(best.score(valid_x, valid_y))
    assert best.units == 4 and best.get_params()["pooling"] == search.best_params_["pooling"]

    with open(out / "trials.csv", newline="", encoding="utf-8") as handle:
        table = list(csv.DictReader(handle))
    assert len(table) == 2 and table[0]["status"] == "ok" and table[0]["pooling"] == "last"
    assert {"trial", "score", "epochs", "seconds", "cell", "message"} <= set(table[0])
    marker = json.loads((out / "tune.json").read_text(encoding="utf-8"))
    assert marker["task"] == "sentiment" and marker["best"]["trial"] == search.best_trial_
    loaded = rnn_apps.load(out / "best")
    assert list(loaded.predict(valid_x)) == list(best.predict(valid_x))


def test_forecaster_is_scored_on_the_end_of_the_series_in_time_order(monkeypatch):
    values = seasonal_series(n=120, period=12)[:, :1]
    seen = []
    fit = rnn_apps.Forecaster.fit

    def recording_fit(self, X, y=None, validation_data=None, **run):
        seen.append((self.lookback, np.asarray(X.values), np.asarray(validation_data.values)))
        return fit(self, X, y, validation_data, **run)

    monkeypatch.setattr(rnn_apps.Forecaster, "fit", recording_fit)
    model = rnn_apps.Forecaster(units=4, epochs=2, batch_size=16, seed=0, verbose=0)
    best = rnn_apps.tune(model, values, trials=2, seed=1, algorithm="hyperband",
                         fixed=["cell", "units", "layers", "bidirectional", "dropout",
                                "learning_rate", "inputs", "deseasonalize"])
    cut = 120 - 12                                  # valid_split 0.1 of 120 steps
    assert len(seen) == len(best.tuning_.results_) == 2
    assert len({lookback for lookback, _, _ in seen}) == 2     # only the lookback is searched
    for lookback, train, held in seen:
        np.testing.assert_array_equal(train, values[:cut])                   # the beginning
        np.testing.assert_array_equal(held, values[cut - lookback:])         # the end
    assert best.tuning_.validation_ == "the last 12 steps of the series (time-ordered)"
    assert best.ensemble == 1 and best.season_ == 12
    assert best.tuning_.best_score_ == pytest.approx(
        -best.evaluate(values[cut - best.lookback:])["mase"])


def test_the_budget_stops_training_and_starts_no_new_trial():
    text = (DATASETS / "textgen" / "corpus.txt").read_text(encoding="utf-8")[:6000]
    model = rnn_apps.TextGenerator(**{**TINY, "epochs": 4}, bptt=16)
    best = rnn_apps.tune(model, text, trials=5, budget_minutes=1e-4, seed=0)
    rows = best.tuning_.results_
    assert len(rows) == 1                         # at least one trial runs, no second starts
    assert rows[0]["status"] == "cut" and rows[0]["epochs"] == 1 < rows[0]["max_epochs"] == 4
    assert "bidirectional" not in best.tuning_.space_      # textgen reads left to right


def _failing_fit(monkeypatch, cls, failing_calls, error):
    calls = []
    fit = cls.fit

    def fit_or_fail(self, *args, **kwargs):
        calls.append(1)
        if len(calls) in failing_calls:
            raise error
        return fit(self, *args, **kwargs)

    monkeypatch.setattr(cls, "fit", fit_or_fail)


def test_a_failed_trial_is_recorded_and_the_search_goes_on(monkeypatch, tmp_path):
    nan = TrainingError("training stopped at epoch 1: the loss became nan")
    _failing_fit(monkeypatch, rnn_apps.TextGenerator, {1}, nan)
    text = (DATASETS / "textgen" / "corpus.txt").read_text(encoding="utf-8")[:4000]
    out = tmp_path / "search"
    best = rnn_apps.tune(rnn_apps.TextGenerator(**TINY, bptt=16), text, trials=2, seed=0,
                         out=out)
    rows = best.tuning_.results_
    assert [row["status"] for row in rows] == ["failed", "ok"]
    assert rows[0]["score"] is None and "loss became nan" in rows[0]["message"]
    assert best.tuning_.best_trial_ == 2 and [r["trial"] for r in best.tuning_.top(5)] == [2]
    table = (out / "trials.csv").read_text(encoding="utf-8")
    assert "failed" in table and "loss became nan" in table


def test_every_trial_failing_is_one_error_and_bad_data_stops_at_once(monkeypatch, texts,
                                                                    tmp_path):
    nan = TrainingError("training stopped at epoch 1: the loss became nan")
    _failing_fit(monkeypatch, rnn_apps.SentimentClassifier, {1, 2}, nan)
    out = tmp_path / "search"
    with pytest.raises(RnnAppsError, match="every trial failed .2.; the first: TrainingError"):
        rnn_apps.tune(rnn_apps.SentimentClassifier(**TINY), *texts[:2], trials=2, out=out)
    assert not out.exists()
    monkeypatch.undo()
    _failing_fit(monkeypatch, rnn_apps.SentimentClassifier, {1}, DataError("one class only"))
    with pytest.raises(DataError, match="one class only"):
        rnn_apps.tune(rnn_apps.SentimentClassifier(**TINY), *texts[:2], trials=3)


@pytest.mark.parametrize("kwargs, message", [
    ({"trials": 0}, "trials must be a positive integer"),
    ({"trials": True}, "trials must be a positive integer"),
    ({"budget_minutes": -1.0}, "budget_minutes must be a positive number"),
    ({"algorithm": "grid"}, "algorithm must be one of bayesian, hyperband"),
    ({"fixed": ["unit"]}, "fixed names 'unit', not a parameter of SentimentClassifier"),
])
def test_bad_search_settings_are_one_line_errors(texts, kwargs, message):
    with pytest.raises(RnnAppsError, match=message):
        rnn_apps.tune(rnn_apps.SentimentClassifier(**TINY), *texts[:2], **kwargs)


def test_bad_data_and_settings_stop_before_any_trial(texts, tmp_path):
    from rnn_apps.data.tables import read_labelled_texts

    with pytest.raises(RnnAppsError, match="held-out data: give validation_data"):
        rnn_apps.tune(rnn_apps.SentimentClassifier(**TINY, valid_split=0.0), *texts[:2])
    with pytest.raises(DataError, match=r"texts\[3\] is an empty string"):
        rnn_apps.tune(rnn_apps.SentimentClassifier(**TINY), ["a", "b", "c", " "], [0, 1, 0, 1])
    stream = read_labelled_texts(DATASETS / "sentiment" / "train.csv", stream=True)
    with pytest.raises(RnnAppsError, match="lazy stream"):
        rnn_apps.tune(rnn_apps.SentimentClassifier(**TINY), stream)
    with pytest.raises(RnnAppsError, match="nothing to search"):
        rnn_apps.tune(rnn_apps.TextGenerator(**TINY), "some text " * 50,
                      fixed=["cell", "units", "layers", "dropout", "learning_rate",
                             "embedding_dim", "bptt"])
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(RnnAppsError, match="not an rnn-apps tune output"):
        rnn_apps.tune(rnn_apps.SentimentClassifier(**TINY), *texts[:2], out=tmp_path)


def test_missing_keras_tuner_says_how_to_install_it(monkeypatch, texts):
    monkeypatch.setitem(__import__("sys").modules, "keras_tuner", None)
    with pytest.raises(RnnAppsError, match=r"pip install 'rnn-apps\[tune\]'"):
        rnn_apps.tune(rnn_apps.SentimentClassifier(**TINY), *texts[:2])


def test_the_space_is_a_neighbourhood_of_the_settings_that_keeps_the_users_choices():
    chosen = rnn_apps.Tagger(cell="gru", units=32)
    assert space.fixed_names(chosen, None) == {"cell", "units"}
    assert space.fixed_names(chosen, ["crf"]) == {"crf"}
    dims = {d.name: d for d in space.build_space(chosen, {}, {"cell", "units"})}
    assert "cell" not in dims and "units" not in dims
    assert dims["crf"].values == (False, True) and dims["bidirectional"].default is True
    assert dims["embedding_dim"].values == (64, 32, 128)           # the default first
    rate = dims["learning_rate"]
    assert rate.low == pytest.approx(3e-3 / 4) and rate.high == pytest.approx(3e-3 * 4)
    s2s = {d.name: d for d in space.build_space(rnn_apps.Seq2SeqTranslator(), {}, set())}
    assert s2s["attention"].values == ("multiplicative", "additive", None)
    assert s2s["units"].values == (128, 64, 256)
    lm = {d.name for d in space.build_space(rnn_apps.TextGenerator(), {}, set())}
    assert "bptt" in lm and "bidirectional" not in lm


def test_the_forecasters_space_comes_from_the_series():
    from rnn_apps.tuning.holdouts import holdout

    values = seasonal_series(n=120, period=12)[:, :1]
    auto = rnn_apps.Forecaster()
    held = holdout(auto, values)
    dims = {d.name: d for d in space.build_space(auto, held.info, set())}
    assert held.info["season"] == 12 and held.params["season"] == 12
    assert held.params["ensemble"] == 1                 # one network per trial
    assert dims["lookback"].values == (24, 12, 36, 48)  # multiples of the season, default first
    assert set(dims["deseasonalize"].values) == {"additive", "none", "multiplicative"}
    given = rnn_apps.Forecaster(lookback=8)             # shorter than a season
    dims = {d.name: d for d in space.build_space(given, holdout(given, values).info, set())}
    assert dims["lookback"].values == (8, 4, 16) and dims["deseasonalize"].values == ("none",)
    kept = {d.name: d for d in space.build_space(
        rnn_apps.Forecaster(lookback=24), holdout(rnn_apps.Forecaster(lookback=24), values).info,
        {"lookback"})}
    assert "lookback" not in kept and "additive" in kept["deseasonalize"].values


def test_a_panel_is_cut_at_the_end_of_each_series():
    from rnn_apps.tuning.holdouts import holdout

    panel = {"a": seasonal_series(n=120, period=12)[:, :1],
             "b": seasonal_series(n=100, period=12, seed=1)[:, :1]}
    model = rnn_apps.Forecaster(lookback=24)
    held = holdout(model, panel)
    (train,), valid, score = held.for_trial(model.set_params(**held.params))
    for key, n in (("a", 120), ("b", 100)):
        np.testing.assert_array_equal(train.series[key].values, panel[key][:n - n // 10])
        np.testing.assert_array_equal(valid.series[key].values, panel[key][n - n // 10 - 24:])
    assert score == (valid,)


def test_keras_tuner_is_an_extra_that_ci_installs():
    import configparser
    from pathlib import Path

    config = configparser.ConfigParser()
    config.read(Path(__file__).resolve().parents[2] / "setup.cfg")
    extras = config["options.extras_require"]
    assert "keras-tuner>=1.4" in extras["tune"].split()
    assert "keras-tuner>=1.4" in extras["dev"].split()
