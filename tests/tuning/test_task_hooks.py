"""The tuning service finds each task's pieces through the registry: every
shipped task's tuning hooks resolve, and a task that offers none of a face
stops with one line naming it."""

import inspect
from typing import ClassVar

import pytest

import rnn_apps
from rnn_apps.core import registry
from rnn_apps.core.task import BaseTask
from rnn_apps.tuning import space
from rnn_apps.tuning.holdouts import holdout

SHIPPED = ["forecast", "sentiment", "seq2seq", "tagging", "textgen"]


@pytest.mark.parametrize("task", SHIPPED)
def test_every_shipped_task_has_its_tuning_hooks(task):
    home = f"rnn_apps.tasks.{task}"
    task_space = registry.hook(task, "tuning_space")
    split = registry.hook(task, "tuning_holdout")
    assert list(inspect.signature(task_space).parameters) == ["p", "info", "fixed"]
    assert list(inspect.signature(split).parameters) == [
        "estimator", "X", "y", "validation_data", "seed", "share"]
    assert (task_space.__module__, split.__module__) == (f"{home}.tuning", f"{home}.tuning")
    score = registry.hook(task, "tuning_score")
    assert isinstance(score, str) and score and "\n" not in score


def test_each_task_says_whether_it_reads_both_ways():
    both = {task: "bidirectional" in {d.name for d in space.build_space(
        registry.task_class(task)(), {"frames": True, "lookbacks": [8],
                                      "decomposes": lambda mode, n: True}, set())}
        for task in SHIPPED}
    assert both == {"forecast": True, "sentiment": True, "seq2seq": True, "tagging": True,
                    "textgen": False}


class _Untunable(BaseTask):
    task_name = "untunable_task"
    hooks: ClassVar[dict] = dict.fromkeys(registry.HOOKS)

    def __init__(self, *, cell="gru", units=8, layers=1, bidirectional=False, dropout=0.0,
                 learning_rate=1e-3, embedding_dim=None, bptt=8, valid_split=0.25):
        self._store_params(locals())


registry.unregister(_Untunable.task_name)  # defining it registered it; only the fixture does


@pytest.fixture
def untunable():
    registry.register(_Untunable)
    yield _Untunable
    registry.unregister(_Untunable.task_name)


@pytest.mark.parametrize("face", ["tuning_space", "tuning_holdout", "tuning_score"])
def test_a_task_without_a_tuning_face_stops_tune_in_one_line(untunable, face, monkeypatch):
    hooks = dict.fromkeys(registry.HOOKS)
    hooks.update(tuning_space="rnn_apps.tasks.sentiment.tuning:space",
                 tuning_holdout="rnn_apps.tasks.sentiment.tuning:holdout",
                 tuning_score="rnn_apps.tasks.sentiment.tuning:SCORE")
    hooks[face] = None
    monkeypatch.setattr(untunable, "hooks", hooks)
    with pytest.raises(registry.MissingHook) as error:
        rnn_apps.tune(untunable(), ["a b", "c d"], ["x", "y"], trials=1)
    assert str(error.value) == (f"the untunable_task task has no {registry.HOOKS[face]}: its "
                                f"class _Untunable declares no {face!r} hook")


def test_the_hold_out_and_space_hooks_are_what_the_service_calls(untunable, monkeypatch):
    monkeypatch.setattr(untunable, "hooks", {
        **dict.fromkeys(registry.HOOKS), "tuning_space": "rnn_apps.tasks.textgen.tuning:space",
        "tuning_holdout": "rnn_apps.tasks.textgen.tuning:holdout"})
    model = untunable()          # a class no table names: only its hooks lead to textgen's
    held = holdout(model, "abcdefghijklmnop")
    assert held.score == ("mnop",) and held.train == ("abcdefghijkl",)
    dims = [d.name for d in space.build_space(model, held.info, {"cell"})]
    assert dims == ["units", "layers", "dropout", "learning_rate", "bptt"]
