"""The model directory format, the task registry and safe loading.

A saved model is a directory::

    rnn_apps.json        task name, format version, parameters, fitted state (JSON only)
    model.keras          the Keras model, loaded with safe_mode=True
    history.csv          training history, one row per epoch
    learning_curves.png  plot of the history

Nothing is unpickled and no code from the directory is run. Writing goes to a
temporary sibling directory that is renamed into place only when complete.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path

from rnn_apps.core.directories import (  # noqa: F401  (part of this module's interface)
    EXPORT_MARKER,
    MAX_METADATA_BYTES,
    METADATA_FILE,
    atomic_directory,
    check_target,
    is_export_dir,
    is_model_dir,
    regular_file,
)
from rnn_apps.core.model_files import SUBWORD_HASHES, subword_checksums
from rnn_apps.core.registry import task_class
from rnn_apps.errors import ModelDirError
from rnn_apps.version import __version__

FORMAT_VERSION = 1

def write_metadata(directory: Path, task: str, params: dict, state: dict,
                   provenance: dict | None = None) -> None:
    metadata = {
        "task": task,
        "format_version": FORMAT_VERSION,
        "rnn_apps_version": __version__,
        "params": params,
        "state": state,
    }
    if provenance is not None:
        metadata["provenance"] = provenance
    hashes = subword_checksums(state)  # checked when loading (check_subword_models)
    if hashes:
        metadata[SUBWORD_HASHES] = hashes
    with open(directory / METADATA_FILE, "w", encoding="utf-8") as handle:
        json.dump(metadata, handle, indent=2, default=str)


METADATA_KEYS = {"task", "format_version", "rnn_apps_version", "params", "state", "provenance",
                 SUBWORD_HASHES}


def _no_constant(name):
    raise ValueError(f"{name} is not valid JSON")


def read_metadata(path, expected_task: str | None = None) -> dict:
    """Read and check ``rnn_apps.json``; a clear ``ModelDirError`` otherwise."""
    directory = Path(path)
    if not directory.exists():
        raise ModelDirError(f"model directory {directory} does not exist")
    if not directory.is_dir():
        raise ModelDirError(f"{directory} is not a directory")
    meta_path = directory / METADATA_FILE
    from rnn_apps.core.model_files import check_regular, open_regular

    if not check_regular(meta_path, missing_ok=True):  # a FIFO, device or link: refused
        hint = " (it is an exported SavedModel; use tf.saved_model.load)" if is_export_dir(
            directory) else ""
        raise ModelDirError(f"{directory} is not an rnn-apps model directory: "
                            f"no {METADATA_FILE}{hint}")
    with open_regular(meta_path, MAX_METADATA_BYTES) as handle:
        raw = handle.read()
    try:
        metadata = json.loads(raw.decode("utf-8"), parse_constant=_no_constant)
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as error:
        raise ModelDirError(f"{meta_path} cannot be read: {error}") from None
    if not isinstance(metadata, dict) or "task" not in metadata:
        raise ModelDirError(f"{meta_path} has no 'task' entry")
    version = metadata.get("format_version")
    if version != FORMAT_VERSION:
        raise ModelDirError(
            f"{directory} has model format version {version!r}; "
            f"this rnn-apps reads version {FORMAT_VERSION}"
        )
    unknown = sorted(set(metadata) - METADATA_KEYS)
    if unknown:
        raise ModelDirError(f"{meta_path}: unknown entry {unknown[0]!r}")
    if not isinstance(metadata.get("provenance", {}), dict):
        raise ModelDirError(f"{meta_path}: 'provenance' must be a JSON object")
    for key, kind in (("task", str), ("params", dict), ("state", dict)):
        if not isinstance(metadata.get(key), kind):
            raise ModelDirError(f"{meta_path}: {key!r} must be a JSON "
                                f"{'string' if kind is str else 'object'}")
    if expected_task is not None and metadata["task"] != expected_task:
        raise ModelDirError(
            f"{directory} holds a {metadata['task']!r} model, not a {expected_task!r} model"
        )
    return metadata


# Modules of core whose Keras objects (layers, initializers) any task's network may hold.
CORE_LAYER_MODULES = ("rnn_apps.core.layers", "rnn_apps.core.esn", "rnn_apps.core.crf",
                      "rnn_apps.core.finetune", "rnn_apps.core.regularisers", "rnn_apps.core.losses")


def import_layer_modules(modules=()) -> None:
    """Import core's layer modules and ``modules`` (a task's ``_layer_modules``):
    every custom Keras object a saved model may name is registered before it is
    read. Building a network registers only the layers it happens to use."""
    for name in (*CORE_LAYER_MODULES, *modules):
        importlib.import_module(name)


def load(path):
    """Load any saved rnn-apps model; the task is read from the directory."""
    metadata = read_metadata(path)
    return task_class(metadata["task"]).load(path)
