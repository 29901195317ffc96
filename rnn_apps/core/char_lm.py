"""A character language model's recurrent states read at chosen positions: the
contextual string embeddings of flair (Akbik et al. 2018) as one Keras layer.

:class:`CharLMStates` holds the embedding and recurrent layers of a character
language model (the structure of ``textgen``'s network, without its output
layer) and maps ``[char ids [batch, chars], positions [batch, words]]`` to the
last recurrent layer's output at each position ``[batch, words, units]``.
Its weights are copied from a trained language model (:meth:`copy_from`);
``trainable=False`` keeps them fixed while the rest of a network trains.
"""

from __future__ import annotations

import keras
from keras import ops

from rnn_apps.core.config import RecurrentConfig
from rnn_apps.core.recurrent import make_recurrent_layer
from rnn_apps.errors import RnnAppsError

# the settings of a language model that shape these layers (kept in a tagger's state)
STRUCTURE = ("cell", "units", "layers", "embedding_dim", "spectral_radius", "leak_rate",
             "input_scaling")


@keras.saving.register_keras_serializable(package="rnn_apps")
class CharLMStates(keras.layers.Layer):
    """Char ids (0 = padding) and positions in, the language model's state at
    each position out. ``embedding_dim=None``: one-hot characters, as textgen."""

    def __init__(self, vocabulary_size, cell="lstm", units=128, layers=1, embedding_dim=32,
                 spectral_radius=0.9, leak_rate=1.0, input_scaling=1.0, **kwargs):
        super().__init__(**kwargs)
        self.vocabulary_size, self.embedding_dim = int(vocabulary_size), embedding_dim
        self.config = RecurrentConfig(cell=cell, units=int(units), layers=int(layers),
                                      spectral_radius=spectral_radius, leak_rate=leak_rate,
                                      input_scaling=input_scaling)
        if embedding_dim is None:
            self.embedding = keras.layers.Embedding(
                vocabulary_size, vocabulary_size, trainable=False, name="one_hot",
                embeddings_initializer=keras.initializers.Identity())
        else:
            self.embedding = keras.layers.Embedding(vocabulary_size, embedding_dim,
                                                    name="embedding")
        self.recurrent = [make_recurrent_layer(self.config, return_sequences=True,
                                               name=f"lm_{cell}_{index}")
                          for index in range(self.config.layers)]

    def build(self, input_shape):
        self.embedding.build((None, None))
        width = self.embedding_dim or self.vocabulary_size
        for layer in self.recurrent:
            layer.build((None, None, width))
            width = self.config.units
        if not self.trainable:  # freeze the sublayers' variables, made just now (setting
            for layer in (self.embedding, *self.recurrent):  # False again on self is a no-op)
                layer.trainable = False

    def states(self, char_ids):
        """The last recurrent layer's output at every character ``[batch, chars, units]``."""
        mask = ops.not_equal(char_ids, 0)
        x = self.embedding(char_ids)
        for layer in self.recurrent:
            x = layer(x, mask=mask)
        return x

    def call(self, inputs):
        char_ids, positions = inputs
        states = self.states(char_ids)
        index = ops.repeat(ops.expand_dims(positions, -1), self.config.units, axis=-1)
        return ops.take_along_axis(states, index, axis=1)

    def compute_output_shape(self, input_shape):
        return (*input_shape[1][:2], self.config.units)

    def copy_from(self, model) -> None:
        """The weights of a trained language model ``model`` (embedding, then the
        recurrent layers, in the order textgen builds them; its output layer,
        last, is left out)."""
        ours, theirs = self.weights, model.get_weights()
        shapes = [tuple(w.shape) for w in ours]
        if [tuple(w.shape) for w in theirs[:len(ours)]] != shapes:
            raise RnnAppsError(f"the language model {model.name!r} does not have the layers "
                               f"its settings describe (weights {shapes})")
        for variable, value in zip(ours, theirs):
            variable.assign(value)

    def get_config(self):
        config = self.config
        return {**super().get_config(), "vocabulary_size": self.vocabulary_size,
                "cell": config.cell, "units": config.units, "layers": config.layers,
                "embedding_dim": self.embedding_dim, "spectral_radius": config.spectral_radius,
                "leak_rate": config.leak_rate, "input_scaling": config.input_scaling}
