"""What a task's tuning hooks build on: the search space and the hold-out.

Each task's ``tuning_space`` hook (``space(p, info, fixed)``) returns its
dimensions: usually its recurrent network (:func:`recurrent`: ``cell``,
``units``, ``layers``, ``bidirectional`` when the task reads both ways,
``dropout``, ``learning_rate``), the ``embedding_dim`` of text tasks
(:func:`embedding`) and its own options, some with their choices taken from
the data. Each dimension is built around the estimator's value, which is also
its first value: the first trial is the estimator as given. Parameters in
``fixed`` are not searched (see :func:`fixed_names`).

Its ``tuning_holdout`` hook returns a :class:`Holdout`: what every trial
trains, validates and is scored on (:func:`labelled` splits input-target
pairs at random); its ``tuning_score`` hook is a string saying what the
task's ``score`` is (higher is better).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rnn_apps.core import registry
from rnn_apps.core.training import holdout_indices
from rnn_apps.errors import DataError, RnnAppsError

NONE = "none"          # KerasTuner choices hold one type: None is written as "none"
CELLS = ("gru", "lstm")
DROPOUTS = (0.0, 0.1, 0.2, 0.3)
LEARNING_RATE_FACTOR = 4.0     # the learning rate is searched from lr / 4 to lr * 4 (log scale)


@dataclass(frozen=True)
class Dimension:
    """One searched parameter: a choice among ``values`` or, with ``low`` and
    ``high``, a log-uniform range. ``default`` is the estimator's value."""

    name: str
    default: object
    values: tuple = ()
    low: float | None = None
    high: float | None = None

    def declare(self, hp) -> None:
        """Register on KerasTuner ``HyperParameters``."""
        if self.values and all(isinstance(v, bool) for v in self.values):
            hp.Boolean(self.name, default=self.default)
        elif self.values:
            encoded = [NONE if v is None else v for v in self.values]
            ordered = all(isinstance(v, (int, float)) and not isinstance(v, bool)
                          for v in encoded)
            hp.Choice(self.name, encoded, ordered=ordered,
                      default=NONE if self.default is None else self.default)
        else:
            hp.Float(self.name, self.low, self.high, sampling="log", default=self.default)

    def decode(self, value):
        if self.values and all(isinstance(v, bool) for v in self.values):
            return bool(value)
        if self.values and value == NONE and None in self.values:
            return None
        if isinstance(value, float) and not self.values:
            return float(f"{value:.4g}")     # a learning rate of 0.0012 reads better in tables
        return value

    def describe(self):
        return list(self.values) if self.values else {"low": self.low, "high": self.high,
                                                      "sampling": "log"}


def choice(name: str, default, others) -> Dimension:
    """``default`` first, then the other values (sorted when numbers), no repeats."""
    rest = [v for v in dict.fromkeys(others) if v != default]
    if rest and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in rest):
        rest = sorted(rest)
    return Dimension(name, default, (default, *rest))


def scaled(value: int, low: int = 1) -> list[int]:
    """Half, the same and double an integer size."""
    return [max(low, value // 2), value, value * 2]


def fixed_names(estimator, fixed) -> set[str]:
    """The parameters kept as they are: ``fixed`` when given (names), else those
    whose value differs from the class default (the user chose them)."""
    params = estimator.get_params()
    if fixed is None:
        defaults = type(estimator)().get_params()
        return {name for name, value in params.items() if value != defaults[name]}
    names = [fixed] if isinstance(fixed, str) else list(fixed)
    unknown = [name for name in names if not isinstance(name, str) or name not in params]
    if unknown:
        raise RnnAppsError(f"fixed names {unknown[0]!r}, not a parameter of "
                           f"{type(estimator).__name__}")
    return set(names)


def recurrent(p: dict, *, both_ways: bool) -> list[Dimension]:
    """The recurrent network's dimensions and the learning rate (``bidirectional``
    only for a task that may read both ways)."""
    dims = [choice("cell", p["cell"], CELLS), choice("units", p["units"], scaled(p["units"])),
            choice("layers", p["layers"], (1, 2))]
    if both_ways:
        dims.append(choice("bidirectional", p["bidirectional"], (False, True)))
    dims.append(choice("dropout", float(p["dropout"]), DROPOUTS))
    rate = float(p["learning_rate"])
    dims.append(Dimension("learning_rate", rate, low=rate / LEARNING_RATE_FACTOR,
                          high=rate * LEARNING_RATE_FACTOR))
    return dims


def embedding(p: dict) -> list[Dimension]:
    """``embedding_dim`` (half, same, double), unless the model has none."""
    size = p.get("embedding_dim")
    return [] if size is None else [choice("embedding_dim", size, scaled(size))]


def build_space(estimator, info: dict, fixed: set[str]) -> list[Dimension]:
    """The dimensions searched for ``estimator`` (its task's ``tuning_space``
    hook; ``info``: what the data says, from its hold-out), without the
    ``fixed`` ones."""
    task_space = registry.hook(estimator, "tuning_space")
    p = {**estimator.get_params(), **info.get("defaults", {})}
    space = [dim for dim in task_space(p, info, fixed) if dim.name not in fixed]
    if not space:
        raise RnnAppsError("nothing to search: every searched parameter is fixed")
    return space


@dataclass
class Holdout:
    """``train``: positional ``fit`` arguments; ``valid``: its ``validation_data``;
    ``score``: the ``score`` arguments. ``params``: settings every trial takes;
    ``info``: what the search space needs from the data; ``what``: a description."""

    train: tuple
    valid: object
    score: tuple
    what: str
    params: dict = field(default_factory=dict)
    info: dict = field(default_factory=dict)

    def for_trial(self, model):
        """``(fit arguments, validation_data, score arguments)`` for one trial."""
        return self.train, self.valid, self.score


def check_pair(validation_data) -> None:
    """One line unless ``validation_data`` is None or an ``(inputs, targets)`` pair."""
    pair = isinstance(validation_data, (tuple, list)) and len(validation_data) == 2
    if validation_data is not None and not pair:
        raise DataError("validation_data must be an (inputs, targets) pair")


def labelled(X, y, validation_data, seed, share, what, stratify=False) -> Holdout:
    """A random split of ``(X, y)`` pairs (or the given validation pairs), a share
    ``share`` held out (stratified by ``y`` when ``stratify``)."""
    if validation_data is not None:
        valid = (list(validation_data[0]), list(validation_data[1]))
        return Holdout((X, y), valid, valid, f"the {len(valid[0])} given validation {what}")
    split = holdout_indices(len(X), share, seed, [str(v) for v in y] if stratify else None)
    if split is None:
        raise DataError(f"{len(X)} examples leave nothing to hold out with valid_split "
                        f"{share:g}; give validation data or more examples")
    train, held = split
    valid = (_pick(X, held), _pick(y, held))
    return Holdout((_pick(X, train), _pick(y, train)), valid, valid,
                   f"{len(held)} held-out {what} ({share:.0%}, random"
                   f"{', stratified' if stratify else ''})")


def _pick(items, index):
    return [items[i] for i in index]
