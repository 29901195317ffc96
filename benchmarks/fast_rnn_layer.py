"""One recurrent layer, forward (inference) and forward + backward, in milliseconds:
Keras' own loop, Keras' cell unrolled (``unroll=True``) and the CPU fast path.

The layer-level view behind the levers in docs/benchmarks.md: batch 64, 64
input features, 64 units, random inputs, optionally right-padded rows behind a
mask (lengths uniform in [T/4, T]). Each variant is a compiled function; the
variants are timed in turns, ``--rounds`` times 5 calls, median per call.

    python benchmarks/fast_rnn_layer.py [--cells lstm,gru] [--lengths 20,100]
                                        [--rounds 9] [--padded]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

BATCH, FEATURES, UNITS = 64, 64, 64
VARIANTS = ("keras", "keras unrolled", "fast")


def compiled(cell, length, variant, bidirectional, backward, x, mask):
    import keras
    import tensorflow as tf

    from rnn_apps.core import fast_rnn

    layer = {"lstm": keras.layers.LSTM, "gru": keras.layers.GRU}[cell](
        UNITS, unroll=variant == "keras unrolled")
    if bidirectional:
        layer = keras.layers.Bidirectional(layer)
    layer(x[:2])
    if variant == "fast":
        fast_rnn.enable(layer)

    @tf.function
    def step():
        if not backward:
            return layer(x, mask=mask, training=False)
        with tf.GradientTape() as tape:
            total = tf.reduce_sum(layer(x, mask=mask, training=True))
        return tape.gradient(total, layer.trainable_weights)

    start = time.perf_counter()
    step()
    return step, time.perf_counter() - start


def main():
    import numpy as np
    import tensorflow as tf

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", default="lstm,gru")
    parser.add_argument("--lengths", default="20,100")
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--padded", action="store_true")
    args = parser.parse_args()
    print("| cell | T | layer | pass | " + " | ".join(f"{v} ms" for v in VARIANTS)
          + " | first call (trace) s, " + " / ".join(VARIANTS) + " |")
    print("|---|---:|---|---|" + "---:|" * (len(VARIANTS) + 1))
    rng = np.random.default_rng(0)
    for cell in args.cells.split(","):
        for length in (int(v) for v in args.lengths.split(",")):
            x = tf.constant(rng.normal(size=(BATCH, length, FEATURES)).astype("float32"))
            mask = None
            if args.padded:
                lengths = rng.integers(max(1, length // 4), length + 1, size=BATCH)
                mask = tf.constant(np.arange(length)[None] < lengths[:, None])
            for bidirectional in (False, True):
                for backward in (False, True):
                    steps = {v: compiled(cell, length, v, bidirectional, backward, x, mask)
                             for v in VARIANTS}
                    times = {v: [] for v in VARIANTS}
                    for _ in range(args.rounds):
                        for variant, (step, _) in steps.items():
                            start = time.perf_counter()
                            for _ in range(5):
                                step()
                            times[variant].append((time.perf_counter() - start) / 5 * 1e3)
                    print(f"| {cell} | {length} | {'bi' if bidirectional else 'uni'} "
                          f"| {'fwd+bwd' if backward else 'fwd'} | "
                          + " | ".join(f"{statistics.median(times[v]):.2f}" for v in VARIANTS)
                          + " | " + " / ".join(f"{steps[v][1]:.2f}" for v in VARIANTS) + " |",
                          flush=True)


if __name__ == "__main__":
    main()
