"""The bundled data is exactly what its generator script writes."""

import runpy
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_sentiment_sample_is_reproducible(tmp_path):
    script = ROOT / "datasets" / "sentiment" / "make_sentiment.py"
    runpy.run_path(str(script))["main"](tmp_path)
    for name in ("train.csv", "test.csv"):
        assert (tmp_path / name).read_bytes() == (script.parent / name).read_bytes()


def test_sentiment_test_sentences_are_not_in_training():
    folder = ROOT / "datasets" / "sentiment"
    train = set((folder / "train.csv").read_text().splitlines()[1:])
    test = (folder / "test.csv").read_text().splitlines()[1:]
    assert len(test) == 600 and not train & set(test)
