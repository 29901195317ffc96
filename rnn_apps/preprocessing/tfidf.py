"""Raw strings to TF-IDF vectors of word n-grams, the input of a wide (linear) path.

A ``keras.layers.TextVectorization(output_mode="tf_idf", ngrams=...)`` adapted
on the training texts; its vocabulary and idf weights are plain JSON
(``get_state``/``from_state``), and ``__call__`` is TensorFlow ops, so the
Python API, the input pipeline and an exported SavedModel run the same
lookup. N-grams not in the vocabulary are ignored (their idf weight is 0),
as scikit-learn's ``TfidfVectorizer`` does.
"""

from __future__ import annotations

import numpy as np

from rnn_apps.errors import DataError


def _vectorizer(*, standardize, ngrams, max_tokens=None, vocabulary=None, idf=None):
    import keras

    return keras.layers.TextVectorization(
        max_tokens=max_tokens, standardize=None if standardize == "none" else standardize,
        split="whitespace", ngrams=ngrams, output_mode="tf_idf",
        vocabulary=None if vocabulary is None else list(vocabulary),
        idf_weights=None if idf is None else np.asarray(idf, np.float32),
        name="tfidf_vectorizer")


class TfidfEncoder:
    """Strings ``[batch]`` to TF-IDF ``float32 [batch, size]`` (index 0, the
    out-of-vocabulary bin, always 0)."""

    def __init__(self, *, standardize, ngrams, vocabulary, idf):
        self.standardize, self.ngrams = standardize, int(ngrams)
        self.vocabulary = [str(token) for token in vocabulary]
        self.idf = [float(value) for value in idf]
        if len(self.idf) != len(self.vocabulary):
            raise ValueError(f"{len(self.vocabulary)} n-grams but {len(self.idf)} idf weights")
        self.layer = _vectorizer(standardize=standardize, ngrams=self.ngrams,
                                 vocabulary=self.vocabulary, idf=self.idf)

    @classmethod
    def fit(cls, texts, *, standardize, ngrams=2, max_tokens=None) -> TfidfEncoder:
        """Adapt on an array of strings, or on a callable returning a fresh
        iterator of string batches (a stream, read once)."""
        batches = texts() if callable(texts) else (
            texts[i:i + 4096] for i in range(0, len(texts), 4096))
        probe = _vectorizer(standardize=standardize, ngrams=ngrams, max_tokens=max_tokens)
        probe.adapt(batches)
        vocabulary = probe.get_vocabulary()
        if len(vocabulary) <= 1:
            raise DataError("the texts contain no words for the TF-IDF features")
        store: dict = {}
        probe.save_own_variables(store)
        idf = np.asarray(store["idf_weights"], np.float64)
        idf[0] = 0.0
        return cls(standardize=standardize, ngrams=ngrams, vocabulary=vocabulary, idf=idf)

    @property
    def size(self) -> int:
        return len(self.vocabulary)

    def __call__(self, texts):
        return self.layer(texts)

    def encode(self, texts) -> np.ndarray:
        return np.asarray(self(np.asarray(texts, dtype=object)), np.float32)

    def get_state(self) -> dict:
        return {"standardize": self.standardize, "ngrams": self.ngrams,
                "vocabulary": self.vocabulary, "idf": self.idf}

    @classmethod
    def from_state(cls, state: dict) -> TfidfEncoder:
        return cls(**state)
