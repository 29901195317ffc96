"""Word vocabulary for language models, and the word split it shares with
text encoders (``standardize="lower_split_punctuation"``).

Words are lower-cased and every punctuation mark is a word of its own, so
"Great, loved it!" reads ``great , loved it !``. A line break is a word of its
own in a language model's text (``NEWLINE``, the symbol the subword vocabulary
uses, and the same line-by-line split). Ids: 0 = padding, 1 = unknown, then the words most frequent in the training text (up to ``max_words``). A
language model at this level and a classifier fine-tuned from it split text
the same way, in NumPy-free TensorFlow ops, so both run inside a SavedModel.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from rnn_apps.core import choices
from rnn_apps.errors import DataError
from rnn_apps.preprocessing.pieces import NEWLINE, split_by_lines
from rnn_apps.preprocessing.text import standardize_graph

PAD, UNKNOWN = "", "[UNK]"
RESERVED = 2
STANDARDIZE = choices.WORD_SPLIT
DEFAULT_MAX_WORDS = 20000
_PUNCTUATION_CHARS = set("!\"#$%&()*+,-./:;<=>?@[\\]^_`{|}~'")


def split_punctuation_graph(texts):
    """Lower-cased strings with a space on each side of every punctuation mark
    (TensorFlow ops; a ``TextVectorization`` standardize step)."""
    return standardize_graph(texts, STANDARDIZE)


class WordVocabulary:
    """The words of a training text, most frequent first."""

    level = "word"

    def __init__(self, words):
        self.chars = list(words)  # "chars": the state key every vocabulary shares
        self._index = {w: i + RESERVED for i, w in enumerate(self.chars)}

    @classmethod
    def fit(cls, text, max_words: int | None = None) -> WordVocabulary:
        """From a text, or from a ``Counter`` of words (one pass over a stream)."""
        counts = text if isinstance(text, Counter) else Counter(cls.split(text))
        counts.pop(PAD, None)
        if not counts:
            raise DataError("the training text holds no words")
        ordered = sorted(counts, key=lambda w: (-counts[w], w))
        return cls(ordered[:max_words] if max_words else ordered)

    def __len__(self):
        return len(self.chars) + RESERVED

    # -- splitting --------------------------------------------------------------
    @staticmethod
    def split_graph(texts):
        """Strings ``[batch]`` to a ragged ``[batch, None]`` of words (graph-safe)."""
        import tensorflow as tf

        texts = tf.strings.regex_replace(texts, "\n", f" {NEWLINE} ")
        return tf.strings.split(split_punctuation_graph(texts))

    @staticmethod
    def split(text: str) -> list[str]:
        """The words of a text (line by line, so any length fits in memory)."""
        import tensorflow as tf

        return split_by_lines(text, lambda lines: tf.strings.split(
            split_punctuation_graph(lines)))

    def unknown_chars(self, text: str) -> list[str]:
        """Words of ``text`` this vocabulary does not hold (they read as unknown)."""
        return sorted({w for w in self.split(text) if w not in self._index})

    def encode(self, text: str) -> np.ndarray:
        """Ids ``[words]`` (int32); unknown words are 1."""
        return np.array([self._index.get(w, 1) for w in self.split(text)], dtype=np.int32)

    # -- joining ----------------------------------------------------------------
    def _spelled(self) -> list[str]:
        """Each id as written after the text before it: a space and the word,
        a punctuation mark alone, a line break for ``NEWLINE``."""
        def spell(word):
            if word == NEWLINE:
                return "\n"
            return word if word in _PUNCTUATION_CHARS else f" {word}"

        return [PAD, " \ufffd", *(spell(w) for w in self.chars)]

    def decode(self, ids) -> str:
        table = self._spelled()
        return "".join(table[int(i)] for i in ids)

    def decode_graph(self, ids):
        """Int ids ``[batch, time]`` to strings ``[batch]`` with TensorFlow ops."""
        import tensorflow as tf

        return tf.strings.reduce_join(tf.gather(tf.constant(self._spelled()), ids), axis=1)

    def lookup_layer(self):
        """``StringLookup`` with the same ids (mask "" = 0, unknown = 1)."""
        import keras

        return keras.layers.StringLookup(vocabulary=self.chars, mask_token=PAD,
                                         oov_token=UNKNOWN, name="word_lookup")
