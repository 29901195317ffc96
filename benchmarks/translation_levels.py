"""German -> English phrase translation by vocabulary level: word, char, subword.

    .venv/bin/python benchmarks/translation_levels.py [--levels word,char,subword]
        [--train-limit N] [--json PATH] [--set key=value ...]

Data: ``../shared/data/trans_de_en`` (train 16,541 / test 3,000 pairs; read its
README). Each level trains ``Seq2SeqTranslator`` with the defaults a user
gets (only ``source_level``/``target_level`` change; ``--set`` adds a
setting for an extra row) and seed 0, then translates the whole test set
greedily (beam 1) and with the default beam. BLEU and chrF are sacrebleu's
defaults against the raw English references, the same for every level
(copying the German source scores BLEU 0.5, chrF 14.1). "unknown" is the
share of test tokens, per side, that the level's vocabulary reads as unknown.
Skips cleanly when the data folder is absent.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "trans_de_en"


def read_pairs(path: Path):
    sources, targets = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        source, _, target = line.partition("\t")
        if source.strip() and target.strip():
            sources.append(source)
            targets.append(target)
    return sources, targets


def unknown_share(vocabulary, texts, max_length: int) -> float:
    """Share of the tokens of ``texts`` that ``vocabulary`` maps to the unknown id."""
    import numpy as np
    import tensorflow as tf

    unknown = total = 0
    for start in range(0, len(texts), 512):
        _, lengths, counts = vocabulary.encode_graph(tf.constant(texts[start:start + 512]),
                                                      max_length)
        unknown += int(np.sum(counts.numpy()))
        total += int(np.sum(lengths.numpy()))
    return unknown / max(total, 1)


def run_level(level: str, train, test, settings: dict) -> dict:
    import warnings

    from sacrebleu.metrics import BLEU, CHRF

    from rnn_apps import Seq2SeqTranslator

    model = Seq2SeqTranslator(source_level=level, target_level=level, seed=0, verbose=0,
                              **settings)
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(*train)
        fit_seconds = time.perf_counter() - started
        row = {"level": level, "settings": settings, "epochs": len(model.history_["loss"]),
               "fit_s": round(fit_seconds, 1),
               "source_vocab": model.source_vocab_.size, "target_vocab": model.target_vocab_.size,
               "unknown_source": unknown_share(model.source_vocab_, test[0], 10_000),
               "unknown_target": unknown_share(model.target_vocab_, test[1], 10_000)}
        for name, beam in (("greedy", 1), ("beam", model.beam_width)):
            started = time.perf_counter()
            hypotheses = model.predict(test[0], beam_width=beam)
            row[f"{name}_s"] = round(time.perf_counter() - started, 1)
            row[f"{name}_bleu"] = round(BLEU().corpus_score(hypotheses, [test[1]]).score, 2)
            row[f"{name}_chrf"] = round(CHRF().corpus_score(hypotheses, [test[1]]).score, 2)
    row["examples"] = list(zip(test[0][:3], hypotheses[:3]))
    return row


def parse_settings(items) -> dict:
    settings = {}
    for item in items or []:
        key, _, value = item.partition("=")
        for cast in (int, float):
            try:
                value = cast(value)
                break
            except ValueError:
                continue
        settings[key] = value
    return settings


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", default="word,char,subword")
    parser.add_argument("--train-limit", type=int, default=None)
    parser.add_argument("--json", default=None, help="Append each row to this JSON-lines file.")
    parser.add_argument("--set", action="append", help="An extra setting, key=value.")
    args = parser.parse_args(argv)
    if not DATA.is_dir():
        print(f"skipped: {DATA} is absent")
        return 0
    train = read_pairs(DATA / "train.tsv")
    if args.train_limit:
        train = (train[0][:args.train_limit], train[1][:args.train_limit])
    test = read_pairs(DATA / "test.tsv")
    print(f"train {len(train[0])} pairs, test {len(test[0])} pairs", flush=True)
    for level in args.levels.split(","):
        row = run_level(level, train, test, parse_settings(args.set))
        print(json.dumps(row, ensure_ascii=False), flush=True)
        if args.json:
            with open(args.json, "a", encoding="utf-8") as handle:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
