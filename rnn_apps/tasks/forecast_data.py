"""In-memory training windows of a series for the forecaster (streams: see
:mod:`.forecast_stream`): the hold-out split, the scaler and the fitted state."""

from __future__ import annotations

import numpy as np

from rnn_apps.errors import DataError
from rnn_apps.evaluation import forecasting as fc
from rnn_apps.preprocessing.series import SeriesScaler, as_series, window_dataset


def windows(lookback, scaled, horizon, targets):
    """``(x [n, lookback, columns], y [n, horizon, targets])`` of every window."""
    batches = list(window_dataset(scaled, lookback=lookback, horizon=horizon,
                                  targets=targets, batch_size=4096))
    return (np.concatenate([np.asarray(b[0]) for b in batches]),
            np.concatenate([np.asarray(b[1]) for b in batches]))


def in_memory_windows(task, series, validation_data, prior, targets, fit_targets,
                      fit_horizon):
    """Scaler, state and ``(x, y, validation, size)`` windows from an in-memory series.

    The last ``valid_split`` share (with ``lookback`` steps before it) is held
    out unless ``validation_data`` is given; the settings left automatic are
    resolved on the rest (:func:`.forecast_auto.static_settings`)."""
    from rnn_apps.data.series import infer_step, time_to_json
    from rnn_apps.tasks.forecast_auto import static_settings
    from rnn_apps.tasks.forecast_layers import decomposition_stats

    values, times = series.values, series.times
    n_valid = int(len(values) * task.valid_split) if validation_data is None else 0
    held = n_valid >= task.horizon
    train = values[:-n_valid] if held else values
    step = infer_step(times) if times and len(times) > 1 else None
    settings = static_settings(task, train, targets, fit_targets, step, prior)
    lookback, season = settings["lookback"], settings["season"]
    need = lookback + task.horizon
    if len(values) < need:
        raise DataError(f"the series has {len(values)} steps; it needs at least lookback + "
                        f"horizon = {need}")
    valid = None
    if validation_data is not None:
        valid = as_series(validation_data, "validation series").values
    elif held and len(train) >= need:
        valid = values[-n_valid - lookback:]
    else:
        train = values
    scaler = SeriesScaler.from_state(prior["scaler"]) if prior else SeriesScaler.fit(train)
    x, y_fit = windows(lookback, scaler.transform(train), fit_horizon, fit_targets)
    validation = None
    if valid is not None and len(valid) >= lookback + fit_horizon:
        validation = windows(lookback, scaler.transform(valid), fit_horizon, fit_targets)
    mode = settings["deseasonalize"]
    decomposition = None if mode == "none" else {
        "season": season, "mode": mode,
        "stats": prior["decomposition"]["stats"] if prior and prior.get("decomposition")
        else decomposition_stats(train, scaler, fit_targets, mode)}
    task._set_state({
        "scaler": scaler.get_state(), "targets": targets, "season": int(season),
        "columns": series.columns, "quantiles": task._quantiles(), "ridge_alpha": None,
        "tail": values[-lookback:].tolist(),
        "scale": fc.seasonal_naive_scale(train[:, targets], min(season, len(train) - 1))
                   .tolist(),
        "lookback": lookback, "inputs": settings["inputs"], "deseasonalize": mode,
        "decomposition": decomposition, "season_scores": settings["season_scores"],
        "time_column": series.time_column, "time_format": series.time_format,
        "last_time": time_to_json(times[-1]) if times else None,
        "time_step": step})
    return x, y_fit, validation, len(x)
