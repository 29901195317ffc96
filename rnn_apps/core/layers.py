"""Small custom Keras layers, registered so saved models load in safe mode."""

import keras
from keras import ops

from rnn_apps.core import choices


@keras.saving.register_keras_serializable(package="rnn_apps")
class MaskedGlobalMaxPooling1D(keras.layers.Layer):
    """Max over time that ignores padded steps (Keras' own layer does not)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        if mask is not None:
            keep = ops.expand_dims(ops.cast(mask, "bool"), -1)
            lowest = ops.full_like(inputs, -1e9)
            inputs = ops.where(keep, inputs, lowest)
        return ops.max(inputs, axis=1)

    def compute_mask(self, inputs, mask=None):
        return None

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[2])


POOLINGS = choices.POOLINGS


def pool_over_time(x, pooling: str, name: str = "pool"):
    """Reduce a masked ``[batch, time, features]`` sequence to ``[batch, features]``."""
    if pooling == "mean":
        return keras.layers.GlobalAveragePooling1D(name=name)(x)
    if pooling == "max":
        return MaskedGlobalMaxPooling1D(name=name)(x)
    raise ValueError(f"pooling must be one of {POOLINGS}; got {pooling!r}")
