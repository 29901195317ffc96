"""The training plan of :class:`~rnn_apps.tasks.forecast.estimator.Forecaster`: the
windows (in memory, :mod:`.forecast_data`, or streamed, :mod:`.forecast_stream`),
the network builder, the ridge readout and the interval calibration the engine
runs (:class:`rnn_apps.core.engine.TrainingPlan`)."""

from __future__ import annotations

from rnn_apps.data.series import SeriesStream
from rnn_apps.errors import DataError, RnnAppsError
from rnn_apps.preprocessing.series import as_series
from rnn_apps.tasks.forecast.settings import resolve_targets


def training_plan(task, X, validation_data, prior):
    """Scaler, windows and networks of ``task`` for the engine; ``prior``: the
    state of a warm-start model (or None)."""
    from rnn_apps.core.engine import TrainingPlan
    from rnn_apps.preprocessing.panel import as_panel
    from rnn_apps.tasks.forecast import network as networks

    panel = None if isinstance(X, SeriesStream) else as_panel(X)
    if isinstance(X, SeriesStream):
        columns, n_columns = X.columns, len(X.columns)
    else:
        series = panel or as_series(X)
        columns = series.columns
        n_columns = len(columns)
    config, targets = task.config_, resolve_targets(task.targets, columns)
    if panel is not None and task.readout == "ridge":
        raise RnnAppsError("readout='ridge' solves one series' windows; a global model "
                           "over several series needs readout='dense'")
    if prior and prior["columns"] != columns:
        raise DataError(f"the warm-start model reads columns {', '.join(prior['columns'])}; "
                        f"the data has {', '.join(columns)}")
    quantiles = networks.check_quantiles(task.quantiles)
    recursive = task.strategy == "recursive"
    fit_targets = list(range(n_columns)) if recursive else targets
    fit_horizon = 1 if recursive else task.horizon
    if isinstance(X, SeriesStream):
        from rnn_apps.tasks.forecast.stream import stream_data

        x, validation, errors, state = stream_data(task, X, validation_data, prior, targets,
                                                   fit_targets, fit_horizon)
        task.set_state(state)
        size = None
    else:
        from rnn_apps.tasks.forecast.data import in_memory_windows

        x, y_fit, validation, size, errors = (*in_memory_windows(
            task, series, validation_data, prior, targets, fit_targets, fit_horizon), [])

    def build():
        return networks.build_network(
            config, lookback=task.state_["lookback"], n_columns=n_columns,
            horizon=task.horizon, targets=targets, strategy=task.strategy,
            quantiles=quantiles, inputs_mode=task.state_["inputs"],
            decomposition=task.state_.get("decomposition"),
            name=getattr(task, "network_name", "forecaster"),  # auto names members
            window_scaling=task.state_.get("scaling") == "window",
            future_columns=task.state_.get("future_columns", []),
            calendar=task.state_.get("calendar", []))

    if task.readout == "ridge":
        def solve(trainer):
            history, alpha = networks.fit_ridge_readout(trainer, x, y_fit, fit_targets,
                                                        task.ridge_alpha, validation)
            task.state_["ridge_alpha"] = alpha
            return history

        return TrainingPlan(build=build, train=None, solve=solve)
    both = (lambda x, y: (x, {"forecast": y, "quantiles": y})) if quantiles else None
    held = validation

    def finish(model, trainer):     # intervals calibrated on the held-out windows
        from rnn_apps.tasks.forecast.intervals import calibrate_trainer

        task.state_["calibration"] = calibrate_trainer(model, trainer, held, quantiles)
        if task.state_["calibration"] is None:
            from rnn_apps.core.training import note

            note("the prediction intervals are not calibrated: no held-out windows "
                 "(valid_split is 0 or the series too short); their coverage is untested")

    finish = finish if quantiles else None
    if size is None:  # streamed windows
        if both:
            x, validation = x.map(both), validation and validation.map(both)
        return TrainingPlan(build=build, train=x, valid=validation, errors=errors,
                            loss=networks.trainer_loss(quantiles), finish=finish)
    if both:
        y_fit, validation = both(None, y_fit)[1], validation and both(*validation)
    return TrainingPlan(build=build, train=(x, y_fit), size=size, valid=validation,
                        loss=networks.trainer_loss(quantiles), finish=finish)
