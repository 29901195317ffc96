"""The CPU fast path computes what Keras' own layers compute: outputs, final
states and gradients (inputs and weights) on random masked batches, for both of
sequence lengths, in training and inference; it keeps Keras' weights, config and files; it can be switched off."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from rnn_apps.core import fast_rnn
from rnn_apps.core.config import RecurrentConfig
from rnn_apps.core.recurrent import make_recurrent_layer

LAYERS = {"lstm": keras.layers.LSTM, "gru": keras.layers.GRU, "rnn": keras.layers.SimpleRNN}
UNITS, FEATURES, BATCH = 6, 3, 5


@pytest.fixture(autouse=True)
def switched_on(monkeypatch):
    """These tests are about the path itself, whatever the caller's switch says."""
    monkeypatch.setenv(fast_rnn.SWITCH, "1")


def masks(rng, steps):
    """No mask; right-padded lengths (a row with none); holes anywhere."""
    lengths = rng.integers(1, steps + 1, size=BATCH)
    lengths[0] = 0
    right = np.arange(steps)[None] < lengths[:, None]
    holes = rng.random((BATCH, steps)) < 0.6
    return {"none": None, "right": right, "holes": holes}


def layer_pair(kind, wrap, **kwargs):
    """A Keras layer and a fast-path copy with the same weights."""
    made = []
    for _ in range(2):
        layer = LAYERS[kind](UNITS, **kwargs)
        made.append(keras.layers.Bidirectional(layer) if wrap else layer)
    sample = np.zeros((1, 2, FEATURES), "float32")
    for layer in made:
        layer(sample)
    made[1].set_weights(made[0].get_weights())
    fast_rnn.enable(made[1])
    return made


def run(layer, x, mask, training, initial_state=None):
    """Outputs and the gradients of a fixed weighting of them."""
    x = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        watched = [x] + layer.trainable_weights
        kwargs = {"mask": None if mask is None else tf.constant(mask), "training": training}
        if initial_state is not None:
            states = [tf.constant(s) for s in initial_state]
            for state in states:
                tape.watch(state)
            watched += states
            kwargs["initial_state"] = states
        outputs = layer(x, **kwargs)
        outputs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
        loss = sum(tf.reduce_sum(o * tf.cos(tf.reshape(tf.range(tf.size(o), dtype=o.dtype),
                                                       tf.shape(o))))
                   for o in outputs)
    gradients = tape.gradient(loss, watched)
    return [o.numpy() for o in outputs] + [g.numpy() for g in gradients]


def assert_same(expected, found):
    assert len(expected) == len(found)
    for a, b in zip(expected, found):
        np.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("steps", [40, 6])
@pytest.mark.parametrize("kind", ["lstm", "gru", "rnn"])
def test_outputs_and_gradients_match_keras(kind, steps):
    rng = np.random.default_rng(steps)
    x = rng.normal(size=(BATCH, steps, FEATURES)).astype("float32")
    cases = [(False, rs, gb) for rs in (False, True) for gb in (False, True)]
    cases += [(True, rs, False) for rs in (False, True)]
    checked = 0
    for wrap, return_sequences, go_backwards in cases:
        keras_layer, fast = layer_pair(kind, wrap, return_sequences=return_sequences,
                                       go_backwards=go_backwards)
        for mask in masks(rng, steps).values():
            for training in (True, False):
                assert_same(run(keras_layer, x, mask, training), run(fast, x, mask, training))
                checked += 1
    assert checked == len(cases) * 3 * 2


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_initial_states_and_returned_states_match_keras(kind):
    """The decoder's pattern: given initial states, states returned; a backward
    layer with padding sees masked steps first (outputs zero, states kept)."""
    rng = np.random.default_rng(1)
    x = rng.normal(size=(BATCH, 40, FEATURES)).astype("float32")
    states = [rng.normal(size=(BATCH, UNITS)).astype("float32")
              for _ in range(2 if kind == "lstm" else 1)]
    for go_backwards in (False, True):
        keras_layer, fast = layer_pair(kind, False, return_sequences=True, return_state=True,
                                       go_backwards=go_backwards)
        for mask in masks(rng, 40).values():
            assert_same(run(keras_layer, x, mask, True, states),
                        run(fast, x, mask, True, states))


def test_fully_masked_and_empty_batches():
    """A batch with every step masked (as a padded batch in multi-worker
    evaluation) keeps the initial states and gives zeros; an empty batch runs."""
    keras_layer, fast = layer_pair("gru", True, return_sequences=True)
    x = np.ones((BATCH, 40, FEATURES), "float32")
    mask = np.zeros((BATCH, 40), bool)
    assert_same(run(keras_layer, x, mask, True), run(fast, x, mask, True))
    assert not np.any(run(fast, x, mask, True)[0])
    empty = np.zeros((0, 40, FEATURES), "float32")
    assert fast(empty, mask=tf.zeros((0, 40), bool)).shape == (0, 40, 2 * UNITS)


def test_stateful_layer_matches_keras_across_calls():
    keras_layer, fast = layer_pair("lstm", False, stateful=True, return_sequences=True)
    rng = np.random.default_rng(2)
    for _ in range(2):
        x = rng.normal(size=(1, 40, FEATURES)).astype("float32")
        np.testing.assert_allclose(fast(x).numpy(), keras_layer(x).numpy(), atol=1e-5)


def test_configurations_outside_the_kernels_run_keras_code():
    """Recurrent dropout or another activation: Keras' own code, same results."""
    rng = np.random.default_rng(3)
    x = rng.normal(size=(BATCH, 40, FEATURES)).astype("float32")
    for kwargs in ({"recurrent_dropout": 0.5}, {"activation": "relu"}):
        keras_layer, fast = layer_pair("lstm", False, **kwargs)
        assert fast_rnn.is_enabled(fast) and not fast_rnn._covered(fast)
        assert_same(run(keras_layer, x, None, False), run(fast, x, None, False))


def test_weights_config_and_files_stay_keras(tmp_path):
    """Same weights and config as Keras' layer; a saved model loads in plain
    Keras as plain layers with the same predictions."""
    keras_layer, fast = layer_pair("lstm", True, name="same")
    assert fast.get_config() | {"name": ""} == keras_layer.get_config() | {"name": ""}
    assert [w.name for w in fast.weights] == [w.name for w in keras_layer.weights]
    model = keras.Sequential([keras.Input((40, FEATURES)), fast])
    x = np.random.default_rng(4).normal(size=(BATCH, 40, FEATURES)).astype("float32")
    model.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras")
    plain = loaded.layers[0]
    assert type(plain.forward_layer) is keras.layers.LSTM
    assert not fast_rnn.is_enabled(plain.forward_layer)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0),
                               atol=1e-6)
    fast_rnn.enable(loaded)   # what the toolkit's load does
    assert fast_rnn.is_enabled(plain.forward_layer) and fast_rnn.is_enabled(plain.backward_layer)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0),
                               atol=1e-6)


def test_trained_weights_move_both_ways_with_keras_and_cudnn():
    """Weights trained on the fast path give the same outputs in Keras' layer,
    which runs cuDNN where a GPU is visible (the fast path then runs on the CPU),
    and the other way round."""
    gpu = bool(tf.config.list_logical_devices("GPU"))
    rng = np.random.default_rng(5)
    x = rng.normal(size=(8, 40, FEATURES)).astype("float32")
    y = rng.normal(size=(8, 2 * UNITS)).astype("float32")
    mask_free = keras.Input((40, FEATURES))

    def model(kind, fast):
        layer = keras.layers.Bidirectional(LAYERS[kind](UNITS))
        built = keras.Model(mask_free, layer(mask_free))
        if fast:
            fast_rnn.enable(built, on_gpu=True)
        built.compile(optimizer="adam", loss="mse")
        return built

    for kind in ("lstm", "gru"):
        for trained_fast in (True, False):
            trained, other = model(kind, trained_fast), model(kind, not trained_fast)
            with tf.device("/CPU:0" if trained_fast else ("/GPU:0" if gpu else "/CPU:0")):
                trained.fit(x, y, epochs=2, batch_size=4, verbose=0)
            other.set_weights(trained.get_weights())
            fast_model, keras_model = (trained, other) if trained_fast else (other, trained)
            with tf.device("/CPU:0"):
                fast_out = fast_model(x).numpy()
            with tf.device("/GPU:0" if gpu else "/CPU:0"):
                keras_out = keras_model(x).numpy()
            np.testing.assert_allclose(fast_out, keras_out, atol=1e-5)


def test_factory_and_switch(monkeypatch):
    """The cell factory gives fast layers (both directions); RNN_APPS_FAST_RNN=0
    gives Keras' layers."""
    config = RecurrentConfig(cell="lstm", units=4, bidirectional=True)
    layer = make_recurrent_layer(config, return_sequences=False, name="x")
    assert fast_rnn.is_enabled(layer.forward_layer) and fast_rnn.is_enabled(layer.backward_layer)
    monkeypatch.setenv(fast_rnn.SWITCH, "0")
    layer = make_recurrent_layer(config, return_sequences=False, name="y")
    assert not fast_rnn.is_enabled(layer.forward_layer)
    assert not fast_rnn.is_enabled(layer.backward_layer)
