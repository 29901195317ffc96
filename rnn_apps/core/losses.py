"""Sequence losses the Keras losses lack.

:class:`SmoothedSequenceCrossentropy`: cross-entropy against a label-smoothed
target (Szegedy et al. 2016; used for translation by Vaswani et al. 2017):
``(1 - e) * onehot(y) + e / V`` over the ``V`` classes, so per token
``(1 - e) * -log p(y) + e * mean_k(-log p(k))``. Tokens whose target is the
padding id are left out, and the loss is the mean over the other tokens of
the batch (Keras' ``SparseCategoricalCrossentropy(ignore_class=0)`` divides
by the same count).
"""

from __future__ import annotations

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="rnn_apps")
class SmoothedSequenceCrossentropy(keras.losses.Loss):
    """``(targets [b, T] int, logits [b, T, V]) -> scalar``; ``smoothing`` in [0, 1)."""

    def __init__(self, smoothing: float = 0.1, padding: int = 0,
                 name: str = "smoothed_sequence_crossentropy", **kwargs):
        super().__init__(name=name, **kwargs)
        self.smoothing, self.padding = float(smoothing), int(padding)

    def call(self, y_true, y_pred):
        log_p = ops.log_softmax(ops.cast(y_pred, "float32"), axis=-1)
        targets = ops.cast(y_true, "int32")
        picked = ops.take_along_axis(log_p, ops.expand_dims(targets, -1), axis=-1)[..., 0]
        token_loss = -(1.0 - self.smoothing) * picked - self.smoothing * ops.mean(log_p, axis=-1)
        keep = ops.cast(ops.not_equal(targets, self.padding), "float32")
        return ops.sum(token_loss * keep) / ops.maximum(ops.sum(keep), 1.0)

    def get_config(self):
        return {**super().get_config(), "smoothing": self.smoothing, "padding": self.padding}
