"""Word-, character- and subword-level text vectorisation with Keras preprocessing layers.

The vectoriser is a ``keras.layers.TextVectorization`` so the same lookup runs
in training, in ``predict`` and inside an exported SavedModel (raw strings in).
Sequences are right-padded with id 0, which ``Embedding(mask_zero=True)`` masks.
"""

from __future__ import annotations

import math

import numpy as np

from rnn_apps.errors import DataError
from rnn_apps.preprocessing.strings import check_string

PAD_ID, OOV_ID = 0, 1
# Longest automatic sequence length, per level.
AUTO_LENGTH_CAP = {"word": 200, "char": 1000, "subword": 400}
PUNCTUATION = r'[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']'  # Keras' TextVectorization set


def check_texts(texts, what: str = "texts", allow_empty_text: bool = False) -> np.ndarray:
    """Return the texts as a 1-D object array of ``str``; raise on bad items."""
    if isinstance(texts, str):
        raise DataError(f"{what} must be a list of strings, not a single string")
    try:
        items = list(texts)
    except TypeError:
        raise DataError(f"{what} must be a list of strings; got {type(texts).__name__}") from None
    if not items:
        raise DataError(f"{what} is empty")
    for index, item in enumerate(items):
        if not isinstance(item, str):
            if item is None or (isinstance(item, float) and math.isnan(item)):
                raise DataError(f"{what}[{index}] is missing")
            raise DataError(f"{what}[{index}] is not a string: {item!r}")
        if not allow_empty_text and not item.strip():
            raise DataError(f"{what}[{index}] is an empty string")
        check_string(item, f"{what}[{index}]")
    return np.array(items, dtype=object)


def note_unknown_tokens(ids) -> None:
    """Warm start: say how many training tokens the kept vocabulary does not know."""
    from rnn_apps.core.training import note

    known = np.count_nonzero(ids)
    unknown = int(np.sum(ids == OOV_ID))
    if unknown:
        note(f"{unknown} of {known} training tokens are not in the warm-start vocabulary "
             "(read as unknown)")




def check_text_settings(level, standardize, max_tokens, max_length,
                        truncating: str = "post") -> None:
    from rnn_apps.core.params import TEXT, check_value

    given = {"level": level, "standardize": standardize, "max_tokens": max_tokens,
             "max_length": max_length, "truncating": truncating}
    for name, value in given.items():
        check_value(name, value, TEXT[name])


def standardize_graph(texts, standardize: str):
    """The steps of Keras' ``TextVectorization`` standardisation, as TensorFlow ops."""
    import tensorflow as tf

    if standardize in ("lower", "lower_and_strip_punctuation", "lower_split_punctuation"):
        texts = tf.strings.lower(texts)
    if standardize in ("strip_punctuation", "lower_and_strip_punctuation"):
        texts = tf.strings.regex_replace(texts, PUNCTUATION, "")
    if standardize == "lower_split_punctuation":  # each mark a word of its own
        texts = tf.strings.regex_replace(texts, PUNCTUATION, r" \0 ")
    return texts


def standardized(texts, standardize: str, batch_size: int = 4096):
    """The standardised strings of an array of texts (to learn subwords from)."""
    import tensorflow as tf

    for start in range(0, len(texts), batch_size):
        batch = standardize_graph(tf.constant(list(texts[start:start + batch_size])),
                                  standardize)
        yield from (t.decode("utf-8") for t in batch.numpy())


def make_vectorizer(*, level: str, standardize: str, max_tokens, vocabulary=None,
                    name: str = "vectorizer", subword: str | None = None):
    """A ``TextVectorization`` layer giving unpadded-length ids (padded per batch).

    Subwords: standardisation and the SentencePiece split run in one callable."""
    import keras

    split = "whitespace" if level == "word" else "character"
    if level == "subword":
        from rnn_apps.preprocessing.subword import PieceSplitter

        splitter, steps = PieceSplitter(subword), standardize
        split = lambda texts: splitter(standardize_graph(texts, steps))
        standardize = "none"
    elif standardize == "lower_split_punctuation":  # not one of Keras' own steps
        standardize = lambda texts: standardize_graph(texts, "lower_split_punctuation")
    return keras.layers.TextVectorization(
        max_tokens=max_tokens,
        standardize=None if standardize == "none" else standardize,
        split=split,
        output_mode="int",
        vocabulary=None if vocabulary is None else list(vocabulary)[2:],
        name=name,
    )


def fix_length(ids, max_length: int, truncating: str):
    """Right-padded ids ``[batch, max_length]``; TensorFlow ops, so it runs in a graph.

    ``truncating="post"`` keeps the first ``max_length`` tokens of a longer
    text, ``"pre"`` keeps the last ones (Keras' ``pad_sequences`` names).
    """
    import tensorflow as tf

    ragged = tf.RaggedTensor.from_tensor(ids, padding=PAD_ID)
    ragged = ragged[:, :max_length] if truncating == "post" else ragged[:, -max_length:]
    return ragged.to_tensor(default_value=PAD_ID, shape=[None, max_length])


class TextEncoder:
    """Raw strings to right-padded token ids of a fixed length.

    Wraps a Keras ``TextVectorization`` layer (word or character split) plus
    the length rule. Its state is plain JSON (``get_state``/``from_state``),
    and ``__call__`` is pure TensorFlow, so an exported SavedModel can run it.
    """

    def __init__(self, *, level, standardize, max_tokens, max_length, truncating, vocabulary,
                 subword=None):
        check_text_settings(level, standardize, max_tokens, max_length, truncating)
        self.level, self.standardize, self.max_tokens = level, standardize, max_tokens
        self.max_length, self.truncating = int(max_length), truncating
        self.vocabulary = list(vocabulary)
        self.subword = subword  # base64 SentencePiece model (level "subword")
        self.layer = make_vectorizer(level=level, standardize=standardize,
                                     max_tokens=max_tokens, vocabulary=self.vocabulary,
                                     subword=subword)

    @classmethod
    def fit(cls, texts, *, level="word", standardize="lower_and_strip_punctuation",
            max_tokens=None, max_length=None, truncating="post", vocab_size=2000,
            subword_model="unigram"):
        """Fit the vocabulary; ``max_length=None`` takes the 99th percentile length.

        ``texts``: an array of strings, or a callable that returns a fresh
        iterator of string batches each time (a stream, read once for the
        vocabulary and once more for the lengths), in bounded memory.
        Subwords (``level="subword"``): a SentencePiece model of up to
        ``vocab_size`` pieces is learned first, from the standardised texts.
        """
        check_text_settings(level, standardize, max_tokens, max_length, truncating)
        batches = texts if callable(texts) else (
            lambda: (texts[i:i + 4096] for i in range(0, len(texts), 4096)))
        subword = None
        if level == "subword":
            from rnn_apps.preprocessing.subword import train_model

            subword = train_model((t for batch in batches() for t in standardized(
                batch, standardize)), vocab_size, subword_model)
        probe = make_vectorizer(level=level, standardize=standardize, max_tokens=max_tokens,
                                subword=subword)
        probe.adapt(batches())
        vocabulary = probe.get_vocabulary()
        if subword:
            from rnn_apps.preprocessing.subword import with_unused

            vocabulary = vocabulary[:2] + with_unused(vocabulary[2:], subword)
            vocabulary = vocabulary[:max_tokens] if max_tokens else vocabulary
        if len(vocabulary) <= 2:
            raise DataError("the texts contain no tokens after standardisation")
        if max_length is None:
            max_length = auto_max_length(probe, batches(), level)
        return cls(level=level, standardize=standardize, max_tokens=max_tokens,
                   max_length=max_length, truncating=truncating, vocabulary=vocabulary,
                   subword=subword)

    @classmethod
    def from_vocabulary(cls, texts, *, level, standardize, vocabulary, subword=None,
                        max_length=None, truncating="post"):
        """An encoder of a given ``vocabulary`` (ids 0 and 1 reserved: a language
        model's, say); ``max_length=None`` takes the 99th percentile of ``texts``."""
        if max_length is None:
            probe = make_vectorizer(level=level, standardize=standardize, max_tokens=None,
                                    vocabulary=vocabulary, subword=subword)
            max_length = auto_max_length(
                probe, (texts[i:i + 4096] for i in range(0, len(texts), 4096)), level)
        return cls(level=level, standardize=standardize, max_tokens=None,
                   max_length=max_length, truncating=truncating, vocabulary=vocabulary,
                   subword=subword)

    def __call__(self, texts):
        """String tensor ``[batch]`` to int ids ``[batch, max_length]`` (graph-safe)."""
        return fix_length(self.layer(texts), self.max_length, self.truncating)

    def encode(self, texts: np.ndarray, batch_size: int = 4096) -> np.ndarray:
        """Token ids ``[n, max_length]`` (int32) for an array of strings."""
        chunks = [np.asarray(self(texts[i:i + batch_size]), dtype=np.int32)
                  for i in range(0, len(texts), batch_size)]
        return np.concatenate(chunks)

    def get_state(self) -> dict:
        state = {"level": self.level, "standardize": self.standardize,
                 "max_tokens": self.max_tokens, "max_length": self.max_length,
                 "truncating": self.truncating, "vocabulary": self.vocabulary}
        if self.subword:
            state["subword"] = self.subword
        return state

    @classmethod
    def from_state(cls, state: dict) -> TextEncoder:
        return cls(**state)


def auto_max_length(vectorizer, batches, level: str) -> int:
    """99th percentile of token counts (linear interpolation, rounded up), capped,
    at least 1, from a histogram of counts (bounded memory for streams)."""
    cap = AUTO_LENGTH_CAP[level]
    histogram = np.zeros(cap + 2, dtype=np.int64)
    for batch in batches:
        counts = np.count_nonzero(np.asarray(vectorizer(batch)), axis=1)
        histogram += np.bincount(np.minimum(counts, cap + 1), minlength=cap + 2)
    total = int(histogram.sum())
    if total == 0:
        return 1
    ends = np.cumsum(histogram)  # sorted counts: value v fills positions [ends[v-1], ends[v])
    position = 0.99 * (total - 1)
    low, high = int(np.floor(position)), int(np.ceil(position))
    value_at = lambda k: int(np.searchsorted(ends, k, side="right"))
    value = value_at(low) + (value_at(high) - value_at(low)) * (position - low)
    return int(max(1, min(np.ceil(value), cap)))
