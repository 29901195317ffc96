"""Several series with the same columns, for one forecasting model across them.

A :class:`SeriesPanel` maps a key (the series' name) to a
:class:`~rnn_apps.preprocessing.series.Series`. It comes from a long-format
CSV (``read_series_csv(..., id_column=...)``), from a dict of arrays or
DataFrames, or from the columns of one table (:func:`panel_from_columns`:
each target column becomes a series of its own).
"""

from __future__ import annotations

from dataclasses import dataclass

from rnn_apps.errors import DataError
from rnn_apps.preprocessing.series import Series, as_series


@dataclass
class SeriesPanel:
    """Series by key, all with the same value columns."""

    series: dict
    id_column: str | None = None

    def __post_init__(self):
        if not self.series:
            raise DataError("a panel needs at least one series")
        columns = None
        for key, one in self.series.items():
            if columns is None:
                columns = one.columns
            elif one.columns != columns:
                raise DataError(f"series {key!r} has columns {', '.join(one.columns)}; the "
                                f"others have {', '.join(columns)}")

    @property
    def columns(self) -> list[str]:
        return next(iter(self.series.values())).columns

    def keys(self) -> list[str]:
        return list(self.series)

    def items(self):
        return self.series.items()

    def __len__(self) -> int:
        return len(self.series)

    def __iter__(self):
        return iter(self.series)

    def map(self, function) -> SeriesPanel:
        """A panel of ``function(series)`` for every series."""
        return SeriesPanel({key: function(one) for key, one in self.items()}, self.id_column)


def as_panel(X, what: str = "series") -> SeriesPanel | None:
    """A panel from a panel or a dict of series; None for anything else."""
    if isinstance(X, SeriesPanel):
        return X
    if isinstance(X, dict):
        return SeriesPanel({str(key): as_series(value, f"{what} {key!r}")
                            for key, value in X.items()})
    return None


def panel_from_columns(series, columns=None) -> SeriesPanel:
    """Each of ``columns`` (default: all) of one table as a series of its own,
    under the column's name, in a column called ``value``."""
    series = as_series(series)
    names = columns or series.columns
    missing = [name for name in names if name not in series.columns]
    if missing:
        raise DataError(f"no column {missing[0]!r} (columns: {', '.join(series.columns)})")
    return SeriesPanel({name: Series(series.values[:, [series.columns.index(name)]], ["value"],
                                     series.times, series.time_format, series.time_column)
                        for name in names})
