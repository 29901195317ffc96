"""The one training path every task goes through.

A task turns its data into a :class:`TrainingPlan`: how to build its network
and its training input as an unbatched ``tf.data.Dataset``. This module does
the rest, once: strategy scope, optimizer, compile, the per-epoch input
pipeline (seeded shuffle, batches of ``batch_size`` per replica, sharding
across workers), callbacks (early stopping with best-weight restore, a
non-finite loss stop, the CSV log, backups, TensorBoard, the user's own),
``fit`` and the history.
"""

from __future__ import annotations

import math
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from rnn_apps.core import choices, distribute, training
from rnn_apps.core.runs import RunOptions
from rnn_apps.errors import RnnAppsError, first_line

PRECISIONS = choices.PRECISIONS


class TrainingError(RnnAppsError):
    """Training could not produce a usable model (a diverged loss, say)."""


@dataclass
class TrainingPlan:
    """What a task hands to :func:`train`.

    build: ``() -> (model, trainer)``, called under the strategy scope; the
        task keeps ``model``, the engine compiles and fits ``trainer`` (often
        the same network).
    train / valid: ``(inputs, targets[, sample weights])``: a structure of
        in-memory arrays (``size`` rows), or an unbatched ``tf.data.Dataset``
        of such elements, read lazily (a stream).
    batch: ``(dataset, global_batch) -> batched dataset`` (default
        ``dataset.batch``); ``shuffle=False`` keeps stream order (and ``batch``
        may then be the identity for elements that are batches already).
    callbacks: the task's own, run before the shared ones (they may add
        ``val_loss`` to the logs, as textgen's streamed validation does).
    separate_trainer: the trainer holds its own copy of the model's weights
        (same order): a warm start loads into it, and the trained weights are
        copied to the model at the end.
    solve: ``trainer -> history`` instead of gradient training (closed-form
        readouts); ``finish``: ``(model, trainer) -> None`` after training.
    optimizer: ``() -> optimizer`` instead of the shared Adam (a fine-tuning
        schedule, say), called under the strategy scope.
    average: average the weights of this many epochs of lowest validation
        loss when there are 2 or more and validation data; the average is kept
        only if its validation loss is not worse (:mod:`rnn_apps.core.averaging`;
        what was decided is ``task.averaging_``).
    """

    build: Callable[[], tuple]
    train: Any
    size: int | None = None
    valid: Any = None
    loss: Any = None
    metrics: list | None = None
    jit_compile: Any = "auto"
    batch: Callable | None = None
    shuffle: bool = True
    callbacks: list = field(default_factory=list)
    has_validation: bool | None = None
    single_device: str | None = None
    separate_trainer: bool = False
    solve: Callable | None = None
    finish: Callable | None = None
    optimizer: Callable | None = None
    average: int = 0
    errors: list = field(default_factory=list)  # Python errors met by streamed inputs


def progress_verbosity(verbose) -> int:
    """Keras verbosity: a progress bar at a terminal, a line per epoch otherwise."""
    if not verbose:
        return 0
    if verbose == 1 and not sys.stdout.isatty():
        return 2
    return int(verbose)


def precision_policy(setting) -> tuple[str, str | None]:
    """``(Keras dtype policy, note)`` for a ``mixed_precision`` setting.

    ``True`` means mixed_float16 where a GPU runs it fast; on a CPU it trains
    in float32 and says so. A policy name is used as given.
    """
    if not setting:
        return "float32", None
    if setting in PRECISIONS:
        return setting, None
    import tensorflow as tf

    if tf.config.list_physical_devices("GPU"):
        return "mixed_float16", None
    return "float32", ("mixed precision does not speed up this CPU; training in float32 "
                       "(pass mixed_precision='mixed_bfloat16' to force it)")


def training_callbacks(*, has_validation: bool, patience: int | None, directory=None):
    """Early stopping on the validation loss, restoring the best weights (its
    state kept in ``directory`` when there is one, so a resumed run goes on)."""
    if not has_validation or patience is None:
        return []
    from rnn_apps.core.callbacks import ResumableEarlyStopping

    return [ResumableEarlyStopping(directory, monitor="val_loss", patience=patience,
                                   restore_best_weights=True, verbose=0)]


def _callbacks(task, plan: TrainingPlan, run: RunOptions, clock) -> list:
    from rnn_apps.core.callbacks import LearningRateLog, StopOnNonFinite

    has_validation = plan.valid is not None if plan.has_validation is None \
        else plan.has_validation
    callbacks = [clock.callback, *plan.callbacks, LearningRateLog(), StopOnNonFinite()]
    callbacks += training_callbacks(has_validation=has_validation, patience=task.patience,
                                    directory=run.backup_directory())
    callbacks += run.callbacks_for(task)
    return callbacks


def _history(task, run: RunOptions, fallback: dict) -> dict:
    history = training.read_history_csv(run.log_path)
    history = history or training.clean_history(fallback)
    losses = history.get("loss", [])
    if losses and not all(math.isfinite(v) for v in losses):
        epoch = next(i for i, v in enumerate(losses, 1) if not math.isfinite(v))
        raise TrainingError(
            f"training stopped at epoch {epoch}: the loss became {losses[epoch - 1]} "
            f"(learning_rate {task.learning_rate:g} may be too high); no model was kept")
    return history


def load_warm_weights(model, source) -> None:
    try:
        model.set_weights(source.get_weights())
    except ValueError as error:
        raise RnnAppsError(f"the warm-start model's network does not match this one "
                           f"(same cell, units, layers and sizes needed): "
                           f"{first_line(error)}") from None


def train(task, plan: TrainingPlan, run: RunOptions):
    """Build, compile and fit ``plan`` for ``task``; returns the model the task keeps.

    Sets ``task.history_``. The strategy is the task's ``distribute`` setting;
    ``batch_size`` is per replica.
    """
    import keras

    from rnn_apps.core.recurrent import make_optimizer

    strategy = distribute.strategy_for(task.distribute)
    if plan.single_device and task.distribute != "none":
        raise RnnAppsError(plan.single_device)
    training.set_seed(task.seed)
    policy, note = precision_policy(task.mixed_precision)
    if note:
        training.note(note)
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(policy)
    try:
        with strategy.scope():
            model, trainer = plan.build()
            if plan.solve is None:
                optimizer = plan.optimizer() if plan.optimizer is not None else \
                    make_optimizer(task.config_, task.learning_rate)
                trainer.compile(optimizer=optimizer,
                                loss=plan.loss, metrics=plan.metrics,
                                jit_compile=plan.jit_compile)
    finally:
        keras.config.set_dtype_policy(previous)
    if run.warm is not None:
        load_warm_weights(trainer if plan.separate_trainer else model, run.warm.model_)
    if plan.solve is not None:
        task.history_ = training.clean_history(plan.solve(trainer))
    else:
        from rnn_apps.core.callbacks import EpochClock
        from rnn_apps.core.pipeline import input_pipeline

        clock = EpochClock()
        seed = task.data_seed()  # every worker of a cluster must shuffle alike
        seed = int(np.random.randint(2**31 - 1)) if seed is None else seed
        replicas = strategy.num_replicas_in_sync
        train_data, valid_data = input_pipeline(plan, task.batch_size * replicas, clock, seed,
                                                run.steps_per_epoch)
        fingerprint = None if run.checkpoint_dir is None else \
            training.data_fingerprint(plan.train, plan.valid)
        snapshots = None
        if plan.average > 1 and valid_data is not None:
            from rnn_apps.core.averaging import WeightSnapshots

            snapshots = WeightSnapshots(plan.average)
        with run.session(task, fingerprint), warnings.catch_warnings():
            # streamed epochs end when the data does, which Keras reports as running out
            warnings.filterwarnings("ignore", message="Your input ran out of data")
            try:
                history = trainer.fit(train_data, validation_data=valid_data,
                                      epochs=task.epochs, shuffle=False,
                                      steps_per_epoch=run.steps_per_epoch,
                                      callbacks=_callbacks(task, plan, run, clock)
                                      + ([snapshots] if snapshots else []),
                                      verbose=progress_verbosity(task.verbose))
            except Exception:
                if plan.errors:  # a bad record met while streaming: report it as itself
                    raise plan.errors[0] from None
                raise
            try:
                task.history_ = _history(task, run, history.history)
            except TrainingError:
                run.finished()  # a diverged run's backup is not worth resuming
                raise
        task.averaging_ = snapshots.apply(trainer, valid_data) if snapshots else None
    if plan.separate_trainer:
        model.set_weights(trainer.get_weights())
    if plan.finish is not None:
        plan.finish(model, trainer)
    return model
