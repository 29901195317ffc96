"""Part-of-speech tagging on Universal Dependencies English EWT (UPOS).

    .venv/bin/python benchmarks/tagging_quality.py

Reads ``../shared/data/ud_english_ewt`` (CoNLL-U), trains on the dev file and
scores on the test file, as the issue asks (a small training set on
purpose). In the same run: the most-frequent-tag baseline (each word's most
frequent training tag, the overall most frequent tag for unseen words), and
the tagger without character features, with them, and with them plus a CRF
output layer. Then the exported SavedModel's throughput on the test file.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "ud_english_ewt"


def most_frequent_tag(train, test) -> float:
    by_word, overall = defaultdict(Counter), Counter()
    for tokens, tags in zip(*train):
        for token, tag in zip(tokens, tags):
            by_word[token][tag] += 1
            overall[tag] += 1
    default = overall.most_common(1)[0][0]
    right = total = 0
    for tokens, tags in zip(*test):
        for token, tag in zip(tokens, tags):
            guess = by_word[token].most_common(1)[0][0] if token in by_word else default
            right += guess == tag
            total += 1
    return right / total


def serving_throughput(model, sentences) -> float:
    import tensorflow as tf

    from rnn_apps.preprocessing.tokens import pad_tokens

    with tempfile.TemporaryDirectory() as folder:
        model.export(Path(folder) / "export")
        serve = tf.saved_model.load(str(Path(folder) / "export")).signatures["serving_default"]
        batches = [tf.constant(pad_tokens(sentences[i:i + 64]).astype(str))
                   for i in range(0, len(sentences), 64)]
        serve(tokens=batches[0])
        started = time.perf_counter()
        for batch in batches:
            serve(tokens=batch)["tags"].numpy()
        seconds = time.perf_counter() - started
    return sum(len(s) for s in sentences) / seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(DATA))
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    folder = Path(args.data)
    if not (folder / "en_ewt-ud-dev.conllu").is_file():
        print(f"UD English EWT not found in {folder}; skipping")
        return 0
    from rnn_apps import Tagger
    from rnn_apps.data.tagged import read_tagged

    train = read_tagged(folder / "en_ewt-ud-dev.conllu")
    test = read_tagged(folder / "en_ewt-ud-test.conllu")
    n_train, n_test = sum(map(len, train[0])), sum(map(len, test[0]))
    print(f"train (dev file): {len(train[0])} sentences, {n_train} tokens; "
          f"test: {len(test[0])} sentences, {n_test} tokens")
    print("| model | token accuracy | macro-F1 | epochs | fit s |\n|---|---|---|---|---|")
    print(f"| most frequent tag per word | {most_frequent_tag(train, test):.4f} | - | - | - |",
          flush=True)
    variants = [("BiLSTM 128, words only", {"char_filters": 0}),
                ("BiLSTM 128 + char CNN", {}),
                ("BiLSTM 128 + char CNN + CRF", {"crf": True})]
    model = None
    for name, params in variants:
        model = Tagger(cell="lstm", units=128, embedding_dim=100, dropout=0.3,
                       epochs=args.epochs, patience=4, learning_rate=2e-3, seed=args.seed,
                       verbose=0, **{"char_filters": 50, **params})
        started = time.perf_counter()
        model.fit(*train)
        seconds = time.perf_counter() - started
        metrics = model.evaluate(*test)
        print(f"| {name} | {metrics['token_accuracy']:.4f} | {metrics['macro_f1']:.4f} | "
              f"{len(model.history_['loss'])} | {seconds:.0f} |", flush=True)
    print(f"\nSavedModel ({variants[-1][0]}), batches of 64 sentences on CPU: "
          f"{serving_throughput(model, test[0]):,.0f} tokens/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
