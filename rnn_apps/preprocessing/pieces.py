"""Subword vocabulary for language models: the pieces of a SentencePiece model.

The counterpart of :class:`rnn_apps.preprocessing.chars.CharVocabulary` for
``level="subword"``: ids 0 = padding, 1 = unknown, then the pieces most
frequent in the training text. SentencePiece reads whitespace as word
boundaries, so a line break is kept as a piece of its own (``NEWLINE``) and
runs of spaces become one space.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from rnn_apps.errors import DataError
from rnn_apps.preprocessing.subword import (
    WORD_START,
    PieceSplitter,
    train_model,
    with_unused,
)

PAD, UNKNOWN = "", "[UNK]"
RESERVED = 2
NEWLINE = "\u2424"  # SYMBOL FOR NEWLINE: the piece that stands for a line break
CHUNK_LINES = 4096


def split_by_lines(text: str, split_graph) -> list[str]:
    """The tokens of ``text``, ``NEWLINE`` between its lines: ``split_graph``
    (strings ``[batch]`` to a ragged ``[batch, None]`` of tokens) runs on
    ``CHUNK_LINES`` lines at a time, so any length fits in memory."""
    import tensorflow as tf

    lines, tokens = text.split("\n"), []
    for start in range(0, len(lines), CHUNK_LINES):
        rows = split_graph(tf.constant(lines[start:start + CHUNK_LINES])).to_list()
        for index, row in enumerate(rows):
            tokens += [t.decode("utf-8") for t in row]
            if start + index < len(lines) - 1:
                tokens.append(NEWLINE)
    return tokens


class PieceVocabulary:
    """Pieces of a training text, most frequent first; ``subword`` is the
    base64 SentencePiece model that splits text into them."""

    level = "subword"

    def __init__(self, pieces, subword: str):
        self.chars, self.subword = list(pieces), subword  # "chars": the shared state key
        self.splitter = PieceSplitter(subword)
        self._index = {p: i + RESERVED for i, p in enumerate(self.chars)}

    @classmethod
    def fit(cls, text: str, vocab_size: int, max_pieces: int | None = None,
            model_type: str = "unigram") -> PieceVocabulary:
        lines = [line for line in text.split("\n") if line.strip()]
        if not lines:
            raise DataError("the training text is empty")
        subword = train_model(lines, vocab_size, model_type, user_symbols=(NEWLINE,))
        probe = cls([], subword)
        counts = Counter(probe.split(text))
        ordered = with_unused(sorted(counts, key=lambda p: (-counts[p], p)), subword)
        return cls(ordered[:max_pieces] if max_pieces else ordered, subword)

    def __len__(self):
        return len(self.chars) + RESERVED

    # -- splitting --------------------------------------------------------------
    def split_graph(self, texts):
        """Strings ``[batch]`` to a ragged ``[batch, None]`` of pieces (graph-safe)."""
        import tensorflow as tf

        return self.splitter(tf.strings.regex_replace(texts, "\n", f" {NEWLINE} "))

    def split(self, text: str) -> list[str]:
        """The pieces of a text (line by line, so any length fits in memory)."""
        return split_by_lines(text, self.splitter)

    def unknown_chars(self, text: str) -> list[str]:
        """Pieces of ``text`` this vocabulary does not hold."""
        return sorted({p for p in self.split(text) if p not in self._index})

    def encode(self, text: str) -> np.ndarray:
        """Ids ``[pieces]`` (int32); unknown pieces are 1."""
        return np.array([self._index.get(p, 1) for p in self.split(text)], dtype=np.int32)

    # -- joining ----------------------------------------------------------------
    def decode(self, ids) -> str:
        import tensorflow as tf

        return self.decode_graph(tf.constant([ids], tf.int32)).numpy()[0].decode("utf-8")

    def decode_graph(self, ids):
        """Int ids ``[batch, time]`` to strings ``[batch]`` with TensorFlow ops."""
        import tensorflow as tf

        table = tf.constant([PAD, "\ufffd", *self.chars])
        text = tf.strings.reduce_join(tf.gather(table, ids), axis=1)
        text = tf.strings.regex_replace(text, WORD_START, " ")
        return tf.strings.regex_replace(text, f" ?{NEWLINE} ?", "\n")

    def lookup_layer(self):
        """``StringLookup`` with the same ids (mask "" = 0, unknown = 1)."""
        import keras

        return keras.layers.StringLookup(vocabulary=self.chars, mask_token=PAD,
                                         oov_token=UNKNOWN, name="piece_lookup")

