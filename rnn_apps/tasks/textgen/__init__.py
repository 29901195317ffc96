"""The textgen task: its estimator and every piece the services look up through it."""

from rnn_apps.tasks.textgen.estimator import TextGenerator

__all__ = ["TextGenerator"]
