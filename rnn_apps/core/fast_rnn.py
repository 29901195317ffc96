"""The CPU fast path for Keras' LSTM, GRU and SimpleRNN layers.

The layers stay ``keras.layers.LSTM`` / ``GRU`` / ``SimpleRNN``: same weights,
same ``get_config``, same saved files, so a model moves between this path,
Keras' own loop and cuDNN unchanged. :func:`enable` swaps only the layer
instance's ``inner_loop`` for one that runs the kernels of
:mod:`rnn_apps.core.fast_kernels`. On a GPU, or for a configuration the
kernels do not cover (other activations, no bias, recurrent dropout,
``reset_after=False``, non-float32), the layer runs Keras' own code.

Masks follow Keras exactly, whatever their pattern: a masked step keeps the
states, its output is zero (``zero_output_for_mask``) or carries the last
output. Steps that are masked in every row at either end are not run.

``RNN_APPS_FAST_RNN=0`` turns the path off (checked when a layer is built). A
layer made with ``use_cudnn=True`` runs Keras' own code (cuDNN, or Keras' error
where cuDNN cannot run). The Keras internals the path relies on (the
``inner_loop`` call, ``get_dropout_mask``, the layers' attributes and weight
layouts) are checked before its first use; where this Keras differs, the path
stays off with one note (:mod:`rnn_apps.core.keras_guard`).
"""

from __future__ import annotations

import os
import types

from rnn_apps.core.keras_guard import Guard, attribute_problem, calls_problem, signature_problem

SWITCH = "RNN_APPS_FAST_RNN"
# Keras' ``inner_loop`` and ``get_dropout_mask`` as the path calls and replaces them
INNER_LOOP = "(self, sequences, initial_state, mask, training=False)"
DROPOUT_MASK = "(self, step_input)"
GATES = {"lstm": 4, "gru": 3, "rnn": 1}
LAYER_ATTRIBUTES = ("go_backwards", "return_sequences", "zero_output_for_mask", "unroll")
CELL_ATTRIBUTES = {
    "rnn": ("units", "activation", "use_bias", "dropout", "recurrent_dropout", "kernel",
            "recurrent_kernel", "bias", "get_dropout_mask")}
CELL_ATTRIBUTES["lstm"] = (*CELL_ATTRIBUTES["rnn"], "recurrent_activation")
CELL_ATTRIBUTES["gru"] = (*CELL_ATTRIBUTES["lstm"], "reset_after")


def _keras_problems():
    """What the path relies on in Keras' classes, as :class:`Guard` checks it
    (no layer is made here: making one would draw from Keras' seed)."""
    from keras import layers

    problems = [calls_problem(layers.RNN, "call", "inner_loop")]
    for layer, cell in ((layers.LSTM, layers.LSTMCell), (layers.GRU, layers.GRUCell),
                        (layers.SimpleRNN, layers.SimpleRNNCell)):
        problems += [signature_problem(layer, "inner_loop", INNER_LOOP),
                     signature_problem(cell, "get_dropout_mask", DROPOUT_MASK)]
    return problems


def _attribute_problem(layer, kind) -> str | None:
    """None when a layer and its cell have the attributes the path reads."""
    return attribute_problem(layer, *LAYER_ATTRIBUTES) or attribute_problem(
        layer.cell, *CELL_ATTRIBUTES[kind])


def _layout_problem(cell, kind) -> str | None:
    """None when a covered cell's weights are laid out as the kernels read them
    (gates side by side; a GRU's input and recurrent biases as two rows)."""
    width = GATES[kind] * cell.units
    found = [tuple(w.shape) for w in (cell.kernel, cell.recurrent_kernel, cell.bias)]
    expected = [(found[0][0], width), (cell.units, width), (2, width) if kind == "gru"
                else (width,)]
    if found != expected:
        return f"{type(cell).__name__} weights are shaped {found}, not {expected}"
    return None


GUARD = Guard("the CPU fast path of LSTM/GRU/SimpleRNN", _keras_problems)


def wanted() -> bool:
    """Whether the fast path is switched on (``RNN_APPS_FAST_RNN`` is not ``0``)."""
    return os.environ.get(SWITCH, "1").strip().lower() not in ("0", "false", "no", "off")


def enable(layer, *, on_gpu: bool = False):
    """Give ``layer`` (a recurrent layer, a ``Bidirectional`` wrapper or a model)
    the fast path, in place; returns it. Does nothing when switched off.

    ``on_gpu`` uses the path even where a GPU is visible (for comparing it with
    cuDNN); by default a GPU keeps Keras' own (cuDNN) code.
    """
    import keras

    if not wanted() or not GUARD.ok():
        return layer
    if isinstance(layer, keras.Model):
        for inner in layer.layers:
            enable(inner, on_gpu=on_gpu)
    elif isinstance(layer, keras.layers.Bidirectional):
        enable(layer.forward_layer, on_gpu=on_gpu)
        enable(layer.backward_layer, on_gpu=on_gpu)
    elif _kind(layer) is not None:
        layer.inner_loop = types.MethodType(_inner_loop_on_gpu if on_gpu else _inner_loop, layer)
    return layer


def is_enabled(layer) -> bool:
    from rnn_apps.core.regularisers import undropped_loop  # weight drop wraps the loop

    return getattr(undropped_loop(layer), "__func__", None) in (_inner_loop, _inner_loop_on_gpu)


def _kind(layer) -> str | None:
    import keras

    # Exact classes: a subclass may change the cell's arithmetic.
    return {keras.layers.LSTM: "lstm", keras.layers.GRU: "gru",
            keras.layers.SimpleRNN: "rnn"}.get(type(layer))


def _covered(layer, on_gpu: bool = False) -> bool:
    """Whether the kernels compute exactly what Keras' cell would."""
    import tensorflow as tf
    from keras import activations

    if not GUARD.ok():
        return False
    cell, kind = layer.cell, _kind(layer)
    if problem := _attribute_problem(layer, kind):
        GUARD.refuse(problem)
        return False
    # use_cudnn=True asks for cuDNN (or Keras' error where it cannot run)
    plain = (cell.use_bias and not layer.unroll and not cell.recurrent_dropout
             and getattr(layer, "use_cudnn", "auto") is not True
             and cell.activation is activations.tanh and layer.compute_dtype == "float32")
    if kind == "lstm":
        plain = plain and cell.recurrent_activation is activations.sigmoid
    elif kind == "gru":
        plain = plain and cell.recurrent_activation is activations.sigmoid and cell.reset_after
    if plain and (problem := _layout_problem(cell, kind)):
        GUARD.refuse(problem)
        return False
    # The test Keras makes before choosing cuDNN.
    return plain and (on_gpu or not tf.config.list_logical_devices("GPU"))


def _inner_loop_on_gpu(self, sequences, initial_state, mask=None, training=False):
    return _inner_loop(self, sequences, initial_state, mask, training, on_gpu=True)


def _inner_loop(self, sequences, initial_state, mask=None, training=False, on_gpu=False):
    import tensorflow as tf
    from keras import tree

    if not _covered(self, on_gpu):
        return type(self).inner_loop(self, sequences, initial_state, mask=mask,
                                     training=training)
    if tree.is_nested(mask):
        mask = mask[0]
    cell = self.cell
    if training and cell.dropout:
        sequences = sequences * tf.expand_dims(cell.get_dropout_mask(sequences[:, 0, :]), 1)
    steps = sequences.shape[1]
    x = tf.transpose(sequences, [1, 0, 2])
    time_mask = None if mask is None else tf.cast(tf.transpose(mask), x.dtype)[:, :, None]
    if self.go_backwards:
        x = tf.reverse(x, [0])
        time_mask = None if time_mask is None else tf.reverse(time_mask, [0])
    states = [tf.convert_to_tensor(state) for state in initial_state]
    training = training is not None and training is not False

    if time_mask is None:
        hs, new_states = _run(_kind(self), cell, x, states, None, training)
        return _finish(self, hs, hs[-1], new_states, steps)
    # Steps masked in every row at either end are not run: the states held
    # before and after them stand for them.
    start, end = _active_span(time_mask)
    hs, new_states = _run(_kind(self), cell, x[start:end], states, time_mask[start:end],
                          training)
    if self.zero_output_for_mask:
        keep = time_mask
    else:  # a step's output is the last unmasked one, zeros before any
        keep = tf.cast(tf.cumsum(time_mask, axis=0) > 0, x.dtype)
    if not self.return_sequences:
        last_output = new_states[0] * keep[-1]
        return _finish(self, None, last_output, new_states, steps)
    total = tf.shape(x)[0]
    held = tf.concat([tf.tile(states[0][None], [start, 1, 1]), hs,
                      tf.tile(new_states[0][None], [total - end, 1, 1])], axis=0)
    outputs = held * keep
    return _finish(self, outputs, outputs[-1], new_states, steps)


def _finish(self, outputs, last_output, new_states, steps):
    """Keras' ``(last_output, outputs, states)`` from time-major outputs."""
    import tensorflow as tf

    if self.return_sequences:
        outputs = tf.transpose(outputs, [1, 0, 2])
        outputs.set_shape([None, steps, outputs.shape[-1]])
    else:
        outputs = tf.expand_dims(last_output, 1)
    return last_output, outputs, new_states


def _active_span(time_mask):
    """First and one-past-last step unmasked in some row; ``(0, 1)`` when none is
    (one fully masked step, which changes nothing: a loop never runs empty)."""
    import tensorflow as tf

    active = tf.reduce_any(time_mask[:, :, 0] > 0, axis=1)
    total = tf.shape(active)[0]
    any_active = tf.reduce_any(active)
    first = tf.cast(tf.argmax(tf.cast(active, tf.int32)), tf.int32)
    last = total - tf.cast(tf.argmax(tf.cast(tf.reverse(active, [0]), tf.int32)), tf.int32)
    return tf.where(any_active, first, 0), tf.where(any_active, last, tf.minimum(1, total))


def _run(kind, cell, x, states, time_mask, training: bool):
    """``(every step's hidden state (time-major), final states)``."""
    import tensorflow as tf

    from rnn_apps.core import fast_kernels

    kernel = tf.convert_to_tensor(cell.kernel)
    recurrent = tf.convert_to_tensor(cell.recurrent_kernel)
    bias = tf.convert_to_tensor(cell.bias)
    input_bias = bias[0] if kind == "gru" else bias
    steps, batch = tf.shape(x)[0], tf.shape(x)[1]
    flat = tf.matmul(tf.reshape(x, [-1, x.shape[-1]]), kernel) + input_bias
    xw = tf.reshape(flat, [steps, batch, kernel.shape[-1]])
    if kind == "lstm":
        hs, h, c = fast_kernels.lstm(xw, states[0], states[1], recurrent, time_mask,
                                     training)
        return hs, [h, c]
    if kind == "gru":
        hs, h = fast_kernels.gru(xw, states[0], recurrent, bias[1], time_mask, training)
    else:
        hs, h = fast_kernels.simple(xw, states[0], recurrent, time_mask, training)
    return hs, [h]
