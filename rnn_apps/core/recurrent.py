"""Cell factory and the stacked / bidirectional recurrent builder.

Adding a cell type is one ``@register_cell`` entry here (or in another core
module); every task picks it up through :class:`RecurrentConfig`.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

_CELLS: dict[str, Callable] = {}


def register_cell(name: str):
    """Register ``factory(config, *, return_sequences, name, **layer_kwargs)``.

    The factory returns a Keras recurrent layer built from the
    :class:`RecurrentConfig` (units, recurrent dropout, cell-specific settings).
    """

    def decorator(factory):
        _CELLS[name] = factory
        return factory

    return decorator


def cell_names() -> tuple[str, ...]:
    return tuple(_CELLS)


@register_cell("rnn")
def _simple_rnn(config, **kwargs):
    import keras

    return keras.layers.SimpleRNN(config.units, recurrent_dropout=config.recurrent_dropout,
                                  **kwargs)


@register_cell("lstm")
def _lstm(config, **kwargs):
    import keras

    return keras.layers.LSTM(config.units, recurrent_dropout=config.recurrent_dropout, **kwargs)


@register_cell("gru")
def _gru(config, **kwargs):
    import keras

    return keras.layers.GRU(config.units, recurrent_dropout=config.recurrent_dropout, **kwargs)


@register_cell("esn")
def _echo_state(config, **kwargs):
    import keras

    from rnn_apps.core.esn import EchoStateCell

    cell = EchoStateCell(config.units, spectral_radius=config.spectral_radius,
                         leak_rate=config.leak_rate, input_scaling=config.input_scaling)
    return keras.layers.RNN(cell, **kwargs)


def make_recurrent_layer(config, *, return_sequences: bool, name: str, **layer_kwargs):
    """One recurrent layer (bidirectional when the config says so).

    ``layer_kwargs`` go to the Keras layer (``stateful``, ``return_state``...).
    LSTM, GRU and SimpleRNN layers get the CPU fast path
    (:mod:`rnn_apps.core.fast_rnn`) unless ``RNN_APPS_FAST_RNN=0``, and weight
    drop when ``config.weight_drop`` (:mod:`rnn_apps.core.regularisers`).
    """
    import keras

    from rnn_apps.core import fast_rnn, regularisers

    layer = _CELLS[config.cell](config, return_sequences=return_sequences, name=name,
                                **layer_kwargs)
    if config.bidirectional:
        layer = keras.layers.Bidirectional(layer, merge_mode="concat", name=f"bi_{name}")
    return regularisers.attach_weight_drop(fast_rnn.enable(layer), config.weight_drop)


def build_recurrent_stack(x, config, *, return_sequences: bool = False, name: str = "encoder",
                          collect: list | None = None, return_state: bool = False):
    """Apply ``config.layers`` recurrent layers to a (masked) sequence tensor.

    Every layer but the last returns sequences; the last returns sequences
    only when ``return_sequences`` is true. Masks from an ``Embedding(mask_zero=True)``
    flow through, so right-padding is ignored. ``collect``, when a list, receives
    each recurrent layer's output (before dropout), for hidden-state probes.
    ``return_state`` gives ``(x, states)`` with each layer's final states
    (for a bidirectional layer the forward states, then the backward ones).
    The config's AWD-LSTM regularisers (:mod:`rnn_apps.core.regularisers`)
    apply: embedding dropout on ``x``, locked dropout, and AR/TAR on the last
    layer's output sequence (read with its final state when only that is
    returned, which is the same vector).
    """
    from rnn_apps.core import regularisers

    states = []
    x = regularisers.input_dropout(x, config, name)
    for index in range(config.layers):
        last = index == config.layers - 1
        # AR/TAR need every step of the last layer even where only its end is used
        final_only = last and not return_sequences and regularisers.penalised(config)
        layer = make_recurrent_layer(
            config,
            return_sequences=return_sequences or not last or final_only,
            name=f"{name}_{config.cell}_{index}",
            **({"return_state": True} if return_state or final_only else {}),
        )
        x = layer(x)
        if return_state or final_only:
            x, layer_states = x[0], list(x[1:])
            states.append(layer_states)
        if last:
            final = _final_output(layer_states, config, f"{name}_final") if final_only else None
            x = regularisers.penalise(x, config, f"{name}_penalty", passthrough=final)
        if collect is not None:
            collect.append(x)
        x = regularisers.output_dropout(x, config, f"{name}_dropout_{index}")
    return (x, states) if return_state else x


def _final_output(states, config, name):
    """What a layer that returns no sequence outputs, from its final states:
    the hidden state (forward and backward ones side by side when bidirectional)."""
    import keras

    if not config.bidirectional:
        return states[0]
    return keras.layers.Concatenate(name=name)([states[0], states[len(states) // 2]])


def recurrent_probe(inputs, x, config, source):
    """A model from ``inputs`` to every recurrent layer's full output sequence.

    ``x`` is the tensor the stack reads (built from ``inputs``); the recurrent
    layers get the weights of the same-named layers of the trained ``source``
    model, whose last layer may not return sequences.
    """
    import keras

    outputs: list = []
    build_recurrent_stack(x, config, return_sequences=True, collect=outputs)
    probe = keras.Model(inputs, outputs)
    for layer in probe.layers:
        if layer.weights and not isinstance(layer, keras.layers.InputLayer):
            layer.set_weights(source.get_layer(layer.name).get_weights())
    return probe


def recurrent_outputs(model):
    """A model from ``model``'s inputs to the output sequence of each of its
    recurrent layers (those that return sequences, in order)."""
    import keras

    kinds = (keras.layers.RNN, keras.layers.Bidirectional)
    outputs = []
    for layer in model.layers:
        if isinstance(layer, kinds):
            output = layer.output
            outputs.append(output[0] if isinstance(output, (list, tuple)) else output)
    return keras.Model(model.inputs, outputs)


def per_sequence_states(outputs, lengths, tokens) -> list[dict]:
    """``{"tokens", "layers": [[steps, units] ...]}`` per row of a batch of layer
    outputs, cut to each row's length (padding left out)."""
    outputs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
    outputs = [np.asarray(out) for out in outputs]
    return [{"tokens": list(words), "layers": [out[row, :length] for out in outputs]}
            for row, (length, words) in enumerate(zip(lengths, tokens))]


def make_optimizer(config, learning_rate, optimizer=None, **kwargs):
    """Adam (or ``optimizer``, an Adam subclass, given ``kwargs``) with the
    config's gradient clipping; ``learning_rate`` may be a schedule.

    Keras takes one kind of clipping; a ``clipvalue`` replaces the (default)
    ``clipnorm``.
    """
    import keras

    if config.clipvalue is not None:
        clip = {"clipvalue": float(config.clipvalue)}
    elif config.clipnorm is not None:
        clip = {"clipnorm": float(config.clipnorm)}
    else:
        clip = {}
    return (optimizer or keras.optimizers.Adam)(learning_rate=learning_rate, **clip, **kwargs)
