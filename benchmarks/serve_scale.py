"""`rnn-apps serve` as it scales: REST and gRPC, 1 and N workers, against the
ceiling of the same server stack answering a constant without a model.

    .venv/bin/python benchmarks/serve_scale.py [--seconds 20] [--clients 1,8,64]
        [--workers 2] [--generators 1] [--tool python|wrk]

Trains the sentiment classifier with the defaults on the bundled data (2
epochs) and exports it. Each row starts the server on 127.0.0.1, drives it
for ``--seconds`` with 1, 8 and 64 clients (each one keep-alive connection,
one request of one sentence in flight), and stops it by its pid:

- ``rest`` / ``grpc``: ``rnn-apps serve --workers W [--grpc-port P]``, the
  product as users start it;
- ``ceiling``: W worker processes of the same stack (the REST app, uvicorn
  with its guard, the adapter's checks, the batcher and its model thread, the
  gRPC servicer), whose model call returns a constant answer: the cost of
  everything but the model.

The load generator runs on the same cores: ``--generators K`` Python
processes (asyncio for REST, grpc.aio for gRPC) share the clients; with
``--tool wrk`` REST rows are driven by wrk (C) and gRPC rows by h2load (C),
when installed, which cost the server far fewer cycles.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from serve_load import drive, free_port, request_bytes
from serve_tools import grpc_drive, h2load_drive, wrk_drive


def export_model(folder: Path) -> tuple[Path, list[str]]:
    from rnn_apps import SentimentClassifier
    from rnn_apps.data.tables import read_labelled_texts

    texts, labels = read_labelled_texts(ROOT / "datasets" / "sentiment" / "train.csv")
    target = folder / "sentiment" / "1"
    if not target.exists():
        SentimentClassifier(epochs=2, seed=0, verbose=0).fit(texts, labels).export(target)
    return folder / "sentiment", texts[:200]


def ceiling_worker(spec_json: str) -> None:
    """One process of the no-model ceiling: the real stack, a constant answer."""
    from rnn_apps.serving.worker import load_models, run

    spec = json.loads(spec_json)
    variant = spec.get("variant", "default")
    if variant in ("before", "stdlib-json"):  # what each of the faster pieces is worth
        from rnn_apps.serving import requests

        requests.orjson = None
    if variant == "before":  # issue 18's stack: h11, asyncio's loop, the json module
        from rnn_apps.serving import server

        server.httptools_impl = None
        sys.modules["uvloop"] = None
    models = load_models(spec)  # as a worker loads them (thread caps included)
    for versions in models.models.values():
        for entry in versions.values():
            answer = entry.servable.run(["a constant"], ())[0]
            entry.batcher.run = lambda instances, options, answer=answer: \
                [answer] * len(instances)
    run(models, spec, reuse_port=True, ready=lambda *ports: print("ready", flush=True))


def echo_worker(port: int) -> None:
    """The floor of Python gRPC: a bare grpc.aio servicer on uvloop answering a
    fixed PredictResponse (no rnn-apps code, no thread hop)."""
    import grpc
    import tensorflow as tf
    import uvloop
    from tensorflow_serving.apis import predict_pb2, prediction_service_pb2_grpc

    answer = predict_pb2.PredictResponse()
    answer.outputs["label"].CopyFrom(tf.make_tensor_proto(["positive"]))

    class Echo(prediction_service_pb2_grpc.PredictionServiceServicer):
        async def Predict(self, request, context):
            return answer

    async def serve():
        server = grpc.aio.server(options=[("grpc.so_reuseport", 1)])
        prediction_service_pb2_grpc.add_PredictionServiceServicer_to_server(Echo(), server)
        server.add_insecure_port(f"127.0.0.1:{port}")
        await server.start()
        print("ready", flush=True)
        await server.wait_for_termination()

    uvloop.run(serve())


def start(kind: str, workers: int, base: Path, port: int, grpc_port: int,
          variant: str = "default") -> list:
    """The server processes of one row, once every worker answers."""
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    if kind == "echo":
        processes = [subprocess.Popen([sys.executable, __file__, "--echo-worker",
                                       str(grpc_port)], env=env, stdout=subprocess.PIPE,
                                      text=True) for _ in range(workers)]
        for process in processes:
            if process.stdout.readline().strip() != "ready":
                raise SystemExit("an echo worker did not start")
        return processes
    if kind == "ceiling":
        from rnn_apps.serving.config import ModelConfig
        from rnn_apps.serving.limits import Limits
        from rnn_apps.serving.worker import spec_of

        spec = json.dumps({**spec_of([ModelConfig("sentiment", base)], Limits(),
                                     "127.0.0.1", port, grpc_port, 0,
                                     1 if workers > 1 else None), "variant": variant})
        processes = [subprocess.Popen([sys.executable, __file__, "--ceiling-worker", spec],
                                      env=env, stdout=subprocess.PIPE, text=True)
                     for _ in range(workers)]
        for process in processes:
            if process.stdout.readline().strip() != "ready":
                raise SystemExit("a ceiling worker did not start")
        return processes
    process = subprocess.Popen(
        [sys.executable, "-m", "rnn_apps", "serve", "--model", str(base), "--port", str(port),
         "--grpc-port", str(grpc_port), "--workers", str(workers), "--poll-seconds", "0"],
        env=env, stderr=subprocess.PIPE, text=True)
    wanted = "workers ready" if workers > 1 else "serving 'sentiment'"
    deadline = time.monotonic() + 300
    for line in process.stderr:
        if wanted in line:
            break
        if time.monotonic() > deadline:
            break
    else:
        raise SystemExit("the server stopped before it was ready")
    return [process]


def cpu_seconds(pids) -> float:
    """User and system CPU seconds of these processes and all their descendants."""
    total, seen, todo = 0.0, set(), list(pids)
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
            for task in Path(f"/proc/{pid}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, IndexError, ValueError):
            continue
    return total


def stop(processes: list) -> None:
    for process in processes:
        process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)


def _generate(protocol, port, texts, clients, seconds, out):
    if protocol == "rest":
        payloads = [request_bytes("sentiment", text) for text in texts]
        row = asyncio.run(drive(port, payloads, clients, seconds, keep=True))
    else:
        row = asyncio.run(grpc_drive(port, texts, clients, seconds))
    out.put(row)


def measure(protocol: str, port: int, texts, clients: int, seconds: float, generators: int,
            tool: str) -> dict:
    """One row's numbers with ``clients`` spread over the load generators."""
    if tool == "wrk":
        return (wrk_drive if protocol == "rest" else h2load_drive)(port, texts, clients, seconds)
    shares = [clients // generators + (i < clients % generators) for i in range(generators)]
    out = multiprocessing.get_context("spawn").Queue()
    workers = [multiprocessing.get_context("spawn").Process(
        target=_generate, args=(protocol, port, texts, share, seconds, out))
        for share in shares if share]
    for worker in workers:
        worker.start()
    rows = [out.get(timeout=seconds + 120) for _ in workers]
    for worker in workers:
        worker.join(60)
    latencies = np.concatenate([np.asarray(r["latencies_ms"]) for r in rows])
    return {"clients": clients, "requests": int(sum(r["requests"] for r in rows)),
            "rps": float(sum(r["rps"] for r in rows)),
            "p50_ms": float(np.percentile(latencies, 50)),
            "p99_ms": float(np.percentile(latencies, 99)),
            "errors": int(sum(r["errors"] for r in rows))}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--clients", default="1,8,64")
    parser.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--generators", type=int, default=1)
    parser.add_argument("--tool", choices=["python", "wrk"], default="python")
    parser.add_argument("--rows", default="ceiling-rest,rest,grpc,ceiling-grpc",
                        help="which rows: ceiling-rest, rest, grpc, ceiling-grpc, "
                             "echo-grpc (a bare grpc.aio server, no rnn-apps code)")
    parser.add_argument("--variants", action="store_true",
                        help="only the REST ceiling, 1 worker, with issue 18's stack (h11, "
                             "asyncio, json), with the json module, and as shipped")
    parser.add_argument("--json", default=None)
    parser.add_argument("--ceiling-worker", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--echo-worker", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.ceiling_worker:
        return ceiling_worker(args.ceiling_worker)
    if args.echo_worker:
        return echo_worker(args.echo_worker)
    if args.tool == "wrk" and not (shutil.which("wrk") and shutil.which("h2load")):
        raise SystemExit("--tool wrk needs wrk and h2load (Debian: wrk, nghttp2-client)")
    clients = [int(c) for c in args.clients.split(",")]
    results = []
    with tempfile.TemporaryDirectory() as scratch:
        base, texts = export_model(Path(scratch))
        if args.variants:
            for variant in ("before", "stdlib-json", "default"):
                port = free_port()
                processes = start("ceiling", 1, base, port, free_port(), variant)
                try:
                    measure("rest", port, texts, 4, 2.0, 1, "python")
                    for count in clients:
                        result = measure("rest", port, texts, count, args.seconds,
                                         args.generators, args.tool)
                        result.update(row=f"ceiling-rest ({variant})", workers=1)
                        results.append(result)
                        print(result["row"], count, f"{result['rps']:.0f} req/s", flush=True)
                finally:
                    stop(processes)
        for row in [] if args.variants else args.rows.split(","):
            kind, protocol = row.split("-") if "-" in row else ("serve", row)
            for workers in sorted({1, args.workers}):
                port, grpc_port = free_port(), free_port()
                processes = start(kind, workers, base, port, grpc_port)
                target = port if protocol == "rest" else grpc_port
                try:
                    measure(protocol, target, texts, 4, 2.0, 1, "python")  # warm-up
                    for count in clients:
                        used, started = cpu_seconds(p.pid for p in processes), time.monotonic()
                        result = measure(protocol, target, texts, count, args.seconds,
                                         args.generators, args.tool)
                        result["server_cores"] = (cpu_seconds(p.pid for p in processes)
                                                  - used) / (time.monotonic() - started)
                        label = {"ceiling": "constant", "echo": "bare grpc.aio"}.get(kind, "model")
                        result.update(row=f"{row} ({label})",
                                      protocol=protocol, workers=workers, tool=args.tool)
                        results.append(result)
                        print(f"{row:13s} workers {workers} clients {count:3d}: "
                              f"{result['rps']:7.1f} req/s, p50 {result['p50_ms']:.1f} ms, "
                              f"p99 {result['p99_ms']:.1f} ms, errors {result['errors']}, "
                              f"server cores {result['server_cores']:.2f}",
                              flush=True)
                finally:
                    stop(processes)
    print("\n| row | workers | clients | requests/s | p50 ms | p99 ms | errors | server cores |"
          "\n|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(f"| {r['row']} | {r['workers']} | {r['clients']} | {r['rps']:.0f} | "
              f"{r['p50_ms']:.1f} | {r['p99_ms']:.1f} | {r['errors']} | "
              f"{r.get('server_cores', float('nan')):.2f} |")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
