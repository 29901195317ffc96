"""``serve --workers 2``: both workers answer on the same REST and gRPC ports,
a worker that dies is replaced (one whose replacement cannot start leaves the
other serving), and no worker outlives its supervisor, even one killed
outright. Everything on 127.0.0.1, stopped by process id."""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time

import grpc
import httpx
import tensorflow as tf
from tensorflow_serving.apis import predict_pb2, prediction_service_pb2_grpc

from tests.serving.test_serve import children

TIMEOUT = 180


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie (exited, not yet reaped by a dead parent's init) counts as gone
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().split(") ")[1][0] != "Z"


def wait_until(condition, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"{what} within {seconds} s")


def pids_answering(url, tries=30) -> set:
    # a new connection per request: the kernel spreads them among the workers
    return {httpx.get(f"{url}/health", timeout=30).json()["pid"] for _ in range(tries)}


def test_workers_share_the_ports_are_replaced_and_follow_their_supervisor(
        saved_sentiment, fitted_sentiment, tmp_path):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    model = tmp_path / "model"
    shutil.copytree(saved_sentiment, model)
    port, grpc_port = free_port(), free_port()
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "TMPDIR": str(scratch)}
    log = open(tmp_path / "stderr.txt", "w+")  # noqa: SIM115 (the child writes it throughout)
    supervisor = subprocess.Popen(
        [sys.executable, "-m", "rnn_apps", "serve", "--model", str(model),
         "--workers", "2", "--port", str(port), "--grpc-port", str(grpc_port)],
        env=env, stdout=subprocess.DEVNULL, stderr=log)
    url, workers = f"http://127.0.0.1:{port}", []
    try:
        def ready():
            text = (tmp_path / "stderr.txt").read_text()
            assert supervisor.poll() is None, text[-2000:]
            found = re.search(r"2 workers ready \(pids (\d+), (\d+)\)", text)
            workers[:] = [int(p) for p in found.groups()] if found else []
            return bool(found)

        wait_until(ready, TIMEOUT, "the workers did not start")
        assert pids_answering(url) == set(workers)  # both answer on the one port
        expected = fitted_sentiment.predict(["a fine film"])[0]
        with grpc.insecure_channel(f"127.0.0.1:{grpc_port}") as channel:
            request = predict_pb2.PredictRequest()
            request.model_spec.name = "sentiment"
            request.inputs["text"].CopyFrom(tf.make_tensor_proto(["a fine film"]))
            reply = prediction_service_pb2_grpc.PredictionServiceStub(channel).Predict(
                request, timeout=30)
        assert tf.make_ndarray(reply.outputs["label"]).tolist() == [expected.encode()]

        os.kill(workers[0], signal.SIGKILL)  # a worker dies: another takes its place
        wait_until(lambda: "exited with code -9; starting another" in
                   (tmp_path / "stderr.txt").read_text(), 30, "no replacement was started")
        wait_until(lambda: len(pids_answering(url, 10)) == 2, TIMEOUT,
                   "the replacement did not answer")
        workers = sorted(pids_answering(url))
        assert len(workers) == 2 and supervisor.poll() is None

        # the model is gone and a worker dies: its replacement cannot start,
        # which is said in one line, and the other worker serves on
        model.rename(tmp_path / "gone")
        os.kill(workers[0], signal.SIGKILL)
        wait_until(lambda: "a replacement worker did not start: model directory" in
                   (tmp_path / "stderr.txt").read_text(), TIMEOUT, "no failed replacement")
        assert supervisor.poll() is None and pids_answering(url, 5) == {workers[1]}

        workers = children(supervisor.pid)  # the survivor, and a replacement being tried
        supervisor.kill()  # the supervisor killed outright: its workers stop themselves
        supervisor.wait(timeout=30)
        wait_until(lambda: not any(alive(pid) for pid in workers), 60,
                   "workers outlived their supervisor")
        # each worker removed its exported SavedModel on the way out, and the
        # supervisor removed the folders of the ones killed or failed
        assert len(list(scratch.glob("rnn-apps-serve-*/worker-*"))) <= 2
        assert not list(scratch.glob("rnn-apps-serve-*/worker-*/rnn-apps-serve-*"))
    finally:
        for pid in [supervisor.pid, *workers]:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
        supervisor.wait(timeout=30)
        log.close()
