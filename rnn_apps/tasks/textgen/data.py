"""Text generation data, in memory: the training text checked and split for
validation, the character or subword vocabulary (fitted, or the warm-start
one) and its stored state, and the training batches (tbptt chunks in stream
order, or windows) for :class:`~rnn_apps.tasks.textgen.estimator.TextGenerator`.
"""

from __future__ import annotations

import numpy as np

from rnn_apps.core import training
from rnn_apps.errors import DataError
from rnn_apps.preprocessing.chars import CharVocabulary
from rnn_apps.preprocessing.strings import check_string


def is_text_stream(X) -> bool:
    from rnn_apps.data.text import TextStream

    return isinstance(X, TextStream)


def check_text(text, what: str = "text") -> str:
    """One training/evaluation string from a string or a list of documents."""
    if isinstance(text, str):
        joined = text
    else:
        try:
            parts = list(text)
        except TypeError:
            raise DataError(f"{what} must be a string or a list of strings") from None
        if not all(isinstance(p, str) for p in parts):
            raise DataError(f"{what} must be a string or a list of strings")
        joined = "\n".join(parts)
    if not joined.strip():
        raise DataError(f"{what} is empty")
    return check_string(joined, what)


def split_text(text: str, validation_data, valid_split: float):
    """``(train_text, valid_text)``: the validation text given, or the last
    ``valid_split`` share of the text (None when either part would be too short)."""
    if validation_data is not None:
        return text, check_text(validation_data, "validation text")
    cut = len(text) - int(len(text) * valid_split)
    train_text, valid_text = text[:cut], text[cut:]
    if len(valid_text) < 2 or len(train_text) < 2:
        return text, None
    return train_text, valid_text


def vocabulary_state(vocabulary) -> dict:
    state = {"chars": vocabulary.chars}
    level = getattr(vocabulary, "level", "char")
    if level == "subword":
        state["subword"] = vocabulary.subword
    if level == "word":
        state["level"] = "word"
    return state


def vocabulary_from(state):
    if state.get("level") == "word":
        from rnn_apps.preprocessing.words import WordVocabulary

        return WordVocabulary(state["chars"])
    if "subword" in state:
        from rnn_apps.preprocessing.pieces import PieceVocabulary

        return PieceVocabulary(state["chars"], state["subword"])
    return CharVocabulary(state["chars"])


def fit_vocabulary(task, text, prior):
    """The warm-start vocabulary (unseen characters noted), or one fitted on
    ``text`` at the task's ``level``."""
    if not prior and task.level == "subword":
        from rnn_apps.preprocessing.pieces import PieceVocabulary

        return PieceVocabulary.fit(text, task.vocab_size, task.max_chars, task.subword_model)
    if not prior and task.level == "word":
        from rnn_apps.preprocessing.words import DEFAULT_MAX_WORDS, WordVocabulary

        return WordVocabulary.fit(text, task.max_chars or DEFAULT_MAX_WORDS)
    if not prior:
        return CharVocabulary.fit(text, task.max_chars)
    vocabulary = vocabulary_from(prior)
    unseen = vocabulary.unknown_chars(text)
    if unseen:
        training.note(f"{len(unseen)} characters of the training text are not in the "
                      "warm-start vocabulary (read as unknown)")
    return vocabulary


def training_data(ids, mode: str, batch_size: int, bptt: int):
    """``(train, size)``: chunk batches in stream order (tbptt), or window arrays."""
    import tensorflow as tf

    if mode == "windows":
        x, y = training.sliding_windows(ids, bptt)
        return (x, y), len(x)
    chunks = training.bptt_chunks(ids, batch_size, bptt)
    full = [c for c in chunks if c[0].shape[1] == bptt]
    data = None
    if full:
        data = tf.data.Dataset.from_tensor_slices((np.stack([c[0] for c in full]),
                                                   np.stack([c[1] for c in full])))
    if len(full) < len(chunks):  # the shorter last chunk
        last = tf.data.Dataset.from_tensors(chunks[-1])
        data = last if data is None else data.concatenate(last)
    return data, len(chunks)
