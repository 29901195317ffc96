"""Plain-text corpora for the character language model, whole or streamed."""

from __future__ import annotations

from pathlib import Path

from rnn_apps.data.tables import check_data_file, iter_lines, read_text_file
from rnn_apps.errors import DataError


def read_corpus(paths) -> str:
    """One or more UTF-8 text files joined by a newline."""
    paths = [paths] if isinstance(paths, (str, Path)) else list(paths)
    return "\n".join(read_text_file(path) for path in paths)


class TextStream:
    """The text of one or more files read lazily, in pieces of whole lines.

    Every pass re-reads the files and makes the checks :func:`read_corpus`
    makes (UTF-8, no NUL bytes, not empty), naming the file and line. Files
    are joined by a newline, as :func:`read_corpus` joins them.
    """

    def __init__(self, paths, piece_chars: int = 1 << 16):
        paths = [paths] if isinstance(paths, (str, Path)) else list(paths)
        if not paths:
            raise DataError("no text files given")
        self.paths = [check_data_file(p) for p in paths]
        self.piece_chars = int(piece_chars)

    def __iter__(self):
        """Yield strings of about ``piece_chars`` characters, in file order."""
        piece, size = [], 0
        for index, path in enumerate(self.paths):
            if index:
                piece.append("\n")
                size += 1
            for _, line in iter_lines(path):
                piece.append(line)
                size += len(line)
                if size >= self.piece_chars:
                    yield "".join(piece)
                    piece, size = [], 0
        if piece:
            yield "".join(piece)

    def __repr__(self):
        return f"TextStream({[str(p) for p in self.paths]!r})"


def read_text_stream(paths) -> TextStream:
    """A lazy :class:`TextStream` over ``paths`` (give it to ``TextGenerator.fit``)."""
    return TextStream(paths)


def text_or_file(source: str, first_line: bool = False) -> str:
    """``source`` itself, or the text of the file it names (``rnn-apps inspect
    --input``); with ``first_line`` only the first line that is not blank."""
    text = read_text_file(source) if Path(source).is_file() else source
    if first_line:
        text = next((line for line in text.split("\n") if line.strip()), "")
    return text
