"""``rnn-apps inspect`` for the forecaster: its hidden units over the last window
(``lookback`` rows) of a series CSV."""

from __future__ import annotations

from rnn_apps.tasks.forecast.cli_input import read_model_series


def sample(model, source, max_steps):
    """``{"kind": "hidden", "tokens", "layers"}``: one step a row of the window."""
    return {"kind": "hidden", **model.hidden_states(read_model_series(model, source))[0]}
