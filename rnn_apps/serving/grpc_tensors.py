"""TensorProtos to request fields and answers to TensorProtos, for the gRPC API.

A Predict request's tensors named like the model's signature inputs are
batch-major columns; those named like one of its adapter's options are
scalars (shape ``[]`` or ``[1]``). :func:`request_body` turns them into the
body the REST columnar format would carry (strings decoded as UTF-8, numbers
as Python values, the padding of variable-length inputs stripped), so both
APIs go through the same checks (:func:`rnn_apps.serving.requests.split_request`).
:func:`answer_tensors` stacks each answer key over the batch, padding ragged
answers with ``b""`` or NaN to the longest.
"""

from __future__ import annotations

import math

import numpy as np

from rnn_apps.serving.limits import RequestError
from rnn_apps.serving.requests import SIGNATURE


def read_tensor(name: str, proto, max_elements: int) -> np.ndarray:
    """The array of one TensorProto; its declared size is checked before it is
    built (a few bytes can declare a broadcast of billions of elements)."""
    import tensorflow as tf

    if proto.tensor_shape.unknown_rank:
        raise RequestError(f"input {name!r} has an unknown rank")
    dims = [d.size for d in proto.tensor_shape.dim]
    if any(d < 0 for d in dims):
        raise RequestError(f"input {name!r} has the negative shape {dims}")
    if math.prod(dims) > max_elements:
        raise RequestError(f"input {name!r} has {math.prod(dims)} elements; the limit is "
                           f"{max_elements}", status=413)
    try:
        return tf.make_ndarray(proto)
    except Exception as error:  # noqa: BLE001 (any malformed tensor is the client's)
        raise RequestError(f"input {name!r} is not a readable tensor: "
                           f"{type(error).__name__}: {error}") from None


def _python(array: np.ndarray, name: str):
    """Nested Python lists (or one value) of an array; bytes decoded as UTF-8."""
    if array.dtype == object:
        try:
            decoded = [v.decode("utf-8") if isinstance(v, bytes) else v
                       for v in array.reshape(-1)]
        except UnicodeDecodeError:
            raise RequestError(f"input {name!r} holds a string that is not valid UTF-8") \
                from None
        return np.asarray(decoded, dtype=object).reshape(array.shape).tolist()
    if array.dtype.kind == "c":
        raise RequestError(f"input {name!r} holds complex numbers")
    return array.tolist()


def _strip(row: np.ndarray) -> np.ndarray:
    """A row of a variable-length input without its trailing padding steps
    (``""`` strings, or steps that are NaN throughout)."""
    if row.ndim == 0 or len(row) == 0:
        return row
    steps = row.reshape(len(row), -1)
    if row.dtype == object:
        padding = np.all((steps == b"") | (steps == ""), axis=1)
    elif row.dtype.kind == "f":
        padding = np.all(np.isnan(steps), axis=1)
    else:
        return row
    kept = len(padding) - int(np.argmin(padding[::-1])) if not padding.all() else 0
    return row[:kept]


def request_body(tensors: dict, adapter, signature_name: str, max_elements: int) -> dict:
    """The REST columnar body ``{"inputs": {name: rows}, **options}`` of a
    Predict request's tensors."""
    inputs = adapter.signature["inputs"]
    options = getattr(adapter, "options_spec", {})
    columns, body = {}, {}
    for name in sorted(tensors):
        if name not in options and name not in inputs:
            raise RequestError(
                f"unknown input {name!r} (this model takes the input(s) "
                f"{sorted(n for n in inputs if n not in options)} and the option(s) "
                f"{sorted(options)})")
        array = read_tensor(name, tensors[name], max_elements)
        if name in options:
            if array.size != 1 or array.ndim > 1:
                raise RequestError(f"option {name!r} must be one value (shape [] or [1]), "
                                   f"got shape {list(array.shape)}")
            body[name] = _python(array.reshape(()), name)
            continue
        if array.ndim == 0:
            raise RequestError(f"input {name!r} must have a batch dimension first, got a "
                               "scalar")
        shape = inputs[name].get("tensor_shape") or []
        if len(shape) > 1 and shape[1] == -1 and array.ndim > 1:
            columns[name] = [_python(_strip(row), name) for row in array]
        else:
            columns[name] = _python(array, name)
    if len({len(column) for column in columns.values()}) > 1:
        sizes = {name: len(column) for name, column in columns.items()}
        raise RequestError(f"the inputs must share their first (batch) dimension; got {sizes}")
    if not columns:
        raise RequestError(f"the request has no input (this model takes "
                           f"{sorted(n for n in inputs if n not in options)})")
    return {"inputs": columns, "signature_name": signature_name or SIGNATURE, **body}


def _shape(value) -> list[int]:
    if not isinstance(value, (list, tuple)):
        return []
    inner = [_shape(v) for v in value]
    depth = max((len(s) for s in inner), default=0)
    return [len(value)] + [max(s[i] if len(s) > i else 0 for s in inner) for i in range(depth)]


def _fill(array: np.ndarray, value, index: tuple = ()) -> None:
    if isinstance(value, (list, tuple)):
        for position, item in enumerate(value):
            _fill(array, item, (*index, position))
    else:
        array[index] = value.encode("utf-8") if isinstance(value, str) else value


def _leaf(value):
    while isinstance(value, (list, tuple)) and value:
        value = value[0]
    return value


def stack(values: list, dtype_name: str | None = None) -> np.ndarray:
    """One array of a batch of answers; ragged ones padded with b"" or NaN."""
    import tensorflow as tf
    from tensorflow.core.framework import types_pb2

    leaf = _leaf(values)
    if dtype_name is not None:
        dtype = tf.dtypes.as_dtype(types_pb2.DataType.Value(dtype_name)).as_numpy_dtype
    elif isinstance(leaf, (str, bytes)):
        dtype = object
    else:
        dtype = {bool: np.bool_, int: np.int64}.get(type(leaf), np.float32)
    strings = dtype is object or np.dtype(dtype) == object
    shape = _shape(values)
    if not strings:
        try:
            array = np.asarray(values, dtype=dtype)
            if list(array.shape) == shape:
                return array
        except (ValueError, TypeError):
            pass
    pad = b"" if strings else (np.nan if np.dtype(dtype).kind == "f" else 0)
    array = np.full(shape, pad, dtype=object if strings else dtype)
    _fill(array, values)
    return array


def answer_tensors(answers: list[dict], outputs: dict, wanted) -> dict:
    """``{key: TensorProto}`` of the answers (only ``wanted`` keys when given)."""
    import tensorflow as tf

    keys = list(answers[0]) if answers else []
    unknown = sorted(set(wanted) - set(keys))
    if unknown:
        raise RequestError(f"output_filter names {unknown[0]!r}, which this request does not "
                           f"answer (its outputs: {keys})")
    chosen = [key for key in keys if not wanted or key in wanted]
    return {key: tensor_proto(stack([answer[key] for answer in answers],
                                    (outputs.get(key) or {}).get("dtype")), tf)
            for key in chosen}


def tensor_proto(array: np.ndarray, tf):
    """The TensorProto of an array, filled directly (``tf.make_tensor_proto``
    costs several times more per answer); other dtypes go through TensorFlow."""
    from tensorflow.core.framework import tensor_pb2, types_pb2

    proto = tensor_pb2.TensorProto()
    if array.dtype == object:
        proto.dtype = types_pb2.DT_STRING
        proto.string_val.extend(array.reshape(-1).tolist())
    elif array.dtype in (np.float32, np.float64, np.int32, np.int64, np.bool_):
        proto.dtype = tf.dtypes.as_dtype(array.dtype).as_datatype_enum
        proto.tensor_content = np.ascontiguousarray(array, array.dtype.newbyteorder("<")) \
            .tobytes()
    else:
        return tf.make_tensor_proto(array)
    for size in array.shape:
        proto.tensor_shape.dim.add(size=size)
    return proto
