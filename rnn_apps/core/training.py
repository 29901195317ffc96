"""Training helpers shared by every task: seeds, strategy, callbacks, history."""

from __future__ import annotations

import csv
import math
from contextlib import contextmanager
from pathlib import Path

from rnn_apps.errors import RnnAppsError


def set_seed(seed: int | None) -> None:
    """Seed Python, NumPy and the backend so a run can be repeated."""
    if seed is None:
        return
    import keras

    keras.utils.set_random_seed(int(seed))


def distribution_strategy():
    """The strategy models are built and compiled under.

    The default strategy for now; multi-device training becomes a different
    return value here, not a change in every task.
    """
    import tensorflow as tf

    return tf.distribute.get_strategy()


@contextmanager
def build_scope():
    with distribution_strategy().scope():
        yield


def check_training_params(*, epochs, batch_size, learning_rate, patience, valid_split) -> None:
    def positive_int(name, value):
        if not (isinstance(value, int) and not isinstance(value, bool) and value > 0):
            raise RnnAppsError(f"{name} must be a positive integer; got {value!r}")

    positive_int("epochs", epochs)
    positive_int("batch_size", batch_size)
    if not (isinstance(learning_rate, (int, float)) and learning_rate > 0):
        raise RnnAppsError(f"learning_rate must be a positive number; got {learning_rate!r}")
    if patience is not None and not (isinstance(patience, int) and patience >= 0):
        raise RnnAppsError(f"patience must be a non-negative integer or None; got {patience!r}")
    if not (isinstance(valid_split, (int, float)) and 0 <= valid_split < 1):
        raise RnnAppsError(f"valid_split must be in [0, 1); got {valid_split!r}")


def training_callbacks(*, has_validation: bool, patience: int | None):
    """Early stopping on the validation loss, restoring the best weights."""
    import keras

    if not has_validation or patience is None:
        return []
    return [
        keras.callbacks.EarlyStopping(
            monitor="val_loss", patience=patience, restore_best_weights=True, verbose=0
        )
    ]


def clean_history(history: dict) -> dict[str, list[float]]:
    """Keras history as plain floats (JSON/CSV friendly)."""
    return {key: [float(v) for v in values] for key, values in history.items()}


def write_history_csv(history: dict[str, list[float]], path: Path) -> None:
    keys = sorted(history)
    epochs = max((len(v) for v in history.values()), default=0)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["epoch", *keys])
        for epoch in range(epochs):
            row = [epoch + 1]
            for key in keys:
                values = history[key]
                row.append(repr(values[epoch]) if epoch < len(values) else "")
            writer.writerow(row)


def read_history_csv(path: Path) -> dict[str, list[float]]:
    if not path.exists():
        return {}
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    if not rows:
        return {}
    keys = [k for k in rows[0] if k != "epoch"]
    return {k: [float(r[k]) for r in rows if r[k] not in ("", None)] for k in keys}


def best_epoch(history: dict[str, list[float]]) -> int | None:
    """1-based epoch with the lowest validation loss (or loss)."""
    losses = history.get("val_loss") or history.get("loss")
    if not losses:
        return None
    finite = [(v, i) for i, v in enumerate(losses) if math.isfinite(v)]
    return min(finite)[1] + 1 if finite else None
