"""CSV, TSV, JSON-lines and plain-line readers for text (and label) columns.

Every problem is a :class:`~rnn_apps.errors.DataError` naming the file and,
where there is one, the line. Every reader reads gzip files (told by their
first bytes; the format by the suffix under ``.gz``: ``train.csv.gz``) and
holds uncompressed sizes to the limits below, stopping at the first excess.
"""

from __future__ import annotations

import contextlib
import contextvars
import csv
import gzip
import json
import zlib
from pathlib import Path

from rnn_apps.core import choices
from rnn_apps.errors import DataError, first_line

FORMATS = choices.TABLE_FORMATS
FIELD_LIMIT = 64 * 1024 * 1024  # characters in one CSV field (the csv module's default: 128 Ki)
LINE_LIMIT = 64 * 1024 * 1024   # bytes in one line (uncompressed), every read
ROW_LIMIT = 20_000_000          # lines of one file read into memory (streams: no limit)
TEXT_LIMIT = 1 << 30            # bytes of a file read whole (a corpus), uncompressed
GZIP_MAGIC = b"\x1f\x8b"
_LINE_BUDGET = contextvars.ContextVar("rnn_apps_line_budget", default=None)
_SUFFIXES = {".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".jsonl": "jsonl",
             ".ndjson": "jsonl", ".json": "jsonl", ".txt": "lines"}


def data_suffix(path) -> str:
    """The suffix that tells a file's format, under a ``.gz``: ``.csv`` for
    ``train.csv.gz``."""
    path = Path(path)
    if path.suffix.lower() == ".gz":
        path = path.with_suffix("")
    return path.suffix.lower()


def is_gzip(path) -> bool:
    with open(path, "rb") as handle:
        return handle.read(2) == GZIP_MAGIC


def open_data(path):
    """A binary handle on a data file, decompressing a gzip file as it is read."""
    return gzip.open(path, "rb") if is_gzip(path) else open(path, "rb")


@contextlib.contextmanager
def in_memory():
    """Within: a reader started here (:func:`iter_lines`' first line is read
    within) counts its lines against :data:`ROW_LIMIT`, for readers that hold
    every record in memory."""
    token = _LINE_BUDGET.set(ROW_LIMIT)
    try:
        yield
    finally:
        _LINE_BUDGET.reset(token)


def _unreadable(path, error) -> DataError:
    return DataError(f"{path}: cannot decompress it ({first_line(error)})")


def detect_format(path, fmt: str | None = None) -> str:
    if fmt is not None:
        if fmt not in FORMATS:
            raise DataError(f"format must be one of {', '.join(FORMATS)}; got {fmt!r}")
        return fmt
    suffix = data_suffix(path)
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
    too_large = DataError(f"{path}: more than {TEXT_LIMIT:,} bytes of text (uncompressed), "
                          "too many to read into memory; stream it (--stream)")
    if path.stat().st_size > TEXT_LIMIT:
        raise too_large
    try:
        with open_data(path) as handle:
            raw = handle.read(TEXT_LIMIT + 1)
    except (OSError, EOFError, zlib.error) as error:
        raise _unreadable(path, error) from None
    if len(raw) > TEXT_LIMIT:
        raise too_large
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


def check_data_file(path) -> Path:
    path = Path(path)
    if not path.exists():
        raise DataError(f"data file {path} does not exist")
    if not path.is_file():
        raise DataError(f"{path} is not a file")
    return path


def iter_lines(path):
    """Yield ``(line_number, line)`` of a UTF-8 file, lazily, line ends kept.

    Lines end at ``\n`` only (as an editor numbers them), so Unicode line
    separators inside a text stay in it. Undecodable bytes, NUL bytes, a line
    longer than :data:`LINE_LIMIT`, more lines than :data:`ROW_LIMIT` within
    :func:`in_memory`, a damaged gzip file and a file without any text are a
    DataError naming the file (and line).
    """
    path = check_data_file(path)
    offset, content, number, budget = 0, False, 0, _LINE_BUDGET.get()
    with open_data(path) as handle:
        while True:
            try:
                raw = handle.readline(LINE_LIMIT + 1)
            except (OSError, EOFError, zlib.error) as error:
                raise _unreadable(path, error) from None
            if not raw:
                break
            number += 1
            if len(raw) > LINE_LIMIT:
                raise DataError(f"{path} line {number}: longer than {LINE_LIMIT:,} bytes "
                                "(uncompressed), the limit on one line")
            if budget is not None and number > budget:
                raise DataError(f"{path}: more than {budget:,} lines, too many to read into "
                                "memory; stream it (stream=True, --stream)")
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as error:
                raise DataError(f"{path} line {number}: not UTF-8 text (byte "
                                f"0x{raw[error.start]:02x} at offset "
                                f"{offset + error.start})") from None
            if number == 1:
                line = line.removeprefix("\ufeff")
            if "\x00" in line:
                raise DataError(f"{path} looks binary (it contains NUL bytes)")
            offset += len(raw)
            content = content or not line.isspace() and line != ""
            yield number, line
    if not content:
        raise DataError(f"{path} is empty")


def iter_rows(path, fmt: str, header: bool):
    """Yield ``(line_number, row)``, lazily; rows are dicts (header/JSON) or lists."""
    lines = iter_lines(path)
    if fmt == "lines":
        for number, line in lines:
            if line.strip():
                yield number, [line.rstrip("\r\n")]
        return
    if fmt == "jsonl":
        for number, line in lines:
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
    numbers = [0]

    def physical_lines():
        for number, line in lines:
            numbers[0] = number
            yield line

    csv.field_size_limit(max(csv.field_size_limit(), FIELD_LIMIT))
    reader = csv.reader(physical_lines(), delimiter="," if fmt == "csv" else "\t")
    names, first_line = None, 1
    try:
        for row in reader:
            start, first_line = first_line, numbers[0] + 1
            if not any(cell.strip() for cell in row):
                continue
            if header and names is None:
                names = [cell.strip() for cell in row]
                continue
            yield start, (row if names is None else dict(zip(names, row)))
    except csv.Error as error:
        raise DataError(f"{path} line {numbers[0]}: {error}") from None
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


def _records(path, fmt, header, columns: dict):
    """Yield one tuple of column values per record (in ``columns`` order), checked."""
    getters = {role: _column_getter(path, fmt, header, col, role) for role, col in columns.items()}
    seen_keys, count = None, 0
    for number, row in iter_rows(path, fmt, header):
        if isinstance(row, dict) and seen_keys is None:
            seen_keys = list(row)
            for role, col in columns.items():
                if str(col) not in row:
                    raise DataError(f"{path}: no column {str(col)!r} for the {role} "
                                    f"(columns: {', '.join(map(str, seen_keys))})")
        values = []
        for role, get in getters.items():
            value = get(row)
            if value is None or (isinstance(value, str) and not value.strip()):
                raise DataError(f"{path} line {number}: missing {role} "
                                f"(column {str(columns[role])!r})")
            if role == "text" and not isinstance(value, str):
                value = str(value)
            values.append(value)
        count += 1
        yield tuple(values)
    if not count:
        raise DataError(f"{path} has no data rows")


class RecordStream:
    """The records of a file, read lazily: every pass calls ``make_records()``
    again, which re-reads the file and makes every check the in-memory reader
    makes (a bad record stops with the file and line). Iterating yields tuples
    with one value per name in ``columns``, or single values for one column."""

    def __init__(self, path, make_records, columns):
        self.path, self.columns = Path(path), tuple(columns)
        self._make_records = make_records
        check_data_file(path)

    def __iter__(self):
        if len(self.columns) == 1:
            return (values[0] for values in self._make_records())
        return iter(self._make_records())

    def __repr__(self):
        return f"RecordStream({str(self.path)!r}, columns={list(self.columns)})"


def _collect(path, fmt, header, columns: dict):
    with in_memory():
        rows = list(_records(path, fmt, header, columns))
    return {role: [r[k] for r in rows] for k, role in enumerate(columns)}


def read_labelled_texts(path, *, text_column="text", label_column="label", fmt=None,
                        header: bool = True, stream: bool = False):
    """Texts and labels from a CSV, TSV or JSON-lines file.

    ``stream=True`` returns a :class:`RecordStream` of ``(text, label)`` that
    reads the file lazily (give it to ``fit`` as ``X``).
    """
    fmt = detect_format(path, fmt)
    if fmt == "lines":
        raise DataError(f"{path}: labelled data needs a csv, tsv or jsonl file "
                        "(plain lines have no label column)")
    columns = {"text": text_column, "label": label_column}
    if stream:
        return RecordStream(path, lambda: _records(path, fmt, header, columns), columns)
    out = _collect(path, fmt, header, columns)
    return out["text"], out["label"]


def read_texts(path, *, text_column="text", fmt=None, header: bool = True,
               stream: bool = False):
    """Texts only: a column of a table, or one text per line of a .txt file
    (``stream=True``: a lazy :class:`RecordStream` of texts)."""
    fmt = detect_format(path, fmt)
    if stream:
        columns = {"text": text_column}
        return RecordStream(path, lambda: _records(path, fmt, header, columns), columns)
    return _collect(path, fmt, header, {"text": text_column})["text"]
