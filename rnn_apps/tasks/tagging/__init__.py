"""The tagging task: its estimator and every piece the services look up through it."""

from rnn_apps.tasks.tagging.estimator import Tagger

__all__ = ["Tagger"]
