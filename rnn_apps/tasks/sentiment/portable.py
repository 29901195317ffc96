"""The sentiment classifier's portable core and its ``preprocessing.json``:
token ids in, class probabilities out; standardising, splitting and looking
up the text happen outside, as the description says."""

from __future__ import annotations

import numpy as np

from rnn_apps.portable.cores import (
    ASCII_WHITESPACE,
    IDS,
    SAMPLE_ROWS,
    STRIP_PUNCTUATION,
    Core,
    batch_note,
    padded_ids,
    pairs,
    rebuild,
    sequence_batch,
)


def sentiment_core(task, fmt: str) -> Core:
    """Token ids ``[batch, time]`` -> class probabilities ``[batch, classes]``."""
    import tensorflow as tf

    model = rebuild(task.model_)
    spec = tf.TensorSpec([sequence_batch(fmt), None], tf.int32, name="token_ids")

    def function(token_ids):
        return {"probabilities": model(token_ids, training=False)}

    encoder = task.text_encoder_
    ids = padded_ids(np.random.default_rng(0), SAMPLE_ROWS, encoder.max_length, 1,
                     len(encoder.vocabulary))
    expected = {"probabilities": task.model_(ids, training=False)}
    return Core("model", function, [spec], [model],
                lambda run: pairs(run({"token_ids": ids}), expected),
                [*batch_note(fmt, "model"),
                 (f"token_ids are right-padded with 0; preprocessing.json pads or cuts every "
                  f"text to max_length = {encoder.max_length}")])


def plain_value(value):
    return value.item() if isinstance(value, np.generic) else value


def describe(task, fmt: str) -> dict:
    encoder = task.text_encoder_
    lower = encoder.standardize in ("lower", "lower_and_strip_punctuation")
    strip = encoder.standardize in ("strip_punctuation", "lower_and_strip_punctuation")
    steps = []
    if lower:
        steps.append({"op": "lowercase_ascii",
                      "about": "A-Z become a-z; no other character changes"})
    if strip:
        steps.append({"op": "remove_regex", "pattern": STRIP_PUNCTUATION,
                      "about": "every match is deleted (ASCII punctuation)"})
    if encoder.level == "word":
        steps.append({"op": "split_whitespace", "characters": ASCII_WHITESPACE,
                      "about": "split on runs of these ASCII whitespace characters only; "
                               "empty pieces are dropped"})
    else:
        steps.append({"op": "split_characters", "about": "one token per Unicode code point"})
    return {
        "input": "text",
        "standardize": encoder.standardize, "level": encoder.level,
        "steps": steps,
        "vocabulary": list(encoder.vocabulary), **IDS,
        "lookup": "a token's id is its index in vocabulary; a token not in it gets oov_id",
        "max_length": encoder.max_length, "truncating": encoder.truncating,
        "length": ("keep the first max_length ids (truncating 'post') or the last "
                   "(truncating 'pre'), then right-pad with padding_id to max_length"),
        "classes": [plain_value(c) for c in task.classes_],
        "output": "probabilities[i] is the probability of classes[i]; the label is the argmax",
    }


CORES = [sentiment_core]
