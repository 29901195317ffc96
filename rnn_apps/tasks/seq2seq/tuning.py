"""The translator's tuning hooks: its search space (``attention``), its hold-out
(a random share of the pairs) and its score."""

from __future__ import annotations

from rnn_apps.tasks.seq2seq.choices import ATTENTIONS
from rnn_apps.tasks.seq2seq.data import check_pairs
from rnn_apps.tuning.space import check_pair, choice, embedding, labelled, recurrent

SCORE = "chrF"


def space(p, info, fixed):
    p = {**p, "dropout": 0.0 if p["dropout"] is None else p["dropout"]}  # None: scaled
    return [*recurrent(p, both_ways=True), *embedding(p),
            choice("attention", p["attention"], (*ATTENTIONS, None))]


def holdout(estimator, X, y, validation_data, seed, share):
    check_pair(validation_data)
    sources, targets = check_pairs(X, y)
    return labelled(sources, targets, validation_data, seed, share, "pairs")
