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


def _holdout(task, series_list, validation_data):
    """``(training parts, validation parts or None per series)`` before the
    lookback is known: the last ``valid_split`` share of each series."""
    if validation_data is not None:
        from rnn_apps.preprocessing.panel import as_panel

        given = as_panel(validation_data, "validation series")
        if given is None:
            given_list = [as_series(validation_data, "validation series")]
        else:
            given_list = list(given.series.values())
        if len(given_list) != len(series_list):
            raise DataError(f"validation data holds {len(given_list)} series; the training "
                            f"data {len(series_list)}")
        return [one.values for one in series_list], given_list, [0] * len(series_list)
    trains, held = [], []
    for one in series_list:
        n_valid = int(len(one.values) * task.valid_split)
        n_valid = n_valid if n_valid >= task.horizon else 0
        trains.append(one.values[:-n_valid] if n_valid else one.values)
        held.append(n_valid)
    return trains, None, held


def in_memory_windows(task, data, validation_data, prior, targets, fit_targets, fit_horizon):
    """Scaler, state and ``(x, y, validation, size)`` windows from a series in
    memory, or from every series of a panel (a global model: windows scaled
    one by one inside the network instead of by a fitted scaler).

    The last ``valid_split`` share of each series (with ``lookback`` steps
    before it) is held out unless ``validation_data`` is given; the settings
    left automatic are resolved on the rest
    (:func:`.settings.static_settings`)."""
    from rnn_apps.data.series import infer_step, time_to_json
    from rnn_apps.preprocessing.panel import SeriesPanel
    from rnn_apps.tasks.forecast import future as forecast_future
    from rnn_apps.tasks.forecast.layers import decomposition_stats, window_scales
    from rnn_apps.tasks.forecast.network import check_quantiles
    from rnn_apps.tasks.forecast.settings import static_settings

    panel = data if isinstance(data, SeriesPanel) else None
    series_list = list(panel.series.values()) if panel else [data]
    trains, given, held = _holdout(task, series_list, validation_data)
    times = series_list[0].times
    step = infer_step(times) if times and len(times) > 1 else None
    settings = static_settings(task, trains if panel else trains[0], targets, fit_targets,
                               step, prior)
    lookback, season = settings["lookback"], settings["season"]
    need = lookback + task.horizon
    longest = max(len(one.values) for one in series_list)
    if longest < need:
        raise DataError(f"the series has {longest} steps; it needs at least lookback + "
                        f"horizon = {need}")
    future = forecast_future.resolve(task, series_list[0].columns, targets, step)
    part_series, valid_series = [], []
    for k, one in enumerate(series_list):
        n, train = len(one.values), trains[k]
        if given is not None:
            part_series.append(one)
            valid_series.append(given[k])
        elif held[k] and len(train) >= need:
            part_series.append(one.part(0, len(train)))
            valid_series.append(one.part(n - held[k] - lookback, n))
        else:
            part_series.append(one)
    parts = [one.values for one in part_series]
    if panel:
        scaler = SeriesScaler(np.zeros(parts[0].shape[1]), np.ones(parts[0].shape[1]))
    else:
        scaler = SeriesScaler.from_state(prior["scaler"]) if prior \
            else SeriesScaler.fit(parts[0])

    def cut(pieces):
        found = []
        for one in pieces:
            if len(one.values) < lookback + fit_horizon:
                continue
            scaled = scaler.transform(one.values)
            x, y = windows(lookback, scaled, fit_horizon, fit_targets)
            if panel:  # the network trains on each window divided by its own scale
                y = y / window_scales(x, fit_targets)
            extra = forecast_future.training_inputs(future, scaled, one.times, lookback,
                                                    fit_horizon)
            found.append(({"history": x, **extra} if extra else x, y))
        return _stacked(found)

    x, y_fit = cut(part_series)
    validation = cut(valid_series)
    mode = settings["deseasonalize"]
    decomposition = None if mode == "none" else {
        "season": season, "mode": mode,
        "stats": prior["decomposition"]["stats"] if prior and prior.get("decomposition")
        else decomposition_stats(parts if panel else parts[0], scaler, fit_targets, mode,
                                 window_scaling=bool(panel))}
    scales = [fc.seasonal_naive_scale(part[:, targets], min(season, len(part) - 1)).tolist()
              for part in parts]
    state = {
        "scaler": scaler.get_state(), "targets": targets, "season": int(season),
        "columns": series_list[0].columns, "quantiles": check_quantiles(task.quantiles),
        "ridge_alpha": None,
        "tail": series_list[0].values[-lookback:].tolist(), "scale": scales[0],
        "lookback": lookback, "inputs": settings["inputs"], "deseasonalize": mode,
        "decomposition": decomposition, "season_scores": settings["season_scores"],
        "time_column": series_list[0].time_column,
        "time_format": series_list[0].time_format,
        "last_time": time_to_json(times[-1]) if times else None, "time_step": step,
        **future}
    if panel:
        state.update(panel_state(panel, lookback, scales), scaling="window")
    task.set_state(state)
    return x, y_fit, validation, len(y_fit)


def panel_state(panel, lookback, scales) -> dict:
    """What a global model keeps per series: the last ``lookback`` steps, the last
    time stamp and the MASE denominators, by key."""
    from rnn_apps.data.series import time_to_json

    return {"series_ids": panel.keys(), "id_column": panel.id_column,
            "tails": {key: one.values[-lookback:].tolist() for key, one in panel.items()},
            "last_times": {key: time_to_json(one.times[-1]) if one.times else None
                           for key, one in panel.items()},
            "scales": dict(zip(panel.keys(), scales))}


def _stacked(pairs):
    """One ``(x, y)`` from the windows of several series; None when there are none."""
    pairs = [pair for pair in pairs if len(pair[1])]
    if not pairs:
        return None
    if isinstance(pairs[0][0], dict):
        inputs = {key: np.concatenate([p[0][key] for p in pairs]) for key in pairs[0][0]}
    else:
        inputs = np.concatenate([p[0] for p in pairs])
    return inputs, np.concatenate([p[1] for p in pairs])
