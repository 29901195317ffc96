"""Per task: how a JSON instance becomes SavedModel input, which extra fields
(options) a request may carry, and how outputs become JSON.

``parse`` checks one instance and raises :class:`RequestError` on anything the
model cannot take; ``options`` checks the request's extra fields; ``run``
answers a batch of parsed instances that share the same options.
"""

from __future__ import annotations

import math
from typing import ClassVar

import numpy as np

from rnn_apps.errors import DataError
from rnn_apps.preprocessing.strings import check_string
from rnn_apps.serving.limits import Limits, RequestError


def _text(value, what: str, limits: Limits) -> str:
    if not isinstance(value, str):
        raise RequestError(f"{what} must be a string, got {type(value).__name__}")
    if not value.strip():
        raise RequestError(f"{what} is empty")
    if len(value) > limits.max_text_chars:
        raise RequestError(f"{what} has {len(value)} characters; the limit is "
                           f"{limits.max_text_chars}", status=413)
    try:
        check_string(value, what)
    except DataError as error:
        raise RequestError(str(error)) from None
    return value


def _field(instance, name: str):
    """The named input of an instance given as ``{name: value}``, or the bare value."""
    if isinstance(instance, dict):
        unknown = sorted(set(instance) - {name})
        if name not in instance or unknown:
            raise RequestError(f"an instance must be {{{name!r}: ...}} or the bare value; "
                               f"got the field(s) {sorted(instance)}")
        return instance[name]
    return instance


def _number(value, name: str, kind, low, high):
    if kind is bool:
        if not isinstance(value, bool):
            raise RequestError(f"{name} must be true or false")
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)) \
            or (kind is int and not float(value).is_integer()):
        raise RequestError(f"{name} must be {'an integer' if kind is int else 'a number'}")
    if not (math.isfinite(value) and low <= value <= high):
        raise RequestError(f"{name} must be from {low} to {high}, got {value}")
    return kind(value)


class Adapter:
    main = "text"
    options_spec: ClassVar[dict] = {}  # name -> (kind, low, high, default)

    def __init__(self, info: dict, signature: dict, limits: Limits):
        self.info, self.signature, self.limits = info, signature, limits
        self.params = info.get("params") or {}

    def parse(self, instance):
        return _text(_field(instance, self.main), self.main, self.limits)

    def options(self, fields: dict) -> tuple:
        unknown = sorted(set(fields) - set(self.options_spec))
        if unknown:
            known = ", ".join(sorted(self.options_spec)) or "none"
            raise RequestError(f"unknown field {unknown[0]!r} (this {self.info['task']} "
                               f"model takes: instances or inputs, signature_name, {known})")
        chosen = {}
        for name, (kind, low, high, default) in self.options_spec.items():
            value = fields.get(name)
            chosen[name] = default if value is None else _number(value, name, kind, low, high)
        return tuple(sorted(chosen.items()))

    def batchable(self, options: tuple) -> bool:
        return True

    def describe_options(self) -> dict:
        return {name: {"type": kind.__name__, "from": low, "to": high, "default": default}
                for name, (kind, low, high, default) in self.options_spec.items()}

    @staticmethod
    def _strings(values) -> list[str]:
        return [v.decode("utf-8", errors="replace") for v in np.asarray(values).reshape(-1)]


class SentimentAdapter(Adapter):
    def run(self, module, instances, options):
        import tensorflow as tf

        out = module.signatures["serving_default"](text=tf.constant(instances))
        labels = self._strings(out["label"].numpy())
        probabilities = out["probabilities"].numpy().tolist()
        return [{"label": label, "probabilities": p} for label, p in zip(labels, probabilities)]


class TaggingAdapter(Adapter):
    def __init__(self, info, signature, limits):
        super().__init__(info, signature, limits)
        self.main = "tokens" if "tokens" in signature["inputs"] else "frames"
        self.features = signature["inputs"].get("frames", {}).get("tensor_shape", [0, 0, 0])[-1]

    def parse(self, instance):
        value = _field(instance, self.main)
        if self.main == "tokens":
            if isinstance(value, str):  # split as the model's training text was
                value = self._split(value)
            if not isinstance(value, list) or not value:
                raise RequestError("tokens must be a non-empty list of strings (or one string)")
            if len(value) > self.limits.max_text_chars:
                raise RequestError(f"{len(value)} tokens; the limit is "
                                   f"{self.limits.max_text_chars}", status=413)
            return [_text(token, "a token", self.limits) for token in value]
        rows = _matrix(value, "frames", self.features)
        if len(rows) > self.limits.max_text_chars:
            raise RequestError(f"{len(rows)} frames; the limit is {self.limits.max_text_chars}",
                               status=413)
        return rows

    def _split(self, text: str) -> list[str]:
        from rnn_apps.errors import RnnAppsError
        from rnn_apps.preprocessing.tokens import split_text

        tokenizer = (self.info.get("serving") or {}).get("tokenizer", "whitespace")
        try:
            return split_text([_text(text, "tokens", self.limits)], tokenizer)[0]
        except RnnAppsError as error:  # spaCy missing here: token lists still work
            raise RequestError(f"{error}; or send token lists", status=501) from None

    def run(self, module, instances, options):
        import tensorflow as tf

        length = max(len(item) for item in instances)
        if self.main == "tokens":
            batch = np.full((len(instances), length), "", dtype=object)
        else:
            batch = np.full((len(instances), length, self.features), np.nan, np.float32)
        for row, item in enumerate(instances):
            batch[row, :len(item)] = item
        tensor = tf.constant(batch.tolist() if self.main == "tokens" else batch)
        tags = module.signatures["serving_default"](**{self.main: tensor})["tags"].numpy()
        return [{"tags": self._strings(tags[row, :len(item)])}
                for row, item in enumerate(instances)]


def _matrix(value, what: str, columns: int, rows: int | None = None) -> np.ndarray:
    """A ``[time, columns]`` float32 array of finite numbers (a flat list is one column)."""
    if not isinstance(value, list) or not value:
        raise RequestError(f"{what} must be a non-empty list")
    if columns == 1 and all(not isinstance(v, list) for v in value):
        value = [[v] for v in value]
    if any(not isinstance(row, list) or len(row) != columns for row in value):
        raise RequestError(f"each step of {what} must hold {columns} number(s)")
    flat = [v for row in value for v in row]
    if any(isinstance(v, bool) or not isinstance(v, (int, float)) for v in flat):
        raise RequestError(f"{what} must hold numbers only")
    array = np.asarray(value, dtype=np.float64)
    if not np.isfinite(array).all() or np.abs(array).max() > np.finfo(np.float32).max:
        raise RequestError(f"{what} holds NaN, infinite or too large values")
    if rows is not None and len(array) != rows:
        raise RequestError(f"{what} must have {rows} steps, got {len(array)}")
    return array.astype(np.float32)


class Seq2SeqAdapter(Adapter):
    def __init__(self, info, signature, limits):
        super().__init__(info, signature, limits)
        serving = info.get("serving") or {}
        self.options_spec = {
            "beam_width": (int, 1, 64, int(self.params.get("beam_width") or 1)),
            "max_length": (int, 1, limits.max_generation_length,
                           min(int(serving.get("max_length", 100)),
                               limits.max_generation_length)),
            "length_penalty": (float, 0.0, 10.0, float(self.params.get("length_penalty", 0.0))),
        }

    def run(self, module, instances, options):
        import tensorflow as tf

        out = module.decode(tf.constant(instances), tf.constant(options["beam_width"], tf.int32),
                            tf.constant(options["max_length"], tf.int32),
                            tf.constant(options["length_penalty"], tf.float32))
        return [{"output": text} for text in self._strings(out["output"].numpy())]


class TextgenAdapter(Adapter):
    main = "prompt"

    def __init__(self, info, signature, limits):
        super().__init__(info, signature, limits)
        self.options_spec = {
            "length": (int, 1, limits.max_generation_length,
                       min(200, limits.max_generation_length)),
            "temperature": (float, 0.0, 100.0, 1.0),
            "top_k": (int, 1, 1 << 20, None),
            "seed": (int, 0, 2**31 - 1, None),
        }

    def batchable(self, options):
        return dict(options)["seed"] is None  # a seeded sample is drawn on its own, as in Python

    def run(self, module, instances, options):
        import tensorflow as tf

        out = module.generate_seeded(
            tf.constant(instances), tf.constant(options["length"], tf.int32),
            tf.constant(options["temperature"], tf.float32),
            tf.constant(options["top_k"] or 0, tf.int32),
            tf.constant(-1 if options["seed"] is None else options["seed"], tf.int32))
        return [{"text": text} for text in self._strings(out["text"].numpy())]


class ForecastAdapter(Adapter):
    main = "history"

    def __init__(self, info, signature, limits):
        super().__init__(info, signature, limits)
        inputs = signature["inputs"]
        self.lookback, self.columns = inputs["history"]["tensor_shape"][1:]
        self.extra = [name for name in ("future", "future_time") if name in inputs]
        self.future_columns = inputs["future"]["tensor_shape"][-1] if "future" in inputs else 0
        self.horizon = (inputs.get("future") or inputs.get("future_time") or {}) \
            .get("tensor_shape", [0, 0])[1]
        has_quantiles = "quantiles" in signature["outputs"]
        self.options_spec = {"quantiles": (bool, False, True, has_quantiles)} \
            if has_quantiles else {}

    def parse(self, instance):
        names = ["history", *self.extra]
        if not isinstance(instance, dict):
            instance = {"history": instance}
        if sorted(instance) != sorted(names):
            raise RequestError(f"a forecast instance needs the field(s) {names}; "
                               f"got {sorted(instance)}")
        history = _matrix(instance["history"], "history", self.columns)
        if len(history) < self.lookback:
            raise RequestError(f"history has {len(history)} steps; this model reads the last "
                               f"{self.lookback}")
        parsed = {"history": history[-self.lookback:]}
        if "future" in instance:
            parsed["future"] = _matrix(instance["future"], "future", self.future_columns,
                                       rows=self.horizon)
        if "future_time" in instance:
            times = instance["future_time"]
            if not isinstance(times, list) or len(times) != self.horizon or any(
                    isinstance(t, bool) or not isinstance(t, int) for t in times):
                raise RequestError(f"future_time must be {self.horizon} integers "
                                   f"(epoch seconds)")
            parsed["future_time"] = np.asarray(times, np.int64)
        return parsed

    def run(self, module, instances, options):
        import tensorflow as tf

        given = {name: tf.constant(np.stack([item[name] for item in instances]))
                 for name in instances[0]}
        out = module.signatures["serving_default"](**given)
        answers = [{"forecast": row} for row in out["forecast"].numpy().tolist()]
        if options.get("quantiles"):
            for answer, row in zip(answers, out["quantiles"].numpy().tolist()):
                answer["quantiles"] = row
        return answers


ADAPTERS = {"sentiment": SentimentAdapter, "tagging": TaggingAdapter,
            "seq2seq": Seq2SeqAdapter, "textgen": TextgenAdapter, "forecast": ForecastAdapter}


def adapter_for(info: dict, signature: dict, limits: Limits) -> Adapter:
    from rnn_apps.errors import ModelDirError

    if info.get("task") not in ADAPTERS:
        raise ModelDirError(f"no server for a {info.get('task')!r} model")
    return ADAPTERS[info["task"]](info, signature, limits)
