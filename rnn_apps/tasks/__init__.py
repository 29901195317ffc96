"""One module per task. Importing this package registers every task for ``load``."""

from rnn_apps.tasks.forecast.estimator import Forecaster
from rnn_apps.tasks.sentiment.estimator import SentimentClassifier
from rnn_apps.tasks.seq2seq.estimator import Seq2SeqTranslator
from rnn_apps.tasks.tagging.estimator import Tagger
from rnn_apps.tasks.textgen.estimator import TextGenerator

__all__ = ["Forecaster", "SentimentClassifier", "Seq2SeqTranslator", "Tagger", "TextGenerator"]
