"""Latency and throughput of one network in three runtimes: TensorFlow
(SavedModel), ONNX Runtime and LiteRT (TFLite), on CPU, in one run.

    .venv/bin/python benchmarks/export_runtimes.py [--seconds 5] [--models DIR]

Trains the sentiment model (defaults, 2 epochs, bundled reviews) and the
forecaster (defaults, bundled monthly CO2), exports the SavedModel and the
ONNX and TFLite cores, then times each runtime on the same inputs: the
median latency of one instance, and instances per second in batches of 64
(a TFLite core with a recurrent loop takes one row at a time, so its batch is
64 calls). "SavedModel pipeline" is the whole exported graph (raw text or
raw history in); "SavedModel core" is the same network as the cores, ids or
scaled values in, run by TensorFlow.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
BATCH = 64


def fitted(folder: Path):
    """(sentiment model, texts), (forecaster, history windows), saved in ``folder``."""
    import rnn_apps
    from rnn_apps import Forecaster, SentimentClassifier
    from rnn_apps.data.series import read_series_csv
    from rnn_apps.data.tables import read_labelled_texts

    texts, _ = read_labelled_texts(ROOT / "datasets" / "sentiment" / "test.csv")
    if not (folder / "sentiment").exists():
        train = read_labelled_texts(ROOT / "datasets" / "sentiment" / "train.csv")
        SentimentClassifier(epochs=2, seed=0, verbose=0).fit(*train).save(folder / "sentiment")
    table = read_series_csv(ROOT / "datasets" / "forecast" / "co2_monthly.csv",
                            time_column="month", interpolate=True)
    if not (folder / "forecast").exists():
        Forecaster(horizon=12, seed=0, verbose=0).fit(table).save(folder / "forecast")
    forecaster = rnn_apps.load(folder / "forecast")
    values = np.asarray(table.values, np.float32)
    lookback = forecaster.lookback_
    windows = np.stack([values[i:i + lookback] for i in range(0, len(values) - lookback, 3)])
    return (rnn_apps.load(folder / "sentiment"), list(texts)), (forecaster, windows)


def timed(call, batch_inputs, one_input, seconds):
    """(median ms for one instance, instances/s in batches of BATCH)."""
    call(one_input)
    latencies, stop = [], time.perf_counter() + seconds
    while time.perf_counter() < stop or len(latencies) < 20:
        started = time.perf_counter()
        call(one_input)
        latencies.append(time.perf_counter() - started)
    call(batch_inputs)
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        call(batch_inputs)
        done += BATCH
    return 1000 * statistics.median(latencies), done / (time.perf_counter() - started)


def onnx_runner(path: Path):
    import onnxruntime

    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    return lambda x: session.run(None, {name: x})


def tflite_runner(path: Path):
    from ai_edge_litert.interpreter import Interpreter

    interpreter = Interpreter(model_path=str(path))
    detail = interpreter.get_input_details()[0]
    outputs = interpreter.get_output_details()
    shape = [None]

    def run(x):
        answers = []
        for row in x:  # the recurrent loop lowers to builtin ops only with batch 1
            if shape[0] != row.shape:
                interpreter.resize_tensor_input(detail["index"], (1, *row.shape))
                interpreter.allocate_tensors()
                shape[0] = row.shape
            interpreter.set_tensor(detail["index"], row[None].astype(detail["dtype"]))
            interpreter.invoke()
            answers.append(interpreter.get_tensor(outputs[0]["index"]))
        return answers

    return run


def core_inputs(task, model, samples):
    """The core's input for ``samples``: ids for sentiment, scaled windows for forecast."""
    if task == "sentiment":
        return np.asarray(model.text_encoder_.encode(np.asarray(samples, dtype=object)),
                          np.int32)
    return np.asarray(model.scaler_.transform(np.asarray(samples, np.float32)), np.float32)


def rows_for(task, model, samples, folder: Path, seconds: float) -> list[dict]:
    import tensorflow as tf

    from rnn_apps.portable import export_core

    model.export(folder / f"{task}_savedmodel")
    pipeline = tf.saved_model.load(str(folder / f"{task}_savedmodel")).signatures[
        "serving_default"]
    batch_raw = samples[:BATCH] if task == "forecast" else (samples * 2)[:BATCH]
    if task == "sentiment":
        def run_pipeline(x):
            return pipeline(text=tf.constant(x))
    else:
        def run_pipeline(x):
            return pipeline(history=tf.constant(np.asarray(x, np.float32)))
    rows = [("SavedModel pipeline (TensorFlow)", run_pipeline, batch_raw, batch_raw[:1])]
    ids = core_inputs(task, model, batch_raw)
    for fmt in ("onnx", "tflite"):
        export_core(model, folder / f"{task}_{fmt}", fmt)
    manifest = json.loads((folder / f"{task}_onnx" / "rnn_apps_core.json").read_text())
    core_input = manifest["cores"]["model"]["inputs"][0]
    spec = tf.TensorSpec([None, *ids.shape[1:]], tf.as_dtype(core_input["dtype"]))
    network = tf.function(lambda x: model.model_(x, training=False), input_signature=[spec])
    if task == "forecast" and isinstance(model.model_.input, dict):
        network = tf.function(lambda x: model.model_({"history": x}, training=False),
                              input_signature=[spec])
    rows += [("SavedModel core (TensorFlow)", lambda x: network(tf.constant(x)), ids, ids[:1]),
             ("ONNX Runtime core", onnx_runner(folder / f"{task}_onnx" / "model.onnx"), ids,
              ids[:1]),
             ("LiteRT (TFLite) core", tflite_runner(folder / f"{task}_tflite" / "model.tflite"),
              ids, ids[:1])]
    out = []
    for name, call, batch, one in rows:
        latency, throughput = timed(call, batch, one, seconds)
        out.append({"task": task, "runtime": name, "latency_ms": latency,
                    "per_second": throughput})
        print(f"{task:9s} {name:34s} one instance {latency:7.3f} ms   "
              f"batches of {BATCH}: {throughput:9.0f} /s", flush=True)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--models", default=None, help="keep the trained models here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(args.models or scratch)
        folder.mkdir(parents=True, exist_ok=True)
        (sentiment, texts), (forecaster, windows) = fitted(folder)
        work = Path(scratch) / "exports"
        rows = rows_for("sentiment", sentiment, texts, work, args.seconds)
        rows += rows_for("forecast", forecaster, list(windows), work, args.seconds)
    print(f"\n| task | runtime | one instance, median ms | batches of {BATCH}, instances/s |")
    print("|---|---|---:|---:|")
    for row in rows:
        print(f"| {row['task']} | {row['runtime']} | {row['latency_ms']:.3f} | "
              f"{row['per_second']:.0f} |")


if __name__ == "__main__":
    sys.exit(main())
