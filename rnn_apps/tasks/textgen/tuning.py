"""The text generator's tuning hooks: its search space (``bptt``; a language
model reads left to right, so never ``bidirectional``), its hold-out (the end
of the text: the model never reads what follows it) and its score."""

from __future__ import annotations

from rnn_apps.errors import DataError
from rnn_apps.tasks.textgen.data import check_text
from rnn_apps.tuning.space import Holdout, choice, embedding, recurrent, scaled

SCORE = "minus bits per character"


def space(p, info, fixed):
    return [*recurrent(p, both_ways=False), *embedding(p),
            choice("bptt", p["bptt"], scaled(p["bptt"], low=2))]


def holdout(estimator, X, y, validation_data, seed, share):
    text = check_text(X)
    if validation_data is not None:
        valid = check_text(validation_data, "validation text")
        return Holdout((text,), valid, (valid,), f"the given validation text "
                                                 f"({len(valid)} characters)")
    cut = len(text) - int(len(text) * share)
    if cut < 2 or len(text) - cut < 2:
        raise DataError(f"the text has {len(text)} characters: too few to hold out its end")
    return Holdout((text[:cut],), text[cut:], (text[cut:],),
                   f"the last {len(text) - cut} characters ({share:.0%}) of the text")
