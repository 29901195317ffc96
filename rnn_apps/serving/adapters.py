"""What every serving adapter is made of: the base :class:`Adapter` and the
checks a task's adapter uses on request values.

An adapter says, for one task, how a JSON instance becomes SavedModel input,
which extra fields (options) a request may carry, and how outputs become
JSON: ``parse`` checks one instance and raises :class:`RequestError` on
anything the model cannot take; ``options`` checks the request's extra
fields; ``run`` answers a batch of parsed instances that share the same
options. Each task's adapter lives in its package (its ``serving_adapter``
hook); :func:`adapter_for` finds it through the task registry.
"""

from __future__ import annotations

import math
from typing import ClassVar

import numpy as np

from rnn_apps.errors import DataError
from rnn_apps.preprocessing.strings import check_string
from rnn_apps.serving.limits import Limits, RequestError

__all__ = ["Adapter", "Limits", "RequestError", "adapter_for", "parse_field", "parse_matrix",
           "parse_text"]


def parse_text(value, what: str, limits: Limits) -> str:
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


def parse_field(instance, name: str):
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
        return parse_text(parse_field(instance, self.main), self.main, self.limits)

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


def parse_matrix(value, what: str, columns: int, rows: int | None = None) -> np.ndarray:
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


def adapter_for(info: dict, signature: dict, limits: Limits) -> Adapter:
    """The adapter of the model's task (its ``serving_adapter`` hook)."""
    from rnn_apps.core.model_info import serving_adapter

    adapter = serving_adapter(info.get("task"))
    return adapter(info, signature, limits)
