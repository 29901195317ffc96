"""Calibrated prediction intervals: the quantile head's bands corrected on the
held-out end of the training series.

A quantile head trained with the pinball loss learns the spread of its
*training* errors, which is too narrow (or too wide) out of sample. After
training, the forecasts of the held-out windows give, for every quantile
level ``q``, scores ``(actual - band_q) / width``, where ``width`` is the
distance between the outermost bands of the same forecast; the split-
conformal quantile of these scores (level ``q``, with the finite-sample
correction) is the offset the
:class:`~rnn_apps.tasks.forecast.layers.QuantileCalibration` layer adds,
times the width, to band ``q``. Scores are pooled over the windows, the
horizon steps and the targets, so the head's own shape (wider further out,
wider where the series is noisy) is kept and only its scale is corrected.
A score divided by the width does not change when a window is scaled or
shifted, so the offsets are the same in the network's units, in the data's
and for every series of a panel.
"""

from __future__ import annotations

import math

import numpy as np

OFFSET_LIMIT = 100.0      # bands wider than 100 of their own widths are not an interval


def level_offsets(actual, bands, levels) -> np.ndarray:
    """``actual [n, H, T]``, ``bands [n, H, T, levels]`` -> one offset per level."""
    actual = np.asarray(actual, dtype=np.float64)[..., None]
    bands = np.asarray(bands, dtype=np.float64)
    width = np.maximum(bands[..., -1:] - bands[..., :1], 1e-12)
    scores = ((actual - bands) / width).reshape(-1, len(levels))
    scores = np.sort(scores[np.isfinite(scores).all(axis=1)], axis=0)
    n = len(scores)
    found = []
    for j, level in enumerate(levels):
        if level >= 0.5:   # the ceil((n + 1) q)-th smallest: covers at least q
            rank = min(n, math.ceil((n + 1) * level))
        else:              # the floor((n + 1) q)-th smallest: below it at most q
            rank = max(1, math.floor((n + 1) * level))
        found.append(scores[rank - 1, j])
    return np.clip(np.asarray(found), -OFFSET_LIMIT, OFFSET_LIMIT)


def calibration_layer(model):
    """The model's calibration layer (None for models saved before it existed)."""
    from rnn_apps.tasks.forecast.network import CALIBRATION_LAYER

    names = [layer.name for layer in model.layers]
    return model.get_layer(CALIBRATION_LAYER) if CALIBRATION_LAYER in names else None


def calibrate(model, actual, bands, levels) -> dict | None:
    """Set ``model``'s offsets from uncalibrated ``bands`` of held-out windows and
    their ``actual`` values; returns what the state keeps (None: nothing to use)."""
    layer = calibration_layer(model)
    if layer is None or actual is None or len(actual) == 0:
        return None
    offsets = level_offsets(actual, bands, levels)
    layer.set_weights([offsets.astype("float32")])
    return {"levels": [float(q) for q in levels], "offsets": offsets.tolist(),
            "windows": len(actual), "scores": int(np.asarray(actual).size)}


def _pairs(validation):
    """``(x, y)`` batches of in-memory arrays or of a ``tf.data`` dataset (of
    single windows, as streams give them, or of batches)."""
    if isinstance(validation, tuple):
        yield validation
        return
    if len(validation.element_spec[1].shape) == 2:         # y of one window: [H, T]
        validation = validation.batch(1024)
    yield from validation


def calibrate_trainer(model, trainer, validation, levels) -> dict | None:
    """Calibrate ``model`` on the validation windows of its training run, read
    through ``trainer`` (the same network before the scale is multiplied back:
    the scores do not change)."""
    if not levels or validation is None or calibration_layer(model) is None:
        return None
    actual, bands = [], []
    for x, y in _pairs(validation):
        out = trainer.predict(x, verbose=0, batch_size=1024)
        actual.append(np.asarray(y))
        bands.append(np.asarray(out["quantiles"]))
    if not actual:
        return None
    return calibrate(model, np.concatenate(actual), np.concatenate(bands), levels)


def calibrate_on_series(task, series_list, starts) -> dict | None:
    """Calibrate ``task.model_`` (an ensemble) on every forecast that starts at
    or after ``starts[k]`` in ``series_list[k]``, in the data's units."""
    from rnn_apps.tasks.forecast.future import forecasts_at

    layer = calibration_layer(task.model_)
    if not task.quantiles_ or layer is None:
        return None
    layer.set_weights([np.zeros(len(task.quantiles_), dtype="float32")])
    actual, bands = [], []
    for series, start in zip(series_list, starts):
        origins = np.arange(max(start, task.lookback_), len(series.values) - task.horizon + 1)
        if len(origins):
            forecast, truth = forecasts_at(task, series, origins)
            actual.append(truth)
            bands.append(forecast["quantiles"])
    if not actual:
        return None
    return calibrate(task.model_, np.concatenate(actual), np.concatenate(bands),
                     task.quantiles_)
