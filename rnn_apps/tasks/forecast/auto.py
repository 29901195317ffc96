"""Automatic settings for the forecaster, chosen on validation windows, and
ensembles of the best candidates.

Settings left ``"auto"`` (``lookback=None``, ``season=None``) are resolved
from the training part of the series:

- the season by :func:`rnn_apps.preprocessing.seasons.choose_season`;
- the lookback among a few multiples of the season, the decomposition
  (none, additive, multiplicative) and how windows are read (relative to
  their last value, or levels) by training candidate networks and scoring
  their forecasts of the held-out end of the series (MASE), one setting at
  a time: decomposition first, then inputs, then lookback;
- ``ensemble=K`` keeps the K best candidates (more seeds of the best one
  when fewer were tried) and forecasts their median.

Without held-out windows (streams, warm starts, given validation data, a
series too short) the settings are resolved without training
(:func:`.settings.static_settings`).
"""

from __future__ import annotations

import time

import numpy as np

from rnn_apps.preprocessing.series import as_series
from rnn_apps.tasks.forecast.choices import AUTO
from rnn_apps.tasks.forecast.layers import can_decompose
from rnn_apps.tasks.forecast.settings import (
    lookback_candidates,
    resolve_targets,
    static_settings,
    typical_length,
)


def searchable(task, X, validation_data, run: dict) -> bool:
    """Whether :func:`fit_search` applies (anything left to choose, in memory).
    The candidates keep no checkpoints (a ``checkpoint_dir`` is not used), so
    resuming, warm starts and the other run options take the settings
    resolved without training (:func:`.settings.static_settings`)."""
    from rnn_apps.data.series import SeriesStream

    blocked = any(run.get(k) for k in ("resume", "warm_start", "steps_per_epoch",
                                       "tensorboard"))
    open_choice = (task.lookback is None or task.inputs == AUTO
                   or task.deseasonalize == AUTO or task.ensemble > 1)
    return (open_choice and not blocked and validation_data is None
            and not isinstance(X, SeriesStream) and task.distribute == "none")


def holdout_size(task, n: int) -> int:
    return max(int(n * task.valid_split), task.horizon)


def validation_score(model, series_list, starts, targets, scales) -> float:
    """MASE of ``model`` over every forecast that starts at or after
    ``starts[k]`` in series ``series_list[k]``, averaged over the series."""
    from rnn_apps.tasks.forecast.future import forecasts_at

    lookback, horizon = model.lookback_, model.horizon
    found = []
    for series, start, scale in zip(series_list, starts, scales):
        origins = np.arange(max(start, lookback), len(series.values) - horizon + 1)
        if not len(origins):
            continue
        forecast, actual = forecasts_at(model, series, origins)
        error = np.abs(forecast["forecast"] - actual).reshape(-1, len(targets)).mean(axis=0)
        found.append(float(np.mean(error / scale)))
    return float(np.mean(found)) if found else float("inf")


def fit_search(task, X, callbacks=None):
    """Train candidates, keep the best ``task.ensemble``; returns ``task`` fitted
    (None when the series is too short to hold anything out)."""
    from sklearn.base import clone

    from rnn_apps.core.training import quiet_retracing
    from rnn_apps.data.series import infer_step
    from rnn_apps.evaluation import forecasting as fc
    from rnn_apps.preprocessing.panel import SeriesPanel, as_panel

    panel = as_panel(X)
    series_list = list(panel.series.values()) if panel else [as_series(X)]
    histories = [one.values for one in series_list]
    first = series_list[0]
    targets = resolve_targets(task.targets, first.columns)
    fit_targets = list(range(len(first.columns))) if task.strategy == "recursive" else targets
    trains = [values[:len(values) - holdout_size(task, len(values))] for values in histories]
    if typical_length(trains) < 2 * task.horizon + 2:
        return None
    step = infer_step(first.times) if first.times and len(first.times) > 1 else None
    one = (lambda parts: parts if panel else parts[0])
    base = static_settings(task, one(trains), targets, fit_targets, step,
                           whole=one(histories))
    season = base["season"]
    lookbacks = ([base["lookback"]] if task.lookback is not None
                 else lookback_candidates(season, typical_length(trains), task.horizon))
    if max(len(train) for train in trains) < lookbacks[0] + task.horizon:
        return None
    inputs = [base["inputs"]] if task.inputs != AUTO else ["relative", "level"]
    if task.deseasonalize != AUTO:
        modes = [base["deseasonalize"]]
    else:
        modes = [m for m in ("none", "additive", "multiplicative") if m == "none" or (
            task.readout == "dense" and can_decompose(one(trains), fit_targets, season,
                                                      lookbacks[0], m))]
    scales = fc.mase_scales(trains, targets, season)
    starts = [len(train) for train in trains]

    def data(lookback):
        training = [s.part(0, start) for s, start in zip(series_list, starts)]
        held = [s.part(max(start - lookback, 0), len(s.values))
                for s, start in zip(series_list, starts)]
        if not panel:
            return training[0], held[0]
        keys = panel.keys()
        return (SeriesPanel(dict(zip(keys, training)), panel.id_column),
                SeriesPanel(dict(zip(keys, held)), panel.id_column))

    trials: dict = {}

    def trial(lookback, read, mode, seed_offset=0):
        key = (lookback, read, mode, seed_offset)
        if key in trials:
            return trials[key]
        member = clone(task).set_params(lookback=lookback, inputs=read, deseasonalize=mode,
                                        season=season, ensemble=1, verbose=0)
        if task.seed is not None:
            member.set_params(seed=task.seed + seed_offset)
        member.network_name = f"member_{len(trials)}"  # unique in the ensemble
        started = time.perf_counter()
        training, held = data(lookback)
        member.fit(training, validation_data=held, callbacks=callbacks)
        score = validation_score(member, series_list, starts, targets, scales)
        trials[key] = (score, member, time.perf_counter() - started)
        if task.verbose:
            print(f"candidate lookback={lookback} inputs={read} deseasonalize={mode}"
                  + (f" seed+{seed_offset}" if seed_offset else "")
                  + f": validation MASE {score:.4f} ({trials[key][2]:.1f} s)", flush=True)
        return trials[key]

    best_of = (lambda options, make: min(options, key=lambda o: trial(*make(o))[0]))
    with quiet_retracing():
        mode = best_of(modes, lambda m: (lookbacks[0], inputs[0], m))
        read = best_of(inputs, lambda r: (lookbacks[0], r, mode))
        lookback = best_of(lookbacks, lambda b: (b, read, mode))
        chosen = sorted(trials.items(), key=lambda item: item[1][0])[:task.ensemble]
        extra = 1
        while len(chosen) < task.ensemble:
            key = (lookback, read, mode, extra)
            chosen.append((key, trial(*key)))
            extra += 1
    _assemble(task, panel or first, chosen, trials, base)
    if len(chosen) > 1 and task.quantiles_:     # the median's intervals, on the same windows
        from rnn_apps.tasks.forecast.intervals import calibrate_on_series

        task.state_["calibration"] = calibrate_on_series(task, series_list, starts)
    return task


def _assemble(task, data, chosen, trials, base):
    from rnn_apps.data.series import infer_step, time_to_json
    from rnn_apps.preprocessing.panel import SeriesPanel
    from rnn_apps.tasks.forecast.data import panel_state
    from rnn_apps.tasks.forecast.network import ensemble_network

    members = [member for _, (_, member, _) in chosen]
    best = members[0]
    longest = max(member.lookback_ for member in members)
    if len(members) == 1:
        task.model_ = best.model_
    else:
        task.model_ = ensemble_network([m.model_ for m in members],
                                       [m.lookback_ for m in members], longest)
    series = next(iter(data.series.values())) if isinstance(data, SeriesPanel) else data
    times = series.times
    state = dict(best.state_)
    state.update({
        "lookback": longest, "tail": series.values[-longest:].tolist(),
        "last_time": time_to_json(times[-1]) if times else None,
        "time_step": infer_step(times) if times and len(times) > 1 else None,
        "season_scores": base["season_scores"],
        "members": [{"name": m.model_.name, "lookback": m.lookback_,
                     "inputs": m.state_["inputs"], "deseasonalize": m.state_["deseasonalize"],
                     "validation_mase": score} for (_, (score, m, _)) in chosen],
        "search": [{"lookback": key[0], "inputs": key[1], "deseasonalize": key[2],
                    "seed_offset": key[3], "validation_mase": score, "seconds": seconds}
                   for key, (score, _, seconds) in trials.items()]})
    if isinstance(data, SeriesPanel):
        state.update(panel_state(data, longest, list(best.state_["scales"].values())))
    task.set_state(state)
    task.history_ = best.history_
    return task
