"""What every portable core is made of, and the helpers a task's cores and
``preprocessing.json`` description share.

A :class:`Core` is what gets converted: a TensorFlow function over named
input tensors returning named outputs, built on a fresh copy of the trained
network (:func:`rebuild`), plus a check that runs the converted file on
sample inputs and pairs its outputs with the trained Keras model's.
Each task's package holds its own core builders (its ``portable_cores``
hook) and the description of everything outside them (``portable_describe``).

One-step cores, for the tasks that generate, take the recurrent states as
explicit inputs and return the new ones (``next_state_*``), so that the loop
feeding each output back runs in whatever calls them; :func:`step_loop` runs
such a converted core over a sequence to check it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from rnn_apps.portable.rebuild import rebuild

__all__ = ["ASCII_WHITESPACE", "IDS", "NEXT", "SAMPLE_ROWS", "STEPS", "STEP_NOTE",
           "STRIP_PUNCTUATION", "Core", "as_outputs", "batch_note", "padded_ids", "pairs",
           "rebuild", "sequence_batch", "state_specs", "step_loop"]

SAMPLE_ROWS = 3
STEPS = 6  # sample steps of a one-step core's check
STEP_NOTE = ("{name}: any batch size, one step per call (the loop is unrolled); feed each "
             "next_state_* output back as the state_* input of the next call")
NEXT = "next_"

# in preprocessing.json
STRIP_PUNCTUATION = r'[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']'  # Keras' TextVectorization
ASCII_WHITESPACE = " \t\n\u000b\f\r"
IDS = {"padding_id": 0, "oov_id": 1}


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


def state_specs(model_inputs, names):
    """Float state inputs ``[batch, units]``, one per model input, named ``names``."""
    import tensorflow as tf

    return [tf.TensorSpec([None, int(tensor.shape[-1])], tf.float32, name=name)
            for tensor, name in zip(model_inputs, names)]


def step_loop(run, first: dict, tokens: np.ndarray, token_name: str, state_names, keys):
    """Run ``run`` over the columns of ``tokens``, feeding the states back;
    ``{key: outputs stacked on a time axis}`` and the final states."""
    states = {name: first[name] for name in state_names}
    fixed = {k: v for k, v in first.items() if k not in states}
    collected = {key: [] for key in keys}
    for step in range(tokens.shape[1]):
        out = run({token_name: tokens[:, step:step + 1], **fixed, **states})
        for key in keys:
            collected[key].append(np.asarray(out[key]))
        states = {name: np.asarray(out[NEXT + name]) for name in state_names}
    stacked = {key: np.stack(values, axis=1) for key, values in collected.items()}
    return stacked, {NEXT + name: value for name, value in states.items()}
