"""Forecaster (work in progress for issue 5): API, baselines, save/load, export."""

import subprocess
import sys
import textwrap

import numpy as np
import pytest

import rnn_apps
from rnn_apps import Forecaster
from rnn_apps.errors import DataError, RnnAppsError


def seasonal_series(n=240, period=12, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    level = 10 + 0.05 * t + 3 * np.sin(2 * np.pi * t / period)
    covariate = np.cos(2 * np.pi * t / period)
    return np.stack([level + rng.normal(0, 0.2, n), covariate], axis=1).astype("float32")


@pytest.fixture(scope="module")
def fitted():
    series = seasonal_series()
    model = Forecaster(units=16, lookback=24, horizon=3, targets=[0], epochs=15, seed=0,
                       verbose=0, learning_rate=5e-3)
    return model.fit(series[:200]), series


def test_forecasts_in_original_units_and_beats_seasonal_naive(fitted):
    model, series = fitted
    assert model.season_ == 12
    future = model.predict()
    assert future.shape == (3, 1)
    assert abs(float(future[0, 0]) - float(series[200, 0])) < 3.0  # original units, not z-scores
    metrics = model.evaluate(series[200 - 24:])
    assert {"mae", "rmse", "mape", "smape", "mase", "baseline_mase"} <= set(metrics)
    assert metrics["season"] == 12 and metrics["n"] == (40 + 24 - 24 - 3 + 1) * 3
    assert metrics["mase"] < metrics["baseline_mase"]  # measured: 0.53 against 1.00


def test_save_load_and_savedmodel_agree(fitted, tmp_path):
    model, series = fitted
    model.save(tmp_path / "fc")
    loaded = rnn_apps.load(tmp_path / "fc")
    windows = np.stack([series[i:i + 24] for i in range(150, 160)])
    np.testing.assert_allclose(loaded.predict(windows), model.predict(windows), atol=1e-5)
    model.export(tmp_path / "export")
    script = textwrap.dedent("""
        import sys, json
        sys.modules["rnn_apps"] = None
        import numpy as np, tensorflow as tf
        serve = tf.saved_model.load(sys.argv[1]).signatures["serving_default"]
        windows = np.load(sys.argv[2])
        print(json.dumps(serve(history=tf.constant(windows))["forecast"].numpy().tolist()))
    """)
    np.save(tmp_path / "w.npy", windows)
    result = subprocess.run([sys.executable, "-c", script, str(tmp_path / "export"),
                             str(tmp_path / "w.npy")], check=False, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    import json

    served = np.array(json.loads(result.stdout.strip().splitlines()[-1]))
    np.testing.assert_allclose(served, model.predict(windows), atol=1e-4)


def test_bad_series_are_refused():
    with pytest.raises(DataError, match="NaN or infinite value at row 2"):
        Forecaster(verbose=0).fit([1.0, 2.0, np.nan, 4.0])
    with pytest.raises(DataError, match="needs at least lookback \\+ horizon = 26"):
        Forecaster(lookback=24, horizon=2, verbose=0).fit(np.arange(20.0))
    with pytest.raises(RnnAppsError, match="horizon must be a positive integer; got 0"):
        Forecaster(horizon=0, verbose=0).fit(np.arange(50.0))
    with pytest.raises(DataError, match="must be numeric"):
        Forecaster(verbose=0).fit(["a", "b"])
