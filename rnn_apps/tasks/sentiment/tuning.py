"""The sentiment classifier's tuning hooks: its search space, its hold-out (a
stratified random share of the texts, as ``fit`` holds out) and its score."""

from __future__ import annotations

from rnn_apps.core import choices
from rnn_apps.tuning.space import check_pair, choice, embedding, labelled, recurrent

SCORE = "accuracy"


def space(p, info, fixed):
    return [*recurrent(p, both_ways=True), *embedding(p),
            choice("pooling", p["pooling"], choices.POOLINGS)]


def holdout(estimator, X, y, validation_data, seed, share):
    from rnn_apps.preprocessing.labels import check_labels
    from rnn_apps.preprocessing.text import check_texts

    check_pair(validation_data)
    texts = check_texts(X)
    return labelled(texts, check_labels(y, len(texts)), validation_data, seed, share,
                    "texts", stratify=True)
