"""``rnn-apps inspect`` for the sentiment classifier: its hidden units over the
first line of the input (text, or a file)."""

from __future__ import annotations

from rnn_apps.data.text import text_or_file


def sample(model, source, max_steps):
    """``{"kind": "hidden", "tokens", "layers"}`` for the first line, cut to about
    ``max_steps`` tokens (20 characters a token) before it is read."""
    text = text_or_file(source, first_line=True)
    return {"kind": "hidden", **model.hidden_states([text[:max_steps * 20]])[0]}
