"""Text to token ids and back for encoder-decoder models, in TensorFlow ops.

A :class:`SequenceVocabulary` splits text into characters (``level="char"``),
words (``level="word"``: whitespace, with every punctuation mark a token
of its own) or subword pieces (``level="subword"``: a SentencePiece model
learned from the training text, see :mod:`rnn_apps.preprocessing.subword`),
maps tokens to ids and joins ids back into text. Splitting and
joining run on TensorFlow ops only, so training, the Python API and the
exported SavedModel share one implementation.

Ids: 0 padding, 1 unknown; a target vocabulary also has 2 start and 3 end.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from rnn_apps.core import choices
from rnn_apps.errors import DataError
from rnn_apps.preprocessing.strings import check_string

LEVELS = choices.SEQUENCE_LEVELS
PAD, UNKNOWN, START, END = "", "[UNK]", "[START]", "[END]"
START_ID, END_ID = 2, 3

# Word-level joining: no space before closing punctuation, none after opening
# brackets, none inside "don ' t", "3 . 5" or "10 : 30".
JOIN_RULES = (
    (r"(\d) ([.,:]) (\d)", r"\1\2\3"),
    (r"(\w) ' (\w)", r"\1'\2"),
    (r" ([.,!?;:%)\]}])", r"\1"),
    (r"([(\[{]) ", r"\1"),
)


def check_texts(texts, what: str = "sources") -> list[str]:
    """A list of non-empty strings; an empty one is an error naming its index."""
    if isinstance(texts, str) or not hasattr(texts, "__len__"):
        raise DataError(f"{what} must be a list of strings")
    out = []
    for index, text in enumerate(texts):
        if not isinstance(text, str):
            raise DataError(f"{what}[{index}] is {type(text).__name__}, not a string")
        if not text.strip():
            raise DataError(f"{what}[{index}] is empty")
        out.append(check_string(text, f"{what}[{index}]"))
    if not out:
        raise DataError(f"no {what} given")
    return out


class SequenceVocabulary:
    """Tokens of one side of a pair corpus (source or target), most frequent first."""

    def __init__(self, tokens, *, level: str = "char", lowercase: bool = False,
                 target: bool = False, subword: str | None = None):
        if level not in LEVELS:
            raise DataError(f"level must be one of {', '.join(LEVELS)}; got {level!r}")
        self.tokens, self.level = list(tokens), level
        self.lowercase, self.target = bool(lowercase), bool(target)
        self.subword = subword  # base64 SentencePiece model (level "subword")
        self._lookup = self._splitter = None

    # -- fitting ----------------------------------------------------------------
    @classmethod
    def fit(cls, texts, *, level: str = "char", lowercase: bool = False, target: bool = False,
            max_tokens: int | None = None, vocab_size: int = 2000,
            model_type: str = "unigram") -> SequenceVocabulary:
        """From a list of texts (a stream counts batch by batch with :meth:`count`,
        then fills an empty vocabulary with :meth:`with_counts`). ``vocab_size``:
        pieces of the subword model (level ``"subword"``), ``model_type`` its
        SentencePiece algorithm (``"unigram"`` or ``"bpe"``)."""
        vocabulary = cls([], level=level, lowercase=lowercase, target=target)
        vocabulary.learn_subwords(texts, vocab_size, model_type)
        counts = Counter()
        vocabulary.count(texts, counts)
        return vocabulary.with_counts(counts, max_tokens)

    def learn_subwords(self, texts, vocab_size: int, model_type: str = "unigram") -> None:
        """Train the subword model on ``texts`` (a no-op for other levels)."""
        if self.level != "subword":
            return
        from rnn_apps.preprocessing import subword

        self.subword = subword.train_model(
            (t.lower() if self.lowercase else t for t in texts), vocab_size, model_type)
        self._splitter = None

    def count(self, texts, counts: Counter) -> list[int]:
        """Add the tokens of ``texts`` to ``counts``; returns their token counts."""
        rows = self.split(texts)
        for row in rows:
            counts.update(row)
        return [len(row) for row in rows]

    def with_counts(self, counts: Counter, max_tokens=None) -> SequenceVocabulary:
        """This (empty) vocabulary filled with the most frequent counted tokens."""
        for reserved in (PAD, UNKNOWN, START, END):
            counts.pop(reserved, None)
        ordered = sorted(counts, key=lambda t: (-counts[t], t))
        if self.level == "subword":
            from rnn_apps.preprocessing.subword import with_unused

            ordered = with_unused(ordered, self.subword)
        self.tokens = ordered[:max_tokens] if max_tokens else ordered
        return self

    def split(self, texts) -> list[list[str]]:
        """Tokens of each text, as Python strings (through the graph splitter)."""
        import tensorflow as tf

        ragged = self.split_graph(tf.constant(list(texts)))
        return [[t.decode("utf-8") for t in row] for row in ragged.to_list()]

    # -- sizes and ids ----------------------------------------------------------------
    @property
    def reserved(self) -> list[str]:
        return [START, END] if self.target else []

    @property
    def size(self) -> int:
        """Ids in use: padding, unknown, start/end (targets) and the tokens."""
        return 2 + len(self.reserved) + len(self.tokens)

    @property
    def separator(self) -> str:
        return " " if self.level == "word" else ""

    def splitter(self):
        """The subword splitter (made once, eagerly; exports track it)."""
        if self._splitter is None:
            from rnn_apps.preprocessing.subword import PieceSplitter

            if not self.subword:
                raise DataError("this subword vocabulary has no subword model")
            self._splitter = PieceSplitter(self.subword)
        return self._splitter

    def lookup(self):
        """The ``StringLookup`` layer (made once, built eagerly; exports track it);
        also makes the subword splitter, which must not be made inside a trace."""
        if self.level == "subword":
            self.splitter()
        if self._lookup is None:
            import keras

            self._lookup = keras.layers.StringLookup(
                vocabulary=[*self.reserved, *self.tokens], mask_token=PAD, oov_token=UNKNOWN,
                name=f"{'target' if self.target else 'source'}_lookup")
            self._lookup(np.array([PAD]))
        return self._lookup

    # -- graph functions -----------------------------------------------------------------
    def split_graph(self, texts):
        """Strings ``[batch]`` to a ragged ``[batch, None]`` of token strings."""
        import tensorflow as tf

        if self.lowercase:
            texts = tf.strings.lower(texts, encoding="utf-8")
        if self.level == "char":
            return tf.strings.unicode_split(texts, "UTF-8")
        if self.level == "subword":
            return self.splitter()(texts)
        return tf.strings.split(tf.strings.regex_replace(texts, r"(\pP)", r" \1 "))

    def encode_graph(self, texts, max_length):
        """``(ids int32 [batch, <= max_length], lengths before cutting, unknown counts)``.

        Targets get start and end ids around the tokens (the tokens are cut
        so that the whole sequence fits ``max_length``).
        """
        import tensorflow as tf

        ids = tf.cast(self.lookup()(self.split_graph(texts)), tf.int32)
        lengths = tf.cast(ids.row_lengths(), tf.int32)
        unknown = tf.reduce_sum(tf.cast(tf.equal(ids, 1), tf.int32), axis=1)
        if self.target:
            ids = ids[:, :max_length - 2]
            batch = tf.shape(lengths)[:1]
            ids = tf.concat([tf.fill(tf.concat([batch, [1]], 0), START_ID), ids,
                             tf.fill(tf.concat([batch, [1]], 0), END_ID)], axis=1)
        else:
            ids = ids[:, :max_length]
        return ids.to_tensor(0), lengths, unknown

    def decode_graph(self, ids, lengths):
        """Ids ``[batch, time]`` (the first ``lengths`` of each row) to strings ``[batch]``."""
        import tensorflow as tf

        table = tf.constant([PAD, "\ufffd", *self.reserved, *self.tokens])
        return self.join_graph(tf.RaggedTensor.from_tensor(tf.gather(table, ids),
                                                           lengths=lengths))

    def join_graph(self, tokens):
        """A ragged ``[batch, None]`` of token strings to texts ``[batch]``."""
        import tensorflow as tf

        if self.level == "subword":
            from rnn_apps.preprocessing.subword import join_pieces

            return join_pieces(tokens)
        text = tf.strings.reduce_join(tokens, axis=1, separator=self.separator)
        if self.level == "word":
            for pattern, rewrite in JOIN_RULES:
                text = tf.strings.regex_replace(text, pattern, rewrite)
        return text

    def normalize(self, texts) -> list[str]:
        """Texts as this vocabulary would write them (case, spacing; unknown
        tokens kept), so references compare fairly with model outputs."""
        import tensorflow as tf

        text = self.join_graph(self.split_graph(tf.constant(list(texts))))
        return [t.decode("utf-8") for t in text.numpy()]

    # -- state ---------------------------------------------------------------------
    def get_state(self) -> dict:
        state = {"tokens": self.tokens, "level": self.level, "lowercase": self.lowercase,
                 "target": self.target}
        if self.level == "subword":
            state["subword"] = self.subword
        return state

    @classmethod
    def from_state(cls, state: dict) -> SequenceVocabulary:
        vocabulary = cls(state["tokens"], level=state["level"], lowercase=state["lowercase"],
                         target=state["target"], subword=state.get("subword"))
        if vocabulary.level == "subword":
            vocabulary.splitter()  # a malformed model fails at load, in one line
        return vocabulary


def length_boundaries(lengths, buckets: int = 8) -> list[int]:
    """Source-length bucket edges: quantiles of the training lengths."""
    edges = np.quantile(np.asarray(lengths), np.linspace(0, 1, buckets + 1)[1:-1])
    return sorted({int(np.ceil(e)) for e in edges})


def teacher_forcing(source_ids, target_ids):
    """``((source ids, decoder inputs), decoder targets)`` from encoded pairs: the
    decoder reads the target without its end id and predicts it shifted by one."""
    import tensorflow as tf

    decoder_inputs = tf.where(tf.equal(target_ids, END_ID), 0, target_ids)[..., :-1]
    return (source_ids, decoder_inputs), target_ids[..., 1:]


def length_buckets(dataset, batch_size: int, boundaries):
    """Batches of pairs of similar source length (``tf.data`` ``group_by_window``),
    each cut to its own longest row, so short pairs do not pay for long ones."""
    import tensorflow as tf

    edges = tf.constant(boundaries or [0], tf.int64)

    def length(ids):
        return tf.reduce_sum(tf.cast(tf.not_equal(ids, 0), tf.int64), axis=-1)

    def bucket(x, y):
        return tf.reduce_sum(tf.cast(length(x[0]) > edges, tf.int64))

    def trim(x, y):
        def cut(ids):
            return ids[:, :tf.maximum(tf.reduce_max(length(ids)), 1)]

        return tuple(cut(part) for part in x), cut(y)

    grouped = dataset.group_by_window(bucket, lambda _, window: window.padded_batch(batch_size),
                                      window_size=batch_size)
    return grouped.map(trim, num_parallel_calls=tf.data.AUTOTUNE)
