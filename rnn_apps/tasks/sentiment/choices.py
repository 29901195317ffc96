"""The sentiment classifier's own closed set of values (its parameter check and
command line read it); the shared sets live in :mod:`rnn_apps.core.choices`."""

CLASS_WEIGHTS = ("balanced",)                            # or None, or {label: weight}
