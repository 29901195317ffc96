"""The sentiment task: its estimator and every piece the services look up through it."""

from rnn_apps.tasks.sentiment.estimator import SentimentClassifier

__all__ = ["SentimentClassifier"]
