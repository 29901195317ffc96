"""One module per task. Importing this package registers every task for ``load``."""

from rnn_apps.tasks.sentiment import SentimentClassifier

__all__ = ["SentimentClassifier"]
