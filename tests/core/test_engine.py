"""The one training path: every task, user callbacks, logs, backups, warm starts."""

import csv
import json
import os
import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest

from rnn_apps import Forecaster, SentimentClassifier, Seq2SeqTranslator, Tagger, TextGenerator
from rnn_apps.core.engine import TrainingError
from rnn_apps.errors import RnnAppsError
from tests.conftest import DATASETS, ROOT, TINY, read_csv, seasonal_series, small_corpora


class Recorder(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.epochs = []

    def on_epoch_end(self, epoch, logs=None):
        self.epochs.append((epoch, dict(logs or {})))


def _tasks(sentiment_train):
    texts, labels, tokens, tags, pairs = small_corpora(sentiment_train)
    small = {"units": 4, "epochs": 2, "seed": 0, "verbose": 0}
    return {
        "sentiment": (SentimentClassifier(**TINY), (texts[:120], labels[:120])),
        "tagging": (Tagger(**{**small, "embedding_dim": 4, "char_filters": 0}), (tokens, tags)),
        "seq2seq": (Seq2SeqTranslator(**{**small, "embedding_dim": 4, "batch_size": 16}),
                    (pairs, [p.upper() for p in pairs])),
        "forecast": (Forecaster(**{**small, "lookback": 12, "inputs": "relative",
                                   "deseasonalize": "none", "ensemble": 1}),
                     (seasonal_series(120),)),
        "textgen": (TextGenerator(**{**small, "embedding_dim": 4, "batch_size": 4, "bptt": 16}),
                    ((DATASETS / "textgen" / "corpus.txt").read_text()[:4000],)),
    }


class StopAfterFirst(Recorder):
    def on_epoch_end(self, epoch, logs=None):
        super().on_epoch_end(epoch, logs)
        self.model.stop_training = True


@pytest.mark.parametrize("name", ["sentiment", "tagging", "seq2seq", "forecast", "textgen"])
def test_every_task_trains_through_the_engine_and_resumes(name, sentiment_train, tmp_path):
    model, data = _tasks(sentiment_train)[name]
    first, recorder, checkpoint = StopAfterFirst(), Recorder(), tmp_path / "run"
    model.fit(*data, callbacks=[first], checkpoint_dir=checkpoint)  # stops after epoch 1
    assert json.loads((checkpoint / "backup" / "training_metadata.json").read_text())[
        "epoch"] == 1
    model.fit(*data, callbacks=[recorder], checkpoint_dir=checkpoint, resume=True)
    # the user's callbacks saw every epoch, after the validation loss was known;
    # the resumed run did epoch 2 only and its history holds both
    assert [e for e, _ in first.epochs] == [0] and [e for e, _ in recorder.epochs] == [1]
    assert all("loss" in logs and "val_loss" in logs for _, logs in first.epochs + recorder.epochs)
    assert model.history_["loss"][0] == pytest.approx(first.epochs[0][1]["loss"])
    assert len(model.history_["loss"]) == 2
    # the live log and the backup are in the checkpoint directory until the save
    with open(checkpoint / "history.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [int(r["epoch"]) for r in rows] == [0, 1]
    assert float(rows[-1]["loss"]) == pytest.approx(model.history_["loss"][-1])
    model.save(tmp_path / "model")
    assert not checkpoint.exists()


def test_resumed_run_equals_an_uninterrupted_one(tmp_path, small_csv):
    """A training process killed (SIGKILL) after epoch 2 and resumed ends with the
    weights of the run that was never interrupted."""
    params = {"units": 6, "embedding_dim": 6, "epochs": 4, "seed": 3, "patience": 10,
              "verbose": 0}
    texts, labels = read_csv(small_csv)
    script = textwrap.dedent(f"""
        import csv, os, signal, sys
        import keras
        sys.path.insert(0, {str(ROOT)!r})
        from rnn_apps import SentimentClassifier
        from tests.conftest import read_csv

        class Kill(keras.callbacks.Callback):
            def on_epoch_end(self, epoch, logs=None):
                if epoch == 1:
                    os.kill(os.getpid(), signal.SIGKILL)

        texts, labels = read_csv({str(small_csv)!r})
        SentimentClassifier(**{params!r}).fit(texts, labels, callbacks=[Kill()],
                                               checkpoint_dir={str(tmp_path / "run")!r})
    """)
    killed = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=300,
                            check=False)
    assert killed.returncode == -9, killed.stderr.decode()[-2000:]
    with pytest.raises(RnnAppsError, match="holds a backup of an interrupted run"):
        SentimentClassifier(**params).fit(texts, labels, checkpoint_dir=tmp_path / "run")
    resumed = SentimentClassifier(**params).fit(texts, labels, checkpoint_dir=tmp_path / "run",
                                                resume=True)
    straight = SentimentClassifier(**params).fit(texts, labels)
    assert len(resumed.history_["loss"]) == 4
    np.testing.assert_allclose(resumed.history_["loss"], straight.history_["loss"], rtol=1e-5)
    for a, b in zip(resumed.model_.get_weights(), straight.model_.get_weights()):
        np.testing.assert_allclose(a, b, atol=1e-6)


def test_warm_start_keeps_vocabulary_and_weights(fitted_sentiment, saved_sentiment,
                                                 sentiment_test):
    texts, labels = sentiment_test
    new_texts = [t + " zyzzyva" for t in texts]
    with pytest.warns(UserWarning, match="not in the warm-start vocabulary"):
        tuned = SentimentClassifier(**{**TINY, "epochs": 1, "learning_rate": 1e-12}).fit(
            new_texts, labels, warm_start=saved_sentiment)
    assert tuned.text_encoder_.vocabulary == fitted_sentiment.text_encoder_.vocabulary
    for a, b in zip(tuned.model_.get_weights(), fitted_sentiment.model_.get_weights()):
        np.testing.assert_allclose(a, b, atol=1e-6)
    with pytest.raises(RnnAppsError, match="does not match"):
        SentimentClassifier(**{**TINY, "units": 5}).fit(texts, labels,
                                                       warm_start=fitted_sentiment)
    for wrong, name in ((Tagger(), "Tagger"), (5, "int")):
        with pytest.raises(RnnAppsError, match=f"warm_start must be a SentimentClassifier "
                                               rf"\(fitted, or its model directory\); got {name}"):
            SentimentClassifier(**TINY).fit(texts, labels, warm_start=wrong)


def test_diverging_training_stops_with_one_clear_error(sentiment_train, tmp_path):
    with pytest.raises(RnnAppsError, match="learning_rate must be a positive number; got inf"):
        SentimentClassifier(learning_rate=float("inf")).fit(*sentiment_train)
    model = SentimentClassifier(**{**TINY, "epochs": 1, "learning_rate": 1e38, "clipnorm": None})
    with pytest.raises(TrainingError, match="the loss became nan"):
        model.fit(*[part[:64] for part in sentiment_train], checkpoint_dir=tmp_path / "run")
    assert not hasattr(model, "model_") and not (tmp_path / "run").exists()


def test_tensorboard_logs_and_mixed_precision_export(sentiment_train, tmp_path):
    import tensorflow as tf

    model = SentimentClassifier(**{**TINY, "epochs": 1, "mixed_precision": "mixed_bfloat16"})
    model.fit(*sentiment_train, tensorboard=tmp_path / "tb")
    events = [p for p in (tmp_path / "tb").rglob("events.out.tfevents*")]
    assert events and keras.config.dtype_policy().name == "float32"
    assert model.model_.get_layer("probabilities").dtype_policy.name == "float32"
    assert model.model_.get_layer("embedding").dtype_policy.name == "mixed_bfloat16"
    model.export(tmp_path / "export")
    served = tf.saved_model.load(str(tmp_path / "export"))
    out = served.signatures["serving_default"](text=tf.constant(["a fine film"]))
    assert out["probabilities"].dtype == tf.float32
    np.testing.assert_allclose(out["probabilities"].numpy(),
                               model.predict_proba(["a fine film"]), atol=1e-5)


def test_engine_settings_are_checked(sentiment_train):
    for bad in ({"distribute": "cluster"}, {"mixed_precision": "float8"}):
        with pytest.raises(RnnAppsError, match=next(iter(bad))):
            SentimentClassifier(**{**TINY, **bad}).fit(*sentiment_train)
    with pytest.raises(RnnAppsError, match="callbacks must be Keras callbacks"):
        SentimentClassifier(**TINY).fit(*sentiment_train, callbacks=[print])
    with pytest.raises(RnnAppsError, match="tbptt"):
        TextGenerator(units=2, epochs=1, verbose=0, distribute="mirrored").fit("abc " * 200)


def test_progress_is_one_line_per_epoch_off_a_terminal(sentiment_train):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    script = ("from rnn_apps import SentimentClassifier\n"
              "from tests.conftest import DATASETS, read_csv\n"
              "t, l = read_csv(DATASETS / 'sentiment' / 'train.csv')\n"
              "SentimentClassifier(units=2, embedding_dim=2, epochs=2, verbose=1)"
              ".fit(t[:100], l[:100])\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=300, env=env, cwd=ROOT, check=True)
    lines = [line for line in done.stdout.splitlines() if "loss" in line]
    assert len(lines) == 2 and "\b" not in done.stdout and "\r" not in done.stdout
