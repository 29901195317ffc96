"""The text generator's own closed sets of values (its parameter checks and command
line read them); the shared sets live in :mod:`rnn_apps.core.choices`."""

TEXTGEN_MODES = ("tbptt", "windows")
TEXTGEN_LEVELS = ("char", "subword", "word")             # textgen tokens
