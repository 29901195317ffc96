"""One table of parameter constraints per task class, checked in ``fit``.

Modelled on scikit-learn's ``_parameter_constraints``: each parameter maps to
a list of rules, any of which may hold; ``None`` in the list allows None.
Booleans are never integers or numbers here (``units=True`` is refused).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from numbers import Integral, Real
from os import PathLike

from rnn_apps.core import choices
from rnn_apps.errors import RnnAppsError


@dataclass(frozen=True)
class Rule:
    text: str
    test: Callable[[object], bool]

    def __call__(self, value) -> bool:
        try:
            return bool(self.test(value))
        except (TypeError, ValueError):
            return False


def is_integer(value) -> bool:
    return isinstance(value, Integral) and not isinstance(value, bool) \
        and type(value).__name__ != "bool_"


def is_number(value) -> bool:
    return (is_integer(value) or isinstance(value, Real) and not isinstance(value, bool)
            and type(value).__name__ != "bool_") and math.isfinite(value)


def integer(low: int, high: int | None = None) -> Rule:
    text = {0: "a non-negative integer", 1: "a positive integer"}.get(low, f"an integer >= {low}")
    if high is not None:
        text = f"{text} up to {high}" if low in (0, 1) else f"an integer in [{low}, {high}]"
    return Rule(text, lambda v: is_integer(v) and v >= low and (high is None or v <= high))


def size(low: int, limit: str) -> Rule:
    """An integer from ``low`` to ``LIMITS[limit]``."""
    return integer(low, LIMITS[limit])


def number(low=None, high=None, *, low_open=False, high_open=False) -> Rule:
    if low == 0 and low_open and high is None:
        text = "a positive number"
    elif high is None:
        text = f"a number {'>' if low_open else '>='} {low}"
    else:
        text = f"a number in {'(' if low_open else '['}{low}, {high}{')' if high_open else ']'}"

    def test(v):
        return is_number(v) and (low is None or (v > low if low_open else v >= low)) and \
            (high is None or (v < high if high_open else v <= high))

    return Rule(text, test)


def one_of(*values) -> Rule:
    return Rule(f"one of {', '.join(map(str, values))}",
                lambda v: isinstance(v, str) and v in values)


# Upper limits on sizes, so that a typo (or a hostile request) is a one-line
# error rather than an allocation that kills the process.
LIMITS = {
    "units": 16_384, "layers": 64, "epochs": 1_000_000, "batch_size": 65_536,
    "embedding_dim": 16_384, "vocabulary": 10_000_000, "sequence": 1_000_000,
    "generated": 100_000, "beam_width": 64, "horizon": 10_000,
    # weights of the recurrent layers together (estimated before building):
    # 100 million float32 weights are 400 MB, about 1.6 GB while training with Adam
    "parameters": 100_000_000,
}
BOOLEAN = Rule("True or False", lambda v: isinstance(v, bool) or type(v).__name__ == "bool_")
POSITIVE = number(0, low_open=True)
RATE = number(0, 1, high_open=True)


def _cells() -> Rule:
    from rnn_apps.core.recurrent import cell_names

    return Rule(f"one of {', '.join(cell_names())}", lambda v: v in cell_names())


RECURRENT = {
    "cell": [_cells()], "units": [integer(1, LIMITS["units"])],
    "layers": [integer(1, LIMITS["layers"])],
    "bidirectional": [BOOLEAN], "dropout": [RATE], "recurrent_dropout": [RATE],
    "clipnorm": [POSITIVE, None], "clipvalue": [POSITIVE, None],
    "spectral_radius": [POSITIVE], "leak_rate": [number(0, 1, low_open=True)],
    "input_scaling": [POSITIVE],
    "embedding_dropout": [RATE], "weight_drop": [RATE], "locked_dropout": [BOOLEAN],
    "activation_reg": [number(0)], "temporal_reg": [number(0)],
}

TRAINING = {
    "epochs": [integer(1, LIMITS["epochs"])], "batch_size": [integer(1, LIMITS["batch_size"])],
    "learning_rate": [POSITIVE],
    "patience": [integer(0), None], "valid_split": [RATE], "seed": [integer(0, 2**32 - 1), None],
    "verbose": [integer(0, 2)], "distribute": [one_of(*choices.DISTRIBUTE_MODES)],
    "mixed_precision": [BOOLEAN, one_of(*choices.PRECISIONS)],
}


# pieces of a subword (SentencePiece) model: its reserved pieces need a few ids
VOCAB_SIZE = integer(8, LIMITS["vocabulary"])

TEXT = {
    "level": [one_of(*choices.TEXT_LEVELS)], "standardize": [one_of(*choices.STANDARDIZE)],
    "max_tokens": [size(3, "vocabulary"), None], "max_length": [size(1, "sequence"), None],
    "truncating": [one_of(*choices.TRUNCATING)],
}


# pretrained word vectors (rnn_apps.preprocessing.embeddings): a file path, read in fit
WORD_VECTORS = {
    "embeddings": [Rule("the path of a word-vectors file",
                        lambda v: isinstance(v, (str, PathLike)) and str(v) != ""), None],
    "freeze_embeddings": [BOOLEAN],
}


def check_value(name: str, value, rules: list) -> None:
    """Raise a one-line error unless one of ``rules`` holds for ``value``."""
    if value is None and None in rules:
        return
    live = [rule for rule in rules if rule is not None]
    if any(rule(value) for rule in live):
        return
    allowed = [rule.text for rule in live] + (["None"] if None in rules else [])
    raise RnnAppsError(f"{name} must be {' or '.join(allowed)}; got {value!r}")


def check_values(values: dict, table: dict, owner: str) -> None:
    """The one validation path: every value against its rules in ``table`` (a
    name without rules is an error of ``owner``), then the rules that join
    several recurrent settings. Tasks (:func:`check_params`) and
    :class:`rnn_apps.core.config.RecurrentConfig` both come here."""
    for name, value in values.items():
        if name not in table:
            raise RnnAppsError(f"{owner} has no constraint for {name!r}")
        check_value(name, value, table[name])
    if values.get("cell") == "esn" and values.get("recurrent_dropout"):
        raise RnnAppsError("recurrent_dropout has no effect on the esn cell "
                           "(its reservoir is not trained)")
    if values.get("cell") == "esn" and values.get("weight_drop"):
        raise RnnAppsError("weight_drop has no effect on the esn cell "
                           "(its reservoir is not trained)")
    check_network_size(values)


def check_params(estimator) -> None:
    """Check every parameter of ``estimator`` against its class's table, then the
    settings that go together and the size of the network they describe."""
    check_values(estimator.get_params(deep=False), type(estimator)._parameter_constraints,
                 type(estimator).__name__)


def recurrent_parameters(cell: str, units: int, layers: int, bidirectional: bool = False,
                         input_dim: int = 0) -> int:
    """Weights of a stack of ``layers`` recurrent layers reading ``input_dim``
    features: per layer and direction, ``gates * units * (inputs + units + biases)``
    (LSTM 4 gates, GRU 3 with two bias vectors, SimpleRNN and echo state 1)."""
    gates = {"lstm": 4, "gru": 3}.get(cell, 1)
    biases = 2 if cell == "gru" else 1
    directions = 2 if bidirectional else 1
    total, width = 0, input_dim
    for _ in range(layers):
        total += directions * gates * units * (width + units + biases)
        width = directions * units
    return total


def check_network_size(values: dict) -> None:
    """Refuse, before anything is built, a recurrent stack whose estimated weights
    pass ``LIMITS["parameters"]`` (units and layers each within their limits can
    still multiply to gigabytes)."""
    if not all(name in values for name in ("cell", "units", "layers")):
        return
    inputs = values.get("embedding_dim")
    estimate = recurrent_parameters(values["cell"], values["units"], values["layers"],
                                    bool(values.get("bidirectional")),
                                    inputs if is_integer(inputs) else 0)
    cap = LIMITS["parameters"]
    if estimate > cap:
        raise RnnAppsError(
            f"the recurrent layers ({values['layers']} x {values['units']} {values['cell']} "
            f"units) would hold about {estimate:,} weights ({estimate * 4 / 1e9:.1f} GB), "
            f"above the cap of {cap:,}; use fewer units or layers")
