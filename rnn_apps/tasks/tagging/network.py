"""The tagging networks behind :class:`~rnn_apps.tasks.tagging.estimator.Tagger`.

Tokens: a word embedding (padding masked) beside character features of each
word (a small character CNN, max-pooled over the word), then the shared
recurrent stack returning every step, then a score per tag and step. Frames:
standardised feature vectors, padding marked by a sentinel and masked. The
head is a softmax per step, or a linear-chain CRF (:mod:`rnn_apps.core.crf`).
"""

from __future__ import annotations

import keras
from keras import ops

from rnn_apps.core.crf import CRF
from rnn_apps.core.recurrent import build_recurrent_stack

FRAME_PAD = -1.0e4          # scaled frames never reach this; padding steps carry it
CRF_LAYER = "crf"


@keras.saving.register_keras_serializable(package="rnn_apps")
class CharCNN(keras.layers.Layer):
    """Character ids ``[batch, time, chars]`` to one vector per word ``[batch, time,
    filters]``: embedding, a width-3 convolution, max over the characters.
    (``TimeDistributed`` loses the time axis in graphs with unknown shapes, so
    the word axis is folded into the batch here.)"""

    def __init__(self, vocabulary_size, char_dim=24, filters=32, **kwargs):
        super().__init__(**kwargs)
        self.vocabulary_size, self.char_dim, self.filters = vocabulary_size, char_dim, filters
        self.embedding = keras.layers.Embedding(vocabulary_size, char_dim, name="embedding")
        self.conv = keras.layers.Conv1D(filters, 3, padding="same", activation="relu",
                                        name="conv")

    def build(self, input_shape):
        self.embedding.build((None, input_shape[-1]))
        self.conv.build((None, input_shape[-1], self.char_dim))

    def call(self, char_ids):
        shape = ops.shape(char_ids)
        flat = ops.reshape(char_ids, (-1, shape[2]))
        pooled = ops.max(self.conv(self.embedding(flat)), axis=1)
        return ops.reshape(pooled, (shape[0], shape[1], self.filters))

    def compute_output_shape(self, input_shape):
        return (*input_shape[:2], self.filters)

    def get_config(self):
        return {**super().get_config(), "vocabulary_size": self.vocabulary_size,
                "char_dim": self.char_dim, "filters": self.filters}


@keras.saving.register_keras_serializable(package="rnn_apps")
class WordDropout(keras.layers.Layer):
    """While training, replace known word ids by the unknown id (1) with
    probability ``rate``, so the model learns to tag unseen words from their
    characters and context. Identity at inference."""

    def __init__(self, rate=0.1, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.rate = float(rate)
        self.seed = seed
        self.generator = keras.random.SeedGenerator(seed)

    def call(self, ids, training=False):
        if not training or self.rate <= 0:
            return ids
        drop = keras.random.uniform(ops.shape(ids), seed=self.generator) < self.rate
        return ops.where(ops.logical_and(drop, ids > 1), ops.ones_like(ids), ids)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}


def token_inputs(*, words, chars, embedding_dim, char_dim, char_filters, word_dropout=0.0):
    """``(inputs, features, mask)`` for word ids ``[b, t]`` and char ids ``[b, t, c]``."""
    word_ids = keras.Input(shape=(None,), dtype="int32", name="word_ids")
    char_ids = keras.Input(shape=(None, None), dtype="int32", name="char_ids")
    ids = WordDropout(word_dropout, name="word_dropout")(word_ids) if word_dropout else word_ids
    features = keras.layers.Embedding(words, embedding_dim, mask_zero=True,
                                      name="word_embedding")(ids)
    if char_filters:
        char_vectors = CharCNN(chars, char_dim, char_filters, name="char_cnn")(char_ids)
        features = keras.layers.Concatenate(name="word_and_chars")([features, char_vectors])
    return [word_ids, char_ids], features, ops.not_equal(word_ids, 0)


def frame_inputs(n_features):
    frames = keras.Input(shape=(None, n_features), dtype="float32", name="frames")
    features = keras.layers.Masking(mask_value=FRAME_PAD, name="frame_mask")(frames)
    return [frames], features, ops.any(ops.not_equal(frames, FRAME_PAD), axis=-1)


def build_tagger(config, inputs, features, mask, *, n_tags, crf: bool):
    """``(model, trainer)``: ``model`` maps inputs to per-step tag scores
    (probabilities for softmax, emissions for the CRF); ``trainer`` is what
    ``fit`` trains (for the CRF it also takes the gold tags and adds the loss)."""
    encoded = build_recurrent_stack(features, config, return_sequences=True)
    scores = keras.layers.Dense(n_tags, name="tag_scores", dtype="float32")(encoded)
    if not crf:
        probabilities = keras.layers.Activation("softmax", name="tags")(scores)
        model = keras.Model(inputs, probabilities, name="tagger")
        return model, model
    layer = CRF(n_tags, name=CRF_LAYER)
    gold = keras.Input(shape=(None,), dtype="int32", name="gold_tags")
    trainer = keras.Model([*inputs, gold], layer(scores, tags=gold, mask=mask), name="trainer")
    model = keras.Model(inputs, layer(scores), name="tagger")
    return model, trainer


def decode(model, outputs, mask):
    """Tag ids ``[batch, time]`` from the model's outputs."""
    if CRF_LAYER in [layer.name for layer in model.layers]:
        return model.get_layer(CRF_LAYER).decode(outputs, mask)
    return ops.cast(ops.argmax(outputs, axis=-1), "int32")
