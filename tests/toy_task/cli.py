"""``rnn-apps count``: train, evaluate, predict, export, tune (the shared factories)."""

from __future__ import annotations

import click

from rnn_apps.cli.options import (
    echo_json,
    echo_training_summary,
    export_command,
    fit_and_save,
    make_estimator,
    model_kwargs,
    pop_run_options,
    recurrent_options,
    run_options,
    table_kwargs,
    table_options,
    task_option,
    training_options,
)
from rnn_apps.cli.tune import tune_command


@click.group()
def count():
    """Count a character (a toy task): a number per text."""


@count.command()
@click.option("--data", required=True, help="Training file: text and label (the count).")
@click.option("--out", required=True, help="Model directory to write.")
@table_options(labels=True)
@task_option("--embedding-dim", type=int)
@recurrent_options
@training_options
@run_options
def train(data, out, **options):
    """Train a counter on counted texts and save it to --out."""
    from rnn_apps.data.tables import read_labelled_texts
    from tests.toy_task import CharCounter

    texts, counts = read_labelled_texts(data, **table_kwargs(options))
    run = pop_run_options(options)
    model = make_estimator(CharCounter, model_kwargs(options), run)
    fit_and_save(model, out, run, texts, counts, files=[data])
    echo_training_summary(model.history_, f"{len(texts)} texts", out)


def tune_input(options: dict):
    from rnn_apps.data.tables import read_labelled_texts
    from tests.toy_task import CharCounter

    texts, counts = read_labelled_texts(options.pop("data"), **table_kwargs(options))
    return CharCounter, model_kwargs(options), texts, counts, None


count.add_command(tune_command(train, tune_input))


@count.command()
@click.option("--model", "model_dir", required=True, help="Model directory.")
@click.option("--data", required=True, help="Counted file to score.")
@table_options(labels=True)
def evaluate(model_dir, data, **options):
    """Score a model on counted texts (mae, exact, n) as JSON."""
    from rnn_apps.data.tables import read_labelled_texts
    from tests.toy_task import CharCounter

    echo_json(CharCounter.load(model_dir).evaluate(
        *read_labelled_texts(data, **table_kwargs(options))))


@count.command()
@click.option("--model", "model_dir", required=True, help="Model directory.")
@click.argument("texts", nargs=-1, required=True)
def predict(model_dir, texts):
    """Print the count of each text given: count, text."""
    from tests.toy_task import CharCounter

    for text, value in zip(texts, CharCounter.load(model_dir).predict(list(texts))):
        click.echo(f"{value:.3f}\t{text}")


count.add_command(export_command("CharCounter", "signature serving_default: text -> count"))
