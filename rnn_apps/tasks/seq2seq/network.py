"""The encoder-decoder networks behind :class:`~rnn_apps.tasks.seq2seq.estimator.Seq2SeqTranslator`.

Three Keras models share their layers:

- ``encoder``: source ids ``[b, S]`` -> encoder outputs ``[b, S, E]`` and, per
  layer, the final states (forward and backward halves concatenated when
  the encoder is bidirectional);
- ``decoder``: previous target ids ``[b, T]``, encoder outputs, source ids (for
  the padding mask) and the initial states -> ``{"logits", "attention",
  "state_<layer>_<k>"}``. With ``T`` the whole target it is teacher forcing;
  with ``T = 1`` it is one decoding step;
- ``trainer``: ``[source ids, target ids]`` -> logits, the two above chained.

Attention (Luong et al. 2015, "global" attention without input feeding) is
applied after the decoder's recurrent layers, so a whole target can be run
at once in training and one step at a time in decoding with the same
result. Scores are multiplicative (``q W k``) or additive (``v tanh(W q + U k)``).
"""

from __future__ import annotations

import dataclasses

import keras
from keras import ops

from rnn_apps.core import regularisers
from rnn_apps.core.recurrent import build_recurrent_stack, make_recurrent_layer

MASKED = -1.0e9


@keras.saving.register_keras_serializable(package="rnn_apps")
class SequenceAttention(keras.layers.Layer):
    """``(queries [b, T, dq], keys [b, S, units], source ids [b, S])`` ->
    ``(attentional vectors [b, T, units], weights [b, T, S])``; padding
    (source id 0) gets no weight."""

    def __init__(self, units, score="multiplicative", **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True  # padding is read from the source ids instead
        self.units, self.score = int(units), score
        self.query_projection = keras.layers.Dense(units, use_bias=False, name="w_query")
        if score == "additive":
            self.key_projection = keras.layers.Dense(units, use_bias=False, name="w_key")
            self.vector = keras.layers.Dense(1, use_bias=False, name="v")
        self.combine = keras.layers.Dense(units, activation="tanh", name="combine")

    def build(self, queries_shape, keys_shape=None, source_ids_shape=None):
        query_dim, key_dim = queries_shape[-1], keys_shape[-1]
        self.query_projection.build((None, None, query_dim))
        if self.score == "additive":
            self.key_projection.build((None, None, key_dim))
            self.vector.build((None, None, None, self.units))
        self.combine.build((None, None, query_dim + key_dim))

    def call(self, queries, keys, source_ids):
        if self.score == "multiplicative":
            scores = ops.matmul(self.query_projection(queries), ops.transpose(keys, (0, 2, 1)))
        else:
            hidden = ops.tanh(ops.expand_dims(self.query_projection(queries), 2)
                              + ops.expand_dims(self.key_projection(keys), 1))
            scores = ops.squeeze(self.vector(hidden), -1)
        valid = ops.expand_dims(ops.not_equal(source_ids, 0), 1)
        weights = ops.softmax(ops.where(valid, scores, MASKED), axis=-1)
        context = ops.matmul(weights, keys)
        return self.combine(ops.concatenate([context, queries], axis=-1)), weights

    def compute_mask(self, inputs, mask=None):
        return None

    def compute_output_shape(self, queries_shape, keys_shape=None, source_ids_shape=None):
        return (*queries_shape[:2], self.units), (*queries_shape[:2], keys_shape[1])

    def get_config(self):
        return {**super().get_config(), "units": self.units, "score": self.score}


@keras.saving.register_keras_serializable(package="rnn_apps")
class DropMask(keras.layers.Layer):
    """Identity that drops the Keras mask (the decoder reads padding from the
    source ids, and a masked tensor passed into a nested model warns)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs):
        return inputs

    def compute_mask(self, inputs, mask=None):
        return None

    def compute_output_shape(self, input_shape):
        return input_shape


def _state_sizes(layer) -> list[int]:
    sizes = layer.cell.state_size
    return list(sizes) if isinstance(sizes, (list, tuple)) else [sizes]


def build_networks(config, *, source_size, target_size, embedding_dim, attention):
    """``(trainer, encoder, decoder)``; the decoder is unidirectional with
    ``units x directions`` units, so it starts from the whole encoder state."""
    directions = 2 if config.bidirectional else 1
    decoder_config = dataclasses.replace(config, bidirectional=False,
                                         units=config.units * directions)

    source = keras.Input(shape=(None,), dtype="int32", name="source_ids")
    x = keras.layers.Embedding(source_size, embedding_dim, mask_zero=True,
                               name="source_embedding")(source)
    outputs, layer_states = build_recurrent_stack(x, config, return_sequences=True,
                                                  name="encoder", return_state=True)
    final_states = []
    for index, states in enumerate(layer_states):
        if directions == 2:
            half = len(states) // 2
            states = [keras.layers.Concatenate(name=f"bridge_{index}_{k}")([f, b])
                      for k, (f, b) in enumerate(zip(states[:half], states[half:]))]
        final_states += states
    outputs = DropMask(name="memory")(outputs)
    encoder = keras.Model(source, [outputs, *final_states], name="encoder")

    target = keras.Input(shape=(None,), dtype="int32", name="target_ids")
    memory = keras.Input(shape=(None, config.units * directions), name="encoder_outputs")
    memory_ids = keras.Input(shape=(None,), dtype="int32", name="memory_ids")
    # The mask is passed explicitly: Keras does not carry an embedding mask
    # into a recurrent layer that is also given ``initial_state``.
    y = keras.layers.Embedding(target_size, embedding_dim, name="target_embedding")(target)
    y = regularisers.input_dropout(y, config, "decoder")
    mask = ops.not_equal(target, 0)
    state_inputs, named = [], {}
    for index in range(config.layers):
        layer = make_recurrent_layer(decoder_config, return_sequences=True, return_state=True,
                                     name=f"decoder_{config.cell}_{index}")
        initial = [keras.Input(shape=(size,), name=f"initial_{index}_{k}")
                   for k, size in enumerate(_state_sizes(layer))]
        out = layer(y, mask=mask, initial_state=initial if len(initial) > 1 else initial[0])
        y = out[0]
        named.update({f"state_{index}_{k}": s for k, s in enumerate(out[1:])})
        state_inputs += initial
        if index == config.layers - 1:  # AR/TAR (training only)
            y = regularisers.penalise(y, config, "decoder_penalty")
        y = regularisers.output_dropout(y, config, f"decoder_dropout_{index}")
    weights = None
    if attention:
        y, weights = SequenceAttention(decoder_config.units, attention,
                                       name="attention")(y, memory, memory_ids)
    logits = keras.layers.Dense(target_size, name="logits")(y)
    decoder_outputs = {"logits": logits, **named}
    if weights is not None:
        decoder_outputs["attention"] = weights
    decoder = keras.Model([target, memory, memory_ids, *state_inputs], decoder_outputs,
                          name="decoder")

    source_in = keras.Input(shape=(None,), dtype="int32", name="source")
    target_in = keras.Input(shape=(None,), dtype="int32", name="target")
    encoded = encoder(source_in)
    trainer = keras.Model([source_in, target_in],
                          decoder([target_in, encoded[0], source_in, *encoded[1:]])["logits"],
                          name="seq2seq")
    return trainer, encoder, decoder
