"""Cell factory and the stacked / bidirectional recurrent builder.

Adding a cell type is one ``@register_cell`` entry here (or in another core
module); every task picks it up through :class:`RecurrentConfig`.
"""

from __future__ import annotations

from collections.abc import Callable

_CELLS: dict[str, Callable] = {}


def register_cell(name: str):
    """Register ``factory(units, *, return_sequences, recurrent_dropout, name)``."""

    def decorator(factory):
        _CELLS[name] = factory
        return factory

    return decorator


def cell_names() -> tuple[str, ...]:
    return tuple(_CELLS)


@register_cell("rnn")
def _simple_rnn(units, **kwargs):
    import keras

    return keras.layers.SimpleRNN(units, **kwargs)


@register_cell("lstm")
def _lstm(units, **kwargs):
    import keras

    return keras.layers.LSTM(units, **kwargs)


@register_cell("gru")
def _gru(units, **kwargs):
    import keras

    return keras.layers.GRU(units, **kwargs)


def make_recurrent_layer(config, *, return_sequences: bool, name: str, **layer_kwargs):
    """One recurrent layer (bidirectional when the config says so).

    ``layer_kwargs`` go to the Keras layer (``stateful``, ``return_state``...).
    """
    import keras

    layer = _CELLS[config.cell](
        config.units,
        return_sequences=return_sequences,
        recurrent_dropout=config.recurrent_dropout,
        name=name,
        **layer_kwargs,
    )
    if config.bidirectional:
        layer = keras.layers.Bidirectional(layer, merge_mode="concat", name=f"bi_{name}")
    return layer


def build_recurrent_stack(x, config, *, return_sequences: bool = False, name: str = "encoder"):
    """Apply ``config.layers`` recurrent layers to a (masked) sequence tensor.

    Every layer but the last returns sequences; the last returns sequences
    only when ``return_sequences`` is true. Masks from an ``Embedding(mask_zero=True)``
    flow through, so right-padding is ignored.
    """
    import keras

    for index in range(config.layers):
        last = index == config.layers - 1
        layer = make_recurrent_layer(
            config,
            return_sequences=return_sequences or not last,
            name=f"{name}_{config.cell}_{index}",
        )
        x = layer(x)
        if config.dropout:
            x = keras.layers.Dropout(config.dropout, name=f"{name}_dropout_{index}")(x)
    return x


def make_optimizer(config, learning_rate: float):
    """Adam with the config's gradient clipping.

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
    return keras.optimizers.Adam(learning_rate=learning_rate, **clip)
