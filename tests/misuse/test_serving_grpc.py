"""The gRPC API under abuse: bytes that are not HTTP/2, silent connections,
more calls at once than the cap, a model slower than the deadline, SIGTERM.
Servers bind 127.0.0.1; every call has a deadline; every server is stopped."""

import os
import signal
import socket
import subprocess
import sys
import threading
import time

import grpc
import pytest
import tensorflow as tf
from tensorflow_serving.apis import prediction_service_pb2_grpc

from rnn_apps.serving import Limits
from tests.serving.test_grpc import CALL, predict, predict_request, refused, serving, strings


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def blocked(adapter, gate: threading.Event):
    """``adapter.run`` waits for ``gate`` (at most a minute) before it answers."""
    run = adapter.run

    def slow(*args):
        gate.wait(60)
        return run(*args)

    adapter.run = slow


def test_calls_beyond_the_cap_and_the_deadlines_end_cleanly(fitted_sentiment, saved_sentiment):
    limits = Limits(max_connections=2, timeout_s=20)
    expected = fitted_sentiment.predict(["a fine film"])[0]
    with serving(saved_sentiment, limits) as (channel, models):
        stub = prediction_service_pb2_grpc.PredictionServiceStub(channel)
        adapter = models.resolve("sentiment").servable.adapter
        gate = threading.Event()
        blocked(adapter, gate)
        try:
            request = predict_request("sentiment", {"text": ["a fine film"]})
            held = [stub.Predict.future(request, timeout=CALL) for _ in range(2)]
            time.sleep(0.5)  # both are in the server, waiting on the model
            refused(stub.Predict, request, grpc.StatusCode.RESOURCE_EXHAUSTED,
                    "Concurrent RPC limit")
            gate.set()
            assert [strings(tf.make_ndarray(call.result(CALL).outputs["label"]))
                    for call in held] == [[expected]] * 2

            # the client's deadline is shorter than the model: DEADLINE_EXCEEDED,
            # and the server answers the next call
            gate.clear()
            with pytest.raises(grpc.RpcError) as late:
                stub.Predict(request, timeout=0.5)
            assert late.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
            gate.set()
        finally:
            gate.set()
            del adapter.run
        outputs, _ = predict(channel, request)
        assert strings(outputs["label"]) == [expected]


def test_garbage_silence_and_sigterm_with_the_cli(fitted_sentiment, saved_sentiment, tmp_path):
    scratch_root = tmp_path / "tmp"
    scratch_root.mkdir()
    port, grpc_port = free_port(), free_port()
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "TMPDIR": str(scratch_root)}
    server = subprocess.Popen(
        [sys.executable, "-m", "rnn_apps", "serve", "--model", str(saved_sentiment),
         "--port", str(port), "--grpc-port", str(grpc_port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    target = f"127.0.0.1:{grpc_port}"
    request = predict_request("sentiment", {"text": ["a fine film"]})
    expected = [fitted_sentiment.predict(["a fine film"])[0]]
    try:
        deadline, outputs = time.monotonic() + 180, None
        with grpc.insecure_channel(target) as channel:
            while outputs is None and time.monotonic() < deadline and server.poll() is None:
                try:
                    outputs, _ = predict(channel, request)
                except grpc.RpcError:
                    time.sleep(0.5)
        assert outputs is not None, server.stderr.read().decode()[-2000:] \
            if server.poll() is not None else "the server did not answer"
        assert strings(outputs["label"]) == expected

        # bytes that are not HTTP/2: the connection is closed, nothing else happens
        with socket.create_connection(("127.0.0.1", grpc_port), timeout=10) as garbage:
            garbage.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n" + os.urandom(4096))
            garbage.settimeout(10)
            try:
                while garbage.recv(65536):
                    pass
            except (TimeoutError, ConnectionResetError):
                pass
        # a connection that stays silent does not hold the others up
        with socket.create_connection(("127.0.0.1", grpc_port), timeout=10), \
                grpc.insecure_channel(target) as channel:
            outputs, _ = predict(channel, request)
            assert strings(outputs["label"]) == expected
            stub = prediction_service_pb2_grpc.PredictionServiceStub(channel)
            refused(stub.Predict, predict_request("sentiment", {"text": [3.0]}),
                    grpc.StatusCode.INVALID_ARGUMENT, "instance 0: text must be a string")
        scratch = list(scratch_root.glob("rnn-apps-serve-*"))
        assert len(scratch) == 1

        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=60) == 0
        stderr = server.stderr.read().decode()
        assert f"gRPC on 127.0.0.1:{grpc_port}" in stderr and "stopped (SIGTERM)" in stderr
        assert "Traceback" not in stderr, stderr[-2000:]
        assert not scratch[0].exists()
    finally:
        if server.poll() is None:
            server.kill()
            server.wait(timeout=30)

