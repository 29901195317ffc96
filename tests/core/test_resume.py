"""A resumed run holds out and shuffles exactly as the run it continues, even
without a seed (issue 27: the split used to be drawn anew on resume, so later
epochs were validated on rows they had trained on)."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from rnn_apps import SentimentClassifier, Seq2SeqTranslator, Tagger
from rnn_apps.core import engine, pipeline
from rnn_apps.errors import RnnAppsError
from tests.conftest import small_corpora


class StopAfterFirst(keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        self.model.stop_training = True


def _spy(monkeypatch):
    """Record the held-out arrays and the shuffle seed of every run."""
    runs = []
    train, input_pipeline = engine.train, pipeline.input_pipeline

    def spy_train(task, plan, run):
        runs.append({"valid": [np.asarray(a) for a in tf.nest.flatten(plan.valid)]})
        return train(task, plan, run)

    def spy_pipeline(plan, global_batch, clock, seed, *args):
        runs[-1]["seed"] = seed
        return input_pipeline(plan, global_batch, clock, seed, *args)

    monkeypatch.setattr(engine, "train", spy_train)
    monkeypatch.setattr(pipeline, "input_pipeline", spy_pipeline)
    return runs


def _tasks(sentiment_train):
    texts, labels, tokens, tags, pairs = small_corpora(sentiment_train)
    small = {"units": 4, "embedding_dim": 4, "epochs": 2, "verbose": 0, "valid_split": 0.3}
    return {
        "sentiment": (lambda: SentimentClassifier(**small), (texts[:80], labels[:80])),
        "tagging": (lambda: Tagger(**small, char_filters=0), (tokens, tags)),
        "seq2seq": (lambda: Seq2SeqTranslator(**small, batch_size=16),
                    (pairs, [p.upper() for p in pairs])),
    }


@pytest.mark.parametrize("name", ["sentiment", "tagging", "seq2seq"])
def test_a_resumed_run_without_a_seed_validates_on_the_same_rows(name, sentiment_train,
                                                                 tmp_path, monkeypatch):
    make, data = _tasks(sentiment_train)[name]
    runs = _spy(monkeypatch)
    checkpoint = tmp_path / "run"
    make().fit(*data, callbacks=[StopAfterFirst()], checkpoint_dir=checkpoint)
    make().fit(*data, checkpoint_dir=checkpoint, resume=True)
    first, resumed = runs
    assert len(first["valid"]) == len(resumed["valid"]) >= 2
    for a, b in zip(first["valid"], resumed["valid"]):
        np.testing.assert_array_equal(a, b)
    assert first["seed"] == resumed["seed"]  # the same shuffles epoch by epoch
    # a fresh run (not a resume) draws a new split: the seed is not fixed for good
    make().set_params(epochs=1).fit(*data)
    assert runs[-1]["seed"] != first["seed"]


def test_resuming_on_other_data_or_without_a_recorded_split_is_refused(sentiment_train,
                                                                     tmp_path):
    """Other data, or a checkpoint that does not say how its rows were held out
    (written by an older version), cannot be resumed without leaking: one line."""
    import json

    texts, labels = sentiment_train
    params = {"units": 4, "embedding_dim": 4, "epochs": 2, "verbose": 0}
    checkpoint = tmp_path / "run"
    SentimentClassifier(**params).fit(texts[:60], labels[:60], callbacks=[StopAfterFirst()],
                                      checkpoint_dir=checkpoint)
    # other rows than the interrupted run's: refused (they would split differently)
    with pytest.raises(RnnAppsError, match="the training data differ from the interrupted"):
        SentimentClassifier(**params).fit(texts[1:61], labels[1:61], checkpoint_dir=checkpoint,
                                          resume=True)
    run = json.loads((checkpoint / "run.json").read_text())
    del run["data_seed"]
    (checkpoint / "run.json").write_text(json.dumps(run))
    with pytest.raises(RnnAppsError, match="does not record how its validation rows"):
        SentimentClassifier(**params).fit(texts[:60], labels[:60], checkpoint_dir=checkpoint,
                                          resume=True)
