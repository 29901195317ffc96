"""Pre-tokenised input for taggers: word ids and the characters of each word.

``TokenEncoder`` keeps a word vocabulary (lower-cased by default) and a
character vocabulary (case kept, so capitals still say something about an
unseen word). Its one encoding function runs on TensorFlow ops and is used
both eagerly by the Python API and inside the exported SavedModel, so the
two cannot disagree. Ids: 0 padding (the empty string), 1 unknown.
:func:`split_text` turns raw sentences into tokens (spaCy's English rules or
spaces); a tagger stores which one it was trained for.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from rnn_apps.errors import DataError, RnnAppsError
from rnn_apps.preprocessing.strings import check_string

PAD, UNKNOWN = "", "[UNK]"
SPACY_MISSING = ("this tagger splits text with spaCy's English tokenizer: pip install "
                 "'rnn-apps[tokenize]' (token lists and CoNLL files need nothing)")
_SPACY: dict = {}


def tokenizer_installed(name: str) -> bool:
    """Whether ``name`` (one of ``choices.TOKENIZERS``) can run here (not imported)."""
    import importlib.util

    return name != "spacy" or importlib.util.find_spec("spacy") is not None


def tokenizer_for_training(name: str) -> str:
    """``name``, with a note when it cannot run here (training itself reads
    tokens and does not need it; splitting raw text later will)."""
    if not tokenizer_installed(name):
        from rnn_apps.core.training import note

        note("spaCy is not installed: this tagger will split raw text with spaCy's English "
             "tokenizer (pip install 'rnn-apps[tokenize]'; token lists and CoNLL files need "
             "nothing), or train with tokenizer='whitespace'")
    return name


def split_text(texts, tokenizer: str = "spacy") -> list[list[str]]:
    """Raw sentences to token lists.

    ``spacy``: spaCy's rule-based English tokenizer (``spacy.blank("en")``,
    no model download), which splits as the Universal Dependencies English
    and Penn Treebank corpora do: ``can't`` -> ``ca n't``, ``it's`` -> ``it 's``,
    ``butter!`` -> ``butter !``. ``whitespace``: split on spaces only.
    """
    from rnn_apps.core.choices import TOKENIZERS

    if tokenizer not in TOKENIZERS:
        raise DataError(f"tokenizer must be one of {', '.join(TOKENIZERS)}; got {tokenizer!r}")
    if isinstance(texts, str) or not hasattr(texts, "__iter__"):
        raise DataError("texts must be a list of strings (one sentence each)")
    texts = list(texts)
    for index, text in enumerate(texts):
        if not isinstance(text, str):
            raise DataError(f"texts[{index}] must be a string, not {type(text).__name__}")
        check_string(text, f"texts[{index}]")
    if tokenizer == "whitespace":
        return [text.split() for text in texts]
    if "nlp" not in _SPACY:
        try:
            import spacy
        except ImportError:
            raise RnnAppsError(SPACY_MISSING) from None
        _SPACY["nlp"] = spacy.blank("en")
    return [[token.text for token in doc if not token.is_space]
            for doc in _SPACY["nlp"].tokenizer.pipe(texts)]


def check_token_lists(X, what: str = "sentences") -> list[list[str]]:
    """Lists of non-empty strings; an empty sentence is an error naming its index."""
    if isinstance(X, str) or not hasattr(X, "__len__"):
        raise DataError(f"{what} must be a list of token lists")
    sentences = []
    for index, tokens in enumerate(X):
        if isinstance(tokens, str) or not hasattr(tokens, "__len__"):
            hint = " (split raw text with Tagger.tokenize)" if isinstance(tokens, str) else ""
            raise DataError(f"{what}[{index}] must be a list of tokens, not "
                            f"{type(tokens).__name__}{hint}")
        tokens = [str(t) for t in tokens]
        if not tokens:
            raise DataError(f"{what}[{index}] is empty (sentences of length zero cannot be tagged)")
        if any(not t or t.isspace() for t in tokens):
            raise DataError(f"{what}[{index}] has an empty token")
        for token in tokens:
            check_string(token, f"{what}[{index}]")
        sentences.append(tokens)
    if not sentences:
        raise DataError(f"no {what} given")
    return sentences


def pad_tokens(sentences, length: int | None = None) -> np.ndarray:
    """``[batch, time]`` object array padded with ""."""
    length = length or max(len(s) for s in sentences)
    out = np.full((len(sentences), length), PAD, dtype=object)
    for row, tokens in enumerate(sentences):
        out[row, :len(tokens)] = tokens[:length]
    return out


class TokenEncoder:
    def __init__(self, words, chars, lowercase: bool = True, max_word_length: int = 20):
        self.words, self.chars = list(words), list(chars)
        self.lowercase, self.max_word_length = bool(lowercase), int(max_word_length)
        self._layers = None

    @classmethod
    def fit(cls, sentences, *, max_tokens: int | None = 20000, min_count: int = 1,
            lowercase: bool = True, max_word_length: int = 20) -> TokenEncoder:
        counts, chars = Counter(), Counter()
        for sentence in sentences:  # one pass: a stream of sentences works too
            counts.update(t.lower() if lowercase else t for t in sentence)
            for token in sentence:
                chars.update(token)
        words = sorted((w for w, c in counts.items() if c >= min_count),
                       key=lambda w: (-counts[w], w))
        return cls(words[:max_tokens] if max_tokens else words,
                   sorted(chars, key=lambda c: (-chars[c], c)), lowercase, max_word_length)

    @property
    def word_vocabulary_size(self) -> int:
        return len(self.words) + 2

    @property
    def char_vocabulary_size(self) -> int:
        return len(self.chars) + 2

    def lookups(self):
        """The two ``StringLookup`` layers (made once, tracked by exports)."""
        if self._layers is None:
            import keras

            self._layers = (
                keras.layers.StringLookup(vocabulary=self.words, mask_token=PAD,
                                          oov_token=UNKNOWN, name="word_lookup"),
                keras.layers.StringLookup(vocabulary=self.chars, mask_token=PAD,
                                          oov_token=UNKNOWN, name="char_lookup"))
            for layer in self._layers:          # built now, eagerly (exports need that)
                layer(np.array([PAD]))
        return self._layers

    def encode_graph(self, tokens):
        """``tokens`` string ``[batch, time]`` ("" = padding) to ``(word_ids [batch,
        time], char_ids [batch, time, max_word_length])`` int32."""
        import tensorflow as tf

        word_lookup, char_lookup = self.lookups()
        words = tf.strings.lower(tokens, encoding="utf-8") if self.lowercase else tokens
        word_ids = tf.cast(word_lookup(words), tf.int32)
        letters = tf.strings.unicode_split(tokens, "UTF-8")
        letters = letters[:, :, :self.max_word_length]
        char_ids = tf.cast(char_lookup(letters), tf.int32)
        shape = tf.stack([tf.shape(tokens)[0], tf.shape(tokens)[1], self.max_word_length])
        return word_ids, char_ids.to_tensor(0, shape=shape)

    def get_state(self) -> dict:
        return {"words": self.words, "chars": self.chars, "lowercase": self.lowercase,
                "max_word_length": self.max_word_length}

    @classmethod
    def from_state(cls, state: dict) -> TokenEncoder:
        return cls(state["words"], state["chars"], state["lowercase"], state["max_word_length"])
