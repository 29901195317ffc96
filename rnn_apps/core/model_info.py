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
