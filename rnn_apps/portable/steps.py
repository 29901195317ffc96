"""One-step cores for the tasks that generate: textgen and seq2seq.

Generation is a loop that feeds each output back in, so these cores take
the recurrent states as explicit inputs and return the new ones, and the
loop runs in whatever calls them. Each is a fresh copy of the trained
network's layers (``return_state`` and ``initial_state`` as in training,
weights copied, the one-step loop unrolled), checked by running it step by
step over a sequence and comparing with the trained network's teacher-forced
outputs over the whole sequence.
"""

from __future__ import annotations

import numpy as np

from rnn_apps.portable.cores import (
    SAMPLE_ROWS,
    Core,
    batch_note,
    padded_ids,
    pairs,
    sequence_batch,
)
from rnn_apps.portable.rebuild import rebuild

STEPS = 6
STEP_NOTE = ("{name}: any batch size, one step per call (the loop is unrolled); feed each "
             "next_state_* output back as the state_* input of the next call")
NEXT = "next_"


def _state_specs(model_inputs, names):
    import tensorflow as tf

    return [tf.TensorSpec([None, int(tensor.shape[-1])], tf.float32, name=name)
            for tensor, name in zip(model_inputs, names)]


def _loop(run, first: dict, tokens: np.ndarray, token_name: str, state_names, keys):
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


def textgen_step(task, fmt: str) -> Core:
    """``(char_id [batch, 1], state_*) -> (logits [batch, vocab], next_state_*)``."""
    import tensorflow as tf

    token_name = task.model_.inputs[0].name
    model = rebuild(task.model_, unroll=True, shapes={token_name: [None, 1]})
    state_names = [tensor.name for tensor in task.model_.inputs[1:]]  # state_<layer>_<k>
    specs = [tf.TensorSpec([None, 1], tf.int32, name="char_id"),
             *_state_specs(task.model_.inputs[1:], state_names)]

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
        got, states = _loop(run, zeros, ids, "char_id", state_names, ["logits"])
        return pairs({**got, **states}, expected)

    return Core("step", function, specs, [model], compare, [STEP_NOTE.format(name="step")])


def _decoder_state_names(decoder) -> list[str]:
    """``state_<layer>_<k>`` for the decoder's ``initial_<layer>_<k>`` inputs, in order."""
    return ["state_" + tensor.name.split("initial_", 1)[1] for tensor in decoder.inputs[3:]]


def seq2seq_encoder(task, fmt: str) -> Core:
    """``source_ids [batch, time] -> (encoder_outputs [batch, time, units], state_*)``."""
    import tensorflow as tf

    trained = task.model_.get_layer("encoder")
    names = _decoder_state_names(task.model_.get_layer("decoder"))
    encoder = rebuild(trained)
    specs = [tf.TensorSpec([sequence_batch(fmt), None], tf.int32, name="source_ids")]

    def function(source_ids):
        out = encoder(source_ids, training=False)
        return {"encoder_outputs": out[0], **dict(zip(names, out[1:]))}

    ids = _source_sample(task)
    out = trained(ids, training=False)
    expected = {"encoder_outputs": out[0], **dict(zip(names, out[1:]))}
    return Core("encoder", function, specs, [encoder],
                lambda run: pairs(run({"source_ids": ids}), expected),
                [*batch_note(fmt, "encoder"),
                 ("source_ids are right-padded with 0 and cut to max_source_length = "
                  f"{task.state_['max_source_length']}")])


def _source_sample(task) -> np.ndarray:
    length = min(int(task.state_["max_source_length"]), 8)
    return padded_ids(np.random.default_rng(0), SAMPLE_ROWS, length, 1, task.source_vocab_.size)


def seq2seq_decoder_step(task, fmt: str) -> Core:
    """``(previous_id [batch, 1], state_*[, encoder_outputs, source_ids]) ->
    (logits [batch, vocab], next_state_*[, attention [batch, time]])``; the encoder
    outputs and source ids (0 = padding, not attended to) only with attention."""
    import tensorflow as tf

    from rnn_apps.preprocessing.sequences import START_ID

    trained_encoder, trained = (task.model_.get_layer(n) for n in ("encoder", "decoder"))
    decoder = rebuild(trained, unroll=True, shapes={trained.inputs[0].name: [None, 1]})
    names = _decoder_state_names(trained)
    attention = "attention" in trained.output
    width = int(trained.inputs[1].shape[-1])
    specs = [tf.TensorSpec([None, 1], tf.int32, name="previous_id"),
             *_state_specs(trained.inputs[3:], names)]
    if attention:
        specs += [tf.TensorSpec([None, None, width], tf.float32, name="encoder_outputs"),
                  tf.TensorSpec([None, None], tf.int32, name="source_ids")]

    def function(previous_id, encoder_outputs=None, source_ids=None, **states):
        if encoder_outputs is None:  # without attention nothing reads them
            rows = tf.shape(previous_id)[0]
            encoder_outputs = tf.zeros(tf.stack([rows, 1, width]))
            source_ids = tf.zeros(tf.stack([rows, 1]), tf.int32)
        out = decoder([previous_id, encoder_outputs, source_ids,
                       *(states[name] for name in names)], training=False)
        result = {"logits": out["logits"][:, 0], **{NEXT + name: out[name] for name in names}}
        if attention:
            result["attention"] = out["attention"][:, 0]
        return result

    source = _source_sample(task)
    encoded = [np.asarray(t) for t in trained_encoder(source, training=False)]
    targets = np.random.default_rng(1).integers(4, max(task.target_vocab_.size, 5),
                                                size=(SAMPLE_ROWS, STEPS)).astype(np.int32)
    targets[:, 0] = START_ID
    first = dict(zip(names, encoded[1:]))
    if attention:
        first.update(encoder_outputs=encoded[0], source_ids=source)
    full = trained([targets, encoded[0], source, *encoded[1:]], training=False)
    keys = ["logits", "attention"] if attention else ["logits"]
    expected = {key: np.asarray(full[key]) for key in keys}
    expected.update({NEXT + name: np.asarray(full[name]) for name in names})

    def compare(run):
        got, states = _loop(run, first, targets, "previous_id", names, keys)
        return pairs({**got, **states}, expected)

    return Core("decoder_step", function, specs, [decoder], compare,
                [STEP_NOTE.format(name="decoder_step")])
