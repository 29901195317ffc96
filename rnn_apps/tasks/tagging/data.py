"""Tagging data: the kind of input told from the data, sequences checked,
the validation split, the fitted tag set with its vocabulary or scaler, raw
batches padded for the network, and the in-graph checks on a raw batch, for
:class:`~rnn_apps.tasks.tagging.estimator.Tagger`.
"""

from __future__ import annotations

import numpy as np

from rnn_apps.errors import DataError
from rnn_apps.preprocessing.labels import check_tags, label_dtype
from rnn_apps.preprocessing.series import SeriesScaler, column_order
from rnn_apps.preprocessing.tokens import TokenEncoder, check_token_lists, pad_tokens


def is_frames(X) -> bool:
    if isinstance(X, np.ndarray) and X.dtype.kind == "f":
        return True
    first = X[0] if hasattr(X, "__len__") and len(X) else None
    return isinstance(first, np.ndarray) and first.dtype.kind in "fiu"


def check_frames(X) -> list[np.ndarray]:
    sequences = [np.asarray(s, dtype=np.float32) for s in X]
    width = None
    for index, frames in enumerate(sequences):
        if frames.ndim != 2 or len(frames) == 0:
            raise DataError(f"sequence {index} must be [frames, features] with at least one "
                            f"frame; got shape {frames.shape}")
        width = frames.shape[1] if width is None else width
        if frames.shape[1] != width:
            raise DataError(f"sequence {index} has {frames.shape[1]} features; sequence 0 "
                            f"has {width}")
        if not np.isfinite(frames).all():
            raise DataError(f"sequence {index} has NaN or infinite values")
    return sequences


def check_data(X, y=None, need_tags=True):
    """``(frames?, sequences, tags or None)``: token lists or frame arrays, checked,
    with their tags when ``need_tags`` (one-line errors)."""
    frames = is_frames(X)
    sequences = check_frames(X) if frames else check_token_lists(X)
    tags = check_tags(sequences, y, "sequence" if frames else "sentence") \
        if need_tags else None
    return frames, sequences, tags


def split_validation(sequences, tags, valid_split, seed):
    """``(sequences, tags, valid)``: a random ``valid_split`` share held out
    (``valid`` is ``(sequences, tags)``, or None when nothing is held out)."""
    order = np.random.default_rng(seed).permutation(len(sequences))
    n_valid = int(len(sequences) * valid_split)
    keep, held = order[n_valid:], order[:n_valid]
    valid = ([sequences[i] for i in held], [tags[i] for i in held]) if n_valid else None
    return [sequences[i] for i in keep], [tags[i] for i in keep], valid


def fitted_state(X, y, sequences, tags, frames: bool, prior, *, max_tokens, lowercase) -> dict:
    """The warm-start state (checked against the data kind) or a new one: the
    tag set and the scaler (frames) or the token encoder (tokens)."""
    if prior:
        state = dict(prior)
        if (state["kind"] == "frames") != frames:
            raise DataError(f"the warm-start model tags {state['kind']}; the data is "
                            f"{'frames' if frames else 'tokens'}")
        return state
    tag_set = sorted({t for labels in tags for t in labels})
    if len(tag_set) < 2:
        raise DataError(f"need at least 2 different tags to train; found {tag_set}")
    state = {"kind": "frames" if frames else "tokens", "tags": tag_set,
             "tag_dtype": label_dtype(next(iter(y)), tags[0])}
    if frames:
        state.update(n_features=int(sequences[0].shape[1]),
                     scaler=SeriesScaler.fit(np.concatenate(sequences)).get_state(),
                     feature_names=getattr(X, "feature_names", None))
    else:
        state["encoder"] = TokenEncoder.fit(sequences, max_tokens=max_tokens,
                                            lowercase=lowercase).get_state()
    return state


def raw_batch(state: dict, sequences):
    """Tokens padded with "" or scaled-later frames padded with NaN."""
    if state["kind"] == "tokens":
        return pad_tokens(sequences).astype(str)
    length = max(len(s) for s in sequences)
    out = np.full((len(sequences), length, state["n_features"]), np.nan, np.float32)
    for row, frames in enumerate(sequences):
        out[row, :len(frames)] = frames
    return out


def checked_raw(state: dict, raw):
    """In the graph: a non-empty batch, every sequence with a token (or a frame),
    no NUL in tokens, no infinite feature values (NaN is frame padding)."""
    import tensorflow as tf

    from rnn_apps.core.graph_checks import checked, no_nul, size_is

    shape = tf.shape(raw)
    conditions = [(tf.logical_and(shape[0] > 0, shape[1] > 0), "the batch is empty")]
    if state["kind"] == "tokens":
        conditions += [
            (tf.reduce_all(tf.reduce_any(tf.not_equal(raw, ""), axis=1)),
             "a sentence has no tokens"), no_nul(raw, "token")]
    else:
        present = tf.reduce_any(tf.logical_not(tf.math.is_nan(raw)), axis=-1)
        n_features = state["n_features"]
        conditions += [
            size_is(raw, 2, n_features, f"the model expects {n_features} features per frame"),
            (tf.reduce_all(tf.reduce_any(present, axis=1)), "a sequence has no frames"),
            (tf.logical_not(tf.reduce_any(tf.math.is_inf(raw))),
             "a frame holds an infinite value")]
    return checked(raw, *conditions)


def matched_inputs(state: dict, frames: bool, sequences, names):
    """Sequences checked against the trained kind and frame width, frame
    columns put in the training order by name when both are named."""
    if frames != (state["kind"] == "frames"):
        raise DataError(f"this model tags {state['kind']}; got "
                        f"{'frames' if frames else 'tokens'}")
    if frames:
        order = column_order(state.get("feature_names"), names, "feature", "the frames have")
        sequences = sequences if order is None else [f[:, order] for f in sequences]
    if frames and sequences[0].shape[1] != state["n_features"]:
        raise DataError(f"frames have {sequences[0].shape[1]} features; the model was "
                        f"trained on {state['n_features']}")
    return sequences


def training_plan(build, x, y_ids, weights, validation, crf: bool):
    """The engine's plan: the CRF reads the gold tags and adds its loss itself;
    else a softmax per step with the padding weighted out."""
    from rnn_apps.core.engine import TrainingPlan

    if crf:
        data = {"train": ((*x, y_ids),),
                "valid": None if validation is None else ((*validation[0], validation[1]),)}
        return TrainingPlan(build=build, size=len(y_ids), **data)
    return TrainingPlan(build=build, size=len(y_ids), train=(tuple(x), y_ids, weights),
                        valid=None if validation is None else (tuple(validation[0]),
                                                               *validation[1:]),
                        loss="sparse_categorical_crossentropy")


def export_archive(model, function, tags, spec, kind: str, lookups):
    """The SavedModel archive: raw tokens (or frames) in, tag texts out ("" on padding)."""
    import keras
    import tensorflow as tf

    table = tf.constant(["", *(str(t) for t in tags)])  # a tag's text: "1", "True"

    def tags_of(raw):
        ids, mask = function(raw)
        return {"tags": tf.gather(table, tf.where(mask, ids + 1, 0))}

    if kind == "tokens":
        serve = tf.function(lambda tokens: tags_of(tokens), input_signature=[spec])
    else:
        serve = tf.function(lambda frames: tags_of(frames), input_signature=[spec])

    archive = keras.export.ExportArchive()
    archive.track(model)
    for layer in lookups:
        archive.track(layer)
    archive.add_endpoint("serving_default", serve)
    return archive
