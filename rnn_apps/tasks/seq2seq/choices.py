"""The translator's own closed set of values (its parameter check, command line
and search space read it); the shared sets live in :mod:`rnn_apps.core.choices`."""

from rnn_apps.core.choices import SEQUENCE_LEVELS

ATTENTIONS = ("multiplicative", "additive")              # or None
LEVELS = ("auto", *SEQUENCE_LEVELS)                    # "auto": chosen from the data
