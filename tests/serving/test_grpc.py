"""rnn-apps serve's gRPC API (TensorFlow Serving's): Predict answers as the
Python API, metadata holds the SavedModel's real signature, status lists the
version, and every bad request ends with its code and one line while the
server keeps serving.

Servers bind 127.0.0.1 on a free port in an event loop of a background thread,
every call has a timeout, and every server is stopped before its test ends.
"""

import asyncio
import concurrent.futures
import contextlib
import socket
import threading
import time

import grpc
import numpy as np
import pytest
import tensorflow as tf
from tensorflow.core.framework import tensor_pb2
from tensorflow_serving.apis import (
    classification_pb2,
    get_model_metadata_pb2,
    get_model_status_pb2,
    model_management_pb2,
    model_service_pb2_grpc,
    predict_pb2,
    prediction_service_pb2_grpc,
)

from rnn_apps import Tagger
from rnn_apps.errors import RnnAppsError
from rnn_apps.serving import Limits, load_servable
from rnn_apps.serving.grpc_api import deadline_limits, start_grpc
from rnn_apps.serving.models import ModelSet
from tests.tasks.test_tagging import corpus

TIMEOUT = 60
CALL = 30  # seconds: every client call's deadline


@contextlib.contextmanager
def serving(path, limits=None, name=None):
    """A gRPC server for ``path`` in a thread; yields ``(channel, models)``."""
    limits = limits or Limits()
    models = ModelSet.of(load_servable(path, name=name, limits=limits), limits)
    loop = asyncio.new_event_loop()
    started = concurrent.futures.Future()
    stop = asyncio.Event()

    async def main():
        try:
            models.start()
            server, port = await start_grpc(models, limits, "127.0.0.1", 0, False)
        except BaseException as error:
            started.set_exception(error)
            await models.stop()
            raise
        started.set_result(port)
        await stop.wait()
        await server.stop(1)
        await models.stop()

    thread = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
    thread.start()
    try:
        port = started.result(TIMEOUT)
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            yield channel, models
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(TIMEOUT)
        assert not thread.is_alive(), "the server did not stop"
        loop.close()


def predict_request(name, inputs, version=None, signature="", output_filter=()):
    request = predict_pb2.PredictRequest()
    request.model_spec.name = name
    request.model_spec.signature_name = signature
    if version is not None:
        request.model_spec.version.value = version
    for key, value in inputs.items():
        request.inputs[key].CopyFrom(value if isinstance(value, tensor_pb2.TensorProto)
                                     else tf.make_tensor_proto(value))
    request.output_filter.extend(output_filter)
    return request


def predict(channel, request):
    reply = prediction_service_pb2_grpc.PredictionServiceStub(channel).Predict(
        request, timeout=CALL)
    return {key: tf.make_ndarray(value) for key, value in reply.outputs.items()}, reply


def refused(method, request, code, fragment):
    """``method(request)`` ends with ``code`` and one line holding ``fragment``."""
    with pytest.raises(grpc.RpcError) as raised:
        method(request, timeout=CALL)
    error = raised.value
    assert error.code() == code, (error.code(), error.details())
    assert fragment in error.details(), error.details()
    assert "\n" not in error.details() and "Traceback" not in error.details()
    return error.details()


def strings(array):
    return [v.decode() for v in np.asarray(array).reshape(-1)]


@pytest.fixture(scope="module")
def sentiment_export(fitted_sentiment, tmp_path_factory):
    return fitted_sentiment.export(tmp_path_factory.mktemp("grpc") / "sentiment" / "1")


def test_sentiment_predict_metadata_and_status(fitted_sentiment, sentiment_test,
                                               sentiment_export):
    texts = sentiment_test[0][:8]
    with serving(sentiment_export.parent, name="reviews") as (channel, _):
        outputs, reply = predict(channel, predict_request("reviews", {"text": texts}))
        assert strings(outputs["label"]) == list(fitted_sentiment.predict(texts))
        np.testing.assert_allclose(outputs["probabilities"],
                                   fitted_sentiment.predict_proba(texts), atol=1e-5)
        assert outputs["probabilities"].dtype == np.float32
        assert (reply.model_spec.name, reply.model_spec.version.value,
                reply.model_spec.signature_name) == ("reviews", 1, "serving_default")
        only, _ = predict(channel, predict_request("reviews", {"text": texts[:2]}, version=1,
                                                   signature="serving_default",
                                                   output_filter=["label"]))
        assert list(only) == ["label"]
        assert strings(only["label"]) == list(fitted_sentiment.predict(texts[:2]))

        stub = prediction_service_pb2_grpc.PredictionServiceStub(channel)
        request = get_model_metadata_pb2.GetModelMetadataRequest(metadata_field=["signature_def"])
        request.model_spec.name = "reviews"
        meta = stub.GetModelMetadata(request, timeout=CALL)
        assert (meta.model_spec.name, meta.model_spec.version.value) == ("reviews", 1)
        signatures = get_model_metadata_pb2.SignatureDefMap()
        assert meta.metadata["signature_def"].Unpack(signatures)
        default = signatures.signature_def["serving_default"]
        assert list(default.inputs) == ["text"]
        assert default.inputs["text"].dtype == tf.string.as_datatype_enum
        assert {"label", "probabilities"} <= set(default.outputs)
        assert default.method_name == "tensorflow/serving/predict"

        models = model_service_pb2_grpc.ModelServiceStub(channel)
        status = models.GetModelStatus(get_model_status_pb2.GetModelStatusRequest(
            model_spec={"name": "reviews"}), timeout=CALL)
        assert [(s.version, s.state, s.status.error_code, s.status.error_message)
                for s in status.model_version_status] == [
            (1, get_model_status_pb2.ModelVersionStatus.AVAILABLE, 0, "")]
        refused(models.GetModelStatus, get_model_status_pb2.GetModelStatusRequest(
            model_spec={"name": "reviews", "version": {"value": 2}}),
            grpc.StatusCode.NOT_FOUND, "'reviews version 2'")
        refused(models.HandleReloadConfigRequest, model_management_pb2.ReloadConfigRequest(),
                grpc.StatusCode.UNIMPLEMENTED, "no new model config")


def huge_declared_tensor():
    proto = tf.make_tensor_proto([1.0])
    proto.tensor_shape.dim[0].size = 10**9  # one value broadcast to a billion
    return proto


def bad_utf8():
    proto = tf.make_tensor_proto(["x"])
    proto.string_val[0] = b"\xff\xfe"
    return proto


LIMITS = Limits(max_body_bytes=4096, max_instances=20, max_text_chars=200)
BAD_PREDICT = [
    ({"name": "other", "inputs": {"text": ["fine"]}}, "NOT_FOUND", "no model 'other'"),
    ({"inputs": {"text": ["fine"]}, "version": 3}, "NOT_FOUND", "version 3"),
    ({"inputs": {"text": ["fine"]}, "signature": "classify"}, "INVALID_ARGUMENT",
     "unknown signature_name 'classify'"),
    ({"inputs": {"txt": ["fine"]}}, "INVALID_ARGUMENT", "unknown input 'txt'"),
    ({"inputs": {}}, "INVALID_ARGUMENT", "has no input"),
    ({"inputs": {"text": [1.5, 2.5]}}, "INVALID_ARGUMENT", "instance 0: text must be a string"),
    ({"inputs": {"text": tf.make_tensor_proto([], dtype=tf.string)}}, "INVALID_ARGUMENT",
     "non-empty"),
    ({"inputs": {"text": "fine"}}, "INVALID_ARGUMENT", "batch dimension"),
    ({"inputs": {"text": ["fine", "   "]}}, "INVALID_ARGUMENT", "instance 1: text is empty"),
    ({"inputs": {"text": ["a\x00b"]}}, "INVALID_ARGUMENT", "NUL"),
    ({"inputs": {"text": bad_utf8()}}, "INVALID_ARGUMENT", "not valid UTF-8"),
    ({"inputs": {"text": ["a"] * 21}}, "RESOURCE_EXHAUSTED", "21 instances; the limit is 20"),
    ({"inputs": {"text": ["x" * 300]}}, "RESOURCE_EXHAUSTED", "characters; the limit is 200"),
    ({"inputs": {"text": ["y" * 5000]}}, "RESOURCE_EXHAUSTED", "larger than max"),
    ({"inputs": {"text": huge_declared_tensor()}}, "RESOURCE_EXHAUSTED", "elements"),
    ({"inputs": {"text": ["fine"], "temperature": 2.0}}, "INVALID_ARGUMENT",
     "unknown input 'temperature'"),
    ({"inputs": {"text": ["fine"]}, "output_filter": ["logits"]}, "INVALID_ARGUMENT",
     "output_filter names 'logits'"),
]


def test_bad_requests_get_their_code_and_the_server_keeps_serving(fitted_sentiment,
                                                                  sentiment_export):
    with serving(sentiment_export, LIMITS) as (channel, models):
        stub = prediction_service_pb2_grpc.PredictionServiceStub(channel)
        for given, code, fragment in BAD_PREDICT:
            request = predict_request(**{"name": "sentiment", **given})
            refused(stub.Predict, request, getattr(grpc.StatusCode, code), fragment)
        label = predict_request("sentiment", {"text": ["fine"]})
        label.model_spec.version_label = "stable"
        refused(stub.Predict, label, grpc.StatusCode.INVALID_ARGUMENT, "version_label 'stable'")
        refused(stub.Predict, predict_request("", {"text": ["fine"]}),
                grpc.StatusCode.INVALID_ARGUMENT, "model_spec.name is empty")
        for fields in ([], ["signature_def", "other"]):
            request = get_model_metadata_pb2.GetModelMetadataRequest(metadata_field=fields)
            request.model_spec.name = "sentiment"
            refused(stub.GetModelMetadata, request, grpc.StatusCode.INVALID_ARGUMENT,
                    "metadata_field")
        refused(stub.Classify, classification_pb2.ClassificationRequest(),
                grpc.StatusCode.UNIMPLEMENTED, "Classify is not served")
        # an unexpected failure in the model: INTERNAL, named by its type only
        adapter = models.resolve("sentiment").servable.adapter

        def broken(*args):
            raise ZeroDivisionError("a secret path /tmp/x")

        adapter.run = broken
        try:
            details = refused(stub.Predict, predict_request("sentiment", {"text": ["fine"]}),
                              grpc.StatusCode.INTERNAL, "internal error: ZeroDivisionError")
            assert "secret" not in details
        finally:
            del adapter.run
        outputs, _ = predict(channel, predict_request("sentiment", {"text": ["a fine film"]}))
        assert strings(outputs["label"]) == list(fitted_sentiment.predict(["a fine film"]))


def test_forecast_history_options_and_nan(saved_forecaster):
    import rnn_apps

    model = rnn_apps.load(saved_forecaster)
    rng = np.random.default_rng(0)
    windows = (10 + rng.normal(size=(3, 20, 2))).astype("float32")
    with serving(saved_forecaster) as (channel, _):
        outputs, _ = predict(channel, predict_request(
            "forecast", {"history": windows, "quantiles": True}))
        np.testing.assert_allclose(outputs["forecast"], model.predict(windows[:, -14:]),
                                   rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(outputs["quantiles"],
                                   model.predict_quantiles(windows[:, -14:]),
                                   rtol=1e-5, atol=1e-5)
        plain, _ = predict(channel, predict_request(
            "forecast", {"history": windows[:1], "quantiles": np.array([False])}))
        assert list(plain) == ["forecast"]
        np.testing.assert_allclose(plain["forecast"], model.predict(windows[:1, -14:]),
                                   rtol=1e-5, atol=1e-5)
        stub = prediction_service_pb2_grpc.PredictionServiceStub(channel)
        holed = windows.copy()
        holed[1, 16, 1] = np.nan
        for inputs, fragment in (
                ({"history": holed}, "instance 1: history holds NaN"),
                ({"history": windows[:, :5]}, "reads the last 14"),
                ({"history": windows[:, :, :1]}, "2 number(s)"),
                ({"history": windows, "quantiles": 2}, "quantiles must be true or false"),
                ({"history": windows, "quantiles": [True, False]}, "must be one value"),
                ({"history": windows, "future": windows}, "unknown input 'future'")):
            refused(stub.Predict, predict_request("forecast", inputs),
                    grpc.StatusCode.INVALID_ARGUMENT, fragment)
        outputs, _ = predict(channel, predict_request("forecast", {"history": windows}))
        np.testing.assert_allclose(outputs["forecast"], model.predict(windows[:, -14:]),
                                   rtol=1e-5, atol=1e-5)


def test_tagging_tokens_padded_in_and_out(tmp_path):
    sentences, tags = corpus(40)
    tagger = Tagger(units=8, embedding_dim=8, char_filters=4, epochs=1, seed=0,
                    verbose=0).fit(sentences, tags)
    tagger.save(tmp_path / "tokens")
    sample = [["Alice", "went", "to", "Rome"], ["we", "met", "Zed"], ["Bob"]]
    padded = [row + [""] * (4 - len(row)) for row in sample]
    with serving(tmp_path / "tokens") as (channel, _):
        outputs, _ = predict(channel, predict_request("tagging", {"tokens": padded}))
        got = outputs["tags"]
        assert got.shape == (3, 4)
        assert [[t.decode() for t in row if t] for row in got] == tagger.predict(sample)
        assert got[2, 1:].tolist() == [b"", b"", b""]
        stub = prediction_service_pb2_grpc.PredictionServiceStub(channel)
        refused(stub.Predict, predict_request("tagging", {"tokens": [["", ""]]}),
                grpc.StatusCode.INVALID_ARGUMENT, "instance 0: tokens must be a non-empty")


class Deadline:
    def __init__(self, remaining):
        self.remaining = remaining

    def time_remaining(self):
        return self.remaining


def test_the_client_deadline_bounds_the_request_timeout():
    limits = Limits(timeout_s=30)
    assert deadline_limits(limits, Deadline(None)) is limits
    assert deadline_limits(limits, Deadline(100)) is limits
    assert deadline_limits(limits, Deadline(2.5)).timeout_s == 2.5
    with pytest.raises(Exception, match="deadline passed"):
        deadline_limits(limits, Deadline(0))


def test_a_taken_port_is_refused_in_one_line(sentiment_export):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        async def attempt():
            await start_grpc(ModelSet([]), Limits(), "127.0.0.1", port, False)

        started = time.monotonic()
        with pytest.raises(RnnAppsError) as raised:
            asyncio.run(asyncio.wait_for(attempt(), TIMEOUT))
    assert str(raised.value) == f"cannot listen on 127.0.0.1:{port} (gRPC): " \
                                "Address already in use"
    assert time.monotonic() - started < TIMEOUT


def test_concurrent_predicts_share_batches(fitted_sentiment, sentiment_test, sentiment_export):
    texts = sentiment_test[0][:40]
    expected = dict(zip(texts, fitted_sentiment.predict(texts)))
    with serving(sentiment_export) as (channel, models):
        stub = prediction_service_pb2_grpc.PredictionServiceStub(channel)
        calls = [(texts[i % len(texts)],
                  stub.Predict.future(predict_request("sentiment", {"text": [texts[i % 40]]}),
                                      timeout=CALL)) for i in range(120)]
        labels = [(text, tf.make_ndarray(call.result().outputs["label"])[0].decode())
                  for text, call in calls]
        batches = models.resolve("sentiment").batcher.batches
    assert all(label == expected[text] for text, label in labels)
    assert batches < 120  # calls arriving together ran as shared batches


@contextlib.contextmanager
def worker_serving(path, limits=None):
    """REST and gRPC of one worker (:func:`serve_models`) in a thread; yields
    ``(rest url, grpc channel)``."""
    from dataclasses import asdict

    from rnn_apps.serving.worker import serve_models

    limits = limits or Limits()
    models = ModelSet.of(load_servable(path, limits=limits), limits)
    spec = {"models": [], "limits": asdict(limits), "host": "127.0.0.1", "port": 0,
            "grpc_port": 0, "poll_s": 0}
    loop = asyncio.new_event_loop()
    ports = concurrent.futures.Future()
    stop = asyncio.Event()

    async def main():
        task = asyncio.ensure_future(serve_models(
            models, spec, ready=lambda rest, grpc_port: ports.set_result((rest, grpc_port))))
        await asyncio.wait([task, asyncio.ensure_future(stop.wait())],
                           return_when=asyncio.FIRST_COMPLETED)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        if not ports.done():
            ports.set_exception(RuntimeError("the worker stopped before it was ready"))

    thread = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
    thread.start()
    try:
        rest, grpc_port = ports.result(TIMEOUT)
        with grpc.insecure_channel(f"127.0.0.1:{grpc_port}") as channel:
            yield f"http://127.0.0.1:{rest}", channel
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(TIMEOUT)
        assert not thread.is_alive(), "the worker did not stop"
        loop.close()


def test_one_worker_answers_alike_over_rest_and_grpc(fitted_sentiment, sentiment_test,
                                                     sentiment_export):
    import httpx

    texts = sentiment_test[0][:5]
    with worker_serving(sentiment_export) as (url, channel):
        rest = httpx.post(f"{url}/v1/models/sentiment:predict", json={"instances": texts},
                          timeout=CALL).json()["predictions"]
        outputs, _ = predict(channel, predict_request("sentiment", {"text": texts}))
    assert strings(outputs["label"]) == [row["label"] for row in rest] == list(
        fitted_sentiment.predict(texts))
    np.testing.assert_allclose(outputs["probabilities"], [row["probabilities"] for row in rest],
                               atol=1e-6)


def test_textgen_options_as_scalar_tensors(tmp_path):
    from rnn_apps import TextGenerator
    from tests.conftest import DATASETS

    text = (DATASETS / "textgen" / "corpus.txt").read_text(encoding="utf-8")[:2000]
    model = TextGenerator(cell="gru", units=8, embedding_dim=8, bptt=16, batch_size=4,
                          epochs=1, seed=0, verbose=0).fit(text)
    model.save(tmp_path / "lm")
    prompt = text[:12]
    with serving(tmp_path / "lm", Limits(max_generation_length=50)) as (channel, _):
        seeded, _ = predict(channel, predict_request("textgen", {
            "prompt": [prompt], "length": np.int32(20), "temperature": np.float32(0.8),
            "top_k": [5], "seed": np.int64(7)}))
        assert strings(seeded["text"]) == [
            model.generate(prompt, length=20, temperature=0.8, top_k=5, seed=7)]
        greedy, _ = predict(channel, predict_request("textgen", {
            "prompt": [prompt, text[40:50]], "length": 10, "temperature": 0.0}))
        assert strings(greedy["text"]) == model.generate([prompt, text[40:50]], length=10,
                                                         temperature=0)
        stub = prediction_service_pb2_grpc.PredictionServiceStub(channel)
        for options, fragment in (({"length": 51}, "length must be from 1 to 50"),
                                  ({"length": 2.5}, "length must be an integer"),
                                  ({"temperature": "hot"}, "temperature must be a number"),
                                  ({"seed": [1, 2]}, "option 'seed' must be one value")):
            refused(stub.Predict, predict_request("textgen", {"prompt": [prompt], **options}),
                    grpc.StatusCode.INVALID_ARGUMENT, fragment)
