"""The patches of Keras internals run only on the Keras they were written for:
the fast kernels really run when the fast path is on (and never when it is
off), and a Keras whose internals differ turns a patch off with one note and
Keras' own, correct, results."""

import json
import random
import warnings

import keras
import numpy as np
import pytest
import tensorflow as tf

from rnn_apps.core import callbacks, fast_kernels, fast_rnn, keras_compat
from rnn_apps.core.keras_guard import KerasInternalsNote, keras_version

LAYERS = {"lstm": keras.layers.LSTM, "gru": keras.layers.GRU, "rnn": keras.layers.SimpleRNN}
KERNELS = {"lstm": "lstm", "gru": "gru", "rnn": "simple"}
X = np.random.default_rng(0).normal(size=(8, 7, 3)).astype("float32")
Y = np.random.default_rng(1).normal(size=(8, 4)).astype("float32")


@pytest.fixture(autouse=True)
def switched_on(monkeypatch):
    monkeypatch.setenv(fast_rnn.SWITCH, "1")


def fresh(monkeypatch, guard):
    """The guard checks again (its verdict is put back after the test)."""
    monkeypatch.setattr(guard, "_ok", None)


def notes(caught):
    return [str(w.message) for w in caught if issubclass(w.category, KerasInternalsNote)]


def model(kind, **kwargs):
    built = keras.Sequential([keras.Input(X.shape[1:]), LAYERS[kind](4, **kwargs)])
    built.compile(optimizer="sgd", loss="mse")
    return fast_rnn.enable(built)


def test_the_installed_keras_passes_every_guard_without_drawing_a_seed(monkeypatch):
    """Checking draws nothing from the random state the seeded runs share (a
    layer made there would: a resumed run would no longer equal a straight one)."""
    for guard in (fast_rnn.GUARD, keras_compat.GUARD, callbacks.GUARD):
        fresh(monkeypatch, guard)
        state = random.getstate()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            assert guard.ok(), guard.patch
        assert notes(caught) == [] and random.getstate() == state


@pytest.mark.parametrize("kind", sorted(LAYERS))
def test_fit_and_predict_run_the_fast_kernels_only_when_switched_on(kind, monkeypatch):
    kernel = KERNELS[kind]
    before = fast_kernels.TRACES[kernel]
    fast = model(kind)
    fast.fit(X, Y, epochs=1, batch_size=4, verbose=0)
    after_fit = fast_kernels.TRACES[kernel]
    fast.predict(X, verbose=0)
    assert before < after_fit < fast_kernels.TRACES[kernel]

    monkeypatch.setenv(fast_rnn.SWITCH, "0")
    before = sum(fast_kernels.TRACES.values())
    plain = model(kind)
    plain.fit(X, Y, epochs=1, batch_size=4, verbose=0)
    plain.predict(X, verbose=0)
    assert sum(fast_kernels.TRACES.values()) == before


@pytest.mark.skipif(bool(tf.config.list_logical_devices("GPU")), reason="cuDNN would run")
def test_use_cudnn_true_gets_keras_own_code():
    """Asked for cuDNN where there is none, the layer fails as Keras' does."""
    before = sum(fast_kernels.TRACES.values())
    layer = fast_rnn.enable(keras.layers.GRU(4, use_cudnn=True))
    assert fast_rnn.is_enabled(layer)
    with pytest.raises(ValueError, match="use_cudnn=True"):
        layer(X)
    assert sum(fast_kernels.TRACES.values()) == before


def same_weights_pair(kind):
    pair = [LAYERS[kind](4, return_sequences=True) for _ in range(2)]
    for layer in pair:
        layer(X[:1])
    pair[1].set_weights(pair[0].get_weights())
    return pair


def test_a_changed_inner_loop_leaves_keras_code_with_one_note(monkeypatch):
    original = keras.layers.LSTM.inner_loop

    def inner_loop(self, sequences, initial_state, mask, training=False, unroll=None):
        return original(self, sequences, initial_state, mask, training)

    monkeypatch.setattr(keras.layers.LSTM, "inner_loop", inner_loop)
    fresh(monkeypatch, fast_rnn.GUARD)
    before = sum(fast_kernels.TRACES.values())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        keras_layer, layer = same_weights_pair("lstm")
        fast_rnn.enable(layer)
        fast_rnn.enable(same_weights_pair("gru")[1])
        found = layer(X).numpy()
    assert not fast_rnn.is_enabled(layer)
    (note,) = notes(caught)
    assert f"off for Keras {keras_version()}" in note and "LSTM.inner_loop" in note
    np.testing.assert_allclose(found, keras_layer(X).numpy(), atol=1e-6)
    assert sum(fast_kernels.TRACES.values()) == before


def test_a_changed_weight_layout_found_at_use_turns_the_path_off(monkeypatch):
    """Checked when a built layer first runs: an enabled layer then runs Keras' code."""
    keras_layer, layer = same_weights_pair("gru")
    fast_rnn.enable(layer)
    fresh(monkeypatch, fast_rnn.GUARD)
    monkeypatch.setitem(fast_rnn.GATES, "gru", 2)  # a layout the kernels would misread
    before = sum(fast_kernels.TRACES.values())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        found = layer(X).numpy()
        layer(X)
    (note,) = notes(caught)
    assert "GRUCell weights are shaped" in note
    np.testing.assert_allclose(found, keras_layer(X).numpy(), atol=1e-6)
    assert sum(fast_kernels.TRACES.values()) == before


def test_a_changed_trainer_leaves_the_multi_worker_fixes_out(monkeypatch):
    from keras.src.backend.tensorflow import trainer as tf_trainer

    def reduce_per_replica(values, strategy, reduction, axis=0):
        raise AssertionError("not called here")

    monkeypatch.setattr(tf_trainer, "reduce_per_replica", reduce_per_replica)
    monkeypatch.setattr(keras_compat, "_INSTALLED", False)
    fresh(monkeypatch, keras_compat.GUARD)
    build = tf_trainer.TensorFlowTrainer._maybe_symbolic_build
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        keras_compat.install_multi_worker_fixes()
        keras_compat.install_multi_worker_fixes()
    (note,) = notes(caught)
    assert "multi-worker" in note and "reduce_per_replica" in note
    assert tf_trainer.reduce_per_replica is reduce_per_replica
    assert tf_trainer.TensorFlowTrainer._maybe_symbolic_build is build


def backup_fit(directory, epochs):
    dense = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    dense.compile(optimizer="sgd", loss="mse")
    backup = callbacks.AtomicBackupAndRestore(str(directory), delete_checkpoint=False)
    history = dense.fit(np.ones((4, 3)), np.ones((4, 1)), epochs=epochs, verbose=0,
                        callbacks=[backup])
    return backup, len(history.history["loss"])


def test_backups_are_written_whole_by_the_override(tmp_path):
    backup, _ = backup_fit(tmp_path, 2)
    assert not backup.double_checkpoint
    assert sorted(p.name for p in tmp_path.iterdir()) == ["latest.weights.h5",
                                                          "training_metadata.json"]
    assert json.loads((tmp_path / "training_metadata.json").read_text())["epoch"] == 2


def test_a_changed_backup_callback_falls_back_to_double_checkpoint(tmp_path, monkeypatch):
    original = keras.callbacks.BackupAndRestore._save_model

    def save_model(self, *, sync=True):
        return original(self)

    monkeypatch.setattr(keras.callbacks.BackupAndRestore, "_save_model", save_model)
    fresh(monkeypatch, callbacks.GUARD)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        backup, ran = backup_fit(tmp_path, 2)
        _, resumed = backup_fit(tmp_path, 3)
    (note,) = notes(caught)
    assert "BackupAndRestore" in note and backup.double_checkpoint
    assert (tmp_path / "latest.weights.h5.bkp").exists()  # Keras' own save ran
    assert (ran, resumed) == (2, 1)
