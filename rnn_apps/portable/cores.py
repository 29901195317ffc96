"""The numeric cores of sentiment and tagging, and what every core is made of.

A :class:`Core` is what gets converted: a TensorFlow function over named
input tensors returning named outputs, built on a fresh copy of the trained
network (:mod:`.rebuild`), plus a check that runs the converted file on
sample inputs and pairs its outputs with the trained Keras model's.
The forecast core is in :mod:`.forecast`, the one-step cores of textgen and
seq2seq in :mod:`.steps`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from rnn_apps.portable.rebuild import rebuild

SAMPLE_ROWS = 3


@dataclass
class Core:
    """``function(**tensors) -> {name: tensor}`` over ``specs`` (named
    ``tf.TensorSpec`` in input order); ``models``: the Keras models whose
    weights it reads; ``compare(run)``: ``[(converted, reference)]`` array
    pairs from a ``run(inputs) -> outputs`` of the converted file;
    ``constraints``: what the converted file's shapes require, in words."""

    name: str
    function: Callable
    specs: list
    models: list
    compare: Callable
    constraints: list[str] = field(default_factory=list)


def sequence_batch(fmt: str):
    """The batch size of a core that loops over a sequence (None: any)."""
    return 1 if fmt == "tflite" else None


def batch_note(fmt: str, name: str) -> list[str]:
    if fmt != "tflite":
        return [f"{name}: any batch size and any number of steps"]
    return [(f"{name}: batch size 1 (TFLite lowers the recurrent loop only with a static "
             "batch); any number of steps; run a batch one row at a time")]


def pairs(got: dict, expected: dict) -> list:
    return [(np.asarray(got[key]), np.asarray(expected[key])) for key in expected]


def as_outputs(value, name: str) -> dict:
    return dict(value) if isinstance(value, dict) else {name: value}


def padded_ids(rng, rows: int, length: int, low: int, high: int) -> np.ndarray:
    """Random ids in ``[low, high)``, each row a random length >= 1, right-padded with 0."""
    ids = rng.integers(low, max(high, low + 1), size=(rows, length)).astype(np.int32)
    for row, keep in enumerate(rng.integers(1, length + 1, size=rows)):
        ids[row, keep:] = 0
    ids[0, :] = np.where(ids[0] > 0, ids[0], low)  # one full-length row
    return ids


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


def _frame_sample(rng, n_features: int, pad: float) -> np.ndarray:
    frames = rng.normal(size=(SAMPLE_ROWS, 7, n_features)).astype(np.float32)
    for row, keep in enumerate([7, 3, 5][:SAMPLE_ROWS]):
        frames[row, keep:] = pad
    return frames


def _token_sample(rng, task) -> dict:
    encoder = task.encoder_
    words = padded_ids(rng, SAMPLE_ROWS, 6, 1, encoder.word_vocabulary_size)
    chars = np.zeros((*words.shape, encoder.max_word_length), np.int32)
    for row, column in zip(*np.nonzero(words)):
        size = rng.integers(1, encoder.max_word_length + 1)
        chars[row, column, :size] = rng.integers(1, encoder.char_vocabulary_size, size=size)
    return {"word_ids": words, "char_ids": chars}


def tagging_core(task, fmt: str) -> Core:
    """Word ids (and character ids) or scaled frames -> per-step tag scores:
    probabilities (softmax head) or emissions (CRF head, decoded outside)."""
    import tensorflow as tf

    from rnn_apps.tasks.tagging.network import CRF_LAYER, FRAME_PAD

    model, batch = rebuild(task.model_), sequence_batch(fmt)
    crf = CRF_LAYER in [layer.name for layer in task.model_.layers]
    output = "emissions" if crf else "probabilities"
    rng = np.random.default_rng(0)
    if task.state_["kind"] == "frames":
        n_features = task.state_["n_features"]
        specs = [tf.TensorSpec([batch, None, n_features], tf.float32, name="frames")]

        def function(frames):
            return {output: model([frames], training=False)}

        sample = {"frames": _frame_sample(rng, n_features, FRAME_PAD)}
        expected = {output: task.model_([sample["frames"]], training=False)}
        notes = [(f"frames are scaled per feature and padded with {FRAME_PAD:g} (see "
                  "preprocessing.json)")]
    else:
        width = task.encoder_.max_word_length
        specs = [tf.TensorSpec([batch, None], tf.int32, name="word_ids")]
        if task.char_filters:
            specs.append(tf.TensorSpec([batch, None, width], tf.int32, name="char_ids"))

        def function(word_ids, char_ids=None):
            if char_ids is None:  # the network has no character features: nothing reads them
                shape = tf.concat([tf.shape(word_ids), [1]], axis=0)
                char_ids = tf.zeros(shape, tf.int32)
            return {output: model([word_ids, char_ids], training=False)}

        full = _token_sample(rng, task)
        sample = {spec.name: full[spec.name] for spec in specs}
        expected = {output: task.model_([full["word_ids"], full["char_ids"]], training=False)}
        notes = ["word_ids are right-padded with 0" + (
            f"; char_ids hold the first {width} characters of each token, padded with 0"
            if task.char_filters else "")]
    return Core("model", function, specs, [model],
                lambda run: pairs(run(sample), expected), batch_note(fmt, "model") + notes)
