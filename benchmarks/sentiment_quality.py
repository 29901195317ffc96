"""Cross-validated sentiment accuracy on real review sentences.

    .venv/bin/python benchmarks/sentiment_quality.py [--folds 10] [--data DIR]

Data: ../shared/data/sentiment_labelled_sentences (amazon, imdb and yelp
files, ``sentence<TAB>label``). Every fold trains each recurrent setting and
the baselines on the same split, so the numbers compare directly.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "sentiment_labelled_sentences"

SETTINGS = {
    "GRU 64, last state": {"cell": "gru", "units": 64},
    "BiGRU 64, max pool, dropout 0.3": {"cell": "gru", "units": 64, "bidirectional": True,
                                            "pooling": "max", "dropout": 0.3},
    "BiLSTM 64, mean pool, dropout 0.3": {"cell": "lstm", "units": 64, "bidirectional": True,
                                              "pooling": "mean", "dropout": 0.3},
    # Character level: 0.668 on 2 folds at about 250 s per fold; not in the default run.
    "BiGRU 64, char level, max pool": {"cell": "gru", "units": 64, "bidirectional": True,
                                           "pooling": "max", "dropout": 0.3, "level": "char",
                                           "embedding_dim": 32, "max_length": 200},
}
COMMON = {"embedding_dim": 64, "epochs": 20, "batch_size": 32, "patience": 3, "valid_split": 0.1,
              "seed": 0, "verbose": 0}


def load(folder: Path):
    from rnn_apps.data.tables import read_labelled_texts

    texts, labels = [], []
    for name in ("amazon_cells_labelled.txt", "imdb_labelled.txt", "yelp_labelled.txt"):
        t, y = read_labelled_texts(folder / name, fmt="tsv", header=False, text_column=0,
                                   label_column=1)
        texts += t
        labels += y
    return np.array(texts, dtype=object), np.array(labels, dtype=object)


def tfidf_accuracy(train, test) -> float:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = TfidfVectorizer(ngram_range=(1, 2))
    model = LogisticRegression(max_iter=2000).fit(vectorizer.fit_transform(train[0]), train[1])
    return float((model.predict(vectorizer.transform(test[0])) == test[1]).mean())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=10)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--settings", nargs="*", default=list(SETTINGS)[:3],
                        help="names of SETTINGS to run (default: the three word-level ones)")
    args = parser.parse_args()
    if not args.data.is_dir():
        print(f"skipped: {args.data} not found (the shared real-data folder)")
        return 0
    from sklearn.model_selection import StratifiedKFold

    from rnn_apps import SentimentClassifier
    from rnn_apps.evaluation.classification import majority_baseline

    texts, labels = load(args.data)
    print(f"{len(texts)} sentences, {args.folds}-fold stratified cross-validation")
    scores = {name: [] for name in ["majority class", "TF-IDF 1-2 grams + logistic regression",
                                    *args.settings]}
    seconds = {name: 0.0 for name in args.settings}
    folds = StratifiedKFold(n_splits=args.folds, shuffle=True, random_state=0)
    for fold, (train_idx, test_idx) in enumerate(folds.split(texts, labels), start=1):
        train = texts[train_idx], labels[train_idx]
        test = texts[test_idx], labels[test_idx]
        scores["majority class"].append(majority_baseline(train[1], test[1]))
        scores["TF-IDF 1-2 grams + logistic regression"].append(tfidf_accuracy(train, test))
        for name in args.settings:
            started = time.perf_counter()
            clf = SentimentClassifier(**{**COMMON, **SETTINGS[name]}).fit(*train)
            seconds[name] += time.perf_counter() - started
            scores[name].append(clf.evaluate(*test)["accuracy"])
        print(f"fold {fold}: " + ", ".join(f"{k} {v[-1]:.3f}" for k, v in scores.items()),
              flush=True)
    print("\n| model | mean accuracy | std | train s/fold |")
    print("|---|---|---|---|")
    for name, values in scores.items():
        per_fold = f"{seconds[name] / args.folds:.0f}" if name in seconds else "-"
        print(f"| {name} | {np.mean(values):.3f} | {np.std(values):.3f} | {per_fold} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
