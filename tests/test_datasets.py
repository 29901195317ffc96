"""The bundled data is exactly what its generator script writes."""

import runpy
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_sentiment_sample_is_real_balanced_and_split(tmp_path):
    from tests.conftest import read_csv

    folder = ROOT / "datasets" / "sentiment"
    train, test = read_csv(folder / "train.csv"), read_csv(folder / "test.csv")
    assert (len(train[0]), len(test[0])) == (2560, 854)
    for texts, labels in (train, test):  # balanced, as datasets/sentiment/README.md says
        assert labels.count("positive") == labels.count("negative")
    assert not {t.lower() for t in train[0]} & {t.lower() for t in test[0]}
    words = {w for text in train[0] for w in text.lower().split()}
    assert len(words) > 5000  # the template sentences it replaced had 72 words
    # the builder: clear ratings only, entities decoded, repeats dropped, labels balanced
    script = runpy.run_path(str(folder / "make_sentiment.py"))
    lines = ["1\t2.5\tLoved it &amp; more", "2\t-0.4\tmeh", "3\t-1.9\tbroke in a week",
             "4\t1.2\tgreat  value", "5\t3.0\tloved IT &amp; more", "bad line"]
    train_rows, test_rows = script["split"]({name: lines for name in script["SOURCES"]})
    rows = dict(train_rows + test_rows)  # the second source repeats the first: all dropped
    assert len(rows) == 2 and rows.pop("broke in a week") == "negative"
    assert rows in ({"great value": "positive"}, {"Loved it & more": "positive"})
    (tmp_path / "x.tar.gz").write_bytes(b"not the archive")
    with pytest.raises(SystemExit, match="SHA-256"):
        script["main"](tmp_path / "x.tar.gz", tmp_path)
    assert not (tmp_path / "train.csv").exists()


@pytest.mark.quality
def test_quality_sentiment_sample_teaches_ordinary_text():
    """The quick-start data is real text: a tiny model gets everyday sentences right."""
    from rnn_apps import SentimentClassifier
    from tests.conftest import DATASETS, read_csv

    train = read_csv(DATASETS / "sentiment" / "train.csv")
    test = read_csv(DATASETS / "sentiment" / "test.csv")
    clf = SentimentClassifier(cell="gru", units=8, embedding_dim=8, epochs=4, seed=0,
                              verbose=0).fit(*train)
    assert clf.evaluate(*test)["accuracy"] > 0.75  # measured 0.82; TF-IDF + LR 0.82
    texts = ["terrible service, never again", "what a waste of money",
             "I love it, works great", "the battery died after two days"]
    assert list(clf.predict(texts)) == ["negative", "negative", "positive", "negative"]


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
