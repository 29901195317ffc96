"""``rnn-apps inspect`` for the translator: the attention of each output token
over the source (the first line of the input, up to a tab)."""

from __future__ import annotations

from rnn_apps.data.text import text_or_file


def sample(model, source, max_steps):
    """``{"kind": "attention", "source", "output", "weights"}`` (see
    ``Seq2SeqTranslator.attention_weights``)."""
    text = text_or_file(source, first_line=True)
    return {"kind": "attention", **model.attention_weights(text.split("\t")[0])}
