"""One training run's side files: checkpoint directory, live log, backups, resume.

A checkpoint directory holds::

    run.json       task, parameters and fitted preprocessing of the run
    history.csv    one row per finished epoch (Keras CSVLogger), kept by a crash
    backup/        weights, optimizer and epoch (Keras BackupAndRestore)
    worker-*/      the same for the non-chief workers of a multi-worker run

``resume=True`` continues from ``backup/`` with the run's own vocabularies
and scalers, and with the seed of its data decisions (which rows are held
out, how each epoch is shuffled), drawn once and recorded in ``run.json``;
it refuses parameters that differ from the interrupted run's (other than
``RESUME_FREE``). Writing the model directory removes the checkpoint
directory.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

from rnn_apps.core import distribute, training
from rnn_apps.errors import RnnAppsError

RUN_FILE = "run.json"
LOG_FILE = "history.csv"
BACKUP = "backup"
# parameters a resumed run may change: how long it goes on and what it prints
RESUME_FREE = ("epochs", "patience", "verbose")


def backup_epoch(directory) -> int | None:
    """Epochs finished by the backup in ``directory`` (None: no backup)."""
    path = Path(directory) / BACKUP / "training_metadata.json"
    try:
        return int(json.loads(path.read_text(encoding="utf-8"))["epoch"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _as_json(value):
    return json.loads(json.dumps(value, default=str))


def check_same_params(directory, recorded: dict, current: dict) -> None:
    """Refuse to resume the run in ``directory`` with parameters (units, cell,
    layers, validation share, ...) other than those it was started with."""
    current = _as_json(current)
    changed = [name for name in sorted(set(recorded) | set(current))
               if name not in RESUME_FREE and recorded.get(name) != current.get(name)]
    if changed:
        what = ", ".join(f"{name} {recorded.get(name)!r} -> {current.get(name)!r}"
                         for name in changed)
        raise RnnAppsError(f"cannot resume {directory}: the interrupted run was started with "
                           f"other settings ({what}); resume with the same settings (only "
                           f"{', '.join(RESUME_FREE)} may change), or remove it to start over")


def interrupted_line(checkpoint_dir, epochs: int) -> str:
    """What to tell a user whose training run was interrupted (Ctrl-C)."""
    done = backup_epoch(checkpoint_dir) if checkpoint_dir is not None else None
    if done is None:
        return ("interrupted before the first epoch finished; nothing was written "
                "(run the same command to start over)")
    return (f"interrupted after epoch {done} of {epochs}; run the same command with --resume "
            f"to continue from epoch {done + 1} (the backup is in {checkpoint_dir})")


class RunOptions:
    """Options of one ``fit`` call that are not model parameters.

    callbacks: extra Keras callbacks. checkpoint_dir: where backups and the
    live log go (None: no backups; the log goes to a temporary directory).
    resume: continue the backup in ``checkpoint_dir``. tensorboard: a log
    directory for TensorBoard. warm_start: a fitted model (or its directory)
    whose preprocessing and weights this run starts from. steps_per_epoch:
    batches per epoch, the data read pass after pass (for data too large for
    whole epochs); None: one pass over the data per epoch.
    """

    def __init__(self, *, callbacks=None, checkpoint_dir=None, resume=False, tensorboard=None,
                 warm_start=None, steps_per_epoch=None):
        self.callbacks = list(callbacks or [])
        self.checkpoint_dir = Path(checkpoint_dir) if checkpoint_dir else None
        self.resume = bool(resume)
        self.tensorboard = tensorboard
        self.warm_start = warm_start
        self.steps_per_epoch = steps_per_epoch
        self.warm = None
        self.prior_state = None
        self.data_seed = None  # seed of the held-out rows and the shuffles (see prepare)
        self._recorded_data = None  # fingerprint of the resumed run's training data
        self.log_path: Path | None = None
        self._own_dir: Path | None = None

    # -- before the data is prepared --------------------------------------
    def prepare(self, task) -> None:
        """Check the checkpoint directory; find the state a resume or warm start keeps."""
        import keras

        steps = self.steps_per_epoch
        if steps is not None and not (isinstance(steps, int) and not isinstance(steps, bool)
                                      and steps > 0):
            raise RnnAppsError(f"steps_per_epoch must be a positive integer or None; "
                               f"got {steps!r}")
        for callback in self.callbacks:
            if not isinstance(callback, keras.callbacks.Callback):
                raise RnnAppsError(f"callbacks must be Keras callbacks; got "
                                   f"{type(callback).__name__}")
        if self.resume and self.checkpoint_dir is None:
            raise RnnAppsError("resume needs the checkpoint directory of the interrupted run")
        if self.warm_start is not None:
            self.warm = self._load_warm(task)
            self.prior_state = self.warm.get_state()
        self.data_seed = task.data_seed()  # the user's seed (or a cluster's shared one)
        if self.data_seed is None:  # drawn once; a resume reads it back from run.json
            import numpy as np

            self.data_seed = int(np.random.randint(2**31 - 1))
        if self.checkpoint_dir is None:
            return
        directory = self.checkpoint_dir
        if directory.exists() and not directory.is_dir():
            raise RnnAppsError(f"checkpoint directory {directory} exists and is not a directory")
        own = self._own_directory(task)  # a non-chief worker keeps its part apart
        epoch = backup_epoch(own)
        if self.resume:
            if epoch is None or not (own / RUN_FILE).is_file():
                raise RnnAppsError(f"{own} holds no backup of an interrupted run to resume")
            run = json.loads((own / RUN_FILE).read_text(encoding="utf-8"))
            if run.get("task") != task.task_name:
                raise RnnAppsError(f"{own} is a backup of a {run.get('task')!r} run, "
                                   f"not {task.task_name!r}")
            check_same_params(own, run.get("params", {}), task.saved_params())
            if run.get("data_seed") is None:
                raise RnnAppsError(f"{own} does not record how its validation rows were "
                                   "drawn (an older rnn-apps wrote it), so a resumed run "
                                   "could validate on rows it trained on; remove it and "
                                   "start over")
            self.prior_state, self.data_seed = run["state"], int(run["data_seed"])
            self._recorded_data = run.get("data")
        elif epoch is not None:
            raise RnnAppsError(f"{own} holds a backup of an interrupted run ({epoch} "
                               "epochs done); resume it, or remove it to start over")
        elif directory.exists() and any(p.name not in (RUN_FILE, LOG_FILE, BACKUP)
                                        and not p.name.startswith("worker-")
                                        for p in directory.iterdir()):
            raise RnnAppsError(f"checkpoint directory {directory} holds other files; "
                               "choose an empty or new directory")

    def _load_warm(self, task):
        warm = self.warm_start
        if isinstance(warm, (str, os.PathLike)):  # a model directory; else a fitted estimator
            warm = type(task).load(warm)
        if type(warm) is not type(task):
            raise RnnAppsError(f"warm_start must be a {type(task).__name__} (fitted, or its "
                               f"model directory); got {type(warm).__name__}")
        warm.check_is_fitted()
        return warm

    # -- while training -----------------------------------------------------
    def _own_directory(self, task) -> Path | None:
        """This process' part of the checkpoint directory (chief: the directory)."""
        if self.checkpoint_dir is None:
            return None
        if distribute.is_chief(task.distribute):
            return self.checkpoint_dir
        return self.checkpoint_dir / f"worker-{distribute.worker_label(task.distribute)}"

    @contextmanager
    def session(self, task, fingerprint: str | None = None):
        """Set up the log and run files for ``fit``; remove temporary ones after.
        ``fingerprint``: of the training and held-out data (None for streams),
        recorded, and checked by a resume."""
        own = self._own_directory(task)
        if self.resume and None not in (fingerprint, self._recorded_data) \
                and fingerprint != self._recorded_data:
            raise RnnAppsError(f"cannot resume {own}: the training data differ from the "
                               "interrupted run's; resume with the same data, or remove it "
                               "to start over")
        temporary = None
        if own is None:
            temporary = Path(tempfile.mkdtemp(prefix="rnn-apps-run-"))
            own = temporary
        own.mkdir(parents=True, exist_ok=True)
        self._own_dir, self.log_path = own, own / LOG_FILE
        if self.resume:
            training.truncate_log(self.log_path, backup_epoch(own) or 0)
        else:
            self.log_path.unlink(missing_ok=True)
            run = {"task": task.task_name, "params": task.saved_params(),
                   "state": task.get_state(), "data_seed": self.data_seed,
                   "data": fingerprint}
            partial = own / (RUN_FILE + ".partial")
            partial.write_text(json.dumps(run, default=str), encoding="utf-8")
            os.replace(partial, own / RUN_FILE)
        try:
            yield
        except KeyboardInterrupt:
            if temporary is None and backup_epoch(own) is None:
                self.finished()  # no epoch finished: nothing worth resuming is left
            raise
        finally:
            if temporary is not None:
                shutil.rmtree(temporary, ignore_errors=True)
                self.log_path = None

    def backup_directory(self) -> str | None:
        """Where this process' backups go (None without a checkpoint directory)."""
        if self.checkpoint_dir is None or self._own_dir is None:
            return None
        return str(self._own_dir / BACKUP)

    def callbacks_for(self, task) -> list:
        """Shared callbacks that write files: the CSV log, backups, TensorBoard, then
        the user's own."""
        import keras

        callbacks = [keras.callbacks.CSVLogger(str(self.log_path), append=True)]
        if self.checkpoint_dir is not None:
            from rnn_apps.core.callbacks import AtomicBackupAndRestore

            callbacks.append(AtomicBackupAndRestore(self.backup_directory(),
                                                    delete_checkpoint=False))
        if self.tensorboard and distribute.is_chief(task.distribute):
            try:
                import tensorboard  # noqa: F401 - TensorFlow's summaries need it
            except ImportError:
                raise RnnAppsError("TensorBoard logs need the tensorboard package: pip "
                                   "install 'rnn-apps[tensorboard]'") from None
            callbacks.append(keras.callbacks.TensorBoard(str(self.tensorboard),
                                                         write_graph=False))
        return [*callbacks, *self.callbacks]

    # -- after the model directory is written ---------------------------------
    def finished(self) -> None:
        """Drop this process' part of the checkpoint directory, and the directory
        once it is empty (the model directory now holds the result)."""
        own = self._own_dir if self.checkpoint_dir is not None else None
        if own is None or not own.exists():
            return
        if own == self.checkpoint_dir:
            for path in own.iterdir():
                if path.name in (RUN_FILE, LOG_FILE, BACKUP):
                    shutil.rmtree(path) if path.is_dir() else path.unlink()
        else:
            shutil.rmtree(own, ignore_errors=True)
        try:
            self.checkpoint_dir.rmdir()
        except OSError:  # another worker's part is still there; it removes it
            pass
