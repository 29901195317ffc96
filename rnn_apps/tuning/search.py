"""Hyperparameter search for every task on KerasTuner's oracles.

KerasTuner proposes the values (Bayesian optimisation with a Gaussian
process, or Hyperband's successive halving); :class:`TrialRunner` fits the
task's own estimator with them and scores it on held-out data
(its ``tuning_holdout`` hook). The first trial is the estimator as
given, so the search starts from the defaults and reports them beside the
rest. The search stops after ``trials`` trials, or before a trial that would
not end within ``budget_minutes`` (judged by the mean trial so far); a trial
still running when the budget ends stops at the end of its epoch and is
scored as it is (status ``cut``).
"""

from __future__ import annotations

import math
import tempfile
import time
import warnings

from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning

from rnn_apps.core import params as rules
from rnn_apps.core import registry
from rnn_apps.errors import DataError, RnnAppsError

ALGORITHMS = ("bayesian", "hyperband")
CONSTRAINTS = {
    "trials": [rules.integer(1, 100_000)], "budget_minutes": [rules.POSITIVE, None],
    "algorithm": [rules.one_of(*ALGORITHMS)], "seed": [rules.integer(0, 2**31 - 2), None],
    "verbose": [rules.integer(0, 2)],
}


def import_keras_tuner():
    try:
        import keras_tuner
    except ImportError:
        raise RnnAppsError("hyperparameter search needs keras-tuner: "
                           "pip install 'rnn-apps[tune]'") from None
    return keras_tuner


def _oracle(kt, algorithm, space, max_epochs, trials, seed):
    """A KerasTuner oracle over ``space`` whose first trial is the defaults."""
    hp = kt.HyperParameters()
    for dim in space:
        dim.declare(hp)
    first = dict(hp.values)
    common = {"objective": kt.Objective("score", "max"), "hyperparameters": hp,
              "allow_new_entries": False, "tune_new_entries": False,
              "seed": None if seed is None else seed + 1,     # KerasTuner reads 0 as "none"
              "max_consecutive_failed_trials": trials + 1}    # failures are results here
    if algorithm == "hyperband":
        base = kt.oracles.HyperbandOracle
        # brackets follow one another until ``trials`` (or the budget) stops them
        kwargs = {"max_epochs": max_epochs, "factor": 3, "hyperband_iterations": None}
    else:
        base = kt.oracles.BayesianOptimizationOracle
        kwargs = {"max_trials": trials,
                  "num_initial_points": max(2, min(3 * len(space), trials // 2))}

    class DefaultsFirst(base):
        def populate_space(self, trial_id):
            response = super().populate_space(trial_id)
            if not self.trials and response.get("values"):
                response["values"].update(first)
            return response

    oracle = DefaultsFirst(**common, **kwargs)
    oracle.max_trials = trials
    return oracle


def _tuner(kt, oracle, runner, budget_seconds, started, directory):
    class Tuner(kt.engine.base_tuner.BaseTuner):
        def pre_create_trial(self):
            if budget_seconds is None or not self.oracle.trials:
                return
            if time.monotonic() - started + runner.mean_seconds() > budget_seconds:
                self.oracle.max_trials = len(self.oracle.trials)     # no new trial

        def run_trial(self, trial, *args, **kwargs):
            from rnn_apps.tuning.trials import TrialFailed

            try:
                return {"score": runner.run(trial.hyperparameters.values)}
            except TrialFailed:          # recorded by the runner; the oracle marks NaN failed
                return {"score": float("nan")}
            except DataError as error:
                runner.fatal = error
                raise kt.errors.FatalError(str(error)) from None

    return Tuner(oracle, directory=directory, project_name="search")


class HyperparameterSearch(BaseEstimator):
    """Search an estimator's hyperparameters (scikit-learn style: ``fit`` sets
    ``best_estimator_``, ``best_params_``, ``best_score_`` and ``results_``).

    estimator: any rnn-apps task estimator; its values are the centre of the
    search space (:mod:`rnn_apps.tuning.space`) and its ``epochs`` and
    ``patience`` apply to every trial. trials: the most trials;
    budget_minutes: no trial is started that would end after it (None: no
    limit); algorithm: ``"bayesian"`` (Gaussian-process Bayesian
    optimisation; the first half of the trials random) or ``"hyperband"``
    (many short trials, the best continued longer: it needs many trials).
    fixed: names kept as they are; None keeps the parameters whose value
    differs from the class default. out: a directory to write
    (:func:`rnn_apps.tuning.report.write_tune_dir`). seed: seeds the search,
    the split and every trial's network (unless the estimator has a seed).

    ``best_estimator_`` is the best trial's model, trained on the training
    part and early-stopped on the held-out part (it is not refitted).
    """

    def __init__(self, estimator, *, trials=10, budget_minutes=None, algorithm="bayesian",
                 fixed=None, out=None, seed=None, verbose=1):
        self.estimator, self.trials, self.budget_minutes = estimator, trials, budget_minutes
        self.algorithm, self.fixed, self.out = algorithm, fixed, out
        self.seed, self.verbose = seed, verbose

    def _check(self):
        from rnn_apps.core.task import BaseTask

        if not isinstance(self.estimator, BaseTask):
            raise RnnAppsError(f"estimator must be an rnn-apps task estimator; got "
                               f"{type(self.estimator).__name__}")
        for name, constraint in CONSTRAINTS.items():
            rules.check_value(name, getattr(self, name), constraint)
        for face in ("tuning_space", "tuning_holdout", "tuning_score"):
            registry.hook(self.estimator, face)     # a task without one stops here, one line
        self.estimator._validate_params()
        if self.estimator.distribute == "multiworker":
            raise RnnAppsError("a search runs its trials in one process; distribute="
                               "'multiworker' is not supported (use 'mirrored' or 'none')")

    def fit(self, X, y=None, validation_data=None, print_line=print):
        """Run the search on ``X`` (and ``y``); returns ``self``."""
        from rnn_apps.core.directories import check_target
        from rnn_apps.tuning import holdouts, space, trials

        self._check()
        if self.out is not None:
            check_target(self.out, kind="tune")
        kt = import_keras_tuner()
        held = holdouts.holdout(self.estimator, X, y, validation_data, self.seed)
        searched = space.build_space(self.estimator, held.info,
                                     space.fixed_names(self.estimator, self.fixed))
        started = time.monotonic()
        budget = None if self.budget_minutes is None else 60.0 * self.budget_minutes
        runner = trials.TrialRunner(self.estimator, held, searched, seed=self.seed,
                                    deadline=None if budget is None else started + budget,
                                    verbose=self.verbose, print_line=print_line)
        runner.max_trials, runner.fatal = self.trials, None
        oracle = _oracle(kt, self.algorithm, searched, self.estimator.epochs, self.trials,
                         self.seed)
        with tempfile.TemporaryDirectory(prefix="rnn-apps-tune-") as work, \
                warnings.catch_warnings():
            # the Gaussian process often meets its length-scale bounds on a few points
            warnings.filterwarnings("ignore", category=ConvergenceWarning)
            warnings.filterwarnings("ignore", "All-NaN", RuntimeWarning)   # a failed trial
            tuner = _tuner(kt, oracle, runner, budget, started, work)
            try:
                tuner.search(verbose=0)
            except kt.errors.FatalError:
                raise runner.fatal from None
        if runner.best is None:
            first = runner.rows[0]["message"] if runner.rows else "no trial ran"
            raise RnnAppsError(f"every trial failed ({len(runner.rows)}); the first: {first}")
        self.best_score_, self.best_estimator_, best_row = runner.best
        self.best_trial_ = best_row["trial"]
        self.best_params_ = {dim.name: best_row[dim.name] for dim in searched}
        self.results_ = runner.rows
        self.space_ = {dim.name: dim.describe() for dim in searched}
        self.scoring_ = registry.hook(self.estimator, "tuning_score")
        self.validation_ = held.what
        self.seconds_ = round(time.monotonic() - started, 1)
        self.notes_ = list(runner.notes)
        if self.out is not None:
            from rnn_apps.tuning.report import write_tune_dir

            write_tune_dir(self, self.out)
        return self

    def top(self, k: int = 5) -> list[dict]:
        """The ``k`` best scored trials, best first."""
        scored = [row for row in self.results_ if row["score"] is not None
                  and math.isfinite(row["score"])]
        return sorted(scored, key=lambda row: (-row["score"], row["trial"]))[:k]


def tune(estimator, X, y=None, validation_data=None, *, trials=10, budget_minutes=None,
         algorithm="bayesian", out=None, seed=None, fixed=None, verbose=1):
    """Search ``estimator``'s hyperparameters on ``X`` (and ``y``) and return the
    best fitted estimator; its ``tuning_`` attribute is the fitted
    :class:`HyperparameterSearch` (``results_``, ``best_params_``,
    ``best_score_``, ``top()``). See :class:`HyperparameterSearch`."""
    search = HyperparameterSearch(estimator, trials=trials, budget_minutes=budget_minutes,
                                  algorithm=algorithm, fixed=fixed, out=out, seed=seed,
                                  verbose=verbose)
    search.fit(X, y, validation_data)
    best = search.best_estimator_
    best.tuning_ = search
    return best
