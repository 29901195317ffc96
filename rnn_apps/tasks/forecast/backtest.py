"""Rolling-origin backtests: where the forecast origins go, and the summary.

An expanding-window backtest trains on everything before an origin and
forecasts the ``horizon`` steps after it; ``origins`` origins lie ``step``
steps apart and the last one forecasts the final ``horizon`` steps of the
series (Tashman, 2000).
"""

from __future__ import annotations

import numpy as np

from rnn_apps.core.training import quiet_retracing
from rnn_apps.errors import DataError
from rnn_apps.tasks.forecast.metrics import score_forecasts
from rnn_apps.tasks.forecast.settings import resolve_targets


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


def _setup(forecaster, columns, refit: bool, window: str, refit_every) -> tuple:
    """Checked options: ``(horizon, target indices, least training steps)``."""
    from rnn_apps.tasks.forecast.choices import BACKTEST_WINDOWS

    if window not in BACKTEST_WINDOWS:
        raise DataError(f"window must be one of {', '.join(BACKTEST_WINDOWS)}; got {window!r}")
    if not (isinstance(refit_every, (int, np.integer)) and refit_every > 0):
        raise DataError(f"refit_every must be a positive integer; got {refit_every!r}")
    horizon = forecaster.horizon
    lookback = forecaster.lookback_ if not refit else (forecaster.lookback or 1)
    return (horizon, resolve_targets(forecaster.targets, columns),
            lookback + (horizon if refit else 0))


def backtest(forecaster, series, *, origins: int, step: int, refit: bool,
             window: str = "expanding", refit_every: int = 1) -> dict:
    """Run :meth:`Forecaster.backtest <rnn_apps.tasks.forecast.estimator.Forecaster.backtest>`."""
    from rnn_apps.data.series import infer_step
    from rnn_apps.preprocessing.seasons import choose_season

    horizon, targets, min_train = _setup(forecaster, series.columns, refit, window,
                                         refit_every)
    points = rolling_origins(len(series.values), horizon=horizon, origins=origins, step=step,
                             min_train=min_train)
    first = series.values[:points[0], targets]
    if forecaster.season:
        season = forecaster.season
    else:
        times = series.times[:points[0]] if series.times else None
        season = choose_season(first, infer_step(times) if times and len(times) > 1 else None)[0]
    rows, model = [], None if refit else forecaster
    with quiet_retracing():
        for k, origin in enumerate(points):
            begin = origin - points[0] if window == "sliding" else 0
            if refit and k % refit_every == 0:
                model = _refit(forecaster, series, begin, origin)
            rows.append(_one_origin(model, series, begin, origin, targets, season))
    return {"origins": rows, "mean": mean_of(rows), "season": int(season), "window": window,
            "refit_every": int(refit_every) if refit else None}


def backtest_panel(forecaster, panel, *, origins: int, step: int, refit: bool,
                   window: str = "expanding", refit_every: int = 1) -> dict:
    """:func:`backtest` of a model across the series of ``panel``: the origins
    counted back from the end of each series, one model trained per origin on
    every series before its own origin. Each origin's row is the mean over the
    series; ``series`` holds each series' mean over the origins."""
    from rnn_apps.data.series import infer_step
    from rnn_apps.preprocessing.panel import SeriesPanel
    from rnn_apps.preprocessing.seasons import choose_season

    horizon, targets, min_train = _setup(forecaster, panel.columns, refit, window, refit_every)
    cuts = {key: rolling_origins(len(one.values), horizon=horizon, origins=origins, step=step,
                                 min_train=min_train)
            for key, one in panel.items()}
    if forecaster.season:
        season = forecaster.season
    else:
        first = next(iter(panel.series.values()))
        times = first.times
        season = choose_season([one.values[:cuts[key][0], targets] for key, one in panel.items()],
                               infer_step(times) if times and len(times) > 1 else None)[0]
    rows, per_series, model = [], {key: [] for key in panel}, \
        None if refit else forecaster
    with quiet_retracing():
        for k in range(origins):
            begins = {key: cuts[key][k] - cuts[key][0] if window == "sliding" else 0
                      for key in panel}
            if refit and k % refit_every == 0:
                model = clone_fit(forecaster, SeriesPanel(
                    {key: one.part(begins[key], cuts[key][k]) for key, one in panel.items()},
                    panel.id_column))
            found = {key: _one_origin(model, one, begins[key], cuts[key][k], targets, season)
                     for key, one in panel.items()}
            for key, row in found.items():
                per_series[key].append(row)
            row = mean_of(list(found.values()))
            row.pop("origins", None)
            rows.append({"origin": k + 1, "train_size": int(np.mean(
                [r["train_size"] for r in found.values()])), **row})
    return {"origins": rows, "mean": mean_of(rows), "season": int(season), "window": window,
            "refit_every": int(refit_every) if refit else None,
            "series": {key: mean_of(found) for key, found in per_series.items()}}


def clone_fit(forecaster, data):
    from sklearn.base import clone

    return clone(forecaster).fit(data)


def _refit(forecaster, series, begin: int, origin: int):
    return clone_fit(forecaster, series.part(begin, origin))


def _one_origin(model, series, begin, origin, targets, season) -> dict:
    from rnn_apps.data.series import format_time
    from rnn_apps.evaluation import forecasting as fc
    from rnn_apps.tasks.forecast.future import forecasts_at

    horizon = model.horizon
    past = series.values[begin:origin]
    actual = series.values[origin:origin + horizon, targets]
    scale = fc.seasonal_naive_scale(past[:, targets], min(season, len(past) - 1))
    forecast = forecasts_at(model, series, [origin])[0]
    row = {"origin": format_time(series.times[origin], series.time_format)
           if series.times else int(origin), "train_size": int(origin - begin)}
    row.update(score_forecasts(model, actual[None], forecast, [past[:, targets]], scale,
                               season))
    return row
