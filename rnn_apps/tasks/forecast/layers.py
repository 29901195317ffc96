"""Per-window seasonal decomposition inside the forecasting network.

In the spirit of ES-RNN (Smyl, 2020), the network does not learn the season
itself: every history window is split into a seasonal profile and what
remains, the recurrent layers read and forecast what remains, and the
profile is added back to the forecast, all inside the model, so the model
(and its SavedModel) still takes raw windows and returns forecasts in the
data's units.

The profile is a classical decomposition of the window's last ``k`` full
seasons: a straight trend through the means of the first and last season
(none when the window holds one season), and per phase the mean of what is
left, centred on zero. ``multiplicative``
does the same on the logarithm of the values (seasons that grow with the
level). The windows arrive standard-scaled per column; the layers undo that
scaling for the logarithm and redo it after.
"""

from __future__ import annotations

import keras
import numpy as np

from rnn_apps.tasks.forecast import choices

MODES = choices.DESEASONALIZE


def _take(x, columns):
    return keras.ops.take(x, columns, axis=2)


@keras.saving.register_keras_serializable(package="rnn_apps")
class SeasonalSplit(keras.layers.Layer):
    """``window [b, L, columns] -> (deseasonalised window, profile [b, season,
    targets], trend [b, 2, targets])``; the trend holds the level at the last
    step and the slope per step of the straight line through the season means.

    Only the ``targets`` columns are decomposed; the others pass through.
    ``stats``: per target ``mean``/``std`` of the standard scaling and, for
    ``multiplicative``, ``log_mean``/``log_std``/``floor`` of the log values.
    """

    def __init__(self, season, mode, targets, n_columns, stats, **kwargs):
        super().__init__(**kwargs)
        self.season, self.mode = int(season), str(mode)
        self.targets, self.n_columns = [int(t) for t in targets], int(n_columns)
        self.stats = {k: [float(v) for v in values] for k, values in stats.items()}

    def to_model_space(self, x):
        """Standard-scaled target values to the space the profile lives in."""
        if self.mode != "multiplicative":
            return x
        s = {k: keras.ops.convert_to_tensor(np.float32(v)) for k, v in self.stats.items()}
        raw = x * s["std"] + s["mean"]
        return (keras.ops.log(keras.ops.maximum(raw, s["floor"])) - s["log_mean"]) / s["log_std"]

    def call(self, window):
        length, m = window.shape[1], self.season
        k = length // m
        z = self.to_model_space(_take(window, self.targets))
        n_targets = len(self.targets)
        tail = keras.ops.reshape(z[:, length - k * m:], (-1, k, m, n_targets))
        cycle = keras.ops.mean(tail, axis=2)                                # [b, k, t]
        slope = (cycle[:, -1] - cycle[:, 0]) / float(max((k - 1) * m, 1))  # [b, t]
        centre = keras.ops.mean(cycle, axis=1)                              # [b, t]
        position = np.arange(k * m, dtype="float32").reshape(k, m) - (k * m - 1) / 2
        line = centre[:, None, None] + slope[:, None, None] * position[None, :, :, None]
        profile = keras.ops.mean(tail - line, axis=1)                      # [b, m, t]
        profile = profile - keras.ops.mean(profile, axis=1, keepdims=True)
        phases = np.mod(np.arange(length) - length, m)
        remainder = z - keras.ops.take(profile, phases, axis=1)
        others = [c for c in range(self.n_columns) if c not in self.targets]
        parts = [remainder] + ([_take(window, others)] if others else [])
        order = np.argsort(self.targets + others)
        level = centre + slope * ((k * m - 1) / 2)
        trend = keras.ops.stack([level, slope], axis=1)                    # [b, 2, t]
        return _take(keras.ops.concatenate(parts, axis=2), order), profile, trend

    def compute_output_shape(self, input_shape):
        targets = len(self.targets)
        return (input_shape, (input_shape[0], self.season, targets),
                (input_shape[0], 2, targets))

    def get_config(self):
        return {**super().get_config(), "season": self.season, "mode": self.mode,
                "targets": self.targets, "n_columns": self.n_columns, "stats": self.stats}


@keras.saving.register_keras_serializable(package="rnn_apps")
class SeasonalJoin(keras.layers.Layer):
    """``(forecast of the remainder [b, H, targets(, q)], profile) -> forecast``
    in the standard-scaled units of the targets."""

    def __init__(self, season, mode, stats, **kwargs):
        super().__init__(**kwargs)
        self.season, self.mode = int(season), str(mode)
        self.stats = {k: [float(v) for v in values] for k, values in stats.items()}

    def call(self, forecast, profile):
        horizon = forecast.shape[1]
        seasonal = keras.ops.take(profile, np.arange(horizon) % self.season, axis=1)
        if len(forecast.shape) == 4:                                        # quantiles
            seasonal = seasonal[..., None]
        z = forecast + seasonal
        if self.mode != "multiplicative":
            return z
        s = {k: keras.ops.convert_to_tensor(np.float32(v)) for k, v in self.stats.items()}
        if len(forecast.shape) == 4:
            s = {k: v[:, None] for k, v in s.items()}
        # exp overflows past float32 for absurd forecasts; keep them finite
        raw = keras.ops.exp(keras.ops.minimum(z * s["log_std"] + s["log_mean"], 80.0))
        return (raw - s["mean"]) / s["std"]

    def compute_output_shape(self, forecast_shape, profile_shape=None):
        return forecast_shape

    def get_config(self):
        return {**super().get_config(), "season": self.season, "mode": self.mode,
                "stats": self.stats}


@keras.saving.register_keras_serializable(package="rnn_apps")
class WindowScale(keras.layers.Layer):
    """``window -> (window / scale, scale of the targets [b, 1, targets])``: every
    column divided by its mean absolute value over the window (1 where that
    is 0), so one network serves series of any size (a global model)."""

    def __init__(self, targets, **kwargs):
        super().__init__(**kwargs)
        self.targets = [int(t) for t in targets]

    def call(self, window):
        scale = keras.ops.mean(keras.ops.abs(window), axis=1, keepdims=True)
        scale = keras.ops.where(scale > 0, scale, keras.ops.ones_like(scale))
        return window / scale, _take(scale, self.targets)

    def compute_output_shape(self, input_shape):
        return input_shape, (input_shape[0], 1, len(self.targets))

    def get_config(self):
        return {**super().get_config(), "targets": self.targets}


@keras.saving.register_keras_serializable(package="rnn_apps")
class QuantileCalibration(keras.layers.Layer):
    """``bands [b, H, targets, levels] -> bands + offsets * (highest - lowest)``,
    sorted again: each level moved by its own multiple of the band's width
    (the calibration of :mod:`.forecast_intervals`; zeros leave the bands as
    they are). The offsets are a weight, so they travel with the model, its
    saved file and its SavedModel."""

    def __init__(self, levels, **kwargs):
        super().__init__(**kwargs)
        self.levels = int(levels)

    def build(self, input_shape):
        self.offsets = self.add_weight(shape=(self.levels,), initializer="zeros",
                                       trainable=False, name="offsets")

    def call(self, bands):
        width = bands[..., -1:] - bands[..., :1]
        return keras.ops.sort(bands + keras.ops.cast(self.offsets, bands.dtype) * width,
                              axis=-1)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "levels": self.levels}


@keras.saving.register_keras_serializable(package="rnn_apps")
class CalendarFeatures(keras.layers.Layer):
    """Epoch seconds ``[b, H]`` (int64, UTC) -> sine and cosine of each of
    ``kinds`` (``hour``, ``weekday``, ``month``) ``[b, H, 2 * len(kinds)]``."""

    def __init__(self, kinds, **kwargs):
        super().__init__(**kwargs)
        self.kinds = [str(kind) for kind in kinds]

    def call(self, seconds):
        ops = keras.ops
        seconds = ops.cast(seconds, "int64")
        days = ops.floor_divide(seconds, 86_400)
        phases = []
        for kind in self.kinds:
            if kind == "hour":
                phase = ops.cast(seconds - days * 86_400, "float32") / 86_400.0
            elif kind == "weekday":                       # 1970-01-01 was a Thursday
                phase = ops.cast(ops.mod(days + 3, 7), "float32") / 7.0
            else:                                         # civil month from days (Hinnant)
                z = days + 719_468
                era = ops.floor_divide(z, 146_097)
                doe = z - era * 146_097
                yoe = ops.floor_divide(doe - ops.floor_divide(doe, 1460)
                                       + ops.floor_divide(doe, 36_524)
                                       - ops.floor_divide(doe, 146_096), 365)
                doy = doe - (365 * yoe + ops.floor_divide(yoe, 4) - ops.floor_divide(yoe, 100))
                mp = ops.floor_divide(5 * doy + 2, 153)
                month0 = ops.where(mp < 10, mp + 2, mp - 10)          # 0 = January
                phase = ops.cast(month0, "float32") / 12.0
            angle = 2 * np.pi * phase
            phases += [ops.sin(angle), ops.cos(angle)]
        return ops.stack(phases, axis=-1)

    def compute_output_shape(self, input_shape):
        return (*input_shape, 2 * len(self.kinds))

    def get_config(self):
        return {**super().get_config(), "kinds": self.kinds}


def _parts(train_values) -> list:
    return train_values if isinstance(train_values, list) else [train_values]


def window_scaled(parts, columns) -> list:
    """Each part's ``columns`` divided by their mean absolute value (as
    :class:`WindowScale` does per window), for statistics of a global model."""
    scaled = []
    for part in parts:
        values = np.asarray(part, dtype=np.float64)[:, columns]
        scale = np.abs(values).mean(axis=0)
        scaled.append(values / np.where(scale > 0, scale, 1.0))
    return scaled


def window_scales(windows, columns) -> np.ndarray:
    """What :class:`WindowScale` divides the ``columns`` of each window by,
    ``[n, 1, len(columns)]``: the targets a global model trains on are
    divided by it too, so every series weighs the same in the loss."""
    scale = np.abs(np.asarray(windows, dtype=np.float32)[:, :, columns]).mean(axis=1,
                                                                               keepdims=True)
    return np.where(scale > 0, scale, np.float32(1.0))


def decomposition_stats(train_values, scaler, targets, mode, window_scaling=False) -> dict:
    """What the layers need from the training data (see :class:`SeasonalSplit`);
    ``train_values``: one array or a list (several series)."""
    stats = {"mean": scaler.mean[targets].tolist(), "std": scaler.std[targets].tolist()}
    if mode == "multiplicative":
        parts = _parts(train_values)
        if window_scaling:
            values = np.concatenate(window_scaled(parts, targets))
        else:
            values = np.concatenate([np.asarray(p, dtype=np.float64)[:, targets]
                                     for p in parts])
        logs = np.log(values)
        spread = logs.std(axis=0)
        stats.update(log_mean=logs.mean(axis=0).tolist(),
                     log_std=np.where(spread > 0, spread, 1.0).tolist(),
                     floor=(values.min(axis=0) * 1e-3).tolist())
    return stats


def can_decompose(train_values, targets, season: int, lookback: int, mode: str) -> bool:
    """Whether ``mode`` applies: a season, a whole one in the window, and
    positive values for ``multiplicative`` (``train_values``: one array or a list)."""
    if mode == "none":
        return True
    if season < 2 or lookback < season:
        return False
    return mode == "additive" or all(bool(np.all(np.asarray(p)[:, targets] > 0))
                                     for p in _parts(train_values))
