"""Fitting a forecaster from the pretrained core: zero-shot (no training: the
state is read off the data and the network built around the shipped core),
fine-tuned (the core trained further on the user's windows, in the core's
scaled units so every series weighs alike), and the automatic choice between
them, the from-scratch search and seasonal naive's reference on the held-out
end of the series (:func:`fit_auto`).
"""

from __future__ import annotations

import time

import numpy as np

from rnn_apps.errors import RnnAppsError
from rnn_apps.tasks.forecast.pretrained.windows import lookback_for, usable_seasons

TRANSFORMS = ("none", "log")
DEFAULTS = {"cell": "gru", "units": 32, "layers": 1, "bidirectional": False, "strategy": "direct",
            "readout": "dense", "future_covariates": None, "calendar": False,
            "inputs": "auto", "deseasonalize": "auto", "distribute": "none"}


def mode_of(task) -> str:
    """``pretrained`` as one of auto, zero-shot, fine-tune, none (True: zero-shot)."""
    value = task.pretrained
    if value is True:
        return "zero-shot"
    if value is False or value is None:
        return "none"
    return str(value)


def blocker(task, X, validation_data, run: dict) -> str | None:
    """Why the pretrained core cannot serve these settings (None: it can)."""
    from rnn_apps.data.series import SeriesStream
    from rnn_apps.tasks.forecast.pretrained.core import HORIZON

    params = task.get_params()
    changed = [k for k, v in DEFAULTS.items() if params[k] != v]
    if changed:
        return f"{changed[0]}={params[changed[0]]!r} asks for a network of its own"
    if task.horizon > HORIZON:
        return f"horizon {task.horizon} is over the {HORIZON} steps the core forecasts"
    if isinstance(X, SeriesStream):
        return "a streamed series is read once, as training data"
    if validation_data is not None:
        return "validation data are given (the search holds out the end itself)"
    # a checkpoint directory is no obstacle: nothing trains long enough to back up
    # (the command line always names one), as in the from-scratch search
    used = [k for k in ("resume", "warm_start", "steps_per_epoch", "tensorboard")
            if run.get(k)]
    if used:
        return f"{used[0]} is a training-run option"
    return None


def series_of(X):
    """``(panel or None, [Series])``."""
    from rnn_apps.preprocessing.panel import as_panel
    from rnn_apps.preprocessing.series import as_series

    panel = as_panel(X)
    return panel, (list(panel.series.values()) if panel else [as_series(X)])


def time_step_of(series):
    from rnn_apps.data.series import infer_step

    times = series.times
    return infer_step(times) if times and len(times) > 1 else None


def seasons_for(task, parts, targets, step) -> tuple[list[int], dict]:
    """The strong seasons of the targets (every series of a panel voting), or the
    ``season`` parameter when given."""
    from rnn_apps.preprocessing.seasons import choose_seasons

    if task.season is not None:
        return ([int(task.season)] if task.season > 1 else []), {}
    seasons, scores = choose_seasons([part[:, targets] for part in parts], step)
    return seasons, {str(k): float(v) for k, v in scores.items()}


def build(task, *, lookback, columns, targets, seasons, transform, quantiles):
    from rnn_apps.tasks.forecast.pretrained.core import load_core
    from rnn_apps.tasks.forecast.pretrained.network import build_pretrained_network

    core, info = load_core()
    model, trainer = build_pretrained_network(
        core, info, lookback=lookback, n_columns=len(columns), targets=targets,
        horizon=task.horizon, seasons=seasons, quantiles=quantiles,
        transform=transform, name=getattr(task, "network_name", "forecaster"))
    return model, trainer, info


def zero_shot(task, X, *, seasons=None, scores=None, transform="none", fit_part=None,
              lookback=None):
    """Fit ``task`` without training. ``seasons``: found on ``fit_part`` (the
    training part in a search) when None; ``X`` gives the tails to forecast from."""
    from rnn_apps.evaluation import forecasting as fc
    from rnn_apps.tasks.forecast.data import panel_state
    from rnn_apps.tasks.forecast.network import check_quantiles
    from rnn_apps.tasks.forecast.settings import resolve_targets

    panel, series_list = series_of(X)
    first = series_list[0]
    targets = resolve_targets(task.targets, first.columns)
    parts = fit_part or [one.values for one in series_list]
    if seasons is None:
        seasons, scores = seasons_for(task, parts, targets, time_step_of(first))
    if transform == "log" and not all(np.all(p[:, targets] > 0) for p in parts):
        raise RnnAppsError("the log transform needs positive targets")
    available = int(np.median([len(p) for p in parts]))
    lookback = lookback or task.lookback or lookback_for(seasons, available)
    lookback = min(lookback, min(len(one.values) for one in series_list))
    if lookback < 2:
        raise RnnAppsError("the pretrained forecaster needs at least 2 steps of history")
    used = usable_seasons(seasons, lookback)
    quantiles = check_quantiles(task.quantiles)
    model, trainer, info = build(task, lookback=lookback, columns=first.columns, targets=targets,
                           seasons=used, transform=transform, quantiles=quantiles)
    season = max(used, default=1)
    scales = [scale.tolist() for scale in fc.mase_scales(parts, targets, season)]
    state = _state(task, first, targets, lookback, used, scores or {}, quantiles, scales[0])
    state["pretrained"] = {"mode": "zero-shot", "transform": transform, "seasons": used,
                           "sha256": info["sha256"]}
    if panel is not None:
        state.update(panel_state(panel, lookback, scales))
    task.model_, task.trainer_ = model, trainer
    task.set_state(state)
    task.history_ = {}
    return task


def _state(task, first, targets, lookback, seasons, scores, quantiles, scale) -> dict:
    from rnn_apps.data.series import time_to_json
    from rnn_apps.preprocessing.series import SeriesScaler

    n = len(first.columns)
    times = first.times
    return {
        "scaler": SeriesScaler(np.zeros(n), np.ones(n)).get_state(), "targets": targets,
        "season": int(max(seasons, default=1)), "seasons": list(seasons),
        "columns": first.columns, "quantiles": quantiles, "ridge_alpha": None,
        "tail": first.values[-lookback:].tolist(), "scale": scale, "lookback": lookback,
        "inputs": "relative", "deseasonalize": "additive" if seasons else "none",
        "decomposition": None, "season_scores": scores,
        "time_column": first.time_column, "time_format": first.time_format,
        "last_time": time_to_json(times[-1]) if times else None, "time_step": time_step_of(first),
        "future_columns": [], "calendar": []}


def training_windows(parts, lookback, horizon, targets):
    """Raw training windows of every part with per-series weights (each series
    weighs the same in the loss, whatever its length)."""
    from rnn_apps.tasks.forecast.data import windows

    xs, ys, weights = [], [], []
    for part in parts:
        if len(part) < lookback + horizon:
            continue
        x, y = windows(lookback, np.asarray(part, np.float32), horizon, targets)
        xs.append(x)
        ys.append(y)
        weights.append(np.full(len(x), 1.0 / len(x)))
    if not xs:
        return None
    weights = np.concatenate(weights)
    return np.concatenate(xs), np.concatenate(ys), weights * len(weights) / weights.sum()


def per_window_pinball(levels):
    """Pinball loss of the core's quantiles, one value per window (so the
    per-series sample weights apply)."""
    import keras

    def pinball(y_true, y_pred):
        levels_ = keras.ops.convert_to_tensor(levels, dtype=y_pred.dtype)
        error = keras.ops.expand_dims(keras.ops.cast(y_true, y_pred.dtype), -1) - y_pred
        per = keras.ops.maximum(levels_ * error, (levels_ - 1) * error)
        return keras.ops.mean(keras.ops.reshape(per, (keras.ops.shape(per)[0], -1)), axis=1)

    return pinball


def fine_tune_lookback(seasons, train_length: int, horizon: int, lookback=None) -> int:
    """The zero-shot window, shortened until the training part gives 8 windows."""
    from rnn_apps.tasks.forecast.pretrained.windows import SHORT_LENGTHS

    lookback = lookback or lookback_for(seasons, train_length)
    for shorter in sorted((*SHORT_LENGTHS, 96), reverse=True):
        if train_length - lookback - horizon + 1 >= 8 or shorter >= lookback:
            continue
        lookback = shorter
    return lookback


def fine_tune(task, X, *, parts, held=None, seasons, scores=None, transform="none",
              callbacks=None):
    """Zero-shot ``task`` on ``X``, then train its core on the windows of
    ``parts`` (training parts), early-stopped on ``held`` (held-out parts
    with their lookback before them) when given."""
    import keras

    from rnn_apps.tasks.forecast.pretrained.core import LEVELS
    from rnn_apps.tasks.forecast.pretrained.network import scaled_future
    from rnn_apps.tasks.forecast.settings import resolve_targets

    _, series_list = series_of(X)
    targets = resolve_targets(task.targets, series_list[0].columns)
    length = int(np.median([len(p) for p in parts]))
    lookback = task.lookback or fine_tune_lookback(seasons, length, task.horizon)
    zero_shot(task, X, seasons=seasons, scores=scores, transform=transform, fit_part=parts,
              lookback=lookback)
    trainer = task.trainer_
    data = training_windows(parts, task.lookback_, task.horizon, targets)
    if data is None:
        raise RnnAppsError("the series is too short to fine-tune on; use pretrained='zero-shot'")
    x, y, weights = data
    z = scaled_future(task.model_, x, y, targets, transform)
    validation = None
    if held:
        found = training_windows(held, task.lookback_, task.horizon, targets)
        if found is not None:
            validation = (found[0], scaled_future(task.model_, found[0], found[1], targets,
                                                  transform))
    if task.seed is not None:
        keras.utils.set_random_seed(task.seed)
    trainer.compile(optimizer=keras.optimizers.Adam(task.learning_rate * 0.3, clipnorm=1.0),
                    loss=per_window_pinball(LEVELS))
    stop = [keras.callbacks.EarlyStopping(patience=task.patience, restore_best_weights=True)] \
        if validation else []
    started = time.perf_counter()
    history = trainer.fit(x, z, sample_weight=weights, validation_data=validation,
                          epochs=task.epochs, batch_size=task.batch_size, verbose=0,
                          callbacks=[*stop, *(callbacks or [])])
    task.history_ = {k: [float(v) for v in vs] for k, vs in history.history.items()}
    task.state_["pretrained"].update(mode="fine-tune", epochs=len(history.history["loss"]),
                                     seconds=round(time.perf_counter() - started, 2))
    return task
