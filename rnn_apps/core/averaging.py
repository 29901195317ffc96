"""Checkpoint averaging: the mean of the weights at the end of the epochs with the
lowest validation loss, kept only when its own validation loss is not worse.

The engine (:func:`rnn_apps.core.engine.train`) adds a :class:`WeightSnapshots`
callback when a plan asks for ``average`` epochs and has validation data, and
calls :meth:`WeightSnapshots.apply` once training has ended (after early
stopping restored the best epoch's weights). Only floating-point weights are
averaged; any other variable keeps the restored value.
"""

from __future__ import annotations

import math

import keras
import numpy as np


def mean_weights(snapshots: list[list], reference: list) -> list:
    """Element-wise mean of several weight lists (floating arrays only; the
    others are taken from ``reference``)."""
    return [np.mean(np.stack(group), axis=0).astype(base.dtype)
            if np.issubdtype(base.dtype, np.floating) else base
            for base, *group in zip(reference, *snapshots)]


class WeightSnapshots(keras.callbacks.Callback):
    """Keeps the weights of the ``keep`` epochs with the lowest ``val_loss``."""

    def __init__(self, keep: int):
        super().__init__()
        self.keep = int(keep)
        self.snapshots: list[tuple[float, int, list]] = []  # (val_loss, epoch, weights)

    def on_epoch_end(self, epoch, logs=None):
        loss = (logs or {}).get("val_loss")
        if loss is None or not math.isfinite(float(loss)):
            return
        self.snapshots.append((float(loss), epoch + 1, self.model.get_weights()))
        self.snapshots.sort(key=lambda snapshot: snapshot[0])
        del self.snapshots[self.keep:]

    def apply(self, model, valid_data) -> dict:
        """Put the average into ``model`` if its validation loss is not above the
        current weights'; returns what was measured and decided."""
        epochs = sorted(epoch for _, epoch, _ in self.snapshots)
        if len(self.snapshots) < 2:
            return {"epochs": epochs, "kept": False, "reason": "fewer than 2 epochs to average"}
        current = model.get_weights()
        before = validation_loss(model, valid_data)
        model.set_weights(mean_weights([w for _, _, w in self.snapshots], current))
        after = validation_loss(model, valid_data)
        kept = math.isfinite(after) and after <= before
        if not kept:
            model.set_weights(current)
        return {"epochs": epochs, "val_loss_restored": round(before, 5),
                "val_loss_average": round(after, 5), "kept": kept}


def validation_loss(model, valid_data) -> float:
    result = model.evaluate(valid_data, verbose=0, return_dict=True)
    return float(result["loss"])
