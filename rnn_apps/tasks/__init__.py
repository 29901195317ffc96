"""One module per task. Importing this package registers every task for ``load``."""

from rnn_apps.tasks.forecast import Forecaster
from rnn_apps.tasks.sentiment import SentimentClassifier
from rnn_apps.tasks.seq2seq import Seq2SeqTranslator
from rnn_apps.tasks.tagging import Tagger
from rnn_apps.tasks.textgen import TextGenerator

__all__ = ["Forecaster", "SentimentClassifier", "Seq2SeqTranslator", "Tagger", "TextGenerator"]
