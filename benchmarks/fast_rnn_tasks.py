"""The five tasks with the CPU fast path off and on: seconds per epoch and quality.

Each task trains its defaults (seed 0) on real data, once with
``RNN_APPS_FAST_RNN=0`` (Keras' own recurrent layers) and once with the fast
path, each in its own process, in turns (``--rounds`` times). Reported: the
median seconds per training epoch (fit time / epochs run, so start-up and
tracing are included) and the task's quality on held-out data.

    python benchmarks/fast_rnn_tasks.py [--tasks sentiment,tagging,seq2seq,forecast,textgen]
                                        [--rounds 1]

Data: ../shared/data (sentiment_labelled_sentences, ud_english_ewt,
trans_de_en, shakespeare) and the bundled datasets/forecast/co2_monthly.csv.
The seq2seq and textgen rows use a fixed share of their corpora and epochs so
that a row takes minutes.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"


def _split(items, share, seed=0):
    import numpy as np

    order = np.random.default_rng(seed).permutation(len(items[0]))
    cut = int(len(order) * (1 - share))
    pick = lambda idx: tuple([column[i] for i in idx] for column in items)
    return pick(order[:cut]), pick(order[cut:])


def sentiment():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from sentiment_quality import DEFAULT_DATA, load

    from rnn_apps import SentimentClassifier

    train, test = _split(load(DEFAULT_DATA), 0.2)
    model = SentimentClassifier(seed=0, verbose=0)
    return model, (train[0], train[1]), lambda m: m.evaluate(*test)["accuracy"]


def tagging():
    from rnn_apps import Tagger
    from rnn_apps.data.tagged import read_tagged

    folder = SHARED / "ud_english_ewt"
    train = read_tagged(folder / "en_ewt-ud-dev.conllu")
    test = read_tagged(folder / "en_ewt-ud-test.conllu")
    model = Tagger(seed=0, verbose=0)
    return model, train, lambda m: m.evaluate(*test)["token_accuracy"]


def seq2seq():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from translation_levels import DATA, read_pairs

    from rnn_apps import Seq2SeqTranslator

    sources, targets = read_pairs(DATA / "train.tsv")
    test = read_pairs(DATA / "test.tsv")
    model = Seq2SeqTranslator(seed=0, verbose=0, epochs=3)
    return (model, (sources[:4000], targets[:4000]),
            lambda m: m.evaluate(test[0][:500], test[1][:500])["chrf"])


def forecast():
    import numpy as np

    from rnn_apps import Forecaster
    from rnn_apps.data.series import read_series_csv

    series = read_series_csv(ROOT / "datasets" / "forecast" / "co2_monthly.csv",
                             time_column="month", interpolate=True)
    train, later = series.part(0, len(series.values) - 12), series.values[-12:]

    def relative_mae(model):  # vs the seasonal naive forecast (last year repeated)
        naive = np.abs(train.values[-12:] - later).mean()
        return float(np.abs(np.asarray(model.predict()) - later).mean() / naive)

    return Forecaster(horizon=12, seed=0, verbose=0), (train,), relative_mae


def textgen():
    from rnn_apps import TextGenerator

    text = (SHARED / "shakespeare" / "hamlet.txt").read_text(encoding="utf-8")
    train, valid = text[:120_000], text[120_000:140_000]
    model = TextGenerator(seed=0, verbose=0, epochs=2)
    return model, (train,), lambda m: m.evaluate(valid)["bits_per_char"]


TASKS = {"sentiment": sentiment, "tagging": tagging, "seq2seq": seq2seq,
         "forecast": forecast, "textgen": textgen}
NEEDS = {"sentiment": SHARED / "sentiment_labelled_sentences", "tagging": SHARED / "ud_english_ewt",
         "seq2seq": SHARED / "trans_de_en", "textgen": SHARED / "shakespeare",
         "forecast": ROOT / "datasets" / "forecast"}
QUALITY = {"sentiment": "accuracy", "tagging": "token accuracy",
           "seq2seq": "chrF (500 test pairs)",
           "forecast": "MAE of the last 12 months / seasonal naive's", "textgen": "bits/char"}


def child(task: str) -> None:
    model, data, quality = TASKS[task]()
    start = time.perf_counter()
    model.fit(*data)
    seconds = time.perf_counter() - start
    epochs = len(model.history_["loss"])
    print(json.dumps({"seconds": seconds, "epochs": epochs, "quality": float(quality(model))}))


def measure(task: str, fast: bool) -> dict:
    env = {**os.environ, "RNN_APPS_FAST_RNN": "1" if fast else "0",
           "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, __file__, "--child", task], check=False, env=env,
                          capture_output=True, text=True, timeout=7200)
    if done.returncode:
        raise SystemExit(f"{task} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", default=",".join(TASKS))
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.child)
    print("| task | quality | epochs (off / on) | s per epoch, Keras | s per epoch, fast "
          "| speed-up | quality, Keras | quality, fast |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for task in args.tasks.split(","):
        if not NEEDS[task].is_dir():
            print(f"| {task} | skipped: {NEEDS[task]} not found (the shared real-data folder) |")
            continue
        runs = {False: [], True: []}
        for _ in range(args.rounds):
            for fast in (False, True):
                runs[fast].append(measure(task, fast))
        per_epoch = {fast: statistics.median(r["seconds"] / r["epochs"] for r in rows)
                     for fast, rows in runs.items()}
        print(f"| {task} | {QUALITY[task]} | {runs[False][-1]['epochs']} / {runs[True][-1]['epochs']} "
              f"| {per_epoch[False]:.2f} | {per_epoch[True]:.2f} "
              f"| {per_epoch[False] / per_epoch[True]:.2f}x | {runs[False][-1]['quality']:.4f} "
              f"| {runs[True][-1]['quality']:.4f} |", flush=True)


if __name__ == "__main__":
    main()
