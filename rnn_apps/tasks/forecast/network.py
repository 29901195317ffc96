"""The forecasting networks behind :class:`~rnn_apps.tasks.forecast.estimator.Forecaster`.

Every network reads scaled history ``[batch, lookback, columns]`` (by default
relative to its last value) and predicts the *change* from the last observed
value, so a level outside the training range (a trend) is not squashed back
towards the mean.

- direct: one head emits all ``horizon`` steps of the targets at once;
- recursive: a one-step network for every column, applied ``horizon`` times
  with its own output fed back; the unrolled model is what is saved;
- quantiles (direct only): a second head trained with the pinball loss,
  sorted so the quantiles never cross;
- ridge readout (echo state cells): the output layer is solved in closed
  form from the reservoir states instead of trained by gradient descent.
"""

from __future__ import annotations

import keras
import numpy as np

from rnn_apps.core.esn import ridge_readout
from rnn_apps.core.recurrent import build_recurrent_stack
from rnn_apps.errors import RnnAppsError
from rnn_apps.tasks.forecast import layers as forecast_layers  # noqa: F401  (registers the layers)
from rnn_apps.tasks.forecast.layers import QuantileCalibration
from rnn_apps.tasks.forecast.savedmodel import export_archive, to_original_units  # noqa: F401

READOUT_LAYER = "forecast_flat"
CALIBRATION_LAYER = "quantile_calibration"
STEP_MODEL = "one_step"


@keras.saving.register_keras_serializable(package="rnn_apps")
class PinballLoss(keras.losses.Loss):
    """Mean quantile (pinball) loss; ``y_pred`` has the quantiles on its last axis."""

    def __init__(self, quantiles, name="pinball", reduction="sum_over_batch_size", dtype=None):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.quantiles = [float(q) for q in quantiles]

    def call(self, y_true, y_pred):
        levels = keras.ops.convert_to_tensor(self.quantiles, dtype=y_pred.dtype)
        error = keras.ops.expand_dims(keras.ops.cast(y_true, y_pred.dtype), -1) - y_pred
        return keras.ops.mean(keras.ops.maximum(levels * error, (levels - 1) * error), axis=-1)

    def get_config(self):
        return {**super().get_config(), "quantiles": self.quantiles}


def network_inputs(inputs, mode):
    """What the recurrent layers read: the window relative to its last value
    (shift-invariant, so a trend never leaves the training range), the
    levels, or both side by side."""
    relative = inputs - inputs[:, -1:, :]
    if mode == "relative":
        return relative
    if mode == "both":
        return keras.ops.concatenate([inputs, relative], axis=-1)
    return inputs


def _future_features(inputs, horizon, future_columns, calendar, window_scaling):
    """``(model inputs, flat features of the forecast steps or None)``."""
    from rnn_apps.tasks.forecast.layers import CalendarFeatures, WindowScale

    if not future_columns and not calendar:
        return inputs, None
    named, parts = {"history": inputs}, []
    if future_columns:
        named["future"] = keras.Input(shape=(horizon, len(future_columns)), name="future")
        future = named["future"]
        if window_scaling:      # in the units its history is scaled to
            future = future / WindowScale(future_columns, name="future_scale")(inputs)[1]
        parts.append(keras.layers.Flatten(name="future_flat")(future))
    if calendar:
        named["future_time"] = keras.Input(shape=(horizon,), dtype="int64", name="future_time")
        features = CalendarFeatures(calendar, name="calendar")(named["future_time"])
        parts.append(keras.layers.Flatten(name="calendar_flat")(features))
    return named, parts


def _heads(config, inputs, *, horizon, targets, quantiles, name, inputs_mode,
           decomposition=None, window_scaling=False, future_columns=(), calendar=()):
    """Recurrent encoder, point head and optional quantile head as ``(model,
    trainer)``: the trainer is the same network without the last steps that only
    serve prediction (the window scale multiplied back, the interval
    calibration); ``decomposition`` (``{"season", "mode", "stats"}``) wraps them in a
    per-window seasonal split and join (:mod:`.forecast_layers`);
    ``window_scaling`` divides each window by its mean absolute value first
    and multiplies the forecasts back (a global model across series)."""
    window, profile, join, scale = inputs, None, None, None
    if window_scaling:
        from rnn_apps.tasks.forecast.layers import WindowScale

        window, scale = WindowScale(targets, name="window_scale")(inputs)
    if decomposition:
        from rnn_apps.tasks.forecast.layers import SeasonalJoin, SeasonalSplit

        season, mode, stats = (decomposition[k] for k in ("season", "mode", "stats"))
        window, profile, _trend = SeasonalSplit(season, mode, targets, inputs.shape[-1],
                                               stats, name="seasonal_split")(window)
        join = SeasonalJoin(season, mode, stats, name="seasonal_join", dtype="float32")
    x = network_inputs(window, inputs_mode)
    encoded = build_recurrent_stack(x, config)
    model_inputs, known = _future_features(inputs, horizon, future_columns, calendar,
                                           window_scaling)
    if known:
        encoded = keras.layers.Concatenate(name="with_future")([encoded, *known])
    last = keras.ops.take(window[:, -1:, :], targets, axis=2)          # [batch, 1, targets]
    out = {"dtype": "float32"}  # outputs stay float32 under mixed precision
    # zeros: the untrained network forecasts the last (deseasonalised) value plus the
    # season, a strong baseline that training moves away from only where the data says so
    flat = keras.layers.Dense(horizon * len(targets), name=READOUT_LAYER,
                              kernel_initializer="zeros", **out)(encoded)
    change = keras.layers.Reshape((horizon, len(targets)), name="change", **out)(flat)
    point = keras.layers.Add(name="forecast" if join is None and scale is None
                             else "remainder", **out)(
        [last, change])
    if join is not None:
        point = join(point, profile)
    trained = {"forecast": point}       # what the loss sees: scaled, so series weigh alike
    if scale is not None:
        point = point * scale
    if join is not None or scale is not None:
        point = keras.layers.Identity(name="forecast", **out)(point)
    if not quantiles:
        model = keras.Model(model_inputs, point, name=name)
        return model, (model if scale is None else
                       keras.Model(model_inputs, trained["forecast"], name=f"{name}_training"))
    spread = keras.layers.Dense(horizon * len(targets) * len(quantiles),
                                name="quantile_flat", **out)(encoded)
    spread = keras.layers.Reshape((horizon, len(targets), len(quantiles)),
                                  name="quantile_change", **out)(spread)
    bands = keras.ops.sort(keras.ops.expand_dims(last, -1) + spread, axis=-1)
    if join is not None:
        bands = join(bands, profile)
    trained["quantiles"] = bands
    if scale is not None:
        bands = bands * keras.ops.expand_dims(scale, -1)
    bands = QuantileCalibration(len(quantiles), name=CALIBRATION_LAYER, **out)(bands)
    model = keras.Model(model_inputs, {"forecast": point, "quantiles": bands}, name=name)
    return model, keras.Model(model_inputs, trained, name=f"{name}_training")


def build_network(config, *, lookback, n_columns, horizon, targets, strategy="direct",
                  quantiles=None, inputs_mode="relative", decomposition=None,
                  name="forecaster", window_scaling=False, future_columns=(), calendar=()):
    """``(model, trainer)``: ``model`` maps scaled history to the scaled forecast
    ``[batch, horizon, targets]`` (a dict with ``quantiles`` when asked); ``trainer``
    is the network ``fit`` trains: the same model for direct, the one-step
    network (all columns, one step) for recursive."""
    inputs = keras.Input(shape=(lookback, n_columns), name="history")
    if strategy == "direct":
        return _heads(config, inputs, horizon=horizon, targets=targets, quantiles=quantiles,
                      name=name, inputs_mode=inputs_mode, decomposition=decomposition,
                      window_scaling=window_scaling, future_columns=future_columns,
                      calendar=calendar)
    step, step_trainer = _heads(
        config, keras.Input(shape=(lookback, n_columns), name="window"), horizon=1,
        targets=list(range(n_columns)), quantiles=None, name=STEP_MODEL,
        inputs_mode=inputs_mode, decomposition=decomposition, window_scaling=window_scaling)
    window, steps = inputs, []
    for _ in range(horizon):
        following = step(window)                                        # [batch, 1, columns]
        steps.append(following)
        window = keras.ops.concatenate([window[:, 1:], following], axis=1)
    path = keras.ops.concatenate(steps, axis=1) if horizon > 1 else steps[0]
    forecast = keras.ops.take(path, targets, axis=2)
    return keras.Model(inputs, forecast, name=name), step_trainer


def trainer_loss(quantiles=None):
    """Mean squared error on the forecast; plus the pinball loss with quantiles."""
    if quantiles:
        return {"forecast": "mse", "quantiles": PinballLoss(quantiles)}
    return "mse"


RIDGE_ALPHAS = tuple(10.0 ** k for k in range(-6, 2))


def fit_ridge_readout(trainer, x, y, targets, alpha=None, validation=None):
    """Solve the output layer from the encoder's final states.

    ``alpha=None`` picks the penalty from ``RIDGE_ALPHAS`` with the lowest
    validation error (``1e-2`` without validation data). Returns a one-epoch
    history (training MSE, validation MSE when there is some) and the alpha.
    """
    encoder = keras.Model(trainer.inputs, trainer.get_layer(READOUT_LAYER).input)

    def states_and_change(inputs, outputs):
        states = encoder.predict(inputs, batch_size=1024, verbose=0).astype("float64")
        return states, (outputs - inputs[:, -1:, targets]).reshape(len(inputs), -1)

    states, change = states_and_change(x, y)
    candidates = [alpha] if alpha is not None else RIDGE_ALPHAS if validation else [1e-2]
    best = None
    for candidate in candidates:
        weights, bias = ridge_readout(states, change, candidate)
        score = None
        if validation:
            valid_states, valid_change = states_and_change(*validation)
            score = float(np.mean((valid_states @ weights + bias - valid_change) ** 2))
        if best is None or (score is not None and score < best[0]):
            best = (score, candidate, weights, bias)
    score, chosen, weights, bias = best
    trainer.get_layer(READOUT_LAYER).set_weights([weights.astype("float32"),
                                                  bias.astype("float32")])
    history = {"loss": [float(np.mean((states @ weights + bias - change) ** 2))]}
    if score is not None:
        history["val_loss"] = [score]
    return history, chosen


def recurrent_network(model):
    """The model holding the recurrent layers (the one-step network when recursive)."""
    names = [layer.name for layer in model.layers]
    return model.get_layer(STEP_MODEL) if STEP_MODEL in names else model


def check_quantiles(quantiles) -> list[float]:
    """Sorted quantile levels; ``[]`` for none."""
    if quantiles is None or len(quantiles) == 0:
        return []
    try:
        levels = sorted(float(q) for q in quantiles)
    except (TypeError, ValueError):
        raise RnnAppsError(f"quantiles must be numbers; got {quantiles!r}") from None
    if len(levels) < 2 or len(set(levels)) != len(levels) or not 0 < levels[0] < levels[-1] < 1:
        raise RnnAppsError("quantiles must be two or more distinct levels between 0 and 1; "
                           f"got {quantiles!r}")
    return levels


def ensemble_network(models, lookbacks, lookback):
    """One model over ``[batch, lookback, columns]`` (and the future inputs the
    members read): each member reads its own last ``lookbacks[k]`` steps, and
    the forecasts (each quantile level too) are the median over the members."""
    first = models[0]
    named = isinstance(first.input, dict)
    history_spec = first.input["history"] if named else first.inputs[0]
    inputs = {"history": keras.Input(shape=(lookback, history_spec.shape[-1]), name="history")}
    if named:
        for key, spec in first.input.items():
            if key != "history":
                inputs[key] = keras.Input(shape=spec.shape[1:], dtype=spec.dtype, name=key)
    outputs = []
    for model, own in zip(models, lookbacks):
        history = inputs["history"][:, lookback - own:]
        outputs.append(model({**inputs, "history": history} if named else history))

    def median(parts):
        return keras.ops.median(keras.ops.stack(parts, axis=0), axis=0)

    if isinstance(outputs[0], dict):
        combined = {key: median([out[key] for out in outputs]) for key in outputs[0]}
        if "quantiles" in combined:     # the median's own calibration (forecast_intervals)
            combined["quantiles"] = QuantileCalibration(
                combined["quantiles"].shape[-1], name=CALIBRATION_LAYER,
                dtype="float32")(combined["quantiles"])
    else:
        combined = median(outputs)
    return keras.Model(inputs if named else inputs["history"], combined, name="forecaster")


def member_networks(model) -> list:
    """The members of an ensemble (the model itself when it is not one)."""
    members = [layer for layer in model.layers if layer.name.startswith("member_")]
    return members or [model]
