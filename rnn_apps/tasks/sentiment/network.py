"""The sentiment network behind :class:`~rnn_apps.tasks.sentiment.estimator.SentimentClassifier`:
token ids, a masked embedding, the shared recurrent stack, pooling over time
and a softmax; the wide path (a blend with a TF-IDF logistic regression) comes
from :mod:`.wide`.
"""

from __future__ import annotations

import numpy as np

from rnn_apps.errors import DataError, RnnAppsError
from rnn_apps.tasks.sentiment import wide as extras


def build_classifier_network(config, *, vocab_size: int, embedding_dim: int, pooling: str,
                             n_classes: int, wide_size: int | None = None):
    """Token ids -> embedding (masked) -> recurrent stack -> pooling -> softmax;
    with ``wide_size``, ``(blend model, recurrent model)``: the recurrent one
    blended with a linear model on TF-IDF n-grams (:mod:`.wide`), their layers
    shared."""
    import keras

    from rnn_apps.core.layers import pool_over_time
    from rnn_apps.core.recurrent import build_recurrent_stack

    inputs = keras.Input(shape=(None,), dtype="int32", name="token_ids")
    x = keras.layers.Embedding(vocab_size, embedding_dim, mask_zero=True, name="embedding")(inputs)
    x = build_recurrent_stack(x, config, return_sequences=pooling != "last")
    if pooling != "last":
        x = pool_over_time(x, pooling)
    if wide_size:  # the same head, its logits kept apart for the blend
        logits = keras.layers.Dense(n_classes, name="recurrent_logits", dtype="float32")(x)
        outputs = keras.layers.Activation("softmax", name="recurrent_probabilities",
                                          dtype="float32")(logits)
        model = keras.Model(inputs, outputs, name="sentiment_recurrent")
        return extras.blend_network(model, n_classes=n_classes, wide_size=wide_size), model
    outputs = keras.layers.Dense(n_classes, activation="softmax", name="probabilities",
                                 dtype="float32")(x)
    return keras.Model(inputs, outputs, name="sentiment_classifier")


def class_weights(class_weight, encoder, ids=None, counts=None):
    """Weight per class id for the ``class_weight`` parameter (None: unweighted),
    from the training label ids or counts (a :class:`LabelEncoder`'s classes)."""
    if class_weight is None:
        return None
    if class_weight == "balanced":
        counts = np.bincount(ids, minlength=len(encoder)) if counts is None else counts
        counts = np.asarray(counts, dtype=np.float64)
        present = counts > 0
        weights = np.ones(len(encoder))
        weights[present] = counts.sum() / (present.sum() * counts[present])
        return weights
    if isinstance(class_weight, dict):
        by_label = {str(k): float(v) for k, v in class_weight.items()}
        unknown = set(by_label) - {str(c) for c in encoder.classes}
        if unknown:
            raise DataError(f"class_weight names labels not in the data: "
                            f"{', '.join(sorted(unknown))}")
        return np.array([by_label.get(str(c), 1.0) for c in encoder.classes])
    raise RnnAppsError(f"class_weight must be None, 'balanced' or a dict; "
                       f"got {class_weight!r}")


def network_plan(task, config, vectors, **data):
    """The engine's plan for ``task`` (its vocabulary, classes and wide encoder
    fitted); ``data``: elements of ids and label ids (and weights). A wide
    model's recurrent part is what the engine trains; its linear part and blend
    weight are the plan's ``finish`` (:func:`.wide.blend_finish`)."""
    from rnn_apps.core.engine import TrainingPlan

    def build():
        model = build_classifier_network(
            config, vocab_size=len(task.text_encoder_.vocabulary),
            embedding_dim=vectors.dim if vectors else task.embedding_dim,
            pooling=task.pooling, n_classes=len(task.classes_),
            wide_size=task.wide_encoder_.size if task.wide_encoder_ else None)
        model, trainer = model if isinstance(model, tuple) else (model, model)
        if vectors is not None:
            vectors.apply(model)
        return model, trainer

    return TrainingPlan(build=build, loss="sparse_categorical_crossentropy",
                        metrics=["accuracy"], **data)
