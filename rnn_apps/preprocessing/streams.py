"""Helpers for data read lazily: hash splits and datasets over Python iterators."""

from __future__ import annotations

import zlib

BUCKETS = 10_000


def hash_split(share: float):
    """``text -> True`` for about ``share`` of texts, the same every pass and run
    (a CRC-32 of the UTF-8 text), so equal texts always fall on the same side."""
    cut = round(share * BUCKETS)

    def held_out(text: str) -> bool:
        return zlib.crc32(text.encode("utf-8")) % BUCKETS < cut

    return held_out


def stream_dataset(make_records, signature, errors: list):
    """A ``tf.data.Dataset`` over ``make_records()`` (called anew for every pass).

    A Python error raised while reading (a bad record) is kept in ``errors``,
    so the engine can report it as itself instead of TensorFlow's wrapper.
    """
    import tensorflow as tf

    def generate():
        try:
            yield from make_records()
        except Exception as error:
            errors.append(error)
            raise

    return tf.data.Dataset.from_generator(generate, output_signature=signature)


def split_stream(stream, key, share: float, validation=None):
    """``(train_records, valid_records)``: functions that start a new pass.

    Validation records come from ``validation`` (another stream) when given,
    else from a hash split of ``key(record)`` (None when ``share`` is 0).
    """
    if validation is not None:
        return (lambda: iter(stream)), (lambda: iter(validation))
    if share <= 0:
        return (lambda: iter(stream)), None
    held_out = hash_split(share)

    def part(valid: bool):
        return (record for record in stream if held_out(key(record)) == valid)

    return (lambda: part(False)), (lambda: part(True))


def batches_of(records, size: int = 1024):
    """Lists of up to ``size`` records."""
    batch = []
    for record in records:
        batch.append(record)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
