"""AWD-LSTM regularisers (Merity, Keskar and Socher 2018) for every recurrent stack.

All of them act in training only; at inference the network computes exactly
what it computes without them, so ``predict``, saved models and exports do not
change. The settings live in :class:`rnn_apps.core.config.RecurrentConfig`.

- embedding dropout: whole time steps of the stack's input zeroed (a
  ``Dropout`` with noise shape ``(batch, time, 1)``), the rest rescaled.
- weight drop: DropConnect on the recurrent kernel. The layer stays a plain
  Keras LSTM / GRU / SimpleRNN; :func:`attach_weight_drop` wraps the layer
  instance's ``inner_loop`` (the CPU fast path of :mod:`rnn_apps.core.fast_rnn`
  or Keras' own loop, cuDNN included) so that, in training, the cell's
  ``recurrent_kernel`` reads as the variable times one dropout mask for the
  whole batch and every time step. Gradients reach the variable through the
  product; the variable itself is never written.
- locked dropout: the dropout after a recurrent layer drops the same units at
  every step (``SpatialDropout1D``).
- AR / TAR: :class:`ActivationPenalty` on the last recurrent layer's outputs.
"""

from __future__ import annotations

import types

import keras
from keras import ops

# the layer attributes holding a weight-dropped layer's rate and its previous inner loop
RATE = "_rnn_apps_weight_drop"
INNER = "_rnn_apps_undropped_loop"


def input_dropout(x, config, name: str):
    """Embedding dropout on the stack's input ``[batch, time, features]`` (masks kept)."""
    if not config.embedding_dropout:
        return x
    return keras.layers.Dropout(config.embedding_dropout, noise_shape=(None, None, 1),
                                name=f"{name}_embedding_dropout")(x)


def output_dropout(x, config, name: str):
    """The ``dropout`` after a recurrent layer: locked (one mask per sequence) on
    a sequence when ``config.locked_dropout``, else Keras' plain ``Dropout``."""
    if not config.dropout:
        return x
    if config.locked_dropout and len(x.shape) == 3:
        return keras.layers.SpatialDropout1D(config.dropout, name=name)(x)
    return keras.layers.Dropout(config.dropout, name=name)(x)


def penalised(config) -> bool:
    return bool(config.activation_reg or config.temporal_reg)


def penalise(x, config, name: str, passthrough=None):
    """AR and TAR on ``x``, a recurrent layer's output sequence; returns ``x``,
    or ``passthrough`` when given (the layer's final output, so that the
    penalty stays in the graph when only that is used)."""
    if not penalised(config):
        return x if passthrough is None else passthrough
    penalty = ActivationPenalty(config.activation_reg, config.temporal_reg, name=name)
    return penalty(x) if passthrough is None else penalty([x, passthrough])


@keras.saving.register_keras_serializable(package="rnn_apps")
class ActivationPenalty(keras.layers.Layer):
    """Identity that, in training, adds ``alpha * mean(h_t^2)`` (AR) and
    ``beta * mean((h_t - h_{t-1})^2)`` (TAR) to the model's loss. Padded
    steps (the mask) are left out, and so are pairs with a padded step. A
    ``[batch, units]`` input gets AR only. Given ``[sequence, other]``, it
    penalises the sequence and returns ``other``."""

    def __init__(self, alpha=0.0, beta=0.0, **kwargs):
        super().__init__(**kwargs)
        self.alpha = float(alpha)
        self.beta = float(beta)
        self.supports_masking = True

    def call(self, inputs, mask=None, training=False):
        sequence, output = inputs if isinstance(inputs, (list, tuple)) else (inputs, inputs)
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        if training and (self.alpha or self.beta):
            self.add_loss(self.penalty(sequence, mask))
        return output

    def compute_mask(self, inputs, mask=None):
        return None if isinstance(inputs, (list, tuple)) else mask

    def penalty(self, inputs, mask=None):
        h = ops.cast(inputs, "float32")
        if len(h.shape) == 2:
            return self.alpha * ops.mean(ops.square(h))
        keep = (ops.ones_like(h[:, :, 0]) if mask is None else ops.cast(mask, "float32"))
        units = ops.cast(ops.shape(h)[-1], "float32")
        total = self.alpha * ops.sum(keep[:, :, None] * ops.square(h)) / ops.maximum(
            ops.sum(keep) * units, 1.0)
        if self.beta:
            pairs = keep[:, 1:] * keep[:, :-1]
            change = ops.square(h[:, 1:] - h[:, :-1])
            total += self.beta * ops.sum(pairs[:, :, None] * change) / ops.maximum(
                ops.sum(pairs) * units, 1.0)
        return total

    def compute_output_shape(self, input_shape):
        return input_shape[1] if isinstance(input_shape, list) else input_shape

    def get_config(self):
        return {**super().get_config(), "alpha": self.alpha, "beta": self.beta}


def attach_weight_drop(layer, rate: float):
    """Give ``layer`` (a recurrent layer or a ``Bidirectional`` wrapper) weight
    drop at ``rate``, in place; call it after :func:`rnn_apps.core.fast_rnn.enable`.
    Layers without a ``recurrent_kernel`` (the echo state cell) are refused by
    the parameter rules before they get here."""
    if not rate:
        return layer
    if isinstance(layer, keras.layers.Bidirectional):
        attach_weight_drop(layer.forward_layer, rate)
        attach_weight_drop(layer.backward_layer, rate)
        return layer
    setattr(layer, RATE, float(rate))
    setattr(layer, INNER, layer.inner_loop)
    layer.inner_loop = types.MethodType(_weight_dropped_loop, layer)
    return layer


def undropped_loop(layer):
    """The inner loop a weight-dropped layer runs (the layer's own otherwise)."""
    return getattr(layer, INNER, None) or layer.inner_loop


def _weight_dropped_loop(self, sequences, initial_state, mask=None, training=False):
    loop = getattr(self, INNER)
    if training is None or training is False:
        return loop(sequences, initial_state, mask=mask, training=training)
    cell = self.cell
    variable = cell.recurrent_kernel
    # the variable's value as the cell reads it (cast under mixed precision)
    dropped = keras.random.dropout(ops.convert_to_tensor(variable), getattr(self, RATE),
                                   seed=cell.seed_generator)
    # object.__setattr__: Keras' attribute tracking must not see the swap
    object.__setattr__(cell, "recurrent_kernel", dropped)
    try:
        return loop(sequences, initial_state, mask=mask, training=training)
    finally:
        object.__setattr__(cell, "recurrent_kernel", variable)
