"""Training helpers shared by every task: seeds, hold-outs, notes, history, batches."""

from __future__ import annotations

import contextlib
import csv
import logging
import math
from pathlib import Path

from rnn_apps.errors import Note, RnnAppsError


def set_seed(seed: int | None) -> None:
    """Seed Python, NumPy and the backend so a run can be repeated."""
    if seed is None:
        return
    import keras

    keras.utils.set_random_seed(int(seed))


def holdout_indices(n: int, share: float, seed, labels=None):
    """Index arrays ``(train, held out)`` holding out ``round(n * share)`` of ``n``
    examples at random, stratified by ``labels`` when every class has two
    examples and the held-out part has room for each; ``None`` when the share
    leaves one side empty."""
    import numpy as np
    from sklearn.model_selection import train_test_split

    n_valid = round(n * share)
    if n_valid < 1 or n - n_valid < 1:
        return None
    if labels is not None:
        counts = np.unique(labels, return_counts=True)[1]
        if counts.min() < 2 or n_valid < len(counts):
            labels = None
    return train_test_split(np.arange(n), test_size=n_valid, random_state=seed,
                            stratify=labels)


def data_fingerprint(*parts) -> str | None:
    """SHA-256 of in-memory training inputs (structures of arrays), so a resumed
    run can check it reads the rows of the run it continues; None for streams."""
    import hashlib

    import numpy as np
    import tensorflow as tf

    digest = hashlib.sha256()
    for part in parts:
        if isinstance(part, tf.data.Dataset):
            return None
        for array in tf.nest.flatten(part):
            array = np.asarray(array)
            digest.update(f"{array.dtype}{array.shape}".encode())
            digest.update(repr(array.tolist()).encode() if array.dtype == object
                          else memoryview(np.ascontiguousarray(array)).cast("B"))
    return digest.hexdigest()


def note(message: str) -> None:
    """A one-line note for the user (shown by the CLI as ``note: ...``)."""
    import warnings

    warnings.warn(message, TrainingNote, stacklevel=3)


class TrainingNote(Note):
    """Something about a training run the user should hear (not an error)."""


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


def read_history_csv(path) -> dict[str, list[float]]:
    """History from ``history.csv`` (ours, or Keras' CSVLogger log: the epoch
    column is not read); cells that are empty or ``NA`` are left out."""
    if path is None or not Path(path).exists():
        return {}
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    if not rows:
        return {}
    keys = [k for k in rows[0] if k != "epoch"]
    history = {k: [float(r[k]) for r in rows if r[k] not in ("", "NA", None)] for k in keys}
    return {k: v for k, v in history.items() if v}


def truncate_log(path, epochs: int) -> None:
    """Keep the first ``epochs`` rows of a CSV log (a resumed run redoes the rest)."""
    path = Path(path)
    if not path.exists():
        return
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows[:epochs + 1])


def best_epoch(history: dict[str, list[float]]) -> int | None:
    """1-based epoch with the lowest validation loss (or loss)."""
    losses = history.get("val_loss") or history.get("loss")
    if not losses:
        return None
    finite = [(v, i) for i, v in enumerate(losses) if math.isfinite(v)]
    return min(finite)[1] + 1 if finite else None


def bptt_chunks(ids, batch_size: int, bptt: int):
    """Truncated BPTT batches: ``batch_size`` contiguous streams cut in ``bptt`` steps.

    Stream ``k`` is the ``k``-th slice of the token sequence; chunk ``j`` of
    every stream follows chunk ``j - 1`` in the text, so a stateful network
    can carry its state from one chunk to the next. Targets are the inputs
    shifted by one token. Returns a list of ``(x, y)`` arrays ``[batch, <=bptt]``.
    """
    import numpy as np

    per_stream = (len(ids) - 1) // batch_size
    if per_stream < 1:
        raise RnnAppsError(f"the text ({len(ids)} tokens) is too short for {batch_size} "
                           "streams; lower batch_size")
    used = per_stream * batch_size
    x = np.asarray(ids[:used]).reshape(batch_size, per_stream)
    y = np.asarray(ids[1:used + 1]).reshape(batch_size, per_stream)
    return [(x[:, s:s + bptt], y[:, s:s + bptt]) for s in range(0, per_stream, bptt)]


def sliding_windows(ids, window: int, step: int | None = None):
    """Independent windows ``x = ids[i:i+window]``, ``y = ids[i+1:i+window+1]``."""
    import numpy as np

    step = step or window
    starts = np.arange(0, len(ids) - window - 1 + 1, step)
    if len(starts) == 0:
        raise RnnAppsError(f"the text ({len(ids)} tokens) is shorter than one window of "
                           f"{window} + 1")
    index = starts[:, None] + np.arange(window)[None, :]
    return np.asarray(ids)[index], np.asarray(ids)[index + 1]


def reset_recurrent_states(model) -> None:
    """Zero the carried state of every stateful recurrent layer in ``model``."""
    for layer in model.layers:
        inner = getattr(layer, "forward_layer", None)
        for candidate in (layer, inner, getattr(layer, "backward_layer", None)):
            if candidate is not None and getattr(candidate, "stateful", False):
                candidate.reset_state()


@contextlib.contextmanager
def quiet_retracing():
    """Training and predicting in a loop makes TensorFlow warn about retracing;
    it is expected here, so only errors are logged inside."""
    logger = logging.getLogger("tensorflow")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)
