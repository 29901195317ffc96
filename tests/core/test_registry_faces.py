"""The services find each task's pieces through the registry: every shipped
task's hooks resolve to the objects the services call, and a task that offers
no such face, or a name no task has, is one line."""

import inspect
import re
from typing import ClassVar

import pytest

from rnn_apps.core import registry
from rnn_apps.core.task import BaseTask
from rnn_apps.errors import ModelDirError, RnnAppsError
from rnn_apps.portable import export_core
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
    registry.unregister("quiet_task")


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


@pytest.mark.parametrize("task", SHIPPED)
def test_every_shipped_task_has_its_portable_cores_and_description(task):
    cores = registry.hook(task, "portable_cores")
    describe = registry.hook(task, "portable_describe")
    assert isinstance(cores, list) and cores and all(callable(make) for make in cores)
    assert {make.__module__ for make in cores} == {f"rnn_apps.tasks.{task}.portable"}
    assert list(inspect.signature(describe).parameters) == ["task", "fmt"]
    assert describe.__module__ == f"rnn_apps.tasks.{task}.portable"


@pytest.mark.parametrize("face", ["portable_cores", "portable_describe"])
def test_a_task_without_portable_cores_or_description_is_one_line(quiet_task, face, monkeypatch,
                                                                 tmp_path):
    hooks = dict.fromkeys(registry.HOOKS)
    hooks.update(portable_cores="rnn_apps.tasks.sentiment.portable:CORES",
                 portable_describe="rnn_apps.tasks.sentiment.portable:describe")
    hooks[face] = None
    monkeypatch.setattr(quiet_task, "hooks", hooks)
    with pytest.raises(registry.MissingHook, match=re.escape(f"the quiet_task task has no "
                                                             f"{registry.HOOKS[face]}")) as error:
        export_core(quiet_task(), tmp_path / "core", "onnx")
    assert "\n" not in str(error.value) and not (tmp_path / "core").exists()


@pytest.mark.parametrize("thing", [object(), "sentiment", BaseTask()])
def test_export_core_of_anything_but_a_task_names_the_tasks(thing, tmp_path):
    with pytest.raises(RnnAppsError, match="^export_core takes a fitted rnn-apps task "
                                           r"\(one of forecast, sentiment, ") as error:
        export_core(thing, tmp_path / "core", "onnx")
    assert "\n" not in str(error.value)
