"""Point-forecast metrics and the simple baselines a forecaster must beat.

Shapes: ``history`` is ``[time]`` or ``[time, targets]``; forecasts and
actuals are ``[horizon]`` / ``[horizon, targets]`` or batched
``[n, horizon(, targets)]``. MASE scales the MAE by the in-sample MAE of the
seasonal naive forecast on the training history (Hyndman & Koehler, 2006).
"""

from __future__ import annotations

import numpy as np

from rnn_apps.errors import DataError


def _as_2d(history) -> np.ndarray:
    values = np.asarray(history, dtype=np.float64)
    if values.ndim == 1:
        values = values[:, None]
    if values.ndim != 2 or len(values) == 0:
        raise DataError(f"history must be [time] or [time, targets]; got shape {values.shape}")
    return values


def naive_forecast(history, horizon: int) -> np.ndarray:
    """The last observed value, repeated: ``[horizon, targets]``."""
    values = _as_2d(history)
    return np.repeat(values[-1:], horizon, axis=0)


def seasonal_naive_forecast(history, horizon: int, season: int) -> np.ndarray:
    """The value one season earlier: ``y[T + h] = y[T + h - season * k]``."""
    values = _as_2d(history)
    if season < 1 or season > len(values):
        raise DataError(f"season must be between 1 and the history length {len(values)}; "
                        f"got {season}")
    last_season = values[-season:]
    return np.stack([last_season[h % season] for h in range(horizon)])


def drift_forecast(history, horizon: int) -> np.ndarray:
    """The line through the first and last values, extended ``horizon`` steps."""
    values = _as_2d(history)
    slope = (values[-1] - values[0]) / max(len(values) - 1, 1)
    return values[-1] + slope * np.arange(1, horizon + 1)[:, None]


def detect_season(series, max_lag: int | None = None, min_correlation: float = 0.3) -> int:
    """The first lag (2 or more) whose autocorrelation peak is within 90% of the
    highest peak, after removing a quadratic trend; 1 when there is none."""
    values = _as_2d(series)[:, 0]
    steps = np.arange(len(values), dtype=np.float64)
    if len(values) > 3:        # without its (quadratic) trend, so a trend does not hide the season
        values = values - np.polyval(np.polyfit(steps, values, 2), steps)
    values = values - values.mean()
    n = len(values)
    max_lag = min(max_lag or n // 2, n - 2)
    denominator = float(values @ values)
    if max_lag < 2 or denominator == 0:
        return 1
    acf = np.array([values[:-lag] @ values[lag:] / denominator for lag in range(1, max_lag + 1)])
    peaks = [lag for lag in range(2, max_lag) if acf[lag - 1] >= acf[lag - 2]
             and acf[lag - 1] >= acf[lag] and acf[lag - 1] >= min_correlation]
    if not peaks:
        return 1
    highest = max(acf[lag - 1] for lag in peaks)
    # multiples of the season peak almost as high; take the first strong one
    return next(lag for lag in peaks if acf[lag - 1] >= 0.9 * highest)


def seasonal_naive_scale(history, season: int) -> np.ndarray:
    """In-sample MAE of the seasonal naive forecast, per target (MASE denominator)."""
    values = _as_2d(history)
    if len(values) <= season:
        raise DataError(f"MASE needs a history longer than the season ({season}); "
                        f"got {len(values)} values")
    return np.mean(np.abs(values[season:] - values[:-season]), axis=0)


def mase_scales(parts, targets, season: int) -> list[np.ndarray]:
    """The MASE denominator of each training part (``[time, columns]``) for the
    ``targets``: :func:`seasonal_naive_scale` with the season shortened to what a
    short part holds, 1 where it is 0 or the part has a single step."""
    found = []
    for part in parts:
        values = np.asarray(part)[:, targets]
        scale = seasonal_naive_scale(values, min(season, max(len(values) - 1, 1))) \
            if len(values) > 1 else np.ones(len(targets))
        found.append(np.where(scale > 0, scale, 1.0))
    return found


def forecast_metrics(actual, forecast, history=None, season: int = 1, scale=None) -> dict:
    """``mae``, ``rmse``, ``mape`` and ``smape`` (percent), ``mase``, ``n``.

    MAPE skips actual values of zero (undefined there) and is ``nan`` when all
    are zero; sMAPE counts 0/0 as 0. ``mase`` averages the per-target ratio;
    its denominator comes from ``history`` and ``season``, or is given
    directly as ``scale`` (one value per target).
    """
    actual = np.asarray(actual, dtype=np.float64)
    forecast = np.asarray(forecast, dtype=np.float64)
    if actual.shape != forecast.shape:
        raise DataError(f"actual {actual.shape} and forecast {forecast.shape} differ in shape")
    error = forecast - actual
    nonzero = actual != 0
    mape = float(np.mean(np.abs(error[nonzero] / actual[nonzero])) * 100) if nonzero.any() \
        else float("nan")
    denominator = np.abs(actual) + np.abs(forecast)
    smape_terms = np.where(denominator == 0, 0.0,
                           2 * np.abs(error) / np.where(denominator == 0, 1, denominator))
    if scale is None:
        scale = seasonal_naive_scale(history, season)
    scale = np.atleast_1d(np.asarray(scale, dtype=np.float64))
    targets = len(scale)
    per_target = np.abs(error).reshape(-1, targets).mean(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        mase = float(np.mean(per_target / scale))
    return {"mae": float(np.mean(np.abs(error))), "rmse": float(np.sqrt(np.mean(error ** 2))),
            "mape": mape, "smape": float(np.mean(smape_terms) * 100), "mase": mase,
            "n": int(actual.size)}


BASELINES = {
    "naive": lambda history, horizon, season: naive_forecast(history, horizon),
    "seasonal_naive": seasonal_naive_forecast,
    "drift": lambda history, horizon, season: drift_forecast(history, horizon),
}


def compare_with_baselines(actual, forecast, histories, season: int, scale) -> dict:
    """``forecast_metrics`` of the model plus ``naive_mase``, ``drift_mase`` and
    ``baseline_mase`` (seasonal naive), each baseline computed from the history
    before its forecast origin. ``actual``/``forecast``: ``[n, horizon, targets]``,
    ``histories``: ``n`` arrays ``[time, targets]``."""
    actual = np.asarray(actual, dtype=np.float64)
    horizon = actual.shape[1]
    metrics = forecast_metrics(actual, forecast, scale=scale)
    for name, baseline in BASELINES.items():
        predicted = np.stack([baseline(h, horizon, min(season, len(h))) for h in histories])
        key = "baseline_mase" if name == "seasonal_naive" else f"{name}_mase"
        metrics[key] = forecast_metrics(actual, predicted.reshape(actual.shape), scale=scale)["mase"]
    return metrics


def interval_name(nominal: float) -> str:
    """``0.8 -> "80"``, ``0.95 -> "95"``, ``0.995 -> "99_5"``: the suffix of the
    ``coverage_*`` and ``width_*`` keys."""
    return f"{round(nominal * 100, 6):g}".replace(".", "_")


def central_intervals(quantiles) -> list[tuple[int, int, float]]:
    """``(lower index, upper index, nominal share)`` of every pair of levels
    ``q`` and ``1 - q`` (the central intervals), widest first."""
    levels = [float(q) for q in quantiles]
    pairs = []
    for i, low in enumerate(levels):
        for j, high in enumerate(levels):
            if low < 0.5 and abs(low + high - 1) < 1e-9:
                pairs.append((i, j, high - low))
    return sorted(pairs, key=lambda pair: -pair[2])


def quantile_metrics(actual, quantile_forecast, quantiles) -> dict:
    """Mean pinball loss over the quantiles; the share of actual values inside
    the interval from the lowest to the highest quantile (``coverage``) beside
    the share it should hold (``nominal_coverage``); and for every central
    interval (levels ``q`` and ``1 - q``) its coverage and mean width in the
    data's units, e.g. ``coverage_80`` and ``width_80`` for 0.1 and 0.9."""
    actual = np.asarray(actual, dtype=np.float64)[..., None]
    predicted = np.asarray(quantile_forecast, dtype=np.float64)
    levels = np.asarray(quantiles, dtype=np.float64)
    error = actual - predicted
    pinball = np.maximum(levels * error, (levels - 1) * error)
    lower, upper = predicted[..., 0], predicted[..., -1]
    inside = (actual[..., 0] >= lower) & (actual[..., 0] <= upper)
    metrics = {"pinball": float(pinball.mean()), "coverage": float(inside.mean()),
               "nominal_coverage": float(levels[-1] - levels[0])}
    for low, high, nominal in central_intervals(levels):
        lower, upper = predicted[..., low], predicted[..., high]
        name = interval_name(nominal)
        metrics[f"coverage_{name}"] = float(((actual[..., 0] >= lower)
                                             & (actual[..., 0] <= upper)).mean())
        metrics[f"width_{name}"] = float((upper - lower).mean())
    return metrics
