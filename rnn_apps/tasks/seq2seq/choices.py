"""The translator's own closed set of values (its parameter check, command line
and search space read it); the shared sets live in :mod:`rnn_apps.core.choices`."""

ATTENTIONS = ("multiplicative", "additive")              # or None
