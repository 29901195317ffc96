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
