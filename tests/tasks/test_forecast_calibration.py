"""Issue 27, forecast: a global model weighs every series alike (it trains on
scaled targets), and prediction intervals are calibrated on the held-out end
of the training series, reported per nominal level and kept by save, load
and the SavedModel."""

import numpy as np
import pytest

import rnn_apps
from rnn_apps import Forecaster
from rnn_apps.preprocessing.panel import SeriesPanel
from rnn_apps.preprocessing.series import Series

TINY = {"units": 8, "batch_size": 32, "seed": 0, "verbose": 0, "deseasonalize": "none",
        "inputs": "relative", "ensemble": 1, "learning_rate": 5e-3}
LEVELS = [0.025, 0.1, 0.5, 0.9, 0.975]


def noisy_series(n, level, seed, noise=0.05):
    """A seasonal series around ``level`` with Gaussian noise of ``noise * level``."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    values = level * (1 + 0.2 * np.sin(2 * np.pi * t / 12) + rng.normal(0, noise, n))
    return values[:, None].astype("float32")


def test_a_global_model_trains_on_scaled_targets_so_series_weigh_alike():
    levels = {"small": 1.0, "large": 10_000.0}
    panel = SeriesPanel({key: Series(noisy_series(160, level, seed), ["value"])
                         for seed, (key, level) in enumerate(levels.items())}, "id")
    model = Forecaster(lookback=24, horizon=3, epochs=4,
                       **{**TINY, "deseasonalize": "additive"}).fit(panel)
    # before issue 27 the loss was taken after the scale was multiplied back (about 1e5
    # here, all of it from the large series); on scaled targets it is about 0.004
    assert model.history_["loss"][-1] < 0.1 and model.history_["val_loss"][-1] < 0.1
    forecasts = model.predict()
    metrics = model.evaluate(panel)
    for key, level in levels.items():       # forecasts and metrics stay in data units
        assert 0.6 * level < float(forecasts[key].mean()) < 1.4 * level
        # measured 0.86 and 0.88 against seasonal naive 1.01 and 0.99
        assert metrics["series"][key]["mase"] < 1.2
    mase = [row["mase"] for row in metrics["series"].values()]
    assert abs(mase[0] - mase[1]) < 0.3              # each as good on its own scale
    ratio = metrics["series"]["large"]["mae"] / metrics["series"]["small"]["mae"]
    assert 1e3 < ratio < 1e5


@pytest.fixture(scope="module")
def intervals():
    """Gaussian noise of known size: 700 steps, trained on the first 500."""
    series = noisy_series(700, 10.0, seed=3, noise=0.1)
    model = Forecaster(lookback=24, horizon=3, epochs=3, quantiles=LEVELS,
                       valid_split=0.3, **TINY).fit(series[:500])
    return model, series


def test_intervals_are_calibrated_on_the_held_out_end(intervals):
    model, series = intervals
    calibration = model.state_["calibration"]
    assert calibration["levels"] == LEVELS and calibration["windows"] > 100
    test = series[500 - 24:]
    metrics = model.evaluate(test)
    # measured: 0.80 and 0.95 calibrated; the bare head covered 0.13 and 0.21
    assert abs(metrics["coverage_80"] - 0.8) <= 0.08
    assert abs(metrics["coverage_95"] - 0.95) <= 0.05
    assert 0 < metrics["width_80"] < metrics["width_95"]
    assert metrics["coverage"] == metrics["coverage_95"]        # the outermost interval
    layer = model.model_.get_layer("quantile_calibration")
    layer.set_weights([np.zeros(len(LEVELS), dtype="float32")])
    try:        # without its calibration the head's interval is far from nominal
        bare = model.evaluate(test)
    finally:
        layer.set_weights([np.asarray(calibration["offsets"], dtype="float32")])
    assert abs(bare["coverage_80"] - 0.8) > 0.1
    report = model.backtest(series, origins=2, refit=False)
    for key in ("coverage_80", "width_80", "coverage_95", "width_95"):
        assert key in report["mean"] and key in report["origins"][0]


def test_saved_and_exported_models_give_the_calibrated_quantiles(intervals, tmp_path):
    import tensorflow as tf

    model, series = intervals
    windows = np.stack([series[k:k + 24] for k in (400, 520, 600)])
    expected = model.predict_quantiles(windows)
    model.save(tmp_path / "model")
    loaded = rnn_apps.load(tmp_path / "model")
    np.testing.assert_allclose(loaded.predict_quantiles(windows), expected, rtol=1e-5)
    assert loaded.state_["calibration"] == model.state_["calibration"]
    model.export(tmp_path / "export")
    serve = tf.saved_model.load(str(tmp_path / "export")).signatures["serving_default"]
    served = serve(history=tf.constant(windows))["quantiles"].numpy()
    np.testing.assert_allclose(served, expected, rtol=1e-4, atol=1e-4)


def test_an_ensemble_calibrates_its_median():
    series = noisy_series(300, 10.0, seed=5, noise=0.1)
    model = Forecaster(lookback=24, horizon=3, epochs=2, quantiles=[0.1, 0.9],
                       valid_split=0.3, **{**TINY, "ensemble": 2}).fit(series[:240])
    assert len(model.state_["members"]) == 2
    assert model.state_["calibration"]["windows"] > 50
    offsets = model.model_.get_layer("quantile_calibration").get_weights()[0]
    np.testing.assert_allclose(offsets, model.state_["calibration"]["offsets"], rtol=1e-6)
    assert abs(model.evaluate(series[240 - 24:])["coverage_80"] - 0.8) <= 0.15


def test_a_streamed_series_is_calibrated_on_its_streamed_validation_windows(series_csv):
    from rnn_apps.data.series import read_series_csv

    model = Forecaster(lookback=14, horizon=2, epochs=1, targets=["sales"], quantiles=[0.1, 0.9],
                       **{**TINY, "units": 4}).fit(read_series_csv(series_csv, time_column="date",
                                                                   stream=True))
    assert model.state_["calibration"]["windows"] > 5
    bands = model.predict_quantiles()
    assert bands.shape == (2, 1, 2) and (bands[..., 1] >= bands[..., 0]).all()


def test_the_cli_backtest_and_evaluate_show_coverage_and_width(series_csv, tmp_path):
    from tests.cli.test_cli import run

    tiny = ["--units", "4", "--epochs", "1", "--seed", "0", "--quiet", "--inputs", "relative",
            "--deseasonalize", "none", "--ensemble", "1", "--lookback", "14", "--horizon", "2",
            "--targets", "sales", "--quantiles", "0.1,0.9"]
    result = run("forecast", "backtest", "--data", series_csv, "--origins", "1", *tiny)
    assert result.exit_code == 0, result.output
    header = result.output.splitlines()[0].split()
    assert "coverage_80" in header and "width_80" in header
    result = run("forecast", "train", "--data", series_csv, "--out", tmp_path / "m", *tiny)
    assert result.exit_code == 0, result.output
    result = run("forecast", "evaluate", "--model", tmp_path / "m", "--data", series_csv)
    assert result.exit_code == 0 and "coverage_80" in result.output, result.output


def test_intervals_without_held_out_windows_say_they_are_not_calibrated():
    from rnn_apps.core.training import TrainingNote

    series = noisy_series(80, 10.0, seed=6)
    with pytest.warns(TrainingNote, match="not calibrated"):
        model = Forecaster(lookback=12, horizon=2, epochs=1, quantiles=[0.1, 0.9],
                           valid_split=0.0, **TINY).fit(series)
    assert model.state_["calibration"] is None
