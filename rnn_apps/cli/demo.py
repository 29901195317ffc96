"""``rnn-apps demo``: every task end to end on the bundled data."""

from __future__ import annotations

import os
import time
from pathlib import Path

import click

from rnn_apps.errors import DataError


def find_datasets(explicit: str | None) -> Path:
    """--datasets, else $RNN_APPS_DATASETS, else the repository's datasets/, else ./datasets."""
    if explicit and not (Path(explicit) / "sentiment" / "train.csv").is_file():
        raise DataError(f"bundled datasets not found in {explicit}")
    candidates = [explicit, os.environ.get("RNN_APPS_DATASETS"),
                  Path(__file__).resolve().parents[2] / "datasets", Path("datasets")]
    for candidate in candidates:
        if candidate and (Path(candidate) / "sentiment" / "train.csv").is_file():
            return Path(candidate)
    raise DataError("bundled datasets not found; pass --datasets DIR "
                    "(the datasets/ folder of the rnn-apps repository)")


def echo_example(shown: str, got: str, expected: str) -> None:
    """One showcase example; a wrong answer is marked and its expected answer shown."""
    mark = "ok   " if got == expected else "WRONG"
    line = f"  {mark} {shown}"
    click.echo(line if got == expected else f"{line}  (expected {expected})")


def _bag_of_words_accuracy(train, test, ngram_range) -> float:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = TfidfVectorizer(ngram_range=ngram_range)
    model = LogisticRegression(max_iter=2000).fit(vectorizer.fit_transform(train[0]), train[1])
    predicted = model.predict(vectorizer.transform(test[0]))
    return float((predicted == test[1]).mean())


def demo_sentiment(datasets: Path, out: Path, epochs: int, verbose: int) -> dict:
    import numpy as np

    from rnn_apps.data.tables import read_labelled_texts
    from rnn_apps.evaluation.report import format_report
    from rnn_apps.tasks.sentiment.estimator import SentimentClassifier

    train = read_labelled_texts(datasets / "sentiment" / "train.csv")
    test = read_labelled_texts(datasets / "sentiment" / "test.csv")
    clf = SentimentClassifier(cell="gru", units=32, epochs=epochs, seed=0, verbose=verbose)
    clf.fit(*train)
    metrics = clf.evaluate(*test)
    click.echo(format_report(metrics, title="sentiment (GRU, word level) on datasets/sentiment/"
                                            "test.csv (real review sentences and tweets)"))
    labels = np.array(test[1], dtype=object)
    baselines = {}
    for name, ngrams in (("unigram", (1, 1)), ("uni+bigram", (1, 2))):
        baselines[name] = _bag_of_words_accuracy(train, (test[0], labels), ngrams)
        click.echo(f"baseline TF-IDF {name} + logistic regression: "
                   f"accuracy {baselines[name]:.4f}")
    examples = {"terrible service, never again": "negative",
                "I love this phone, the screen is gorgeous": "positive",
                "the battery died after two days": "negative"}
    texts = list(examples)
    for text, label, p in zip(texts, clf.predict(texts), clf.predict_proba(texts)):
        echo_example(f"{label:<8} {p.max():.3f}  {text}", label, examples[text])
    clf.save(out / "sentiment" / "model")
    clf.export(out / "sentiment" / "export")
    click.echo(f"model: {out / 'sentiment' / 'model'}  SavedModel: {out / 'sentiment' / 'export'}")
    return {"task": "sentiment", "accuracy": metrics["accuracy"], "macro_f1": metrics["macro_f1"],
            "tfidf_lr_accuracy": baselines["uni+bigram"]}


def demo_textgen(datasets: Path, out: Path, epochs: int, verbose: int) -> dict:
    from rnn_apps.data.tables import read_text_file
    from rnn_apps.evaluation.report import format_report
    from rnn_apps.tasks.textgen.estimator import TextGenerator

    text = read_text_file(datasets / "textgen" / "corpus.txt")
    cut = int(len(text) * 0.9)
    model = TextGenerator(cell="lstm", units=128, embedding_dim=32, bptt=64, batch_size=32,
                          epochs=max(epochs + epochs // 5, 1), learning_rate=5e-3, seed=0,
                          verbose=verbose)
    model.fit(text[:cut], validation_data=text[cut:])
    metrics = model.evaluate(text[cut:])
    click.echo(format_report(metrics, title="textgen (LSTM 128, truncated BPTT) on the last "
                                            "10% of datasets/textgen/corpus.txt (Genesis, "
                                            "King James Version)"))
    click.echo("sample (temperature 0.6, seed 0):")
    click.echo("  " + model.generate("And ", length=240, temperature=0.6, seed=0)
               .replace("\n", "\n  "))
    model.save(out / "textgen" / "model")
    model.export(out / "textgen" / "export")
    click.echo(f"model: {out / 'textgen' / 'model'}  SavedModel: {out / 'textgen' / 'export'}")
    return {"task": "textgen", "bits_per_char": metrics["bits_per_char"]}


def demo_forecast(datasets: Path, out: Path, epochs: int, verbose: int) -> dict:
    from rnn_apps.data.series import format_time, read_series_csv
    from rnn_apps.evaluation.report import format_report
    from rnn_apps.preprocessing.series import as_series
    from rnn_apps.tasks.forecast.cli_output import echo_choices
    from rnn_apps.tasks.forecast.estimator import Forecaster
    from rnn_apps.viz.forecast import plot_forecast

    path = datasets / "forecast" / "co2_monthly.csv"
    table = as_series(read_series_csv(path, time_column="month", interpolate=True))
    held_out = 48
    # season, lookback, inputs and decomposition are chosen automatically
    model = Forecaster(horizon=12, quantiles=[0.1, 0.9], epochs=max(epochs * 4, 1), seed=0,
                       verbose=0)
    model.fit(table.head(len(table.values) - held_out))
    echo_choices(model)
    metrics = model.evaluate(table.values[-held_out - model.lookback_:])
    click.echo(format_report(metrics, title=f"forecast (GRU, 12 months ahead) on the last "
                                            f"{held_out} months of {path.name}; baselines "
                                            "from the same windows"))
    forecast, bands = model.predict(table), model.predict_quantiles(table)
    times = model.future_times(table)
    click.echo("next months (point, 0.1-0.9 interval):")
    for h in (0, 5, 11):
        click.echo(f"  {format_time(times[h], 'month')}  {forecast[h, 0]:.2f}  "
                   f"[{bands[h, 0, 0]:.2f}, {bands[h, 0, -1]:.2f}]")
    model.save(out / "forecast" / "model")
    model.export(out / "forecast" / "export")
    plot_forecast(table.values, forecast, out / "forecast" / "forecast.png", names=["co2"],
                  history_times=table.times, future_times=times, quantiles=bands,
                  levels=model.quantiles_, title="Mauna Loa CO2 (ppm): next 12 months")
    click.echo(f"model: {out / 'forecast' / 'model'}  SavedModel: {out / 'forecast' / 'export'}"
               f"  plot: {out / 'forecast' / 'forecast.png'}")
    return {"task": "forecast", "mase": metrics["mase"],
            "baseline_mase": metrics["baseline_mase"]}


def demo_tagging(datasets: Path, out: Path, epochs: int, verbose: int) -> dict:
    from rnn_apps.data.tagged import read_frames_csv, read_tagged
    from rnn_apps.evaluation.report import format_report
    from rnn_apps.tasks.tagging.estimator import Tagger

    folder = datasets / "tagging"
    train, test = read_tagged(folder / "ner_train.conll"), read_tagged(folder / "ner_test.conll")
    tagger = Tagger(cell="lstm", units=32, embedding_dim=32, epochs=epochs, seed=0,
                    verbose=verbose).fit(*train)
    metrics = tagger.evaluate(*test)
    shown = {k: metrics[k] for k in ("token_accuracy", "macro_f1", "entity_precision",
                                     "entity_recall", "entity_f1", "n_tokens")}
    click.echo(format_report(shown, title="tagging (BiLSTM + char CNN) on "
                                          "datasets/tagging/ner_test.conll (BIO entities)"))
    click.echo("names never seen in training:")
    for text, expected in (
            ("Hana Kimura moved to Quito to work for Orion Systems .",
             "B-PER I-PER O O B-LOC O O O B-ORG I-ORG O"),
            ("shares of Cobalt Foods fell in Rio de Janeiro today .",
             "O O B-ORG I-ORG O O B-LOC I-LOC I-LOC O O")):
        words = text.split()
        got = tagger.predict([words])[0]
        echo_example(" ".join(f"{w}/{t}" for w, t in zip(words, got)), " ".join(got),
                     expected)
    tagger.save(out / "tagging" / "model")
    tagger.export(out / "tagging" / "export")
    frames_train = read_frames_csv(folder / "activity_train.csv")
    frames_test = read_frames_csv(folder / "activity_test.csv")
    activity = Tagger(cell="gru", units=32, epochs=max(epochs * 2, 1), learning_rate=5e-3,
                      seed=0, verbose=verbose).fit(*frames_train[:2])
    frame_accuracy = activity.evaluate(*frames_test[:2])["token_accuracy"]
    click.echo(f"activity frames (BiGRU, a label per frame): accuracy {frame_accuracy:.4f} "
               "on datasets/tagging/activity_test.csv")
    activity.save(out / "tagging" / "frames_model")
    click.echo(f"model: {out / 'tagging' / 'model'}  SavedModel: {out / 'tagging' / 'export'}")
    return {"task": "tagging", "entity_f1": metrics["entity_f1"],
            "frame_accuracy": frame_accuracy}


def demo_seq2seq(datasets: Path, out: Path, epochs: int, verbose: int) -> dict:
    from rnn_apps.cli.errors import notes
    from rnn_apps.data.pairs import read_pairs
    from rnn_apps.evaluation.report import format_report
    from rnn_apps.tasks.seq2seq.estimator import Seq2SeqTranslator

    folder = datasets / "seq2seq"
    sources, targets = read_pairs(folder / "dates_train.tsv")
    test = read_pairs(folder / "dates_test.tsv")
    model = Seq2SeqTranslator(units=64, embedding_dim=32, epochs=max(epochs + epochs // 5, 1),
                              batch_size=64, seed=0, verbose=verbose).fit(sources, targets)
    metrics = model.evaluate(*test)
    click.echo(format_report(metrics, title="seq2seq (BiGRU encoder, attention, beam 4) on "
                                            "datasets/seq2seq/dates_test.tsv"))
    examples = {"the twenty-first of June 2031": "2031-06-21",
                "SATURDAY, JULY 4, 1970": "1970-07-04", "7 Nov 49": "2049-11-07"}
    for source, output in zip(examples, model.predict(list(examples))):
        echo_example(f"{source:<32} -> {output}", output, examples[source])
    model.save(out / "seq2seq" / "model")
    model.export(out / "seq2seq" / "export")
    chat = Seq2SeqTranslator(units=64, embedding_dim=32, source_level="word",
                             target_level="word", lowercase=True, valid_split=0,
                             epochs=max(epochs * 4, 1), batch_size=16, learning_rate=5e-3,
                             seed=0, verbose=0).fit(*read_pairs(folder / "chat_train.tsv"))
    questions = ["please explain an lstm.", "thanks!"]
    with notes():  # held-out phrasings have words the model never saw
        chat_exact = chat.evaluate(*read_pairs(folder / "chat_test.tsv"))["exact_match"]
        answers = chat.predict(questions)
    click.echo(f"chat (word level) on held-out phrasings: exact match {chat_exact:.4f}")
    for question, answer in zip(questions, answers):
        click.echo(f"  > {question}\n    {answer}")
    chat.save(out / "seq2seq" / "chat_model")
    click.echo(f"model: {out / 'seq2seq' / 'model'}  SavedModel: {out / 'seq2seq' / 'export'}  "
               f"chat: rnn-apps seq2seq chat --model {out / 'seq2seq' / 'chat_model'}")
    return {"task": "seq2seq", "exact_match": metrics["exact_match"], "cer": metrics["cer"],
            "chat_exact_match": chat_exact}


DEMOS = [demo_sentiment, demo_tagging, demo_seq2seq, demo_textgen, demo_forecast]


@click.command()
@click.option("--out", default="runs/demo", show_default=True,
              help="Where the trained models and SavedModels go.")
@click.option("--datasets", "datasets_dir", default=None,
              help="The bundled datasets folder (found automatically in a source checkout).")
@click.option("--epochs", type=int, default=10, show_default=True)
@click.option("--quiet", is_flag=True, help="No training progress output.")
def demo(out, datasets_dir, epochs, quiet):
    """Train every task on the bundled data, print metrics, export SavedModels."""
    datasets = find_datasets(datasets_dir)
    summary = []
    for run in DEMOS:
        started = time.perf_counter()
        click.echo(f"\n=== {run.__name__.removeprefix('demo_')} ===")
        result = run(datasets, Path(out), epochs, 0 if quiet else 2)
        result["seconds"] = time.perf_counter() - started
        summary.append(result)
    click.echo("\n=== summary ===")
    for result in summary:
        scores = "  ".join(f"{k} {v:.4f}" for k, v in result.items()
                           if k not in ("task", "seconds"))
        click.echo(f"{result['task']:<10} {scores}  ({result['seconds']:.0f} s)")
