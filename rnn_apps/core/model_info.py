"""What a saved model is, read from disk without loading it: the task, its
parameters and its provenance, for a model directory, an exported SavedModel
or a TensorFlow Serving base directory of numbered versions."""

from __future__ import annotations

from pathlib import Path


def read_info(path) -> dict:
    """Task, kind, parameters and provenance of a model directory, an exported
    SavedModel or a TensorFlow Serving base directory (its highest version)."""
    from rnn_apps.core import saving
    from rnn_apps.core.directories import json_object
    from rnn_apps.errors import ModelDirError

    directory = resolve_version(Path(path))
    if saving.is_export_dir(directory):
        marker = json_object(directory / saving.EXPORT_MARKER) or {}
        return {"path": str(directory), "kind": "SavedModel", "task": marker.get("task"),
                "params": marker.get("params") or {},
                "provenance": marker.get("provenance"), "serving": marker.get("serving") or {}}
    if (directory / saving.METADATA_FILE).exists() or not directory.is_dir():
        metadata = saving.read_metadata(directory)
        found = {"path": str(directory), "kind": "model directory", "task": metadata["task"],
                 "params": metadata["params"], "provenance": metadata.get("provenance"),
                 "rnn_apps_version": metadata.get("rnn_apps_version")}
        state = metadata.get("state")
        if isinstance(state, dict) and state.get("pretrained"):  # started from shipped weights
            found["pretrained"] = state["pretrained"]
        return found
    raise ModelDirError(f"{directory} is neither an rnn-apps model directory nor an "
                        f"rnn-apps SavedModel")


def resolve_version(directory):
    """The highest numbered version inside a TensorFlow Serving base directory
    (the directory itself otherwise)."""
    if not directory.is_dir() or (directory / "saved_model.pb").exists():
        return directory
    versions = [entry for entry in directory.iterdir()
                if entry.name.isdigit() and (entry / "saved_model.pb").is_file()]
    return max(versions, key=lambda entry: int(entry.name)) if versions else directory


def check_served_model(path) -> dict:
    """What ``rnn-apps serve`` would serve at ``path``, checked without importing
    TensorFlow: a model directory, an exported SavedModel, or a TensorFlow
    Serving base directory of numbered versions (its highest is taken).

    Returns :func:`read_info`'s dict (``task``, ``kind``, ``params``,
    ``provenance``; ``path`` is the resolved directory) with ``source`` (the
    path given) and ``version`` (the number of the version directory served,
    "1" otherwise). Raises the one-line ``ModelDirError`` that
    ``rnn_apps.serving.servable.load_servable`` raises for the same problem:
    a missing path or one that is not a directory, neither a model directory
    nor a SavedModel, unreadable or malformed metadata, an unknown task, a
    task without a serving adapter, a subword model that is not the one saved,
    a ``model.keras`` that is not a sound Keras archive, or links, FIFOs and
    devices inside a SavedModel. What needs TensorFlow (the weights, the
    SavedModel's graph and signature) is left to loading."""
    from rnn_apps.core import model_files, registry, saving

    source = Path(path)
    directory = resolve_version(source)
    info = read_info(source)
    task = info["task"]
    if info["kind"] == "model directory":
        registry.task_class(task)  # unknown task: the message loading gives
        metadata = saving.read_metadata(directory)
        model_files.check_subword_models(metadata, directory / saving.METADATA_FILE)
        model_files.check_keras_file(directory / "model.keras")
    else:
        model_files.check_tree(directory)  # regular files only
    serving_adapter(task)
    version = directory.name if directory != source and directory.name.isdigit() else "1"
    return {**info, "source": str(source), "version": version}


def serving_adapter(task):
    """The serving adapter class of ``task`` (its ``serving_adapter`` hook), or
    the one-line ``ModelDirError`` saying nothing serves it."""
    from rnn_apps.core import registry
    from rnn_apps.errors import ModelDirError

    try:
        if not isinstance(task, str):
            raise ModelDirError("not a task name")
        cls = registry.task_class(task)
    except ModelDirError:
        raise ModelDirError(f"no server for a {task!r} model (known tasks: "
                            f"{', '.join(registry.task_classes())})") from None
    try:
        return registry.hook(cls, "serving_adapter")
    except registry.MissingHook as error:
        raise ModelDirError(f"no server for a {task!r} model: {error}") from None
