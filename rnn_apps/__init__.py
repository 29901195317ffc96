"""rnn-apps: recurrent neural networks as ready-made sequence applications.

The task classes (named by the ``rnn_apps.tasks`` entry points, see
:mod:`rnn_apps.core.registry`) are imported lazily so that ``import rnn_apps``
and ``rnn-apps --version`` stay fast and do not load TensorFlow.
"""

from rnn_apps.errors import DataError, ModelDirError, NotFittedError, RnnAppsError
from rnn_apps.version import __version__

_LAZY = {
    "RecurrentConfig": ("rnn_apps.core.config", "RecurrentConfig"),
    "load": ("rnn_apps.core.saving", "load"),
    "tune": ("rnn_apps.tuning", "tune"),
    "HyperparameterSearch": ("rnn_apps.tuning", "HyperparameterSearch"),
}


def _task_classes() -> dict:
    """Public class name -> (module, class) of every task package (its entry point)."""
    from rnn_apps.core.registry import public_classes

    return {name: tuple(target.split(":")) for name, target in public_classes().items()}


__all__ = [
    "DataError",
    "Forecaster",
    "HyperparameterSearch",
    "ModelDirError",
    "NotFittedError",
    "RecurrentConfig",
    "RnnAppsError",
    "SentimentClassifier",
    "Seq2SeqTranslator",
    "Tagger",
    "TextGenerator",
    "__version__",
    "load",
    "tune",
]


def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError(name)
    lazy = _LAZY if name in _LAZY else _task_classes()
    if name in lazy:
        import importlib

        module_name, attribute = lazy[name]
        value = getattr(importlib.import_module(module_name), attribute)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'rnn_apps' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY) | set(_task_classes()))
