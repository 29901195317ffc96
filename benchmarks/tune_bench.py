"""Hyperparameter search against the defaults, one task at a time.

    .venv/bin/python benchmarks/tune_bench.py                      # every task, 6 minutes each
    .venv/bin/python benchmarks/tune_bench.py --tasks sentiment --budget-minutes 2

For each task the class defaults are fitted as a user would (``fit``, its own
10% hold-out for early stopping), then ``rnn_apps.tune`` searches from the
same defaults on the same training data within the budget (Bayesian
optimisation, seed 0; its own 10% hold-out for early stopping and scoring),
and both models are scored on the same test data, which neither saw:

- sentiment: the 3,000 review sentences of ``sentiment_labelled_sentences``,
  one stratified 80/20 train/test split (seed 0); test accuracy;
- tagging: UD English EWT, train on the dev file, UPOS token accuracy on test;
- seq2seq: ``trans_de_en``, the first ``--seq2seq-pairs`` training pairs
  (a cap: one default trial on all 16,541 takes over half an hour here),
  chrF on the first 1,000 test pairs;
- textgen: Hamlet, Macbeth and Julius Caesar joined; the last 10% is the
  test text, the model trains on the ``--textgen-chars`` characters just
  before it (a cap, so that a default trial takes about a minute); bits per
  character on the test text;
- forecast: monthly CO2 (statsmodels' weekly Mauna Loa series, monthly
  means), horizon 12; the last 10% (52 months) is the test part; MASE of every
  12-month forecast whose first month is in it.

Reads ``../shared/data``; a task whose data is absent is skipped. Each
finished task appends one JSON line to ``--results`` and the table so far is
printed as Markdown.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
TASKS = ("sentiment", "tagging", "seq2seq", "textgen", "forecast")


def sentiment(args):
    from sklearn.model_selection import train_test_split

    from rnn_apps import SentimentClassifier

    folder = Path(args.data) / "sentiment_labelled_sentences"
    names = ("amazon_cells_labelled.txt", "imdb_labelled.txt", "yelp_labelled.txt")
    if not all((folder / name).is_file() for name in names):
        return None
    from sentiment_quality import load

    texts, labels = (list(a) for a in load(folder))
    train_x, test_x, train_y, test_y = train_test_split(texts, labels, test_size=0.2,
                                                        random_state=0, stratify=labels)
    return {"make": SentimentClassifier, "train": (train_x, train_y), "test": (test_x, test_y),
            "metric": "accuracy", "higher": True,
            "data": f"{len(train_x)} train / {len(test_x)} test sentences"}


def tagging(args):
    from rnn_apps import Tagger
    from rnn_apps.data.tagged import read_tagged

    folder = Path(args.data) / "ud_english_ewt"
    if not (folder / "en_ewt-ud-dev.conllu").is_file():
        return None
    train = read_tagged(folder / "en_ewt-ud-dev.conllu")
    test = read_tagged(folder / "en_ewt-ud-test.conllu")
    return {"make": Tagger, "train": train, "test": test, "metric": "token_accuracy",
            "higher": True, "data": f"dev {len(train[0])} / test {len(test[0])} sentences"}


def seq2seq(args):
    from rnn_apps import Seq2SeqTranslator
    from rnn_apps.data.pairs import read_pairs

    folder = Path(args.data) / "trans_de_en"
    if not (folder / "train.tsv").is_file():
        return None
    sources, targets = read_pairs(folder / "train.tsv")
    test = read_pairs(folder / "test.tsv")
    n = args.seq2seq_pairs
    return {"make": Seq2SeqTranslator, "train": (sources[:n], targets[:n]),
            "test": (test[0][:1000], test[1][:1000]), "metric": "chrf", "higher": True,
            "data": f"first {n} train / first 1,000 test pairs"}


def textgen(args):
    from rnn_apps import TextGenerator
    from rnn_apps.data.text import read_corpus

    folder = Path(args.data) / "shakespeare"
    plays = [folder / f"{name}.txt" for name in ("hamlet", "macbeth", "julius_caesar")]
    if not all(play.is_file() for play in plays):
        return None
    text = read_corpus([str(play) for play in plays])
    cut = len(text) - len(text) // 10
    train = text[:cut][-args.textgen_chars:]
    return {"make": TextGenerator, "train": (train,), "test": (text[cut:],),
            "metric": "bits_per_char", "higher": False,
            "data": f"{len(train)} train chars (just before the test tail) / "
                    f"{len(text) - cut} test chars"}


def forecast(args):
    try:
        import statsmodels.api as sm
    except ImportError:
        return None
    from rnn_apps import Forecaster
    from rnn_apps.preprocessing.series import as_series

    weekly = sm.datasets.co2.load_pandas().data["co2"]
    monthly = weekly.resample("MS").mean().interpolate().to_frame()
    series = as_series(monthly)
    cut = len(series.values) - len(series.values) // 10

    def test_part(model):
        return series.part(cut - model.lookback_, len(series.values))

    return {"make": lambda **kw: Forecaster(horizon=12, **kw), "train": (series.part(0, cut),),
            "test": test_part, "metric": "mase", "higher": False,
            "data": f"{cut} train / {len(series.values) - cut} test months"}


LOADERS = {"sentiment": sentiment, "tagging": tagging, "seq2seq": seq2seq,
           "textgen": textgen, "forecast": forecast}


def test_score(spec, model) -> float:
    test = spec["test"](model) if callable(spec["test"]) else spec["test"]
    test = test if isinstance(test, tuple) else (test,)
    return float(model.evaluate(*test)[spec["metric"]])


def run(task, args) -> dict | None:
    import rnn_apps

    spec = LOADERS[task](args)
    if spec is None:
        print(f"{task}: data not found under {args.data}; skipped", flush=True)
        return None
    print(f"== {task}: {spec['data']}", flush=True)
    started = time.perf_counter()
    default = spec["make"](seed=0, verbose=0).fit(*spec["train"])
    default_seconds = time.perf_counter() - started
    default_score = test_score(spec, default)
    print(f"defaults: test {spec['metric']} {default_score:.4f} ({default_seconds:.0f} s)",
          flush=True)
    best = rnn_apps.tune(spec["make"](seed=0, verbose=0), *spec["train"], trials=args.trials,
                         budget_minutes=args.budget_minutes, algorithm=args.algorithm, seed=0)
    search = best.tuning_
    tuned_score = test_score(spec, best)
    statuses = [row["status"] for row in search.results_]
    changed = {k: v for k, v in search.best_params_.items() if v != search.results_[0][k]}
    row = {"task": task, "metric": spec["metric"], "higher_is_better": spec["higher"],
           "data": spec["data"], "default": default_score, "tuned": tuned_score,
           "default_fit_seconds": round(default_seconds), "tune_seconds": search.seconds_,
           "trials": len(statuses), "cut": statuses.count("cut"),
           "failed": statuses.count("failed"), "budget_minutes": args.budget_minutes,
           "best_trial": search.best_trial_, "best_params": search.best_params_,
           "changed": changed, "validation": search.validation_,
           "best_validation_score": search.best_score_,
           "default_validation_score": search.results_[0]["score"]}
    print(f"tuned: test {spec['metric']} {tuned_score:.4f} after {len(statuses)} trials "
          f"({search.seconds_:.0f} s); best trial {search.best_trial_}: {changed or 'defaults'}",
          flush=True)
    return row


def markdown(rows) -> str:
    header = ("| task | test metric | defaults | tuned | trials run (cut, failed) | budget | "
              "best trial: changed from the defaults |")
    lines = [header, "|---|---|---|---|---|---|---|"]
    for row in rows:
        better = (row["tuned"] > row["default"]) == row["higher_is_better"] \
            and row["tuned"] != row["default"]
        tuned = f"**{row['tuned']:.4f}**" if better else f"{row['tuned']:.4f}"
        arrow = "higher" if row["higher_is_better"] else "lower"
        changed = ", ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}"
                            for k, v in row["changed"].items()) or "none (trial 1)"
        lines.append(f"| {row['task']} | {row['metric']} ({arrow} is better) | "
                     f"{row['default']:.4f} | {tuned} | {row['trials']} ({row['cut']}, "
                     f"{row['failed']}) | {row['budget_minutes']:g} min | "
                     f"{row['best_trial']}: {changed} |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(DATA))
    parser.add_argument("--tasks", default=",".join(TASKS))
    parser.add_argument("--budget-minutes", type=float, default=6.0)
    parser.add_argument("--trials", type=int, default=30)
    parser.add_argument("--algorithm", default="bayesian", choices=("bayesian", "hyperband"))
    parser.add_argument("--seq2seq-pairs", type=int, default=1500)
    parser.add_argument("--textgen-chars", type=int, default=120_000)
    parser.add_argument("--results", default=str(ROOT / "runs" / "bench" / "tune_bench.jsonl"))
    args = parser.parse_args()
    if not Path(args.data).is_dir():
        print(f"{args.data} not found; skipping")
        return 0
    results = Path(args.results)
    results.parent.mkdir(parents=True, exist_ok=True)
    rows = []
    for task in [t.strip() for t in args.tasks.split(",") if t.strip()]:
        if task not in LOADERS:
            parser.error(f"unknown task {task!r} (tasks: {', '.join(TASKS)})")
        row = run(task, args)
        if row is None:
            continue
        rows.append(row)
        with open(results, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(row, default=str) + "\n")
        print(markdown(rows), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
