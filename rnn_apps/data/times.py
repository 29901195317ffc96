"""Time stamps of a series CSV: how a column's values read, their step, the
stamps after the last one.

A time column holds one kind of stamp, fixed by its first row: integer steps
(``0``, ``1``, ...), years (``1749``, or ``1749.0`` as pandas writes a year
column that had a gap), quarters (``2000Q1``, ``2000 Q1``, ``2000-Q1``), months
(``1958-03``), ISO weeks (``2020-W01``), ISO 8601 dates and times (and
pandas' period ranges ``2020-01-06/2020-01-12``, read as their start), or,
with ``time_format`` (``--time-format``), whatever that strftime format
describes (``%m/%d/%Y`` for ``01/31/2020``). Dates that are not ISO are never
guessed: ``01/02/2020`` is a January or a February date depending on who wrote
it, so it needs a format. Parsing is done by the standard library and pandas
(``to_datetime``, ``Period``).
"""

from __future__ import annotations

import calendar
import re
from datetime import datetime, timedelta
from itertools import pairwise

import numpy as np

from rnn_apps.errors import DataError

# a first column with one of these names (any case) is taken as the time axis
TIME_NAMES = ("date", "time", "timestamp", "datetime", "year", "quarter", "month", "week",
              "ds", "period", "t", "step", "index", "idx", "time_step", "timestep", "")
STEP_NAMES = ("t", "step", "index", "idx", "time_step", "timestep", "")
KINDS = ("year", "quarter", "month", "week", "iso", "step")

_INTEGER = re.compile(r"[+-]?\d+(\.0*)?")
_QUARTER = re.compile(r"(\d{4})\s*[-_ ]?\s*[Qq]([1-4])|[Qq]([1-4])\s*[-_ ]?\s*(\d{4})")
_WEEK = re.compile(r"(\d{4})-?W(\d{2})")
_KIND_NAMES = {"year": "a year", "quarter": "a quarter (2000Q1)",
               "month": "a month (YYYY-MM)", "week": "an ISO week (2020-W01)",
               "iso": "an ISO date/time", "step": "an integer step"}
_ANY = ("a year, a month (YYYY-MM), a quarter (2000Q1), an ISO week (2020-W01), an ISO "
        "date/time or an integer step; give the column's format with --time-format "
        "(time_format=), e.g. %m/%d/%Y")


def is_format(kind: str | None) -> bool:
    """Whether a time kind is a user's strftime format (``%d.%m.%Y``)."""
    return kind is not None and "%" in kind


def time_kind(text: str, column: str | None = None, time_format: str | None = None) -> str:
    """How the first time stamp of a column reads: ``step`` (an integer that is
    not four digits, or any integer in a column named like a step), ``year``,
    ``quarter``, ``month`` (YYYY-MM), ``week``, ``iso``; with ``time_format``,
    that format."""
    if time_format:
        return time_format
    text = text.strip()
    name = (column or "").strip().lower()
    if _INTEGER.fullmatch(text):
        digits = len(text.split(".")[0].lstrip("+-"))
        if column is not None and name in STEP_NAMES:
            return "step"
        return "year" if digits == 4 or (name == "year" and not text.startswith("-")) \
            else "step"
    if _QUARTER.fullmatch(text):
        return "quarter"
    if _WEEK.fullmatch(text):
        return "week"
    return "month" if re.fullmatch(r"\d{4}-\d{2}", text) else "iso"


def _whole(text: str) -> int:
    if not _INTEGER.fullmatch(text):
        raise ValueError(text)
    return int(float(text)) if "." in text else int(text)


def _pandas_time(text: str, time_format: str) -> datetime:
    import warnings

    import pandas as pd

    stamp = pd.to_datetime(text, format=time_format)
    if pd.isna(stamp):
        raise ValueError(text)
    with warnings.catch_warnings():  # nanoseconds beyond what datetime holds
        warnings.simplefilter("ignore", UserWarning)
        return stamp.to_pydatetime()


def _iso(text: str) -> datetime:
    if "/" in text:  # a pandas period range: its start
        start, _, end = text.partition("/")
        _iso(end)
        return _iso(start)
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return _pandas_time(text, "ISO8601")


def parse_time(text: str, kind: str | None = None) -> tuple[datetime | int, str]:
    """A time stamp and its kind (from :func:`time_kind`, which ``kind`` fixes);
    steps are ints, the others datetimes. ValueError when it does not read."""
    text = text.strip()
    kind = kind or time_kind(text)
    if kind == "step":
        return _whole(text), kind
    if kind == "year":
        return datetime(_whole(text), 1, 1), kind
    if kind == "quarter":
        import pandas as pd

        match = _QUARTER.fullmatch(text)
        if not match:
            raise ValueError(text)
        year, quarter = (match[1], match[2]) if match[1] else (match[4], match[3])
        return pd.Period(f"{year}Q{quarter}", freq="Q").start_time.to_pydatetime(), kind
    if kind == "month":
        return datetime.strptime(text, "%Y-%m"), kind
    if kind == "week":
        match = _WEEK.fullmatch(text)
        if not match:
            raise ValueError(text)
        return datetime.strptime(f"{match[1]}-W{match[2]}-1", "%G-W%V-%u"), kind
    if is_format(kind):
        return _pandas_time(text, kind), kind
    return _iso(text), "iso"


def parse_row_time(path, line, text, kind, first_line):
    """:func:`parse_time` of one row's stamp, or a DataError naming the file and line."""
    try:
        return parse_time(text, kind)
    except (ValueError, OverflowError):
        if is_format(kind):
            raise DataError(f"{path} line {line}: time stamp {text!r} does not match the time "
                            f"format {kind!r}") from None
        if first_line is None:
            raise DataError(f"{path} line {line}: time stamp {text!r} is not {_ANY}") from None
        raise DataError(f"{path} line {line}: time stamp {text!r} is not {_KIND_NAMES[kind]} "
                        f"like line {first_line}") from None


def format_time(stamp, kind: str | None) -> str:
    if kind == "step" or isinstance(stamp, int):
        return str(stamp)
    if kind == "year":
        return f"{stamp.year:04d}"
    if kind == "quarter":
        return f"{stamp.year:04d}Q{(stamp.month - 1) // 3 + 1}"
    if kind == "month":
        return f"{stamp.year:04d}-{stamp.month:02d}"
    if kind == "week":
        return stamp.strftime("%G-W%V")
    if is_format(kind):
        return stamp.strftime(kind)
    return stamp.date().isoformat() if stamp.time() == datetime.min.time() \
        else stamp.isoformat(sep=" ")


def time_to_json(stamp):
    """A time stamp as model metadata keeps it (ints stay ints)."""
    return stamp if isinstance(stamp, int) or stamp is None else stamp.isoformat()


def time_from_json(value):
    return value if isinstance(value, int) or value is None else datetime.fromisoformat(value)


def resolve_time_column(header: list[str], time_column, id_column=None):
    """``"auto"``: the first column (after the series key ``id_column``) when its
    name is one of :data:`TIME_NAMES`, else no time column; any other value is
    returned as it is (None: no time column)."""
    if time_column != "auto":
        return time_column
    names = [name for name in header if name != id_column or id_column is None]
    return names[0] if names and names[0].lower() in TIME_NAMES else None


def span(a, b) -> float:
    """``b - a`` in seconds (steps for integer time)."""
    return float(b - a) if isinstance(a, int) else (b - a).total_seconds()


def _month_number(stamp: datetime) -> int:
    return stamp.year * 12 + stamp.month - 1


def _month_end(stamp: datetime) -> bool:
    return stamp.day == calendar.monthrange(stamp.year, stamp.month)[1]


def infer_step(times: list) -> dict:
    """``{"months": k}`` for calendar steps (same day of the month, or the last
    day, and the same time each row: 12 for years, 3 for quarters), ``{"steps":
    k}`` for integer steps, else ``{"seconds": s}`` (the median step)."""
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
    return {"seconds": float(np.median([span(a, b) for a, b in pairwise(times)]))}


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
