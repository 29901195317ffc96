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


def stream_dataset(make_records, signature, errors: list, chunk: int = 1024):
    """A ``tf.data.Dataset`` of the records of ``make_records()`` (called anew for
    every pass); each record is a tuple of values matching ``signature``, a
    tuple of ``tf.TensorSpec`` (a leading ``None`` dimension: variable length).

    Records cross from Python to TensorFlow ``chunk`` at a time (one generator
    call per chunk, not per record: ``from_generator`` costs far more per call
    than per value) and are split again by ``unbatch``; components of variable
    length travel as flat values and lengths. A Python error raised while
    reading (a bad record) is kept in ``errors``, so the engine can report it
    as itself instead of TensorFlow's wrapper.
    """
    import numpy as np
    import tensorflow as tf

    specs = list(signature)
    ragged = [spec.shape.rank >= 1 and spec.shape[0] is None for spec in specs]
    packed = []
    for spec, varies in zip(specs, ragged):
        if varies:
            packed += [tf.TensorSpec([None, *spec.shape[1:]], spec.dtype),
                       tf.TensorSpec([None], tf.int64)]
        else:
            packed.append(tf.TensorSpec([None, *spec.shape], spec.dtype))

    def pack(rows):
        out = []
        for k, (spec, varies) in enumerate(zip(specs, ragged)):
            column = [row[k] for row in rows]
            dtype = spec.dtype.as_numpy_dtype
            if varies:
                values = [v for item in column for v in item]
                out += [np.array(values, dtype=dtype).reshape(-1, *spec.shape[1:]),
                        np.array([len(item) for item in column], np.int64)]
            else:
                out.append(np.array(column, dtype=dtype))
        return tuple(out)

    def generate():
        try:
            rows = []
            for record in make_records():
                rows.append(record)
                if len(rows) == chunk:
                    yield pack(rows)
                    rows = []
            if rows:
                yield pack(rows)
        except Exception as error:
            errors.append(error)
            raise

    def unpack(*parts):
        parts, components = list(parts), []
        for varies in ragged:
            if varies:
                values, lengths = parts.pop(0), parts.pop(0)
                components.append(tf.RaggedTensor.from_row_lengths(values, lengths))
            else:
                components.append(parts.pop(0))
        return tuple(components)

    def dense(*element):  # unbatched ragged rows come back typed as ragged
        return tf.nest.map_structure(tf.convert_to_tensor, element)

    dataset = tf.data.Dataset.from_generator(generate, output_signature=tuple(packed))
    dataset = dataset.map(unpack).unbatch()
    return dataset.map(dense) if any(ragged) else dataset


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
