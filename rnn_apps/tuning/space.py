"""The search space: a neighbourhood of the estimator's own settings.

Every task searches its recurrent network (``cell``, ``units``, ``layers``,
``bidirectional`` where the task reads both ways, ``dropout``), the
``learning_rate``, the ``embedding_dim`` of text tasks and its own options
(sentiment ``pooling``; tagging ``crf`` and ``word_dropout``; seq2seq
``attention``; textgen ``bptt``; forecast ``lookback``, ``inputs`` and
``deseasonalize``, with their choices taken from the data). Each dimension is
built around the estimator's value, which is also its first value: the
first trial is the estimator as given.

Parameters in ``fixed`` are not searched (see :func:`fixed_names`).
"""

from __future__ import annotations

from dataclasses import dataclass

from rnn_apps.errors import RnnAppsError

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


def _recurrent(p: dict, *, both_ways: bool) -> list[Dimension]:
    dims = [choice("cell", p["cell"], CELLS), choice("units", p["units"], scaled(p["units"])),
            choice("layers", p["layers"], (1, 2))]
    if both_ways:
        dims.append(choice("bidirectional", p["bidirectional"], (False, True)))
    dims.append(choice("dropout", float(p["dropout"]), DROPOUTS))
    rate = float(p["learning_rate"])
    dims.append(Dimension("learning_rate", rate, low=rate / LEARNING_RATE_FACTOR,
                          high=rate * LEARNING_RATE_FACTOR))
    return dims


def _embedding(p: dict) -> list[Dimension]:
    size = p.get("embedding_dim")
    return [] if size is None else [choice("embedding_dim", size, scaled(size))]


def _sentiment(p, info, fixed):
    return [*_embedding(p), choice("pooling", p["pooling"], ("last", "mean", "max"))]


def _tagging(p, info, fixed):
    if info.get("frames"):          # numeric frames: no words to embed
        return [choice("crf", p["crf"], (False, True))]
    return [*_embedding(p), choice("word_dropout", p["word_dropout"], (0.0, 0.1, 0.2)),
            choice("crf", p["crf"], (False, True))]


def _seq2seq(p, info, fixed):
    return [*_embedding(p),
            choice("attention", p["attention"], ("multiplicative", "additive", None))]


def _textgen(p, info, fixed):
    return [*_embedding(p), choice("bptt", p["bptt"], scaled(p["bptt"], low=2))]


def _forecast(p, info, fixed):
    lookbacks = [p["lookback"]] if "lookback" in fixed else info["lookbacks"]
    modes = [m for m in ("none", "additive", "multiplicative")
             if info["decomposes"](m, min(lookbacks))]
    return [choice("lookback", p["lookback"], lookbacks),
            choice("inputs", p["inputs"], ("relative", "level")),
            choice("deseasonalize", p["deseasonalize"], modes)]


TASK_SPACES = {"sentiment": _sentiment, "tagging": _tagging, "seq2seq": _seq2seq,
               "textgen": _textgen, "forecast": _forecast}
BOTH_WAYS = {"sentiment", "tagging", "seq2seq", "forecast"}   # textgen reads left to right


def build_space(estimator, info: dict, fixed: set[str]) -> list[Dimension]:
    """The dimensions searched for ``estimator`` (``info``: what the data says,
    from :mod:`rnn_apps.tuning.holdouts`), without the ``fixed`` ones."""
    task = estimator.task_name
    p = {**estimator.get_params(), **info.get("defaults", {})}
    dims = _recurrent(p, both_ways=task in BOTH_WAYS) + TASK_SPACES[task](p, info, fixed)
    space = [dim for dim in dims if dim.name not in fixed]
    if not space:
        raise RnnAppsError("nothing to search: every searched parameter is fixed")
    return space
