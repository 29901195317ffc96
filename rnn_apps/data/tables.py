"""CSV, TSV, JSON-lines and plain-line readers for text (and label) columns.

Every problem is a :class:`~rnn_apps.errors.DataError` naming the file and,
where there is one, the line.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from rnn_apps.errors import DataError

FORMATS = ("csv", "tsv", "jsonl", "lines")
_SUFFIXES = {".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".jsonl": "jsonl",
             ".ndjson": "jsonl", ".json": "jsonl", ".txt": "lines"}


def detect_format(path, fmt: str | None = None) -> str:
    if fmt is not None:
        if fmt not in FORMATS:
            raise DataError(f"format must be one of {', '.join(FORMATS)}; got {fmt!r}")
        return fmt
    suffix = Path(path).suffix.lower()
    if suffix not in _SUFFIXES:
        raise DataError(f"{path}: cannot tell the format from the suffix {suffix!r}; "
                        f"pass a format ({', '.join(FORMATS)})")
    return _SUFFIXES[suffix]


def read_text_file(path) -> str:
    """A whole UTF-8 file; empty, binary or undecodable files are a DataError."""
    path = Path(path)
    if not path.exists():
        raise DataError(f"data file {path} does not exist")
    if not path.is_file():
        raise DataError(f"{path} is not a file")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise DataError(f"{path} line {line}: not UTF-8 text (byte 0x{raw[error.start]:02x} "
                        f"at offset {error.start})") from None
    if "\x00" in text:
        raise DataError(f"{path} looks binary (it contains NUL bytes)")
    if not text.strip():
        raise DataError(f"{path} is empty")
    return text


def _rows(path, fmt: str, header: bool):
    """Yield ``(line_number, row)``; rows are dicts (header/JSON) or lists."""
    text = read_text_file(path)
    if fmt == "lines":
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                yield number, [line]
        return
    if fmt == "jsonl":
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as error:
                raise DataError(f"{path} line {number}: invalid JSON ({error.msg})") from None
            if not isinstance(row, dict):
                raise DataError(f"{path} line {number}: expected a JSON object per line")
            yield number, row
        return
    reader = csv.reader(text.splitlines(), delimiter="," if fmt == "csv" else "\t")
    names = None
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        if header and names is None:
            names = [cell.strip() for cell in row]
            continue
        if names is None:
            yield reader.line_num, row
        else:
            yield reader.line_num, dict(zip(names, row))
    if header and names is None:
        raise DataError(f"{path} has no header row")


def _column_getter(path, fmt: str, header: bool, column, role: str):
    if fmt == "lines":
        return lambda row: row[0]
    if header or fmt == "jsonl":
        key = str(column)
        return lambda row: row.get(key) if isinstance(row, dict) else None
    try:
        index = int(column)
    except (TypeError, ValueError):
        raise DataError(f"{path}: without a header the {role} column must be a number; "
                        f"got {column!r}") from None
    return lambda row: row[index] if index < len(row) else None


def _collect(path, fmt, header, columns: dict):
    getters = {role: _column_getter(path, fmt, header, col, role) for role, col in columns.items()}
    out = {role: [] for role in columns}
    seen_keys = None
    for number, row in _rows(path, fmt, header):
        if isinstance(row, dict) and seen_keys is None:
            seen_keys = list(row)
            for role, col in columns.items():
                if str(col) not in row:
                    raise DataError(f"{path}: no column {str(col)!r} for the {role} "
                                    f"(columns: {', '.join(map(str, seen_keys))})")
        for role, get in getters.items():
            value = get(row)
            if value is None or (isinstance(value, str) and not value.strip()):
                raise DataError(f"{path} line {number}: missing {role} "
                                f"(column {str(columns[role])!r})")
            if role == "text" and not isinstance(value, str):
                value = str(value)
            out[role].append(value)
    if not out[next(iter(columns))]:
        raise DataError(f"{path} has no data rows")
    return out


def read_labelled_texts(path, *, text_column="text", label_column="label", fmt=None,
                        header: bool = True):
    """Texts and labels from a CSV, TSV or JSON-lines file."""
    fmt = detect_format(path, fmt)
    if fmt == "lines":
        raise DataError(f"{path}: labelled data needs a csv, tsv or jsonl file "
                        "(plain lines have no label column)")
    out = _collect(path, fmt, header, {"text": text_column, "label": label_column})
    return out["text"], out["label"]


def read_texts(path, *, text_column="text", fmt=None, header: bool = True):
    """Texts only: a column of a table, or one text per line of a .txt file."""
    fmt = detect_format(path, fmt)
    return _collect(path, fmt, header, {"text": text_column})["text"]
