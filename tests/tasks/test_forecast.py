"""Forecaster: strategies, quantiles, ridge readout, baselines, save/load, SavedModel."""

import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import rnn_apps
from rnn_apps import Forecaster
from rnn_apps.errors import DataError, RnnAppsError
from tests.conftest import seasonal_series

FIXED = {"deseasonalize": "none", "ensemble": 1}
SMALL = {**FIXED, "inputs": "relative", "units": 16, "lookback": 24, "horizon": 3,
         "targets": [0], "epochs": 15, "seed": 0, "verbose": 0, "learning_rate": 5e-3}


@pytest.fixture(scope="module")
def series():
    return seasonal_series()


@pytest.fixture(scope="module")
def fitted(series):
    """Direct strategy with a 0.1/0.5/0.9 quantile head."""
    return Forecaster(quantiles=[0.9, 0.1, 0.5], **SMALL).fit(series[:200])


def test_direct_forecasts_in_original_units_with_every_metric(fitted, series):
    assert fitted.season_ == 12 and fitted.quantiles_ == [0.1, 0.5, 0.9]
    future = fitted.predict()
    assert future.shape == (3, 1)
    assert abs(float(future[0, 0]) - float(series[200, 0])) < 3.0  # original units, not z-scores
    np.testing.assert_allclose(fitted.predict(series[:200]), future, atol=1e-5)
    metrics = fitted.evaluate(series[200 - 24:])
    assert {"mae", "rmse", "mape", "smape", "mase", "baseline_mase", "naive_mase",
            "drift_mase"} <= set(metrics)
    assert metrics["season"] == 12 and metrics["n"] == (40 - 3 + 1) * 3


@pytest.mark.quality
def test_quality_direct_forecasts_beat_the_baselines(fitted, series):
    metrics = fitted.evaluate(series[200 - 24:])
    # measured: 0.44 against seasonal naive 1.00, naive 3.06, drift 3.14
    assert metrics["mase"] < metrics["baseline_mase"] < metrics["naive_mase"]


def test_quantiles_are_ordered_and_cover_about_their_share(fitted, series):
    bands = fitted.predict_quantiles(series[:200])
    assert bands.shape == (3, 1, 3)
    assert (np.diff(bands, axis=-1) >= 0).all()
    metrics = fitted.evaluate(series[200 - 24:])
    assert metrics["nominal_coverage"] == pytest.approx(0.8)
    assert 0.5 <= metrics["coverage"] <= 1.0 and metrics["pinball"] > 0  # measured 0.75


@pytest.fixture(scope="module")
def recursive(series):
    return Forecaster(strategy="recursive", **SMALL).fit(series[:200])


@pytest.mark.quality
def test_quality_recursive_forecasts_beat_seasonal_naive(recursive, series):
    metrics = recursive.evaluate(series[200 - 24:])
    assert metrics["mase"] < metrics["baseline_mase"]  # measured 0.49 against 1.00


def test_recursive_strategy_feeds_its_own_steps_back(recursive, series, tmp_path):
    model = recursive
    assert model.predict().shape == (3, 1)
    model.save(tmp_path / "rec")
    windows = np.stack([series[i:i + 24] for i in range(100, 105)])
    np.testing.assert_allclose(rnn_apps.load(tmp_path / "rec").predict(windows),
                               model.predict(windows), atol=1e-5)
    # the 2-step forecast equals one step, appended to the window, then one more step
    one_step = Forecaster(**{**SMALL, "horizon": 1})
    one_step.model_ = model.model_.get_layer("one_step")
    one_step.set_state({**model.state_, "targets": [0, 1]})
    first = one_step.predict(windows)                                     # [n, 1, 2]
    second = one_step.predict(np.concatenate([windows[:, 1:], first], axis=1))
    np.testing.assert_allclose(model.predict(windows)[:, :2, 0],
                               np.concatenate([first, second], axis=1)[..., 0], atol=1e-4)


def test_ridge_readout_for_echo_state_networks(series, tmp_path):
    model = Forecaster(**FIXED, cell="esn", readout="ridge", units=100, lookback=24, horizon=3,
                       targets=[0], seed=0, verbose=0).fit(series[:200])
    assert set(model.history_) == {"loss", "val_loss"} and len(model.history_["loss"]) == 1
    assert model.state_["ridge_alpha"] in (1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1.0, 10.0)
    metrics = model.evaluate(series[200 - 24:])
    assert metrics["mase"] < metrics["baseline_mase"]  # measured 0.40 against 1.00
    model.save(tmp_path / "esn")
    np.testing.assert_allclose(rnn_apps.load(tmp_path / "esn").predict(), model.predict(),
                               atol=1e-5)


def test_relative_inputs_make_forecasts_shift_with_the_level(fitted, series):
    windows = np.stack([series[i:i + 24] for i in range(50, 54)])
    shifted = windows.copy()
    shifted[..., 0] += 25.0
    np.testing.assert_allclose(fitted.predict(shifted), fitted.predict(windows) + 25.0,
                               atol=1e-3)
    level = Forecaster(**{**SMALL, "inputs": "level", "epochs": 1}).fit(series[:200])
    assert not np.allclose(level.predict(shifted), level.predict(windows) + 25.0, atol=1e-2)


def test_named_targets_times_and_covariates(series_csv):
    from rnn_apps.data.series import read_series_csv

    table = read_series_csv(series_csv, time_column="date")
    model = Forecaster(**FIXED, units=4, lookback=14, horizon=2, targets="sales", epochs=1, seed=0,
                       verbose=0).fit(table)
    assert model.target_names_ == ["sales"] and model.columns_ == ["sales", "temp"]
    assert [str(t.date()) for t in model.future_times(table)] == ["2024-05-20", "2024-05-21"]
    assert model.predict(table).shape == (2, 1)
    with pytest.raises(RnnAppsError, match="target 'price' is not a column"):
        Forecaster(targets=["price"], verbose=0).fit(table)


def test_backtest_expanding_window(series):
    model = Forecaster(**FIXED, units=4, lookback=24, horizon=3, targets=[0], epochs=1, seed=0,
                       verbose=0)
    result = model.backtest(series[:150], origins=3, step=5)
    assert [row["origin"] for row in result["origins"]] == [137, 142, 147]
    assert [row["train_size"] for row in result["origins"]] == [137, 142, 147]
    assert result["mean"]["origins"] == 3 and result["mean"]["n"] == 9
    assert result["mean"]["mase"] == pytest.approx(np.mean([r["mase"] for r in result["origins"]]))
    assert result["season"] == 12
    fitted = model.fit(series[:100])
    frozen = fitted.backtest(series[:150], origins=2, refit=False)
    row = frozen["origins"][-1]
    expected = np.abs(fitted.predict(series[:147])[:, 0] - series[147:150, 0]).mean()
    assert row["mae"] == pytest.approx(expected, rel=1e-5)
    with pytest.raises(DataError, match="need a series of 75 steps; it has 60"):
        model.backtest(series[:60], origins=10, step=5)


def test_savedmodel_serves_forecast_and_quantiles_like_the_api(fitted, series, tmp_path):
    fitted.save(tmp_path / "fc")
    windows = np.stack([series[i:i + 24] for i in range(150, 160)])
    np.testing.assert_allclose(rnn_apps.load(tmp_path / "fc").predict_quantiles(windows),
                               fitted.predict_quantiles(windows), atol=1e-5)
    fitted.export(tmp_path / "export")
    script = textwrap.dedent("""
        import sys, json
        sys.modules["rnn_apps"] = None
        import numpy as np, tensorflow as tf
        serve = tf.saved_model.load(sys.argv[1]).signatures["serving_default"]
        out = serve(history=tf.constant(np.load(sys.argv[2])))
        print(json.dumps({k: v.numpy().tolist() for k, v in out.items()}))
    """)
    np.save(tmp_path / "w.npy", windows)
    result = subprocess.run([sys.executable, "-c", script, str(tmp_path / "export"),
                             str(tmp_path / "w.npy")], check=False, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    served = json.loads(result.stdout.strip().splitlines()[-1])
    np.testing.assert_allclose(served["forecast"], fitted.predict(windows), atol=1e-4)
    np.testing.assert_allclose(served["quantiles"], fitted.predict_quantiles(windows), atol=1e-4)


def test_bad_series_and_parameters_are_refused(fitted):
    with pytest.raises(DataError, match="NaN or infinite value at row 2"):
        Forecaster(verbose=0).fit([1.0, 2.0, np.nan, 4.0])
    with pytest.raises(DataError, match="needs at least lookback \\+ horizon = 26"):
        Forecaster(lookback=24, horizon=2, verbose=0).fit(np.arange(20.0))
    with pytest.raises(RnnAppsError, match="horizon must be a positive integer up to 10000; got 0"):
        Forecaster(horizon=0, verbose=0).fit(np.arange(50.0))
    with pytest.raises(DataError, match="must be numeric"):
        Forecaster(verbose=0).fit(["a", "b"])
    for params, message in [({"quantiles": [0.5]}, "two or more distinct levels"),
                            ({"quantiles": [0.1, 1.2]}, "between 0 and 1"),
                            ({"strategy": "sideways"}, "strategy must be"),
                            ({"readout": "ridge"}, "needs cell='esn'"),
                            ({"cell": "esn", "readout": "ridge", "quantiles": [0.1, 0.9]},
                             "quantiles need strategy='direct' and readout='dense'"),
                            ({"inputs": "log"}, "inputs must be one of")]:
        with pytest.raises(RnnAppsError, match=message):
            Forecaster(verbose=0, **params).fit(np.arange(50.0))
    with pytest.raises(DataError, match="history windows must be \\[n, 24, 2\\]"):
        fitted.predict(np.zeros((1, 10, 2)))
    with pytest.raises(DataError, match="the history has 5 steps"):
        fitted.predict(np.zeros((5, 2)))
