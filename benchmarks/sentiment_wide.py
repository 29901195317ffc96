"""The wide TF-IDF path of the sentiment classifier against TF-IDF + logistic regression.

    .venv/bin/python benchmarks/sentiment_wide.py [--folds 10] [--only 3] [--data DIR]

Data: ../shared/data/sentiment_labelled_sentences (amazon, imdb and yelp,
3,000 sentences, ``sentence<TAB>label``); skipped when the folder is absent.
Stratified k-fold cross-validation (shuffled, ``random_state=0``): every row
trains and scores on the same folds. Rows: TF-IDF of word 1-2-grams +
logistic regression (scikit-learn defaults), the recurrent classifier with
its defaults, and the same with ``wide=True``. ``--only N`` runs the first N
folds of the same split (a quicker look; the table says so).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
from sentiment_quality import load, tfidf_accuracy  # same data and linear baseline

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "sentiment_labelled_sentences"
FILES = ("amazon_cells_labelled.txt", "imdb_labelled.txt", "yelp_labelled.txt")
LINEAR = "TF-IDF 1-2-grams + logistic regression"
ROWS = {"recurrent (defaults)": {}, "recurrent + wide (defaults, wide=True)": {"wide": True}}


def run(texts, labels, folds: int, only: int | None, rows: dict, seed: int = 0):
    """``(accuracies, seconds)`` per row name, over the first ``only`` folds."""
    from sklearn.model_selection import StratifiedKFold

    from rnn_apps import SentimentClassifier

    scores = {name: [] for name in [LINEAR, *rows]}
    seconds = {name: 0.0 for name in scores}
    split = StratifiedKFold(n_splits=folds, shuffle=True, random_state=0)
    for fold, (train_idx, test_idx) in enumerate(split.split(texts, labels), start=1):
        if only and fold > only:
            break
        train = texts[train_idx], labels[train_idx]
        test = texts[test_idx], labels[test_idx]
        started = time.perf_counter()
        scores[LINEAR].append(tfidf_accuracy(train, test))
        seconds[LINEAR] += time.perf_counter() - started
        for name, settings in rows.items():
            started = time.perf_counter()
            clf = SentimentClassifier(seed=seed, verbose=0, **settings).fit(*train)
            seconds[name] += time.perf_counter() - started
            scores[name].append(clf.evaluate(*test)["accuracy"])
        print(f"fold {fold}: " + ", ".join(f"{k} {v[-1]:.3f}" for k, v in scores.items()),
              flush=True)
    return scores, seconds


def table(scores: dict, seconds: dict) -> str:
    lines = ["| model | accuracy (mean ± std over folds) | train s/fold |", "|---|---|---|"]
    for name, values in scores.items():
        per_fold = seconds[name] / len(values)
        lines.append(f"| {name} | {np.mean(values):.3f} ± {np.std(values):.3f} | "
                     f"{per_fold:.1f} |")
    linear = np.mean(scores[LINEAR])
    for name, values in scores.items():
        if name != LINEAR:
            lines.append(f"\n{name}: {100 * (np.mean(values) - linear):+.1f} points "
                         "against the linear model")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=10)
    parser.add_argument("--only", type=int, default=None,
                        help="run only the first N folds of the same split")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args()
    if not all((args.data / name).is_file() for name in FILES):
        print(f"skipped: {args.data} not found (the shared real-data folder)")
        return 0
    texts, labels = load(args.data)
    used = f"the first {args.only} of " if args.only else ""
    print(f"{len(texts)} sentences, {used}{args.folds}-fold stratified cross-validation")
    scores, seconds = run(texts, labels, args.folds, args.only, ROWS)
    print()
    print(table(scores, seconds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
