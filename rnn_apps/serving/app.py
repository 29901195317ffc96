"""The HTTP application: TensorFlow Serving's REST API over one model.

Routes: ``POST /v1/models/NAME:predict`` (and ``/versions/N:predict``) with
``{"instances": [...]}`` (row format, answered as ``{"predictions": [...]}``)
or ``{"inputs": ...}`` (columnar, answered as ``{"outputs": ...}``), plus the
task's options as extra fields; ``GET /v1/models/NAME`` (status),
``GET /v1/models/NAME/metadata`` (signature, task, parameters, training
metrics, provenance) and ``GET /health``. Every refusal is a 4xx answer
``{"error": "<one line>"}``; nothing a client sends produces a traceback.
"""

from __future__ import annotations

import asyncio
import gc
import json
import re
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from rnn_apps.serving.batching import Batcher
from rnn_apps.serving.limits import Limits, RequestError


def _reject_constant(name):
    raise ValueError(f"{name} is not valid JSON")


def graph_message(error) -> str:
    """The readable part of an in-graph check's error."""
    text = str(getattr(error, "message", error))
    found = re.search(r"assertion failed: \[(.*?)\]", text, re.DOTALL)
    return " ".join((found.group(1) if found else text.split("\n")[0]).split())[:500]


async def read_body(request, limit: int, timeout_s: float = 10.0) -> dict:
    """The JSON object of a request body of at most ``limit`` bytes; 408 when
    it has not all arrived within ``timeout_s`` (the connection is closed)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise RequestError(f"the request body is larger than {limit} bytes", status=413)
    body = bytearray()

    async def receive():
        async for chunk in request.stream():
            body.extend(chunk)
            if len(body) > limit:
                raise RequestError(f"the request body is larger than {limit} bytes",
                                   status=413)

    try:
        await asyncio.wait_for(receive(), timeout_s)
    except TimeoutError:
        raise RequestError(f"the request body did not arrive within {timeout_s:g} s "
                           f"({len(body)} bytes came)", status=408) from None
    try:
        value = json.loads(bytes(body).decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise RequestError(f"the body is not valid JSON: {error}") from None
    if not isinstance(value, dict):
        raise RequestError("the body must be a JSON object with 'instances' or 'inputs'")
    return value


def split_request(body: dict, adapter, limits: Limits):
    """``(instances, options, columnar)`` from a predict request body."""
    if ("instances" in body) == ("inputs" in body):
        raise RequestError("the body needs exactly one of 'instances' and 'inputs'")
    signature = body.get("signature_name", "serving_default")
    if signature != "serving_default":
        raise RequestError(f"unknown signature_name {signature!r}; this model serves "
                           f"'serving_default'")
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


def create_app(servable, limits: Limits | None = None):
    import tensorflow as tf

    limits = limits or Limits()
    batcher = Batcher(servable.run, max_batch=limits.max_batch, wait_ms=limits.batch_wait_ms)

    @asynccontextmanager
    async def lifespan(app):
        # TensorFlow leaves millions of long-lived objects; a full collection
        # scanning them all stalls every request for a few hundred ms. Frozen,
        # they are skipped, and collections only look at what requests create.
        gc.collect()
        gc.freeze()
        batcher.start()
        yield
        await batcher.stop()

    app = FastAPI(title=f"rnn-apps: {servable.task} model '{servable.name}'",
                  description="TensorFlow Serving's REST API (predict, status, metadata).",
                  lifespan=lifespan)
    app.state.batcher, app.state.servable = batcher, servable

    def error(message: str, status: int):
        return JSONResponse({"error": " ".join(str(message).split())[:1000]}, status_code=status)

    @app.exception_handler(HTTPException)
    async def http_error(request, exc):
        return error(exc.detail if isinstance(exc.detail, str) else "bad request",
                     exc.status_code)

    @app.exception_handler(RequestError)
    async def refused(request, exc):
        answer = error(exc.message, exc.status)
        if exc.status == 408:  # the rest of a stalled body must not be read as a request
            answer.headers["connection"] = "close"
        return answer

    @app.exception_handler(RequestValidationError)
    async def invalid(request, exc):
        return error("the request does not match this route", 400)

    @app.exception_handler(Exception)
    async def unexpected(request, exc):
        return error(f"internal error: {type(exc).__name__}", 500)

    def check_name(name: str, version: str | None = None):
        if name != servable.name or (version is not None and version != servable.version):
            wanted = name if version is None else f"{name} version {version}"
            raise RequestError(f"no model {wanted!r} here (serving {servable.name!r} version "
                               f"{servable.version})", status=404)

    @app.get("/health")
    async def health():
        return {"status": "ok", "model": servable.name, "task": servable.task}

    @app.get("/v1/models/{name}")
    @app.get("/v1/models/{name}/versions/{version}")
    async def status(name: str, version: str | None = None):
        check_name(name, version)
        return {"model_version_status": [{"version": servable.version, "state": "AVAILABLE",
                                          "status": {"error_code": "OK", "error_message": ""}}]}

    @app.get("/v1/models/{name}/metadata")
    @app.get("/v1/models/{name}/versions/{version}/metadata")
    async def metadata(name: str, version: str | None = None):
        check_name(name, version)
        return servable.metadata()

    async def predict(request: Request, target: str, version: str | None):
        name, _, action = target.rpartition(":")
        try:
            if action != "predict":
                raise RequestError(f"unknown method {action!r} (this server answers "
                                   f"':predict')", status=404)
            check_name(name, version)
            body = await read_body(request, limits.max_body_bytes, limits.read_timeout_s)
            instances, options, columnar = split_request(body, servable.adapter, limits)
            answers = await asyncio.wait_for(
                batcher.submit(instances, options, servable.adapter.batchable(options)),
                limits.timeout_s)
        except TimeoutError:
            return error(f"the request took longer than {limits.timeout_s:g} s", 504)
        except tf.errors.InvalidArgumentError as invalid:
            return error(graph_message(invalid), 400)
        return JSONResponse(shape_answers(answers, columnar))  # already plain JSON types

    @app.post("/v1/models/{target}")
    async def predict_latest(request: Request, target: str):
        return await predict(request, target, None)

    @app.post("/v1/models/{name}/versions/{target}")
    async def predict_version(request: Request, name: str, target: str):
        version, _, action = target.partition(":")
        return await predict(request, f"{name}:{action}", version)

    return app
