"""Peer for issue 30: Ludwig's default text classifier beside TF-IDF + LR on the review sentences.

    /work/peervenv/bin/python benchmarks/peers/ludwig_sentiment.py [--folds 10] [--only N]

Runs in the peer virtual environment (benchmarks/peers/README.md): it needs
ludwig and scikit-learn, not the project.

Data: ``../shared/data/sentiment_labelled_sentences`` (amazon, imdb and yelp,
3,000 sentences, ``sentence<TAB>label``), read as the project's
``read_labelled_texts(fmt="tsv", header=False)`` reads it (a tab-separated
``csv.reader``; empty rows skipped), in the same file order, so the split is
the one of ``benchmarks/sentiment_wide.py``: ``StratifiedKFold`` shuffled
with ``random_state=0``. ``--only N`` runs the first N folds of that split,
``--run-folds 2,3`` the named ones (to spread folds over runs).

Rows, on the same folds: TF-IDF of word 1-2-grams + logistic regression
(``max_iter=2000``, otherwise scikit-learn defaults, as in
``benchmarks/sentiment_quality.py``), and Ludwig with the smallest config, one
``text`` input feature and one ``binary`` output feature, everything else
Ludwig's default (encoder, preprocessing, trainer, early stopping). Ludwig
needs a validation set for its early stopping: a stratified 10% of each
fold's training part (``random_state=0``); the model Ludwig keeps (its best
on validation) scores the fold's test part.
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "sentiment_labelled_sentences"
FILES = ("amazon_cells_labelled.txt", "imdb_labelled.txt", "yelp_labelled.txt")
LINEAR = "TF-IDF 1-2-grams + logistic regression"
LUDWIG = "Ludwig default text classifier"
CONFIG = {"input_features": [{"name": "sentence", "type": "text"}],
          "output_features": [{"name": "label", "type": "binary"}]}


def load(folder: Path):
    texts, labels = [], []
    for name in FILES:
        with open(folder / name, encoding="utf-8", newline="") as handle:
            for row in csv.reader(handle, delimiter="\t"):
                if not any(cell.strip() for cell in row):
                    continue
                texts.append(row[0])
                labels.append(row[1].strip())
    return np.array(texts, dtype=object), np.array(labels, dtype=object)


def tfidf_accuracy(train, test) -> float:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = TfidfVectorizer(ngram_range=(1, 2))
    model = LogisticRegression(max_iter=2000).fit(vectorizer.fit_transform(train[0]), train[1])
    return float((model.predict(vectorizer.transform(test[0])) == test[1]).mean())


def ludwig_accuracy(train, test, workdir: Path, level: int,
                    batch_size: int | None = None) -> tuple[float, int]:
    import pandas as pd
    from ludwig.api import LudwigModel
    from sklearn.model_selection import train_test_split

    frame = pd.DataFrame({"sentence": list(train[0]), "label": train[1].astype(int)})
    fit, valid = train_test_split(frame, test_size=0.1, stratify=frame["label"], random_state=0)
    config = CONFIG if batch_size is None else {**CONFIG, "trainer": {"batch_size": batch_size}}
    model = LudwigModel(config, logging_level=level)
    stats, _, _ = model.train(training_set=fit, validation_set=valid,
                              output_directory=str(workdir), skip_save_processed_input=True,
                              skip_save_log=True)
    epochs = len(stats.training["label"]["loss"]) if hasattr(stats, "training") else -1
    predictions, _ = model.predict(pd.DataFrame({"sentence": list(test[0])}),
                                   output_directory=str(workdir))
    predicted = predictions["label_predictions"].astype(int).to_numpy()
    return float((predicted == test[1].astype(int)).mean()), epochs


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=10)
    parser.add_argument("--only", type=int, default=None,
                        help="run only the first N folds of the same split")
    parser.add_argument("--run-folds", default=None,
                        help="comma-separated fold numbers (1-based) to run, e.g. 2,3")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--batch-size", type=int, default=None,
                        help="fix Ludwig's training batch size (default: its own 'auto')")
    parser.add_argument("--log-level", default="error", help="Ludwig's logging level")
    args = parser.parse_args()
    level = getattr(logging, args.log_level.upper())
    chosen = {int(f) for f in args.run_folds.split(",")} if args.run_folds else None
    if not all((args.data / name).is_file() for name in FILES):
        print(f"skipped: {args.data} not found (the shared real-data folder)")
        return 0
    import ludwig
    import sklearn
    import torch
    from sklearn.model_selection import StratifiedKFold

    texts, labels = load(args.data.resolve())
    # Ludwig leaves a lock file and dataset caches in the working directory
    scratch = tempfile.TemporaryDirectory()
    os.chdir(scratch.name)
    used = f"the first {args.only} of " if args.only else ""
    print(f"{len(texts)} sentences, {used}{args.folds}-fold stratified cross-validation; "
          f"ludwig {ludwig.__version__}, torch {torch.__version__}, "
          f"scikit-learn {sklearn.__version__}", flush=True)
    scores = {LINEAR: [], LUDWIG: []}
    seconds = {LINEAR: 0.0, LUDWIG: 0.0}
    epochs = []
    split = StratifiedKFold(n_splits=args.folds, shuffle=True, random_state=0)
    for fold, (train_idx, test_idx) in enumerate(split.split(texts, labels), start=1):
        if args.only and fold > args.only:
            break
        if chosen and fold not in chosen:
            continue
        train = texts[train_idx], labels[train_idx]
        test = texts[test_idx], labels[test_idx]
        started = time.perf_counter()
        scores[LINEAR].append(tfidf_accuracy(train, test))
        seconds[LINEAR] += time.perf_counter() - started
        started = time.perf_counter()
        with tempfile.TemporaryDirectory() as workdir:
            accuracy, fold_epochs = ludwig_accuracy(train, test, Path(workdir), level,
                                                    args.batch_size)
        seconds[LUDWIG] += time.perf_counter() - started
        scores[LUDWIG].append(accuracy)
        epochs.append(fold_epochs)
        print(f"fold {fold}: " + ", ".join(f"{k} {v[-1]:.3f}" for k, v in scores.items())
              + f" (Ludwig {fold_epochs} epochs, {time.perf_counter() - started:.0f} s)",
              flush=True)
    print("\n| model | accuracy (mean ± std over folds) | train s/fold |\n|---|---|---|")
    for name, values in scores.items():
        print(f"| {name} | {np.mean(values):.3f} ± {np.std(values):.3f} | "
              f"{seconds[name] / len(values):.1f} |")
    print(json.dumps({"folds_run": len(scores[LINEAR]), "folds": sorted(chosen or []),
                      "per_fold": scores,
                      "mean": {k: round(float(np.mean(v)), 4) for k, v in scores.items()},
                      "ludwig_epochs": epochs}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
