"""The tagger's portable core and its ``preprocessing.json``: word (and
character) ids or scaled frames in, per-step tag probabilities out, or CRF
emissions with the transitions to decode them outside."""

from __future__ import annotations

import numpy as np

from rnn_apps.errors import DataError
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
from rnn_apps.tasks.tagging.network import CRF_LAYER, FRAME_PAD


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

    if task.state_.get("char_lm"):
        raise DataError("a tagger with char_lm has no portable core yet; export the "
                        "SavedModel (rnn-apps tagging export) instead")
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


def describe(task, fmt: str) -> dict:
    state, layers = task.state_, [layer.name for layer in task.model_.layers]
    out = {"kind": state["kind"], "tags": list(task.tags_)}
    if state["kind"] == "frames":
        out.update(input="frames [time, features] per sequence",
                   scaler={"mean": task.scaler_.mean.tolist(), "std": task.scaler_.std.tolist()},
                   scaling="(value - mean) / std per feature",
                   padding_value=FRAME_PAD,
                   padding=f"steps after a sequence's end hold {FRAME_PAD:g} in every feature",
                   feature_names=state.get("feature_names"))
    else:
        encoder = task.encoder_
        out.update(
            input="tokens (a list of strings per sentence)",
            words={"vocabulary": ["", "[UNK]", *encoder.words], **IDS,
                   "lowercase": encoder.lowercase,
                   "lookup": "id of the token (Unicode-lowercased first when lowercase is "
                             "true) in vocabulary, oov_id when absent; padding steps get "
                             "padding_id"},
            chars={"vocabulary": ["", "[UNK]", *encoder.chars], **IDS,
                   "max_word_length": encoder.max_word_length,
                   "lookup": "ids of the token's first max_word_length Unicode code points "
                             "(case kept), right-padded with padding_id"},
            char_features=bool(task.char_filters))
    if CRF_LAYER in layers:
        transitions, start, end = task.model_.get_layer(CRF_LAYER).get_weights()
        out["crf"] = {
            "transitions": transitions.tolist(), "start": start.tolist(), "end": end.tolist(),
            "about": ("score of tags y_1..y_n = start[y_1] + sum emissions[t][y_t] + sum "
                      "transitions[y_t][y_t+1] + end[y_n] over a sequence's real steps; "
                      "Viterbi gives the best sequence")}
        out["output"] = "emissions [time, tags]; decode with the crf scores"
    else:
        out["output"] = "probabilities [time, tags]; the tag of a step is the argmax"
    return out


CORES = [tagging_core]
