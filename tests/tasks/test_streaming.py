"""Training on streams (files read lazily) through the API and the CLI."""

import csv

import numpy as np
import pytest
from click.testing import CliRunner

from rnn_apps import SentimentClassifier, TextGenerator
from rnn_apps.cli import cli
from rnn_apps.data.tables import read_labelled_texts
from rnn_apps.data.text import read_corpus, read_text_stream
from rnn_apps.errors import DataError
from rnn_apps.preprocessing.streams import hash_split
from tests.conftest import DATASETS, TINY


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def test_sentiment_trains_on_a_stream_like_on_lists(small_csv, sentiment_test):
    stream = read_labelled_texts(small_csv, stream=True)
    streamed = SentimentClassifier(**TINY).fit(stream)
    held_out = hash_split(SentimentClassifier().valid_split)  # the stream's validation rows
    kept = [(t, label) for t, label in zip(*read_labelled_texts(small_csv)) if not held_out(t)]
    listed = SentimentClassifier(**{**TINY, "valid_split": 0.0}).fit(*map(list, zip(*kept)))
    # same vocabulary and length rule from one streaming pass as from the list
    assert streamed.text_encoder_.max_length == listed.text_encoder_.max_length
    assert set(streamed.text_encoder_.vocabulary) == set(listed.text_encoder_.vocabulary)
    assert len(streamed.history_["val_loss"]) == TINY["epochs"]   # hash-split validation
    assert streamed.evaluate(*sentiment_test)["n"] == len(sentiment_test[0])


def test_a_bad_record_found_while_streaming_stops_training(tmp_path, small_csv):
    with open(small_csv, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    rows[90][1] = " "
    bad = tmp_path / "bad.csv"
    with open(bad, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    result = run("sentiment", "train", "--data", bad, "--stream", "--out", tmp_path / "m",
                 "--units", "2", "--epochs", "1", "--quiet")
    assert result.exit_code == 1 and result.output.strip().splitlines() == [
        f"Error: {bad} line 91: missing label (column 'label')"]
    assert not (tmp_path / "m").exists() and not (tmp_path / "m.checkpoint").exists()
    with pytest.raises(DataError, match="line 91"):
        SentimentClassifier(**TINY).fit(read_labelled_texts(bad, stream=True))


@pytest.mark.parametrize("mode", ["tbptt", "windows"])
def test_textgen_trains_on_a_stream(mode, tmp_path):
    corpus = tmp_path / "corpus.txt"
    corpus.write_text((DATASETS / "textgen" / "corpus.txt").read_text(encoding="utf-8")[:6000],
                      encoding="utf-8")
    model = TextGenerator(units=8, embedding_dim=4, epochs=1, batch_size=8, bptt=32,
                          mode=mode, seed=0, verbose=0).fit(read_text_stream(corpus))
    text = read_corpus(corpus)
    assert set(model.vocabulary_.chars) <= set(text)
    assert np.isfinite(model.evaluate(text)["bits_per_char"])
    assert len(model.generate("The ", length=20, seed=1)) == 24


def test_cli_stream_init_from_and_resume(tmp_path, small_csv):
    base = ["--units", "3", "--embedding-dim", "3", "--epochs", "1", "--seed", "0", "--quiet"]
    first = tmp_path / "first"
    result = run("sentiment", "train", "--data", small_csv, "--stream", "--out", first, *base)
    assert result.exit_code == 0, result.output
    assert "streamed" in result.output and not (tmp_path / "first.checkpoint").exists()
    # fine-tuning keeps the saved model's settings unless given (units 3, not the default)
    tuned = tmp_path / "tuned"
    result = run("sentiment", "train", "--data", small_csv, "--out", tuned, "--init-from", first,
                 "--epochs", "1", "--quiet")
    assert result.exit_code == 0, result.output
    import rnn_apps

    assert rnn_apps.load(tuned).get_params()["units"] == 3
    result = run("sentiment", "train", "--data", small_csv, "--out", tmp_path / "x", "--resume",
                 *base)
    assert result.exit_code == 1 and "holds no backup of an interrupted run" in result.output
    corpus = tmp_path / "corpus.txt"  # the first chapters of the bundled corpus
    corpus.write_text((DATASETS / "textgen" / "corpus.txt").read_text(encoding="utf-8")[:8000],
                      encoding="utf-8")
    result = run("textgen", "train", "--data", corpus, "--stream",
                 "--out", tmp_path / "tg", "--bptt", "16", "--batch-size", "8", *base)
    assert result.exit_code == 0, result.output


def test_tagging_and_seq2seq_train_on_streams(tmp_path):
    from rnn_apps import Seq2SeqTranslator, Tagger
    from rnn_apps.data.pairs import read_pairs
    from rnn_apps.data.tagged import read_tagged

    corpus = tmp_path / "ner.conll"  # the first 60 sentences of the bundled corpus
    sentences = (DATASETS / "tagging" / "ner_train.conll").read_text(encoding="utf-8")
    corpus.write_text("\n\n".join(sentences.split("\n\n")[:60]) + "\n", encoding="utf-8")
    tagger = Tagger(units=4, embedding_dim=4, char_filters=2, epochs=1, seed=0, verbose=0,
                    crf=True).fit(read_tagged(corpus, stream=True))
    sentences, tags = read_tagged(corpus)
    assert set(tagger.tags_) == {t for row in tags for t in row}
    assert [len(p) for p in tagger.predict(sentences[:5])] == [len(s) for s in sentences[:5]]

    pairs = tmp_path / "dates.tsv"
    lines = (DATASETS / "seq2seq" / "dates_train.tsv").read_text(encoding="utf-8").splitlines()
    pairs.write_text("\n".join(lines[:300]) + "\n", encoding="utf-8")
    translator = Seq2SeqTranslator(units=8, embedding_dim=4, epochs=1, seed=0, verbose=0,
                                   batch_size=32).fit(read_pairs(pairs, stream=True))
    sources, targets = read_pairs(pairs)
    assert translator.state_["max_target_length"] == max(map(len, targets))
    assert len(translator.predict(sources[:3], beam_width=1)) == 3


def test_forecast_trains_on_a_streamed_series(series_csv, tmp_path):
    from rnn_apps import Forecaster
    from rnn_apps.data.series import read_series_csv

    settings = {"units": 4, "lookback": 14, "horizon": 2, "targets": ["sales"], "epochs": 1,
                "seed": 0, "verbose": 0, "inputs": "relative", "deseasonalize": "none",
                "ensemble": 1}
    streamed = Forecaster(**settings).fit(read_series_csv(series_csv, time_column="date",
                                                          stream=True))
    table = read_series_csv(series_csv, time_column="date")
    listed = Forecaster(**settings).fit(table)
    # the same fitted facts from two passes over the file as from the table
    for key in ("season", "tail", "columns", "last_time", "time_step"):
        assert streamed.state_[key] == listed.state_[key], key
    np.testing.assert_allclose(streamed.state_["scale"], listed.state_["scale"], rtol=1e-5)
    np.testing.assert_allclose(streamed.scaler_.std, listed.scaler_.std, rtol=1e-4)
    assert streamed.predict().shape == (2, 1)
    result = run("forecast", "train", "--data", series_csv, "--stream", "--targets", "sales",
                 "--lookback", "14", "--units", "2", "--epochs", "1", "--quiet",
                 "--out", tmp_path / "fc")
    assert result.exit_code == 0 and "streamed" in result.output, result.output
