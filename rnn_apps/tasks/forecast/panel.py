"""One forecasting model across several series (a panel): forecasts and
scores per series, from one batch.

A model fitted on a :class:`~rnn_apps.preprocessing.panel.SeriesPanel` keeps
the last ``lookback`` steps, the last time stamp and the MASE denominators
of every training series by key; its network scales each window by itself,
so it also forecasts series it never saw.
"""

from __future__ import annotations

import numpy as np

from rnn_apps.errors import DataError
from rnn_apps.tasks.forecast.future import forecast_windows, values_by_name
from rnn_apps.tasks.forecast.metrics import evaluate_series


class PanelForecast(dict):
    """``{series key: {"forecast": ..., "quantiles": ...}}``."""


def panel_request(task, X) -> dict | None:
    """``{key: history [time, columns]}`` to forecast, or None for a request
    about one series (or windows)."""
    from rnn_apps.preprocessing.panel import as_panel

    if X is None:
        tails = task.state_.get("tails")
        if tails is None:
            return None
        return {key: np.asarray(tail, dtype=np.float32) for key, tail in tails.items()}
    panel = as_panel(X, "history")
    return None if panel is None else {key: values_by_name(task, one) for key, one in panel.items()}


def forecast_each(task, histories: dict, future=None, times=None) -> PanelForecast:
    """Every series' forecast; ``future``: ``{key: [horizon, covariates]}``;
    ``times``: ``{key: time stamps of the forecast steps}`` (calendar features)."""
    from rnn_apps.tasks.forecast import future as known

    lookback = task.lookback_
    for key, values in histories.items():
        if len(values) < lookback:
            raise DataError(f"series {key!r} has {len(values)} steps; the model reads "
                            f"lookback = {lookback}")
    windows = np.stack([values[-lookback:] for values in histories.values()])
    columns, kinds = list(task.spec_.future_columns), task.spec_.calendar
    if future is not None and not isinstance(future, dict):
        raise DataError("future covariates of several series go in a dict by series key")
    values = None
    if columns:
        missing = [key for key in histories if key not in (future or {})]
        if missing:
            raise DataError(f"no future covariates for series {missing[0]!r} (future=)")
        values = np.concatenate([known.check_future(task, future[key], 1)
                                 for key in histories])
    seconds = None
    if kinds:
        if times is None or any(times.get(key) is None for key in histories):
            raise DataError("this model reads calendar features: every series needs its "
                            "time stamps")
        seconds = np.stack([known.epoch_seconds(times[key]) for key in histories])
    result = forecast_windows(task, windows, values, seconds)
    return PanelForecast({key: {name: values[i] for name, values in result.items()}
                          for i, key in enumerate(histories)})


def pick(forecast: dict, name: str):
    """``forecast[name]``, or ``{key: forecast[key][name]}`` for a panel."""
    if isinstance(forecast, PanelForecast):
        return {key: one[name] for key, one in forecast.items()}
    return forecast[name]


def summary(rows: dict) -> dict:
    """The mean of every number over the series (``n`` summed), and the rows."""
    from rnn_apps.tasks.forecast.backtest import mean_of

    combined = mean_of(list(rows.values()))
    combined.pop("origins", None)
    return {**combined, "series": rows}


def evaluate_each(task, panel) -> dict:
    """:meth:`Forecaster.evaluate` of every series of ``panel`` and their mean."""
    scales = task.state_.get("scales", {})
    rows = {key: evaluate_series(task, one, scales.get(key)) for key, one in panel.items()}
    return summary(rows)


def future_times_each(task, panel=None) -> dict:
    """``{key: time stamps of the forecast steps or None}``."""
    from rnn_apps.data.series import future_times, infer_step, time_from_json

    if panel is not None:
        return {key: future_times(one.times[-1], infer_step(one.times), task.horizon)
                if one.times and len(one.times) > 1 else None for key, one in panel.items()}
    step = task.state_.get("time_step")
    return {key: future_times(time_from_json(last), step, task.horizon)
            if last is not None and step else None
            for key, last in task.state_["last_times"].items()}
