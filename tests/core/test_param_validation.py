"""Parameters are checked once, at the start of ``fit``, against each task's
constraint table, in the manner of scikit-learn's ``check_param_validation``:
the table names exactly the ``__init__`` parameters, and bad values generated
from each rule's description (wrong type, out of range, not one of the
options) fail with a one-line error naming the parameter before any data is
read or any network built. No training happens here."""

from __future__ import annotations

import importlib
import math
import re

import pytest

from rnn_apps.core import params, registry
from rnn_apps.core.config import RecurrentConfig
from rnn_apps.errors import RnnAppsError

SHIPPED = sorted(registry.public_classes())  # class names of the shipped tasks


class DataWasRead(Exception):
    pass


class Poison:
    """Stands for the training data: any use of it is an error."""

    def _read(self, *args, **kwargs):
        raise DataWasRead("the data was read")

    __getattr__ = __iter__ = __len__ = __getitem__ = __array__ = __bool__ = _read


def _task(name):
    """A shipped task class by class name (``Tagger``) or task name (``tagging``)."""
    target = registry.public_classes().get(name)
    if target is None:
        return registry.task_class(name)
    module, attribute = target.split(":")
    return getattr(importlib.import_module(module), attribute)


def _bounds(text: str):
    """Numbers named by a rule's text, e.g. ``[0, 1)`` or ``>= 8`` or ``up to 64``."""
    return [float(x) if "." in x else int(x) for x in re.findall(r"-?\d+(?:\.\d+)?", text)]


def bad_values(rule) -> list:
    """Values ``rule`` must refuse, generated from its description alone."""
    text = rule.text
    if text == "True or False":
        return ["yes", 1, 0.0]
    if text.startswith("one of "):
        return ["not-an-option", 1, ["a"]]
    if re.match(r"an? (positive |non-negative )?integer", text):
        found = [1.5, "1", True, None]
        if text.startswith(("a positive integer", "a non-negative integer")):
            found.append(0 if "positive" in text else -1)
            found += [n + 1 for n in _bounds(text)]           # "up to N"
        elif "[" in text:
            low, high = _bounds(text)
            found += [low - 1, high + 1]
        else:                                                  # "an integer >= k"
            found.append(_bounds(text)[0] - 1)
        return found
    if re.match(r"a (positive )?number", text):
        found = ["1", True, math.nan, math.inf, None]
        if text == "a positive number":
            return found + [0, -1.0]
        numbers = _bounds(text)
        if "in" in text.split():
            low, high = numbers
            found += [low if text[text.index("in ") + 3] == "(" else low - 1,
                      high if text.endswith(")") else high + 1]
        else:
            found.append(numbers[0] if ">" in text and ">=" not in text else numbers[0] - 1)
        return found
    return [object(), None]           # a task's own rule: the wrong type at least


def bad_cases(cls):
    """``(parameter, value)`` pairs that every rule of the parameter refuses."""
    cases = []
    for name, rules in cls._parameter_constraints.items():
        live = [rule for rule in rules if rule is not None]
        for rule in live:
            for value in bad_values(rule):
                if value is None and None in rules:
                    continue
                assert not rule(value), f"{name}: {rule.text!r} accepts {value!r}"
                if not any(other(value) for other in live):
                    cases.append((name, value))
    return cases


@pytest.mark.parametrize("name", SHIPPED)
def test_the_table_names_exactly_the_init_parameters(name):
    cls = _task(name)
    assert set(cls._parameter_constraints) == set(cls._get_param_names())


@pytest.mark.parametrize("name", SHIPPED)
def test_every_bad_value_fails_fit_before_the_data_is_read(name, monkeypatch):
    cls = _task(name)
    cases = bad_cases(cls)
    assert {param for param, _ in cases} == set(cls._parameter_constraints)
    for param, value in cases:
        estimator = cls().set_params(**{param: value})
        with pytest.raises(RnnAppsError) as caught:
            estimator.fit(Poison(), Poison())
        message = str(caught.value)
        assert message.startswith(f"{param} must be ") and "\n" not in message, \
            (param, value, message)
        assert not hasattr(estimator, "config_") and not hasattr(estimator, "model_")


@pytest.mark.parametrize("name", SHIPPED)
def test_good_parameters_are_checked_once_then_the_data_is_read(name, monkeypatch):
    calls = []
    check = params.check_values
    monkeypatch.setattr(params, "check_values", lambda *a: calls.append(a) or check(*a))
    estimator = _task(name)()
    with pytest.raises(DataWasRead):
        estimator.fit(Poison(), Poison())
    assert len(calls) == 1
    # checked=True: a task may leave a setting to be chosen from the data (seq2seq dropout=None)
    assert estimator.config_ == RecurrentConfig.from_params(estimator, checked=True)


@pytest.mark.parametrize("name, settings, fragment", [
    ("sentiment", {"cell": "esn", "recurrent_dropout": 0.2}, "no effect on the esn cell"),
    ("sentiment", {"embeddings": "vectors.txt", "level": "char"}, "need level='word'"),
    ("textgen", {"bidirectional": True}, "reads left to right"),
    ("forecast", {"readout": "ridge"}, "readout='ridge' needs cell='esn'"),
    ("forecast", {"quantiles": [0.1, 0.9], "strategy": "recursive"}, "quantiles need"),
    ("forecast", {"quantiles": [0.5]}, "two or more distinct levels"),
    ("tagging", {"units": 16_384, "layers": 64}, "above the cap"),
])
def test_settings_that_cannot_go_together_fail_before_the_data_is_read(name, settings,
                                                                       fragment):
    with pytest.raises(RnnAppsError, match=re.escape(fragment)) as caught:
        _task(name)(**settings).fit(Poison(), Poison())
    assert "\n" not in str(caught.value)


def test_a_recurrent_config_is_checked_by_the_same_rules_as_a_task():
    for settings in ({"units": 0}, {"dropout": 1.0}, {"cell": "transformer"},
                     {"cell": "esn", "recurrent_dropout": 0.5}):
        with pytest.raises(RnnAppsError) as from_task:
            _task("sentiment")(**settings).fit(Poison(), Poison())
        with pytest.raises(RnnAppsError) as from_config:
            RecurrentConfig(**settings)
        assert str(from_config.value) == str(from_task.value)
    assert RecurrentConfig(units=0, checked=True).units == 0  # a task's fit checked them
