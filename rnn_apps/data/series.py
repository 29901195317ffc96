"""CSV reader for time series: a time column (optional) and numeric columns.

Rows must be in time order; duplicated or out-of-order time stamps, text in
a numeric column and (unless ``interpolate=True``) missing values are a
:class:`~rnn_apps.errors.DataError` naming the file, line and column. Gaps
in a regular time axis are reported, not refused.
"""

from __future__ import annotations

import calendar
import csv
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import pairwise

import numpy as np

from rnn_apps.data.tables import read_text_file
from rnn_apps.errors import DataError
from rnn_apps.preprocessing.series import Series


@dataclass
class SeriesTable(Series):
    """A :class:`~rnn_apps.preprocessing.series.Series` read from a file, with
    the gaps found in its time axis."""

    gaps: list[str] = field(default_factory=list)


def parse_time(text: str) -> tuple[datetime, str]:
    """A year (``1749``), a month (``1958-03``) or an ISO date/time, and which it was."""
    text = text.strip()
    for fmt, kind in (("%Y", "year"), ("%Y-%m", "month")):
        try:
            return datetime.strptime(text, fmt), kind
        except ValueError:
            pass
    return datetime.fromisoformat(text), "iso"


def format_time(stamp: datetime, kind: str | None) -> str:
    if kind == "year":
        return f"{stamp.year:04d}"
    if kind == "month":
        return f"{stamp.year:04d}-{stamp.month:02d}"
    return stamp.date().isoformat() if stamp.time() == datetime.min.time() \
        else stamp.isoformat(sep=" ")


def _month_number(stamp: datetime) -> int:
    return stamp.year * 12 + stamp.month - 1


def _month_end(stamp: datetime) -> bool:
    return stamp.day == calendar.monthrange(stamp.year, stamp.month)[1]


def infer_step(times: list[datetime]) -> dict:
    """``{"months": k}`` for calendar steps (same day of the month, or the last
    day, and the same time each row), else ``{"seconds": s}`` (the median step)."""
    if len(times) < 2:
        raise DataError("at least two time stamps are needed to tell the step")
    same_day = len({(t.day, t.time()) for t in times}) == 1
    month_end = len({t.time() for t in times}) == 1 and all(map(_month_end, times))
    if same_day or month_end:
        months = [_month_number(b) - _month_number(a) for a, b in pairwise(times)]
        if min(months) > 0:
            return {"months": int(np.median(months)), "month_end": month_end and not same_day}
    return {"seconds": float(np.median([(b - a).total_seconds() for a, b in pairwise(times)]))}


def future_times(last: datetime, step: dict, n: int) -> list[datetime]:
    """The ``n`` time stamps after ``last``, ``step`` apart (from :func:`infer_step`)."""
    if "months" in step:
        stamps = []
        for k in range(1, n + 1):
            year, month = divmod(_month_number(last) + step["months"] * k, 12)
            days = calendar.monthrange(year, month + 1)[1]
            day = days if step.get("month_end") else min(last.day, days)
            stamps.append(last.replace(year=year, month=month + 1, day=day))
        return stamps
    return [last + timedelta(seconds=step["seconds"] * k) for k in range(1, n + 1)]


def _parse_row_time(path, line, text):
    try:
        return parse_time(text)
    except ValueError:
        raise DataError(f"{path} line {line}: time stamp {text!r} is not a year, a month "
                        "(YYYY-MM) or an ISO date/time") from None


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
    times, seen, kinds = [], {}, set()
    for r, (line, row) in enumerate(rows[1:]):
        if time_column:
            stamp, kind = _parse_row_time(path, line, row[header.index(time_column)]
                                          if header.index(time_column) < len(row) else "")
            kinds.add(kind)
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
    kind = kinds.pop() if len(kinds) == 1 else ("iso" if kinds else None)
    return SeriesTable(values.astype(np.float32), wanted, times or None, time_format=kind,
                       time_column=time_column, gaps=_gaps(times) if times else [])
