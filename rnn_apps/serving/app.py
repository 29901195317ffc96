"""The HTTP application: TensorFlow Serving's REST API over the served models.

Routes: ``POST /v1/models/NAME:predict`` (and ``/versions/N:predict``) with
``{"instances": [...]}`` (row format, answered as ``{"predictions": [...]}``)
or ``{"inputs": ...}`` (columnar, answered as ``{"outputs": ...}``), plus the
task's options as extra fields; ``GET /v1/models/NAME`` (status of its
versions), ``GET /v1/models/NAME/metadata`` (signature, task, parameters,
training metrics, provenance) and ``GET /health``. Every refusal is a 4xx
answer ``{"error": "<one line>"}``; nothing a client sends produces a traceback.
"""

from __future__ import annotations

import asyncio
import gc
import os
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from rnn_apps.serving.limits import Limits, RequestError
from rnn_apps.serving.models import ModelSet
from rnn_apps.serving.requests import dumps, loads, run_request, shape_answers, split_request


def json_response(value, status: int = 200) -> Response:
    return Response(dumps(value), status_code=status, media_type="application/json")


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
        value = loads(bytes(body))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise RequestError(f"the body is not valid JSON: {error}") from None
    if not isinstance(value, dict):
        raise RequestError("the body must be a JSON object with 'instances' or 'inputs'")
    return value



def create_app(models, limits: Limits | None = None):
    """The application over a :class:`ModelSet` (or one loaded servable)."""
    limits = limits or Limits()
    if not isinstance(models, ModelSet):
        models = ModelSet.of(models, limits)

    @asynccontextmanager
    async def lifespan(app):
        # TensorFlow leaves millions of long-lived objects; a full collection
        # scanning them all stalls every request for a few hundred ms. Frozen,
        # they are skipped, and collections only look at what requests create.
        gc.collect()
        gc.freeze()
        owned = not models.started  # a worker running gRPC beside starts them itself
        models.start()
        yield
        if owned:
            await models.stop()

    names = ", ".join(f"'{name}'" for name in models.names())
    app = FastAPI(title=f"rnn-apps: {names}",
                  description="TensorFlow Serving's REST API (predict, status, metadata).",
                  lifespan=lifespan)
    app.state.models = models

    def error(message: str, status: int):
        return json_response({"error": " ".join(str(message).split())[:1000]}, status)

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

    @app.get("/health")
    async def health():
        return json_response({"status": "ok", "pid": os.getpid(), "models": {
            name: {"task": models.resolve(name).servable.task,
                   "versions": [row["version"] for row in models.status(name)]}
            for name in models.names()}})

    @app.get("/v1/models/{name}")
    @app.get("/v1/models/{name}/versions/{version}")
    async def status(name: str, version: str | None = None):
        return json_response({"model_version_status": models.status(name, version)})

    @app.get("/v1/models/{name}/metadata")
    @app.get("/v1/models/{name}/versions/{version}/metadata")
    async def metadata(name: str, version: str | None = None):
        return json_response(models.resolve(name, version).servable.metadata())

    async def predict(request: Request, target: str, version: str | None):
        name, _, action = target.rpartition(":")
        if action != "predict":
            raise RequestError(f"unknown method {action!r} (this server answers "
                               f"':predict')", status=404)
        models.resolve(name, version)  # 404 before the body is read
        body = await read_body(request, limits.max_body_bytes, limits.read_timeout_s)

        def build(adapter):
            instances, options, _ = split_request(body, adapter, limits)
            return instances, options

        _, answers = await run_request(models, name, version, build, limits)
        return json_response(shape_answers(answers, "inputs" in body))

    @app.post("/v1/models/{target}")
    async def predict_latest(request: Request, target: str):
        return await predict(request, target, None)

    @app.post("/v1/models/{name}/versions/{target}")
    async def predict_version(request: Request, name: str, target: str):
        version, _, action = target.partition(":")
        return await predict(request, f"{name}:{action}", version)

    return app
