"""The forecaster's evaluation and inspection methods (a mixin of
:class:`~rnn_apps.tasks.forecast.estimator.Forecaster`): metrics beside the simple
baselines, rolling-origin backtests, recurrent activations."""

from __future__ import annotations

from rnn_apps.preprocessing.series import as_series
from rnn_apps.tasks.forecast.metrics import evaluate_series


class ForecastScoring:
    """``evaluate``, ``score``, ``backtest`` and ``hidden_states``."""

    def hidden_states(self, X=None) -> list[dict]:
        """Recurrent activations per history window (``X`` as in :meth:`predict`) of
        the best ensemble member: ``{"tokens": ["t-23", ..., "t0"], "layers":
        [[lookback, units] per layer]}``."""
        import keras

        from rnn_apps.core.recurrent import recurrent_probe
        from rnn_apps.tasks.forecast import network as networks

        self.check_is_fitted()
        windows, _ = self._history_windows(X)
        member = networks.member_networks(self.model_)[0]
        history = member.input["history"] if isinstance(member.input, dict) \
            else member.inputs[0]
        lookback = history.shape[1]
        windows = windows[:, windows.shape[1] - lookback:]
        inputs = keras.Input(shape=windows.shape[1:])
        window = inputs
        for name in ("window_scale", "seasonal_split"):      # as the member reads it
            if name in [layer.name for layer in member.layers]:
                layer = member.get_layer(name)
                window = type(layer).from_config(layer.get_config())(window)[0]
        read = self.state_.get("inputs", self.inputs)
        if self.state_.get("members"):
            read = self.state_["members"][0]["inputs"]
        probe = recurrent_probe(inputs, networks.network_inputs(window, read),
                                self.config_,
                                networks.recurrent_network(member))
        outputs = probe.predict(self.scaler_.transform(windows), verbose=0, batch_size=256)
        outputs = outputs if isinstance(outputs, list) else [outputs]
        labels = [f"t{k}" for k in range(1 - lookback, 1)]
        return [{"tokens": labels, "layers": [out[row] for out in outputs]}
                for row in range(len(windows))]

    def evaluate(self, X, y=None) -> dict:
        """Metrics over every ``lookback`` + ``horizon`` window of ``X`` (a series
        that follows or includes the training data), with the naive, seasonal
        naive (``baseline_mase``) and drift forecasts beside the model, and
        ``coverage`` of the outer quantiles when trained with them, and per
        central interval its ``coverage_<nominal %>`` and ``width_<nominal %>``
        (data units). For a panel:
        the mean over its series, and each series' metrics under ``series``."""
        from rnn_apps.preprocessing.panel import as_panel
        from rnn_apps.tasks.forecast import panel as forecast_panel

        self.check_is_fitted()
        panel = as_panel(X)
        if panel is not None:
            return forecast_panel.evaluate_each(self, panel)
        known = None if "scales" in self.state_ else self.state_.get("scale")  # global: own
        return evaluate_series(self, as_series(X), known)

    def score(self, X, y=None) -> float:
        """Minus the mean absolute scaled error (higher is better, for
        scikit-learn search; ``y`` is ignored: the targets are columns of ``X``)."""
        return -self.evaluate(X)["mase"]

    def backtest(self, X, origins: int = 5, step: int | None = None, refit: bool = True,
                 window: str = "expanding", refit_every: int = 1) -> dict:
        """Rolling-origin evaluation.

        For each of ``origins`` origins, ``step`` steps apart (default: the
        horizon), ending so the last forecast covers the end of ``X``: train a
        fresh copy of this model (``refit``; otherwise use this fitted model)
        on the data before the origin, all of it (``window="expanding"``) or as
        many steps as the first origin had (``"sliding"``), and forecast
        ``horizon`` steps. ``refit_every=N`` trains at every N-th origin only;
        the origins between forecast from their own history with the last
        model trained. Returns ``{"origins": [metrics per origin], "mean":
        {...}, "season", "window", "refit_every"}``.
        """
        from rnn_apps.preprocessing.panel import as_panel
        from rnn_apps.tasks.forecast.backtest import backtest, backtest_panel

        if not refit:
            self.check_is_fitted()
        panel = as_panel(X)
        run = backtest if panel is None else backtest_panel
        return run(self, panel or as_series(X), origins=origins, step=step or self.horizon,
                   refit=refit, window=window, refit_every=refit_every)
