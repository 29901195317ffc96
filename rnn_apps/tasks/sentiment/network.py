"""The sentiment network behind :class:`~rnn_apps.tasks.sentiment.estimator.SentimentClassifier`:
token ids, a masked embedding, the shared recurrent stack, pooling over time
and a softmax; the wide path on TF-IDF n-grams comes from :mod:`.sentiment_wide`.
"""

from __future__ import annotations

from rnn_apps.tasks.sentiment import wide as extras


def build_classifier_network(config, *, vocab_size: int, embedding_dim: int, pooling: str,
                             n_classes: int, wide_size: int | None = None):
    """Token ids -> embedding (masked) -> recurrent stack -> pooling -> softmax;
    with ``wide_size``, TF-IDF n-grams beside it (:mod:`.sentiment_wide`)."""
    import keras

    from rnn_apps.core.layers import pool_over_time
    from rnn_apps.core.recurrent import build_recurrent_stack

    inputs = keras.Input(shape=(None,), dtype="int32", name="token_ids")
    x = keras.layers.Embedding(vocab_size, embedding_dim, mask_zero=True, name="embedding")(inputs)
    x = build_recurrent_stack(x, config, return_sequences=pooling != "last")
    if pooling != "last":
        x = pool_over_time(x, pooling)
    if wide_size:
        return extras.wide_and_deep(inputs, x, n_classes=n_classes, wide_size=wide_size)
    outputs = keras.layers.Dense(n_classes, activation="softmax", name="probabilities",
                                 dtype="float32")(x)
    return keras.Model(inputs, outputs, name="sentiment_classifier")
