"""Shared fixtures: the bundled sentiment sample and one tiny fitted model."""

import csv
import os
from pathlib import Path

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
