"""The forecaster's settings resolved without training: given ones kept, a
warm start's taken, the rest from the data (season, lookback, inputs,
decomposition). :mod:`.auto` searches the settings left ``"auto"`` by training
candidates and starts from these; the in-memory and streamed plans
(:mod:`.data`, :mod:`.stream`) and the tuning hold-out use them directly."""

from __future__ import annotations

import numpy as np

from rnn_apps.errors import DataError, RnnAppsError
from rnn_apps.preprocessing.seasons import choose_season
from rnn_apps.tasks.forecast.choices import AUTO
from rnn_apps.tasks.forecast.layers import can_decompose

MIN_WINDOWS = 8           # training windows a candidate lookback leaves at least
SETTINGS = ("lookback", "inputs", "deseasonalize", "season")


def lookback_candidates(season: int, n_train: int, horizon: int) -> list[int]:
    """Multiples of the season (12 and 24 without one) that leave at least
    ``MIN_WINDOWS`` training windows; when none does, the most whole seasons
    that do, or the longest lookback that does."""
    if season >= 100:
        base = [2 * season]
    elif season >= 7:
        base = [2 * season, 3 * season]
    elif season >= 2:
        base = [3 * season, 5 * season]
    else:
        base = [12, 24]
    limit = n_train - horizon - MIN_WINDOWS + 1
    fitting = [b for b in base if b <= limit]
    if limit < 2:
        raise DataError(f"the series is too short for an automatic lookback: forecasting "
                        f"{horizon} steps needs at least {horizon + MIN_WINDOWS + 1} training "
                        f"steps (it has {n_train}); set lookback")
    if not fitting and season >= 2 and limit >= season:
        fitting = [limit // season * season]            # whole seasons still fit
    return fitting or [max(1, min(base[0], limit))]


def _prior_settings(prior) -> dict:
    return {key: prior[key] for key in SETTINGS if prior and key in prior}


def static_settings(task, train, targets, fit_targets, step, prior=None,
                    whole=None) -> dict:
    """Every setting resolved without training: given ones kept, a warm
    start's taken, the rest from the data (season, shortest lookback,
    relative inputs, additive decomposition when the season allows it).
    ``train`` is one array or a list of them (several series); the season is
    found on ``whole`` (default: ``train``)."""
    parts = train if isinstance(train, list) else [train]
    given = {k: v for k, v in task.get_params().items() if k in SETTINGS}
    settings = {**_prior_settings(prior)}
    scores = {}
    if given["season"] is not None:
        settings["season"] = int(given["season"])
    elif "season" not in settings:
        found = parts if whole is None else (whole if isinstance(whole, list) else [whole])
        settings["season"], scores = choose_season([part[:, targets] for part in found], step)
    season = settings["season"]
    if given["lookback"] is not None:
        settings["lookback"] = int(given["lookback"])
    if "lookback" not in settings:
        settings["lookback"] = lookback_candidates(season, typical_length(parts),
                                                   task.horizon)[0]
    if given["inputs"] != AUTO:
        settings["inputs"] = given["inputs"]
    settings.setdefault("inputs", "relative")
    mode = given["deseasonalize"]
    if mode == AUTO:
        auto = "additive" if task.readout == "dense" and can_decompose(
            train, fit_targets, season, settings["lookback"], "additive") else "none"
        settings.setdefault("deseasonalize", auto)
    else:
        check_mode(task, train, fit_targets, season, settings["lookback"], mode)
        settings["deseasonalize"] = mode
    settings["season_scores"] = {str(k): float(v) for k, v in scores.items()}
    return settings


def typical_length(parts) -> int:
    """The training length the lookback is sized for (the median over series)."""
    return int(np.median([len(part) for part in parts]))


def check_mode(task, train, fit_targets, season, lookback, mode) -> None:
    """A one-line error when an explicitly asked decomposition cannot apply."""
    if mode == "none":
        return
    if task.readout == "ridge":
        raise RnnAppsError("deseasonalize needs readout='dense' (the ridge readout solves "
                           "the change from the last value directly)")
    if not can_decompose(train, fit_targets, season, lookback, mode):
        raise RnnAppsError(
            f"deseasonalize={mode!r} needs a season of 2 or more and a lookback of at least "
            f"one season (season {season}, lookback {lookback})"
            + ("; multiplicative also needs positive values" if mode == "multiplicative"
               else ""))


def resolve_targets(targets, columns: list[str]) -> list[int]:
    """Column indices of the ``targets`` parameter (names or indices; None: every
    column) in a series with ``columns``; a one-line error for one it lacks."""
    if targets is None:
        return list(range(len(columns)))
    wanted = [targets] if isinstance(targets, (str, int)) else list(targets)
    resolved = []
    for target in wanted:
        if isinstance(target, str) and target in columns:
            resolved.append(columns.index(target))
        elif isinstance(target, (int, np.integer)) and 0 <= target < len(columns):
            resolved.append(int(target))
        else:
            raise RnnAppsError(f"target {target!r} is not a column of the series "
                               f"(columns: {', '.join(columns)})")
    if not resolved:
        raise RnnAppsError("targets must name at least one column")
    return resolved
