"""``rnn-apps inspect`` for the text generator: its hidden units over the start of
the input (text, or a file), one step a token."""

from __future__ import annotations

from rnn_apps.data.text import text_or_file


def sample(model, source, max_steps):
    """``{"kind": "hidden", "tokens", "layers"}`` for the first ``max_steps`` characters."""
    text = text_or_file(source)
    return {"kind": "hidden", **model.hidden_states([text[:max_steps]])[0]}
