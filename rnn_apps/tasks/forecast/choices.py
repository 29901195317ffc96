"""The forecaster's closed sets of values, written once: its parameters are checked
against these and its command line builds its ``click.Choice`` lists from them.
This module imports nothing (the shared sets live in :mod:`rnn_apps.core.choices`)."""

FORECAST_STRATEGIES = ("direct", "recursive")
FORECAST_INPUTS = ("relative", "level", "both")         # or "auto"
DESEASONALIZE = ("none", "additive", "multiplicative")  # or "auto"
BACKTEST_WINDOWS = ("expanding", "sliding")
AUTO = "auto"
READOUTS = ("dense", "ridge")
PRETRAINED = ("auto", "zero-shot", "fine-tune", "none")   # or True (zero-shot) / False
