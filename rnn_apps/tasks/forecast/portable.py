"""The forecaster's portable core and its ``preprocessing.json``: scaled
history in, scaled forecast out.

The network's own in-graph layers (inputs relative to the last value,
seasonal split and join, window scaling, calendar features) stay inside the
core, so only the per-column standard scaling is left outside. One
exception: TFLite has no 64-bit integer division, which the calendar
features of epoch seconds need, so a TFLite core of a model with calendar
features takes the features themselves (``calendar_features``, computed as
``preprocessing.json`` says) where the ONNX core takes ``future_time``.
"""

from __future__ import annotations

import numpy as np

from rnn_apps.portable.cores import (
    SAMPLE_ROWS,
    Core,
    as_outputs,
    pairs,
    rebuild,
    sequence_batch,
)

CALENDAR_INPUT = "calendar_features"


def _precomputed_calendar(horizon: int, width: int):
    """A configuration edit: the ``future_time`` input becomes float features
    ``[batch, horizon, width]`` and every ``CalendarFeatures`` layer an identity."""
    shape = [None, horizon, width]

    def edit(node):
        kind, config = node.get("class_name"), node.get("config")
        if not isinstance(config, dict):
            return
        if kind == "CalendarFeatures":
            node.update(module="keras.layers", class_name="Identity", registered_name=None,
                        build_config={"input_shape": shape},
                        config={"name": config["name"], "trainable": False,
                                "dtype": config.get("dtype", "float32")})
        elif kind == "InputLayer" and config.get("name") == "future_time":
            config.update(batch_shape=shape, dtype="float32")
        elif kind == "__keras_tensor__" and (config.get("keras_history") or [None])[0] \
                == "future_time":
            config.update(shape=shape, dtype="float32")

    return edit


def calendar_features(kinds, seconds) -> np.ndarray:
    """What the network's ``CalendarFeatures`` layer makes of epoch seconds."""
    from rnn_apps.tasks.forecast.layers import CalendarFeatures

    return np.asarray(CalendarFeatures(list(kinds))(np.asarray(seconds, np.int64)))


def _sample(rng, model) -> dict:
    inputs = model.input if isinstance(model.input, dict) else {"history": model.inputs[0]}
    sample = {}
    for name, tensor in inputs.items():
        shape = (SAMPLE_ROWS, *tensor.shape[1:])
        if name == "future_time":  # epoch seconds, one day apart
            start = 1_700_000_000 + rng.integers(0, 10**7, size=(SAMPLE_ROWS, 1))
            sample[name] = (start + 86_400 * np.arange(shape[1])).astype(np.int64)
        else:
            sample[name] = rng.normal(size=shape).astype(np.float32)
    return sample


def forecast_core(task, fmt: str) -> Core:
    """``history [batch, lookback, columns]`` (scaled; with ``future`` and
    ``future_time`` / ``calendar_features`` when the network reads them) ->
    ``forecast [batch, horizon, targets]`` (and ``quantiles``), scaled."""
    import tensorflow as tf

    trained, batch = task.model_, sequence_batch(fmt)
    named = isinstance(trained.input, dict)
    inputs = dict(trained.input) if named else {"history": trained.inputs[0]}
    spec = task.spec_
    kinds = list(spec.calendar)
    precompute = fmt == "tflite" and "future_time" in inputs
    edit = _precomputed_calendar(spec.horizon, 2 * len(kinds)) if precompute else None
    model = rebuild(trained, edit=edit)
    specs, rename = [], {}
    for name, tensor in inputs.items():
        shape, dtype = [batch, *tensor.shape[1:]], tf.as_dtype(tensor.dtype)
        if precompute and name == "future_time":
            rename[CALENDAR_INPUT] = name
            name, shape, dtype = CALENDAR_INPUT, [*shape, 2 * len(kinds)], tf.float32
        specs.append(tf.TensorSpec(shape, dtype, name=name))

    def function(**given):
        given = {rename.get(key, key): value for key, value in given.items()}
        out = model(given if named else given["history"], training=False)
        return as_outputs(out, "forecast")

    sample = _sample(np.random.default_rng(0), trained)
    expected = as_outputs(trained(sample if named else sample["history"], training=False),
                          "forecast")
    given = dict(sample)
    if precompute:
        given[CALENDAR_INPUT] = calendar_features(kinds, given.pop("future_time"))
    notes = [f"history holds exactly lookback = {spec.lookback} steps"]
    if precompute:
        notes.append("calendar_features replaces future_time in TFLite (no 64-bit integer "
                     "division there); compute it as preprocessing.json says")
    head = ("model: batch size 1 (TFLite lowers the recurrent loop only with a static batch); "
            "run a batch one row at a time") if fmt == "tflite" else "model: any batch size"
    return Core("model", function, specs, [model], lambda run: pairs(run(given), expected),
                [head, *notes])


def describe(task, fmt: str) -> dict:
    state, scaler, spec = task.state_, task.scaler_, task.spec_
    columns, targets = list(spec.columns), list(spec.targets)
    future = list(spec.future_columns)
    out = {
        "columns": columns, "targets": targets,
        "target_names": spec.target_names,
        "lookback": spec.lookback, "horizon": spec.horizon,
        "scaler": {"mean": scaler.mean.tolist(), "std": scaler.std.tolist()},
        "history": "the last lookback rows [lookback, columns], each column scaled as "
                   "(value - mean[c]) / std[c]",
        "output": "forecast[h][k] * std[targets[k]] + mean[targets[k]] in original units",
        "quantiles": list(spec.quantiles),
        "in_graph": {"inputs": state.get("inputs"),
                     "deseasonalize": (state.get("decomposition") or {}).get("mode", "none"),
                     "season": spec.season,
                     "window_scaling": state.get("scaling") == "window",
                     "about": "done inside the core; nothing to do outside"},
    }
    if out["quantiles"]:
        out["output_quantiles"] = ("quantiles[h][k][q] * std[targets[k]] + mean[targets[k]], "
                                   "q indexing the quantile levels")
    if future:
        out["future_columns"] = future
        out["future"] = ("the future_columns' values at the horizon steps [horizon, "
                         "len(future_columns)], scaled with their own mean and std")
    if spec.calendar:
        out["calendar"] = list(spec.calendar)
        out["future_time"] = "epoch seconds (UTC, int64) of each forecast step [horizon]"
        out["calendar_features"] = {
            "input": "calendar_features" if fmt == "tflite" else "none: the core takes "
                     "future_time and computes them itself",
            "about": ("per forecast step, for each kind in calendar in order: sin(2 pi "
                      "phase), cos(2 pi phase), with days = floor(seconds / 86400) and "
                      "phase hour = (seconds - 86400 days) / 86400, weekday = ((days + 3) "
                      "mod 7) / 7, month = (UTC calendar month - 1) / 12"),
            "shape": [spec.horizon, 2 * len(spec.calendar)]}
    return out


CORES = [forecast_core]
