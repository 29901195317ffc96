"""The sequence-to-sequence model's portable cores and its ``preprocessing.json``.

Two cores: the encoder (source ids in, its outputs and final states out) and
one decoder step (the previous id and the states in, the next id's logits and
the new states out), so that beam search or greedy decoding runs in whatever
calls them. Each is a fresh copy of the trained layers (the decoder's
one-step loop unrolled), the decoder step checked by running it step by step
over a sequence against the trained decoder's teacher-forced outputs.
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
    batch_note,
    padded_ids,
    pairs,
    rebuild,
    sequence_batch,
    state_specs,
    step_loop,
)


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
             *state_specs(trained.inputs[3:], names)]
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
        got, states = step_loop(run, first, targets, "previous_id", names, keys)
        return pairs({**got, **states}, expected)

    return Core("decoder_step", function, specs, [decoder], compare,
                [STEP_NOTE.format(name="decoder_step")])


def describe(task, fmt: str) -> dict:
    from rnn_apps.preprocessing.sequences import END_ID, JOIN_RULES, START_ID

    def side(vocabulary) -> dict:
        split = ("one token per Unicode code point" if vocabulary.level == "char" else
                 "put a space on both sides of every Unicode punctuation character (general "
                 "category P*), then split on runs of ASCII whitespace")
        return {"vocabulary": ["", "[UNK]", *vocabulary.reserved, *vocabulary.tokens], **IDS,
                "level": vocabulary.level, "lowercase": vocabulary.lowercase,
                "split": split, "separator": vocabulary.separator}

    target = side(task.target_vocab_)
    if task.target_vocab_.level == "word":
        # the rules the SavedModel joins words with, applied in order after joining
        target["join_rules"] = [{"pattern": p, "replacement": r} for p, r in JOIN_RULES]
        target["join_rules_about"] = ("regular expression replacements (RE2 syntax, where "
                                      "\\d and \\w match ASCII only: Python's re.sub "
                                      "with flags=re.ASCII does the same)")
    return {
        "source": {**side(task.source_vocab_),
                   "max_length": task.state_["max_source_length"],
                   "encode": "ids of the first max_length tokens (Unicode-lowercased first "
                             "when lowercase is true), right-padded with padding_id"},
        "target": {**target, "start_id": START_ID, "end_id": END_ID,
                   "max_length": task.state_["max_target_length"] + 1},
        "decoding": {"beam_width": task.beam_width, "length_penalty": task.length_penalty,
                     "never_written": [0, 1, START_ID],
                     "about": ("run the encoder; start the decoder step from previous_id = "
                               "start_id and the encoder's state_* outputs (with attention "
                               "also its encoder_outputs and the source_ids); each step's "
                               "log_softmax(logits) extends the hypotheses; stop at end_id "
                               "or max_length; rank by sum of log probabilities / length ** "
                               "length_penalty; join the tokens with the separator")},
    }


CORES = [seq2seq_encoder, seq2seq_decoder_step]
