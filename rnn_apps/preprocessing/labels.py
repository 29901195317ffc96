"""Class labels to integer ids and back, with JSON-friendly state.

Labels are strings, integers or booleans (one type per model) and come back
from ``decode`` in the dtype they went in: the recorded ``dtype`` is ``"str"``
(an object array of strings), ``"bool"`` or an integer dtype name such as
``"int64"`` (that of a NumPy or pandas ``y``; Python ints give ``int64``).
Outside Python (a SavedModel, a CSV) a label is its text, ``str(label)``:
``"1"``, ``"True"``.
"""

from __future__ import annotations

import math

import numpy as np

from rnn_apps.errors import DataError


def _plain(value):
    """NumPy scalars to Python scalars so classes serialise as JSON."""
    return value.item() if isinstance(value, np.generic) else value


def check_labels(labels, n: int, what: str = "labels") -> list:
    if isinstance(labels, str):
        raise DataError(f"{what} must be a list, not a single string")
    items = [_plain(v) for v in labels]
    if len(items) != n:
        raise DataError(f"got {n} texts but {len(items)} {what}")
    for index, item in enumerate(items):
        missing = item is None or (isinstance(item, float) and math.isnan(item)) or (
            isinstance(item, str) and not item.strip())
        if missing:
            raise DataError(f"{what}[{index}] is missing")
        if not isinstance(item, (str, int, bool)):
            raise DataError(f"{what}[{index}] must be a string or an integer; got {item!r}")
    kinds = {type(v) for v in items}
    if len(kinds) > 1:
        raise DataError(f"{what} mix types ({', '.join(sorted(k.__name__ for k in kinds))}); "
                        "use one type for all labels")
    return items


def check_tags(sequences, tags, what: str = "sentence") -> list[list]:
    """Tag lists as checked labels: strings, integers or booleans, one type for all."""
    if tags is None or len(tags) != len(sequences):
        raise DataError(f"{len(sequences)} sequences but "
                        f"{'no' if tags is None else len(tags)} tag lists")
    out, kinds = [], set()
    for index, (steps, labels) in enumerate(zip(sequences, tags)):
        if isinstance(labels, str) or not hasattr(labels, "__iter__"):
            raise DataError(f"{what} {index}: tags must be a list, not {type(labels).__name__}")
        labels = list(labels)
        if len(labels) != len(steps):
            raise DataError(f"{what} {index}: {len(steps)} steps but {len(labels)} tags")
        labels = check_labels(labels, len(steps), what=f"{what} {index} tags")
        kinds.update(type(t) for t in labels)
        out.append(labels)
    if len(kinds) > 1:
        raise DataError(f"tags mix types ({', '.join(sorted(k.__name__ for k in kinds))}); "
                        "use one type for all tags")
    return out


INTEGER_DTYPES = ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64")


def label_dtype(y, labels: list) -> str:
    """The dtype name ``labels`` (checked, from ``y``) come back in."""
    if isinstance(labels[0], bool):
        return "bool"
    if isinstance(labels[0], int):
        name = str(getattr(y, "dtype", "")).lower()  # pandas "Int32" is numpy int32
        return name if name in INTEGER_DTYPES else "int64"
    return "str"


def check_classes(classes, dtype: str | None = None) -> tuple[list, str]:
    """Classes read back from a model's state, and their dtype (inferred when
    None): ``TypeError`` for a non-list, ``ValueError`` for a value that is not
    a label, mixed types, a duplicate, or a dtype they do not fit."""
    if isinstance(classes, (str, bytes, dict)) or not hasattr(classes, "__iter__"):
        raise TypeError(f"classes must be a list; got {type(classes).__name__}")
    classes = [_plain(c) for c in classes]
    kinds = {bool if isinstance(c, bool) else int if isinstance(c, int) else
             str if isinstance(c, str) else None for c in classes}
    if None in kinds or len(kinds) > 1:
        raise ValueError("classes must be all strings, all integers or all booleans")
    seen = set()
    for value in classes:
        if value in seen:
            raise ValueError(f"duplicate class {value!r}")
        seen.add(value)
    kind = kinds.pop() if kinds else str
    dtype = dtype if dtype is not None else {bool: "bool", int: "int64", str: "str"}[kind]
    fits = dtype == {bool: "bool", str: "str"}.get(kind) or (
        kind is int and dtype in INTEGER_DTYPES)
    if not fits:
        raise ValueError(f"label dtype {dtype!r} does not fit classes of type {kind.__name__}")
    if kind is int and classes:
        limits = np.iinfo(dtype)
        if not (limits.min <= min(classes) and max(classes) <= limits.max):
            raise ValueError(f"classes do not fit the label dtype {dtype}")
    return classes, dtype


def from_text(values, classes) -> list:
    """Labels read from a text file (strings) as the model's classes where their
    text, ``str(class)``, matches; others stay as they are (unknown labels)."""
    by_text = {str(c): c for c in classes}
    return [by_text.get(str(v).strip(), v) if isinstance(v, str) else v for v in values]


class LabelEncoder:
    """Sorted classes; ``encode`` to ids, ``decode`` back (in ``dtype``). Unknown
    labels raise; classes that are not labels raise ``ValueError``."""

    def __init__(self, classes, dtype: str | None = None):
        self.classes, self.dtype = check_classes(classes, dtype)
        self._index = {c: i for i, c in enumerate(self.classes)}

    @classmethod
    def fit(cls, labels: list, min_classes: int = 2, dtype: str | None = None) -> LabelEncoder:
        classes = sorted(set(labels))
        if len(classes) < min_classes:
            found = ", ".join(repr(c) for c in classes)
            raise DataError(f"need at least {min_classes} classes to train; found "
                            f"{len(classes)} ({found})")
        return cls(classes, dtype)

    def encode(self, labels: list) -> np.ndarray:
        booleans = self.dtype == "bool"  # True == 1: a bool is no integer label, nor back
        unknown = sorted({repr(v) for v in labels
                          if v not in self._index or isinstance(v, bool) != booleans})
        if unknown:
            raise DataError(f"labels not seen in training: {', '.join(unknown[:5])}")
        return np.array([self._index[v] for v in labels], dtype=np.int32)

    def decode(self, ids) -> np.ndarray:
        return self.as_array([self.classes[int(i)] for i in ids])

    def as_array(self, values) -> np.ndarray:
        """``values`` (classes) as an array of the label dtype."""
        return np.array(values, dtype=object if self.dtype == "str" else self.dtype)

    def __len__(self):
        return len(self.classes)
