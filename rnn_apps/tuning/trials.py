"""One trial: clone the estimator, set the trial's parameters, fit, score.

The estimators own their training loops (vocabularies, windows, early
stopping), so a trial is ``clone(estimator).set_params(...).fit(...)``
followed by ``score`` on the held-out part, not KerasTuner's
``build_model(hp)``. A trial that raises or scores NaN is recorded as
failed and the search goes on.
"""

from __future__ import annotations

import math
import time
import warnings

from rnn_apps.errors import DataError, Note, RnnAppsError, first_line


class TrialFailed(RnnAppsError):
    """A trial could not produce a score."""


def deadline_callback(deadline: float | None):
    """A Keras callback that stops training at the end of the epoch during
    which ``deadline`` (``time.monotonic()``) passes; ``.cut`` says it did."""
    import keras

    class Deadline(keras.callbacks.Callback):
        cut = False

        def on_epoch_end(self, epoch, logs=None):
            if deadline is not None and time.monotonic() > deadline:
                self.model.stop_training = True
                Deadline.cut = True

    return Deadline()


class TrialRunner:
    """Runs trials for one search and keeps their rows and the best model."""

    def __init__(self, estimator, holdout, space, *, seed=None, deadline=None, verbose=1,
                 print_line=print):
        self.estimator, self.holdout, self.space = estimator, holdout, space
        self.seed, self.deadline, self.verbose = seed, deadline, verbose
        self.print_line = print_line
        self.rows: list[dict] = []
        self.best = None            # (score, fitted estimator, row)
        self.notes: dict[str, None] = {}
        self.max_trials = None

    def params_for(self, values: dict) -> dict:
        """The estimator parameters of a trial (KerasTuner ``values``)."""
        params = {**self.holdout.params, "verbose": 0}
        params.update({dim.name: dim.decode(values[dim.name]) for dim in self.space
                       if dim.name in values})
        if "tuner/epochs" in values:                       # Hyperband's epochs for this round
            params["epochs"] = int(values["tuner/epochs"])
        if self.seed is not None and self.estimator.seed is None:
            params["seed"] = self.seed
        return params

    def run(self, values: dict) -> float:
        """Fit and score one trial; raises :class:`TrialFailed` when it fails."""
        from sklearn.base import clone

        from rnn_apps.core.training import quiet_retracing

        params = self.params_for(values)
        row = {"trial": len(self.rows) + 1, "status": "ok", "score": None, "epochs": None,
               "max_epochs": params.get("epochs", self.estimator.epochs), "seconds": None,
               **{dim.name: params.get(dim.name) for dim in self.space}, "message": ""}
        self.rows.append(row)
        started = time.monotonic()
        stopper = deadline_callback(self.deadline)
        try:
            model = clone(self.estimator).set_params(**params)
            fit_args, valid, score_args = self.holdout.for_trial(model)
            with quiet_retracing(), warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", Note)
                model.fit(*fit_args, validation_data=valid, callbacks=[stopper])
                score = float(model.score(*score_args))
            self.notes.update((str(w.message), None) for w in caught
                              if issubclass(w.category, Note))
            if not math.isfinite(score):
                raise TrialFailed(f"the score is {score}")
        except Exception as error:      # a failed trial is a result, not the end of the search
            row.update(status="failed", seconds=round(time.monotonic() - started, 2),
                       message=f"{type(error).__name__}: {first_line(error)}"[:300])
            self._echo(row)
            if isinstance(error, DataError) and row["trial"] == 1:
                raise                       # the data itself is unusable: stop here
            raise TrialFailed(row["message"]) from None
        row.update(score=score, epochs=len(model.history_.get("loss", [])) or None,
                   seconds=round(time.monotonic() - started, 2),
                   status="cut" if stopper.cut else "ok")
        if stopper.cut:
            row["message"] = "training stopped at the end of the budget"
        if self.best is None or score > self.best[0]:
            self.best = (score, model, row)
        self._echo(row)
        return score

    def _echo(self, row) -> None:
        if not self.verbose:
            return
        total = f"/{self.max_trials}" if self.max_trials else ""
        shown = " ".join(f"{dim.name}={_short(row[dim.name])}" for dim in self.space)
        if row["status"] == "failed":
            self.print_line(f"trial {row['trial']}{total}: failed after {row['seconds']:.1f} s "
                            f"({row['message']}); {shown}")
            return
        epochs = f"{row['epochs']} epoch{'' if row['epochs'] == 1 else 's'}"
        self.print_line(f"trial {row['trial']}{total}: score {row['score']:.4f} ({epochs}, "
                        f"{row['seconds']:.1f} s"
                        f"{', cut by the budget' if row['status'] == 'cut' else ''}); {shown}")

    def mean_seconds(self) -> float:
        done = [row["seconds"] for row in self.rows if row["seconds"] is not None]
        return sum(done) / len(done) if done else 0.0


def _short(value) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)
