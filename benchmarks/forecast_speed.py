"""Forecaster speed: training time per epoch and SavedModel forecasts per second.

    .venv/bin/python benchmarks/forecast_speed.py         # needs: pip install -e '.[bench]'

Series: the weekly Mauna Loa CO2 record from statsmodels (2,284 weeks,
missing weeks filled linearly); lookback 104 weeks, horizon 13, 32 units.
Training time per epoch is (time for 6 epochs - time for 1 epoch) / 5, so
graph building and the first-epoch tracing are left out. The SavedModel is
loaded with ``tf.saved_model.load`` and called through ``serving_default``:
latency with one window per call (median of 300 calls) and throughput with
1,024 windows per call (best of 20 calls).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np


def co2():
    import statsmodels.api as sm

    return np.asarray(sm.datasets.co2.load_pandas().data["co2"].interpolate(), dtype=np.float32)


def fit_seconds(values, cell, epochs, **params):
    from rnn_apps import Forecaster

    model = Forecaster(**{"cell": cell, "units": 32, "lookback": 104, "horizon": 13,
                          "epochs": epochs, "patience": 100, "seed": 0, "verbose": 0, **params})
    started = time.perf_counter()
    model.fit(values)
    return time.perf_counter() - started, model


def serving_speed(model, values):
    import tensorflow as tf

    with tempfile.TemporaryDirectory() as folder:
        model.export(Path(folder) / "export")
        serve = tf.saved_model.load(str(Path(folder) / "export")).signatures["serving_default"]
        starts = np.random.default_rng(0).integers(0, len(values) - 104, size=1024)
        windows = np.stack([values[s:s + 104] for s in starts])[..., None]
        one = tf.constant(windows[:1])
        serve(history=one)
        latencies = []
        for _ in range(300):
            started = time.perf_counter()
            serve(history=one)["forecast"].numpy()
            latencies.append(time.perf_counter() - started)
        batch = tf.constant(windows)
        serve(history=batch)
        best = min(_timed(lambda: serve(history=batch)["forecast"].numpy()) for _ in range(20))
    return statistics.median(latencies) * 1000, len(windows) / best


def _timed(function):
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", nargs="*", default=["gru", "lstm", "rnn"])
    args = parser.parse_args()
    values = co2()
    print("| cell | windows/epoch | s/epoch | SavedModel ms/forecast (batch 1) | "
          "SavedModel forecasts/s (batch 1024) |")
    print("|---|---|---|---|---|")
    for cell in args.cells:
        one, _ = fit_seconds(values, cell, 1)
        six, model = fit_seconds(values, cell, 6)
        windows = int(len(values) * 0.9) - 104 - 13 + 1
        latency, throughput = serving_speed(model, values)
        print(f"| {cell} | {windows} | {(six - one) / 5:.2f} | {latency:.2f} | "
              f"{throughput:,.0f} |", flush=True)
    fit_seconds(values, "esn", 1, readout="ridge", units=300)           # warm-up
    seconds, esn = fit_seconds(values, "esn", 1, readout="ridge", units=300)
    latency, throughput = serving_speed(esn, values)
    windows = int(len(values) * 0.9) - 104 - 13 + 1
    print(f"| esn 300 + ridge readout | {windows} | {seconds:.2f} (whole fit, 8 penalties) | "
          f"{latency:.2f} | {throughput:,.0f} |")

if __name__ == "__main__":
    main()
