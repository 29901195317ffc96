"""``rnn-apps inspect`` for the tagger: its hidden units over the tokens of the
first line of the input (text, or a file), split as its training text was."""

from __future__ import annotations

from rnn_apps.data.text import text_or_file
from rnn_apps.errors import RnnAppsError


def sample(model, source, max_steps):
    """``{"kind": "hidden", "tokens", "layers"}`` for the first ``max_steps`` tokens."""
    text = text_or_file(source, first_line=True)
    if model.state_["kind"] == "frames":
        raise RnnAppsError("inspect reads text; this tagging model tags numeric frames")
    tokens = model.tokenize([text])[0][:max_steps]
    return {"kind": "hidden", **model.hidden_states([tokens])[0]}
