"""Sentiment from a pretrained language model against TF-IDF + LR, fold by fold.

    .venv/bin/python benchmarks/sentiment_transfer.py [--folds 10] [--only 1,2] \
        [--rows defaults,lm-train,lm-extra] [--set learning_rate=0.004]

Data: ../shared/data/sentiment_labelled_sentences (3,000 review sentences),
the same 10 stratified folds as benchmarks/sentiment_wide.py. Rows:

- ``defaults``: ``SentimentClassifier()`` with its defaults (seed 0);
- ``lm-train``: a word language model (``TextGenerator(level="word")``, the
  classifier's default sizes) learned from the fold's training texts only,
  then ``init_from_lm`` with the defaults (ULMFiT fine-tuning);
- ``lm-extra``: the same, the language model learned from extra unlabeled
  English reachable offline and the fold's training texts: the English
  side of ../shared/data/trans_de_en/train.tsv and the sentences of
  ../shared/data/ud_english_ewt (``# text =`` lines);
- TF-IDF 1-2-grams + logistic regression on the same folds.

``--set name=value`` changes a classifier setting for the LM rows (extra rows).
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
sys.path.insert(0, str(ROOT / "benchmarks"))
SHARED = ROOT.parent / "shared" / "data"

from sentiment_quality import DEFAULT_DATA, load, tfidf_accuracy  # noqa: E402

LM = {"level": "word", "seed": 0, "verbose": 0}


def extra_text() -> str:
    """Unlabeled English from the shared folder: dictionary phrases and web text."""
    lines = []
    pairs = SHARED / "trans_de_en" / "train.tsv"
    if pairs.exists():
        lines += [row.split("\t")[1].strip() for row in
                  pairs.read_text(encoding="utf-8").splitlines() if "\t" in row]
    for name in ("en_ewt-ud-dev.conllu", "en_ewt-ud-test.conllu"):
        path = SHARED / "ud_english_ewt" / name
        if path.exists():
            lines += [row[len("# text = "):] for row in
                      path.read_text(encoding="utf-8").splitlines()
                      if row.startswith("# text = ")]
    return "\n".join(lines)


def value(text: str):
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return {"true": True, "false": False}.get(text.lower(), text)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=10)
    parser.add_argument("--only", default=None, help="comma-separated fold numbers to run")
    parser.add_argument("--rows", default="defaults,lm-train,lm-extra")
    parser.add_argument("--set", action="append", default=[])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args()
    if not args.data.is_dir():
        print(f"skipped: {args.data} not found (the shared real-data folder)")
        return 0
    from sklearn.model_selection import StratifiedKFold

    from rnn_apps import SentimentClassifier, TextGenerator

    settings = {k: value(v) for k, v in (item.split("=", 1) for item in args.set)}
    rows = args.rows.split(",")
    only = None if args.only is None else {int(f) for f in args.only.split(",")}
    texts, labels = load(args.data)
    extra = extra_text() if "lm-extra" in rows else ""
    print(f"{len(texts)} sentences, {args.folds} folds; extra unlabeled text "
          f"{len(extra.splitlines())} lines, {len(extra.split())} words; settings {settings}")
    names = ["TF-IDF + LR", *rows]
    scores = {name: [] for name in names}
    seconds = {name: [] for name in rows}
    folds = StratifiedKFold(n_splits=args.folds, shuffle=True, random_state=0)
    for fold, (train_idx, test_idx) in enumerate(folds.split(texts, labels), start=1):
        if only and fold not in only:
            continue
        train = texts[train_idx], labels[train_idx]
        test = texts[test_idx], labels[test_idx]
        scores["TF-IDF + LR"].append(tfidf_accuracy(train, test))
        for row in rows:
            started = time.perf_counter()
            if row == "defaults":
                clf = SentimentClassifier(seed=0, verbose=0).fit(*train)
            else:
                corpus = "\n".join(train[0]) if row == "lm-train" else \
                    extra + "\n" + "\n".join(train[0])
                lm = TextGenerator(**LM).fit(corpus)
                clf = SentimentClassifier(init_from_lm=lm, seed=0, verbose=0,
                                          **settings).fit(*train)
            seconds[row].append(time.perf_counter() - started)
            scores[row].append(clf.evaluate(*test)["accuracy"])
        print(f"fold {fold}: " + ", ".join(f"{k} {v[-1]:.3f}" for k, v in scores.items()),
              flush=True)
    print("\n| model | mean accuracy | std | s/fold (LM included) |")
    print("|---|---|---|---|")
    for name in names:
        spent = f"{np.mean(seconds[name]):.0f}" if name in seconds else "-"
        print(f"| {name} | {np.mean(scores[name]):.3f} | {np.std(scores[name]):.3f} | "
              f"{spent} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
