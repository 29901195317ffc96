"""``rnn-apps seq2seq``: train, evaluate, predict, export, chat."""

from __future__ import annotations

import sys

import click

from rnn_apps.cli.errors import notes
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
    task_option,
    training_options,
    word_vector_options,
)
from rnn_apps.cli.tune import tune_command
from rnn_apps.core import choices
from rnn_apps.errors import DataError, RnnAppsError
from rnn_apps.tasks.seq2seq.choices import ATTENTIONS
from rnn_apps.tasks.seq2seq.choices import LEVELS as LEVEL_NAMES

LEVELS = click.Choice(LEVEL_NAMES)


def decoding_options(function):
    function = click.option("--beam-width", type=int, default=None,
                            help="Beam width (1: greedy; default: the model's).")(function)
    return click.option("--model", "model_dir", required=True,
                        help="Model directory.")(function)


@click.group()
def seq2seq():
    """Encoder-decoder (many-to-many): translation, normalisation, G2P, small chatbots."""


@seq2seq.command()
@click.option("--data", required=True, help="Pairs file: source<TAB>target per line.")
@click.option("--valid-data", default=None, help="Validation pairs (default: a split of --data).")
@click.option("--out", required=True, help="Model directory to write.")
@task_option("--level", type=LEVELS, param="source_level",
             help="Vocabulary of both sides: characters, words or subword pieces "
                  "(auto, the default: chosen per side from the training texts).")
@task_option("--source-level", type=LEVELS, help="Source side only.")
@task_option("--target-level", type=LEVELS, help="Target side only.")
@task_option("--lowercase/--no-lowercase", help="Lower-case both sides.")
@task_option("--attention", type=click.Choice((*ATTENTIONS, "none")),
             help="How the decoder scores encoder states (none: no attention).")
@task_option("--embedding-dim", type=int)
@word_vector_options
@task_option("--max-source-length", type=int,
             help="Source tokens kept (default: the longest training source).")
@task_option("--max-target-length", type=int,
             help="Target tokens kept and written (default: the longest training target).")
@task_option("--beam-width", type=int, help="Default beam width of the model (1: greedy).")
@task_option("--length-penalty", type=float,
             help="Hypotheses are ranked by log probability / length ** this.")
@task_option("--max-tokens", type=int,
             help="Vocabulary size limit per side (the most frequent tokens are kept).")
@task_option("--vocab-size", type=int,
             help="Pieces of each side's subword model (--level subword).")
@task_option("--subword-model", type=click.Choice(choices.SUBWORD_MODELS),
             help="SentencePiece algorithm of --level subword.")
@task_option("--label-smoothing", type=float,
             help="Share of each target token's probability spread over the vocabulary "
                  "in training (0: off).")
@task_option("--average-checkpoints", type=int,
             help="Average the weights of this many epochs of lowest validation loss; "
                  "kept only if not worse on validation (0: off).")
@click.option("--stream", is_flag=True,
              help="Read the pairs lazily, in bounded memory (files larger than memory); "
                   "without --valid-data a hash split of the sources is held out.")
@recurrent_options
@training_options
@run_options
def train(data, valid_data, out, stream, **options):
    """Train an encoder-decoder on a pairs file and save it to --out."""
    from rnn_apps.data.pairs import read_pairs
    from rnn_apps.tasks.seq2seq.defaults import describe
    from rnn_apps.tasks.seq2seq.estimator import Seq2SeqTranslator

    run = pop_run_options(options)
    pairs = read_pairs(data, stream=stream)
    validation = read_pairs(valid_data, stream=stream) if valid_data else None
    model = make_estimator(Seq2SeqTranslator, _model_kwargs(options), run)
    fit_and_save(model, out, run, *([pairs] if stream else pairs), validation=validation,
                 files=[data, (valid_data, "validation")])
    amount = f"the pairs of {data} (streamed)" if stream else f"{len(pairs[0])} pairs"
    echo_training_summary(model.history_, amount, out)
    click.echo(describe(model.choices_))


def _model_kwargs(options: dict) -> dict:
    """Constructor arguments from the model options given: ``--level`` sets both
    sides unless one is given, ``--attention none`` is None."""
    level, attention = options.pop("level"), options["attention"]
    kwargs = model_kwargs({**options, "source_level": options["source_level"] or level,
                           "target_level": options["target_level"] or level})
    if attention == "none":
        kwargs["attention"] = None
    return kwargs


def tune_input(options: dict):
    """``rnn-apps seq2seq tune``: the pairs and the translator's arguments."""
    from rnn_apps.data.pairs import read_pairs
    from rnn_apps.tasks.seq2seq.estimator import Seq2SeqTranslator

    data, valid_data = options.pop("data"), options.pop("valid_data")
    sources, targets = read_pairs(data)
    validation = read_pairs(valid_data) if valid_data else None
    return Seq2SeqTranslator, _model_kwargs(options), sources, targets, validation


seq2seq.add_command(tune_command(train, tune_input))


@seq2seq.command()
@decoding_options
@click.option("--data", required=True, help="Pairs file: source<TAB>target per line.")
@json_option
def evaluate(model_dir, beam_width, data, as_json):
    """BLEU, chrF, exact match and character error rate on a pairs file."""
    from rnn_apps.data.pairs import read_pairs
    from rnn_apps.evaluation.report import format_report
    from rnn_apps.tasks.seq2seq.estimator import Seq2SeqTranslator

    check_model_dir(Seq2SeqTranslator, model_dir)  # then the data: both before TensorFlow
    sources, targets = read_pairs(data)
    model = Seq2SeqTranslator.load(model_dir)
    with notes():
        metrics = model.evaluate(sources, targets, beam_width=beam_width)
    if as_json:
        echo_json(metrics)
    else:
        click.echo(format_report(metrics, title=f"seq2seq model {model_dir} on {data}"))


@seq2seq.command()
@decoding_options
@click.option("--data", default=None,
              help="Sources, one per line (or the first column of a pairs file).")
@click.option("--output", default=None, callback=output_file,
              help="Write source<TAB>output lines here (default: outputs on standard output).")
@click.argument("texts", nargs=-1)
def predict(model_dir, beam_width, data, output, texts):
    """Translate --data, or TEXTS given as arguments; one output line per source."""
    from rnn_apps.data.pairs import read_sources
    from rnn_apps.tasks.seq2seq.estimator import Seq2SeqTranslator

    if bool(data) == bool(texts):
        raise DataError("give texts as arguments or --data PATH (one of the two)")
    sources = read_sources(data) if data else list(texts)
    model = Seq2SeqTranslator.load(model_dir)
    with notes():
        outputs = model.predict(sources, beam_width=beam_width)
    if output:
        with open(output, "w", encoding="utf-8", newline="\n") as handle:
            handle.write("source\toutput\n")
            handle.writelines(f"{s}\t{o}\n" for s, o in zip(sources, outputs))
        click.echo(f"wrote {len(outputs)} lines to {output}", err=True)
    else:
        for line in outputs:
            click.echo(line)


def _skipped(message: str, interactive: bool):
    """Say why a line got no answer; piped, an empty answer keeps lines aligned."""
    click.echo(f"note: {message}", err=True)
    return None if interactive else ""


@seq2seq.command()
@decoding_options
def chat(model_dir, beam_width):
    """Answer each line read from standard input until end of input.

    Interactive: a prompt, your line, the answer. Piped: one answer line per
    input line (an empty input line gives an empty answer and a note).
    """
    from rnn_apps.tasks.seq2seq.estimator import Seq2SeqTranslator

    model = Seq2SeqTranslator.load(model_dir)
    interactive = sys.stdin.isatty()
    if interactive:
        click.echo("type a line and press Enter; Ctrl-D (end of input) quits", err=True)
    while True:
        if interactive:
            click.echo("> ", nl=False, err=True)
        raw = sys.stdin.buffer.readline()
        if not raw:
            break
        try:
            text = raw.decode("utf-8").strip()
            if not text:
                raise DataError("empty line; type some text (end of input quits)")
            with notes():
                answer = model.predict([text], beam_width=beam_width)[0]
        except UnicodeDecodeError:
            answer = _skipped("the line is not UTF-8 text", interactive)
        except RnnAppsError as error:  # one bad line does not end the conversation
            answer = _skipped(str(error), interactive)
        if answer is not None:
            click.echo(answer)
    if interactive:
        click.echo("", err=True)


seq2seq.add_command(export_command(
    "Seq2SeqTranslator", "text string[batch] -> output string[batch], beam search inside"),
    name="export")
