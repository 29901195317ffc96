"""TensorFlow Serving's gRPC API over the served models (``serve --grpc-port``).

``PredictionService``: ``Predict`` (the model's signature inputs as batch-major
tensors, the task's options as scalar tensors; the same checks, limits and
one-line messages as REST, see :mod:`rnn_apps.serving.grpc_tensors`) and
``GetModelMetadata`` (the SavedModel's real ``SignatureDefMap``);
``ModelService``: ``GetModelStatus``. A refused request ends with the gRPC code
of its HTTP status and REST's one-line message; anything unexpected with
INTERNAL ``internal error: <Type>``. The smaller of the client's deadline and
the server's timeout bounds each request.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import socket
import sys
import threading
import weakref

import grpc
from tensorflow_serving.apis import (
    get_model_metadata_pb2,
    get_model_status_pb2,
    model_service_pb2_grpc,
    predict_pb2,
    prediction_service_pb2_grpc,
)

from rnn_apps.errors import RnnAppsError
from rnn_apps.serving.grpc_tensors import answer_tensors, request_body
from rnn_apps.serving.limits import Limits, RequestError
from rnn_apps.serving.requests import SIGNATURE, check_signature, run_request, split_request

CODES = {400: grpc.StatusCode.INVALID_ARGUMENT, 404: grpc.StatusCode.NOT_FOUND,
         413: grpc.StatusCode.RESOURCE_EXHAUSTED, 408: grpc.StatusCode.DEADLINE_EXCEEDED,
         504: grpc.StatusCode.DEADLINE_EXCEEDED, 501: grpc.StatusCode.UNIMPLEMENTED,
         503: grpc.StatusCode.UNAVAILABLE}


def answered(method):
    """A handler whose refusals end the call with their code and one line."""

    @functools.wraps(method)
    async def handler(self, request, context):
        try:
            return await method(self, request, context)
        except RequestError as error:
            code, message = CODES.get(error.status, grpc.StatusCode.INTERNAL), error.message
        except grpc.aio.AbortError:
            raise
        except Exception as error:  # noqa: BLE001 (never a traceback to the client)
            code, message = grpc.StatusCode.INTERNAL, f"internal error: {type(error).__name__}"
            text = " ".join(f"{type(error).__name__}: {error}".split())[:500]
            print(f"rnn-apps serve: gRPC {method.__name__} failed: {text}", file=sys.stderr,
                  flush=True)
        await context.abort(code, " ".join(message.split())[:1000])

    return handler


def model_spec(spec, models) -> tuple[str, str | None]:
    """``(name, version or None)`` of a request's ModelSpec (404 for an unknown model)."""
    if not spec.name:
        raise RequestError("model_spec.name is empty")
    choice = spec.WhichOneof("version_choice")
    version = str(spec.version.value) if choice == "version" else None
    models.resolve(spec.name, version)
    if choice == "version_label":
        raise RequestError(f"unknown version_label {spec.version_label!r} of model "
                           f"{spec.name!r}: this server has no version labels; ask by version")
    return spec.name, version


def deadline_limits(limits: Limits, context) -> Limits:
    """The limits with the smaller of the client's deadline and the server's timeout."""
    remaining = context.time_remaining()
    if remaining is None or remaining >= limits.timeout_s:
        return limits
    if remaining <= 0:
        raise RequestError("the client's deadline passed before the request ran", status=504)
    return dataclasses.replace(limits, timeout_s=remaining)


class PredictionService(prediction_service_pb2_grpc.PredictionServiceServicer):
    def __init__(self, models, limits: Limits):
        self.models, self.limits = models, limits
        self.signature_defs: dict[int, tuple] = {}  # id(servable) -> (weakref, map)
        self.lock = threading.Lock()  # the map is read in worker threads

    @answered
    async def Predict(self, request, context):
        name, version = model_spec(request.model_spec, self.models)
        check_signature(request.model_spec.signature_name)
        limits = deadline_limits(self.limits, context)
        tensors = dict(request.inputs)

        def build(adapter):
            body = request_body(tensors, adapter, request.model_spec.signature_name,
                                limits.max_body_bytes)
            instances, options, _ = split_request(body, adapter, limits)
            return instances, options

        entry, answers = await run_request(self.models, name, version, build, limits)
        response = predict_pb2.PredictResponse()
        response.model_spec.name = name
        response.model_spec.version.value = int(entry.version)
        response.model_spec.signature_name = SIGNATURE
        outputs = entry.servable.signature.get("outputs") or {}
        for key, tensor in answer_tensors(answers, outputs, list(request.output_filter)).items():
            response.outputs[key].CopyFrom(tensor)
        return response

    @answered
    async def GetModelMetadata(self, request, context):
        name, version = model_spec(request.model_spec, self.models)
        fields = list(request.metadata_field)
        if fields != ["signature_def"]:
            raise RequestError(f"metadata_field must be ['signature_def'] (the one field this "
                               f"server answers), got {fields}")
        servable = self.models.resolve(name, version).servable
        packed = await asyncio.to_thread(self._signature_defs, servable)
        response = get_model_metadata_pb2.GetModelMetadataResponse()
        response.model_spec.name = name
        response.model_spec.version.value = int(servable.version)
        response.metadata["signature_def"].Pack(packed)
        return response

    def _signature_defs(self, servable):
        """The SignatureDefMap of the servable's SavedModel, read once."""
        with self.lock:
            cached = self.signature_defs.get(id(servable))
        if cached is not None and cached[0]() is servable:
            return cached[1]
        if servable.saved_model is None:
            raise RequestError(f"the SavedModel of {servable.name!r} is not at hand", 501)
        from tensorflow.python.saved_model import loader_impl

        graph = loader_impl.parse_saved_model(str(servable.saved_model)).meta_graphs[0]
        packed = get_model_metadata_pb2.SignatureDefMap()
        for key, value in graph.signature_def.items():
            packed.signature_def[key].CopyFrom(value)
        with self.lock:
            for key in [k for k, (ref, _) in self.signature_defs.items() if ref() is None]:
                del self.signature_defs[key]
            self.signature_defs[id(servable)] = (weakref.ref(servable), packed)
        return packed

    async def _unserved(self, request, context, method: str):
        await context.abort(grpc.StatusCode.UNIMPLEMENTED,
                            f"{method} is not served here; this server answers Predict and "
                            "GetModelMetadata")

    async def Classify(self, request, context):
        await self._unserved(request, context, "Classify")

    async def Regress(self, request, context):
        await self._unserved(request, context, "Regress")

    async def MultiInference(self, request, context):
        await self._unserved(request, context, "MultiInference")


class ModelService(model_service_pb2_grpc.ModelServiceServicer):
    def __init__(self, models):
        self.models = models

    @answered
    async def GetModelStatus(self, request, context):
        name, version = model_spec(request.model_spec, self.models)
        response = get_model_status_pb2.GetModelStatusResponse()
        codes = get_model_status_pb2.ModelVersionStatus.DESCRIPTOR.fields_by_name[
            "status"].message_type.fields_by_name["error_code"].enum_type.values_by_name
        for row in self.models.status(name, version):
            status = response.model_version_status.add()
            status.version = int(row["version"])
            status.state = get_model_status_pb2.ModelVersionStatus.State.Value(row["state"])
            status.status.error_code = codes[row["status"]["error_code"]].number
            status.status.error_message = row["status"]["error_message"]
        return response

    async def HandleReloadConfigRequest(self, request, context):
        await context.abort(grpc.StatusCode.UNIMPLEMENTED,
                            "this server takes no new model config over gRPC; it serves the "
                            "models it started with and watches their versions on disk")


def _address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host and not host.startswith("[") else f"{host}:{port}"


def _bind_error(host: str, port: int) -> str:
    """Why ``host:port`` cannot be bound, as the system says it (gRPC does not)."""
    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.bind((host.strip("[]"), port))
    except OSError as error:
        return error.strerror or str(error)
    return "the address cannot be bound"


async def start_grpc(models, limits: Limits, host: str, port: int, reuse_port: bool = False):
    """``(server, bound port)``: the gRPC API listening on ``host:port`` (0: a free port)."""
    server = grpc.aio.server(
        options=[("grpc.so_reuseport", 1 if reuse_port else 0),
                 ("grpc.max_receive_message_length", limits.max_body_bytes)],
        maximum_concurrent_rpcs=limits.max_connections)
    prediction_service_pb2_grpc.add_PredictionServiceServicer_to_server(
        PredictionService(models, limits), server)
    model_service_pb2_grpc.add_ModelServiceServicer_to_server(ModelService(models), server)
    try:
        bound = server.add_insecure_port(_address(host, port))
    except RuntimeError:
        bound = 0
    if not bound:
        await server.stop(None)
        raise RnnAppsError(f"cannot listen on {host}:{port} (gRPC): {_bind_error(host, port)}")
    await server.start()
    return server, bound
