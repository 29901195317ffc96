"""Hyperparameter search for every task (``rnn_apps.tune``, ``rnn-apps <task> tune``),
on KerasTuner's oracles (``pip install 'rnn-apps[tune]'``; imported when a search runs)."""

from rnn_apps.tuning.search import HyperparameterSearch, tune

__all__ = ["HyperparameterSearch", "tune"]
