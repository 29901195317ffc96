import numpy as np
import pytest

from rnn_apps.errors import DataError
from rnn_apps.evaluation import forecasting as fc


def test_baselines_on_a_small_series():
    history = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    np.testing.assert_array_equal(fc.naive_forecast(history, 3)[:, 0], [6, 6, 6])
    np.testing.assert_array_equal(fc.seasonal_naive_forecast(history, 5, season=3)[:, 0],
                                  [4, 5, 6, 4, 5])
    np.testing.assert_allclose(fc.drift_forecast(history, 2)[:, 0], [7, 8])
    with pytest.raises(DataError, match="season must be between 1 and"):
        fc.seasonal_naive_forecast(history, 2, season=9)


def test_multivariate_history_keeps_targets_apart():
    history = np.array([[0.0, 10.0], [1.0, 20.0], [2.0, 30.0]])
    np.testing.assert_allclose(fc.drift_forecast(history, 1), [[3.0, 40.0]])
    assert fc.naive_forecast(history, 2).shape == (2, 2)


def test_metrics_match_a_hand_computation():
    history = np.array([2.0, 4.0, 6.0, 8.0])  # naive in-sample MAE = 2
    actual = np.array([10.0, 0.0])
    forecast = np.array([12.0, 1.0])
    metrics = fc.forecast_metrics(actual, forecast, history, season=1)
    assert metrics["mae"] == pytest.approx(1.5)
    assert metrics["rmse"] == pytest.approx(np.sqrt((4 + 1) / 2))
    assert metrics["mape"] == pytest.approx(20.0)  # the zero actual is skipped
    assert metrics["smape"] == pytest.approx((2 * 2 / 22 + 2 * 1 / 1) / 2 * 100)
    assert metrics["mase"] == pytest.approx(0.75)
    assert metrics["n"] == 2


def test_seasonal_naive_has_mase_near_one_on_a_repeating_pattern():
    pattern = np.array([1.0, 5.0, 3.0, 8.0])
    series = np.tile(pattern, 10) + np.random.default_rng(0).normal(0, 0.01, 40)
    train, test = series[:32], series[32:]
    assert fc.detect_season(train) == 4
    perfect = fc.seasonal_naive_forecast(train, 8, season=4)[:, 0]
    assert fc.forecast_metrics(test, perfect, train, season=4)["mase"] < 2.0
    naive = fc.naive_forecast(train, 8)[:, 0]
    assert fc.forecast_metrics(test, naive, train, season=4)["mase"] > 50


def test_detect_season_returns_one_without_seasonality():
    trend = np.arange(50, dtype=float)
    assert fc.detect_season(trend) == 1
    assert fc.detect_season(np.zeros(20)) == 1


def test_shape_and_length_errors():
    with pytest.raises(DataError, match="differ in shape"):
        fc.forecast_metrics([1.0, 2.0], [1.0], [1.0, 2.0, 3.0])
    with pytest.raises(DataError, match="longer than the season"):
        fc.forecast_metrics([1.0], [1.0], [1.0, 2.0], season=4)
