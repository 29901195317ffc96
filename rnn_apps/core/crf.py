"""A linear-chain conditional random field layer, in Keras ops.

``CRF`` holds tag-to-tag transition scores plus start and end scores. Called
on per-step emission scores ``[batch, time, tags]`` it returns them unchanged;
given the gold tags as well (``crf(emissions, tags=gold, mask=mask)``) it also
adds the mean negative log-likelihood of the gold sequences as a layer loss,
so a training model needs no separate loss. ``decode`` is Viterbi decoding.
Masks must be prefixes (right padding); padded steps carry the state through
unchanged. The recursions run with ``keras.ops.scan``, so the layer works in
graphs and SavedModels.
"""

from __future__ import annotations

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="rnn_apps")
class CRF(keras.layers.Layer):
    def __init__(self, num_tags: int, **kwargs):
        super().__init__(**kwargs)
        self.num_tags = int(num_tags)

    def build(self, input_shape):
        k = self.num_tags
        init = keras.initializers.RandomUniform(-0.1, 0.1)
        self.transitions = self.add_weight(shape=(k, k), initializer=init, name="transitions")
        self.start_scores = self.add_weight(shape=(k,), initializer="zeros", name="start")
        self.end_scores = self.add_weight(shape=(k,), initializer="zeros", name="end")

    def call(self, emissions, tags=None, mask=None):
        if tags is not None:
            mask = self._mask(emissions, mask)
            nll = self.log_partition(emissions, mask) - self.sequence_score(emissions, tags, mask)
            self.add_loss(ops.mean(nll))
        return emissions

    def compute_output_shape(self, input_shape):
        return input_shape

    def compute_mask(self, inputs, mask=None):
        return mask

    def get_config(self):
        return {**super().get_config(), "num_tags": self.num_tags}

    @staticmethod
    def _mask(emissions, mask):
        if mask is None:
            return ops.ones(ops.shape(emissions)[:2], dtype="bool")
        return ops.cast(mask, "bool")

    @staticmethod
    def _time_major(emissions, mask):
        """Steps 1.. as one ``[time - 1, batch, tags + 1]`` tensor, the mask last
        (keras' TF ``scan`` cannot take several inputs of unknown length)."""
        keep = ops.cast(mask, emissions.dtype)[..., None]
        return ops.transpose(ops.concatenate([emissions, keep], axis=-1)[:, 1:], (1, 0, 2))

    def sequence_score(self, emissions, tags, mask):
        """Score of the given tag sequences ``[batch]``."""
        tags = ops.cast(tags, "int32")
        weight = ops.cast(mask, emissions.dtype)
        emitted = ops.squeeze(ops.take_along_axis(emissions, tags[..., None], axis=-1), -1)
        score = ops.sum(emitted * weight, axis=1)
        pairs = tags[:, :-1] * self.num_tags + tags[:, 1:]
        moves = ops.take(ops.reshape(self.transitions, (-1,)), pairs)
        score = score + ops.sum(moves * weight[:, 1:], axis=1)
        lengths = ops.sum(ops.cast(mask, "int32"), axis=1)
        last = ops.squeeze(ops.take_along_axis(tags, ops.maximum(lengths - 1, 0)[:, None],
                                               axis=1), -1)
        return score + ops.take(self.start_scores, tags[:, 0]) + ops.take(self.end_scores, last)

    def log_partition(self, emissions, mask):
        """``log Z`` of every sequence ``[batch]`` (forward algorithm)."""
        first = self.start_scores[None] + emissions[:, 0]
        steps = self._time_major(emissions, mask)

        def forward(alpha, step):
            emission, keep = step[:, :-1], step[:, -1] > 0
            moved = ops.logsumexp(alpha[:, :, None] + self.transitions[None], axis=1) + emission
            return ops.where(keep[:, None], moved, alpha), None

        alpha, _ = ops.scan(forward, first, steps)
        return ops.logsumexp(alpha + self.end_scores[None], axis=1)

    def decode(self, emissions, mask=None):
        """The highest-scoring tag sequences ``[batch, time]`` (int32; padding
        steps repeat the last real tag)."""
        mask = self._mask(emissions, mask)
        first = self.start_scores[None] + emissions[:, 0]
        steps = self._time_major(emissions, mask)
        identity = ops.arange(self.num_tags, dtype="int32")[None]

        def forward(delta, step):
            emission, keep = step[:, :-1], step[:, -1] > 0
            scores = delta[:, :, None] + self.transitions[None]
            best = ops.cast(ops.argmax(scores, axis=1), "int32")
            moved = ops.max(scores, axis=1) + emission
            pointer = ops.where(keep[:, None], best, identity + ops.zeros_like(best))
            # keras' TF scan stores outputs with the carry's dtype
            return ops.where(keep[:, None], moved, delta), ops.cast(pointer, delta.dtype)

        delta, pointers = ops.scan(forward, first, steps)
        pointers = ops.cast(pointers, "int32")
        last = ops.cast(ops.argmax(delta + self.end_scores[None], axis=1), "int32")

        def backward(tag, pointer):
            previous = ops.squeeze(ops.take_along_axis(pointer, tag[:, None], axis=1), -1)
            return previous, tag

        first_tag, later = ops.scan(backward, last, pointers, reverse=True)
        return ops.concatenate([first_tag[:, None], ops.transpose(later, (1, 0))], axis=1)
