"""CSV reader for time series: a time column (optional) and numeric columns.

Rows must be in time order; duplicated or out-of-order time stamps, text in
a numeric column and (unless ``interpolate=True``) missing values are a
:class:`~rnn_apps.errors.DataError` naming the file, line and column. Gaps
in a regular time axis are reported, not refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np

from rnn_apps.data.tables import in_memory, iter_rows
from rnn_apps.data.times import (  # noqa: F401  (the time helpers' former home)
    KINDS,
    STEP_NAMES,
    TIME_NAMES,
    format_time,
    future_times,
    infer_step,
    parse_row_time,
    parse_time,
    resolve_time_column,
    span,
    time_from_json,
    time_kind,
    time_to_json,
)
from rnn_apps.errors import DataError
from rnn_apps.preprocessing.series import FLOAT32_MAX, Series, fits_float32


@dataclass
class SeriesTable(Series):
    """A :class:`~rnn_apps.preprocessing.series.Series` read from a file, with
    the gaps found in its time axis."""

    gaps: list[str] = field(default_factory=list)


def _interpolate(column: np.ndarray) -> np.ndarray:
    missing = np.isnan(column)
    index = np.arange(len(column))
    column[missing] = np.interp(index[missing], index[~missing], column[~missing])
    return column


def _gaps(times: list) -> list[str]:
    steps = np.array([span(a, b) for a, b in pairwise(times)])
    if len(steps) < 2:
        return []
    usual = float(np.median(steps))
    return [f"gap between {times[i]} and {times[i + 1]} ({steps[i] / usual:.0f} steps)"
            for i in np.flatnonzero(steps > 1.5 * usual)]


def _zoned(stamp) -> bool:
    return getattr(stamp, "tzinfo", None) is not None


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
                     id_column=None, time_format=None):
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
    time_column = resolve_time_column(header, time_column, id_column)
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
            first_kind = first_kind or time_kind(text, time_column, time_format)
            stamp, kind = parse_row_time(path, line, text, first_kind, first_line)
            first_line = first_line or line
            if last is not None and stamp == last:
                raise DataError(f"{path} line {line}: time stamp {stamp} repeats line "
                                f"{last_line}")
            if last is not None and _zoned(stamp) != _zoned(last):
                raise DataError(f"{path} line {line}: time stamp {text.strip()!r} mixes stamps "
                                f"with and without a time zone (line {last_line})")
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
                    interpolate: bool = False, stream: bool = False, id_column=None,
                    time_format: str | None = None):
    """Numeric ``columns`` (default: every column but the time column) of a CSV.

    ``time_column="auto"`` takes the first column (after ``id_column``) as the
    time axis when its name is one of :data:`TIME_NAMES` (date, time, year,
    quarter, month, week, period, ds, t, step, index, ...); None reads every
    column as values. Time stamps are integer steps (0, 1, 2, ...), years
    (``1749`` or ``1749.0``), quarters (``2000Q1``, ``2000 Q1``), months
    (YYYY-MM), ISO weeks (``2020-W01``) or ISO 8601 dates/times; any other
    layout needs ``time_format``, a strftime format (``"%m/%d/%Y"``) that
    every stamp must match (:mod:`rnn_apps.data.times`).

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
        return SeriesStream(path, time_column=time_column, columns=columns,
                            time_format=time_format)
    rows = iter_series_rows(path, time_column=time_column, columns=columns,
                            interpolate=interpolate, id_column=id_column,
                            time_format=time_format)
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

    def __init__(self, path, *, time_column="auto", columns=None, time_format=None):
        self.path, self._columns, self.time_format = path, columns, time_format
        self.columns, self.time_column = next(
            iter_series_rows(path, time_column=time_column, columns=columns,
                             time_format=time_format))

    def __iter__(self):
        rows = iter_series_rows(self.path, time_column=self.time_column, columns=self._columns,
                                time_format=self.time_format)
        next(rows)
        return ((stamp, kind, values.astype(np.float32)) for _, stamp, kind, values, _ in rows)

    def __repr__(self):
        return f"SeriesStream({str(self.path)!r}, columns={self.columns})"
