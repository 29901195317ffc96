"""Keras' recurrent layers vs the toolkit's CPU fast path vs PyTorch, samples/s.

The model of issue 19: Embedding 5000x64 -> bidirectional LSTM or GRU of 64
units -> Dense(2), Adam, batch 64, random tokens (no padding), sequence
lengths 20, 100 and 400. Training is ``fit`` over whole epochs after one
warm-up epoch; prediction is the compiled model called on batches of 64, as
the PyTorch side calls its module (``predict`` adds a data pipeline whose
stalls dominated the figures at first). PyTorch runs in a
child process (``torch`` is a benchmark-only dependency; it and TensorFlow do
not share one process well).

    python benchmarks/fast_rnn.py [--lengths 20,100,400] [--cells lstm,gru] [--seconds 8]
                                  [--torch-path DIR] [--repeats 3] [--padded] [--no-torch]

Keras and the fast path are timed in turns in one process (the machine's speed
drifts); each figure is the median of ``--repeats`` timed runs. ``--padded``
right-pads rows to random lengths behind a masked embedding, as the text tasks
see their data (PyTorch is left out there). ``--torch-path`` is a folder to put
on the child's ``PYTHONPATH`` when torch is not installed in the environment.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

VOCAB, WIDTH, UNITS, BATCH = 5000, 64, 64, 64


def _samples(length: int, seconds: float) -> int:
    """A sample count that takes about ``seconds`` at ~60k token-steps/s."""
    batches = max(4, int(seconds * 60_000 / (BATCH * length)))
    return batches * BATCH


def _model(cell: str, length: int, fast: bool, padded: bool = False):
    import keras

    from rnn_apps.core import fast_rnn

    keras.utils.set_random_seed(0)
    layer = {"lstm": keras.layers.LSTM, "gru": keras.layers.GRU}[cell](UNITS)
    model = keras.Sequential([keras.Input((length,), dtype="int32"),
                              keras.layers.Embedding(VOCAB, WIDTH, mask_zero=padded),
                              keras.layers.Bidirectional(layer),
                              keras.layers.Dense(2, activation="softmax")])
    if fast:
        fast_rnn.enable(model)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return model


def keras_rates(cell: str, length: int, seconds: float, repeats: int,
                padded: bool = False) -> dict:
    """``{"keras": {...}, "fast": {...}}``, the two timed in turns on the same data."""
    import numpy as np
    import tensorflow as tf

    count = _samples(length, seconds)
    rng = np.random.default_rng(0)
    x = rng.integers(1, VOCAB, size=(count, length)).astype("int32")
    if padded:  # right padding: lengths uniform between a quarter and all of T
        lengths = rng.integers(max(1, length // 4), length + 1, size=count)
        x[np.arange(length)[None] >= lengths[:, None]] = 0
    y = rng.integers(0, 2, size=count)
    models = {"keras": _model(cell, length, False, padded),
              "fast": _model(cell, length, True, padded)}
    rates = {name: {"train": [], "predict": []} for name in models}
    batches = [tf.constant(x[s:s + BATCH]) for s in range(0, count, BATCH)]
    forward = {name: tf.function(lambda v, m=model: m(v, training=False))
               for name, model in models.items()}
    for name, model in models.items():
        model.fit(x[:BATCH * 4], y[:BATCH * 4], batch_size=BATCH, epochs=1, verbose=0)
        forward[name](batches[0])
    for _ in range(repeats):
        for name, model in models.items():
            start = time.perf_counter()
            model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0, shuffle=False)
            rates[name]["train"].append(count / (time.perf_counter() - start))
            start = time.perf_counter()
            for batch in batches:
                forward[name](batch).numpy()
            rates[name]["predict"].append(count / (time.perf_counter() - start))
    return {name: {kind: statistics.median(values) for kind, values in row.items()}
            for name, row in rates.items()}


TORCH_CHILD = r"""
import json, sys, time
import torch
cell = sys.argv[1]
length, count, repeats, vocab, width, units, batch = map(int, sys.argv[2:9])
torch.manual_seed(0)
class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = torch.nn.Embedding(vocab, width)
        rnn = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[cell]
        self.rnn = rnn(width, units, batch_first=True, bidirectional=True)
        self.out = torch.nn.Linear(2 * units, 2)
    def forward(self, x):
        _, state = self.rnn(self.embed(x))
        h = state[0] if isinstance(state, tuple) else state
        return self.out(torch.cat([h[0], h[1]], dim=1))
net = Net()
opt = torch.optim.Adam(net.parameters(), lr=1e-3)
loss_fn = torch.nn.CrossEntropyLoss()
x = torch.randint(1, vocab, (count, length))
y = torch.randint(0, 2, (count,))
def epoch(n):
    net.train()
    for s in range(0, n, batch):
        opt.zero_grad()
        loss = loss_fn(net(x[s:s + batch]), y[s:s + batch])
        loss.backward()
        opt.step()
def predict(n):
    net.eval()
    with torch.no_grad():
        for s in range(0, n, batch):
            torch.softmax(net(x[s:s + batch]), dim=1)
epoch(batch * 4); predict(batch * 4)
train, pred = [], []
for _ in range(repeats):
    t = time.perf_counter(); epoch(count); train.append(count / (time.perf_counter() - t))
    t = time.perf_counter(); predict(count); pred.append(count / (time.perf_counter() - t))
med = lambda v: sorted(v)[len(v) // 2]
print(json.dumps({"train": med(train), "predict": med(pred), "threads": torch.get_num_threads(),
                  "version": torch.__version__}))
"""


def torch_rates(cell: str, length: int, seconds: float, repeats: int, torch_path: str | None):
    env = dict(os.environ)
    if torch_path:
        env["PYTHONPATH"] = torch_path + os.pathsep + env.get("PYTHONPATH", "")
    sizes = [length, _samples(length, seconds), repeats, VOCAB, WIDTH, UNITS, BATCH]
    done = subprocess.run([sys.executable, "-c", TORCH_CHILD, cell, *map(str, sizes)],
                          check=False, env=env, capture_output=True, text=True, timeout=3600)
    if done.returncode:
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lengths", default="20,100,400")
    parser.add_argument("--cells", default="lstm,gru")
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--torch-path", default=None, help="a folder holding torch, if not installed")
    parser.add_argument("--no-torch", action="store_true")
    parser.add_argument("--padded", action="store_true",
                        help="right-padded rows (lengths uniform in [T/4, T]), masked "
                             "embedding; Keras and the fast path only")
    args = parser.parse_args()
    rows = []
    print("| cell | T | Keras train | fast train | PyTorch train | fast/Keras | fast/PyTorch "
          "| Keras predict | fast predict | PyTorch predict | fast/PyTorch |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for cell in args.cells.split(","):
        for length in (int(v) for v in args.lengths.split(",")):
            both = keras_rates(cell, length, args.seconds, args.repeats, args.padded)
            keras_row, fast_row = both["keras"], both["fast"]
            torch_row = None if args.no_torch or args.padded else torch_rates(cell, length, args.seconds,
                                                                 args.repeats, args.torch_path)
            tt = torch_row["train"] if torch_row else float("nan")
            tp = torch_row["predict"] if torch_row else float("nan")
            print(f"| {cell} | {length} | {keras_row['train']:.0f} | {fast_row['train']:.0f} "
                  f"| {tt:.0f} | {fast_row['train'] / keras_row['train']:.2f} "
                  f"| {fast_row['train'] / tt:.2f} | {keras_row['predict']:.0f} "
                  f"| {fast_row['predict']:.0f} | {tp:.0f} | {fast_row['predict'] / tp:.2f} |",
                  flush=True)
            rows.append({"cell": cell, "length": length, "keras": keras_row, "fast": fast_row,
                         "torch": torch_row})
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
