"""Forecasting: the next ``horizon`` values of one or more series.

Input is an array ``[time]``/``[time, columns]``, a pandas DataFrame or a
table read by :func:`rnn_apps.data.series.read_series_csv`; the ``targets``
are forecast and every other column is a covariate known in the past.
Scaling is fitted on the training part only and lives inside the model, so
``predict``, ``evaluate`` and the SavedModel speak the original units. The
networks themselves are in :mod:`rnn_apps.tasks.forecast.network`.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

import numpy as np

from rnn_apps.core import params as rules
from rnn_apps.core import registry
from rnn_apps.core.task import BaseTask
from rnn_apps.errors import DataError, RnnAppsError
from rnn_apps.preprocessing.series import Series, SeriesScaler, as_series
from rnn_apps.tasks.forecast import choices
from rnn_apps.tasks.forecast.scoring import ForecastScoring
from rnn_apps.tasks.forecast.spec import ForecastSpec


def _is_windows(X) -> bool:
    return not hasattr(X, "columns") and not isinstance(X, Series) and np.ndim(X) == 3


class Forecaster(ForecastScoring, BaseTask):
    """Reads ``lookback`` steps of every column, predicts ``horizon`` steps of ``targets``.

    ``strategy``: ``"direct"`` (all steps at once) or ``"recursive"`` (one
    step of every column, fed back). ``inputs``: the network reads each window
    ``"relative"`` to its last value (suits trends), as ``"level"``s (suits
    series that return to a mean) or ``"both"``. ``deseasonalize``: each window's
    seasonal profile is taken out before the network and put back after
    (``"additive"``, ``"multiplicative"`` or ``"none"``). ``lookback=None``,
    ``season=None`` and ``"auto"`` (the defaults) are chosen on the held-out end
    of the series (:mod:`rnn_apps.tasks.forecast.auto`); ``ensemble=K`` forecasts
    the median of the K best candidates. ``quantiles`` (direct only), e.g.
    ``(0.1, 0.5, 0.9)``, adds a pinball-loss head for prediction intervals.
    ``readout="ridge"`` (``cell="esn"``) solves the output layer in closed form,
    with ``ridge_alpha`` (default: chosen on the validation windows).
    ``pretrained``: start from the network shipped pretrained on generated
    series (:mod:`rnn_apps.tasks.forecast.pretrained`): ``"zero-shot"`` (or
    True) forecasts without training, ``"fine-tune"`` trains it further on
    the series, ``"none"`` (or False) trains a network from scratch, and
    ``"auto"`` (the default) keeps whichever forecasts the held-out end of
    the series best (from scratch only when the pretrained ones lose to
    seasonal naive there). Settings that ask for a network of its own (cell,
    units, covariates, recursive...) train from scratch.
    """

    task_name = "forecast"
    # where the services find this task's pieces (rnn_apps.core.registry.LAYOUT)
    hooks: ClassVar[dict] = registry.package_hooks(cli="forecast", serving_adapter="ForecastAdapter")
    _layer_modules = ("rnn_apps.tasks.forecast.network", "rnn_apps.tasks.forecast.layers",
                      "rnn_apps.tasks.forecast.pretrained.layers",
                      "rnn_apps.tasks.forecast.pretrained.network")
    _parameter_constraints: ClassVar[dict] = {
        **BaseTask._parameter_constraints,
        "lookback": [rules.size(1, "sequence"), None], "horizon": [rules.size(1, "horizon")],
        "targets": [rules.Rule("a column name or number, or a list of them",
                               lambda v: all(isinstance(t, str) or rules.is_integer(t)
                                             for t in ([v] if isinstance(v, (str, int))
                                                       else list(v)))), None],
        "strategy": [rules.one_of(*choices.FORECAST_STRATEGIES)],
        "inputs": [rules.one_of(choices.AUTO, *choices.FORECAST_INPUTS)],
        "deseasonalize": [rules.one_of(choices.AUTO, *choices.DESEASONALIZE)],
        "ensemble": [rules.integer(1, 50)],
        "quantiles": [rules.Rule("a list of levels between 0 and 1", lambda v: all(
            rules.number(0, 1, low_open=True, high_open=True)(q) for q in v)), None],
        "readout": [rules.one_of(*choices.READOUTS)],
        "ridge_alpha": [rules.POSITIVE, None],
        "season": [rules.size(1, "sequence"), None],
        "future_covariates": [rules.Rule("a column name or a list of them", lambda v: all(
            isinstance(c, str) for c in ([v] if isinstance(v, str) else list(v)))), None],
        "calendar": [rules.BOOLEAN],
        "pretrained": [rules.one_of(*choices.PRETRAINED), rules.BOOLEAN],
    }

    def __init__(self, *, cell="gru", units=32, layers=1, bidirectional=False, dropout=0.0,
                 recurrent_dropout=0.0, clipnorm=1.0, clipvalue=None, spectral_radius=0.9,
                 leak_rate=1.0, input_scaling=1.0, embedding_dropout=0.0, weight_drop=0.0,
                 locked_dropout=False, activation_reg=0.0, temporal_reg=0.0, lookback=None, horizon=1, targets=None,
                 strategy="direct", inputs="auto", deseasonalize="auto", ensemble=3,
                 quantiles=None, readout="dense", ridge_alpha=None, season=None,
                 future_covariates=None, calendar=False, pretrained="auto", epochs=20,
                 batch_size=32,
                 learning_rate=1e-3, patience=5,
                 valid_split=0.1, seed=None, verbose=1, distribute="none",
                 mixed_precision=False):
        self._store_params(locals())

    # -- parameters ---------------------------------------------------------
    def _check_settings(self):
        if self.readout == "ridge" and self.cell != "esn":
            raise RnnAppsError("readout='ridge' needs cell='esn' (a fixed reservoir)")
        quantiles = self._quantiles()
        if quantiles and (self.strategy == "recursive" or self.readout == "ridge"):
            raise RnnAppsError("quantiles need strategy='direct' and readout='dense'")

    def _quantiles(self) -> list[float]:
        from rnn_apps.tasks.forecast import network as networks

        return networks.check_quantiles(self.quantiles)

    # -- training -------------------------------------------------------------
    def _fit_search(self, X, y, validation_data, options: dict) -> bool:
        """Settings left automatic are chosen on the held-out end of ``X`` by
        training candidates (:mod:`rnn_apps.tasks.forecast.auto`), when it has
        one; ``y`` is ignored (the targets are columns of ``X``)."""
        from rnn_apps.tasks.forecast import auto as forecast_auto
        from rnn_apps.tasks.forecast.pretrained import fit as pretrained

        mode = pretrained.mode_of(self)
        if mode != "none":
            reason = pretrained.blocker(self, X, validation_data, options)
            if reason is None:
                from rnn_apps.tasks.forecast.pretrained.choose import fit_pretrained

                fit_pretrained(self, X, mode, options)
                return True
            if mode != "auto":
                raise RnnAppsError(f"pretrained={self.pretrained!r} cannot apply: {reason} "
                                   "(use pretrained='none')")
        return forecast_auto.searchable(self, X, validation_data, options) and \
            forecast_auto.fit_search(self, X, options["callbacks"]) is not None

    @classmethod
    def pretrained_weights(cls) -> dict:
        """The pretrained core's weights in use, checksum checked (``rnn-apps info --pretrained``)."""
        from rnn_apps.tasks.forecast.pretrained.core import describe

        return describe()

    @property
    def lookback_(self) -> int:
        """The lookback in use (chosen when ``lookback=None``)."""
        self.check_is_fitted()
        return self.spec_.lookback

    @property
    def choices_(self) -> dict:
        """The automatic choices: season, lookback, inputs, decomposition, the
        ensemble's members and every candidate's validation MASE."""
        self.check_is_fitted()
        keys = ("season", "seasons", "lookback", "inputs", "deseasonalize", "season_scores",
                "members", "search", "pretrained")
        return {key: self.state_[key] for key in keys if key in self.state_}

    def _plan(self, X, y, validation_data, prior):
        """Scaler, windows and networks for the engine (:mod:`.forecast_plan`).
        ``y`` is ignored (the targets are columns of ``X``)."""
        from rnn_apps.tasks.forecast.plan import training_plan

        return training_plan(self, X, validation_data, prior)

    def get_state(self) -> dict:
        return dict(self.state_)

    def set_state(self, state: dict) -> None:
        self.state_ = dict(state)
        self.scaler_ = SeriesScaler.from_state(state["scaler"])
        self.targets_ = list(state["targets"])
        self.season_ = int(state["season"])
        self.quantiles_ = list(state["quantiles"])
        self.columns_ = list(state["columns"])
        # horizon, lookback, columns...: what serving, export and portable read
        self.spec_ = ForecastSpec.from_state(state, horizon=self.horizon, lookback=self.lookback)

    @property
    def target_names_(self) -> list[str]:
        return [self.columns_[t] for t in self.targets_]

    # -- forecasting ----------------------------------------------------------
    def _history_windows(self, X):
        """``(windows [n, lookback, columns], single)`` from ``X`` as in :meth:`predict`."""
        from rnn_apps.tasks.forecast import future as known

        lookback = self.lookback_
        if X is None:
            return np.asarray(self.state_["tail"], dtype=np.float32)[None], True
        if _is_windows(X):
            windows, single = np.asarray(X, dtype=np.float32), False
            if not np.isfinite(windows).all():
                raise DataError("history windows contain NaN or infinite values")
        else:
            values, single = known.values_by_name(self, as_series(X, "history")), True
            if len(values) < lookback:
                raise DataError(f"the history has {len(values)} steps; the model reads "
                                f"lookback = {lookback}")
            windows = values[-lookback:][None]
        expected = (lookback, len(self.columns_))
        if windows.shape[1:] != expected:
            raise DataError(f"history windows must be [n, {expected[0]}, {expected[1]}] "
                            f"(columns: {', '.join(self.columns_)}); got {windows.shape}")
        return windows, single

    def _forecast(self, X, future=None) -> dict:
        from rnn_apps.tasks.forecast import future as known
        from rnn_apps.tasks.forecast import panel as forecast_panel

        self.check_is_fitted()
        panel = forecast_panel.panel_request(self, X)
        if panel is not None:
            times = self.future_times(X) if "future_time" in self._input_names() else None
            return forecast_panel.forecast_each(self, panel, future, times)
        windows, single = self._history_windows(X)
        future = known.check_future(self, future, len(windows))
        seconds = None
        if self.spec_.calendar:
            if not single:
                raise DataError("this model reads calendar features: forecast from a series "
                                "with time stamps, not from windows")
            seconds = known.epoch_seconds(self.future_times(X))[None]
        result = known.forecast_windows(self, windows, future, seconds)
        return {k: v[0] for k, v in result.items()} if single else result

    def _history_input(self):
        inputs = self.model_.input
        return inputs["history"] if isinstance(inputs, dict) else self.model_.inputs[0]

    def _input_names(self) -> list[str]:
        inputs = self.model_.input
        return list(inputs) if isinstance(inputs, dict) else ["history"]

    def predict(self, X=None, future=None) -> np.ndarray:
        """Forecasts in original units.

        ``X=None``: the ``horizon`` steps after the training data; a series
        (``[time, columns]``, at least ``lookback`` steps): the steps after its
        end; either gives ``[horizon, targets]``. Windows ``[n, lookback,
        columns]`` give one forecast each, ``[n, horizon, targets]``. A model
        trained on several series (a panel) forecasts each of them for
        ``X=None`` or a panel: ``{key: [horizon, targets]}``. ``future``: the
        values of the ``future_covariates`` at the forecast steps, ``[horizon,
        covariates]`` (``[n, horizon, covariates]`` for windows, a dict by key
        for a panel); calendar features come from the time stamps by themselves.
        """
        from rnn_apps.tasks.forecast import panel as forecast_panel

        return forecast_panel.pick(self._forecast(X, future), "forecast")

    def predict_quantiles(self, X=None, future=None) -> np.ndarray:
        """Like :meth:`predict` with the quantiles on a last axis (``quantiles_`` order)."""
        from rnn_apps.tasks.forecast import panel as forecast_panel

        if not self.quantiles_:
            raise RnnAppsError("this model was trained without quantiles")
        return forecast_panel.pick(self._forecast(X, future), "quantiles")

    def future_times(self, X=None) -> list[datetime] | None:
        """Time stamps of the steps :meth:`predict` forecasts, when the data had them
        (``{key: stamps}`` for a panel, as :meth:`predict` answers)."""
        from rnn_apps.data.series import future_times, infer_step, time_from_json
        from rnn_apps.preprocessing.panel import as_panel
        from rnn_apps.tasks.forecast import panel as forecast_panel

        panel = as_panel(X, "history") if X is not None else None
        if panel is not None or (X is None and "last_times" in self.state_):
            return forecast_panel.future_times_each(self, panel)
        series = None if X is None or _is_windows(X) else as_series(X, "history")
        if series is not None and series.times:
            return future_times(series.times[-1], infer_step(series.times), self.horizon)
        if X is None and self.state_.get("last_time") is not None \
                and self.state_.get("time_step"):
            return future_times(time_from_json(self.state_["last_time"]),
                                self.state_["time_step"], self.spec_.horizon)
        return None

    # -- serving ----------------------------------------------------------------
    def _sizes(self):
        outputs = self.model_.output
        forecast = outputs["forecast"] if isinstance(outputs, dict) else outputs
        return [("the number of input columns", len(self.state_["columns"]),
                 self._history_input().shape[-1]),
                ("the number of targets", len(self.state_["targets"]), forecast.shape[-1])]

    def _export_archive(self):
        from rnn_apps.tasks.forecast import network as networks

        return networks.export_archive(self.model_, self.scaler_, self.spec_)

    def _serving_defaults(self) -> dict:
        return {"spec": self.spec_.to_dict()}
