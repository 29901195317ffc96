"""The forecaster's tuning hooks: its search space (``lookback``, ``inputs`` and
``deseasonalize``, with their choices taken from the series), its score
(minus MASE) and its hold-out: the end of each series, in time order, never
a random split.

The cut is made once (``valid_split`` of each series, at least one
horizon). A trial with lookback L trains on the steps before the cut and is
early-stopped and scored (minus MASE) on the series from L steps before the
cut to its end, i.e. on every forecast whose first step is at or after the
cut: the same forecasts for every lookback. The season is found once on the
training part and every trial uses it, so all trials share the MASE scale.
Each trial is one network (``ensemble=1``): the search replaces the
forecaster's own candidate search.
"""

from __future__ import annotations

from rnn_apps.errors import DataError
from rnn_apps.tasks.forecast.choices import AUTO, DESEASONALIZE
from rnn_apps.tuning.space import Holdout, choice, recurrent

LOOKBACK_SEASONS = (1, 2, 3, 4)         # candidate lookbacks: multiples of the season
LOOKBACKS_WITHOUT_SEASON = (6, 12, 24, 48)
SCORE = "minus MASE"


def space(p, info, fixed):
    """``info``: the lookbacks to try and ``decomposes(mode, lookback)``, from
    :func:`series_holdout`."""
    lookbacks = [p["lookback"]] if "lookback" in fixed else info["lookbacks"]
    modes = [m for m in DESEASONALIZE if info["decomposes"](m, min(lookbacks))]
    return [*recurrent(p, both_ways=True), choice("lookback", p["lookback"], lookbacks),
            choice("inputs", p["inputs"], ("relative", "level")),
            choice("deseasonalize", p["deseasonalize"], modes)]


def holdout(estimator, X, y, validation_data, seed, share):
    """The series hold-out (``y``, ``seed`` and ``share`` unused: the cut is
    ``valid_split`` of each series, at least one horizon, never random)."""
    return series_holdout(estimator, X, validation_data)


class SeriesHoldout(Holdout):
    """Cuts each series at ``starts[k]``; the validation part depends on the lookback."""

    def __init__(self, series_list, starts, keys, id_column, **kwargs):
        super().__init__(train=(), valid=None, score=(), **kwargs)
        self.series_list, self.starts = series_list, starts
        self.keys, self.id_column = keys, id_column

    def _pack(self, parts):
        if self.keys is None:
            return parts[0]
        from rnn_apps.preprocessing.panel import SeriesPanel

        return SeriesPanel(dict(zip(self.keys, parts)), self.id_column)

    def for_trial(self, model):
        lookback = int(model.lookback)
        if self.given is not None:
            return (self._pack(self.series_list),), self.given, (self.given,)
        if any(start < lookback + model.horizon for start in self.starts):
            raise DataError(f"lookback {lookback} + horizon {model.horizon} is longer than "
                            f"the training part of the series ({min(self.starts)} steps)")
        train = self._pack([s.part(0, start) for s, start in zip(self.series_list,
                                                                  self.starts)])
        held = self._pack([s.part(start - lookback, len(s.values))
                           for s, start in zip(self.series_list, self.starts)])
        return (train,), held, (held,)


def lookback_choices(season: int, n_train: int, horizon: int, default: int,
                     given: bool) -> list[int]:
    """The default lookback first, then those that leave the forecaster's
    minimum of training windows: half and double a ``given`` lookback, else
    multiples of the season (fixed sizes without one)."""
    from rnn_apps.tasks.forecast.settings import MIN_WINDOWS

    limit = n_train - horizon - MIN_WINDOWS + 1
    if given:
        base = [max(1, default // 2), default * 2]
    elif season >= 2:
        base = [k * season for k in LOOKBACK_SEASONS[:2 if season >= 100 else 4]]
    else:
        base = list(LOOKBACKS_WITHOUT_SEASON)
    return [default, *(b for b in base if b <= limit and b != default)]


def series_holdout(estimator, X, validation_data) -> SeriesHoldout:
    from rnn_apps.data.series import infer_step
    from rnn_apps.preprocessing.panel import as_panel
    from rnn_apps.preprocessing.series import as_series
    from rnn_apps.tasks.forecast.auto import holdout_size
    from rnn_apps.tasks.forecast.layers import can_decompose
    from rnn_apps.tasks.forecast.settings import resolve_targets, static_settings, typical_length

    panel = as_panel(X)
    series_list = list(panel.series.values()) if panel else [as_series(X)]
    first = series_list[0]
    targets = resolve_targets(estimator.targets, first.columns)
    fit_targets = list(range(len(first.columns))) if estimator.strategy == "recursive" \
        else targets
    if validation_data is None:
        starts = [len(s.values) - holdout_size(estimator, len(s.values)) for s in series_list]
        what = f"the last {len(first.values) - starts[0]} steps of the series (time-ordered)"
        if panel:
            held = sum(len(s.values) - start for s, start in zip(series_list, starts))
            what = (f"the last {estimator.valid_split:.0%} of each of {len(series_list)} "
                    f"series ({held} steps, time-ordered)")
    else:
        starts = [len(s.values) for s in series_list]
        what = "the given validation series"
    trains = [s.values[:start] for s, start in zip(series_list, starts)]
    if min(len(t) for t in trains) < estimator.horizon + 2:
        raise DataError(f"the series is too short to hold out its last "
                        f"{len(first.values) - starts[0]} steps and still train")
    one = (lambda parts: parts if panel else parts[0])
    step = infer_step(first.times) if first.times and len(first.times) > 1 else None
    settings = static_settings(estimator, one(trains), targets, fit_targets, step,
                               whole=one([s.values for s in series_list]))
    season, lookback = settings["season"], settings["lookback"]
    lookbacks = lookback_choices(season, typical_length(trains), estimator.horizon, lookback,
                                 given=estimator.lookback is not None)
    defaults = {"lookback": lookback, "inputs": settings["inputs"],
                "deseasonalize": settings["deseasonalize"]}

    def decomposes(mode, shortest):
        return mode == "none" or (estimator.readout == "dense" and can_decompose(
            one(trains), fit_targets, season, shortest, mode))

    info = {"lookbacks": lookbacks, "decomposes": decomposes, "season": season,
            "defaults": defaults}
    params = {"season": season, "ensemble": 1}
    # settings left automatic take the forecaster's own choice unless searched
    params.update({k: v for k, v in defaults.items()
                   if getattr(estimator, k) in (None, AUTO)})
    holdout = SeriesHoldout(series_list, starts, panel.keys() if panel else None,
                            panel.id_column if panel else None, what=what, params=params,
                            info=info)
    holdout.given = validation_data
    return holdout
