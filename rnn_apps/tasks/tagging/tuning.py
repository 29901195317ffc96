"""The tagger's tuning hooks: its search space (``crf``; for text also the
embedding and ``word_dropout``), its hold-out (a random share of the sentences
or frame sequences) and its score."""

from __future__ import annotations

from rnn_apps.tasks.tagging.data import check_data
from rnn_apps.tuning.space import check_pair, choice, embedding, labelled, recurrent

SCORE = "entity F1 (token accuracy without entity tags)"


def space(p, info, fixed):
    dims = recurrent(p, both_ways=True)
    if info.get("frames"):          # numeric frames: no words to embed
        return [*dims, choice("crf", p["crf"], (False, True))]
    return [*dims, *embedding(p), choice("word_dropout", p["word_dropout"], (0.0, 0.1, 0.2)),
            choice("crf", p["crf"], (False, True))]


def holdout(estimator, X, y, validation_data, seed, share):
    check_pair(validation_data)
    frames, sequences, tags = check_data(X, y)
    held = labelled(sequences, tags, validation_data, seed, share,
                    "sequences" if frames else "sentences")
    held.info["frames"] = frames
    return held
