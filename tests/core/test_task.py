import pytest
from sklearn.base import clone

from rnn_apps import Forecaster, SentimentClassifier, Seq2SeqTranslator, Tagger, TextGenerator


@pytest.mark.parametrize("cls, changed", [(SentimentClassifier, {"units": 3, "pooling": "max"}),
                                          (TextGenerator, {"units": 5, "bptt": 7}),
                                          (Forecaster, {"units": 6, "horizon": 4}),
                                          (Tagger, {"units": 3, "crf": True}),
                                          (Seq2SeqTranslator, {"units": 7, "beam_width": 2,
                                                               "attention": None})])
def test_constructors_store_every_parameter_unchanged(cls, changed):
    estimator = cls(**changed)
    params = estimator.get_params()
    for name, value in changed.items():
        assert params[name] == value and getattr(estimator, name) == value
    assert clone(estimator).get_params() == params
    assert not any(name.endswith("_") for name in vars(estimator))
