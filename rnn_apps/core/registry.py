"""The task registry, and the hooks through which the services find a task's pieces.

A task is a package whose estimator class subclasses ``BaseTask`` with a
``task_name`` and a ``hooks`` table. Defining the class registers it. The
table names every hook of :data:`HOOKS`, each as ``"module:attribute"``
(a leading dot is relative to the class's package) or ``None`` for a face the
task does not offer; a missing or unknown name fails at class definition.
``serving``, ``portable``, ``tuning``, ``inspect`` and the CLI call
:func:`hook` and never name a task.

Which packages hold tasks is read from the ``rnn_apps.tasks`` entry points
(``setup.cfg`` lists the five that ship; another distribution can add its
own) and from ``RNN_APPS_TASKS``, a comma-separated list of modules to import.
Entry point names are the public class names (``rnn_apps.Tagger``).
"""

from __future__ import annotations

import functools
import importlib
import os
import sys
from importlib import metadata

from rnn_apps.errors import ModelDirError, RnnAppsError

ENTRY_POINTS = "rnn_apps.tasks"
TASKS_VARIABLE = "RNN_APPS_TASKS"

# hook name -> what it gives (used in the message when a task offers none)
HOOKS = {
    "cli": "command line group (rnn-apps <task> ...)",
    "serving_adapter": "serving adapter (rnn-apps serve)",
    "portable_cores": "portable cores (export --format onnx/tflite)",
    "portable_describe": "portable preprocessing description (export --format onnx/tflite)",
    "tuning_space": "hyperparameter search space (tune)",
    "tuning_holdout": "tuning hold-out (tune)",
    "tuning_score": "tuning score (tune)",
    "inspect": "hidden-state view (rnn-apps inspect)",
    "demo": "demo on the bundled data (rnn-apps demo)",
}

# where a task package laid out like the shipped ones keeps each face: module, attribute
LAYOUT = {
    "cli": ("cli", None), "serving_adapter": ("serving", None),
    "portable_cores": ("portable", "CORES"), "portable_describe": ("portable", "describe"),
    "tuning_space": ("tuning", "space"), "tuning_holdout": ("tuning", "holdout"),
    "tuning_score": ("tuning", "SCORE"), "inspect": ("inspect", "sample"),
    "demo": ("demo", "run"),
}

_CLASSES: dict[str, type] = {}   # task name -> estimator class
_DISCOVERED = False


class MissingHook(RnnAppsError):
    """A task that does not offer one of the faces."""


def package_hooks(**names) -> dict:
    """Every hook of a task package laid out as :data:`LAYOUT` says (``.serving``,
    ``.portable``, ...). ``names`` gives the attribute where the layout has none
    (the CLI group, the serving adapter) or overrides one; ``None`` for a face the
    task does not offer."""
    unknown = set(names) - set(HOOKS)
    if unknown:
        raise TypeError(f"unknown hook(s) {sorted(unknown)} (known: {', '.join(HOOKS)})")
    hooks = {}
    for name, (module, attribute) in LAYOUT.items():
        chosen = names.get(name, attribute)
        if name in names and chosen is None:
            hooks[name] = None
        elif chosen is None:
            raise TypeError(f"package_hooks needs the attribute of the {name!r} hook")
        else:
            hooks[name] = f".{module}:{chosen}"
    return hooks


def check_hooks(cls) -> None:
    """Raise ``TypeError`` unless ``cls.hooks`` names exactly the hooks of :data:`HOOKS`."""
    hooks = cls.__dict__.get("hooks")
    if not isinstance(hooks, dict):
        raise TypeError(f"task class {cls.__name__} must define a 'hooks' dict naming "
                        f"{', '.join(HOOKS)} (None for a face it does not offer)")
    missing, unknown = set(HOOKS) - set(hooks), set(hooks) - set(HOOKS)
    if missing or unknown:
        raise TypeError(f"task class {cls.__name__}: hooks missing {sorted(missing)}, "
                        f"unknown {sorted(unknown)}")
    for name, target in hooks.items():
        if target is not None and (not isinstance(target, str) or target.count(":") != 1):
            raise TypeError(f"task class {cls.__name__}: hook {name!r} must be "
                            f"'module:attribute' or None, not {target!r}")


def register(cls) -> None:
    """Called by ``BaseTask.__init_subclass__`` for every class with a ``task_name``."""
    check_hooks(cls)
    _CLASSES[cls.task_name] = cls


def unregister(name: str) -> None:
    """Forget the task ``name`` (a plugin or test task); its class stays importable."""
    _CLASSES.pop(name, None)


def discover() -> None:
    """Import every task package named by the entry points and ``RNN_APPS_TASKS`` (once)."""
    global _DISCOVERED
    if _DISCOVERED:
        return
    _DISCOVERED = True
    for point in metadata.entry_points(group=ENTRY_POINTS):
        point.load()
    for name in os.environ.get(TASKS_VARIABLE, "").split(","):
        if name.strip():
            importlib.import_module(name.strip())


def public_classes() -> dict[str, str]:
    """Public class name -> ``"module:Class"`` of the shipped tasks, without importing them
    (the installed metadata is read once per process: ``rnn_apps.__getattr__`` asks often)."""
    return dict(_entry_point_targets())


@functools.cache
def _entry_point_targets() -> tuple:
    return tuple((point.name, point.value)
                 for point in metadata.entry_points(group=ENTRY_POINTS))


def task_classes() -> dict[str, type]:
    """Every registered task, name -> estimator class, by name."""
    discover()
    return dict(sorted(_CLASSES.items()))


def task_class(name: str):
    if name not in _CLASSES:
        discover()
    if name not in _CLASSES:
        raise ModelDirError(f"unknown task {name!r} (known: {', '.join(sorted(_CLASSES))})")
    return _CLASSES[name]


def hook(task, name: str):
    """The object a task's hook names; ``task`` is a class, an estimator or a task name.

    Raises :class:`MissingHook` (one line) when the task offers no such face."""
    cls = task_class(task) if isinstance(task, str) else (
        task if isinstance(task, type) else type(task))
    target = cls.hooks[name]
    if target is None:
        raise MissingHook(f"the {cls.task_name} task has no {HOOKS[name]}: its class "
                          f"{cls.__name__} declares no {name!r} hook")
    module_name, attribute = target.split(":")
    home = sys.modules[cls.__module__]
    package = home.__name__ if hasattr(home, "__path__") else home.__package__
    return getattr(importlib.import_module(module_name, package), attribute)
