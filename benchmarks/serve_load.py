"""Throughput and latency of `rnn-apps serve` under 1, 8 and 64 concurrent clients.

    .venv/bin/python benchmarks/serve_load.py [--seconds 30] [--clients 1,8,64]

Trains two models with the toolkit's defaults on the bundled data (sentiment
on datasets/sentiment/train.csv, 2 epochs; forecast on the bundled monthly CO2 series
with its automatic settings), then for each: measures the in-process batched
SavedModel throughput (batches of 64, no HTTP), starts `rnn-apps serve` as a
child process on 127.0.0.1, and drives it with a bounded asyncio load
generator (keep-alive HTTP/1.1 connections, one request of one instance in
flight per client, for a fixed time). The server is stopped by its pid.
Client and server share the machine's cores; the numbers include that.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def train_models(folder: Path) -> dict:
    """Export both models to ``folder`` (kept when already there)."""
    from rnn_apps import Forecaster, SentimentClassifier
    from rnn_apps.data.series import read_series_csv
    from rnn_apps.data.tables import read_labelled_texts

    texts, labels = read_labelled_texts(ROOT / "datasets" / "sentiment" / "train.csv")
    if not (folder / "sentiment").exists():
        SentimentClassifier(epochs=2, seed=0, verbose=0).fit(texts, labels).export(
            folder / "sentiment")
    table = read_series_csv(ROOT / "datasets" / "forecast" / "co2_monthly.csv",
                            time_column="month", interpolate=True)
    if not (folder / "forecast").exists():
        Forecaster(horizon=12, seed=0, verbose=0).fit(table).export(folder / "forecast")
    import tensorflow as tf

    lookback = tf.saved_model.load(str(folder / "forecast")).signatures[
        "serving_default"].structured_input_signature[1]["history"].shape[1]
    history = np.asarray(table.values, np.float32)[-lookback:].tolist()
    return {"sentiment": (folder / "sentiment", texts[:200]),
            "forecast": (folder / "forecast", [history])}


def in_process(path: Path, task: str, samples: list, seconds: float) -> float:
    """Instances per second through the SavedModel, batches of 64, no HTTP."""
    import tensorflow as tf

    function = tf.saved_model.load(str(path)).signatures["serving_default"]
    batch = [samples[i % len(samples)] for i in range(64)]
    given = {"text": tf.constant(batch)} if task == "sentiment" else \
        {"history": tf.constant(np.asarray(batch, np.float32))}
    function(**given)
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        function(**given)
        done += 64
    return done / (time.perf_counter() - started)


def request_bytes(name: str, instance) -> bytes:
    body = json.dumps({"instances": [instance]}).encode()
    head = (f"POST /v1/models/{name}:predict HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n")
    return head.encode() + body


async def one_client(port: int, payloads: list, stop_at: float, latencies: list, errors: list):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    index, first = 0, True
    try:
        while time.perf_counter() < stop_at:
            started = time.perf_counter()
            writer.write(payloads[index % len(payloads)])
            index += 1
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 60)
            lines = head.decode("latin-1").split("\r\n")
            length = next(int(line.split(":")[1]) for line in lines
                          if line.lower().startswith("content-length"))
            await asyncio.wait_for(reader.readexactly(length), 60)
            if " 200 " not in lines[0]:
                errors.append(lines[0])
            if not first:  # a connection's first request includes its set-up
                latencies.append(time.perf_counter() - started)
            first = False
    except (OSError, asyncio.IncompleteReadError, TimeoutError) as error:
        errors.append(type(error).__name__)
    finally:
        writer.close()


async def drive(port: int, payloads: list, clients: int, seconds: float,
                keep: bool = False) -> dict:
    """One row; ``keep`` adds every latency (``latencies_ms``) for merging rows."""
    latencies, errors = [], []
    stop_at = time.perf_counter() + seconds
    started = time.perf_counter()
    await asyncio.gather(*(one_client(port, payloads, stop_at, latencies, errors)
                           for _ in range(clients)))
    elapsed = time.perf_counter() - started
    ms = np.asarray(latencies) * 1000
    row = {"clients": clients, "requests": len(latencies), "rps": len(latencies) / elapsed,
           "p50_ms": float(np.percentile(ms, 50)), "p95_ms": float(np.percentile(ms, 95)),
           "p99_ms": float(np.percentile(ms, 99)), "errors": len(errors)}
    if keep:
        row["latencies_ms"] = ms.tolist()
    return row


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve(path: Path, port: int, extra: list):
    command = [sys.executable, "-m", "rnn_apps", "serve", "--model", str(path), "--port",
               str(port), *extra]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server stopped: {server.stderr.read().decode()[-500:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return server
        except OSError:
            time.sleep(0.5)
    server.kill()
    raise SystemExit("the server did not start in 180 s")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--clients", default="1,8,64")
    parser.add_argument("--server-args", default="", help="extra `rnn-apps serve` options")
    parser.add_argument("--json", default=None, help="also write the rows to this file")
    parser.add_argument("--models", default=None,
                        help="keep the exported models here and reuse them on later runs")
    args = parser.parse_args()
    clients = [int(c) for c in args.clients.split(",")]
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(args.models or scratch)
        for task, (path, samples) in train_models(folder).items():
            batched = in_process(path, task, samples, min(args.seconds, 10))
            print(f"{task}: in-process SavedModel, batches of 64: {batched:.0f} instances/s",
                  flush=True)
            port = free_port()
            server = serve(path, port, args.server_args.split())
            try:
                payloads = [request_bytes(task, sample) for sample in samples]
                asyncio.run(drive(port, payloads, 4, 2.0))  # warm-up
                for count in clients:
                    row = asyncio.run(drive(port, payloads, count, args.seconds))
                    row.update(task=task, batched_rps=batched,
                               ratio=row["rps"] / batched)
                    rows.append(row)
                    print(f"{task} {count:3d} clients: {row['rps']:7.1f} req/s, p50 "
                          f"{row['p50_ms']:.1f} ms, p95 {row['p95_ms']:.1f} ms, p99 "
                          f"{row['p99_ms']:.1f} ms, errors {row['errors']}, "
                          f"{row['ratio']:.2f}x in-process", flush=True)
            finally:
                server.terminate()
                try:
                    server.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    server.kill()
    print("\n| task | clients | requests/s | p50 ms | p95 ms | p99 ms | errors | "
          "in-process batched /s | ratio |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        print(f"| {row['task']} | {row['clients']} | {row['rps']:.1f} | {row['p50_ms']:.1f} | "
              f"{row['p95_ms']:.1f} | {row['p99_ms']:.1f} | {row['errors']} | "
              f"{row['batched_rps']:.0f} | {row['ratio']:.2f} |")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2))
    return statistics.mean(r["errors"] for r in rows) if rows else 0


if __name__ == "__main__":
    main()
