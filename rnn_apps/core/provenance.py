"""What a model was trained on, and how well: the ``provenance`` entry of a
model directory (and of its exports).

Recorded at ``fit``: the date, the versions of rnn-apps, TensorFlow, Keras and
Python, and the number of training records. Files the data came from (name,
size, SHA-256) are added by whoever knows them: the CLI adds ``--data`` and
``--valid-data``; Python users pass ``fit(..., data_files=[...])``. The
validation metrics at the best epoch are read from the history when saving.
"""

from __future__ import annotations

import datetime
import hashlib
import math
import platform
from pathlib import Path

from rnn_apps.version import __version__

CHUNK = 1 << 20


def describe_file(path, role: str = "train") -> dict:
    """Name, size and SHA-256 of a data file (read in chunks, never altered)."""
    path = Path(path)
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return {"name": path.name, "role": role, "size": path.stat().st_size,
            "sha256": digest.hexdigest()}


def versions() -> dict:
    import keras
    import tensorflow as tf

    return {"rnn_apps": __version__, "tensorflow": tf.__version__,
            "keras": keras.__version__, "python": platform.python_version()}


def count_records(data) -> int | None:
    """Rows of in-memory data (texts, sentences, characters, time steps of all
    series); None for a stream."""
    if isinstance(getattr(data, "series", None), dict):  # a panel of series
        return sum(count_records(one) or 0 for one in data.series.values())
    if hasattr(data, "values") and hasattr(data, "columns"):  # one series table
        data = data.values
    try:
        return len(data)
    except TypeError:
        return None


def record(task, data, data_files=()) -> None:
    """Start ``task.provenance_`` for a training run on ``data``."""
    task.provenance_ = {
        "trained_at": datetime.datetime.now(datetime.timezone.utc)  # noqa: UP017 (3.10)
        .isoformat(timespec="seconds"),
        "versions": versions(),
        "records": count_records(data),
        "data_files": [],
    }
    if getattr(task, "word_vectors_", None):  # pretrained vectors: file, size, coverage
        task.provenance_["word_vectors"] = task.word_vectors_
    if hasattr(task, "figure_units"):  # what the loss and records are per, where it varies
        task.provenance_["units"] = task.figure_units(data)
    add_files(task, data_files or ())


def add_files(task, data_files) -> None:
    """Add data files (paths, or ``(path, role)`` pairs) to a fitted task's record."""
    entries = getattr(task, "provenance_", None)
    if entries is None:
        return
    known = {(item["name"], item["role"]) for item in entries["data_files"]}
    for entry in data_files:
        path, role = entry if isinstance(entry, tuple) else (entry, "train")
        if path is not None and Path(path).is_file() and (Path(path).name, role) not in known:
            entries["data_files"].append(describe_file(path, role))


def validation_metrics(history: dict) -> dict:
    """The ``val_*`` values at the best epoch (lowest validation loss)."""
    from rnn_apps.core.training import best_epoch

    epoch = best_epoch(history or {})
    if not epoch:
        return {}
    out = {"best_epoch": epoch, "epochs": len(history.get("loss", []))}
    for key, values in sorted(history.items()):
        if key.startswith("val_") and len(values) >= epoch and math.isfinite(values[epoch - 1]):
            out[key[4:]] = float(values[epoch - 1])
    return out


def for_saving(task) -> dict | None:
    """The record to write with a model (None for a model trained before it existed)."""
    entries = getattr(task, "provenance_", None)
    if entries is None:
        return None
    return {**entries, "validation": validation_metrics(getattr(task, "history_", {}))}


def describe(provenance: dict | None) -> list[str]:
    """Readable lines for ``rnn-apps info``."""
    if not provenance:
        return ["provenance: not recorded (trained before rnn-apps recorded it)"]
    lines = [f"trained: {provenance.get('trained_at', '?')}"]
    found = provenance.get("versions") or {}
    lines.append("versions: " + ", ".join(f"{key} {value}" for key, value in found.items()))
    records, units = provenance.get("records"), provenance.get("units")
    units = {k: v for k, v in units.items() if isinstance(v, str)} \
        if isinstance(units, dict) else {}
    lines.append(f"records: {'not counted (streamed)' if records is None else records}"
                 + (f" {units['records']}" if records is not None and "records" in units else ""))
    files = provenance.get("data_files") or []
    if not files:
        lines.append("data files: none recorded (data given in memory)")
    for item in files:
        lines.append(f"data file ({item.get('role')}): {item.get('name')}, "
                     f"{item.get('size')} bytes, sha256 {item.get('sha256')}")
    if provenance.get("word_vectors"):
        try:
            lines.append(f"word vectors: {describe_word_vectors(provenance['word_vectors'])}")
        except (KeyError, TypeError, AttributeError):
            lines.append("word vectors: (record unreadable)")
    metrics = provenance.get("validation") or {}
    if metrics:
        shown = ", ".join((f"{key} {value:.4g}" if isinstance(value, float) else
                           f"{key} {value}") + (f" ({units[key]})" if key in units else "")
                          for key, value in metrics.items())
        lines.append(f"validation: {shown}")
    else:
        lines.append("validation: none (no validation data)")
    return lines


def word_vectors_side(layer_name: str) -> str:
    """The vocabulary a coverage entry of the word-vector record is about
    (``"source"`` for the ``source_embedding`` layer)."""
    return layer_name.replace("_embedding", "")


def describe_word_vectors(summary: dict) -> str:
    """``FILE (D dimensions) cover ...``: how much of the vocabulary the vectors
    cover, from the ``word_vectors`` record that
    :func:`rnn_apps.preprocessing.embeddings.prepare` writes."""
    sides = summary["coverage"]
    parts = [(f"{word_vectors_side(name)}: " if len(sides) > 1 else "")
             + f"{side['covered']:,} of {side['tokens']:,} vocabulary tokens "
               f"({100 * side['covered'] / max(side['tokens'], 1):.1f}%)"
             for name, side in sides.items()]
    return f"{summary['file']} ({summary['dim']} dimensions) cover " + "; ".join(parts)
