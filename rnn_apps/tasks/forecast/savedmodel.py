"""Forecasts in the data's units: the scaled outputs of the networks of
:mod:`.forecast_model` turned back into original units, and the SavedModel's
``serving_default`` that takes raw history (and future inputs) to them."""

from __future__ import annotations

import keras


def to_original_units(out, scaler, targets) -> dict:
    """Scaled network outputs (NumPy or TensorFlow) as ``{"forecast"[, "quantiles"]}``
    in the data's units; quantiles have the levels on a last axis."""
    mean, std = scaler.mean[targets], scaler.std[targets]
    out = out if isinstance(out, dict) else {"forecast": out}
    result = {"forecast": out["forecast"] * std + mean}
    if "quantiles" in out:
        result["quantiles"] = out["quantiles"] * std[:, None] + mean[:, None]
    return result


def export_archive(model, scaler, spec):
    """``serving_default``: ``history [batch, lookback, columns]`` in original units
    (with ``future [batch, horizon, covariates]`` and ``future_time [batch, horizon]``
    epoch seconds when the model reads them) to ``forecast [batch, horizon, targets]``
    (and ``quantiles`` when trained with them); the sizes are the fitted model's
    :class:`~rnn_apps.tasks.forecast.spec.ForecastSpec`."""
    import tensorflow as tf

    from rnn_apps.core import graph_checks

    targets, lookback, n_columns = list(spec.targets), spec.lookback, len(spec.columns)
    future_columns, horizon = list(spec.future_columns), spec.horizon
    named = isinstance(model.input, dict)
    specs = {"history": tf.TensorSpec([None, lookback, n_columns], tf.float32, name="history")}
    if named and "future" in model.input:
        specs["future"] = tf.TensorSpec([None, horizon, len(future_columns)], tf.float32,
                                        name="future")
    if named and "future_time" in model.input:
        specs["future_time"] = tf.TensorSpec([None, horizon], tf.int64, name="future_time")

    def run(**given):
        history = graph_checks.checked(
            graph_checks.finite(given["history"], "history"),
            graph_checks.size_is(given["history"], 1, lookback,
                                 f"history must hold lookback = {lookback} steps"),
            graph_checks.size_is(given["history"], 2, n_columns,
                                 f"history must hold {n_columns} column(s)"))
        inputs = scaler.transform_graph(history)
        if named:
            inputs = {"history": inputs}
            if "future" in given:
                future = graph_checks.checked(
                    graph_checks.finite(given["future"], "future"),
                    graph_checks.size_is(given["future"], 1, horizon,
                                         f"future must hold horizon = {horizon} steps"),
                    graph_checks.size_is(given["future"], 2, len(future_columns),
                                         f"future must hold {len(future_columns)} column(s)"))
                inputs["future"] = (future - tf.constant(scaler.mean[list(future_columns)])) \
                    / tf.constant(scaler.std[list(future_columns)])
            if "future_time" in given:
                inputs["future_time"] = graph_checks.checked(given["future_time"], (
                    graph_checks.size_is(given["future_time"], 1, horizon,
                                         f"future_time must hold horizon = {horizon} steps")))
        out = to_original_units(model(inputs, training=False), scaler, targets)
        return {key: graph_checks.checked(value, (
            tf.reduce_all(tf.math.is_finite(value)),
            "the forecast is not finite (history values beyond what float32 holds?)"))
            for key, value in out.items()}

    names = list(specs)
    serve = tf.function(lambda *args: run(**dict(zip(names, args))),
                        input_signature=[specs[name] for name in names])
    archive = keras.export.ExportArchive()
    archive.track(model)
    archive.add_endpoint("serving_default", serve)
    return archive
