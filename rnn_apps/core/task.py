"""BaseTask: the scikit-learn style life cycle every task shares.

``__init__`` only stores keyword arguments; ``fit`` builds, trains and sets the
fitted attributes (ending in ``_``); ``save``/``load`` use the directory format
of :mod:`rnn_apps.core.saving`; ``export`` writes a TensorFlow SavedModel.
Subclasses provide ``task_name``, ``hooks`` and the methods ``get_state``,
``set_state``, ``_plan`` and ``_export_archive``.

The public methods besides scikit-learn's are the interface between a task and
the rest of the package (core's run and save code, the task's own data plans,
the services): ``get_state``/``set_state`` (the fitted state as JSON-ready
data, as the preprocessing objects' ``get_state``), ``check_is_fitted``,
``check_finite_weights``, ``data_seed`` and, where a task has it,
``figure_units``; ``loaded_from_`` is the directory a loaded model came from.
Names with a leading underscore are used only inside the class and its
subclasses.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import ClassVar

from sklearn.base import BaseEstimator

from rnn_apps.core import fast_rnn, model_files, params, registry, saving, training
from rnn_apps.core.config import RecurrentConfig
from rnn_apps.errors import NotFittedError, RnnAppsError, first_line

MODEL_FILE = "model.keras"
HISTORY_FILE = "history.csv"
CURVES_FILE = "learning_curves.png"


class BaseTask(BaseEstimator):
    task_name: ClassVar[str] = ""
    # modules defining the custom Keras layers this task's networks may hold (besides
    # core's, saving.CORE_LAYER_MODULES); imported by load() before reading a model
    _layer_modules: ClassVar[tuple[str, ...]] = ()
    # one list of rules per parameter (see rnn_apps.core.params); subclasses add theirs.
    # Its names are exactly the __init__ parameters
    _parameter_constraints: ClassVar[dict] = {**params.RECURRENT, **params.TRAINING}
    # where the services find this task's pieces: every name of registry.HOOKS,
    # as "module:attribute" (".x" is relative to the task's package) or None
    hooks: ClassVar[dict] = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.task_name:
            registry.register(cls)

    def _store_params(self, values: dict) -> None:
        """Store each constructor argument unchanged (call as ``self._store_params(locals())``).

        scikit-learn reads parameters from the ``__init__`` signature, so every
        task lists them explicitly; this only saves repeating the assignments.
        """
        for name in self._get_param_names():
            setattr(self, name, values[name])

    def saved_params(self) -> dict:
        """The parameters as a model directory keeps them: a model given as a
        parameter (a language model to start from) is named by its directory,
        or said to have been fitted in memory."""
        def named(value):
            if isinstance(value, (list, tuple)) and any(hasattr(v, "get_params") for v in value):
                return [named(v) for v in value]
            if not hasattr(value, "get_params"):
                return value
            source = getattr(value, "loaded_from_", None)
            return str(source) if source else f"a {type(value).__name__} fitted in memory"

        return {name: named(value) for name, value in self.get_params(deep=False).items()}

    # -- fitted state -----------------------------------------------------
    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, "model_")

    def check_is_fitted(self) -> None:
        """A one-line :class:`NotFittedError` unless the task is fitted or loaded."""
        if not self.__sklearn_is_fitted__():
            raise NotFittedError(
                f"this {type(self).__name__} is not fitted yet; call fit() or load a model first"
            )

    def _validate_params(self) -> None:
        """The one check of the parameters: each against the class's
        ``_parameter_constraints`` (and the recurrent settings together), then
        the task's own rules joining several (:meth:`_check_settings`)."""
        params.check_params(self)
        self._check_settings()

    def _check_settings(self) -> None:
        """One-line errors for this task's parameters that cannot go together
        (none by default); called by :meth:`_validate_params`."""

    def data_seed(self):
        """Seed of data decisions (validation split, shuffles): ``seed`` when set;
        else, inside ``fit``, the one drawn for the run and recorded in its
        checkpoint (a resumed run reuses it). Every worker of a cluster must make
        the same decisions, so a multi-worker run without a seed uses 0."""
        if self.seed is not None:
            return self.seed
        if getattr(self, "_run_seed", None) is not None:
            return self._run_seed
        return 0 if self.distribute == "multiworker" else None

    # -- training -----------------------------------------------------------
    def fit(self, X, y=None, validation_data=None, *, callbacks=None, checkpoint_dir=None,
            resume=False, tensorboard=None, warm_start=None, steps_per_epoch=None,
            data_files=None):
        """Train on ``X`` (and ``y``); returns ``self``.

        callbacks: extra Keras callbacks. checkpoint_dir: keep a backup after
        every epoch (and the live ``history.csv``) there; ``resume=True``
        continues the interrupted run backed up in it. tensorboard: a log
        directory for TensorBoard. warm_start: a fitted model of this task
        (or its directory) to fine-tune: its vocabulary, labels, scaler and
        weights are the starting point. steps_per_epoch: batches per epoch,
        reading the data pass after pass (for data too large for whole epochs).
        ``X`` may also be a lazy record stream from a reader (``stream=True``),
        read in bounded memory. data_files: the files ``X`` (and the
        validation data) came from, paths or ``(path, role)`` pairs; their
        names, sizes and SHA-256 are recorded in the model directory.
        """
        from rnn_apps.core import distribute, engine, provenance
        from rnn_apps.core.runs import RunOptions

        self._validate_params()
        # the network's settings, from the parameters just checked (not checked again)
        self.config_ = RecurrentConfig.from_params(self, checked=True)
        options = {"callbacks": callbacks, "checkpoint_dir": checkpoint_dir, "resume": resume,
                   "tensorboard": tensorboard, "warm_start": warm_start,
                   "steps_per_epoch": steps_per_epoch}
        if self._fit_search(X, y, validation_data, options):
            self._run = None  # no run of its own whose files save() would remove
            provenance.record(self, X, data_files)
            return self
        distribute.strategy_for(self.distribute)  # a cluster starts before other TF work
        run = RunOptions(**options)
        self._run_seed = None
        run.prepare(self)
        self._run_seed = run.data_seed
        try:
            plan = self._plan(X, y, validation_data, run.prior_state)
            self.model_ = engine.train(self, plan, run)
        finally:
            self._run_seed = None
        self._run = run
        provenance.record(self, X, data_files)
        return self

    def _fit_search(self, X, y, validation_data, options: dict) -> bool:
        """Fit another way than one training run, when the task has one for these
        data and run ``options`` (the forecaster searches its automatic settings
        by training candidates); True when it fitted ``self``, False (the default)
        to go on with the one training run. Called after the parameters are checked."""
        return False

    def _plan(self, X, y, validation_data, prior):
        """Check the data, fit (or take ``prior``) preprocessing state and return an
        :class:`rnn_apps.core.engine.TrainingPlan`."""
        raise NotImplementedError

    # -- hooks for subclasses --------------------------------------------
    def get_state(self) -> dict:
        """JSON-serialisable fitted state besides the Keras model (what ``save``
        writes, and what a warm start or a resumed run starts from)."""
        raise NotImplementedError

    def set_state(self, state: dict) -> None:
        """Set the fitted attributes from a :meth:`get_state` dict (``load``, warm
        starts, and the task's data plans when they have fitted the preprocessing)."""
        raise NotImplementedError

    def _export_archive(self):
        """A ``keras.export.ExportArchive`` with a ``serving_default`` endpoint."""
        raise NotImplementedError

    def _serving_defaults(self) -> dict:
        """Defaults of the SavedModel's extra endpoints that are not parameters
        (written beside the SavedModel for servers)."""
        return {}

    def _sizes(self) -> list[tuple[str, int, int]]:
        """``(what, size from the fitted state, size in the network)`` pairs that
        must agree for a loaded model (checked by :meth:`load`)."""
        return []

    # -- persistence ------------------------------------------------------
    def save(self, path) -> Path:
        """Write the model directory (atomically: complete or not at all).

        In a multi-worker run only the chief writes ``path``; the other workers
        write to a throw-away directory, as TensorFlow's guide prescribes.
        """
        from rnn_apps.core import distribute

        self.check_is_fitted()
        self.check_finite_weights()
        if distribute.is_chief(self.distribute):
            self._write(path)
        else:
            scratch = Path(tempfile.mkdtemp(prefix="rnn-apps-worker-"))
            try:
                self._write(scratch / "model")
            finally:
                shutil.rmtree(scratch, ignore_errors=True)
        run = getattr(self, "_run", None)
        if run is not None:
            run.finished()
            self._run = None
        return Path(path)

    def check_finite_weights(self) -> None:
        """A model holding NaN or infinite weights is never written."""
        import numpy as np

        from rnn_apps.core.engine import TrainingError

        if not all(np.isfinite(w).all() for w in self.model_.get_weights()):
            raise TrainingError("the model holds NaN or infinite weights (training diverged?); "
                                "it was not saved")

    def _write(self, path) -> None:
        from rnn_apps.core import provenance

        with saving.atomic_directory(path) as tmp:
            self.model_.save(tmp / MODEL_FILE)
            history = getattr(self, "history_", {})
            if history:
                training.write_history_csv(history, tmp / HISTORY_FILE)
                from rnn_apps.core.curves import plot_learning_curves

                plot_learning_curves(history, tmp / CURVES_FILE,
                                     title=f"{self.task_name}: learning curves")
            saving.write_metadata(tmp, self.task_name, self.saved_params(), self.get_state(),
                                  provenance.for_saving(self))

    @classmethod
    def load(cls, path):
        """Restore a model saved by :meth:`save` (Keras safe mode, no pickle). A
        missing, unreadable or other-task directory is refused before Keras loads."""
        metadata = saving.read_metadata(path, expected_task=cls.task_name)
        directory = Path(path)
        where = directory / saving.METADATA_FILE
        try:
            estimator = cls(**metadata["params"])
            estimator._validate_params()
            estimator.config_ = RecurrentConfig.from_params(estimator, checked=True)
        except (TypeError, RnnAppsError) as error:
            raise saving.ModelDirError(f"{where}: bad parameters ({first_line(error)})") from None
        try:
            estimator.set_state(metadata["state"])
        except (KeyError, TypeError, ValueError, IndexError, AttributeError) as error:
            raise saving.ModelDirError(f"{where}: the fitted state is malformed "
                                       f"({type(error).__name__}: {first_line(error)})") from None
        model_files.check_subword_models(metadata, where)
        model_files.check_keras_file(directory / MODEL_FILE)  # regular, no bomb, sane depth
        import keras

        saving.import_layer_modules(cls._layer_modules)  # registers every custom layer
        try:
            estimator.model_ = fast_rnn.enable(
                keras.saving.load_model(directory / MODEL_FILE, safe_mode=True))
        except (OSError, ValueError, TypeError, RecursionError) as error:
            raise saving.ModelDirError(
                f"{directory / MODEL_FILE} cannot be loaded: {first_line(error)}") from None
        for what, expected, found in estimator._sizes():
            if expected != found:
                raise saving.ModelDirError(f"{where} does not fit its model: {what} is "
                                           f"{expected} in the metadata, {found} in the network")
        estimator.history_ = model_files.read_history(directory / HISTORY_FILE)
        if "provenance" in metadata:
            estimator.provenance_ = metadata["provenance"]
        estimator.loaded_from_ = directory
        return estimator

    def export(self, path) -> Path:
        """Write a TensorFlow SavedModel that runs the whole pipeline."""
        self.check_is_fitted()
        self.check_finite_weights()
        source = getattr(self, "loaded_from_", None)
        saving.check_target(path, kind="export", source=source)
        archive = self._export_archive()
        with saving.atomic_directory(path, kind="export", source=source) as tmp:
            archive.write_out(str(tmp), verbose=False)
            from rnn_apps.core import provenance

            marker = {"task": self.task_name, "signature": "serving_default",
                      "params": self.saved_params(),
                      "provenance": provenance.for_saving(self),
                      "serving": self._serving_defaults()}
            (tmp / saving.EXPORT_MARKER).write_text(json.dumps(marker, default=str),
                                                     encoding="utf-8")
        return Path(path)
