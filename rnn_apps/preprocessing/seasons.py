"""Which season a series has: candidates from its time step, the
autocorrelation peak, and a choice between them on the data.

The calendar gives the periods worth testing (a day and a week of
half-hourly data, a week and a year of daily data, 12 months, 4 quarters);
the autocorrelation adds cycles no calendar knows (sunspots). The season
kept is the candidate with the strongest seasonal profile: the share of the
detrended variance that per-phase means explain (Wang, Smith & Hyndman's
seasonal strength, with classical decomposition), adjusted for the number
of phases as R-squared is for the number of parameters, so a long season
that only repeats a shorter one does not win by fitting noise. Below
``MIN_STRENGTH`` there is no season (1).
"""

from __future__ import annotations

import numpy as np

DAY = 86_400.0
WEEK = 7 * DAY
YEAR = 365.25 * DAY


def calendar_seasons(step: dict | None) -> list[int]:
    """Candidate periods (in steps) from a time step as
    :func:`rnn_apps.data.series.infer_step` describes it."""
    if not step:
        return []
    if "months" in step:
        months = int(step["months"])
        return [12 // months] if months < 12 and 12 % months == 0 else []
    if "seconds" not in step or step["seconds"] <= 0:
        return []
    seconds = float(step["seconds"])
    found = []
    for period in (DAY, WEEK, YEAR):
        steps = period / seconds
        if period == YEAR and seconds >= DAY:
            steps = round(steps)            # 365 days, 52 weeks
        if steps >= 2 and abs(steps - round(steps)) < 1e-6:
            found.append(round(steps))
    return found


MIN_STRENGTH = 0.3


def seasonal_strength(values: np.ndarray, season: int) -> float:
    """Adjusted seasonal strength of ``values`` (``[time, columns]``, mean over
    the columns) for period ``season``: 1 - var(remainder) / var(detrended),
    the trend being the centred moving average over one season."""
    values = np.asarray(values, dtype=np.float64)
    if season < 2:
        return 0.0
    if season % 2:
        weights = np.full(season, 1.0 / season)
    else:
        weights = np.r_[0.5, np.ones(season - 1), 0.5] / season
    offset = len(weights) // 2
    strengths = []
    for column in values.T:
        trend = np.convolve(column, weights, mode="valid")
        detrended = column[offset:offset + len(trend)] - trend
        n = len(detrended)
        if n < 2 * season:
            return 0.0
        phases = (np.arange(n) + offset) % season
        means = np.bincount(phases, detrended, season) / np.bincount(phases, None, season)
        remainder = detrended - means[phases]
        total = detrended.var()
        if total == 0:
            strengths.append(0.0)
            continue
        adjusted = remainder.var() * (n - 1) / max(n - season, 1)
        strengths.append(1.0 - adjusted / total)
    return float(np.mean(strengths))


def choose_season(values, step: dict | None = None, extra=()) -> tuple[int, dict]:
    """``(season, {candidate: strength})``. ``values``: ``[time]`` or ``[time,
    columns]`` of the target(s), or a list of them (several series: the
    strengths are averaged over the series long enough for a candidate); a
    candidate needs three seasons of data."""
    from rnn_apps.evaluation.forecasting import detect_season

    parts = values if isinstance(values, list) else [values]
    parts = [np.asarray(part, dtype=np.float64) for part in parts]
    parts = [part[:, None] if part.ndim == 1 else part for part in parts]
    candidates = {*calendar_seasons(step), *(int(e) for e in extra if e)}
    candidates.update(detect_season(part[:, 0]) for part in parts)
    scores = {}
    for candidate in sorted(c for c in candidates if c >= 2):
        found = [seasonal_strength(part, candidate) for part in parts
                 if 3 * candidate <= len(part)]
        if found:
            scores[candidate] = float(np.mean(found))
    best = max(scores, key=lambda c: (scores[c], -c), default=1)
    return (best if scores.get(best, 0.0) >= MIN_STRENGTH else 1), scores


def _without_season(values: np.ndarray, season: int) -> np.ndarray:
    """``values`` ``[time, columns]`` less their per-phase means around a
    centred moving average (classical decomposition's seasonal part)."""
    if season % 2:
        weights = np.full(season, 1.0 / season)
    else:
        weights = np.r_[0.5, np.ones(season - 1), 0.5] / season
    offset = len(weights) // 2
    out = values.copy()
    for c, column in enumerate(values.T):
        trend = np.convolve(column, weights, mode="valid")
        detrended = column[offset:offset + len(trend)] - trend
        phases = (np.arange(len(detrended)) + offset) % season
        means = np.bincount(phases, detrended, season) / np.maximum(
            np.bincount(phases, None, season), 1)
        out[:, c] = column - (means - means.mean())[np.arange(len(column)) % season]
    return out


def choose_seasons(values, step: dict | None = None, extra=(), limit: int = 3
                   ) -> tuple[list[int], dict]:
    """Every strong season, shortest first, in the manner of MSTL: ``(seasons,
    {candidate: strength})``. The candidates of :func:`choose_season` are
    tried shortest first: one is kept when it is strong (``MIN_STRENGTH``) on
    what the seasons kept before it leave, and is then taken out in turn.
    Hourly data thus keep a day (24) and a week (168) when both repeat.
    ``values`` as for :func:`choose_season`; ``[]`` for no season."""
    parts = values if isinstance(values, list) else [values]
    parts = [np.asarray(part, dtype=np.float64) for part in parts]
    parts = [part[:, None] if part.ndim == 1 else part for part in parts]
    first, scores = choose_season(parts, step, extra)
    if first < 2:
        return [], scores
    chosen, left = [], parts
    for candidate in sorted(c for c in scores if scores[c] >= MIN_STRENGTH):
        if len(chosen) >= limit:
            break
        found = [seasonal_strength(part, candidate) for part in left
                 if 3 * candidate <= len(part)]
        if found and float(np.mean(found)) >= MIN_STRENGTH:
            chosen.append(candidate)
            left = [_without_season(part, candidate) if 3 * candidate <= len(part) else part
                    for part in left]
    return chosen or [first], scores
