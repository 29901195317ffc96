"""rnn-apps: recurrent neural networks as ready-made sequence applications.

The task classes are imported lazily so that ``import rnn_apps`` and
``rnn-apps --version`` stay fast and do not load TensorFlow.
"""

__version__ = "0.1.0"

from rnn_apps.errors import DataError, ModelDirError, NotFittedError, RnnAppsError

_LAZY = {
    "Forecaster": ("rnn_apps.tasks.forecast.estimator", "Forecaster"),
    "SentimentClassifier": ("rnn_apps.tasks.sentiment.estimator", "SentimentClassifier"),
    "Seq2SeqTranslator": ("rnn_apps.tasks.seq2seq.estimator", "Seq2SeqTranslator"),
    "Tagger": ("rnn_apps.tasks.tagging.estimator", "Tagger"),
    "TextGenerator": ("rnn_apps.tasks.textgen.estimator", "TextGenerator"),
    "RecurrentConfig": ("rnn_apps.core.config", "RecurrentConfig"),
    "load": ("rnn_apps.core.saving", "load"),
    "tune": ("rnn_apps.tuning", "tune"),
    "HyperparameterSearch": ("rnn_apps.tuning", "HyperparameterSearch"),
}

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
    if name in _LAZY:
        import importlib

        module_name, attribute = _LAZY[name]
        value = getattr(importlib.import_module(module_name), attribute)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'rnn_apps' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
