"""Sentence pairs for seq2seq: ``source<TAB>target`` per line.

Extra columns are ignored; a first line ``source<TAB>target`` (any case) is
taken as a header. A line without a tab, or with an empty source or target,
is a :class:`~rnn_apps.errors.DataError` naming the file and line.
"""

from __future__ import annotations

from rnn_apps.data.tables import RecordStream, in_memory, iter_lines
from rnn_apps.errors import DataError


def iter_pairs(path):
    """Yield ``(source, target)`` lazily, with every check."""
    count = 0
    for number, line in iter_lines(path):
        line = line.rstrip("\r\n")
        if not line.strip():
            continue
        if "\t" not in line:
            raise DataError(f"{path} line {number}: no tab between source and target")
        source, target = (field.strip() for field in line.split("\t")[:2])
        if number == 1 and (source.lower(), target.lower()) == ("source", "target"):
            continue
        if not source or not target:
            raise DataError(f"{path} line {number}: empty {'source' if not source else 'target'}")
        count += 1
        yield source, target
    if not count:
        raise DataError(f"{path} has no pairs")


def read_pairs(path, stream: bool = False):
    """``(sources, targets)`` lists, or with ``stream=True`` a lazy
    :class:`~rnn_apps.data.tables.RecordStream` of ``(source, target)``."""
    if stream:
        return RecordStream(path, lambda: iter_pairs(path), ("source", "target"))
    with in_memory():
        pairs = list(iter_pairs(path))
    return [s for s, _ in pairs], [t for _, t in pairs]


def read_sources(path) -> list[str]:
    """Sources to translate: one per line, or the first column of a pairs file
    (a ``source`` header line is skipped; blank lines are skipped)."""
    sources = []
    with in_memory():
        for number, line in iter_lines(path):
            source = line.rstrip("\r\n").split("\t")[0].strip()
            if not source or (number == 1 and source.lower() == "source"):
                continue
            sources.append(source)
    if not sources:
        raise DataError(f"{path} has no lines to translate")
    return sources
