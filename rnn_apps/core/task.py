"""BaseTask: the scikit-learn style life cycle every task shares.

``__init__`` only stores keyword arguments; ``fit`` builds, trains and sets the
fitted attributes (ending in ``_``); ``save``/``load`` use the directory format
of :mod:`rnn_apps.core.saving`; ``export`` writes a TensorFlow SavedModel.
Subclasses provide ``task_name`` and the hooks ``_get_state``,
``_set_state`` and ``_export_archive``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import ClassVar

from sklearn.base import BaseEstimator

from rnn_apps.core import saving, training
from rnn_apps.core.config import RecurrentConfig
from rnn_apps.errors import NotFittedError

MODEL_FILE = "model.keras"
HISTORY_FILE = "history.csv"
CURVES_FILE = "learning_curves.png"


class BaseTask(BaseEstimator):
    task_name: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.task_name:
            saving.register_task(cls.task_name, cls)

    def _store_params(self, values: dict) -> None:
        """Store each constructor argument unchanged (call as ``self._store_params(locals())``).

        scikit-learn reads parameters from the ``__init__`` signature, so every
        task lists them explicitly; this only saves repeating the assignments.
        """
        for name in self._get_param_names():
            setattr(self, name, values[name])

    # -- fitted state -----------------------------------------------------
    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, "model_")

    def _check_is_fitted(self) -> None:
        if not self.__sklearn_is_fitted__():
            raise NotFittedError(
                f"this {type(self).__name__} is not fitted yet; call fit() or load a model first"
            )

    def _recurrent_config(self) -> RecurrentConfig:
        return RecurrentConfig.from_params(self)

    def _check_training_params(self) -> None:
        training.check_training_params(
            epochs=self.epochs, batch_size=self.batch_size, learning_rate=self.learning_rate,
            patience=self.patience, valid_split=self.valid_split)

    def _train_keras(self, model, x, y, validation=None, class_weight=None,
                     sample_weight=None, callbacks=()) -> None:
        """``model.fit`` with the shared callbacks (and ``callbacks``); keeps the
        history in ``history_``."""
        callbacks = [*training.training_callbacks(
            has_validation=validation is not None, patience=self.patience), *callbacks]
        # a tf.data.Dataset comes batched and shuffled already
        batching = {"shuffle": False} if hasattr(x, "element_spec") else {
            "batch_size": self.batch_size, "shuffle": True}
        history = model.fit(
            x, y, validation_data=validation, epochs=self.epochs, **batching,
            class_weight=class_weight, sample_weight=sample_weight,
            callbacks=callbacks, verbose=self.verbose)
        self.history_ = training.clean_history(history.history)

    # -- hooks for subclasses --------------------------------------------
    def _get_state(self) -> dict:
        """JSON-serialisable fitted state besides the Keras model."""
        raise NotImplementedError

    def _set_state(self, state: dict) -> None:
        raise NotImplementedError

    def _export_archive(self):
        """A ``keras.export.ExportArchive`` with a ``serving_default`` endpoint."""
        raise NotImplementedError

    # -- persistence ------------------------------------------------------
    def save(self, path) -> Path:
        """Write the model directory (atomically: complete or not at all)."""
        self._check_is_fitted()
        with saving.atomic_directory(path) as tmp:
            self.model_.save(tmp / MODEL_FILE)
            history = getattr(self, "history_", {})
            if history:
                training.write_history_csv(history, tmp / HISTORY_FILE)
                from rnn_apps.viz.curves import plot_learning_curves

                plot_learning_curves(history, tmp / CURVES_FILE,
                                     title=f"{self.task_name}: learning curves")
            saving.write_metadata(tmp, self.task_name, self.get_params(), self._get_state())
        return Path(path)

    @classmethod
    def load(cls, path):
        """Restore a model saved by :meth:`save` (Keras safe mode, no pickle)."""
        import keras

        metadata = saving.read_metadata(path, expected_task=cls.task_name)
        directory = Path(path)
        estimator = cls(**metadata["params"])
        estimator._set_state(metadata["state"])
        try:
            estimator.model_ = keras.saving.load_model(directory / MODEL_FILE, safe_mode=True)
        except (OSError, ValueError) as error:
            first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
            raise saving.ModelDirError(
                f"{directory / MODEL_FILE} cannot be loaded: {first_line}") from None
        estimator.history_ = training.read_history_csv(directory / HISTORY_FILE)
        return estimator

    def export(self, path) -> Path:
        """Write a TensorFlow SavedModel that runs the whole pipeline."""
        self._check_is_fitted()
        archive = self._export_archive()
        with saving.atomic_directory(path, kind="export") as tmp:
            archive.write_out(str(tmp), verbose=False)
            marker = {"task": self.task_name, "signature": "serving_default"}
            (tmp / saving.EXPORT_MARKER).write_text(json.dumps(marker), encoding="utf-8")
        return Path(path)
