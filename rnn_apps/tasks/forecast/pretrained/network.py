"""The user's forecaster built around the pretrained core: raw history
``[b, lookback, columns]`` in, ``forecast [b, horizon, targets]`` (and
``quantiles [b, horizon, targets, levels]``) out in the data's units, so
``predict``, the saved model, the SavedModel and the portable cores treat it
as any other forecasting network. Each target column is forecast on its own
by the same core (the targets are folded into the batch)."""

from __future__ import annotations

import keras
import numpy as np

from rnn_apps.errors import RnnAppsError
from rnn_apps.tasks.forecast.layers import QuantileCalibration
from rnn_apps.tasks.forecast.network import CALIBRATION_LAYER
from rnn_apps.tasks.forecast.pretrained.layers import PretrainedBack, PretrainedFront


@keras.saving.register_keras_serializable(package="rnn_apps")
class LevelMix(keras.layers.Layer):
    """``bands [..., core levels] -> [..., asked levels]``: each asked level
    interpolated linearly between the two core levels around it."""

    def __init__(self, weights_matrix, **kwargs):
        super().__init__(**kwargs)
        self.weights_matrix = [[float(v) for v in row] for row in weights_matrix]

    def call(self, bands):
        return keras.ops.matmul(bands, np.asarray(self.weights_matrix, dtype="float32"))

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], len(self.weights_matrix[0]))

    def get_config(self):
        return {**super().get_config(), "weights_matrix": self.weights_matrix}


def level_matrix(core_levels, asked) -> np.ndarray:
    """``[core levels, asked levels]`` linear interpolation weights (clamped at the ends)."""
    core_levels = np.asarray(core_levels, dtype=np.float64)
    matrix = np.zeros((len(core_levels), len(asked)))
    for j, level in enumerate(asked):
        level = min(max(level, core_levels[0]), core_levels[-1])
        upper = int(np.searchsorted(core_levels, level))
        if core_levels[upper] == level:
            matrix[upper, j] = 1.0
            continue
        lower = upper - 1
        share = (level - core_levels[lower]) / (core_levels[upper] - core_levels[lower])
        matrix[lower, j], matrix[upper, j] = 1 - share, share
    return matrix


def build_pretrained_network(core, info, *, lookback, n_columns, targets, horizon, seasons,
                             quantiles=(), transform="none", name="forecaster"):
    """``(model, trainer)``: ``trainer`` maps the same history to the core's
    quantiles in scaled units ``[b, targets, horizon, core levels]`` (what
    fine-tuning fits, with :func:`scaled_future` as the targets).
    ``transform="log"`` forecasts the logarithm of positive targets (seasons
    that grow with the level) and returns its exponential."""
    settings = info["settings"]
    if horizon > settings["horizon"]:
        raise RnnAppsError(f"the pretrained forecaster forecasts at most "
                           f"{settings['horizon']} steps; horizon is {horizon} "
                           "(use pretrained='none')")
    ops, levels, n_targets = keras.ops, settings["levels"], len(targets)
    history = keras.Input(shape=(lookback, n_columns), name="history")
    folded = ops.reshape(ops.transpose(ops.take(history, targets, axis=2), (0, 2, 1)),
                         (-1, lookback))
    if transform == "log":
        folded = ops.log(ops.maximum(folded, 1e-30))
    front = PretrainedFront(seasons, settings["core_length"], horizon, name="pretrained_front")
    z, location, scale, seasonal = front(folded)
    scaled = core(z)[:, :horizon]
    bands = PretrainedBack(name="pretrained_back")(scaled, location, scale, seasonal)
    if transform == "log":
        bands = ops.exp(ops.minimum(bands, 80.0))
    bands = ops.transpose(ops.reshape(bands, (-1, n_targets, horizon, len(levels))),
                          (0, 2, 1, 3))
    point = keras.layers.Identity(name="forecast")(bands[..., levels.index(0.5)])
    trainer = keras.Model(history, ops.reshape(scaled, (-1, n_targets, horizon, len(levels))),
                          name=f"{name}_training")
    if not quantiles:
        return keras.Model(history, point, name=name), trainer
    mixed = LevelMix(level_matrix(levels, list(quantiles)), name="levels")(bands)
    mixed = QuantileCalibration(len(quantiles), name=CALIBRATION_LAYER,
                                dtype="float32")(mixed)
    return keras.Model(history, {"forecast": point, "quantiles": mixed}, name=name), trainer


def scaled_future(model, windows, future, targets, transform="none") -> np.ndarray:
    """What the trainer should output for raw ``windows [n, lookback, columns]``
    and ``future [n, horizon, targets]``: ``[n, targets, horizon]``."""
    from rnn_apps.tasks.forecast.pretrained.layers import scaled_targets

    front = model.get_layer("pretrained_front")
    folded = np.transpose(np.asarray(windows, np.float32)[:, :, targets], (0, 2, 1))
    folded = folded.reshape(-1, folded.shape[-1])
    future = np.transpose(np.asarray(future, np.float32), (0, 2, 1)).reshape(len(folded), -1)
    if transform == "log":
        folded, future = (np.log(np.maximum(a, 1e-30)) for a in (folded, future))
    _, location, scale, seasonal = (np.asarray(t) for t in front(folded))
    z = scaled_targets(future, location, scale, seasonal)
    return z.reshape(len(windows), len(targets), -1)
