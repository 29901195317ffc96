"""The forecast task: its estimator and every piece the services look up through it."""

from rnn_apps.tasks.forecast.estimator import Forecaster

__all__ = ["Forecaster"]
