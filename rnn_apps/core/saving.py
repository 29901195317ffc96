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
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

from rnn_apps.errors import ModelDirError

METADATA_FILE = "rnn_apps.json"
FORMAT_VERSION = 1

# task name -> "module:Class", filled in by BaseTask.__init_subclass__
_TASKS: dict[str, str] = {}


def register_task(name: str, cls) -> None:
    _TASKS[name] = f"{cls.__module__}:{cls.__qualname__}"


def task_class(name: str):
    if name not in _TASKS:
        importlib.import_module("rnn_apps.tasks")  # task modules register on import
    if name not in _TASKS:
        raise ModelDirError(f"unknown task {name!r} (known: {', '.join(sorted(_TASKS))})")
    module_name, class_name = _TASKS[name].split(":")
    return getattr(importlib.import_module(module_name), class_name)


def _is_model_dir(path: Path) -> bool:
    return (path / METADATA_FILE).is_file()


def check_target(path, *, kind: str = "model") -> Path:
    """``path`` as a Path if a model may be written there (checked before training
    starts, so minutes of work are not spent on an output that will be refused)."""
    target = Path(path)
    if target.exists():
        if not target.is_dir():
            raise ModelDirError(f"{target} exists and is not a directory")
        if any(target.iterdir()) and not (_is_model_dir(target) or _is_export_dir(target)):
            raise ModelDirError(
                f"{target} is a non-empty directory that is not an rnn-apps {kind}; "
                "choose another path"
            )
    return target


def current_umask() -> int:
    """The process umask (read from /proc where it can be, so that no other
    thread ever sees a changed one)."""
    try:
        with open("/proc/self/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except OSError:
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextmanager
def atomic_directory(path, *, kind: str = "model"):
    """Yield a temporary directory that replaces ``path`` only on success.

    An existing target is replaced only if it is empty or was written by
    rnn-apps (a model or export directory), so user files are never deleted.
    """
    target = check_target(path, kind=kind)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    tmp.chmod(0o777 & ~current_umask())  # mkdtemp makes 700; readable as any directory is
    try:
        yield tmp
        if target.exists():
            old = target.with_name(f".{target.name}.old-{os.getpid()}")
            os.replace(target, old)
            os.replace(tmp, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, target)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


EXPORT_MARKER = "rnn_apps_export.json"


def _is_export_dir(path: Path) -> bool:
    return (path / EXPORT_MARKER).is_file()


def write_metadata(directory: Path, task: str, params: dict, state: dict) -> None:
    from rnn_apps import __version__

    metadata = {
        "task": task,
        "format_version": FORMAT_VERSION,
        "rnn_apps_version": __version__,
        "params": params,
        "state": state,
    }
    with open(directory / METADATA_FILE, "w", encoding="utf-8") as handle:
        json.dump(metadata, handle, indent=2, default=str)


def read_metadata(path, expected_task: str | None = None) -> dict:
    """Read and check ``rnn_apps.json``; a clear ``ModelDirError`` otherwise."""
    directory = Path(path)
    if not directory.exists():
        raise ModelDirError(f"model directory {directory} does not exist")
    if not directory.is_dir():
        raise ModelDirError(f"{directory} is not a directory")
    meta_path = directory / METADATA_FILE
    if not meta_path.is_file():
        hint = " (it is an exported SavedModel; use tf.saved_model.load)" if _is_export_dir(
            directory) else ""
        raise ModelDirError(f"{directory} is not an rnn-apps model directory: "
                            f"no {METADATA_FILE}{hint}")
    try:
        with open(meta_path, encoding="utf-8") as handle:
            metadata = json.load(handle)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ModelDirError(f"{meta_path} cannot be read: {error}") from None
    if not isinstance(metadata, dict) or "task" not in metadata:
        raise ModelDirError(f"{meta_path} has no 'task' entry")
    version = metadata.get("format_version")
    if version != FORMAT_VERSION:
        raise ModelDirError(
            f"{directory} has model format version {version!r}; "
            f"this rnn-apps reads version {FORMAT_VERSION}"
        )
    if expected_task is not None and metadata["task"] != expected_task:
        raise ModelDirError(
            f"{directory} holds a {metadata['task']!r} model, not a {expected_task!r} model"
        )
    return metadata


def load(path):
    """Load any saved rnn-apps model; the task is read from the directory."""
    metadata = read_metadata(path)
    return task_class(metadata["task"]).load(path)
