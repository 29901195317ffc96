"""Sentence pairs for seq2seq: ``source<TAB>target`` per line.

Extra columns are ignored; a first line ``source<TAB>target`` (any case) is
taken as a header. A line without a tab, or with an empty source or target,
is a :class:`~rnn_apps.errors.DataError` naming the file and line.
"""

from __future__ import annotations

from rnn_apps.data.tables import read_text_file
from rnn_apps.errors import DataError


def read_pairs(path) -> tuple[list[str], list[str]]:
    sources, targets = [], []
    for number, line in enumerate(read_text_file(path).splitlines(), start=1):
        if not line.strip():
            continue
        if "\t" not in line:
            raise DataError(f"{path} line {number}: no tab between source and target")
        source, target = (field.strip() for field in line.split("\t")[:2])
        if number == 1 and (source.lower(), target.lower()) == ("source", "target"):
            continue
        if not source or not target:
            raise DataError(f"{path} line {number}: empty {'source' if not source else 'target'}")
        sources.append(source)
        targets.append(target)
    if not sources:
        raise DataError(f"{path} has no pairs")
    return sources, targets


def read_sources(path) -> list[str]:
    """Sources to translate: one per line, or the first column of a pairs file
    (a ``source`` header line is skipped; blank lines are skipped)."""
    sources = []
    for number, line in enumerate(read_text_file(path).splitlines(), start=1):
        source = line.split("\t")[0].strip()
        if not source or (number == 1 and source.lower() == "source"):
            continue
        sources.append(source)
    if not sources:
        raise DataError(f"{path} has no lines to translate")
    return sources
