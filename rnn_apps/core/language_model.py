"""A pretrained language model (a fitted ``textgen`` model) as the start of
another task's network: loading it, reading text the way it does, and moving
its embedding and recurrent layers into the new network.

Tasks never import the textgen task itself; they reach it through the saved
directory or the fitted object handed to them, and read only its public
fitted attributes (``vocabulary_``, ``model_``, its recurrent settings).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from rnn_apps.errors import RnnAppsError

# the layers of a textgen network: rnn_apps.tasks.textgen.network names them so
LM_RECURRENT = re.compile(r"^lm_[a-z]+_(\d+)$")
# recurrent settings a network takes from the language model it starts from
ADOPTED = ("cell", "units", "layers", "embedding_dim")


def load_language_model(source, what: str = "init_from_lm"):
    """The fitted language model ``source`` names: a textgen model directory,
    or a fitted textgen model. One-line errors for anything else."""
    if isinstance(source, (str, os.PathLike)):
        from rnn_apps.core import saving

        path = Path(source)
        if not path.is_dir():
            raise RnnAppsError(f"{what}: {path} is not a model directory")
        task = saving.read_metadata(path).get("task")
        if task != "textgen":
            raise RnnAppsError(f"{what}: {path} holds a {task} model, not a textgen "
                               "language model")
        return saving.load(path)
    if getattr(source, "task_name", None) != "textgen":
        raise RnnAppsError(f"{what} must be a textgen model directory or a fitted "
                           f"TextGenerator; got {type(source).__name__}")
    source.check_is_fitted()
    return source


def level_of(lm) -> str:
    return getattr(lm.vocabulary_, "level", "char")


def text_settings(lm) -> dict:
    """The :class:`~rnn_apps.preprocessing.text.TextEncoder` settings that split
    text into the language model's tokens, with its ids (0 padding, 1 unknown)."""
    from rnn_apps.core.choices import WORD_SPLIT

    vocabulary, level = lm.vocabulary_, level_of(lm)
    if getattr(lm, "direction", "forward") != "forward":
        raise RnnAppsError("a classifier starts from a forward language model; this one "
                           f"reads {lm.direction}")
    settings = {"level": level, "vocabulary": ["", "[UNK]", *vocabulary.chars],
                "standardize": WORD_SPLIT if level == "word" else "none"}
    if level == "subword":
        settings["subword"] = vocabulary.subword
    return settings


def adopted_settings(lm) -> dict:
    """The network settings a model starting from ``lm`` must share with it."""
    if lm.embedding_dim is None:
        raise RnnAppsError("this language model reads one-hot characters (no embedding to "
                           "start from); train it with an embedding_dim")
    return {name: getattr(lm, name) for name in ADOPTED}


def recurrent_layers(model, pattern=LM_RECURRENT) -> list:
    """``model``'s recurrent layers whose names match ``pattern``, by index."""
    found = {}
    for layer in model.layers:
        match = pattern.match(layer.name)
        if match:
            found[int(match.group(1))] = layer
    return [found[index] for index in sorted(found)]


def copy_into(lm, model, *, embedding: str, recurrent: list[str]) -> None:
    """Set ``model``'s layer ``embedding`` and its ``recurrent`` layers (bottom
    first) to the language model's weights."""
    source = lm.model_
    model.get_layer(embedding).set_weights(source.get_layer("embedding").get_weights())
    layers = recurrent_layers(source)
    if len(layers) != len(recurrent):
        raise RnnAppsError(f"the language model has {len(layers)} recurrent layers; "
                           f"the network {len(recurrent)}")
    for layer, name in zip(layers, recurrent):
        model.get_layer(name).set_weights(layer.get_weights())
