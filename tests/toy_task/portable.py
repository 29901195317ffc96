"""The counter's portable core: character ids in, the count out; the
characters are looked up outside, as ``preprocessing.json`` says."""

from __future__ import annotations

import numpy as np

from rnn_apps.portable.cores import (
    IDS,
    SAMPLE_ROWS,
    Core,
    batch_note,
    padded_ids,
    pairs,
    rebuild,
    sequence_batch,
)


def count_core(task, fmt: str) -> Core:
    """Character ids ``[batch, time]`` -> counts ``[batch, 1]``."""
    import tensorflow as tf

    model, encoder = rebuild(task.model_), task.text_encoder_
    ids = padded_ids(np.random.default_rng(0), SAMPLE_ROWS, encoder.max_length, 1,
                     len(encoder.vocabulary))
    expected = {"count": task.model_(ids, training=False)}
    return Core("model", lambda char_ids: {"count": model(char_ids, training=False)},
                [tf.TensorSpec([sequence_batch(fmt), None], tf.int32, name="char_ids")],
                [model], lambda run: pairs(run({"char_ids": ids}), expected),
                batch_note(fmt, "model"))


def describe(task, fmt: str) -> dict:
    encoder = task.text_encoder_
    return {"input": "text", "steps": [{"op": "split_characters"}],
            "vocabulary": list(encoder.vocabulary), **IDS, "max_length": encoder.max_length,
            "output": "count[0] is the count"}


CORES = [count_core]
