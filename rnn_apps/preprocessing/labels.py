"""Class labels to integer ids and back, with JSON-friendly state."""

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


class LabelEncoder:
    """Sorted classes; ``encode`` to ids, ``decode`` back. Unknown labels raise."""

    def __init__(self, classes):
        self.classes = [_plain(c) for c in classes]
        self._index = {c: i for i, c in enumerate(self.classes)}

    @classmethod
    def fit(cls, labels: list, min_classes: int = 2) -> LabelEncoder:
        classes = sorted(set(labels))
        if len(classes) < min_classes:
            found = ", ".join(repr(c) for c in classes)
            raise DataError(f"need at least {min_classes} classes to train; found "
                            f"{len(classes)} ({found})")
        return cls(classes)

    def encode(self, labels: list) -> np.ndarray:
        unknown = sorted({repr(v) for v in labels if v not in self._index})
        if unknown:
            raise DataError(f"labels not seen in training: {', '.join(unknown[:5])}")
        return np.array([self._index[v] for v in labels], dtype=np.int32)

    def decode(self, ids) -> np.ndarray:
        return np.array([self.classes[int(i)] for i in ids], dtype=object)

    def __len__(self):
        return len(self.classes)
