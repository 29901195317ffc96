"""Which models a server serves, read without TensorFlow: ``--model`` (one
model) or ``--config models.json`` (several), and which of a base directory's
numbered versions each one's policy wants.

``models.json``::

    {"models": [
        {"name": "reviews", "base_path": "models/reviews"},
        {"name": "co2", "base_path": "models/co2", "version_policy": {"specific": [1, 3]}},
        {"name": "chat", "base_path": "models/chat", "version_policy": {"latest": 2}}
    ]}

``base_path`` is a TensorFlow Serving base directory of numbered versions
(relative paths are read from the config file's folder), or a single model
directory or SavedModel (served as version 1). ``version_policy`` is
``"latest"`` (the default: the highest version), ``{"latest": N}`` (the N
highest), ``"all"`` or ``{"specific": [versions]}``, as TensorFlow Serving's
model version policies.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from rnn_apps.core.directories import METADATA_FILE
from rnn_apps.errors import RnnAppsError

NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")


@dataclass(frozen=True)
class ModelConfig:
    name: str | None  # None: the task's name, known once the model is read
    base_path: Path
    latest: int | None = 1  # how many of the highest versions; None with ``specific``
    specific: tuple[int, ...] = ()

    @property
    def versioned(self) -> bool:
        """True for a base directory of numbered versions (watched for new ones)."""
        return is_base_directory(self.base_path)

    def required(self) -> dict[str, Path]:
        """:meth:`wanted`, refusing in one line when a specific version named (or
        any version at all) is not there."""
        from rnn_apps.errors import ModelDirError

        wanted = self.wanted()
        missing = [str(v) for v in self.specific if str(v) not in wanted]
        if not wanted or missing:
            raise ModelDirError(f"{self.base_path} has no version "
                                f"{', '.join(missing or map(str, self.specific))}")
        return wanted

    def wanted(self) -> dict[str, Path]:
        """The versions this policy serves now: ``{"3": path}``; a single model
        directory is version 1."""
        if not self.versioned:
            return {"1": self.base_path}
        found = versions_in(self.base_path)
        if self.specific:
            return {str(v): found[v] for v in self.specific if v in found}
        chosen = sorted(found, reverse=True)[:self.latest] if self.latest else sorted(found)
        return {str(v): found[v] for v in sorted(chosen)}


def complete(directory: Path) -> bool:
    """A version folder that is ready to load: a SavedModel (``saved_model.pb``)
    or a model directory (its metadata file)."""
    return (directory / "saved_model.pb").is_file() or (directory / METADATA_FILE).is_file()


def versions_in(base: Path) -> dict[int, Path]:
    try:
        entries = list(base.iterdir())
    except OSError:
        return {}
    return {int(entry.name): entry for entry in entries
            if entry.name.isdigit() and entry.is_dir() and complete(entry)}


def is_base_directory(path: Path) -> bool:
    return path.is_dir() and not complete(path) and bool(versions_in(path))


def one_model(path, name: str | None = None) -> list[ModelConfig]:
    """``--model PATH [--name NAME]``: the highest version of a base directory,
    or the one model."""
    check_name(name)
    return [ModelConfig(name, Path(path))]


def check_name(name: str | None) -> None:
    if name is not None and not NAME.fullmatch(name):
        raise RnnAppsError(f"model name {name!r} must be letters, digits, '_', '.' or '-' "
                           f"(at most 100)")


def read_config(path) -> list[ModelConfig]:
    """The models of a ``models.json``; a one-line :class:`RnnAppsError` on anything wrong."""
    path = Path(path)
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RnnAppsError(f"config file {path} does not exist") from None
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise RnnAppsError(f"config file {path} is not readable JSON: "
                           f"{' '.join(str(error).split())}") from None
    models = value.get("models") if isinstance(value, dict) else None
    if not isinstance(models, list) or not models:
        raise RnnAppsError(f"{path}: expected {{\"models\": [{{\"name\": ..., "
                           f"\"base_path\": ...}}, ...]}}")
    configs = [_model(entry, index, path) for index, entry in enumerate(models)]
    names = [config.name for config in configs]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise RnnAppsError(f"{path}: model name {twice[0]!r} is given more than once")
    return configs


def _model(entry, index: int, path: Path) -> ModelConfig:
    where = f"{path}: models[{index}]"
    if not isinstance(entry, dict):
        raise RnnAppsError(f"{where} must be an object with 'name' and 'base_path'")
    unknown = sorted(set(entry) - {"name", "base_path", "version_policy"})
    if unknown:
        raise RnnAppsError(f"{where} has the unknown field {unknown[0]!r} (known: name, "
                           f"base_path, version_policy)")
    name, base = entry.get("name"), entry.get("base_path")
    if not isinstance(name, str) or not isinstance(base, str) or not base:
        raise RnnAppsError(f"{where} needs a 'name' and a 'base_path' (strings)")
    try:
        check_name(name)
    except RnnAppsError as error:
        raise RnnAppsError(f"{where}: {error}") from None
    latest, specific = _policy(entry.get("version_policy", "latest"), where)
    base_path = Path(base) if Path(base).is_absolute() else path.parent / base
    return ModelConfig(name, base_path, latest, specific)


def _policy(policy, where: str) -> tuple[int | None, tuple[int, ...]]:
    if policy == "latest":
        return 1, ()
    if policy == "all":
        return 0, ()
    if isinstance(policy, dict) and len(policy) == 1:
        (kind, value), = policy.items()
        if kind == "latest" and _count(value):
            return int(value), ()
        if kind == "specific" and isinstance(value, list) and value \
                and all(_count(v) or v == 0 for v in value):
            return None, tuple(sorted({int(v) for v in value}))
    raise RnnAppsError(f"{where}: version_policy must be \"latest\", \"all\", "
                       f"{{\"latest\": N}} or {{\"specific\": [versions]}}, got "
                       f"{json.dumps(policy)[:100]}")


def _count(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1
