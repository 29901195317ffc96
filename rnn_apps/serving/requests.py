"""What REST and gRPC requests share: reading a predict request into checked
instances and options, running it on the model it names (queued on that
model's batcher, under the request timeout), and TF Serving's answer shapes.
Every refusal is a :class:`RequestError` (a status and one line)."""

from __future__ import annotations

import asyncio
import json
import re

from rnn_apps.serving.limits import Limits, RequestError

try:  # a faster JSON reader and writer when installed (the serve extra has it)
    import orjson
except ImportError:  # pragma: no cover - the plain library does the same, slower
    orjson = None


def loads(data: bytes):
    """A JSON value; NaN, Infinity and invalid UTF-8 are refused. orjson reads
    what it can; the rest (a refusal, or what only the standard library takes,
    such as integers past 64 bits) goes through :func:`json.loads`, so what is
    accepted and the error messages do not depend on orjson."""
    if orjson is not None:
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError:
            pass
    return json.loads(data.decode("utf-8"), parse_constant=_reject_constant)


def dumps(value) -> bytes:
    if orjson is not None:
        return orjson.dumps(value)
    return json.dumps(value, separators=(",", ":")).encode()


def _reject_constant(name):
    raise ValueError(f"{name} is not valid JSON")


def graph_message(error) -> str:
    """The readable part of an in-graph check's error."""
    text = str(getattr(error, "message", error))
    found = re.search(r"assertion failed: \[(.*?)\]", text, re.DOTALL)
    return " ".join((found.group(1) if found else text.split("\n")[0]).split())[:500]


SIGNATURE = "serving_default"


def check_signature(name: str) -> None:
    """The one signature served (gRPC's empty name means it too)."""
    if name not in ("", SIGNATURE):
        raise RequestError(f"unknown signature_name {name!r}; this model serves '{SIGNATURE}'")


def split_request(body: dict, adapter, limits: Limits):
    """``(instances, options, columnar)`` from a predict request body."""
    if ("instances" in body) == ("inputs" in body):
        raise RequestError("the body needs exactly one of 'instances' and 'inputs'")
    check_signature(body.get("signature_name", SIGNATURE))
    columnar = "inputs" in body
    given = body["inputs"] if columnar else body["instances"]
    if columnar and isinstance(given, dict):
        columns = list(given.values())
        if not all(isinstance(c, list) for c in columns) or len({len(c) for c in columns}) != 1:
            raise RequestError("'inputs' must map each input name to lists of one length")
        given = [dict(zip(given, row)) for row in zip(*columns)]
    if not isinstance(given, list) or not given:
        raise RequestError(f"'{'inputs' if columnar else 'instances'}' must be a non-empty list")
    if len(given) > limits.max_instances:
        raise RequestError(f"{len(given)} instances; the limit is {limits.max_instances}",
                           status=413)
    options = adapter.options({k: v for k, v in body.items()
                               if k not in ("instances", "inputs", "signature_name")})
    instances = []
    for index, item in enumerate(given):
        try:
            instances.append(adapter.parse(item))
        except RequestError as error:
            raise RequestError(f"instance {index}: {error.message}", error.status) from None
    return instances, options, columnar


def shape_answers(answers: list[dict], columnar: bool) -> dict:
    """TF Serving's answer shapes: one output is given bare, several by name."""
    keys = list(answers[0]) if answers else []
    if columnar:
        outputs = {key: [answer[key] for answer in answers] for key in keys}
        return {"outputs": outputs[keys[0]] if len(keys) == 1 else outputs}
    return {"predictions": [answer[keys[0]] if len(keys) == 1 else answer
                            for answer in answers]}




async def run_request(models, name: str, version: str | None, build, limits: Limits):
    """``(entry, answers)``: ``build(adapter) -> (instances, options)`` checks the
    request for the model it names; it is queued on that model's batcher in the
    same step as the model is found (so a retiring version never takes it)."""
    import tensorflow as tf

    entry = models.resolve(name, version)
    adapter = entry.servable.adapter
    instances, options = build(adapter)
    future = entry.batcher.enqueue(instances, options, adapter.batchable(options))
    try:
        return entry, await asyncio.wait_for(future, limits.timeout_s)
    except TimeoutError:
        raise RequestError(f"the request took longer than {limits.timeout_s:g} s",
                           status=504) from None
    except tf.errors.InvalidArgumentError as invalid:
        raise RequestError(graph_message(invalid), 400) from None
