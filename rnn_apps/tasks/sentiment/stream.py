"""Sentiment training on a record stream: files larger than memory.

One pass over the training records fits the vocabulary (capped by
``max_tokens``) and counts the labels; a second finds the automatic length
(when ``max_length`` is None). Every epoch then reads the file again, through
a bounded shuffle buffer. Validation records come from ``validation_data``
(another stream) or a deterministic hash split of the records' texts.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from rnn_apps.errors import DataError
from rnn_apps.preprocessing import text as text_prep
from rnn_apps.preprocessing.labels import LabelEncoder
from rnn_apps.preprocessing.streams import batches_of, split_stream, stream_dataset
from rnn_apps.tasks.sentiment.network import class_weights, network_plan
from rnn_apps.tasks.sentiment.wide import extras


def _batches(records):
    return (np.array(batch, dtype=object) for batch in batches_of(records, 16384))


def stream_plan(task, config, stream, y, validation_data, prior):
    import tensorflow as tf

    if task.wide:
        raise DataError("wide=True (a blend with a logistic regression fitted in memory) "
                        "needs in-memory texts, not a record stream; drop wide or --stream")
    if y is not None:
        raise DataError("with a record stream the labels come from the stream; pass y=None")
    if len(stream.columns) != 2:
        raise DataError("sentiment needs a stream of (text, label) records "
                        "(read_labelled_texts(..., stream=True))")
    train_records, valid_records = split_stream(stream, lambda record: record[0],
                                                task.valid_split, validation_data)
    counts: Counter = Counter()

    def train_texts(count=True):
        for text, label in train_records():
            if count:
                counts[label] += 1
            yield text

    passes: list = []

    def train_batches():  # the first pass counts the labels
        passes.append(1)
        return _batches(train_texts(count=len(passes) == 1))

    if prior:
        encoder = text_prep.TextEncoder.from_state(prior["text"])
        label_encoder = LabelEncoder(prior["classes"], prior.get("label_dtype"))
        for _ in train_texts():  # one checking pass, for the label counts
            pass
    else:
        encoder = text_prep.TextEncoder.fit(
            train_batches, level=task.level, standardize=task.standardize,
            max_tokens=task.max_tokens, max_length=task.max_length, truncating=task.truncating,
            vocab_size=task.vocab_size, subword_model=task.subword_model)
        label_encoder = LabelEncoder.fit(sorted(counts, key=str))
    if not counts:
        raise DataError(f"{stream.path}: no training records (all were held out for "
                        "validation); lower valid_split")
    unseen = [label for label in counts if label not in set(label_encoder.classes)]
    if unseen:
        raise DataError(f"labels not known to the warm-start model: {', '.join(unseen[:5])}")
    more, vectors = extras(task, encoder, train_batches, prior)
    task.set_state({"classes": label_encoder.classes, "label_dtype": label_encoder.dtype,
                     "text": encoder.get_state(), **more})
    index = {label: i for i, label in enumerate(label_encoder.classes)}
    label_counts = np.array([counts.get(c, 0) for c in label_encoder.classes])
    weights = class_weights(task.class_weight, label_encoder, counts=label_counts)
    weights = None if weights is None else tf.constant(weights, tf.float32)

    def labelled(records, what):
        for text, label in records:
            if label not in index:
                raise DataError(f"{what}: label {label!r} is not among the training labels "
                                f"({', '.join(map(str, label_encoder.classes))})")
            yield text, index[label]

    signature = (tf.TensorSpec([], tf.string), tf.TensorSpec([], tf.int32))
    errors: list = []
    train = stream_dataset(lambda: labelled(train_records(), str(stream.path)), signature,
                           errors)
    valid = None if valid_records is None else stream_dataset(
        lambda: labelled(valid_records(), "validation data"), signature, errors)

    def encoded(dataset):  # vectorised 1,024 texts at a time, before shuffling
        def encode(text, label):
            ids = encoder(text)
            if weights is None:
                return ids, label
            return ids, label, tf.gather(weights, label)

        return dataset.batch(1024).map(encode, num_parallel_calls=tf.data.AUTOTUNE).unbatch()

    plan = network_plan(task, config, vectors, train=encoded(train),
                        valid=valid and encoded(valid))
    plan.errors = errors
    return plan
