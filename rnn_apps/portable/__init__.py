"""The numeric core of a fitted task, for runtimes other than TensorFlow.

``export_core(task, out, fmt)`` writes ``out/`` with:

- the converted core(s), ``model.onnx`` / ``model.tflite`` (or one file per
  core a task builds, such as ``encoder.*`` and ``decoder_step.*`` of a task
  that generates): numbers in, numbers out, no strings, no search or
  sampling loop;
- ``preprocessing.json``: what turns raw input into the core's inputs and its
  outputs into an answer (vocabularies and ids, text standardisation and
  splitting, scaling, class/tag/character names, CRF transitions);
- ``rnn_apps_core.json``: task, format, each core file with its input and
  output names, dtypes and shapes (null: any size), the shape constraints of
  the format in words, the largest difference from the Keras model measured
  when it was written, and the rnn-apps version.

Each core is a fresh copy of the trained network (generic recurrent loop,
never cuDNN) and is run, once converted, on sample inputs against the trained
Keras model; a core that does not match is not written. The directory is
written atomically and replaces only an earlier core export.

A task's package says how: its ``portable_cores`` hook is the list of its
core builders (``make(task, fmt) -> Core``, :mod:`.cores`), its
``portable_describe`` hook writes ``preprocessing.json`` (``describe(task,
fmt) -> dict``).
"""

from __future__ import annotations

import json
from pathlib import Path

from rnn_apps.core import registry
from rnn_apps.errors import RnnAppsError
from rnn_apps.portable import convert
from rnn_apps.portable.convert import FORMATS
from rnn_apps.portable.rebuild import check_convertible
from rnn_apps.preprocessing import subword

__all__ = ["FORMATS", "export_core"]

PREPROCESSING_FILE = "preprocessing.json"
TOLERANCE = 1e-4  # on |converted - keras| / (1 + |keras|), element by element


def _check(core, run) -> float:
    """The largest absolute difference between the converted core and the Keras
    model on the core's sample inputs; an error when beyond :data:`TOLERANCE`."""
    import numpy as np

    absolute = relative = 0.0
    for got, expected in core.compare(run):
        if got.shape != expected.shape:
            raise RnnAppsError(f"the converted {core.name} core answers shape {got.shape}; "
                               f"the Keras model {expected.shape}")
        gap = np.abs(got.astype(np.float64) - expected)
        absolute = max(absolute, float(gap.max(initial=0.0)))
        relative = max(relative, float((gap / (1.0 + np.abs(expected))).max(initial=0.0)))
    if not relative <= TOLERANCE:
        raise RnnAppsError(f"the converted {core.name} core differs from the Keras model by "
                           f"up to {absolute:.3g} (more than {TOLERANCE:g} allowed); "
                           "nothing was written")
    return absolute


def _build(make, task, fmt: str):
    """``make(task, fmt)``; a one-line error when the network cannot be rebuilt
    (a custom layer without a working configuration, say)."""
    try:
        return make(task, fmt)
    except RnnAppsError:
        raise
    except Exception as error:  # noqa: BLE001 (Keras raises many kinds; one line out)
        raise RnnAppsError(f"the {task.task_name} network cannot be rebuilt for {fmt}: "
                           f"{convert.reason(error)}") from None


def export_core(task, out, fmt: str) -> Path:
    """Write the numeric core of the fitted ``task`` to the directory ``out`` as
    ``fmt`` ("onnx" or "tflite"); returns ``Path(out)``."""
    from rnn_apps.core import saving
    from rnn_apps.core.directories import CORE_MARKER
    from rnn_apps.version import __version__

    convert.check_format(fmt)
    name = getattr(task, "task_name", None)
    tasks = registry.task_classes()
    if not isinstance(name, str) or name not in tasks or not isinstance(task, tasks[name]):
        raise RnnAppsError(f"export_core takes a fitted rnn-apps task (one of "
                           f"{', '.join(tasks)}); got {type(task).__name__}")
    makers = registry.hook(tasks[name], "portable_cores")  # MissingHook: one line
    describe = registry.hook(tasks[name], "portable_describe")
    task.check_is_fitted()
    task.check_finite_weights()
    check_convertible(task.model_, fmt)
    if subword.in_state(task.get_state()):
        raise RnnAppsError(f"export --format {fmt} does not support subword vocabularies "
                           "(their tokenizer runs in TensorFlow); export a SavedModel instead")
    convert.check_dependencies(fmt)
    source = getattr(task, "loaded_from_", None)
    saving.check_target(out, kind="core", source=source)
    built = [_build(make, task, fmt) for make in makers]
    preprocessing = describe(task, fmt)
    with saving.atomic_directory(out, kind="core", source=source) as tmp:
        files, constraints = {}, []
        for core in built:
            path, outputs = convert.convert(core, tmp, fmt)
            files[core.name] = {"file": path.name, "inputs": convert.spec_entries(core.specs),
                                "outputs": outputs,
                                "max_abs_difference": _check(core, convert.runner(path, fmt))}
            constraints += core.constraints
        manifest = {"task": name, "format": fmt, "rnn_apps_version": __version__,
                    "preprocessing": PREPROCESSING_FILE, "cores": files,
                    "shape_constraints": constraints,
                    "max_abs_difference": "the largest difference between a file's outputs "
                                          "and the trained Keras model's on sample inputs, "
                                          "measured when it was written"}
        if fmt == "onnx":
            manifest["onnx_opset"] = convert.ONNX_OPSET
        _write_json(tmp / PREPROCESSING_FILE, preprocessing)
        _write_json(tmp / CORE_MARKER, manifest)
    return Path(out)


def _write_json(path: Path, value) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(value, handle, indent=1, allow_nan=False)
        handle.write("\n")
