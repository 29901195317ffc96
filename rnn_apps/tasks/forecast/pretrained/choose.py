"""The default fit: the pretrained core zero-shot (as is, and on the log of
positive series), the core fine-tuned, and, only when neither beats seasonal
naive on the held-out end of the series, the from-scratch search of
:mod:`rnn_apps.tasks.forecast.auto`; the candidate with the lowest held-out
MASE is kept and every score is reported in ``choices_["pretrained"]``."""

from __future__ import annotations

import time

import numpy as np

from rnn_apps.tasks.forecast.pretrained import fit as pretrained


def seasonal_naive_score(series_list, starts, targets, season, horizon, scales) -> float:
    """MASE of seasonal naive (``season``) on the forecasts :func:`auto.validation_score`
    scores, for reference."""
    from rnn_apps.evaluation.forecasting import seasonal_naive_forecast

    found = []
    for series, start, scale in zip(series_list, starts, scales):
        values = np.asarray(series.values)[:, targets]
        errors = [np.abs(seasonal_naive_forecast(values[:origin], horizon, season)
                         - values[origin:origin + horizon]).mean(axis=0)
                  for origin in range(max(start, season), len(values) - horizon + 1)]
        if errors:
            found.append(float(np.mean(np.mean(errors, axis=0) / scale)))
    return float(np.mean(found)) if found else float("inf")


def fit_pretrained(task, X, mode: str, run: dict):
    """Fit ``task`` as ``mode`` asks (zero-shot, fine-tune or auto); returns ``task``."""
    from sklearn.base import clone

    from rnn_apps.evaluation import forecasting as fc
    from rnn_apps.tasks.forecast.auto import holdout_size
    from rnn_apps.tasks.forecast.settings import resolve_targets

    _, series_list = pretrained.series_of(X)
    first = series_list[0]
    targets = resolve_targets(task.targets, first.columns)
    histories = [one.values for one in series_list]
    trains = [v[:len(v) - holdout_size(task, len(v))] for v in histories]
    enough = min(len(t) for t in trains) >= task.horizon + 8
    parts = trains if enough else histories
    seasons, scores = pretrained.seasons_for(task, parts, targets, pretrained.time_step_of(first))
    positive = all(np.all(v[:, targets] > 0) for v in histories)
    if not enough:           # nothing to hold out: the core as it is
        transform = "none"
        if mode == "fine-tune":
            return pretrained.fine_tune(task, X, parts=histories, seasons=seasons,
                                        scores=scores, callbacks=run.get("callbacks"))
        return pretrained.zero_shot(task, X, seasons=seasons, scores=scores,
                                    transform=transform)
    season = max(seasons, default=1)
    starts = [len(t) for t in trains]
    scales = fc.mase_scales(trains, targets, season)
    tried, report = {}, []

    def score(name, member, started):
        value = batched_score(member, series_list, starts, targets, scales)
        tried[name] = (value, member)
        report.append({"candidate": name, "validation_mase": value,
                       "seconds": round(time.perf_counter() - started, 2)})
        if task.verbose:
            print(f"candidate {name}: validation MASE {value:.4f}", flush=True)

    for transform in ("none", "log") if positive else ("none",):
        started = time.perf_counter()
        member = clone(task)
        member.network_name = f"member_zero_{transform}"    # unique in a pair (below)
        member = pretrained.zero_shot(member, X, seasons=seasons, scores=scores,
                                      transform=transform, fit_part=trains)
        score(f"zero-shot{'' if transform == 'none' else ' log'}", member, started)
    best_zero = min(tried, key=lambda k: tried[k][0])
    if mode in ("fine-tune", "auto"):
        transform = tried[best_zero][1].state_["pretrained"]["transform"]
        started = time.perf_counter()
        try:
            tuned = clone(task)
            tuned.network_name = "member_tuned"
            member = pretrained.fine_tune(
                tuned, X, parts=trains, held=[v[s - _lookback(v, s, task, seasons):]
                                                    for v, s in zip(histories, starts)],
                seasons=seasons, scores=scores, transform=transform,
                callbacks=run.get("callbacks"))
            score(f"fine-tuned{'' if transform == 'none' else ' log'}", member, started)
            started = time.perf_counter()
            score("mean of zero-shot and fine-tuned",
                  pair(clone(task), X, [tried[best_zero][1], member]), started)
        except Exception as error:  # noqa: BLE001  (a failed candidate is reported, not fatal)
            report.append({"candidate": "fine-tuned", "error": str(error).splitlines()[0]})
    if mode == "fine-tune":
        tried = {k: v for k, v in tried.items() if k.startswith("fine")} or tried
    naive = seasonal_naive_score(series_list, starts, targets, season, task.horizon, scales)
    report.append({"candidate": f"seasonal naive ({season})", "validation_mase": naive})
    best = min(tried, key=lambda k: tried[k][0])
    if mode == "auto" and tried[best][0] >= naive:
        started = time.perf_counter()
        member = clone(task).set_params(pretrained="none")
        member.fit(X, callbacks=run.get("callbacks"))
        score("from scratch", member, started)
        best = min(tried, key=lambda k: tried[k][0])
    chosen = tried[best][1]
    task.model_, task.history_ = chosen.model_, chosen.history_
    state = dict(chosen.state_)
    state["pretrained"] = {**state.get("pretrained", {"mode": "none"}), "chosen": best,
                           "candidates": report}
    task.set_state(state)
    # intervals calibrated on the held-out end, as the search does; one series only:
    # scores pooled over a panel's series let the worst-calibrated one set every
    # series' offsets, so a panel keeps the core's own quantiles
    if task.quantiles_ and len(series_list) == 1:
        from rnn_apps.tasks.forecast.intervals import calibrate_on_series

        task.state_["calibration"] = calibrate_on_series(task, series_list, starts)
    return task


def batched_score(model, series_list, starts, targets, scales) -> float:
    """:func:`rnn_apps.tasks.forecast.auto.validation_score` with one ``predict``
    over the windows of every series (a pretrained model reads no future
    inputs), so a panel of thousands of series is scored in one pass."""
    from rnn_apps.tasks.forecast.future import forecast_windows, values_by_name

    lookback, horizon = model.lookback_, model.horizon
    windows, actual, owners = [], [], []
    for k, (series, start) in enumerate(zip(series_list, starts)):
        values = values_by_name(model, series)
        origins = np.arange(max(start, lookback), len(values) - horizon + 1)
        if not len(origins):
            continue
        windows.append(values[origins[:, None] - lookback + np.arange(lookback)[None]])
        actual.append(values[origins[:, None] + np.arange(horizon)[None]][..., targets])
        owners.append(np.full(len(origins), k))
    if not windows:
        return float("inf")
    forecast = forecast_windows(model, np.concatenate(windows))["forecast"]
    error = np.abs(forecast - np.concatenate(actual)).mean(axis=1)      # [n, targets]
    owners = np.concatenate(owners)
    found = [float(np.mean(error[owners == k].mean(axis=0) / scales[k]))
             for k in np.unique(owners)]
    return float(np.mean(found))


def pair(task, X, members):
    """``task`` fitted as the mean (median of two) of two fitted ``members``."""
    from rnn_apps.tasks.forecast.data import panel_state
    from rnn_apps.tasks.forecast.network import ensemble_network

    longest = max(member.lookback_ for member in members)
    task.model_ = ensemble_network([m.model_ for m in members],
                                   [m.lookback_ for m in members], longest)
    panel, series_list = pretrained.series_of(X)
    state = dict(members[-1].state_)
    state.update(lookback=longest, tail=series_list[0].values[-longest:].tolist(),
                 pretrained={**state["pretrained"], "mode": "zero-shot and fine-tuned",
                             "members": [m.state_["pretrained"] for m in members]})
    if panel is not None:
        state.update(panel_state(panel, longest, list(state["scales"].values())))
    task.set_state(state)
    task.history_ = members[-1].history_
    return task


def _lookback(values, start, task, seasons):
    from rnn_apps.tasks.forecast.pretrained.fit import fine_tune_lookback

    return min(start, fine_tune_lookback(seasons, start, task.horizon, task.lookback))
