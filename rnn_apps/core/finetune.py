"""Fine-tuning a network that starts from a pretrained language model, the
ULMFiT way (Howard & Ruder, 2018): the layers form groups from the top (the
new head) down to the embedding, and

- **discriminative learning rates**: each group down steps ``decay`` times
  slower than the one above it (:class:`LayerwiseAdam`);
- **gradual unfreezing**: epoch 1 trains the top group only, each further
  epoch unfreezes the next group down (:class:`GradualUnfreezing`); a frozen
  group's step is exactly zero, so its weights do not move;
- **a slanted triangular schedule**: the rate climbs for the first
  ``cut_frac`` of the steps, then falls linearly to ``1/ratio`` of its peak
  (:class:`SlantedTriangular`).

Registered with Keras, so a saved model that was compiled with them loads.
"""

from __future__ import annotations

import math

import keras
from keras import ops

DECAY = 2.6        # ULMFiT's factor between the learning rates of neighbouring groups
CUT_FRAC = 0.1     # share of the steps the slanted triangular rate climbs
RATIO = 32         # the lowest rate of the schedule is the peak over this


@keras.saving.register_keras_serializable(package="rnn_apps")
class SlantedTriangular(keras.optimizers.schedules.LearningRateSchedule):
    """A short linear rise to ``peak`` over ``cut_frac`` of ``total_steps``,
    then a long linear fall to ``peak / ratio`` (flat at that after the end)."""

    def __init__(self, peak, total_steps, cut_frac=CUT_FRAC, ratio=RATIO):
        self.peak, self.total_steps = float(peak), int(total_steps)
        self.cut_frac, self.ratio = float(cut_frac), float(ratio)

    def __call__(self, step):
        step = ops.cast(step, "float32")
        cut = float(max(1, math.floor(self.total_steps * self.cut_frac)))
        falling = 1.0 - (step - cut) / max(1.0, self.total_steps - cut)
        p = ops.where(step < cut, step / cut, ops.maximum(falling, 0.0))
        return self.peak * (1.0 + p * (self.ratio - 1.0)) / self.ratio

    def get_config(self):
        return {"peak": self.peak, "total_steps": self.total_steps,
                "cut_frac": self.cut_frac, "ratio": self.ratio}


@keras.saving.register_keras_serializable(package="rnn_apps")
class LayerwiseAdam(keras.optimizers.Adam):
    """Adam whose step is scaled per group of layers.

    ``groups``: lists of layer names, top group first; a variable belongs to
    the group naming the first part of its path, variables of no group to
    the top one. ``scales`` (one per group) are a variable the
    :class:`GradualUnfreezing` callback sets; a scale of 0 freezes a group.
    """

    def __init__(self, groups=(), **kwargs):
        super().__init__(**kwargs)
        self.groups = [list(group) for group in groups] or [[]]
        self._where = {name: index for index, group in enumerate(self.groups)
                       for name in group}

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        self.scales = self.add_variable(shape=(len(self.groups),), initializer="ones",
                                        name="group_scales")
        # update_step sees the backend's variable: found by the key Keras keeps for it
        self._group_by_key = {self._var_key(v): self.group_of(v) for v in variables}

    def group_of(self, variable) -> int:
        """The group of a Keras variable, from the layer its path starts with."""
        return self._where.get(variable.path.split("/")[0], 0)

    def update_step(self, gradient, variable, learning_rate):
        group = self._group_by_key.get(self._var_key(variable), 0)
        scale = ops.cast(self.scales[group], variable.dtype)
        super().update_step(gradient, variable, ops.cast(learning_rate, variable.dtype) * scale)

    def get_config(self):
        return {**super().get_config(), "groups": self.groups}


def group_scales(groups: int, epoch: int, *, decay: float, gradual: bool) -> list[float]:
    """The step scale of each group (top first) in ``epoch`` (0-based): group k
    runs ``decay**-k`` times the rate, and with ``gradual`` only the top
    ``epoch + 1`` groups run at all."""
    return [0.0 if gradual and k > epoch else decay ** -k for k in range(groups)]


class GradualUnfreezing(keras.callbacks.Callback):
    """Sets a :class:`LayerwiseAdam`'s group scales at the start of each epoch."""

    def __init__(self, *, decay: float = DECAY, gradual: bool = True):
        super().__init__()
        self.decay, self.gradual = float(decay), bool(gradual)

    def on_epoch_begin(self, epoch, logs=None):
        optimizer = self.model.optimizer
        optimizer.build(self.model.trainable_variables)  # no-op once built
        optimizer.scales.assign(group_scales(len(optimizer.groups), epoch, decay=self.decay,
                                             gradual=self.gradual))


def make_finetune_optimizer(config, *, groups, learning_rate: float, total_steps: int | None,
                            slanted: bool = True):
    """A :class:`LayerwiseAdam` with ``config``'s gradient clipping and, when
    ``slanted`` and the steps are known, the slanted triangular schedule
    peaking at ``learning_rate``."""
    rate = SlantedTriangular(learning_rate, total_steps) if slanted and total_steps \
        else learning_rate
    from rnn_apps.core.recurrent import make_optimizer

    return make_optimizer(config, rate, LayerwiseAdam, groups=groups)
