"""Rolling-origin backtests: where the forecast origins go, and the summary.

An expanding-window backtest trains on everything before an origin and
forecasts the ``horizon`` steps after it; ``origins`` origins lie ``step``
steps apart and the last one forecasts the final ``horizon`` steps of the
series (Tashman, 2000).
"""

from __future__ import annotations

import logging

import numpy as np

from rnn_apps.errors import DataError


def rolling_origins(n: int, *, horizon: int, origins: int, step: int, min_train: int) -> list[int]:
    """Index of the first forecast step for each origin, earliest first."""
    for name, value in (("origins", origins), ("step", step), ("horizon", horizon)):
        if not (isinstance(value, (int, np.integer)) and value > 0):
            raise DataError(f"{name} must be a positive integer; got {value!r}")
    need = min_train + horizon + (origins - 1) * step
    if need > n:
        raise DataError(f"{origins} origins {step} steps apart with horizon {horizon} and at "
                        f"least {min_train} training steps need a series of {need} steps; "
                        f"it has {n}")
    return [n - horizon - k * step for k in reversed(range(origins))]


def mean_of(rows: list[dict]) -> dict:
    """The mean of every numeric key over the origins (``n`` is summed)."""
    keys = [k for k, v in rows[0].items() if isinstance(v, (int, float)) and k != "origin"]
    summary = {k: float(np.mean([row[k] for row in rows])) for k in keys if k != "n"}
    if "n" in keys:
        summary["n"] = int(sum(row["n"] for row in rows))
    summary["origins"] = len(rows)
    return summary


def backtest(forecaster, series, *, origins: int, step: int, refit: bool) -> dict:
    """Run :meth:`Forecaster.backtest <rnn_apps.tasks.forecast.Forecaster.backtest>`."""
    from rnn_apps.evaluation import forecasting as fc

    horizon = forecaster.horizon
    targets = forecaster._resolve_targets(series.columns)
    points = rolling_origins(len(series.values), horizon=horizon, origins=origins, step=step,
                             min_train=forecaster.lookback + (horizon if refit else 0))
    season = forecaster.season or fc.detect_season(series.values[:points[0], targets[0]])
    rows = []
    quiet = logging.getLogger("tensorflow")
    level = quiet.level
    quiet.setLevel(logging.ERROR)  # refitting in a loop makes TF warn about retracing
    try:
        for origin in points:
            rows.append(_one_origin(forecaster, series, origin, targets, season, refit))
    finally:
        quiet.setLevel(level)
    return {"origins": rows, "mean": mean_of(rows), "season": int(season)}


def _one_origin(forecaster, series, origin, targets, season, refit) -> dict:
    from sklearn.base import clone

    from rnn_apps.data.series import format_time
    from rnn_apps.evaluation import forecasting as fc

    horizon = forecaster.horizon
    past = series.head(origin)
    model = clone(forecaster).fit(past) if refit else forecaster
    actual = series.values[origin:origin + horizon, targets]
    scale = fc.seasonal_naive_scale(past.values[:, targets], min(season, origin - 1))
    forecast = {k: v[None] for k, v in model._forecast(past.values).items()}
    row = {"origin": format_time(series.times[origin], series.time_format)
           if series.times else int(origin), "train_size": int(origin)}
    row.update(model._score(actual[None], forecast, [past.values[:, targets]], scale, season))
    return row
