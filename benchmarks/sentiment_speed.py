"""Training throughput against hand-written Keras, and SavedModel latency.

    .venv/bin/python benchmarks/sentiment_speed.py [--repeats 6] [--epochs 3]

Both sides start from the same raw texts and do the same work: adapt a
TextVectorization vocabulary, vectorise, build Embedding(mask_zero) -> GRU 64
-> softmax, compile Adam with clipnorm 1.0 and fit without validation. The two
alternate within one run, each going first in half the repeats; the median of
the repeats is reported.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))


def data(copies: int):
    from rnn_apps.data.tables import read_labelled_texts

    texts, labels = read_labelled_texts(ROOT / "datasets" / "sentiment" / "train.csv")
    return np.array(texts * copies, dtype=object), np.array(labels * copies, dtype=object)


def toolkit_fit(texts, labels, epochs, batch_size, length):
    from rnn_apps import SentimentClassifier

    clf = SentimentClassifier(cell="gru", units=64, embedding_dim=64, epochs=epochs,
                              batch_size=batch_size, max_length=length, valid_split=0.0,
                              seed=0, verbose=0)
    started = time.perf_counter()
    clf.fit(texts, labels)
    return time.perf_counter() - started, clf


def keras_fit(texts, labels, epochs, batch_size, length):
    import keras

    keras.utils.set_random_seed(0)
    started = time.perf_counter()
    classes = sorted(set(labels))
    y = np.array([classes.index(v) for v in labels], dtype=np.int32)
    vectorizer = keras.layers.TextVectorization(max_tokens=20000, output_sequence_length=length)
    vectorizer.adapt(texts, batch_size=1024)
    ids = np.asarray(vectorizer(texts))
    inputs = keras.Input(shape=(None,), dtype="int32")
    x = keras.layers.Embedding(len(vectorizer.get_vocabulary()), 64, mask_zero=True)(inputs)
    x = keras.layers.GRU(64)(x)
    outputs = keras.layers.Dense(len(classes), activation="softmax")(x)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.Adam(1e-3, clipnorm=1.0),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(ids, y, epochs=epochs, batch_size=batch_size, shuffle=True, verbose=0)
    return time.perf_counter() - started


def latency(clf, calls: int):
    import tensorflow as tf

    with tempfile.TemporaryDirectory() as tmp:
        clf.export(Path(tmp) / "export")
        serve = tf.saved_model.load(str(Path(tmp) / "export")).signatures["serving_default"]
        sentence = tf.constant(["the food was good but the service was painfully slow"])
        for _ in range(20):
            serve(text=sentence)
        times = []
        for _ in range(calls):
            started = time.perf_counter()
            serve(text=sentence)["label"].numpy()
            times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), float(np.percentile(times, 95))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=6)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--copies", type=int, default=5, help="copies of the bundled training texts")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--calls", type=int, default=300)
    args = parser.parse_args()
    texts, labels = data(args.copies)
    samples = len(texts) * args.epochs
    length = max(len(text.split()) for text in texts)  # both sides pad to the same length
    ours, theirs = [], []
    for repeat in range(args.repeats):
        # Alternate which side goes first, so warm-up and drift favour neither.
        if repeat % 2:
            theirs.append(samples / keras_fit(texts, labels, args.epochs, args.batch_size,
                                              length))
        seconds, clf = toolkit_fit(texts, labels, args.epochs, args.batch_size, length)
        ours.append(samples / seconds)
        if not repeat % 2:
            theirs.append(samples / keras_fit(texts, labels, args.epochs, args.batch_size,
                                              length))
        print(f"repeat {repeat + 1}: rnn-apps {ours[-1]:.0f} samples/s, "
              f"plain Keras {theirs[-1]:.0f} samples/s", flush=True)
    median_ours, median_theirs = statistics.median(ours), statistics.median(theirs)
    p50, p95 = latency(clf, args.calls)
    print(f"\n{len(texts)} texts x {args.epochs} epochs, batch {args.batch_size}, GRU 64")
    print("| measure | value |")
    print("|---|---|")
    print(f"| rnn-apps training throughput (median) | {median_ours:.0f} samples/s |")
    print(f"| hand-written Keras throughput (median) | {median_theirs:.0f} samples/s |")
    print(f"| ratio rnn-apps / Keras | {median_ours / median_theirs:.3f} |")
    print(f"| SavedModel single-sentence latency, median | {p50:.2f} ms |")
    print(f"| SavedModel single-sentence latency, p95 | {p95:.2f} ms |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
