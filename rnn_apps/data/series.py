"""CSV reader for time series: a time column (optional) and numeric columns.

Rows must be in time order; duplicated or out-of-order time stamps, text in
a numeric column and (unless ``interpolate=True``) missing values are a
:class:`~rnn_apps.errors.DataError` naming the file, line and column. Gaps
in a regular time axis are reported, not refused.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import pairwise

import numpy as np

from rnn_apps.data.tables import in_memory, iter_rows
from rnn_apps.errors import DataError
from rnn_apps.preprocessing.series import FLOAT32_MAX, Series, fits_float32


@dataclass
class SeriesTable(Series):
    """A :class:`~rnn_apps.preprocessing.series.Series` read from a file, with
    the gaps found in its time axis."""

    gaps: list[str] = field(default_factory=list)


# a first column with one of these names (any case) is taken as the time axis
TIME_NAMES = ("date", "time", "timestamp", "datetime", "year", "month", "ds", "period",
              "t", "step", "index", "idx", "time_step", "timestep", "")
STEP_NAMES = ("t", "step", "index", "idx", "time_step", "timestep", "")
KINDS = ("year", "month", "iso", "step")


def time_kind(text: str, column: str | None = None) -> str:
    """How the first time stamp of a column reads: ``year`` (four digits), ``step``
    (any other integer, or any integer in a column named like a step), ``month``
    (YYYY-MM) or ``iso``."""
    text = text.strip()
    if re.fullmatch(r"[+-]?\d+", text):
        step_column = column is not None and column.strip().lower() in STEP_NAMES
        return "year" if len(text) == 4 and not step_column else "step"
    return "month" if re.fullmatch(r"\d{4}-\d{2}", text) else "iso"


def parse_time(text: str, kind: str | None = None) -> tuple[datetime | int, str]:
    """A year (``1749``), a month (``1958-03``), an ISO date/time or an integer step
    (``0``, ``1``, ...), and which it was; ``kind`` (from :func:`time_kind`) fixes
    which one is expected. Steps are ints, the others datetimes."""
    text = text.strip()
    kind = kind or time_kind(text)
    if kind == "step":
        if not re.fullmatch(r"[+-]?\d+", text):
            raise ValueError(text)
        return int(text), kind
    if kind == "year":
        return datetime.strptime(text, "%Y"), kind
    if kind == "month":
        return datetime.strptime(text, "%Y-%m"), kind
    return datetime.fromisoformat(text), "iso"


def format_time(stamp, kind: str | None) -> str:
    if kind == "step" or isinstance(stamp, int):
        return str(stamp)
    if kind == "year":
        return f"{stamp.year:04d}"
    if kind == "month":
        return f"{stamp.year:04d}-{stamp.month:02d}"
    return stamp.date().isoformat() if stamp.time() == datetime.min.time() \
        else stamp.isoformat(sep=" ")


def time_to_json(stamp):
    """A time stamp as model metadata keeps it (ints stay ints)."""
    return stamp if isinstance(stamp, int) or stamp is None else stamp.isoformat()


def time_from_json(value):
    return value if isinstance(value, int) or value is None else datetime.fromisoformat(value)


def _span(a, b) -> float:
    """``b - a`` in seconds (steps for integer time)."""
    return float(b - a) if isinstance(a, int) else (b - a).total_seconds()


def _month_number(stamp: datetime) -> int:
    return stamp.year * 12 + stamp.month - 1


def _month_end(stamp: datetime) -> bool:
    return stamp.day == calendar.monthrange(stamp.year, stamp.month)[1]


def infer_step(times: list) -> dict:
    """``{"months": k}`` for calendar steps (same day of the month, or the last
    day, and the same time each row), ``{"steps": k}`` for integer steps, else
    ``{"seconds": s}`` (the median step)."""
    if len(times) < 2:
        raise DataError("at least two time stamps are needed to tell the step")
    if isinstance(times[0], int):
        return {"steps": int(np.median([b - a for a, b in pairwise(times)]))}
    same_day = len({(t.day, t.time()) for t in times}) == 1
    month_end = len({t.time() for t in times}) == 1 and all(map(_month_end, times))
    if same_day or month_end:
        months = [_month_number(b) - _month_number(a) for a, b in pairwise(times)]
        if min(months) > 0:
            return {"months": int(np.median(months)), "month_end": month_end and not same_day}
    return {"seconds": float(np.median([_span(a, b) for a, b in pairwise(times)]))}


def future_times(last, step: dict, n: int) -> list:
    """The ``n`` time stamps after ``last``, ``step`` apart (from :func:`infer_step`)."""
    if "steps" in step:
        return [last + step["steps"] * k for k in range(1, n + 1)]
    if "months" in step:
        stamps = []
        for k in range(1, n + 1):
            year, month = divmod(_month_number(last) + step["months"] * k, 12)
            days = calendar.monthrange(year, month + 1)[1]
            day = days if step.get("month_end") else min(last.day, days)
            stamps.append(last.replace(year=year, month=month + 1, day=day))
        return stamps
    return [last + timedelta(seconds=step["seconds"] * k) for k in range(1, n + 1)]


_KIND_NAMES = {"year": "a year", "month": "a month (YYYY-MM)", "iso": "an ISO date/time",
               "step": "an integer step"}


def _parse_row_time(path, line, text, kind, first_line):
    try:
        return parse_time(text, kind)
    except ValueError:
        if first_line is None:
            raise DataError(f"{path} line {line}: time stamp {text!r} is not a year, a month "
                            "(YYYY-MM), an ISO date/time or an integer step") from None
        raise DataError(f"{path} line {line}: time stamp {text!r} is not {_KIND_NAMES[kind]} "
                        f"like line {first_line}") from None


def _interpolate(column: np.ndarray) -> np.ndarray:
    missing = np.isnan(column)
    index = np.arange(len(column))
    column[missing] = np.interp(index[missing], index[~missing], column[~missing])
    return column


def _gaps(times: list[datetime]) -> list[str]:
    steps = np.array([_span(a, b) for a, b in pairwise(times)])
    if len(steps) < 2:
        return []
    usual = float(np.median(steps))
    return [f"gap between {times[i]} and {times[i + 1]} ({steps[i] / usual:.0f} steps)"
            for i in np.flatnonzero(steps > 1.5 * usual)]


def resolve_time_column(header: list[str], time_column):
    """``"auto"``: the first column when its name is one of :data:`TIME_NAMES`, else
    no time column; any other value is returned as it is (None: no time column)."""
    if time_column != "auto":
        return time_column
    return header[0] if header and header[0].lower() in TIME_NAMES else None


def _layout(path, header, time_column, columns, id_column=None):
    wanted = [c for c in header if c not in (time_column, id_column)] if columns is None \
        else list(columns)
    for name in [*wanted, *(c for c in (time_column, id_column) if c is not None)]:
        if name not in header:
            raise DataError(f"{path}: no column {name!r} (columns: {', '.join(header)})")
    if not wanted:
        raise DataError(f"{path}: no value columns besides the time column")
    return wanted, [header.index(name) for name in wanted]


def iter_series_rows(path, *, time_column="auto", columns=None, interpolate=False,
                     id_column=None):
    """Yield ``(line, time stamp or None, time kind, values, series key or None)``
    per row, lazily.

    ``values`` is a float64 array with NaN where a value is missing (allowed
    only with ``interpolate``); every other check of :func:`read_series_csv`
    is made row by row (time order within each series of ``id_column``). The
    first item yielded is ``(value column names, time column or None)``.
    """
    rows = iter_rows(path, "csv", header=False)
    first = next(rows, None)
    if first is None:
        raise DataError(f"{path} has no data rows")
    header = [name.strip() for name in first[1]]
    time_column = resolve_time_column(header, time_column)
    if id_column is not None and id_column == time_column:
        raise DataError(f"{path}: the series key column cannot be the time column")
    wanted, index = _layout(path, header, time_column, columns, id_column)
    yield wanted, time_column
    time_index = header.index(time_column) if time_column is not None else None
    id_index = header.index(id_column) if id_column is not None else None
    lasts, count, first_kind, first_line = {}, 0, None, None
    for line, row in rows:
        stamp = kind = key = None
        if id_index is not None:
            key = row[id_index].strip() if id_index < len(row) else ""
            if not key:
                raise DataError(f"{path} line {line}: the series key {id_column!r} is empty")
        last, last_line = lasts.get(key, (None, None))
        if time_index is not None:
            text = row[time_index] if time_index < len(row) else ""
            first_kind = first_kind or time_kind(text, time_column)
            stamp, kind = _parse_row_time(path, line, text, first_kind, first_line)
            first_line = first_line or line
            if last is not None and stamp == last:
                raise DataError(f"{path} line {line}: time stamp {stamp} repeats line "
                                f"{last_line}")
            if last is not None and stamp < last:
                raise DataError(f"{path} line {line}: time stamp {stamp} is earlier than the "
                                "row before (rows must be in time order)")
            lasts[key] = (stamp, line)
        values = np.full(len(wanted), np.nan)
        for c, (name, position) in enumerate(zip(wanted, index)):
            text = row[position].strip() if position < len(row) else ""
            if not text or text.lower() in ("na", "nan", "null"):
                if not interpolate:
                    raise DataError(f"{path} line {line}: column {name!r} is missing "
                                    "(interpolation is off)")
                continue
            try:
                values[c] = float(text)
            except ValueError:
                raise DataError(f"{path} line {line}: column {name!r} value {text!r} is not "
                                "a number") from None
            if not np.isfinite(values[c]):
                raise DataError(f"{path} line {line}: column {name!r} is not finite")
            if not fits_float32(values[c]):
                raise DataError(f"{path} line {line}: column {name!r} value {text!r} is beyond "
                                f"the 32-bit float range (+-{FLOAT32_MAX:.1e})")
        count += 1
        yield line, stamp, kind, values, key
    if not count:
        raise DataError(f"{path} has no data rows")


def read_series_csv(path, *, time_column: str | None = "auto", columns=None,
                    interpolate: bool = False, stream: bool = False, id_column=None):
    """Numeric ``columns`` (default: every column but the time column) of a CSV.

    ``time_column="auto"`` takes the first column as the time axis when its name
    is one of :data:`TIME_NAMES` (date, time, year, month, ds, t, step, index,
    ...); None reads every column as values. Time stamps are years, months
    (YYYY-MM), ISO dates/times or integer steps (0, 1, 2, ...).

    ``stream=True`` returns a lazy :class:`SeriesStream` for series longer than
    memory allows (no interpolation: every value must be present).

    ``id_column`` reads a long-format file holding several series, one key per
    series in that column, and returns a
    :class:`~rnn_apps.preprocessing.panel.SeriesPanel` (series in the order of
    their first row).
    """
    if stream and id_column is not None:
        raise DataError("several series (an id column) are read into memory; read them "
                        "without streaming")
    if stream:
        if interpolate:
            raise DataError("interpolation needs the whole series; read it without streaming")
        return SeriesStream(path, time_column=time_column, columns=columns)
    rows = iter_series_rows(path, time_column=time_column, columns=columns,
                            interpolate=interpolate, id_column=id_column)
    with in_memory():  # the reader starts here: its lines count against the limit
        wanted, time_column = next(rows)
    groups: dict = {}
    for _, stamp, kind, row, key in rows:
        times, kinds, values = groups.setdefault(key, ([], set(), []))
        if stamp is not None:
            times.append(stamp)
            kinds.add(kind)
        values.append(row)
    tables = {key: _table(path, wanted, time_column, *group, key=key)
              for key, group in groups.items()}
    if id_column is None:
        return tables[None]
    from rnn_apps.preprocessing.panel import SeriesPanel

    return SeriesPanel(tables, id_column=id_column)


def _table(path, wanted, time_column, times, kinds, values, key=None):
    values = np.array(values)
    for c, name in enumerate(wanted):
        if np.isnan(values[:, c]).all():
            raise DataError(f"{path}: column {name!r} has no values"
                            + (f" in series {key!r}" if key is not None else ""))
        values[:, c] = _interpolate(values[:, c])
    kind = kinds.pop() if len(kinds) == 1 else ("iso" if kinds else None)
    return SeriesTable(values.astype(np.float32), wanted, times or None, time_format=kind,
                       time_column=time_column, gaps=_gaps(times) if times else [])


class SeriesStream:
    """A series CSV read lazily: every pass re-reads the file with every check.

    ``columns`` are the value columns (known from the header at once);
    iterating yields ``(time stamp or None, time kind, values float32 [columns])``.
    """

    def __init__(self, path, *, time_column="auto", columns=None):
        self.path, self._columns = path, columns
        self.columns, self.time_column = next(
            iter_series_rows(path, time_column=time_column, columns=columns))

    def __iter__(self):
        rows = iter_series_rows(self.path, time_column=self.time_column, columns=self._columns)
        next(rows)
        return ((stamp, kind, values.astype(np.float32)) for _, stamp, kind, values, _ in rows)

    def __repr__(self):
        return f"SeriesStream({str(self.path)!r}, columns={self.columns})"
