"""The bundled data is exactly what its generator script writes."""

import runpy
from pathlib import Path

import pytest

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


def test_generated_demand_series_is_reproducible(tmp_path):
    script = ROOT / "datasets" / "forecast" / "make_datasets.py"
    runpy.run_path(str(script))["demand"](tmp_path)
    assert (tmp_path / "demand.csv").read_bytes() == \
        (script.parent / "demand.csv").read_bytes()


def test_public_series_read_as_documented():
    from rnn_apps.data.series import read_series_csv
    from rnn_apps.errors import DataError

    folder = ROOT / "datasets" / "forecast"
    co2 = read_series_csv(folder / "co2_monthly.csv", time_column="month", interpolate=True)
    assert len(co2.values) == 526 and co2.time_format == "month"
    assert str(co2.times[0].date()) == "1958-03-01" and co2.values[0, 0] == pytest.approx(316.1)
    with pytest.raises(DataError, match="line 5: column 'co2' is missing"):
        read_series_csv(folder / "co2_monthly.csv", time_column="month")
    sunspots = read_series_csv(folder / "sunspots_yearly.csv", time_column="year")
    assert len(sunspots.values) == 309 and sunspots.times[-1].year == 2008
    nile = read_series_csv(folder / "nile.csv", time_column="year")
    assert len(nile.values) == 100 and float(nile.values[0, 0]) == 1120


def test_tagging_samples_are_reproducible(tmp_path):
    script = ROOT / "datasets" / "tagging" / "make_tagging.py"
    runpy.run_path(str(script))["main"](tmp_path)
    for name in ("ner_train.conll", "ner_test.conll", "activity_train.csv", "activity_test.csv"):
        assert (tmp_path / name).read_bytes() == (script.parent / name).read_bytes()


def test_seq2seq_samples_are_reproducible_and_test_sources_are_new(tmp_path):
    from rnn_apps.data.pairs import read_pairs

    script = ROOT / "datasets" / "seq2seq" / "make_seq2seq.py"
    runpy.run_path(str(script))["main"](tmp_path)
    names = ("dates_train.tsv", "dates_test.tsv", "chat_train.tsv", "chat_test.tsv")
    for name in names:
        assert (tmp_path / name).read_bytes() == (script.parent / name).read_bytes()
    sizes = {name: read_pairs(script.parent / name) for name in names}
    assert [len(sizes[name][0]) for name in names] == [6000, 500, 103, 29]
    for train, test in (names[:2], names[2:]):
        assert not set(sizes[train][0]) & set(sizes[test][0])
    assert sizes["dates_train.tsv"][1][0] == "2038-08-12"
