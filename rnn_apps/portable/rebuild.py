"""Fresh copies of trained Keras models, shaped for conversion.

A converted core must not depend on how the trained model happened to be
built: the copy made here is a new functional model from the trained one's
configuration with its weights, where every LSTM/GRU asks for the generic
TensorFlow loop (never the cuDNN kernel), mixed-precision policies become
float32, and, for one-step models, the recurrent loop is unrolled.
"""

from __future__ import annotations

from rnn_apps.errors import RnnAppsError

RECURRENT = ("LSTM", "GRU", "SimpleRNN")
CUDNN_CAPABLE = ("LSTM", "GRU")


def layers_of(layer):
    """``layer`` and every layer inside it (nested models, both directions of a
    ``Bidirectional``, the cell of a recurrent layer)."""
    yield layer
    for child in getattr(layer, "layers", None) or []:
        yield from layers_of(child)
    for name in ("forward_layer", "backward_layer", "cell"):
        child = getattr(layer, name, None)
        if child is not None and child is not layer:
            yield from layers_of(child)


def check_convertible(model, fmt: str) -> None:
    """A one-line error for what no converted core can hold: the echo state
    reservoir cell (its generic ``keras.layers.RNN`` loop over a custom cell is
    not one of the recurrent layers this exporter rebuilds and checks) and a
    wide TF-IDF input (its n-gram lookup is not described in
    ``preprocessing.json``)."""
    from rnn_apps.core.esn import EchoStateCell

    if "tfidf" in [getattr(node, "name", "") for node in model.inputs]:
        raise RnnAppsError(f"export --format {fmt} does not support the wide TF-IDF path "
                           "(wide=True); export a SavedModel instead")
    for layer in layers_of(model):
        if isinstance(layer, EchoStateCell):
            raise RnnAppsError(f"export --format {fmt} does not support the esn cell (echo "
                               "state reservoir); export a SavedModel instead")


def _patch(node, unroll: bool, shapes: dict, edit) -> None:
    """Adjust a model configuration in place (see the module docstring)."""
    if isinstance(node, list):
        for item in node:
            _patch(item, unroll, shapes, edit)
        return
    if not isinstance(node, dict):
        return
    if edit is not None:
        edit(node)
    kind, config = node.get("class_name"), node.get("config")
    if isinstance(config, dict):
        if kind == "InputLayer" and config.get("name") in shapes:
            config["batch_shape"] = list(shapes[config["name"]])
        if kind in CUDNN_CAPABLE:
            config["use_cudnn"] = False
        if kind in RECURRENT and unroll:
            config["unroll"] = True
        if kind in ("DTypePolicy", "FloatDTypePolicy") and str(
                config.get("name", "")).startswith("mixed_"):
            config["name"] = "float32"
    for value in node.values():
        _patch(value, unroll, shapes, edit)


def rebuild(model, *, unroll: bool = False, shapes: dict | None = None, edit=None):
    """A new model with ``model``'s architecture and weights, for conversion.

    ``unroll`` unrolls every recurrent loop, which needs a fixed number of
    steps (one-step models: give the step input ``shapes={input name: [None,
    1]}``, the batch shapes that replace the named inputs' own). ``edit(node)``
    may change any dictionary of the configuration in place first.
    """
    import keras

    config = model.get_config()
    _patch(config, unroll, shapes or {}, edit)
    copy = keras.Model.from_config(config)
    copy.set_weights(model.get_weights())
    return copy
