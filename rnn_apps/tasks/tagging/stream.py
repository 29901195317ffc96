"""Tagging trained on a stream of tagged sentences (a corpus larger than memory).

One pass fits the word and character vocabularies (``max_tokens`` words) and
the tag set; every epoch reads the corpus again. Sentences are padded per
batch, not to the longest sentence of the corpus. Validation sentences come
from ``validation_data`` (another stream) or a hash split of the sentences.
"""

from __future__ import annotations

from rnn_apps.errors import DataError
from rnn_apps.preprocessing.streams import split_stream, stream_dataset
from rnn_apps.preprocessing.tokens import PAD, TokenEncoder


def stream_plan(task, config, stream, validation_data, prior, build):
    import tensorflow as tf

    from rnn_apps.core.engine import TrainingPlan

    if task.char_lm is not None:
        raise DataError("char_lm reads its sentences in memory, not streamed")
    if stream.columns != ("tokens", "tags"):
        raise DataError("tagging streams hold (tokens, tags) sentences "
                        "(read_tagged(..., stream=True)); frame CSVs are read in memory")
    train_records, valid_records = split_stream(stream, lambda record: " ".join(record[0]),
                                                task.valid_split, validation_data)
    tags_seen: set = set()

    def checked(records, what):
        for index, (tokens, tags) in enumerate(records):
            if len(tokens) != len(tags) or not tokens:
                raise DataError(f"{what}: sentence {index} has {len(tokens)} tokens and "
                                f"{len(tags)} tags")
            tags_seen.update(tags)
            yield tokens

    if prior:
        state = dict(prior)
        if state["kind"] != "tokens":
            raise DataError("the warm-start model tags frames; the stream holds tokens")
        for _ in checked(train_records(), str(stream.path)):
            pass
    else:
        encoder = TokenEncoder.fit(checked(train_records(), str(stream.path)),
                                   max_tokens=task.max_tokens, lowercase=task.lowercase)
        if len(tags_seen) < 2:
            raise DataError(f"need at least 2 different tags to train; found "
                            f"{sorted(tags_seen)}")
        state = {"kind": "tokens", "tags": sorted(tags_seen), "encoder": encoder.get_state()}
    task.set_state(state)
    index = {tag: i for i, tag in enumerate(task.tags_)}

    def with_ids(records, what):
        for tokens, tags in records:
            unknown = [t for t in tags if t not in index]
            if unknown:
                raise DataError(f"{what}: tag {unknown[0]!r} is not among the training tags")
            yield tokens, [index[t] for t in tags]

    signature = (tf.TensorSpec([None], tf.string), tf.TensorSpec([None], tf.int32))
    errors: list = []
    train = stream_dataset(lambda: with_ids(train_records(), str(stream.path)), signature,
                           errors)
    valid = None if valid_records is None else stream_dataset(
        lambda: with_ids(valid_records(), "validation data"), signature, errors)
    encoder = task.encoder_
    encoder.lookups()  # made eagerly, outside the dataset functions

    def batch(dataset, size):
        def to_inputs(tokens, tag_ids):
            word_ids, char_ids = encoder.encode_graph(tokens)
            weights = tf.cast(tf.not_equal(word_ids, 0), tf.float32)
            if task.crf:
                return ((word_ids, char_ids, tag_ids),)
            return (word_ids, char_ids), tag_ids, weights

        padded = dataset.padded_batch(size, padding_values=(PAD, 0))
        return padded.map(to_inputs, num_parallel_calls=tf.data.AUTOTUNE)

    return TrainingPlan(build=build, train=train, valid=valid, batch=batch, errors=errors,
                        loss=None if task.crf else "sparse_categorical_crossentropy")
