"""Contextual character embeddings for the tagger (``char_lm``; flair, Akbik et
al. 2018).

A sentence is read as one string: a line break, then its tokens joined by
single spaces. A forward character language model reads it left to right and a
word's feature is the model's state after the word's last character; a backward
model (``textgen`` with ``direction="backward"``) reads the same string right
to left (after the line break) and a word's feature is its state after the
word's first character. Both models are ``textgen`` models at the character
level. Their vocabularies go into the tagger's state and their layers, with
weights copied, into its network (:class:`rnn_apps.core.char_lm.CharLMStates`),
so a trained tagger needs neither model directory.
"""

from __future__ import annotations

import os

from rnn_apps.errors import DataError

LM_TASK = "textgen"
DIRECTIONS = ("forward", "backward")
BOUNDARY = "\n"  # what a sentence string starts with, as a line of the LM's text


def resolve(spec) -> list:
    """Fitted character language models from ``char_lm``: a model directory,
    ``"FWD_DIR,BWD_DIR"``, or a list of directories or fitted models (one
    forward and/or one backward)."""
    if isinstance(spec, str):
        items = [part.strip() for part in spec.split(",") if part.strip()]
    else:
        items = list(spec) if isinstance(spec, (list, tuple)) else [spec]
    if not 1 <= len(items) <= 2:
        raise DataError(f"char_lm takes one or two language models (forward, backward); "
                        f"got {len(items)}")
    models = [_load(item) if isinstance(item, (str, os.PathLike)) else item for item in items]
    directions = []
    for model in models:
        _check(model)
        directions.append(model.get_params().get("direction", "forward"))
    if len(set(directions)) < len(directions):
        raise DataError(f"both char_lm models read {directions[0]}; give one forward and one "
                        "backward model (textgen train --direction backward)")
    return sorted(models, key=lambda m: DIRECTIONS.index(m.get_params()["direction"]))


def _load(path):
    from rnn_apps.core import saving

    task = saving.read_metadata(path)["task"]  # a missing or foreign directory: one line
    if task != LM_TASK:
        raise DataError(f"char_lm {path} holds a {task!r} model, not a character language "
                        f"model ({LM_TASK})")
    return saving.load(path)


def _check(model) -> None:
    if getattr(model, "task_name", None) != LM_TASK:
        raise DataError(f"char_lm must name {LM_TASK} model directories or be fitted "
                        f"TextGenerator models; got {type(model).__name__}")
    model.check_is_fitted()
    level = getattr(model.vocabulary_, "level", "char")
    if level != "char":
        raise DataError(f"char_lm needs character-level language models; this one reads "
                        f"{level} tokens")


def record(model) -> dict:
    """What the tagger keeps of a language model: its direction, characters and
    the settings that shape its layers (weights live in the tagger's network)."""
    from rnn_apps.core.char_lm import STRUCTURE

    params = model.get_params()
    return {"direction": params.get("direction", "forward"),
            "chars": list(model.vocabulary_.chars),
            **{name: params[name] for name in STRUCTURE}}


def lookups(records) -> list:
    """One character lookup per language model (its own vocabulary)."""
    from rnn_apps.preprocessing.chars import CharVocabulary

    return [CharVocabulary(r["chars"]).lookup_layer() for r in records]


def all_lookups(task) -> list:
    """The tagger's lookup layers (words, characters, each language model's)."""
    return [*task.encoder_.lookups(), *task.char_lm_lookups_]


def graph_inputs(task, raw) -> list:
    """In TensorFlow ops, from raw tokens ``[batch, words]`` ("" = padding): per
    language model its char ids ``[batch, chars]`` and each word's position."""
    import tensorflow as tf

    records, layers = task.state_.get("char_lm", []), task.char_lm_lookups_
    if not records:
        return []

    present = tf.not_equal(raw, "")
    lengths = tf.where(present, tf.strings.length(raw, unit="UTF8_CHAR"), 0)
    joined = tf.strings.reduce_join(tf.ragged.boolean_mask(raw, present), axis=1,
                                    separator=" ")
    # where each word starts in ``joined``
    starts = tf.cumsum(tf.where(present, lengths + 1, 0), axis=1, exclusive=True)
    chars = tf.strings.unicode_split(joined, "UTF-8")
    out = []
    for spec, lookup in zip(records, layers):
        ids = tf.cast(lookup(chars), tf.int32)
        total = tf.cast(ids.row_lengths(), tf.int32)
        dense = ids.to_tensor(default_value=0)
        if spec["direction"] == "backward":  # first character, read right to left
            dense = tf.reverse_sequence(dense, total, seq_axis=1, batch_axis=0)
            positions = total[:, None] - starts
        else:  # last character
            positions = starts + lengths
        boundary = tf.cast(lookup(tf.fill([tf.shape(raw)[0], 1], BOUNDARY)), tf.int32)
        out += [tf.concat([boundary, dense], axis=1),
                tf.where(present, tf.clip_by_value(positions, 0, total[:, None]), 0)]
    return out


def add_features(task, inputs: list, features):
    """The tagger's inputs and word features with each language model's states
    beside them (``[ids, positions]`` inputs per model; fixed unless
    ``char_lm_trainable``)."""
    import keras

    from rnn_apps.core.char_lm import STRUCTURE, CharLMStates

    records, trainable = task.state_.get("char_lm", []), task.char_lm_trainable
    if not records:
        return inputs, features
    parts = [features]
    for spec in records:
        name = spec["direction"]
        ids = keras.Input(shape=(None,), dtype="int32", name=f"lm_{name}_char_ids")
        positions = keras.Input(shape=(None,), dtype="int32", name=f"lm_{name}_positions")
        layer = CharLMStates(len(spec["chars"]) + 2, trainable=trainable,
                             name=f"char_lm_{name}", **{k: spec[k] for k in STRUCTURE})
        parts.append(layer([ids, positions]))
        inputs = [*inputs, ids, positions]
    return inputs, keras.layers.Concatenate(name="word_and_char_lm")(parts)


def copy_weights(model, sources) -> None:
    """Each language model's weights into the tagger's ``char_lm_<direction>`` layer."""
    for source in sources:
        direction = source.get_params().get("direction", "forward")
        model.get_layer(f"char_lm_{direction}").copy_from(source.model_)


def is_spec(value) -> bool:
    """What ``char_lm`` accepts (checked with the other parameters)."""
    items = value if isinstance(value, (list, tuple)) else [value]
    return bool(items) and all(isinstance(item, (str, os.PathLike))
                               or getattr(item, "task_name", None) == LM_TASK for item in items)


def attach(task, frames: bool, prior) -> list:
    """The language models of ``task.char_lm`` resolved and their records put in
    the task's state (returned, for their weights); a warm start keeps its own."""
    if task.char_lm is None or prior:
        return []
    if frames:
        raise DataError("char_lm reads text; this tagger reads numeric frames")
    models = resolve(task.char_lm)
    task.set_state({**task.state_, "char_lm": [record(m) for m in models]})
    return models


def train_language_models(text: str, *, seed=None, verbose=1) -> list:
    """A forward and a backward character language model (textgen's defaults)
    trained on ``text`` (``tagging train --unlabeled``)."""
    from rnn_apps.core.registry import task_class

    generator = task_class(LM_TASK)
    return [generator(direction=direction, seed=seed, verbose=verbose).fit(text)
            for direction in DIRECTIONS]
