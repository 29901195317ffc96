"""A model ready to serve: its SavedModel loaded, its task's request adapter,
and what ``/metadata`` reports.

Every source goes through the same SavedModel: a model directory is exported
to a temporary directory first (removed on :meth:`Servable.close`), so a
served model directory answers exactly as its exported SavedModel would, and
both answer as the Python API does.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from rnn_apps.errors import ModelDirError


@dataclass
class Servable:
    name: str
    task: str
    version: str
    module: object  # the loaded SavedModel
    adapter: object
    info: dict
    signature: dict
    saved_model: Path | None = None  # the SavedModel directory it was loaded from
    _scratch: Path | None = field(default=None, repr=False)

    def run(self, instances: list, options: tuple) -> list:
        """Answers for ``instances`` already checked by ``self.adapter.parse``."""
        return self.adapter.run(self.module, instances, dict(options))

    def metadata(self) -> dict:
        """TensorFlow Serving's metadata answer, with rnn-apps' own entry."""
        provenance = self.info.get("provenance") or {}
        return {
            "model_spec": {"name": self.name, "signature_name": "", "version": self.version},
            "metadata": {"signature_def": {"signature_def": {"serving_default": self.signature}}},
            "rnn_apps": {"task": self.task, "source": self.info.get("kind"),
                         "params": self.info.get("params") or {},
                         "options": self.adapter.describe_options(),
                         "training_metrics": provenance.get("validation") or {},
                         "provenance": provenance or None},
        }

    def close(self) -> None:
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None


def _signature(module) -> dict:
    """Inputs and outputs of ``serving_default`` as names, dtypes and shapes."""
    from tensorflow.core.framework import types_pb2

    function = module.signatures["serving_default"]

    def spec(tensor):
        shape = [-1 if d is None else int(d) for d in tensor.shape.as_list()] \
            if tensor.shape.rank is not None else None
        return {"dtype": types_pb2.DataType.Name(tensor.dtype.as_datatype_enum), "tensor_shape": shape}

    inputs = function.structured_input_signature[1]
    return {"inputs": {key: spec(value) for key, value in sorted(inputs.items())},
            "outputs": {key: spec(value)
                        for key, value in sorted(function.structured_outputs.items())},
            "method_name": "tensorflow/serving/predict"}


def load_servable(path, name: str | None = None, limits=None) -> Servable:
    """Load a model directory, an exported SavedModel or a TensorFlow Serving
    base directory (its highest version) for serving."""
    import tensorflow as tf

    from rnn_apps.core.model_info import read_info, resolve_version
    from rnn_apps.preprocessing.subword import register_ops
    from rnn_apps.serving.adapters import adapter_for
    from rnn_apps.serving.limits import Limits

    source = Path(path)
    directory = resolve_version(source)
    info = read_info(source)
    version = directory.name if directory != source and directory.name.isdigit() else "1"
    scratch = None
    if info["kind"] == "model directory":
        from rnn_apps.core.saving import load

        scratch = Path(tempfile.mkdtemp(prefix="rnn-apps-serve-"))
        saved = scratch / "model"
        try:
            load(directory).export(saved)
        except BaseException:
            shutil.rmtree(scratch, ignore_errors=True)
            raise
    else:
        from rnn_apps.core.model_files import check_tree

        saved = directory
        check_tree(saved)  # regular files only: a FIFO would hang TensorFlow's reader
    try:
        register_ops()  # a subword model's SavedModel holds tensorflow-text ops
        module = tf.saved_model.load(str(saved))
        if "serving_default" not in module.signatures:
            raise ModelDirError(f"{saved} has no serving_default signature")
        signature = _signature(module)
        info = {**read_info(saved), "kind": info["kind"], "path": info["path"]}
        adapter = adapter_for(info, signature, limits or Limits())
    except BaseException:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
        raise
    return Servable(name=name or info["task"], task=info["task"], version=version,
                    module=module, adapter=adapter, info=info, signature=signature,
                    saved_model=Path(saved), _scratch=scratch)
