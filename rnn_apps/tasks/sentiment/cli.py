"""``rnn-apps sentiment``: train, evaluate, predict, export."""

from __future__ import annotations

import csv

import click

from rnn_apps.cli.options import (
    check_model_dir,
    echo_json,
    echo_training_summary,
    export_command,
    fit_and_save,
    json_option,
    make_estimator,
    model_kwargs,
    output_file,
    pop_run_options,
    recurrent_options,
    run_options,
    table_kwargs,
    table_options,
    task_option,
    training_options,
    word_vector_options,
)
from rnn_apps.cli.tune import tune_command
from rnn_apps.core import choices
from rnn_apps.tasks.sentiment.choices import CLASS_WEIGHTS


@click.group()
def sentiment():
    """Text classification (many-to-one): a label per text."""


@sentiment.command()
@click.option("--data", required=True, help="Training file (CSV, TSV or JSON lines).")
@click.option("--valid-data", default=None, help="Validation file (default: a split of --data).")
@click.option("--out", required=True, help="Model directory to write.")
@table_options(labels=True)
@task_option("--level", type=click.Choice(choices.TEXT_LEVELS),
             help="Tokens: words, characters or subword pieces.")
@task_option("--max-tokens", type=int, help="Vocabulary size limit.")
@task_option("--vocab-size", type=int, help="Pieces of the subword model (--level subword).")
@task_option("--subword-model", type=click.Choice(choices.SUBWORD_MODELS),
             help="SentencePiece algorithm of --level subword.")
@task_option("--max-length", type=int,
             help="Tokens per text (longer ones are cut; default: 99th percentile).")
@task_option("--truncating", type=click.Choice(choices.TRUNCATING),
             help="Cut longer texts at the end (post) or the start (pre).")
@task_option("--embedding-dim", type=int)
@word_vector_options
@task_option("--wide/--no-wide",
             help="Blend the recurrent model with a logistic regression on TF-IDF word "
                  "1-2-grams, stacked on the validation split (in-memory data only).")
@task_option("--pooling", type=click.Choice(choices.POOLINGS),
             help="How the sequence of states becomes one vector.")
@task_option("--init-from-lm", type=click.Path(file_okay=False),
             help="A textgen language model directory (word level reads best) to start "
                  "from: its vocabulary, embedding and recurrent layers, fine-tuned.")
@click.option("--unlabeled", multiple=True, type=click.Path(dir_okay=False),
              help="Plain text file(s) to learn a word language model from first (with the "
                   "training texts), then start from it; with --init-from-lm, that model "
                   "learns them further.")
@click.option("--save-lm", default=None, type=click.Path(),
              help="Directory to keep the language model --unlabeled trains.")
@task_option("--gradual-unfreezing/--no-gradual-unfreezing",
             help="Fine-tuning: unfreeze one more layer group each epoch, from the top.")
@task_option("--layer-lr-decay", type=float,
             help="Fine-tuning: each layer group down learns this many times slower.")
@task_option("--lm-learning-rate", type=float,
             help="Fine-tuning: the peak learning rate (--learning-rate is for training "
                  "from scratch).")
@task_option("--slanted-triangular/--no-slanted-triangular",
             help="Fine-tuning: a short warm-up then a linear decay of the learning rate.")
@task_option("--class-weight", type=click.Choice(("none", *CLASS_WEIGHTS)),
             help="Weight classes for imbalanced data (default: none).")
@click.option("--stream", is_flag=True,
              help="Read --data (and --valid-data) lazily, in bounded memory: for files "
                   "larger than memory. Without --valid-data, a hash split of the texts "
                   "is held out.")
@recurrent_options
@training_options
@run_options
def train(data, valid_data, out, stream, unlabeled, save_lm, **options):
    """Train a classifier on labelled texts and save it to --out."""
    from rnn_apps.data.tables import read_labelled_texts
    from rnn_apps.tasks.sentiment.estimator import SentimentClassifier

    if unlabeled and stream:
        raise click.UsageError("--unlabeled needs the labelled texts in memory (no --stream)")
    if save_lm and not unlabeled:
        raise click.UsageError("--save-lm keeps the language model --unlabeled trains; "
                               "give --unlabeled")

    reader = table_kwargs(options)
    run = pop_run_options(options)
    read = lambda path: read_labelled_texts(path, **reader, stream=stream)
    records = read(data)
    files = [data, (valid_data, "validation")]
    validation = read(valid_data) if valid_data else None
    clf = make_estimator(SentimentClassifier, _model_kwargs(options), run)
    if unlabeled:
        clf.init_from_lm = _language_model(clf, records[0], unlabeled, save_lm, out)
        files += [(path, "unlabeled") for path in unlabeled]
    if stream:
        fit_and_save(clf, out, run, records, validation=validation, files=files)
        amount = f"the records of {data} (streamed)"
    else:
        fit_and_save(clf, out, run, *records, validation=validation, files=files)
        amount = f"{len(records[0])} texts"
    echo_training_summary(clf.history_, amount, out)


def _language_model(clf, texts, unlabeled, save_lm, out):
    """The word language model of ``--unlabeled`` and the training texts (kept in
    ``--save-lm`` when given); both target directories are checked first."""
    from rnn_apps.cli.errors import notes
    from rnn_apps.core.saving import check_target
    from rnn_apps.data.text import read_corpus
    from rnn_apps.tasks.sentiment.pretrained import train_language_model

    check_target(out)
    if save_lm:
        check_target(save_lm)
    click.echo(f"learning a language model from {', '.join(unlabeled)} and the training "
               "texts first", err=True)
    with notes():
        lm = train_language_model(clf, texts, read_corpus(unlabeled), clf.init_from_lm)
    if save_lm:
        lm.save(save_lm)
    return lm


def _model_kwargs(options: dict) -> dict:
    """Constructor arguments from the model options given (``--class-weight none``: None)."""
    if options["class_weight"] == "none":
        options["class_weight"] = None
    return model_kwargs(options)


def tune_input(options: dict):
    """``rnn-apps sentiment tune``: the data and the classifier's arguments."""
    from rnn_apps.data.tables import read_labelled_texts
    from rnn_apps.tasks.sentiment.estimator import SentimentClassifier

    if options.pop("unlabeled") or options.pop("save_lm"):
        raise click.UsageError("tune does not learn a language model: learn one with "
                               "`textgen train --level word` and give --init-from-lm")
    reader = table_kwargs(options)
    data, valid_data = options.pop("data"), options.pop("valid_data")
    texts, labels = read_labelled_texts(data, **reader)
    validation = read_labelled_texts(valid_data, **reader) if valid_data else None
    return SentimentClassifier, _model_kwargs(options), texts, labels, validation


sentiment.add_command(tune_command(train, tune_input))


@sentiment.command()
@click.option("--model", "model_dir", required=True, help="Model directory.")
@click.option("--data", required=True, help="Labelled file to score.")
@table_options(labels=True)
@json_option
def evaluate(model_dir, data, as_json, **options):
    """Score a model on labelled texts (accuracy, macro_f1, n, per-class)."""
    from rnn_apps.data.tables import read_labelled_texts
    from rnn_apps.evaluation.report import format_report
    from rnn_apps.preprocessing.labels import from_text
    from rnn_apps.tasks.sentiment.estimator import SentimentClassifier

    check_model_dir(SentimentClassifier, model_dir)  # then the data: both before TensorFlow
    texts, labels = read_labelled_texts(data, **table_kwargs(options))
    clf = SentimentClassifier.load(model_dir)
    metrics = clf.evaluate(texts, from_text(labels, clf.classes_))
    if as_json:
        echo_json(metrics)
    else:
        click.echo(format_report(metrics, title=f"sentiment model {model_dir} on {data}"))


@sentiment.command()
@click.option("--model", "model_dir", required=True, help="Model directory.")
@click.option("--data", default=None, help="File of texts (a column of a table, or .txt lines).")
@click.option("--output", default=None, callback=output_file,
              help="Write a CSV here instead of printing.")
@table_options(labels=False)
@click.argument("texts", nargs=-1)
def predict(model_dir, data, output, texts, **options):
    """Label texts given as arguments or in --data: label, probability, text."""
    from rnn_apps.data.tables import read_texts
    from rnn_apps.errors import DataError
    from rnn_apps.tasks.sentiment.estimator import SentimentClassifier

    if bool(data) == bool(texts):
        raise DataError("give texts as arguments or --data PATH (one of the two)")
    check_model_dir(SentimentClassifier, model_dir)  # then the data: both before TensorFlow
    inputs = read_texts(data, **table_kwargs(options)) if data else list(texts)
    clf = SentimentClassifier.load(model_dir)
    probabilities = clf.predict_proba(inputs)
    labels = clf.classes_[probabilities.argmax(axis=1)]
    if output:
        with open(output, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["text", "label", "probability",
                             *(f"p_{c}" for c in clf.classes_)])
            for text, label, row in zip(inputs, labels, probabilities):
                writer.writerow([text, label, f"{row.max():.6f}", *(f"{p:.6f}" for p in row)])
        click.echo(f"wrote {len(inputs)} predictions to {output}")
        return
    for text, label, row in zip(inputs, labels, probabilities):
        click.echo(f"{label}\t{row.max():.4f}\t{text}")


sentiment.add_command(export_command(
    "SentimentClassifier", "signature serving_default: text -> label, probabilities"))
