"""The services find each task's pieces through the registry: every shipped
task's hooks resolve to the objects the services call, and a task that offers
no such face, or a name no task has, is one line."""

import inspect
from typing import ClassVar

import pytest

from rnn_apps.core import registry
from rnn_apps.core.task import BaseTask
from rnn_apps.errors import ModelDirError
from rnn_apps.serving.adapters import Adapter, adapter_for
from rnn_apps.serving.limits import Limits

SHIPPED = ["forecast", "sentiment", "seq2seq", "tagging", "textgen"]


@pytest.fixture
def quiet_task():
    """A registered task that declares no hook at all."""
    class Quiet(BaseTask):
        task_name = "quiet_task"
        hooks: ClassVar[dict] = dict.fromkeys(registry.HOOKS)

    yield Quiet
    registry._CLASSES.pop("quiet_task")


@pytest.mark.parametrize("task", SHIPPED)
def test_every_shipped_task_has_its_serving_adapter(task):
    adapter = registry.hook(task, "serving_adapter")
    assert inspect.isclass(adapter) and issubclass(adapter, Adapter) and adapter is not Adapter
    assert adapter.__module__ == f"rnn_apps.tasks.{task}.serving"


@pytest.mark.parametrize("task", [None, 3, "nope", "__class__"])
def test_a_model_of_no_known_task_gets_no_server_in_one_line(task):
    with pytest.raises(ModelDirError) as error:
        adapter_for({"task": task}, {"inputs": {}, "outputs": {}}, Limits())
    message = str(error.value)
    assert message.startswith(f"no server for a {task!r} model (known tasks: ")
    assert all(name in message for name in SHIPPED) and "\n" not in message


def test_a_task_without_a_serving_adapter_gets_no_server_in_one_line(quiet_task):
    with pytest.raises(ModelDirError, match="^no server for a 'quiet_task' model: the "
                                            "quiet_task task has no serving adapter") as error:
        adapter_for({"task": "quiet_task"}, {"inputs": {}, "outputs": {}}, Limits())
    assert "\n" not in str(error.value)

