"""``rnn-apps textgen``: train, evaluate, generate, export."""

from __future__ import annotations

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
    pop_run_options,
    recurrent_options,
    run_options,
    task_option,
    training_options,
)
from rnn_apps.cli.tune import tune_command
from rnn_apps.core import choices
from rnn_apps.tasks.textgen.choices import TEXTGEN_LEVELS, TEXTGEN_MODES


def _read(paths) -> str:
    from rnn_apps.data.text import read_corpus

    return read_corpus(paths)


@click.group()
def textgen():
    """Character language model (one-to-many): learn a text, then write more."""


@textgen.command()
@click.option("--data", required=True, multiple=True,
              help="UTF-8 text file to learn (repeat for several).")
@click.option("--valid-data", default=None, help="Held-out text file (default: the last "
                                                 "--valid-split share of --data).")
@click.option("--out", required=True, help="Model directory to write.")
@task_option("--mode", type=click.Choice(TEXTGEN_MODES),
             help="Truncated BPTT with state carried between chunks, or independent windows.")
@task_option("--bptt", type=int, help="Steps per chunk (window length in windows mode).")
@task_option("--direction", type=click.Choice(("forward", "backward")),
             help="Read the text left to right, or right to left (a backward character "
                  "model for tagging --char-lm).")
@task_option("--embedding-dim", type=int,
             help="Character embedding size (0: one-hot characters).")
@task_option("--level", type=click.Choice(TEXTGEN_LEVELS),
             help="Tokens: characters, subword pieces or words (lower-cased, "
                  "punctuation split off; the level a sentiment classifier starts from best).")
@task_option("--vocab-size", type=int, help="Pieces of the subword model (--level subword).")
@task_option("--subword-model", type=click.Choice(choices.SUBWORD_MODELS),
             help="SentencePiece algorithm of --level subword.")
@task_option("--max-chars", type=int,
             help="Vocabulary size limit (default: every character or piece seen).")
@click.option("--stream", is_flag=True,
              help="Read --data lazily, in bounded memory (files larger than memory); "
                   "tbptt state is carried within blocks of 64 chunks.")
@recurrent_options
@training_options
@run_options
def train(data, valid_data, out, stream, **options):
    """Train on one or more text files and save the model to --out."""
    from rnn_apps.data.text import read_corpus, read_text_stream
    from rnn_apps.tasks.textgen.estimator import TextGenerator

    run = pop_run_options(options)
    text = read_text_stream(data) if stream else read_corpus(data)
    validation = read_corpus([valid_data]) if valid_data else None
    model = make_estimator(TextGenerator, _model_kwargs(options), run)
    fit_and_save(model, out, run, text, validation=validation,
                 files=[*data, (valid_data, "validation")])
    amount = f"{', '.join(data)} (streamed)" if stream else f"{len(text)} characters"
    unit = model.provenance_["units"]["loss"]
    echo_training_summary(model.history_, amount, out, lambda loss: f"loss in {unit}")


def _model_kwargs(options: dict) -> dict:
    """Constructor arguments from the model options given (``--embedding-dim 0``:
    one-hot characters, None)."""
    kwargs = model_kwargs(options)
    if kwargs.get("embedding_dim") == 0:
        kwargs["embedding_dim"] = None
    return kwargs


def tune_input(options: dict):
    """``rnn-apps textgen tune``: the text and the generator's arguments."""
    from rnn_apps.tasks.textgen.estimator import TextGenerator

    data, valid_data = options.pop("data"), options.pop("valid_data")
    validation = _read([valid_data]) if valid_data else None
    return TextGenerator, _model_kwargs(options), _read(data), None, validation


textgen.add_command(tune_command(train, tune_input))


@textgen.command()
@click.option("--model", "model_dir", required=True, help="Model directory.")
@click.option("--data", required=True, multiple=True, help="Held-out text file(s).")
@json_option
def evaluate(model_dir, data, as_json):
    """Loss, perplexity and bits per character on held-out text."""
    from rnn_apps.evaluation.report import format_report
    from rnn_apps.tasks.textgen.estimator import TextGenerator

    check_model_dir(TextGenerator, model_dir)  # then the data: both before TensorFlow
    text = _read(data)
    metrics = TextGenerator.load(model_dir).evaluate(text)
    if as_json:
        echo_json(metrics)
    else:
        click.echo(format_report(metrics, title=f"textgen model {model_dir}"))


@textgen.command()
@click.option("--model", "model_dir", required=True, help="Model directory.")
@click.option("--prompt", required=True, help="Text to start from.")
@task_option("--length", type=int, method="generate", help="Characters (or pieces) to generate.")
@task_option("--temperature", type=float, method="generate",
             help="0 = greedy; below 1 safer, above 1 wilder.")
@task_option("--top-k", type=int, method="generate",
             help="Sample among the k likeliest characters.")
@task_option("--seed", type=int, method="generate", help="Seed for a repeatable sample.")
@task_option("--stop", method="generate", help="Stop after this string appears.")
def generate(model_dir, prompt, **options):
    """Print the prompt followed by generated text."""
    from rnn_apps.tasks.textgen.estimator import TextGenerator

    model = TextGenerator.load(model_dir)
    given = {key: value for key, value in options.items() if value is not None}
    click.echo(model.generate(prompt, **given))


textgen.add_command(export_command(
    "TextGenerator", "signatures serving_default: prompt, length, temperature -> text; "
    "generate_seeded adds top_k and seed"))
