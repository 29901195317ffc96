"""What a sentiment classifier adds to its recurrent network on request.

The wide path (``wide=True``, "wide & deep"): TF-IDF of word 1-2-grams
(:class:`~rnn_apps.preprocessing.tfidf.TfidfEncoder`, fitted on the training
texts, kept in the JSON state) -> unit length -> dropout -> linear logits,
added to the recurrent stack's logits before the softmax. One Keras model
with two inputs (token ids, TF-IDF vector), trained jointly; the SavedModel
computes both from the raw text. TF-IDF vectors are made per batch in the
input pipeline (never one dense matrix of the whole data set).

Pretrained word vectors (``embeddings=FILE``) for the word embedding:
:mod:`rnn_apps.preprocessing.embeddings`.
"""

from __future__ import annotations

import numpy as np

from rnn_apps.errors import RnnAppsError

# Chosen on the first five folds of the Kotzias et al. review sentences' ten-fold split
# (docs/benchmarks.md, "Sentiment: the wide TF-IDF path", which lists what was tried).
NGRAMS = 2               # word unigrams and bigrams
INPUT_DROPOUT = 0.5      # on the TF-IDF vector, while training
L2 = 1e-3                # on the wide weights, against the mean loss (weight decay)
SCALE = 100.0            # the unit-length vector times this: Adam moves the wide logits this
                         # much faster, so they converge in the 2-4 epochs the recurrent path
                         # takes before early stopping (the penalty is on the scaled weights)


def check_settings(task) -> None:
    """One-line errors for settings that cannot go together."""
    if task.embeddings is not None and task.level != "word":
        raise RnnAppsError("embeddings (pretrained word vectors) need level='word'; "
                           f"this classifier reads level={task.level!r}")


def extras(task, encoder, texts, prior):
    """``(state entries, word vectors)`` beyond the vocabulary and classes: the
    wide path's TF-IDF n-grams (fitted on ``texts``, an array or a callable of
    string batches; or the warm start's) and the word vectors' summary."""
    from rnn_apps.preprocessing import embeddings
    from rnn_apps.preprocessing.tfidf import TfidfEncoder

    state = {}
    if prior is not None and bool(prior.get("wide")) != bool(task.wide):
        raise RnnAppsError(f"the warm-start model was trained with wide="
                           f"{bool(prior.get('wide'))}; set wide the same way")
    if prior is not None and prior.get("wide"):
        state["wide"] = prior["wide"]
    elif task.wide:
        state["wide"] = TfidfEncoder.fit(texts, standardize=task.standardize, ngrams=NGRAMS,
                                         max_tokens=task.max_tokens).get_state()
    vectors = embeddings.prepare(task, {"embedding": (encoder.vocabulary[2:], 2)}, prior)
    if vectors is not None and vectors.summary:
        state[embeddings.STATE_KEY] = vectors.summary
    return state, vectors


def wide_and_deep(token_ids, features, *, n_classes: int, wide_size: int):
    """The model from ``token_ids`` (and a TF-IDF input) to class probabilities,
    the recurrent ``features`` read by a linear layer beside the wide one."""
    import keras

    deep = keras.layers.Dense(n_classes, name="deep_logits", dtype="float32")(features)
    tfidf = keras.Input(shape=(wide_size,), dtype="float32", name="tfidf")
    x = keras.layers.UnitNormalization(name="tfidf_unit")(tfidf)
    x = keras.layers.Rescaling(SCALE, name="tfidf_scale")(x)
    x = keras.layers.Dropout(INPUT_DROPOUT, name="tfidf_dropout")(x)
    wide = keras.layers.Dense(n_classes, name="wide_logits", dtype="float32",
                              kernel_initializer="zeros",
                              kernel_regularizer=keras.regularizers.L2(L2 * SCALE ** 2))(x)
    logits = keras.layers.Add(name="logits", dtype="float32")([deep, wide])
    outputs = keras.layers.Activation("softmax", name="probabilities", dtype="float32")(logits)
    return keras.Model([token_ids, tfidf], outputs, name="sentiment_classifier")


def batch_function(wide):
    """The engine's ``batch``: elements ``((ids, text), label[, weight])`` to batches
    ``((ids, tfidf), labels[, weights])``."""
    import tensorflow as tf

    def to_inputs(x, *rest):
        ids, text = x
        return ((ids, wide(text)), *rest)

    return lambda data, size: data.batch(size).map(to_inputs,
                                                   num_parallel_calls=tf.data.AUTOTUNE)


def predict(task, texts, batch_size: int = 256) -> np.ndarray:
    """Probabilities of a wide model; inputs made ``batch_size`` texts at a time."""
    import tensorflow as tf

    encoder, wide = task.text_encoder_, task.wide_encoder_
    data = tf.data.Dataset.from_tensor_slices(tf.constant(list(texts), tf.string))
    data = data.batch(batch_size).map(lambda text: ((encoder(text), wide(text)),))
    return np.asarray(task.model_.predict(data, verbose=0))
