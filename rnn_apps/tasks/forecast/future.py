"""What is known about the forecast steps before they happen: covariate
columns whose future values the user supplies (``future_covariates``), and
calendar features of the forecast steps' time stamps (``calendar=True``).

The network reads them beside its encoding of the history: the user's
values for the ``horizon`` steps (scaled like their history), and for each
step the sine and cosine of its hour of the day, day of the week and month
of the year, as far as the series' time step makes them vary. The calendar
features are computed inside the model from the steps' time stamps (epoch
seconds), so the SavedModel takes times, not features.
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np

from rnn_apps.errors import DataError
from rnn_apps.preprocessing.series import column_order

DAY = 86_400


def calendar_kinds(step: dict | None) -> list[str]:
    """The calendar features that vary from step to step at this time step."""
    if not step or "steps" in step:
        return []
    if "months" in step:
        return ["month"] if step["months"] < 12 else []
    seconds = float(step["seconds"])
    if seconds < DAY:
        return ["hour", "weekday"]
    if seconds < 7 * DAY:
        return ["weekday", "month"]
    return ["month"] if seconds < 365 * DAY else []


def epoch_seconds(times) -> np.ndarray:
    """Seconds since 1970-01-01 (naive time stamps read as UTC), int64."""
    def one(stamp):
        if isinstance(stamp, datetime):
            aware = stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)
            return int(aware.timestamp())
        raise DataError(f"calendar features need date or time stamps; got {stamp!r}")

    return np.array([one(stamp) for stamp in times], dtype=np.int64)


def resolve(task, columns, targets, step) -> dict:
    """State entries for the future inputs asked for by the parameters."""
    names = task.future_covariates or []
    names = [names] if isinstance(names, str) else list(names)
    missing = [name for name in names if name not in columns]
    if missing:
        raise DataError(f"future covariate {missing[0]!r} is not a column of the series "
                        f"(columns: {', '.join(columns)})")
    indices = [columns.index(name) for name in names]
    if set(indices) & set(targets):
        raise DataError("a future covariate cannot also be a target")
    kinds = calendar_kinds(step) if task.calendar else []
    if task.calendar and not kinds:
        raise DataError("calendar features need date or time stamps that step by less than "
                        "a year (the series has none, or integer steps)")
    if (indices or kinds) and (task.strategy != "direct" or task.readout != "dense"):
        raise DataError("future covariates and calendar features need strategy='direct' and "
                        "readout='dense'")
    return {"future_columns": indices, "calendar": kinds}


def training_inputs(resolved: dict, scaled, values_times, lookback, horizon) -> dict:
    """Future inputs of every training window of ``scaled`` (``[time, columns]``,
    windows in the order of :func:`window_dataset`); ``resolved``: from :func:`resolve`."""
    columns, kinds = resolved["future_columns"], resolved["calendar"]
    starts = np.arange(len(scaled) - lookback - horizon + 1)
    steps = starts[:, None] + lookback + np.arange(horizon)[None]
    found = {}
    if columns:
        found["future"] = scaled[steps][..., columns].astype(np.float32)
    if kinds:
        found["future_time"] = epoch_seconds(values_times)[steps]
    return found


def model_inputs(task, windows, future=None, seconds=None):
    """The network's input(s) for raw ``windows`` and the raw future values."""
    columns, kinds = list(task.spec_.future_columns), task.spec_.calendar
    history = task.scaler_.transform(windows)
    if not columns and not kinds:
        return history
    found = {"history": history}
    if columns:
        mean, std = task.scaler_.mean[columns], task.scaler_.std[columns]
        found["future"] = ((np.asarray(future, dtype=np.float32) - mean) / std)
    if kinds:
        found["future_time"] = np.asarray(seconds, dtype=np.int64)
    return found


def check_future(task, future, n: int) -> np.ndarray | None:
    """The user's future covariate values as ``[n, horizon, covariates]``."""
    columns, horizon = list(task.spec_.future_columns), task.spec_.horizon
    if not columns:
        if future is not None:
            raise DataError("this model was trained without future covariates")
        return None
    names = [task.columns_[c] for c in columns]
    if future is None:
        raise DataError(f"this model needs the values of {', '.join(names)} for the "
                        f"{horizon} forecast steps (future=)")
    if hasattr(future, "columns"):
        future = future[names].to_numpy()
    values = np.asarray(future, dtype=np.float32)
    values = values.reshape(1, *values.shape) if values.ndim == 2 else values
    if values.ndim == 1 and len(columns) == 1:
        values = values.reshape(1, -1, 1)
    if values.shape != (n, horizon, len(columns)) or not np.isfinite(values).all():
        raise DataError(f"future covariates must be finite values [{horizon}, "
                        f"{len(columns)}] per forecast ({', '.join(names)}); got shape "
                        f"{values.shape}")
    return values


def values_by_name(task, series) -> np.ndarray:
    """The values of ``series`` with its columns in ``task``'s training order,
    matched by name."""
    order = column_order(task.state_["columns"], series.columns)
    return series.values if order is None else series.values[:, order]


def forecast_windows(task, windows, future=None, seconds=None) -> dict:
    """Raw windows (and raw future inputs) to ``task``'s forecasts in original units."""
    from rnn_apps.core.training import quiet_retracing
    from rnn_apps.tasks.forecast.savedmodel import to_original_units

    inputs = model_inputs(task, windows, future, seconds)
    with quiet_retracing():         # many small models predicting one after another
        out = task.model_.predict(inputs, verbose=0, batch_size=512)
    return to_original_units(out, task.scaler_, task.targets_)


def forecasts_at(task, series, origins):
    """``(forecasts, actual)`` from the ``lookback`` steps before each origin (the
    index of its first forecast step) of ``series``, with that series' future
    covariates and time stamps at the forecast steps."""
    values = values_by_name(task, series)
    spec = task.spec_
    lookback, horizon = spec.lookback, spec.horizon
    origins = np.asarray(origins)
    windows = values[origins[:, None] - lookback + np.arange(lookback)[None]]
    steps = origins[:, None] + np.arange(horizon)[None]
    columns, kinds = list(spec.future_columns), spec.calendar
    inside = steps[steps < len(values)].reshape(len(origins), -1)
    actual = values[inside][..., task.targets_] if inside.shape[1] == horizon else None
    future = values[steps][..., columns] if columns else None
    seconds = None
    if kinds:
        if not series.times:
            raise DataError("this model reads calendar features: the series needs its times")
        seconds = epoch_seconds(series.times)[steps]
    return forecast_windows(task, windows, future, seconds), actual
