"""Writing model and export directories without ever losing what is there.

A directory is replaced only when it is verifiably one of ours: a model
directory holds nothing but the files :mod:`rnn_apps.core.saving` writes and
its metadata parses; an export directory holds a SavedModel and our marker; a
core directory (:mod:`rnn_apps.portable`) holds converted cores, their
preprocessing description and its own marker.
New content is written to a hidden sibling (``.NAME.PID.XXXX.tmp``) and swapped
in with one atomic rename-exchange where the system has it (Linux
``renameat2``), so a concurrent reader always finds a complete directory; the
old content is then removed. Siblings left by a killed writer are removed on
the next write to the same path when they carry our marker file
(``.rnn_apps_partial``, naming the sibling): a user's directory that merely
has their shape is never touched.
"""

from __future__ import annotations

import ctypes
import glob
import json
import os
import re
import shutil
import stat
import tempfile
from contextlib import contextmanager
from pathlib import Path

from rnn_apps.errors import ModelDirError

METADATA_FILE = "rnn_apps.json"
EXPORT_MARKER = "rnn_apps_export.json"
MODEL_FILES = {METADATA_FILE, "model.keras", "history.csv", "learning_curves.png"}
EXPORT_ENTRIES = {EXPORT_MARKER, "saved_model.pb", "fingerprint.pb", "variables", "assets"}
CORE_MARKER = "rnn_apps_core.json"
CORE_ENTRIES = {CORE_MARKER, "preprocessing.json"} | {
    f"{stem}.{suffix}" for stem in ("model", "step", "encoder", "decoder_step")
    for suffix in ("onnx", "tflite")}
TUNE_MARKER, TUNE_TABLE = "tune.json", "trials.csv"
TUNE_ENTRIES = {TUNE_MARKER, TUNE_TABLE, "best"}
MAX_METADATA_BYTES = 256 * 1024 * 1024


def regular_file(path: Path) -> bool:
    """A regular file itself (not a FIFO, device, directory or symbolic link)."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def json_object(path: Path):
    """The JSON object in a regular file of ours; None when there is none."""
    from rnn_apps.core.model_files import open_regular

    try:
        with open_regular(path, MAX_METADATA_BYTES) as handle:
            value = json.loads(handle.read().decode("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):  # ModelDirError too
        return None
    return value if isinstance(value, dict) else None


def _names(path: Path) -> set[str]:
    try:
        return {entry.name for entry in path.iterdir()}
    except OSError:
        return set()


def _ours(path, required: set, allowed: set, marker: str) -> bool:
    path, names = Path(path), _names(Path(path))
    if not required <= names or not names <= allowed:
        return False
    metadata = json_object(path / marker)
    return metadata is not None and isinstance(metadata.get("task"), str)


def is_model_dir(path) -> bool:
    """Only our model files, with readable metadata naming a task."""
    return _ours(path, {METADATA_FILE, "model.keras"}, MODEL_FILES, METADATA_FILE)


def is_export_dir(path) -> bool:
    """A SavedModel and our readable marker, nothing else."""
    return _ours(path, {EXPORT_MARKER, "saved_model.pb"}, EXPORT_ENTRIES, EXPORT_MARKER)


def is_core_dir(path) -> bool:
    """Converted cores (ONNX / TFLite) with our readable marker, nothing else."""
    return _ours(path, {CORE_MARKER, "preprocessing.json"}, CORE_ENTRIES, CORE_MARKER)


def is_tune_dir(path) -> bool:
    """A hyperparameter search's output (:mod:`rnn_apps.tuning.report`): its marker,
    its table of trials and at most the best model."""
    return _ours(path, {TUNE_MARKER, TUNE_TABLE}, TUNE_ENTRIES, TUNE_MARKER)


KINDS = {"model": is_model_dir, "export": is_export_dir, "core": is_core_dir,
         "tune": is_tune_dir}
KIND_NAMES = {"model": "model", "export": "export", "core": "exported core",
              "tune": "tune output"}


def _inside(path: Path, other: Path) -> bool:
    path, other = path.resolve(), other.resolve()
    return path == other or other in path.parents


def check_target(path, *, kind: str = "model", source=None) -> Path:
    """``path`` as a Path if a ``kind`` ("model", "export", "core" or "tune") may be written there:
    it does not exist, is empty, or is verifiably a ``kind`` of ours; never
    ``source`` (the directory a model was loaded from) or a path inside it.
    Checked before training, so no minutes are spent on a refused output."""
    target = Path(path)
    if source is not None and _inside(target, Path(source)):
        raise ModelDirError(f"{target} is the model being written out (or inside it); "
                            "choose another path")
    if target.is_symlink():
        raise ModelDirError(f"{target} is a symbolic link; refused (an output directory is "
                            "written to its own path: give the real one)")
    if target.exists():
        if not target.is_dir():
            raise ModelDirError(f"{target} exists and is not a directory")
        replaceable = KINDS[kind](target)
        if _names(target) and not replaceable:
            raise ModelDirError(
                f"{target} is a non-empty directory that is not an rnn-apps {KIND_NAMES[kind]}; "
                "choose another path")
    return target


OWN_FILES = (METADATA_FILE, EXPORT_MARKER, CORE_MARKER, "saved_model.pb")


def check_output_file(path) -> Path:
    """``path`` as a Path if a command's output file (a CSV, a plot) may be written
    there: never a directory, nor inside a model, export, core or tune directory
    (the model being used included), where it would overwrite or spoil its files."""
    target = Path(path)
    if target.is_dir():
        raise ModelDirError(f"{target} is a directory; give a file path to write")
    resolved = target.resolve()
    for folder in (resolved, *resolved.parents):
        if (folder.is_dir() and any((folder / name).exists() for name in OWN_FILES)) \
                or is_tune_dir(folder):
            raise ModelDirError(f"{target} is inside the model or export directory {folder}; "
                                "refused (write outputs elsewhere)")
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


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


PARTIAL_MARKER = ".rnn_apps_partial"


def _mark(sibling: Path) -> None:
    """Mark a sibling as ours (its marker names it), so that only ours are removed."""
    (sibling / PARTIAL_MARKER).write_text(sibling.name, encoding="utf-8")


def _marked(sibling: Path) -> bool:
    marker = sibling / PARTIAL_MARKER
    try:
        return regular_file(marker) and marker.stat().st_size < 4096 \
            and marker.read_text(encoding="utf-8") == sibling.name
    except (OSError, UnicodeDecodeError):
        return False


def remove_stale_siblings(target: Path) -> None:
    """Remove ``.NAME.PID.*.tmp`` and ``.NAME.old-PID`` siblings whose writer is gone
    and that carry our marker (a user's directory of the same shape is kept)."""
    pattern = re.compile(rf"\.{re.escape(target.name)}\.(?:(\d+)\..*\.tmp|old-(\d+))")
    for sibling in target.parent.glob(f".{glob.escape(target.name)}.*"):
        match = pattern.fullmatch(sibling.name)
        if match and sibling.is_dir() and not sibling.is_symlink() and _marked(sibling) \
                and not _alive(int(match.group(1) or match.group(2))):
            shutil.rmtree(sibling, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux renameat2 RENAME_EXCHANGE); False where
    the system cannot."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0


@contextmanager
def atomic_directory(path, *, kind: str = "model", source=None):
    """Yield a temporary directory that replaces ``path`` only on success (see
    :func:`check_target` for what may be replaced)."""
    target = check_target(path, kind=kind, source=source)
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_siblings(target)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp",
                                dir=target.parent))
    tmp.chmod(0o777 & ~current_umask())  # mkdtemp makes 700; readable as any directory is
    _mark(tmp)
    try:
        yield tmp
        check_target(target, kind=kind, source=source)  # still ours after the work
        (tmp / PARTIAL_MARKER).unlink()
        if not target.exists():
            os.replace(tmp, target)
        elif _exchange(tmp, target):  # tmp now holds the old content
            _mark(tmp)
        else:
            old = target.with_name(f".{target.name}.old-{os.getpid()}")
            os.replace(target, old)
            _mark(old)
            os.replace(tmp, target)
            shutil.rmtree(old, ignore_errors=True)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
