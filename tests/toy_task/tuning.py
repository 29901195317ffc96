"""The counter's tuning hooks: the shared recurrent and embedding dimensions, a
random hold-out of the texts, and what its score is."""

from __future__ import annotations

from rnn_apps.tuning.space import check_pair, embedding, labelled, recurrent

SCORE = "R² of the counts"


def space(p, info, fixed):
    return [*recurrent(p, both_ways=True), *embedding(p)]


def holdout(estimator, X, y, validation_data, seed, share):
    check_pair(validation_data)
    texts, counts = estimator._check(X, y)
    return labelled(list(texts), list(counts), validation_data, seed, share, "texts")
