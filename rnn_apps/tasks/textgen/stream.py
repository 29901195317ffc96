"""Text generation trained on a :class:`~rnn_apps.data.text.TextStream`.

One pass over the files counts the characters (the vocabulary, capped by
``max_chars``) and the length. The last ``valid_split`` share of the text,
at most ``VALID_CAP`` characters, is held out for validation and kept in
memory; every epoch reads the rest again, in bounded memory:

- ``mode="tbptt"``: blocks of ``batch_size x BLOCK_CHUNKS x bptt`` characters
  are cut into ``batch_size`` parallel streams and fed chunk by chunk with the
  state carried, as in memory; the state is reset where a block starts.
- ``mode="windows"``: independent ``bptt``-character windows, shuffled
  through the engine's bounded buffer.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from rnn_apps.errors import DataError, RnnAppsError

BLOCK_CHUNKS = 64  # chunks of state carried before a block ends
VALID_CAP = 1_000_000  # held-out characters kept in memory at most


def _id_pieces(stream, vocabulary, limit: int):
    """Ids of the first ``limit`` characters of ``stream``, piece by piece."""
    seen = 0
    for piece in stream:
        if seen >= limit:
            return
        piece = piece[:limit - seen]
        seen += len(piece)
        yield vocabulary.encode(piece)


def _blocks(pieces, size: int):
    """Id arrays of ``size + 1`` ids (one overlapping, for the shifted targets),
    then the remainder."""
    buffer = np.zeros(0, np.int32)
    for ids in pieces:
        buffer = np.concatenate([buffer, ids])
        while len(buffer) >= size + 1:
            yield buffer[:size + 1]
            buffer = buffer[size:]
    if len(buffer) > 1:
        yield buffer


def _tbptt_batches(pieces, streams: int, bptt: int):
    for block in _blocks(pieces, streams * BLOCK_CHUNKS * bptt):
        per = (len(block) - 1) // streams
        if per < 1:
            return
        x = block[:per * streams].reshape(streams, per)
        y = block[1:per * streams + 1].reshape(streams, per)
        for start in range(0, per, bptt):
            yield x[:, start:start + bptt], y[:, start:start + bptt]


def _windows(pieces, bptt: int):
    for block in _blocks(pieces, 4096 * bptt):
        for start in range(0, len(block) - bptt, bptt):
            yield block[start:start + bptt], block[start + 1:start + bptt + 1]


def _tbptt_count(length: int, streams: int, bptt: int) -> int:
    """Batches :func:`_tbptt_batches` yields for ``length`` characters."""
    block = streams * BLOCK_CHUNKS * bptt
    full, rest = divmod(length - 1, block)
    count = full * BLOCK_CHUNKS
    per = (rest + 1 - 1) // streams if rest else 0
    return count + -(-per // bptt)


def stream_training(task, stream, validation_data, prior):
    """``(vocabulary, train dataset, batches or windows per epoch, validation ids)``."""
    import tensorflow as tf

    from rnn_apps.core.training import note
    from rnn_apps.preprocessing.chars import CharVocabulary
    from rnn_apps.preprocessing.streams import stream_dataset
    from rnn_apps.tasks.textgen.data import check_text

    if task.level != "char" or (prior and ("subword" in prior or "level" in prior)):
        level = task.level if task.level != "char" else "subword' or 'word"
        raise RnnAppsError(f"textgen reads streams character by character; level='{level}' "
                           "needs the training text in memory (stream=False)")
    counts: Counter = Counter()
    length = 0
    for piece in stream:  # the checking pass: characters and length
        counts.update(piece)
        length += len(piece)
    if not counts or not "".join(c for c in counts if not c.isspace()):
        raise DataError(f"{stream} holds no text")
    held = 0
    if validation_data is None:
        held = min(int(length * task.valid_split), VALID_CAP)
        held = held if held >= 2 and length - held >= 2 else 0
    train_length = length - held
    if prior:
        vocabulary = CharVocabulary(prior["chars"])
        unseen = vocabulary.unknown_chars("".join(counts))
        if unseen:
            note(f"{len(unseen)} characters of the training text are not in the "
                 "warm-start vocabulary (read as unknown)")
    else:
        if held:  # the vocabulary comes from the training part only
            tail = "".join(stream_tail(stream, length - held))
            counts.subtract(tail)
            counts = Counter({c: n for c, n in counts.items() if n > 0})
        vocabulary = CharVocabulary.fit(counts, task.max_chars)
    valid_ids = None
    if validation_data is not None:
        valid_ids = vocabulary.encode(check_text(validation_data, "validation text"))
    elif held:
        valid_ids = vocabulary.encode("".join(stream_tail(stream, length - held)))
    errors: list = []
    if task.mode == "tbptt":
        shape = tf.TensorSpec([task.batch_size, None], tf.int32)
        size = _tbptt_count(train_length, task.batch_size, task.bptt)
        if size < 1:
            raise DataError(f"the text ({train_length} characters) is too short for "
                            f"{task.batch_size} streams; lower batch_size")
        train = stream_dataset(  # one chunk (a whole batch already) per call
            lambda: _tbptt_batches(_id_pieces(stream, vocabulary, train_length),
                                   task.batch_size, task.bptt), (shape, shape), errors, chunk=1)
        return vocabulary, train, size, valid_ids, BLOCK_CHUNKS, errors
    shape = tf.TensorSpec([task.bptt], tf.int32)
    train = stream_dataset(
        lambda: _windows(_id_pieces(stream, vocabulary, train_length), task.bptt),
        (shape, shape), errors)
    return vocabulary, train, None, valid_ids, None, errors


def stream_tail(stream, start: int):
    """The characters of ``stream`` from position ``start`` on, piece by piece."""
    seen = 0
    for piece in stream:
        if seen + len(piece) > start:
            yield piece[max(0, start - seen):]
        seen += len(piece)
