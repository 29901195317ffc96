"""Load generators for benchmarks/serve_scale.py beyond serve_load's REST one:
a grpc.aio client, and wrk (REST) / h2load (gRPC) when installed."""

from __future__ import annotations

import asyncio
import re
import struct
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np


def predict_request(text: str):
    import tensorflow as tf
    from tensorflow_serving.apis import predict_pb2

    request = predict_pb2.PredictRequest()
    request.model_spec.name = "sentiment"
    request.inputs["text"].CopyFrom(tf.make_tensor_proto([text]))
    return request


async def grpc_drive(port: int, texts: list, clients: int, seconds: float) -> dict:
    """``clients`` channels (each its own connection), one Predict in flight each."""
    import grpc
    from tensorflow_serving.apis import prediction_service_pb2_grpc

    requests = [predict_request(text) for text in texts]
    latencies, errors = [], []
    stop_at = time.perf_counter() + seconds

    async def client():
        options = [("grpc.use_local_subchannel_pool", 1)]  # a connection of its own
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}", options=options) as channel:
            stub = prediction_service_pb2_grpc.PredictionServiceStub(channel)
            index, first = 0, True
            while time.perf_counter() < stop_at:
                started = time.perf_counter()
                try:
                    await stub.Predict(requests[index % len(requests)], timeout=60)
                except grpc.RpcError as error:
                    errors.append(str(error.code()))
                index += 1
                if not first:  # a connection's first call includes its set-up
                    latencies.append(time.perf_counter() - started)
                first = False

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    elapsed = time.perf_counter() - started
    ms = np.asarray(latencies) * 1000
    return {"clients": clients, "requests": len(latencies), "rps": len(latencies) / elapsed,
            "p50_ms": float(np.percentile(ms, 50)), "p99_ms": float(np.percentile(ms, 99)),
            "errors": len(errors), "latencies_ms": ms.tolist()}


def wrk_drive(port: int, texts: list, clients: int, seconds: float) -> dict:
    """wrk with one POST body (the first text), ``clients`` connections."""
    import json

    body = json.dumps({"instances": [texts[0]]})
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(f'wrk.method = "POST"\nwrk.body = {json.dumps(body)}\n'
                     f'wrk.headers["Content-Type"] = "application/json"\n')
    out = subprocess.run(
        ["wrk", "-t", str(min(2, clients)), "-c", str(clients), "-d", f"{int(seconds)}s",
         "--latency", "-s", script.name, f"http://127.0.0.1:{port}/v1/models/sentiment:predict"],
        capture_output=True, text=True, timeout=seconds + 120, check=False).stdout
    Path(script.name).unlink()

    def ms(label):
        value, unit = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)", out).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), "
                              r"timeout (\d+)", out)
    count = int(errors.group(1)) if errors else 0
    if socket_errors:
        count += sum(int(g) for g in socket_errors.groups())
    return {"clients": clients, "requests": int(re.search(r"(\d+) requests in", out).group(1)),
            "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "p50_ms": ms("50"), "p99_ms": ms("99"), "errors": count}


def h2load_drive(port: int, texts: list, clients: int, seconds: float) -> dict:
    """h2load posting one framed PredictRequest (the first text) over ``clients``
    HTTP/2 connections, one stream each. h2load sees HTTP statuses, not gRPC
    ones; the Python client's warm-up checks the answers are right."""
    message = predict_request(texts[0]).SerializeToString()
    with tempfile.TemporaryDirectory() as folder:
        data, log = Path(folder) / "body", Path(folder) / "log"
        data.write_bytes(b"\x00" + struct.pack(">I", len(message)) + message)
        out = subprocess.run(
            ["h2load", "-c", str(clients), "-m", "1", "-D", str(int(seconds)), "-t",
             str(min(2, clients)), "-d", str(data), "--log-file", str(log),
             "-H", "content-type: application/grpc", "-H", "te: trailers",
             f"http://127.0.0.1:{port}/tensorflow.serving.PredictionService/Predict"],
            capture_output=True, text=True, timeout=seconds + 120, check=False).stdout
        rows = [line.split("\t") for line in log.read_text().splitlines() if line.strip()]
    elapsed_ms = np.asarray([int(row[2]) for row in rows], float) / 1000
    statuses = [row[1] for row in rows]
    done = re.search(r"requests: \d+ total, \d+ started, (\d+) done, (\d+) succeeded, "
                     r"(\d+) failed, (\d+) errored", out)
    return {"clients": clients, "requests": len(rows), "rps": len(rows) / seconds,
            "p50_ms": float(np.percentile(elapsed_ms, 50)),
            "p99_ms": float(np.percentile(elapsed_ms, 99)),
            "errors": sum(status != "200" for status in statuses)
            + (int(done.group(3)) + int(done.group(4)) if done else 0)}
