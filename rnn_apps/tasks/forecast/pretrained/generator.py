"""Synthetic series for pretraining the forecaster: the only data the shipped
network has seen, so every real series stays a fair test.

Each series is a sum (or, for multiplicative seasons, a product) of parts
drawn at random, in the spirit of ForecastPFN's and Chronos' synthetic priors:

- a level drawn log-uniformly between 1 and 10,000;
- a trend: none, linear, damped (the slope shrinks by ``phi`` per step),
  a random walk with drift, or piecewise linear with a few bends;
- zero, one or two seasonal patterns, periods drawn from the calendar's
  (4, 7, 12, 24, 48, 52, 168, 336) or any period from 3 to 60, each a few
  random harmonics, added or multiplied (the amplitude then follows the level);
- ARMA(1, 1) noise;
- now and then a level shift, a few outliers, or intermittent demand (zeros
  between positive sizes);
- lengths from 24 to 2,000 steps, and always three whole cycles of the
  longest season and 64 steps more (so past 2,000 for the longest ones).

``generate(n, seed)`` is reproducible: the same seed gives the same series.
What every series holds is in its :class:`Recipe`, which the tests use to
check that the generator makes what it claims.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

CALENDAR_PERIODS = (4, 7, 12, 24, 48, 52, 168, 336)
TRENDS = ("none", "linear", "damped", "random_walk", "piecewise")


@dataclass
class Recipe:
    """What one generated series is made of."""

    length: int
    level: float
    trend: str
    slope: float                      # per step, in units of the level
    seasons: list[int] = field(default_factory=list)
    multiplicative: bool = False
    amplitude: float = 0.0            # of each season, in units of the level
    noise: float = 0.0                # innovation scale, in units of the level
    ar: float = 0.0
    ma: float = 0.0
    shift_at: int | None = None
    outliers: list[int] = field(default_factory=list)
    intermittent: bool = False


def _seasonal_pattern(rng, period: int) -> np.ndarray:
    """One cycle of a few random harmonics, mean 0, max |value| 1."""
    phase = np.arange(period) / period
    harmonics = rng.integers(1, max(2, min(4, period // 2) + 1))
    cycle = np.zeros(period)
    for k in range(1, harmonics + 1):
        weight = rng.normal() / k
        cycle += weight * np.sin(2 * np.pi * k * phase + rng.uniform(0, 2 * np.pi))
    if period <= 12 and rng.random() < 0.3:      # a sharp calendar effect (a peak month)
        cycle[rng.integers(period)] += rng.choice([-1, 1]) * rng.uniform(1, 2)
    cycle -= cycle.mean()
    top = np.abs(cycle).max()
    return cycle / top if top > 0 else cycle


def _trend(rng, recipe: Recipe, n: int) -> np.ndarray:
    t = np.arange(n, dtype=np.float64)
    slope = recipe.slope
    if recipe.trend == "linear":
        return slope * t
    if recipe.trend == "damped":
        phi = rng.uniform(0.85, 0.99)
        return slope * (1 - phi ** (t + 1)) / (1 - phi) * phi
    if recipe.trend == "random_walk":
        steps = rng.normal(slope, recipe.noise * rng.uniform(0.5, 2.0), n)
        return np.cumsum(steps)
    if recipe.trend == "piecewise":
        bends = np.sort(rng.integers(1, max(n - 1, 2), rng.integers(1, 4)))
        slopes = slope * rng.uniform(-1.5, 2.5, len(bends) + 1)
        increments = slopes[np.searchsorted(bends, t, side="right")]
        return np.cumsum(increments) - increments[0]
    return np.zeros(n)


def _arma(rng, n: int, ar: float, ma: float, scale: float) -> np.ndarray:
    shocks = rng.normal(0, scale, n + 50)
    out = np.zeros(n + 50)
    for i in range(1, n + 50):
        out[i] = ar * out[i - 1] + shocks[i] + ma * shocks[i - 1]
    return out[50:]


def recipe(rng, length: int | None = None) -> Recipe:
    """A random recipe (``length``: fixed, else drawn)."""
    seasons: list[int] = []
    count = rng.choice([0, 1, 2], p=[0.25, 0.55, 0.2])
    for _ in range(count):
        period = int(rng.choice(CALENDAR_PERIODS)) if rng.random() < 0.7 \
            else int(rng.integers(3, 61))
        if period not in seasons:
            seasons.append(period)
    if len(seasons) == 2 and max(seasons) % min(seasons) and rng.random() < 0.7:
        seasons = [min(seasons), min(seasons) * int(rng.choice([7, 4, 12]))]   # day in a week
    seasons.sort()
    longest = max(seasons, default=1)
    if length is None:
        low = max(24, 3 * longest + 64)
        length = int(np.exp(rng.uniform(np.log(low), np.log(max(low + 1, 2000)))))
    trend = str(rng.choice(TRENDS, p=[0.25, 0.2, 0.2, 0.2, 0.15]))
    noise = float(np.exp(rng.uniform(np.log(0.002), np.log(0.15))))
    return Recipe(
        length=int(length), level=float(np.exp(rng.uniform(0, np.log(1e4)))), trend=trend,
        slope=float(rng.normal(0, 1) * np.exp(rng.uniform(np.log(1e-4), np.log(1e-2)))),
        seasons=seasons, multiplicative=bool(seasons and rng.random() < 0.3),
        amplitude=float(np.exp(rng.uniform(np.log(0.01), np.log(0.4)))),
        noise=noise, ar=float(rng.uniform(-0.5, 0.95)), ma=float(rng.uniform(-0.5, 0.5)),
        shift_at=int(rng.integers(length // 3, length)) if rng.random() < 0.1 else None,
        outliers=sorted(int(i) for i in rng.integers(0, length, rng.integers(1, 4)))
        if rng.random() < 0.1 else [],
        intermittent=bool(rng.random() < 0.05))


def render(rng, spec: Recipe) -> np.ndarray:
    """The series a recipe describes, ``[length]`` float64."""
    n = spec.length
    base = 1.0 + _trend(rng, spec, n)
    if spec.shift_at is not None:
        base[spec.shift_at:] += rng.choice([-1, 1]) * rng.uniform(0.1, 0.5)
    seasonal = np.zeros(n)
    for period in spec.seasons:
        cycle = _seasonal_pattern(rng, period)
        weight = spec.amplitude * rng.uniform(0.5, 1.5)
        seasonal += weight * cycle[(np.arange(n) + rng.integers(period)) % period]
    if spec.multiplicative:
        base = np.maximum(base, 0.05)
        values = base * (1 + seasonal)
    else:
        values = base + seasonal
    values = values + _arma(rng, n, spec.ar, spec.ma, spec.noise)
    for at in spec.outliers:
        values[at] += rng.choice([-1, 1]) * rng.uniform(3, 8) * (spec.noise + spec.amplitude)
    values = values * spec.level
    if spec.intermittent:
        sizes = np.abs(values) * rng.uniform(0.5, 1.5, n)
        values = np.where(rng.random(n) < rng.uniform(0.3, 0.8), 0.0, sizes)
    return values


def generate(n: int, seed: int = 0, length: int | None = None):
    """``n`` series as ``[(values, recipe)]``; the same ``seed``, the same series."""
    rng = np.random.default_rng(seed)
    found = []
    for _ in range(n):
        spec = recipe(rng, length)
        found.append((render(rng, spec), spec))
    return found
