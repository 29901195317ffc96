"""The forecaster's metrics of a fitted model on a series: beside the simple
baselines (:mod:`rnn_apps.evaluation.forecasting`), with the quantile metrics
when it forecasts quantiles. ``evaluate``, the backtests and the panel
evaluation all score through here."""

from __future__ import annotations

import numpy as np

from rnn_apps.errors import DataError
from rnn_apps.evaluation import forecasting as fc
from rnn_apps.tasks.forecast.future import forecasts_at, values_by_name


def score_forecasts(task, actual, forecast, histories, scale, season=None) -> dict:
    """Metrics of ``task``'s ``forecast`` of ``actual`` beside the baselines (and
    the quantile metrics when it has quantiles); ``histories``: the target
    columns before each forecast origin."""
    metrics = fc.compare_with_baselines(actual, forecast["forecast"], histories,
                                        season or task.season_, scale)
    if "quantiles" in forecast:
        metrics.update(fc.quantile_metrics(actual, forecast["quantiles"], task.quantiles_))
    return metrics


def evaluate_series(task, series, scale) -> dict:
    """:meth:`ForecastScoring.evaluate` of one series; ``scale``: the MASE
    denominators (None: from the series itself)."""
    values, lookback = values_by_name(task, series), task.lookback_
    starts = np.arange(len(values) - lookback - task.horizon + 1)
    if len(starts) == 0:
        raise DataError(f"the series has {len(values)} steps; it needs at least lookback + "
                        f"horizon = {lookback + task.horizon}")
    forecast, actual = forecasts_at(task, series, starts + lookback)
    target_values = values[:, task.targets_]
    if scale is None:
        scale = fc.seasonal_naive_scale(target_values, min(task.season_,
                                                           len(target_values) - 1))
    histories = [target_values[:start + lookback] for start in starts]  # views
    metrics = score_forecasts(task, actual, forecast, histories, np.asarray(scale))
    metrics["season"] = task.season_
    return metrics
