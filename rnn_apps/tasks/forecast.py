"""Forecasting: the next ``horizon`` values of one or more series (direct strategy).

Work in progress for the forecast task: the Python API with scaling inside
the model, baselines beside every evaluation, save/load and export. The CLI,
quantiles, the recursive strategy and backtests come next.
"""

from __future__ import annotations

import numpy as np

from rnn_apps.core import training
from rnn_apps.core.task import BaseTask
from rnn_apps.errors import DataError, RnnAppsError
from rnn_apps.evaluation import forecasting as fc
from rnn_apps.preprocessing.series import SeriesScaler, window_dataset


def check_series(X, what: str = "series") -> np.ndarray:
    """A finite float array ``[time, columns]`` from an array, list or DataFrame."""
    if hasattr(X, "select_dtypes"):
        non_numeric = [c for c in X.columns if c not in X.select_dtypes("number").columns]
        if non_numeric:
            raise DataError(f"{what} column {non_numeric[0]!r} is not numeric")
        X = X.to_numpy()
    try:
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
        raise DataError(f"{what} has a NaN or infinite value at row {row}, column {column}")
    return values


class Forecaster(BaseTask):
    """Reads ``lookback`` steps of every column, predicts ``horizon`` steps of ``targets``."""

    task_name = "forecast"

    def __init__(self, *, cell="gru", units=32, layers=1, bidirectional=False, dropout=0.0,
                 recurrent_dropout=0.0, clipnorm=1.0, clipvalue=None, spectral_radius=0.9,
                 leak_rate=1.0, input_scaling=1.0, lookback=24, horizon=1, targets=None,
                 season=None, epochs=20, batch_size=32, learning_rate=1e-3, patience=5,
                 valid_split=0.1, seed=None, verbose=1):
        self._store_params(locals())

    def _check_params(self, n_columns: int):
        config = self._recurrent_config()
        self._check_training_params()
        for name in ("lookback", "horizon"):
            value = getattr(self, name)
            if not (isinstance(value, int) and value > 0):
                raise RnnAppsError(f"{name} must be a positive integer; got {value!r}")
        targets = list(range(n_columns)) if self.targets is None else list(self.targets)
        if not targets or any(not 0 <= t < n_columns for t in targets):
            raise RnnAppsError(f"targets must be column indices below {n_columns}; "
                               f"got {self.targets!r}")
        return config, targets

    def _windows(self, scaled):
        batches = list(window_dataset(scaled, lookback=self.lookback, horizon=self.horizon,
                                      targets=self.targets_, batch_size=4096))
        return (np.concatenate([np.asarray(b[0]) for b in batches]),
                np.concatenate([np.asarray(b[1]) for b in batches]))

    def fit(self, X, y=None, validation_data=None):
        """Train on the series ``X`` (``[time]`` or ``[time, columns]``); returns ``self``."""
        values = check_series(X)
        config, targets = self._check_params(values.shape[1])
        need = self.lookback + self.horizon
        if len(values) < need:
            raise DataError(f"the series has {len(values)} steps; it needs at least lookback + "
                            f"horizon = {need}")
        n_valid = int(len(values) * self.valid_split)
        if validation_data is None and n_valid >= self.horizon and len(values) - n_valid >= need:
            train, valid = values[:-n_valid], values[-n_valid - self.lookback:]
        else:
            train = values
            valid = None if validation_data is None else check_series(validation_data)
        self.targets_ = targets
        scaler = SeriesScaler.fit(train)
        x, y_windows = self._windows(scaler.transform(train))
        validation = None if valid is None else self._windows(scaler.transform(valid))
        training.set_seed(self.seed)
        with training.build_scope():
            import keras

            from rnn_apps.core.recurrent import build_recurrent_stack, make_optimizer

            inputs = keras.Input(shape=(self.lookback, values.shape[1]), name="history")
            encoded = build_recurrent_stack(inputs, config)
            flat = keras.layers.Dense(self.horizon * len(targets), name="forecast_flat")(encoded)
            change = keras.layers.Reshape((self.horizon, len(targets)), name="change")(flat)
            # The network predicts the change from the last observed value, so a
            # level outside the training range (a trend) is not squashed back.
            last = keras.ops.take(inputs[:, -1:, :], targets, axis=2)
            outputs = keras.layers.Add(name="forecast")([last, change])
            model = keras.Model(inputs, outputs, name="forecaster")
            model.compile(optimizer=make_optimizer(config, self.learning_rate), loss="mse")
        self._train_keras(model, x, y_windows, validation)
        self.model_ = model
        season = self.season or fc.detect_season(train[:, targets[0]])
        self._set_state({"scaler": scaler.get_state(), "targets": targets, "season": season,
                         "n_columns": int(values.shape[1]),
                         "train_tail": train[-self.lookback:].tolist(),
                         "scale": fc.seasonal_naive_scale(train[:, targets], season).tolist()})
        return self

    def _get_state(self) -> dict:
        return dict(self.state_)

    def _set_state(self, state: dict) -> None:
        self.state_ = dict(state)
        self.scaler_ = SeriesScaler.from_state(state["scaler"])
        self.targets_ = list(state["targets"])
        self.season_ = int(state["season"])

    def predict(self, X=None) -> np.ndarray:
        """Forecasts in original units.

        ``X=None``: the ``horizon`` steps after the training data, ``[horizon, targets]``.
        ``X`` of shape ``[lookback, columns]`` or ``[n, lookback, columns]``:
        one forecast per window, ``[n, horizon, targets]``.
        """
        self._check_is_fitted()
        if X is None:
            return self.predict(np.asarray(self.state_["train_tail"])[None])[0]
        windows = np.asarray(X, dtype=np.float32)
        if windows.ndim == 2:
            windows = windows[None]
        expected = (self.lookback, self.state_["n_columns"])
        if windows.ndim != 3 or windows.shape[1:] != expected:
            raise DataError(f"history windows must be [n, {expected[0]}, {expected[1]}]; "
                            f"got {windows.shape}")
        if not np.isfinite(windows).all():
            raise DataError("history windows contain NaN or infinite values")
        scaled = self.model_.predict(self.scaler_.transform(windows), verbose=0, batch_size=512)
        targets = self.targets_
        return scaled * self.scaler_.std[targets] + self.scaler_.mean[targets]

    def evaluate(self, X, y=None) -> dict:
        """Metrics over every window of ``X`` (a series that follows or includes the
        training data), with ``baseline_mase`` of the seasonal naive forecast."""
        self._check_is_fitted()
        values = check_series(X)
        if values.shape[1] != self.state_["n_columns"]:
            raise DataError(f"the series has {values.shape[1]} columns; the model was trained "
                            f"on {self.state_['n_columns']}")
        starts = np.arange(len(values) - self.lookback - self.horizon + 1)
        if len(starts) == 0:
            raise DataError(f"the series has {len(values)} steps; it needs at least lookback + "
                            f"horizon = {self.lookback + self.horizon}")
        index = starts[:, None] + np.arange(self.lookback)[None]
        windows = values[index]
        actual = values[index[:, -1:] + 1 + np.arange(self.horizon)[None]][..., self.targets_]
        forecast = self.predict(windows)
        season = min(self.season_, self.lookback)
        baseline = np.stack([fc.seasonal_naive_forecast(w[:, self.targets_], self.horizon,
                                                        season) for w in windows])
        scale = np.asarray(self.state_["scale"])
        metrics = fc.forecast_metrics(actual, forecast, scale=scale)
        metrics["baseline_mase"] = fc.forecast_metrics(actual, baseline, scale=scale)["mase"]
        metrics["season"] = self.season_
        return metrics

    def _export_archive(self):
        import keras
        import tensorflow as tf

        model, scaler, targets = self.model_, self.scaler_, self.targets_
        spec = tf.TensorSpec([None, self.lookback, self.state_["n_columns"]], tf.float32,
                             name="history")

        @tf.function(input_signature=[spec])
        def serve(history):
            scaled = model(scaler.transform_graph(history), training=False)
            return {"forecast": scaler.inverse_transform_graph(scaled, columns=targets)}

        archive = keras.export.ExportArchive()
        archive.track(model)
        archive.add_endpoint("serving_default", serve)
        return archive

