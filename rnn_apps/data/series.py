"""CSV reader for time series: a time column (optional) and numeric columns.

Rows must be in time order; duplicated or out-of-order time stamps, text in
a numeric column and (unless ``interpolate=True``) missing values are a
:class:`~rnn_apps.errors.DataError` naming the file, line and column. Gaps
in a regular time axis are reported, not refused.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import datetime
from itertools import pairwise

import numpy as np

from rnn_apps.data.tables import read_text_file
from rnn_apps.errors import DataError


@dataclass
class SeriesTable:
    values: np.ndarray                      # [time, columns], float32
    columns: list[str]
    times: list[datetime] | None = None
    gaps: list[str] = field(default_factory=list)


def _parse_time(path, line, text):
    try:
        return datetime.fromisoformat(text.strip())
    except ValueError:
        raise DataError(f"{path} line {line}: time stamp {text!r} is not an ISO date/time") \
            from None


def _interpolate(column: np.ndarray) -> np.ndarray:
    missing = np.isnan(column)
    index = np.arange(len(column))
    column[missing] = np.interp(index[missing], index[~missing], column[~missing])
    return column


def _gaps(times: list[datetime]) -> list[str]:
    steps = np.array([(b - a).total_seconds() for a, b in pairwise(times)])
    if len(steps) < 2:
        return []
    usual = float(np.median(steps))
    return [f"gap between {times[i]} and {times[i + 1]} ({steps[i] / usual:.0f} steps)"
            for i in np.flatnonzero(steps > 1.5 * usual)]


def read_series_csv(path, *, time_column: str | None = None, columns=None,
                    interpolate: bool = False) -> SeriesTable:
    """Numeric ``columns`` (default: every column but the time column) of a CSV."""
    rows = list(csv.reader(read_text_file(path).splitlines()))
    rows = [(number, row) for number, row in enumerate(rows, start=1) if any(c.strip() for c in row)]
    if len(rows) < 2:
        raise DataError(f"{path} has no data rows")
    header = [name.strip() for name in rows[0][1]]
    wanted = [c for c in header if c != time_column] if columns is None else list(columns)
    for name in [*wanted, *([time_column] if time_column else [])]:
        if name not in header:
            raise DataError(f"{path}: no column {name!r} (columns: {', '.join(header)})")
    if not wanted:
        raise DataError(f"{path}: no value columns besides the time column")
    index = [header.index(name) for name in wanted]
    values = np.full((len(rows) - 1, len(wanted)), np.nan)
    times, seen = [], {}
    for r, (line, row) in enumerate(rows[1:]):
        if time_column:
            stamp = _parse_time(path, line, row[header.index(time_column)]
                                if header.index(time_column) < len(row) else "")
            if stamp in seen:
                raise DataError(f"{path} line {line}: time stamp {stamp} repeats line "
                                f"{seen[stamp]}")
            if times and stamp < times[-1]:
                raise DataError(f"{path} line {line}: time stamp {stamp} is earlier than the "
                                "row before (rows must be in time order)")
            seen[stamp] = line
            times.append(stamp)
        for c, (name, position) in enumerate(zip(wanted, index)):
            text = row[position].strip() if position < len(row) else ""
            if not text or text.lower() in ("na", "nan", "null"):
                if not interpolate:
                    raise DataError(f"{path} line {line}: column {name!r} is missing "
                                    "(interpolation is off)")
                continue
            try:
                values[r, c] = float(text)
            except ValueError:
                raise DataError(f"{path} line {line}: column {name!r} value {text!r} is not "
                                "a number") from None
            if not np.isfinite(values[r, c]):
                raise DataError(f"{path} line {line}: column {name!r} is not finite")
    for c, name in enumerate(wanted):
        if np.isnan(values[:, c]).all():
            raise DataError(f"{path}: column {name!r} has no values")
        values[:, c] = _interpolate(values[:, c])
    return SeriesTable(values.astype(np.float32), wanted, times or None,
                       _gaps(times) if times else [])
