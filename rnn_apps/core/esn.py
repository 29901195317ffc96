"""Echo state reservoir: a recurrent cell whose weights stay fixed.

The reservoir is a sparse random recurrent matrix rescaled to a chosen
spectral radius, driven through fixed random input weights and a leaky tanh
update::

    h_t = (1 - a) h_{t-1} + a tanh(W_in x_t + W h_{t-1} + b)

None of its weights are trained; only the layers that read the reservoir
states (a dense head, or a closed-form ridge readout) learn. The cell is a
registered Keras layer, so models that use it save, load (safe mode) and
export like any other.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import ops


@keras.saving.register_keras_serializable(package="rnn_apps")
class ReservoirInitializer(keras.initializers.Initializer):
    """Sparse square matrix, uniform in [-1, 1], scaled to ``spectral_radius``."""

    def __init__(self, spectral_radius=0.9, connectivity=0.1, seed=None):
        self.spectral_radius = float(spectral_radius)
        self.connectivity = float(connectivity)
        self.seed = seed

    def __call__(self, shape, dtype=None):
        # Without a seed, draw one from NumPy's global generator, which
        # keras.utils.set_random_seed seeds: a seeded fit repeats exactly.
        seed = self.seed if self.seed is not None else np.random.randint(2**31 - 1)
        rng = np.random.default_rng(seed)
        rows, cols = shape
        matrix = rng.uniform(-1.0, 1.0, size=(rows, cols))
        matrix *= rng.random((rows, cols)) < self.connectivity
        radius = np.max(np.abs(np.linalg.eigvals(matrix))) if rows == cols else 0.0
        if radius > 0:
            matrix *= self.spectral_radius / radius
        return ops.convert_to_tensor(matrix, dtype=dtype or "float32")

    def get_config(self):
        return {"spectral_radius": self.spectral_radius, "connectivity": self.connectivity,
                "seed": self.seed}


@keras.saving.register_keras_serializable(package="rnn_apps")
class EchoStateCell(keras.layers.Layer):
    """Leaky echo state cell for ``keras.layers.RNN``; all weights are frozen."""

    def __init__(self, units, spectral_radius=0.9, leak_rate=1.0, input_scaling=1.0,
                 connectivity=0.1, use_bias=True, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.units = int(units)
        self.spectral_radius = float(spectral_radius)
        self.leak_rate = float(leak_rate)
        self.input_scaling = float(input_scaling)
        self.connectivity = float(connectivity)
        self.use_bias = bool(use_bias)
        self.seed = seed
        self.state_size = self.units
        self.output_size = self.units

    def build(self, input_shape):
        seed = None if self.seed is None else int(self.seed)
        self.kernel = self.add_weight(
            shape=(input_shape[-1], self.units), name="input_kernel", trainable=False,
            initializer=keras.initializers.RandomUniform(-self.input_scaling,
                                                         self.input_scaling, seed=seed))
        self.recurrent_kernel = self.add_weight(
            shape=(self.units, self.units), name="reservoir", trainable=False,
            initializer=ReservoirInitializer(self.spectral_radius, self.connectivity, seed))
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                shape=(self.units,), name="bias", trainable=False,
                initializer=keras.initializers.RandomUniform(
                    -self.input_scaling, self.input_scaling,
                    seed=None if seed is None else seed + 1))

    def call(self, inputs, states, training=False):
        previous = states[0] if isinstance(states, (list, tuple)) else states
        pre = ops.matmul(inputs, self.kernel) + ops.matmul(previous, self.recurrent_kernel)
        if self.bias is not None:
            pre = pre + self.bias
        state = (1.0 - self.leak_rate) * previous + self.leak_rate * ops.tanh(pre)
        return state, [state]

    def get_config(self):
        return {**super().get_config(), "units": self.units,
                "spectral_radius": self.spectral_radius, "leak_rate": self.leak_rate,
                "input_scaling": self.input_scaling, "connectivity": self.connectivity,
                "use_bias": self.use_bias, "seed": self.seed}


def ridge_readout(states, targets, alpha: float = 1e-6):
    """Closed-form ridge regression from reservoir states to targets.

    ``states`` ``[n, units]``, ``targets`` ``[n, outputs]``; returns ``(weights,
    bias)`` minimising ``|states @ weights + bias - targets|^2 + alpha |weights|^2``
    (the bias is not penalised). This is how echo state networks are
    normally trained: one linear solve instead of gradient descent.
    """
    states = np.asarray(states, dtype=np.float64)
    targets = np.asarray(targets, dtype=np.float64)
    if targets.ndim == 1:
        targets = targets[:, None]
    mean_x, mean_y = states.mean(axis=0), targets.mean(axis=0)
    centred = states - mean_x
    gram = centred.T @ centred + alpha * np.eye(states.shape[1])
    weights = np.linalg.solve(gram, centred.T @ (targets - mean_y))
    return weights, mean_y - mean_x @ weights
