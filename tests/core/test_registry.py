"""The task registry: every shipped task is found through its entry point, declares
every hook, and a class that leaves one out fails when it is defined."""

from typing import ClassVar

import pytest

import rnn_apps
from rnn_apps.core import registry
from rnn_apps.core.task import BaseTask

SHIPPED = {"sentiment", "tagging", "seq2seq", "textgen", "forecast"}


def test_the_shipped_tasks_are_registered_through_their_entry_points():
    classes = registry.task_classes()
    assert SHIPPED <= set(classes)
    for name, target in registry.public_classes().items():
        assert getattr(rnn_apps, name) is classes[getattr(rnn_apps, name).task_name]
        assert target.endswith(f":{name}")


@pytest.mark.parametrize("task", sorted(SHIPPED))
def test_every_shipped_hook_resolves(task):
    cls = registry.task_class(task)
    assert set(cls.hooks) == set(registry.HOOKS)
    for name in registry.HOOKS:
        if cls.hooks[name] is not None:
            assert registry.hook(cls, name) is not None


def test_a_task_class_without_every_hook_fails_at_definition():
    with pytest.raises(TypeError, match="hooks missing"):
        class Partial(BaseTask):
            task_name = "partial_task"
            hooks: ClassVar[dict] = {"cli": None}
    with pytest.raises(TypeError, match="must define a 'hooks' dict"):
        class Bare(BaseTask):
            task_name = "bare_task"
    assert "partial_task" not in registry.task_classes()


def test_a_face_a_task_does_not_offer_is_one_line():
    class Quiet(BaseTask):
        task_name = "quiet_task"
        hooks: ClassVar[dict] = dict.fromkeys(registry.HOOKS)

    try:
        with pytest.raises(registry.MissingHook, match="the quiet_task task has no serving adapter"):
            registry.hook("quiet_task", "serving_adapter")
    finally:
        registry.unregister("quiet_task")


def test_an_unknown_task_names_the_known_ones():
    with pytest.raises(rnn_apps.ModelDirError, match="unknown task 'nope'.*sentiment"):
        registry.task_class("nope")


def test_package_hooks_follow_the_layout_and_refuse_unknown_names():
    hooks = registry.package_hooks(cli="group", serving_adapter="Adapter", inspect=None)
    assert set(hooks) == set(registry.HOOKS)
    assert hooks["cli"] == ".cli:group" and hooks["tuning_space"] == ".tuning:space"
    assert hooks["inspect"] is None and hooks["demo"] == ".demo:run"
    with pytest.raises(TypeError, match="unknown hook"):
        registry.package_hooks(cli="g", serving_adapter="A", plot="x")
    with pytest.raises(TypeError, match="needs the attribute of the 'cli' hook"):
        registry.package_hooks(serving_adapter="A")


def test_a_task_without_a_command_line_stays_out_of_help():
    from click.testing import CliRunner

    from rnn_apps.cli import cli

    class Headless(BaseTask):
        task_name = "headless_task"
        hooks: ClassVar[dict] = dict.fromkeys(registry.HOOKS)

    try:
        listing = CliRunner().invoke(cli, ["--help"])
        assert listing.exit_code == 0 and "headless_task" not in listing.output
        assert "sentiment" in listing.output
        called = CliRunner().invoke(cli, ["headless_task"])
        assert called.exit_code == 2 and "declares no 'cli' hook" in called.output
    finally:
        registry.unregister("headless_task")
