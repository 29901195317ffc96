"""Keras callbacks of the training engine (imported only when a model trains)."""

from __future__ import annotations

import json
import os

import keras
import numpy as np
import tensorflow as tf

from rnn_apps.core.keras_guard import Guard, attribute_problem, calls_problem, signature_problem


class LearningRateLog(keras.callbacks.Callback):
    """Adds the optimizer's learning rate to each epoch's logs (CSV, TensorBoard)."""

    def on_epoch_end(self, epoch, logs=None):
        optimizer = getattr(self.model, "optimizer", None)
        if logs is not None and optimizer is not None:
            logs["learning_rate"] = float(keras.ops.convert_to_numpy(optimizer.learning_rate))


class ResetStates(keras.callbacks.Callback):
    """Zero the carried state of stateful recurrent layers as each epoch starts
    (truncated BPTT: every epoch reads the streams from their beginning), and
    every ``every`` batches when the streams restart in blocks."""

    def __init__(self, every: int | None = None):
        super().__init__()
        self.every = every

    def on_epoch_begin(self, epoch, logs=None):
        from rnn_apps.core.training import reset_recurrent_states

        reset_recurrent_states(self.model)

    def on_train_batch_begin(self, batch, logs=None):
        if self.every and batch and batch % self.every == 0:
            from rnn_apps.core.training import reset_recurrent_states

            reset_recurrent_states(self.model)


class LogValue(keras.callbacks.Callback):
    """Adds ``name: compute(model)`` to each epoch's logs, for a score Keras' own
    loop does not compute (textgen's streamed validation loss). Runs before the
    shared callbacks, so early stopping, the CSV log and TensorBoard see it."""

    def __init__(self, name, compute):
        super().__init__()
        self.name, self.compute = name, compute

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs[self.name] = float(self.compute(self.model))


class StopOnNonFinite(keras.callbacks.Callback):
    """Stops training after an epoch whose loss is NaN or infinite (the engine
    then reports it and keeps no model). It looks once per epoch, not per batch
    as Keras' ``TerminateOnNaN`` does, so Keras keeps dispatching steps
    asynchronously."""

    def on_epoch_end(self, epoch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not np.isfinite(loss):
            self.model.stop_training = True


def _backup_problems():
    """The private parts of ``BackupAndRestore`` the override writes through."""
    keras_class = keras.callbacks.BackupAndRestore
    sample = keras_class(backup_dir="backup")  # sets paths only, touches no file
    return [signature_problem(keras_class, "_save_model", "(self)"),
            calls_problem(keras_class, "on_epoch_end", "_save_model"),
            attribute_problem(sample, "backup_dir", "_weights_path", "_training_metadata_path",
                              "_current_epoch", "_last_batch_seen"),
            None if sample._weights_path.endswith(".weights.h5")
            else f"BackupAndRestore writes {sample._weights_path}, not *.weights.h5"]


GUARD = Guard("the atomic BackupAndRestore save", _backup_problems)


class AtomicBackupAndRestore(keras.callbacks.BackupAndRestore):
    """``BackupAndRestore`` that writes each backup whole: a kill while it
    writes leaves the previous backup, never a torn one. It saves at epoch ends
    only, so its per-batch hook reads nothing and steps stay asynchronous.

    Keras' public ``double_checkpoint=True`` does not cover this: it rewrites the
    weights and ``training_metadata.json`` in place after copying them to
    ``*.bkp``, and falls back to the copies only when the weights raise an
    ``OSError``; a kill while the metadata is written leaves a torn JSON file on
    which the resumed run fails (``JSONDecodeError``). So ``_save_model``, a
    private method, is still overridden: to a temporary file, then
    ``os.replace``. A guard checks its shape first; where this Keras differs,
    Keras' own save runs with ``double_checkpoint=True`` (and one note).
    """

    async_safe = True

    def __init__(self, backup_dir, **kwargs):
        if not GUARD.ok():
            kwargs.setdefault("double_checkpoint", True)
        super().__init__(backup_dir, **kwargs)

    def _save_model(self):
        if not GUARD.ok():
            return super()._save_model()
        os.makedirs(self.backup_dir, exist_ok=True)
        weights = self._weights_path.replace(".weights.h5", ".partial.weights.h5")
        self.model.save_weights(weights, overwrite=True)
        meta = self._training_metadata_path + ".partial"
        with open(meta, "w", encoding="utf-8") as handle:
            json.dump({"epoch": self._current_epoch, "batch": self._last_batch_seen}, handle)
        os.replace(weights, self._weights_path)
        os.replace(meta, self._training_metadata_path)
        return None


class ResumableEarlyStopping(keras.callbacks.EarlyStopping):
    """``EarlyStopping`` (best weights restored at the end) whose state survives a
    kill: with a ``directory``, the best score, its epoch, the wait and the best
    weights are written after every epoch and read back when a run resumes."""

    def __init__(self, directory=None, **kwargs):
        super().__init__(**kwargs)
        self.directory = directory

    def _paths(self):
        return (os.path.join(self.directory, "early_stopping.json"),
                os.path.join(self.directory, "best.weights.npz"))

    def on_train_begin(self, logs=None):
        super().on_train_begin(logs)
        if self.directory is None:
            return
        state_path, weights_path = self._paths()
        if os.path.exists(state_path):
            with open(state_path, encoding="utf-8") as handle:
                state = json.load(handle)
            self.best, self.best_epoch, self.wait = state["best"], state["best_epoch"], \
                state["wait"]
            if os.path.exists(weights_path):
                with np.load(weights_path, allow_pickle=False) as saved:
                    self.best_weights = [saved[f"w{i}"] for i in range(len(saved.files))]

    def on_epoch_end(self, epoch, logs=None):
        before = self.best_weights
        super().on_epoch_end(epoch, logs)
        if self.directory is None:
            return
        os.makedirs(self.directory, exist_ok=True)
        state_path, weights_path = self._paths()
        if self.best_weights is not None and self.best_weights is not before:
            partial = weights_path.replace(".npz", ".partial.npz")
            np.savez(partial, **{f"w{i}": w for i, w in enumerate(self.best_weights)})
            os.replace(partial, weights_path)
        with open(state_path + ".partial", "w", encoding="utf-8") as handle:
            json.dump({"best": float(self.best), "best_epoch": int(self.best_epoch),
                       "wait": int(self.wait)}, handle)
        os.replace(state_path + ".partial", state_path)


class EpochClock:
    """The epoch Keras is in, read by the input pipeline when an epoch starts.

    Each epoch's shuffle is seeded by ``(seed, epoch)``, so a run resumed at
    epoch k sees the same batches as an uninterrupted one.
    """

    def __init__(self):
        clock = self

        class Tick(keras.callbacks.Callback):
            def on_epoch_begin(self, epoch, logs=None):
                clock.epoch = epoch

        self.epoch = 0
        self.callback = Tick()

    def dataset(self):
        return tf.data.Dataset.from_generator(
            lambda: iter([self.epoch]), output_signature=tf.TensorSpec([], tf.int64))
