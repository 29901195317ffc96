"""A toy sixth task, registered from this one folder: count a character.

Input: short strings; target: a number per string (the tests use how many
times "a" occurs). Characters -> embedding -> the shared recurrent stack ->
one linear unit. Nothing under ``rnn_apps/`` names this task: importing this
package registers it (``RNN_APPS_TASKS=tests.toy_task`` does that in a fresh
process), and the services find its faces through ``hooks``.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from sklearn.base import RegressorMixin

from rnn_apps.core import params as rules
from rnn_apps.core.task import BaseTask
from rnn_apps.core.training import holdout_indices
from rnn_apps.errors import DataError
from rnn_apps.preprocessing.text import TextEncoder, check_texts


def count_data(n: int, seed: int = 0, char: str = "a"):
    """``n`` random strings over "abcd" (1-8 characters) and how often ``char`` occurs."""
    rng = np.random.default_rng(seed)
    texts = ["".join(rng.choice(list("abcd"), size=rng.integers(1, 9))) for _ in range(n)]
    return texts, [text.count(char) for text in texts]


class CharCounter(RegressorMixin, BaseTask):
    """String in, a count out (regression on a character-level recurrent network)."""

    task_name = "count"
    hooks: ClassVar[dict] = {
        "cli": ".cli:count",
        "serving_adapter": ".serving:CountAdapter",
        "portable_cores": ".portable:CORES",
        "portable_describe": ".portable:describe",
        "tuning_space": ".tuning:space",
        "tuning_holdout": ".tuning:holdout",
        "tuning_score": ".tuning:SCORE",
        "inspect": None,
        "demo": None,  # no bundled data: rnn-apps demo leaves it out
    }
    _parameter_constraints: ClassVar[dict] = {
        **BaseTask._parameter_constraints,
        "embedding_dim": [rules.size(1, "embedding_dim")],
        "max_length": rules.TEXT["max_length"],
    }

    def __init__(self, *, cell="gru", units=4, layers=1, bidirectional=False, dropout=0.0,
                 recurrent_dropout=0.0, clipnorm=1.0, clipvalue=None, spectral_radius=0.9,
                 leak_rate=1.0, input_scaling=1.0, embedding_dropout=0.0, weight_drop=0.0,
                 locked_dropout=False, activation_reg=0.0, temporal_reg=0.0, embedding_dim=4,
                 max_length=None,
                 epochs=2, batch_size=32, learning_rate=1e-2, patience=3, valid_split=0.1,
                 seed=None, verbose=0, distribute="none", mixed_precision=False):
        self._store_params(locals())

    def _check(self, X, y=None):
        texts = check_texts(X)
        if y is None:
            return texts
        try:
            counts = np.asarray(y, dtype=np.float32).reshape(-1)
        except (TypeError, ValueError):
            counts = np.array([np.nan])
        if len(counts) != len(texts) or not np.isfinite(counts).all():
            raise DataError(f"y must be {len(texts)} finite numbers, one per text")
        return texts, counts

    def _plan(self, X, y, validation_data, prior):
        import keras

        from rnn_apps.core.engine import TrainingPlan
        from rnn_apps.core.recurrent import build_recurrent_stack

        texts, counts = self._check(X, y)
        train, valid = (texts, counts), None
        if validation_data is not None:
            valid = self._check(*validation_data)
        elif (split := holdout_indices(len(texts), self.valid_split, self.data_seed())):
            train, valid = [(texts[i], counts[i]) for i in split]
        encoder = TextEncoder.from_state(prior["text"]) if prior else TextEncoder.fit(
            train[0], level="char", standardize="none", max_length=self.max_length)
        self.set_state({"text": encoder.get_state()})
        config = self.config_

        def build():
            inputs = keras.Input(shape=(None,), dtype="int32", name="char_ids")
            x = keras.layers.Embedding(len(encoder.vocabulary), self.embedding_dim,
                                       mask_zero=True, name="embedding")(inputs)
            x = build_recurrent_stack(x, config)
            model = keras.Model(inputs, keras.layers.Dense(1, name="count", dtype="float32")(x))
            return model, model

        def arrays(part):
            return None if part is None else (encoder.encode(part[0]), part[1])

        return TrainingPlan(build=build, train=arrays(train), size=len(train[0]),
                            valid=arrays(valid), loss="mse", metrics=["mae"])

    def get_state(self) -> dict:
        return {"text": self.text_encoder_.get_state()}

    def set_state(self, state: dict) -> None:
        self.text_encoder_ = TextEncoder.from_state(state["text"])

    def _sizes(self):
        return [("the vocabulary size", len(self.text_encoder_.vocabulary),
                 self.model_.get_layer("embedding").input_dim)]

    def predict(self, X) -> np.ndarray:
        """The count per string (a float: the network regresses it)."""
        self.check_is_fitted()
        ids = self.text_encoder_.encode(self._check(X))
        return np.asarray(self.model_.predict(ids, verbose=0, batch_size=256))[:, 0]

    def evaluate(self, X, y) -> dict:
        """``mae``, ``exact`` (share of rounded predictions equal to the count) and ``n``."""
        texts, counts = self._check(X, y)
        predicted = self.predict(texts)
        return {"mae": float(np.mean(np.abs(predicted - counts))),
                "exact": float(np.mean(np.round(predicted) == counts)), "n": len(texts)}

    def _export_archive(self):
        import keras
        import tensorflow as tf

        from rnn_apps.core import graph_checks

        encoder, model = self.text_encoder_, self.model_
        if not encoder.layer.built:  # rebuilt from the state, never called
            encoder.layer(tf.constant(["x"]))

        @tf.function(input_signature=[tf.TensorSpec([None], tf.string, name="text")])
        def serve(text):
            return {"count": model(encoder(graph_checks.texts(text)), training=False)[:, 0]}

        archive = keras.export.ExportArchive()
        archive.track(encoder.layer)
        archive.track(model)
        archive.add_endpoint("serving_default", serve)
        return archive
