"""Readers for tagged corpora (CoNLL-U, CoNLL columns, word/TAG lines) and frame CSVs.

Every reader returns parallel lists: sentences (lists of tokens, or arrays of
frames) and their tag lists. :func:`read_untagged` reads sentences to tag:
any of those, untagged CoNLL (one token a line), or plain text (one sentence
a line, split by a tokenizer). Problems are a :class:`~rnn_apps.errors.DataError`
naming the file and line.
"""

from __future__ import annotations

import re

import numpy as np

from rnn_apps.core import choices
from rnn_apps.data.tables import RecordStream, data_suffix, in_memory, iter_lines, iter_rows
from rnn_apps.errors import DataError
from rnn_apps.preprocessing.series import FLOAT32_MAX, fits_float32

TAGGED_FORMATS = choices.TAGGED_FORMATS
CONLLU_COLUMNS = {"upos": 3, "xpos": 4}


def detect_tagged_format(path, fmt: str | None = None) -> str:
    if fmt is not None:
        if fmt not in TAGGED_FORMATS:
            raise DataError(f"format must be one of {', '.join(TAGGED_FORMATS)}; got {fmt!r}")
        return fmt
    suffix = data_suffix(path)
    if suffix == ".conllu":
        return "conllu"
    if suffix in (".conll", ".iob", ".bio", ".tsv"):
        return "conll"
    if suffix == ".txt":
        return "wordtag"
    raise DataError(f"{path}: cannot tell the format from the suffix {suffix!r}; pass a "
                    f"format ({', '.join(TAGGED_FORMATS)})")


def _sentences(path, parse_line, comment=None):
    """Yield ``(tokens, tags)`` lazily: ``parse_line(number, line) -> (token, tag) |
    None`` results grouped by blank lines."""
    tokens, labels, count = [], [], 0
    for number, line in [*iter_lines(path), (None, "")]:
        line = line.rstrip("\r\n")
        if comment and line.startswith(comment):
            continue
        if not _fields(line):
            if tokens:
                count += 1
                yield tokens, labels
            tokens, labels = [], []
            continue
        pair = parse_line(number, line)
        if pair is not None:
            tokens.append(pair[0])
            labels.append(pair[1])
    if not count:
        raise DataError(f"{path} has no sentences")


def _fields(line: str) -> list[str]:
    """Columns split at spaces and tabs only: other Unicode spaces and line
    separators (U+0085, U+00A0, U+2028, ...) belong to the tokens."""
    return [field for field in re.split(r"[ \t]+", line.strip(" \t\r\n")) if field]


def _collected(pairs):
    with in_memory():
        pairs = list(pairs)
    return [tokens for tokens, _ in pairs], [tags for _, tags in pairs]


def iter_conllu(path, tag_column="upos", tagged=True):
    """Word forms (column 2) and UPOS (default) or XPOS tags; multi-word token
    ranges (``1-2``) and empty nodes (``1.1``) are skipped. ``tagged=False``:
    tags may be missing (``_``), and come out as ""."""
    if isinstance(tag_column, str):
        if tag_column.lower() not in CONLLU_COLUMNS:
            raise DataError(f"tag column must be upos or xpos (or a 0-based number); "
                            f"got {tag_column!r}")
        index = CONLLU_COLUMNS[tag_column.lower()]
    else:
        index = int(tag_column)
    if not 0 <= index < 10:
        raise DataError(f"CoNLL-U has 10 columns; tag column {index} does not exist")

    def parse(number, line):
        fields = line.rstrip("\n").split("\t")
        if len(fields) != 10:
            raise DataError(f"{path} line {number}: expected 10 tab-separated CoNLL-U "
                            f"columns, found {len(fields)}")
        if "-" in fields[0] or "." in fields[0]:
            return None
        if not fields[1] or tagged and fields[index] in ("", "_"):
            raise DataError(f"{path} line {number}: empty word form or tag")
        return fields[1], fields[index] if tagged else ""

    return _sentences(path, parse, comment="#")


def iter_conll(path, tagged=True):
    """Whitespace columns, token first and tag last; ``-DOCSTART-`` lines ignored.
    ``tagged=False``: the token column alone will do (tags come out as "")."""
    width = {}

    def parse(number, line):
        fields = _fields(line)
        if fields[0] == "-DOCSTART-":
            return None
        if tagged and len(fields) < 2:
            raise DataError(f"{path} line {number}: expected a token and a tag, found "
                            f"{len(fields)} column(s)")
        expected = width.setdefault("n", (len(fields), number))
        if len(fields) != expected[0]:
            raise DataError(f"{path} line {number}: {len(fields)} columns, but line "
                            f"{expected[1]} has {expected[0]}")
        return fields[0], fields[-1] if tagged else ""

    return _sentences(path, parse)


def iter_word_tag(path):
    """One sentence per line as ``word/TAG`` pairs (split on the last ``/``)."""
    for number, line in iter_lines(path):
        if not _fields(line):
            continue
        tokens, labels = [], []
        for pair in _fields(line):
            word, slash, tag = pair.rpartition("/")
            if not slash or not word or not tag:
                raise DataError(f"{path} line {number}: {pair!r} is not word/TAG")
            tokens.append(word)
            labels.append(tag)
        yield tokens, labels


def read_conllu(path, tag_column="upos"):
    """``(sentences, tags)`` of a CoNLL-U file (see :func:`iter_conllu`)."""
    return _collected(iter_conllu(path, tag_column))


def read_conll(path):
    """``(sentences, tags)`` of a CoNLL file (see :func:`iter_conll`)."""
    return _collected(iter_conll(path))


def read_word_tag(path):
    """``(sentences, tags)`` of a word/TAG file (see :func:`iter_word_tag`)."""
    return _collected(iter_word_tag(path))


def read_tagged(path, fmt: str | None = None, tag_column="upos", stream: bool = False):
    """``(sentences, tags)`` from a CoNLL-U, CoNLL or word/TAG file; with
    ``stream=True`` a lazy :class:`~rnn_apps.data.tables.RecordStream` of
    ``(tokens, tags)`` per sentence."""
    fmt = detect_tagged_format(path, fmt)
    if fmt == "conllu":
        make = lambda: iter_conllu(path, tag_column)
        make()  # checks the tag column now, not at the first pass
    else:
        make = (lambda: iter_conll(path)) if fmt == "conll" else (lambda: iter_word_tag(path))
    if stream:
        return RecordStream(path, make, ("tokens", "tags"))
    return _collected(make())


def detect_untagged_format(path, fmt: str | None = None) -> str:
    """The format of a file to tag: a tagged format, or ``text`` (one raw
    sentence a line), which a ``.txt`` file is unless its first line is all
    ``word/TAG`` pairs."""
    if fmt == choices.UNTAGGED_FORMAT:
        return fmt
    if fmt is None and data_suffix(path) not in (".conllu", ".conll", ".iob", ".bio",
                                                 ".tsv", ".txt"):
        raise DataError(f"{path}: cannot tell the format from the suffix "
                        f"{data_suffix(path)!r}; pass a format "
                        f"({', '.join((*TAGGED_FORMATS, choices.UNTAGGED_FORMAT))})")
    fmt = detect_tagged_format(path, fmt)
    if fmt == "wordtag" and not _word_tag_pairs(path):
        return choices.UNTAGGED_FORMAT
    return fmt


def _word_tag_pairs(path) -> bool:
    """Whether the first non-blank line of ``path`` is all word/TAG pairs."""
    for _, line in iter_lines(path):
        fields = _fields(line)
        if fields:
            return all(word and tag for word, _, tag in (f.rpartition("/") for f in fields))
    return False


def read_untagged(path, fmt: str | None = None, tokenize=None) -> list[list[str]]:
    """Sentences to tag (lists of tokens): from a tagged corpus (its tags are
    ignored), untagged CoNLL or CoNLL-U, or plain text (``fmt="text"``, or a
    ``.txt`` file that is not word/TAG), one sentence a line split by
    ``tokenize`` (a function from a list of strings to token lists)."""
    fmt = detect_untagged_format(path, fmt)
    if fmt == "conllu":
        return [tokens for tokens, _ in iter_conllu(path, tagged=False)]
    if fmt == "conll":
        return [tokens for tokens, _ in iter_conll(path, tagged=False)]
    if fmt == "wordtag":
        return [tokens for tokens, _ in iter_word_tag(path)]
    lines = [line.strip() for _, line in iter_lines(path) if line.strip()]
    if not lines:
        raise DataError(f"{path} has no sentences")
    return (tokenize or (lambda texts: [t.split() for t in texts]))(lines)


class FrameSequences(list):
    """Frame sequences (a list of ``[frames, features]`` arrays) that remember
    the names of their feature columns, so a model can check them by name."""

    def __init__(self, sequences, feature_names):
        super().__init__(sequences)
        self.feature_names = list(feature_names)


def read_frames_csv(path, *, sequence_column="sequence", label_column="label",
                    feature_columns=None):
    """Frames grouped by ``sequence_column`` (rows in frame order) with their labels.

    Returns ``(sequences, labels, feature_names)``: float32 arrays ``[frames,
    features]`` and lists of label strings, one per sequence, in order of
    first appearance.
    """
    rows = iter_rows(path, "csv", header=False)
    with in_memory():  # the reader starts here: its lines count against the limit
        _, header = next(rows, (None, None))
    if header is None:
        raise DataError(f"{path} has no data rows")
    header = [name.strip() for name in header]
    for name in (sequence_column, label_column, *(feature_columns or [])):
        if name not in header:
            raise DataError(f"{path}: no column {name!r} (columns: {', '.join(header)})")
    features = list(feature_columns) if feature_columns else \
        [c for c in header if c not in (sequence_column, label_column)]
    if not features:
        raise DataError(f"{path}: no feature columns")
    where = [header.index(c) for c in features]
    groups: dict[str, tuple[list, list]] = {}
    for number, row in rows:
        if len(row) != len(header):
            raise DataError(f"{path} line {number}: {len(row)} fields, the header has "
                            f"{len(header)}")
        label = row[header.index(label_column)].strip()
        if not label:
            raise DataError(f"{path} line {number}: the label is missing")
        try:
            frame = [float(row[i]) for i in where]
        except ValueError:
            raise DataError(f"{path} line {number}: a feature value is not a number") from None
        if not all(map(fits_float32, frame)):
            raise DataError(f"{path} line {number}: a feature value is NaN, infinite or beyond "
                            f"the 32-bit float range (+-{FLOAT32_MAX:.1e})")
        frames, labels = groups.setdefault(row[header.index(sequence_column)].strip(), ([], []))
        frames.append(frame)
        labels.append(label)
    if not groups:
        raise DataError(f"{path} has no data rows")
    sequences = FrameSequences([np.asarray(frames, dtype=np.float32)
                                for frames, _ in groups.values()], features)
    return sequences, [labels for _, labels in groups.values()], features
