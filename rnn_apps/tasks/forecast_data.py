"""In-memory training windows of a series for the forecaster (streams: see
:mod:`.forecast_stream`): the hold-out split, the scaler and the fitted state."""

from __future__ import annotations

import numpy as np

from rnn_apps.errors import DataError
from rnn_apps.evaluation import forecasting as fc
from rnn_apps.preprocessing.series import SeriesScaler, as_series, window_dataset


def windows(task, scaled, horizon, targets):
    """``(x [n, lookback, columns], y [n, horizon, targets])`` of every window."""
    batches = list(window_dataset(scaled, lookback=task.lookback, horizon=horizon,
                                  targets=targets, batch_size=4096))
    return (np.concatenate([np.asarray(b[0]) for b in batches]),
            np.concatenate([np.asarray(b[1]) for b in batches]))


def split(task, values, validation_data):
    """``(training values, validation values or None)``: the last ``valid_split``
    share (with ``lookback`` steps before it) is held out."""
    need = task.lookback + task.horizon
    if len(values) < need:
        raise DataError(f"the series has {len(values)} steps; it needs at least lookback + "
                        f"horizon = {need}")
    if validation_data is not None:
        return values, as_series(validation_data, "validation series").values
    n_valid = int(len(values) * task.valid_split)
    if n_valid >= task.horizon and len(values) - n_valid >= need:
        return values[:-n_valid], values[-n_valid - task.lookback:]
    return values, None

def in_memory_windows(task, series, validation_data, prior, targets, fit_targets,
                      fit_horizon):
    """Scaler, state and ``(x, y, validation, size)`` windows from an in-memory series."""
    from rnn_apps.data.series import infer_step, time_to_json

    train, valid = split(task, series.values, validation_data)
    scaler = SeriesScaler.from_state(prior["scaler"]) if prior else SeriesScaler.fit(train)
    x, y_fit = windows(task, scaler.transform(train), fit_horizon, fit_targets)
    validation = None
    if valid is not None and len(valid) >= task.lookback + fit_horizon:
        validation = windows(task, scaler.transform(valid), fit_horizon, fit_targets)
    season = task.season or fc.detect_season(train[:, targets[0]])
    times = series.times
    task._set_state({
        "scaler": scaler.get_state(), "targets": targets, "season": int(season),
        "columns": series.columns, "quantiles": task._quantiles(), "ridge_alpha": None,
        "tail": series.values[-task.lookback:].tolist(),
        "scale": fc.seasonal_naive_scale(train[:, targets], min(season, len(train) - 1))
                   .tolist(),
        "time_column": series.time_column, "time_format": series.time_format,
        "last_time": time_to_json(times[-1]) if times else None,
        "time_step": infer_step(times) if times and len(times) > 1 else None})
    return x, y_fit, validation, len(x)
