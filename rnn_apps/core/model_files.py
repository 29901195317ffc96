"""The files of a model or export directory, read as hostile input.

Only regular files are read: a FIFO, a device, a socket or a symbolic link in
their place is refused before anything opens it (``os.lstat``, then
``O_NOFOLLOW | O_NONBLOCK`` so that a file swapped in between can neither be
followed nor block the reader). ``model.keras`` is checked before Keras reads
it: it must be a zip archive whose members declare sizes under the caps below
(Python's zip reader never returns more than a member declares) and whose
``config.json`` is JSON nested no deeper than :data:`MAX_CONFIG_DEPTH`.
``history.csv`` is informative: one that does not parse is left out with a
note, and the model loads.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import stat
import warnings
import zipfile
from pathlib import Path

from rnn_apps.errors import ModelDirError, Note

MAX_CONFIG_BYTES = 16 << 20     # config.json / metadata.json of a .keras (ours: 10-16 KiB)
MAX_CONFIG_DEPTH = 100          # nesting of config.json (ours nest 10-14 deep)
MAX_EXPANSION = 100             # a larger member may inflate at most this much (Keras stores)
EXPANSION_FLOOR = 16 << 20      # ... above this many bytes
MAX_MEMBERS = 10_000
MAX_HISTORY_BYTES = 16 << 20
_KINDS = ((stat.S_ISLNK, "a symbolic link"), (stat.S_ISFIFO, "a FIFO"),
          (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"),
          (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a directory"))


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a plain file")


def check_regular(path, *, missing_ok: bool = False) -> bool:
    """True when ``path`` is a regular file (not followed if a link); False when
    it is absent and ``missing_ok``; a one-line ``ModelDirError`` otherwise."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        if missing_ok:
            return False
        raise ModelDirError(f"{path} is missing") from None
    except OSError as error:
        raise ModelDirError(f"{path} cannot be read: {error.strerror}") from None
    if not stat.S_ISREG(mode):
        raise ModelDirError(f"{path} is {_kind(mode)}, not a regular file; "
                            "only regular files are read from a model directory")
    return True


def open_regular(path, limit: int | None = None):
    """A binary file object for a regular file, opened without following links
    or blocking; refused when larger than ``limit`` bytes."""
    check_regular(path)
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        descriptor = os.open(path, flags | getattr(os, "O_CLOEXEC", 0))
    except OSError as error:  # swapped for a link since the check: ELOOP
        raise ModelDirError(f"{path} cannot be opened as a regular file: "
                            f"{error.strerror}") from None
    handle = os.fdopen(descriptor, "rb")
    info = os.fstat(descriptor)
    if not stat.S_ISREG(info.st_mode) or (limit is not None and info.st_size > limit):
        handle.close()
        what = f"larger than {limit >> 20} MiB" if stat.S_ISREG(info.st_mode) else \
            f"{_kind(info.st_mode)}, not a regular file"
        raise ModelDirError(f"{path} is {what}")
    return handle


def check_tree(directory) -> None:
    """Every entry under ``directory`` (an exported SavedModel) is a regular file
    or a real directory; links, FIFOs and devices are refused."""
    pending = [Path(directory)]
    while pending:
        with os.scandir(pending.pop()) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    pending.append(Path(entry.path))
                else:
                    check_regular(entry.path)


# -- history.csv ---------------------------------------------------------------
def read_history(path) -> dict:
    """The saved history (empty when absent); one that cannot be read is left
    out with a note, for the model is usable without it."""
    from rnn_apps.core.training import read_history_csv

    if not check_regular(path, missing_ok=True):
        return {}
    try:
        if os.lstat(path).st_size > MAX_HISTORY_BYTES:
            raise ValueError(f"larger than {MAX_HISTORY_BYTES >> 20} MiB")
        return read_history_csv(path)
    except (OSError, ValueError, KeyError, TypeError, UnicodeDecodeError) as error:
        text = str(error).strip().splitlines()
        warnings.warn(f"{path} cannot be read ({text[0] if text else type(error).__name__}); "
                      "the model is loaded without its training history", Note, stacklevel=2)
        return {}


# -- model.keras -----------------------------------------------------------------
def json_depth(value, limit: int = MAX_CONFIG_DEPTH) -> int:
    """How deep lists and dicts nest in parsed JSON, counted without recursion
    (the count stops once it passes ``limit``)."""
    deepest, stack = 0, [(value, 1)]
    while stack and deepest <= limit:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        children = item.values() if isinstance(item, dict) else item
        stack.extend((child, depth + 1) for child in children
                     if isinstance(child, (dict, list)))
    return deepest if isinstance(value, (dict, list)) else 0


def check_keras_file(path) -> None:
    """Refuse, in one line, a ``model.keras`` that is not a Keras archive, holds a
    size bomb, or whose config nests too deep for Keras to read it."""
    path = Path(path)
    with open_regular(path) as handle:
        if not zipfile.is_zipfile(handle):
            raise ModelDirError(f"{path} is not a Keras model file (not a zip archive)")
        handle.seek(0)
        try:
            with zipfile.ZipFile(handle) as archive:
                _check_members(path, archive)
                with archive.open("config.json") as member:
                    raw = member.read(MAX_CONFIG_BYTES + 1)
        except ModelDirError:
            raise
        except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError,
                EOFError, ValueError) as error:
            raise ModelDirError(f"{path} is not a readable Keras model file "
                                f"({str(error).strip() or type(error).__name__})") from None
    if len(raw) > MAX_CONFIG_BYTES:
        raise ModelDirError(f"{path}: config.json inflates past {MAX_CONFIG_BYTES >> 20} MiB")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ModelDirError(f"{path} is not a Keras model file (config.json is not UTF-8)") \
            from None
    try:
        config = json.loads(text)  # a deep nest raises RecursionError, not a crash
        deep = json_depth(config) > MAX_CONFIG_DEPTH
    except RecursionError:
        deep = True
    except ValueError as error:
        raise ModelDirError(f"{path} is not a Keras model file (config.json is not JSON: "
                            f"{error})") from None
    if deep:
        raise ModelDirError(f"{path}: config.json nests deeper than {MAX_CONFIG_DEPTH} levels; "
                            "it is not a model rnn-apps writes")


def _check_members(path: Path, archive: zipfile.ZipFile) -> None:
    members = archive.infolist()
    if len(members) > MAX_MEMBERS:
        raise ModelDirError(f"{path} holds {len(members)} files; a Keras model holds a few")
    names = {member.filename for member in members}
    if "config.json" not in names:
        raise ModelDirError(f"{path} is not a Keras model file (no config.json in the archive)")
    for member in members:
        small = member.filename in ("config.json", "metadata.json")
        if small and member.file_size > MAX_CONFIG_BYTES:
            raise ModelDirError(f"{path}: {member.filename} declares {member.file_size} bytes "
                                f"uncompressed (at most {MAX_CONFIG_BYTES >> 20} MiB are read)")
        if member.file_size > max(EXPANSION_FLOOR, MAX_EXPANSION * member.compress_size):
            raise ModelDirError(f"{path}: {member.filename} inflates from "
                                f"{member.compress_size} to {member.file_size} bytes; "
                                "refused as a decompression bomb")


# -- subword models ----------------------------------------------------------------
SUBWORD_HASHES = "subword_sha256"  # metadata key: SHA-256 of each SentencePiece model


def subword_model_bytes(encoded: str) -> bytes:
    """A SentencePiece model (a protobuf) from its base64 in a fitted state (a
    one-line error when malformed); :mod:`rnn_apps.preprocessing.subword` runs it."""
    try:
        return base64.b64decode(encoded.encode("ascii"), validate=True)
    except (ValueError, AttributeError) as error:
        raise ValueError(f"the subword model is not valid base64 ({error})") from None


def subword_checksums(state, where: str = "state") -> dict[str, str]:
    """SHA-256 of every subword model in a fitted state, keyed by its place
    (``"state.text.subword"``); stored beside the state when saving, so that a
    model swapped for another valid one is noticed when loading."""
    found = {}
    if isinstance(state, dict):
        for key, value in state.items():
            if key == "subword" and isinstance(value, str):
                found[f"{where}.{key}"] = hashlib.sha256(subword_model_bytes(value)).hexdigest()
            else:
                found.update(subword_checksums(value, f"{where}.{key}"))
    elif isinstance(state, list):
        for index, value in enumerate(state):
            found.update(subword_checksums(value, f"{where}.{index}"))
    return found


def check_subword_models(metadata: dict, where) -> None:
    """The state's subword models are the ones saved (their SHA-256 in
    ``subword_sha256``); models saved before hashes were recorded load as they are."""
    recorded = metadata.get(SUBWORD_HASHES)
    if recorded is None:
        return
    found = subword_checksums(metadata["state"])
    if not isinstance(recorded, dict):
        raise ModelDirError(f"{where}: {SUBWORD_HASHES!r} must be a JSON object")
    for place in sorted(set(recorded) | set(found)):
        if recorded.get(place) != found.get(place):
            raise ModelDirError(f"{where}: the subword model at {place} is not the one saved "
                                "with this model (its SHA-256 differs); refused")
