"""Time-series preprocessing: scaling fitted on training data, and windows.

``SeriesScaler`` keeps its state as plain JSON and has TensorFlow-op
versions of ``transform``/``inverse_transform`` so an exported model can
speak the original units. ``window_dataset`` cuts ``lookback``-step inputs
and ``horizon``-step targets with ``keras.utils.timeseries_dataset_from_array``.
"""

from __future__ import annotations

import numpy as np

from rnn_apps.errors import DataError


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
