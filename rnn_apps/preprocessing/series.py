"""Time-series preprocessing: scaling fitted on training data, and windows.

``SeriesScaler`` keeps its state as plain JSON and has TensorFlow-op
versions of ``transform``/``inverse_transform`` so an exported model can
speak the original units. ``window_dataset`` cuts ``lookback``-step inputs
and ``horizon``-step targets with ``keras.utils.timeseries_dataset_from_array``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnn_apps.errors import DataError


def check_series(X, what: str = "series") -> np.ndarray:
    """A finite float array ``[time, columns]`` from an array, list or DataFrame."""
    if hasattr(X, "select_dtypes"):
        non_numeric = [c for c in X.columns if c not in X.select_dtypes("number").columns]
        if non_numeric:
            raise DataError(f"{what} column {non_numeric[0]!r} is not numeric")
        X = X.to_numpy()
    try:
        with np.errstate(over="ignore"):  # too large for float32 becomes inf, refused below
            values = np.asarray(X, dtype=np.float32)
    except (TypeError, ValueError):
        raise DataError(f"{what} must be numeric") from None
    if values.ndim == 1:
        values = values[:, None]
    if values.ndim != 2 or values.size == 0:
        raise DataError(f"{what} must be [time] or [time, columns]; got shape {values.shape}")
    bad = np.argwhere(~np.isfinite(values))
    if len(bad):
        row, column = bad[0]
        raise DataError(f"{what} has a NaN or infinite value at row {row}, column {column} "
                        f"(or one beyond the 32-bit float range, +-{FLOAT32_MAX:.1e})")
    return values


def column_order(trained, names, what: str = "column", holder: str = "the series has"):
    """Indices that put columns ``names`` in the ``trained`` order, matched by name;
    None when there is nothing to reorder (same order, or either side unnamed:
    None or the default ``column_0``, ``column_1``, ...)."""
    def named(columns):
        return bool(columns) and not all(c == f"column_{i}" for i, c in enumerate(columns))

    names = list(names) if names is not None else None
    if not (named(trained) and named(names)) or names == list(trained):
        return None
    missing = [name for name in trained if name not in names]
    if missing:
        raise DataError(f"{holder} no {what} {missing[0]!r} (the model was trained on "
                        f"{', '.join(trained)})")
    return [names.index(name) for name in trained]


FLOAT32_MAX = float(np.finfo(np.float32).max)


def fits_float32(value: float) -> bool:
    """Finite, and still finite as a 32-bit float (what the networks compute in)."""
    return bool(np.isfinite(value)) and abs(value) <= FLOAT32_MAX


@dataclass
class Series:
    """Values ``[time, columns]`` with column names and, when known, time stamps."""

    values: np.ndarray
    columns: list[str]
    times: list | None = None
    time_format: str | None = None          # a kind of rnn_apps.data.times, or a strftime format
    time_column: str | None = None

    def head(self, n: int) -> Series:
        """The first ``n`` steps."""
        return self.part(0, n)

    def part(self, start: int, stop: int) -> Series:
        """Steps ``start .. stop - 1``, with their time stamps."""
        return Series(self.values[start:stop], self.columns,
                      self.times[start:stop] if self.times else None, self.time_format,
                      self.time_column)


def as_series(X, what: str = "series") -> Series:
    """Accept an array or list, a pandas DataFrame (a DatetimeIndex gives the
    times) or a table from :func:`rnn_apps.data.series.read_series_csv`."""
    if isinstance(X, Series):                  # also a table read from a CSV file
        return X
    values = check_series(X, what)
    times = None
    if hasattr(X, "index") and hasattr(X.index, "to_pydatetime"):
        times = list(X.index.to_pydatetime())
    if hasattr(X, "columns"):
        columns = [str(c) for c in X.columns]
    elif hasattr(X, "name") and X.name is not None:        # a pandas Series
        columns = [str(X.name)]
    else:
        columns = [f"column_{i}" for i in range(values.shape[1])]
    return Series(values, columns, times, "iso" if times else None)


class SeriesScaler:
    """Per-column standardisation ``(x - mean) / std``; constant columns keep std 1."""

    def __init__(self, mean, std):
        self.mean = np.asarray(mean, dtype=np.float32)
        self.std = np.asarray(std, dtype=np.float32)

    @classmethod
    def fit(cls, values) -> SeriesScaler:
        values = np.asarray(values, dtype=np.float64)
        if values.ndim == 1:
            values = values[:, None]
        if not np.isfinite(values).all():
            raise DataError("cannot fit a scaler on NaN or infinite values")
        std = values.std(axis=0)
        return cls(values.mean(axis=0), np.where(std > 0, std, 1.0))

    def transform(self, values):
        return (np.asarray(values, dtype=np.float32) - self.mean) / self.std

    def inverse_transform(self, values):
        return np.asarray(values, dtype=np.float32) * self.std + self.mean

    def transform_graph(self, values):
        import tensorflow as tf

        return (values - tf.constant(self.mean)) / tf.constant(self.std)

    def inverse_transform_graph(self, values, columns=None):
        """Inverse in TensorFlow; ``columns`` picks the target columns' statistics."""
        import tensorflow as tf

        mean, std = self.mean, self.std
        if columns is not None:
            mean, std = mean[list(columns)], std[list(columns)]
        return values * tf.constant(std) + tf.constant(mean)

    def get_state(self) -> dict:
        return {"mean": self.mean.tolist(), "std": self.std.tolist()}

    @classmethod
    def from_state(cls, state: dict) -> SeriesScaler:
        return cls(state["mean"], state["std"])


def window_dataset(values, *, lookback: int, horizon: int, targets=None, batch_size: int = 32,
                   shuffle: bool = False, seed=None):
    """``(x [batch, lookback, features], y [batch, horizon, targets])`` batches.

    Window ``i`` reads rows ``i .. i + lookback - 1`` and predicts rows
    ``i + lookback .. i + lookback + horizon - 1`` of the ``targets`` columns
    (all columns by default).
    """
    import keras
    import tensorflow as tf

    values = np.asarray(values, dtype=np.float32)
    if values.ndim == 1:
        values = values[:, None]
    if lookback < 1 or horizon < 1:
        raise DataError(f"lookback and horizon must be positive; got {lookback} and {horizon}")
    if len(values) < lookback + horizon:
        raise DataError(f"the series has {len(values)} steps; it needs at least lookback + "
                        f"horizon = {lookback + horizon}")
    columns = list(range(values.shape[1])) if targets is None else list(targets)
    dataset = keras.utils.timeseries_dataset_from_array(
        values, None, sequence_length=lookback + horizon, batch_size=batch_size,
        shuffle=shuffle, seed=seed)
    return dataset.map(
        lambda window: (window[:, :lookback], tf.gather(window[:, lookback:], columns, axis=2)),
        num_parallel_calls=tf.data.AUTOTUNE)
