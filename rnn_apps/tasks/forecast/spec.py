"""What a fitted forecaster reads and writes, in one frozen record.

Built once from the fitted state (:attr:`Forecaster.spec_
<rnn_apps.tasks.forecast.estimator.Forecaster.spec_>`); the SavedModel
export, the portable cores and their description read it, and it travels in
the SavedModel's marker (``serving.spec``) to the serving adapter, so none of
them works the horizon or the lookback out again from the state or the
network.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class ForecastSpec:
    """lookback: history steps the network reads; horizon: steps it forecasts;
    columns: every input column, by name, in the training order; targets: the
    forecast columns (indices into ``columns``); future_columns: covariates
    whose values at the forecast steps are inputs (indices); calendar: the
    calendar features computed from the forecast steps' times; quantiles: the
    levels of the interval head (empty: none); season: the season in steps."""

    lookback: int
    horizon: int
    columns: tuple[str, ...]
    targets: tuple[int, ...]
    future_columns: tuple[int, ...] = ()
    calendar: tuple[str, ...] = ()
    quantiles: tuple[float, ...] = ()
    season: int = 1

    @classmethod
    def from_state(cls, state: dict, *, horizon: int, lookback: int | None = None):
        """From a forecaster's fitted state and its ``horizon`` (``lookback``: the
        parameter, for a state that does not hold the lookback in use)."""
        return cls(lookback=int(state.get("lookback") or lookback),
                   horizon=int(horizon),
                   columns=tuple(str(c) for c in state["columns"]),
                   targets=tuple(int(t) for t in state["targets"]),
                   future_columns=tuple(int(c) for c in state.get("future_columns", [])),
                   calendar=tuple(state.get("calendar", [])),
                   quantiles=tuple(float(q) for q in state["quantiles"]),
                   season=int(state["season"]))

    @classmethod
    def from_dict(cls, values: dict):
        """The inverse of :meth:`to_dict` (a SavedModel marker's ``serving.spec``)."""
        return cls(**{key: tuple(value) if isinstance(value, list) else value
                      for key, value in values.items()})

    def to_dict(self) -> dict:
        """JSON-ready (lists for the tuples)."""
        return {key: list(value) if isinstance(value, tuple) else value
                for key, value in asdict(self).items()}

    @property
    def target_names(self) -> list[str]:
        return [self.columns[t] for t in self.targets]
