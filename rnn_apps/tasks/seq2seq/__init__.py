"""The seq2seq task: its estimator and every piece the services look up through it."""

from rnn_apps.tasks.seq2seq.estimator import Seq2SeqTranslator

__all__ = ["Seq2SeqTranslator"]
