"""The one check every text input passes, on every face of every task."""

from __future__ import annotations

from rnn_apps.errors import DataError


def check_string(text: str, where: str) -> str:
    """``text`` unchanged, unless it holds a NUL character or is not valid
    Unicode (a lone surrogate, as undecodable bytes read with
    ``surrogateescape`` become): then a one-line DataError naming ``where``."""
    if "\x00" in text:
        raise DataError(f"{where} contains a NUL character (binary data?)")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise DataError(f"{where} is not valid Unicode text (undecodable bytes?)") from None
    return text
