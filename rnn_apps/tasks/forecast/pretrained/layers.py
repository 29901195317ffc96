"""What the pretrained forecaster does around its recurrent core, inside the
model (so the saved model and the SavedModel take raw history and return
forecasts in the data's units):

- :class:`PretrainedFront`: each window's seasons are taken out, shortest
  first (a classical decomposition of its last few whole seasons per period,
  as :class:`~rnn_apps.tasks.forecast.layers.SeasonalSplit` does for one);
  the last ``core_length`` steps of what remains are put in units of their
  mean absolute step (the MASE scale of a naive forecast), relative to the
  last value, for the core to read;
- :class:`PretrainedBack`: the core's quantiles in those units back to the
  data's units, with the seasons' continuation added.

The pretraining script runs the same front on its generated windows, so the
core learns on exactly what it reads at use.
"""

from __future__ import annotations

import keras
import numpy as np

MAX_SEASONS_USED = 5      # whole seasons a profile is averaged over, at most
Z_LIMIT = 50.0            # scaled values beyond this are clipped (outliers, shifts)


def seasonal_split(window, season: int):
    """``window [b, L]`` (additive) -> ``(remainder [b, L], profile [b, season])``:
    per phase, the mean over the last whole seasons (at most
    ``MAX_SEASONS_USED``) after a straight line through their means."""
    ops = keras.ops
    length = window.shape[1]
    k = min(length // season, MAX_SEASONS_USED)
    tail = ops.reshape(window[:, length - k * season:], (-1, k, season))
    cycle = ops.mean(tail, axis=2)                                          # [b, k]
    slope = (cycle[:, -1] - cycle[:, 0]) / float(max((k - 1) * season, 1))
    centre = ops.mean(cycle, axis=1)
    position = np.arange(k * season, dtype="float32").reshape(k, season) - (k * season - 1) / 2
    line = centre[:, None, None] + slope[:, None, None] * position[None]
    profile = ops.mean(tail - line, axis=1)
    profile = profile - ops.mean(profile, axis=1, keepdims=True)
    phases = np.mod(np.arange(length) - length, season)
    return window - ops.take(profile, phases, axis=1), profile


@keras.saving.register_keras_serializable(package="rnn_apps")
class PretrainedFront(keras.layers.Layer):
    """``window [b, L]`` -> ``(z [b, core, 1], location [b, 1], scale [b, 1],
    seasonal [b, horizon])``: what the core reads, and what
    :class:`PretrainedBack` needs to return to the data's units."""

    def __init__(self, seasons=(), core_length=96, horizon=1, **kwargs):
        super().__init__(**kwargs)
        self.seasons = sorted(int(s) for s in seasons)
        self.core_length, self.horizon = int(core_length), int(horizon)

    def call(self, window):
        ops = keras.ops
        window = ops.cast(window, "float32")
        remainder = window
        seasonal = ops.zeros_like(window[:, :1]) * np.zeros((1, self.horizon), "float32")
        for season in self.seasons:
            if window.shape[1] < season:
                continue
            remainder, profile = seasonal_split(remainder, season)
            seasonal = seasonal + ops.take(profile, np.arange(self.horizon) % season, axis=1)
        core = remainder[:, -min(self.core_length, window.shape[1]):]
        location = core[:, -1:]
        if core.shape[1] > 1:
            scale = ops.mean(ops.abs(core[:, 1:] - core[:, :-1]), axis=1, keepdims=True)
        else:
            scale = ops.zeros_like(location)
        size = ops.mean(ops.abs(core), axis=1, keepdims=True)
        fallback = ops.where(size > 0, size, ops.ones_like(size))
        scale = ops.where(scale > 1e-6 * fallback, scale, fallback)
        z = ops.clip((core - location) / scale, -Z_LIMIT, Z_LIMIT)
        return z[..., None], location, scale, seasonal

    def compute_output_shape(self, input_shape):
        batch, length = input_shape[0], input_shape[1]
        core = min(self.core_length, length) if length is not None else None
        return ((batch, core, 1), (batch, 1), (batch, 1), (batch, self.horizon))

    def get_config(self):
        return {**super().get_config(), "seasons": self.seasons,
                "core_length": self.core_length, "horizon": self.horizon}


@keras.saving.register_keras_serializable(package="rnn_apps")
class PretrainedBack(keras.layers.Layer):
    """``(quantiles in scaled units [b, H, Q], location, scale, seasonal)`` ->
    quantiles in the data's units ``[b, H, Q]``."""

    def call(self, bands, location, scale, seasonal):
        return bands * scale[:, :, None] + location[:, :, None] + seasonal[:, :, None]

    def compute_output_shape(self, bands_shape, *shapes):
        return bands_shape


def scaled_targets(future, location, scale, seasonal):
    """What the core should have forecast for ``future [b, H]`` (NumPy): the
    inverse of :class:`PretrainedBack`, clipped as the inputs are."""
    future = np.asarray(future, dtype=np.float32)
    z = (future - np.asarray(location) - np.asarray(seasonal)) / np.asarray(scale)
    return np.clip(z, -4 * Z_LIMIT, 4 * Z_LIMIT)
