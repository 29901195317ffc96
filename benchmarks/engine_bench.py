"""The training engine: streamed vs in-memory throughput, 1 vs 2 workers, resume.

    .venv/bin/python benchmarks/engine_bench.py stream-speed [--copies 12] [--repeats 4]
    .venv/bin/python benchmarks/engine_bench.py workers [--epochs 4]
    .venv/bin/python benchmarks/engine_bench.py resume

All three train the default sentiment classifier (GRU 64, embedding 64, batch
32) on the bundled review sample. Throughput is training samples per second
over the epochs after the first (which includes tracing), timed by a Keras
callback inside the process.

- stream-speed: the same CSV (the sample repeated ``--copies`` times) read
  into lists vs streamed (``read_labelled_texts(..., stream=True)``), no
  validation, alternating order over ``--repeats`` rounds.
- workers: one process vs two ``MultiWorkerMirroredStrategy`` workers on
  127.0.0.1 (batch 16 each: the same global batch; and batch 32 each),
  samples/s and test accuracy.
- resume: a run SIGKILLed after epoch 2 of 4 and resumed vs one never
  interrupted: largest weight difference and both test accuracies.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "datasets" / "sentiment"

RUN = """
import json, os, signal, sys, time
import keras
sys.path.insert(0, {root!r})
from rnn_apps import SentimentClassifier
from rnn_apps.data.tables import read_labelled_texts

class Timer(keras.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        self.started = time.perf_counter()
    def on_epoch_end(self, epoch, logs=None):
        times.append(time.perf_counter() - self.started)
        if {kill_after} and epoch + 1 == {kill_after}:
            os.kill(os.getpid(), signal.SIGKILL)

times = []
texts, labels = read_labelled_texts({train!r})
model = SentimentClassifier(epochs={epochs}, seed=0, verbose=0, batch_size={batch},
                            distribute={distribute!r}, patience=10)
model.fit(texts, labels, callbacks=[Timer()], checkpoint_dir={checkpoint!r}, resume={resume})
test = read_labelled_texts({test!r})
print(json.dumps({{"seconds": times, "n": len(texts) - round(len(texts) * 0.1),
                  "accuracy": model.evaluate(*test)["accuracy"],
                  "weights": [w.tolist() for w in model.model_.get_weights()[:1]]}}))
"""


def run_script(env_extra=None, **fields):
    fields = {"root": str(ROOT), "train": str(DATA / "train.csv"), "test": str(DATA / "test.csv"),
              "epochs": 4, "batch": 32, "distribute": "none", "checkpoint": None,
              "resume": False, "kill_after": 0, **fields}
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", **(env_extra or {})}
    return subprocess.Popen([sys.executable, "-c", RUN.format(**fields)], env=env, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def result(process):
    out, err = process.communicate(timeout=3600)
    if process.returncode != 0:
        return {"returncode": process.returncode, "error": err[-500:]}
    return json.loads(out.strip().splitlines()[-1])


def rate(report) -> float:
    return report["n"] / statistics.median(report["seconds"][1:])


def stream_speed(options) -> None:
    sys.path.insert(0, str(ROOT))
    import time

    import keras

    from rnn_apps import SentimentClassifier
    from rnn_apps.data.tables import read_labelled_texts

    with open(DATA / "train.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    path = Path(tempfile.mkdtemp()) / "reviews.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([rows[0], *rows[1:] * options.copies])
    n = (len(rows) - 1) * options.copies

    class Timer(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.started = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            self.times.append(time.perf_counter() - self.started)

    rates = {"memory": [], "stream": []}
    for repeat in range(options.repeats):
        order = ["memory", "stream"] if repeat % 2 == 0 else ["stream", "memory"]
        for mode in order:
            timer = Timer()
            timer.times = []
            model = SentimentClassifier(epochs=options.epochs, seed=0, verbose=0,
                                        valid_split=0.0)
            if mode == "memory":
                model.fit(*read_labelled_texts(path), callbacks=[timer])
            else:
                model.fit(read_labelled_texts(path, stream=True), callbacks=[timer])
            rates[mode].append(n / statistics.median(timer.times[1:]))
        print(f"round {repeat + 1}: in memory {rates['memory'][-1]:,.0f}, streamed "
              f"{rates['stream'][-1]:,.0f} samples/s", flush=True)
    ratios = [s / m for s, m in zip(rates["stream"], rates["memory"])]
    memory, stream = statistics.median(rates["memory"]), statistics.median(rates["stream"])
    print(f"{n} reviews, default model, epochs 2-{options.epochs}, {options.repeats} rounds")
    print(f"in memory: {memory:,.0f} samples/s; streamed: {stream:,.0f} samples/s (medians); "
          f"median ratio of the rounds {statistics.median(ratios):.2f}")


def _ports(n):
    sockets = [socket.socket() for _ in range(n)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def workers(options) -> None:
    print("| setup | global batch | samples/s | test accuracy |")
    print("|---|---|---|---|")
    single = result(run_script(epochs=options.epochs))
    print(f"| 1 process | 32 | {rate(single):,.0f} | {single['accuracy']:.3f} |")
    for batch in (16, 32):
        ports = _ports(2)
        procs = [run_script({"TF_CONFIG": json.dumps({
            "cluster": {"worker": [f"127.0.0.1:{p}" for p in ports]},
            "task": {"type": "worker", "index": i}})}, epochs=options.epochs, batch=batch,
            distribute="multiworker") for i in range(2)]
        chief, _ = [result(p) for p in procs]
        print(f"| 2 workers x batch {batch} | {2 * batch} | {rate(chief):,.0f} | "
              f"{chief['accuracy']:.3f} |")


def resume(options) -> None:
    import numpy as np

    checkpoint = tempfile.mkdtemp(prefix="rnn-apps-resume-")
    killed = result(run_script(checkpoint=checkpoint, kill_after=2))
    resumed = result(run_script(checkpoint=checkpoint, resume=True))
    straight = result(run_script())
    difference = float(np.max(np.abs(np.array(resumed["weights"][0])
                                      - np.array(straight["weights"][0]))))
    print(f"killed run: return code {killed.get('returncode')} (SIGKILL after epoch 2 of 4)")
    print(f"resumed: epochs timed after resuming {len(resumed['seconds'])}, "
          f"test accuracy {resumed['accuracy']:.4f}")
    print(f"uninterrupted: test accuracy {straight['accuracy']:.4f}")
    print(f"largest difference in the embedding weights: {difference:.2e}")


def main() -> int:
    parser = argparse.ArgumentParser(description=textwrap.dedent(__doc__).splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    speed = commands.add_parser("stream-speed")
    speed.add_argument("--copies", type=int, default=12)
    speed.add_argument("--repeats", type=int, default=4)
    speed.add_argument("--epochs", type=int, default=4)
    cluster = commands.add_parser("workers")
    cluster.add_argument("--epochs", type=int, default=4)
    commands.add_parser("resume")
    options = parser.parse_args()
    {"stream-speed": stream_speed, "workers": workers, "resume": resume}[options.command](options)
    return 0


if __name__ == "__main__":
    sys.exit(main())
