"""The text generator's portable core and its ``preprocessing.json``.

Generation feeds each output back in, so the core is one step: a character id
and the recurrent states in, the next character's logits and the new states
out; the sampling loop runs in whatever calls it. It is a fresh copy of the
trained network (``return_state`` and ``initial_state`` as in training,
weights copied, the one-step loop unrolled), checked by running it step by
step over a sequence against the trained network's outputs over the whole
sequence.
"""

from __future__ import annotations

import numpy as np

from rnn_apps.portable.cores import (
    IDS,
    NEXT,
    SAMPLE_ROWS,
    STEP_NOTE,
    STEPS,
    Core,
    pairs,
    rebuild,
    state_specs,
    step_loop,
)


def textgen_step(task, fmt: str) -> Core:
    """``(char_id [batch, 1], state_*) -> (logits [batch, vocab], next_state_*)``."""
    import tensorflow as tf

    token_name = task.model_.inputs[0].name
    model = rebuild(task.model_, unroll=True, shapes={token_name: [None, 1]})
    state_names = [tensor.name for tensor in task.model_.inputs[1:]]  # state_<layer>_<k>
    specs = [tf.TensorSpec([None, 1], tf.int32, name="char_id"),
             *state_specs(task.model_.inputs[1:], state_names)]

    def function(char_id, **states):
        out = model([char_id, *(states[name] for name in state_names)], training=False)
        return {"logits": out[0][:, 0],
                **{NEXT + name: state for name, state in zip(state_names, out[1:])}}

    rng = np.random.default_rng(0)  # characters only: a generated text has no padding
    ids = rng.integers(2, len(task.vocabulary_), size=(SAMPLE_ROWS, STEPS)).astype(np.int32)
    zeros = {name: np.zeros((SAMPLE_ROWS, spec.shape[-1]), np.float32)
             for name, spec in zip(state_names, specs[1:])}
    full = task.model_([ids, *zeros.values()], training=False)
    expected = {"logits": np.asarray(full[0]),
                **{NEXT + name: np.asarray(s) for name, s in zip(state_names, full[1:])}}

    def compare(run):
        got, states = step_loop(run, zeros, ids, "char_id", state_names, ["logits"])
        return pairs({**got, **states}, expected)

    return Core("step", function, specs, [model], compare, [STEP_NOTE.format(name="step")])


def describe(task, fmt: str) -> dict:
    return {
        "chars": list(task.vocabulary_.chars),
        "vocabulary": ["", "\ufffd", *task.vocabulary_.chars], **IDS,
        "lookup": "a character's id is its index in vocabulary (one per Unicode code point); "
                  "characters not in it get oov_id",
        "generation": ("start from zero states; feed the prompt's ids one at a time; the "
                       "logits after the last prompt character give the next one; never "
                       "pick padding_id or oov_id; temperature divides the logits before "
                       "sampling (0: argmax); feed each picked id back"),
    }


CORES = [textgen_step]
