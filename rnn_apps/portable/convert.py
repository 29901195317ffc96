"""Converting a core to ONNX or TFLite, and running the converted file.

ONNX goes through tf2onnx (what Keras' own ``model.export(format="onnx")``
uses), called directly so that the inputs and outputs keep their names.
TFLite goes through a temporary SavedModel and ``TFLiteConverter`` with the
builtin operators only (no select TensorFlow ops). The converter lowers
Keras' recurrent ``while`` loop only when every tensor list in it has a
static element shape, that is a fixed batch size: sequence cores therefore
take a batch of exactly one in TFLite (any number of steps), and one-step
cores (unrolled) take any batch.

The runtimes (onnxruntime, ai-edge-litert) are imported lazily; every
converted core is run once on sample inputs before it is written.
"""

from __future__ import annotations

import contextlib
import logging
import tempfile
from pathlib import Path

import numpy as np

from rnn_apps.errors import RnnAppsError

FORMATS = ("onnx", "tflite")
ONNX_OPSET = 17
NEEDS = {"onnx": (("tf2onnx", "onnx", "onnxruntime"), "onnx"),
         "tflite": (("ai_edge_litert",), "tflite")}


def check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise RnnAppsError(f"format must be one of {', '.join(FORMATS)}; got {fmt!r}")


def check_dependencies(fmt: str) -> None:
    """A one-line error naming the extra to install when a package is missing."""
    import importlib

    packages, extra = NEEDS[fmt]
    for package in packages:
        try:
            importlib.import_module(package)
        except ImportError:
            raise RnnAppsError(f"exporting to {fmt} needs the package {package!r}: "
                               f"pip install 'rnn-apps[{extra}]'") from None


def serving_function(core):
    """``core.function`` as a ``tf.function`` over its named input specs."""
    import tensorflow as tf

    names = [spec.name for spec in core.specs]

    @tf.function(input_signature=list(core.specs))
    def serve(*tensors):
        return core.function(**dict(zip(names, tensors)))

    return serve


@contextlib.contextmanager
def _quiet_converters():
    """The converters' Python log lines and warnings (about things they handle)
    off while they run."""
    import warnings

    loggers = [logging.getLogger(name) for name in ("tf2onnx", "tensorflow")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        for logger, level in zip(loggers, levels):
            logger.setLevel(level)


def to_onnx(core, serve, path: Path) -> None:
    import tf2onnx

    try:  # Keras' fix-up of tf2onnx for NumPy 2 (what model.export(format="onnx") runs)
        from keras.src.export.tf2onnx_lib import patch_tf2onnx
    except ImportError:  # pragma: no cover - a Keras without it
        patch_tf2onnx = None
    if patch_tf2onnx is not None:
        patch_tf2onnx()
    tf2onnx.convert.from_function(serve, input_signature=list(core.specs), opset=ONNX_OPSET,
                                  output_path=str(path))


def to_tflite(core, serve, path: Path) -> None:
    import keras
    import tensorflow as tf

    with tempfile.TemporaryDirectory(prefix="rnn-apps-core-") as scratch:
        archive = keras.export.ExportArchive()
        for model in core.models:
            archive.track(model)
        archive.add_endpoint("serving_default", serve)
        archive.write_out(scratch, verbose=False)
        converter = tf.lite.TFLiteConverter.from_saved_model(scratch)
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS]
        path.write_bytes(converter.convert())


def convert(core, directory: Path, fmt: str):
    """Write ``directory/<core name>.<fmt>``; ``(path, output entries)``, or a
    one-line error when the core cannot be converted."""
    path = directory / f"{core.name}.{fmt}"
    try:
        with _quiet_converters():
            serve = serving_function(core)
            outputs = output_entries(serve)
            (to_onnx if fmt == "onnx" else to_tflite)(core, serve, path)
    except RnnAppsError:
        raise
    except Exception as error:  # noqa: BLE001 (converters raise many kinds; one line out)
        raise RnnAppsError(f"the {core.name} core cannot be converted to {fmt}: "
                           f"{reason(error)}") from None
    return path, outputs


def reason(error) -> str:
    """One line saying why a conversion failed. TensorFlow wraps the cause in
    ``in user code:`` and a stack, so the last ``SomethingError: ...`` line
    (and the line after a Keras "Exception encountered when calling") is it."""
    import re

    text = re.sub(r"\x1b\[[0-9;]*m", "", str(error))
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        return type(error).__name__
    for index in range(len(lines) - 1, -1, -1):
        if re.match(r"[A-Za-z_.]*(Error|Exception): ", lines[index]):
            found = lines[index]
            if "Exception encountered when calling" in found and index + 1 < len(lines):
                found += " " + lines[index + 1]
            return found
    return lines[0]


def runner(path: Path, fmt: str):
    """``run(inputs: dict of arrays) -> dict of arrays`` for a converted core.

    A TFLite core with a batch of one is run one row at a time (and the rows
    put back together), so callers can pass a whole batch either way.
    """
    if fmt == "onnx":
        import onnxruntime

        session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        names = [output.name for output in session.get_outputs()]

        def run(inputs):
            values = session.run(names, {k: np.asarray(v) for k, v in inputs.items()})
            return dict(zip(names, values))

        return run
    from ai_edge_litert.interpreter import Interpreter

    signature = Interpreter(model_path=str(path)).get_signature_runner("serving_default")
    one_row = any(detail["shape_signature"][0] == 1
                  for detail in signature.get_input_details().values())

    def run_rows(inputs):
        if not one_row:
            return signature(**inputs)
        rows = len(next(iter(inputs.values())))
        parts = [signature(**{k: np.asarray(v)[i:i + 1] for k, v in inputs.items()})
                 for i in range(rows)]
        return {key: np.concatenate([part[key] for part in parts]) for key in parts[0]}

    return run_rows


def spec_entries(specs) -> list[dict]:
    """``[{"name", "dtype", "shape"}]`` for the manifest (null: any size)."""
    return [{"name": spec.name, "dtype": spec.dtype.name, "shape": list(spec.shape.as_list())}
            for spec in specs]


def output_entries(serve) -> list[dict]:
    """The outputs of a serving function, as :func:`spec_entries` gives them."""
    import tensorflow as tf

    structured = serve.get_concrete_function().structured_outputs
    return spec_entries([tf.TensorSpec(value.shape, value.dtype, name=key)
                         for key, value in structured.items()])
