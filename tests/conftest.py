"""Shared fixtures: the bundled sentiment sample and one tiny fitted model."""

import csv
import os
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

ROOT = Path(__file__).resolve().parents[1]
DATASETS = ROOT / "datasets"

# Tiny settings: every test model trains in a few seconds on 2 CPU cores.
TINY = {"cell": "gru", "units": 8, "embedding_dim": 8, "epochs": 2, "batch_size": 32, "seed": 0, "verbose": 0}


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return [r["text"] for r in rows], [r["label"] for r in rows]


@pytest.fixture(scope="session")
def sentiment_train():
    texts, labels = read_csv(DATASETS / "sentiment" / "train.csv")
    return texts[:400], labels[:400]


@pytest.fixture(scope="session")
def sentiment_test():
    texts, labels = read_csv(DATASETS / "sentiment" / "test.csv")
    return texts[:100], labels[:100]


@pytest.fixture(scope="session")
def fitted_sentiment(sentiment_train):
    from rnn_apps import SentimentClassifier

    return SentimentClassifier(**TINY).fit(*sentiment_train)


@pytest.fixture(scope="session")
def saved_sentiment(fitted_sentiment, tmp_path_factory):
    path = tmp_path_factory.mktemp("models") / "sentiment"
    fitted_sentiment.save(path)
    return path


@pytest.fixture()
def small_csv(tmp_path, sentiment_train):
    """A 120-row training CSV in the default text,label layout."""
    path = tmp_path / "train.csv"
    texts, labels = sentiment_train
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label"])
        writer.writerows(zip(texts[:120], labels[:120]))
    return path


def seasonal_series(n=240, period=12, seed=0):
    """A trending seasonal target (column 0) and a covariate in phase with it."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    level = 10 + 0.05 * t + 3 * np.sin(2 * np.pi * t / period)
    covariate = np.cos(2 * np.pi * t / period)
    return np.stack([level + rng.normal(0, 0.2, n), covariate], axis=1).astype("float32")


@pytest.fixture(scope="session")
def series_csv(tmp_path_factory):
    """Daily CSV: date, sales (weekly season), temp; 140 rows."""
    from datetime import date, timedelta

    values = seasonal_series(n=140, period=7, seed=1)
    path = tmp_path_factory.mktemp("series") / "sales.csv"
    lines = ["date,sales,temp"] + [
        f"{date(2024, 1, 1) + timedelta(days=i)},{v[0]:.3f},{v[1]:.3f}"
        for i, v in enumerate(values)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def saved_forecaster(series_csv, tmp_path_factory):
    """A tiny forecaster (sales from sales and temp, 3 steps, 0.1/0.9 quantiles), saved."""
    from rnn_apps import Forecaster
    from rnn_apps.data.series import read_series_csv

    table = read_series_csv(series_csv, time_column="date")
    model = Forecaster(inputs="relative", deseasonalize="none", ensemble=1, units=8,
                       lookback=14, horizon=3, targets=["sales"], quantiles=[0.1, 0.9],
                       epochs=2, seed=0, verbose=0).fit(table)
    return model.save(tmp_path_factory.mktemp("forecast") / "model")


# Property tests run the same examples on every run (a CI run never fails on a
# new random draw); HYPOTHESIS_PROFILE=deep explores many more.
from hypothesis import settings as _hypothesis_settings

_hypothesis_settings.register_profile("ci", max_examples=40, derandomize=True, database=None)
_hypothesis_settings.register_profile("deep", max_examples=2000, derandomize=False)
_hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def one_line_error(result, *fragments):
    lines = [line for line in result.output.strip().splitlines() if line.strip()]
    assert result.exit_code == 1 and len(lines) == 1 and lines[0].startswith("Error: "), \
        result.output
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def small_corpora(sentiment_train):
    """Texts and labels, tagged token lists and word pairs for tiny fits of every text task."""
    texts, labels = sentiment_train
    tokens = [t.split() for t in texts[:60]]
    tags = [["LONG" if len(w) > 4 else "SHORT" for w in s] for s in tokens]
    words = ["cat", "dog", "bird", "fish", "frog"]
    pairs = [" ".join(words[(i + k) % 5] for k in range(1 + i % 3)) for i in range(60)]
    return texts, labels, tokens, tags, pairs
