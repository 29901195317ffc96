"""Character vocabulary for language models: ids 0 = padding, 1 = unknown."""

from __future__ import annotations

from collections import Counter

import numpy as np

from rnn_apps.errors import DataError

PAD, UNKNOWN = "", "[UNK]"
RESERVED = 2


class CharVocabulary:
    """The characters of a training text, most frequent first.

    ``encode`` works in NumPy for training; ``lookup_layer`` and
    ``decode_graph`` do the same inside a TensorFlow graph for export.
    """

    def __init__(self, chars):
        self.chars = list(chars)
        self._index = {c: i + RESERVED for i, c in enumerate(self.chars)}
        # code points in order, and their ids, for vectorised encoding
        points = np.array([ord(c) for c in self.chars], dtype=np.uint32)
        order = np.argsort(points)
        self._points = points[order]
        self._ids = (order + RESERVED).astype(np.int32)

    @classmethod
    def fit(cls, text, max_chars: int | None = None) -> CharVocabulary:
        """From a text, or from a ``Counter`` of characters (one pass over a stream)."""
        counts = text if isinstance(text, Counter) else Counter(text)
        if not counts:
            raise DataError("the training text is empty")
        ordered = sorted(counts, key=lambda c: (-counts[c], c))
        return cls(ordered[:max_chars] if max_chars else ordered)

    def __len__(self):
        return len(self.chars) + RESERVED

    def unknown_chars(self, text: str) -> list[str]:
        return sorted({c for c in text if c not in self._index})

    def encode(self, text: str) -> np.ndarray:
        """Ids ``[len(text)]`` (int32); characters not in the vocabulary are 1."""
        points = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        if not len(self._points):
            return np.ones(len(points), np.int32)
        where = np.minimum(np.searchsorted(self._points, points), len(self._points) - 1)
        return np.where(self._points[where] == points, self._ids[where], 1).astype(np.int32)

    def decode(self, ids) -> str:
        table = [PAD, "\ufffd", *self.chars]
        return "".join(table[int(i)] for i in ids)

    def lookup_layer(self):
        """``StringLookup`` with the same ids (mask "" = 0, unknown = 1)."""
        import keras

        return keras.layers.StringLookup(vocabulary=self.chars, mask_token=PAD,
                                         oov_token=UNKNOWN, name="char_lookup")

    def split(self, text: str) -> list[str]:
        return list(text)

    def split_graph(self, texts):
        """Strings ``[batch]`` to a ragged ``[batch, None]`` of characters."""
        import tensorflow as tf

        return tf.strings.unicode_split(texts, "UTF-8")

    def decode_graph(self, ids):
        """Int ids ``[batch, time]`` to strings ``[batch]`` with TensorFlow ops."""
        import tensorflow as tf

        table = tf.constant([PAD, "\ufffd", *self.chars])
        return tf.strings.reduce_join(tf.gather(table, ids), axis=1)
