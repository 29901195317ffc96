"""Character language model on Shakespeare: bits per character and speed.

    .venv/bin/python benchmarks/textgen_quality.py [--epochs 15] [--units 256]

Trains on Hamlet and Macbeth, scores bits per character on Julius Caesar
(../shared/data/shakespeare). In one run: a Witten-Bell smoothed character
n-gram (order 5 by default), the LSTM trained with truncated BPTT (state
carried between chunks) and the same LSTM trained on independent windows
(no state carried), plus training and SavedModel generation speed.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "shakespeare"


class WittenBellNgram:
    """Interpolated Witten-Bell character n-gram, backing off to a uniform guess."""

    def __init__(self, order: int, alphabet: set[str]):
        self.order, self.alphabet = order, alphabet
        self.counts = [defaultdict(lambda: defaultdict(int)) for _ in range(order)]

    def fit(self, text: str):
        for n in range(self.order):
            table = self.counts[n]
            for i in range(n, len(text)):
                table[text[i - n:i]][text[i]] += 1
        self.totals = [{h: sum(c.values()) for h, c in table.items()} for table in self.counts]
        return self

    def prob(self, history: str, char: str) -> float:
        p = 1.0 / (len(self.alphabet) + 1)  # +1: one slot for unseen characters
        for n in range(self.order):
            if n > len(history):
                break
            h = history[len(history) - n:] if n else ""
            seen = self.counts[n].get(h)
            if not seen:
                continue
            total, types = self.totals[n][h], len(seen)
            p = (seen.get(char, 0) + types * p) / (total + types)
        return p

    def bits_per_char(self, text: str) -> float:
        bits = -sum(math.log2(self.prob(text[max(0, i - self.order + 1):i], text[i]))
                    for i in range(1, len(text)))
        return bits / (len(text) - 1)


def train_lstm(train, valid, mode, args):
    from rnn_apps import TextGenerator

    model = TextGenerator(cell="lstm", units=args.units, layers=args.layers, embedding_dim=64,
                          mode=mode, bptt=args.bptt, batch_size=args.batch_size,
                          epochs=args.epochs, learning_rate=args.learning_rate, patience=2, seed=0,
                          verbose=1)
    started = time.perf_counter()
    model.fit(train, validation_data=valid)
    seconds = time.perf_counter() - started
    return model, seconds


def generation_speed(model, chars: int = 500):
    import tensorflow as tf

    with tempfile.TemporaryDirectory() as tmp:
        model.export(Path(tmp) / "lm")
        serve = tf.saved_model.load(str(Path(tmp) / "lm")).signatures["serving_default"]
        args = {"prompt": tf.constant(["HAMLET. "]), "temperature": tf.constant(0.8)}
        serve(length=tf.constant(10), **args)
        started = time.perf_counter()
        serve(length=tf.constant(chars), **args)["text"].numpy()
        return chars / (time.perf_counter() - started)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--units", type=int, default=256)
    parser.add_argument("--layers", type=int, default=1)
    parser.add_argument("--bptt", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--order", type=int, default=5)
    parser.add_argument("--learning-rate", type=float, default=4e-3)
    parser.add_argument("--modes", nargs="*", default=["tbptt", "windows"])
    args = parser.parse_args()
    if not args.data.is_dir():
        print(f"skipped: {args.data} not found (the shared real-data folder)")
        return 0
    read = lambda name: (args.data / name).read_text(encoding="utf-8")
    train = read("hamlet.txt") + "\n" + read("macbeth.txt")
    test = read("julius_caesar.txt")
    cut = int(len(train) * 0.95)
    print(f"train {cut} chars, validation {len(train) - cut}, test {len(test)}")

    started = time.perf_counter()
    ngram = WittenBellNgram(args.order, set(train[:cut])).fit(train[:cut])
    rows = [(f"Witten-Bell {args.order}-gram", ngram.bits_per_char(test),
             time.perf_counter() - started, "-")]
    print(f"{rows[0][0]}: {rows[0][1]:.3f} bits/char", flush=True)
    for mode in args.modes:
        model, seconds = train_lstm(train[:cut], train[cut:], mode, args)
        bpc = model.evaluate(test)["bits_per_char"]
        epochs = len(model.history_["loss"])
        speed = (cut - 1) * epochs / seconds
        label = "state carried (TBPTT)" if mode == "tbptt" else "independent windows"
        rows.append((f"LSTM {args.units}, {label}", bpc, seconds, f"{speed:.0f}"))
        print(f"{rows[-1][0]}: {bpc:.3f} bits/char, {seconds:.0f} s", flush=True)
        if mode == args.modes[0]:
            gen_speed = generation_speed(model)
            sample = model.generate("HAMLET. ", length=300, temperature=0.7, seed=0)
    print("\n| model | test bits/char | train s | train chars/s |\n|---|---|---|---|")
    for name, bpc, seconds, speed in rows:
        print(f"| {name} | {bpc:.3f} | {seconds:.0f} | {speed} |")
    print(f"\nSavedModel generation: {gen_speed:.0f} characters/s (batch 1, 500 characters)")
    print(f"\nsample (temperature 0.7, seed 0):\n{sample}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
