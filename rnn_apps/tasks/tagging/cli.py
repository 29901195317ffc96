"""``rnn-apps tagging``: train, evaluate, predict, export."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import click

from rnn_apps.cli.options import (
    apply_options,
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
from rnn_apps.errors import DataError

FRAMES_FORMAT = "frames"                 # a CSV of numeric frames, one row a step
FORMATS = (*choices.TAGGED_FORMATS, FRAMES_FORMAT, choices.UNTAGGED_FORMAT)

input_options = apply_options([
    click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
                 help="conllu, conll (token first, tag last), wordtag (word/TAG per line), "
                      "frames (CSV) or, for predict, text (one sentence per line, split by "
                      "the model's tokenizer); by default from the suffix (.conllu, .conll, "
                      ".txt, .csv; predict reads a .txt that is not word/TAG as text)."),
    click.option("--tag-column", default="upos", show_default=True,
                 help="CoNLL-U tag column: upos, xpos or a 0-based number."),
    click.option("--sequence-column", default="sequence", show_default=True,
                 help="Frames CSV: the column naming the sequence of each row."),
    click.option("--label-column", default="label", show_default=True,
                 help="Frames CSV: the column with each frame's label."),
])


def _frames_format(path, fmt) -> bool:
    return fmt == FRAMES_FORMAT or (fmt is None and str(path).lower().endswith(".csv"))


def read_input(path, options: dict, *, labels: bool = True, stream: bool = False):
    """``(sequences, tags, feature_names)`` from a tagged corpus or a frames CSV
    (``stream``: a lazy stream of tagged sentences instead)."""
    from rnn_apps.data.tagged import read_frames_csv, read_tagged

    fmt = options["fmt"]
    if _frames_format(path, fmt):
        if stream:
            raise DataError("--stream reads tagged corpora; a frames CSV is read in memory")
        return read_frames_csv(path, sequence_column=options["sequence_column"],
                               label_column=options["label_column"])
    tag_column = options["tag_column"]
    column = int(tag_column) if tag_column.isdigit() else tag_column
    if stream:
        return read_tagged(path, fmt, column, stream=True)
    sentences, tags = read_tagged(path, fmt, column)
    return sentences, tags, None


def _pop_input(options: dict) -> dict:
    return {key: options.pop(key) for key in ("fmt", "tag_column", "sequence_column",
                                              "label_column")}


@click.group()
def tagging():
    """Sequence tagging (synchronous many-to-many): a label for every token or frame."""


@tagging.command()
@click.option("--data", required=True, help="Training corpus (CoNLL-U, CoNLL, word/TAG) or "
                                            "frames CSV.")
@click.option("--valid-data", default=None, help="Validation file (default: a split of --data).")
@click.option("--out", required=True, help="Model directory to write.")
@input_options
@task_option("--embedding-dim", type=int)
@word_vector_options
@task_option("--char-dim", type=int, help="Character embedding size of the character CNN.")
@task_option("--char-filters", type=int,
             help="Character CNN filters per word (0: no character features).")
@task_option("--word-dropout", type=float,
             help="Share of known words hidden as unknown while training.")
@task_option("--crf/--no-crf", help="Linear-chain CRF output layer instead of a softmax "
                                    "per step.")
@task_option("--lowercase/--no-lowercase", help="Look words up in lower case.")
@task_option("--max-tokens", type=int,
             help="Word vocabulary size limit (the most frequent words are kept).")
@task_option("--tokenizer", type=click.Choice(choices.TOKENIZERS),
             help="How raw text will be split at prediction (stored with the model): spacy "
                  "(English rules, as UD and Penn Treebank corpora split) "
                  "or whitespace.")
@task_option("--char-lm", help="Character language model directories FWD_DIR[,BWD_DIR] "
             "(textgen train; the backward one with --direction backward): their states at "
             "each word are features beside the word's.")
@task_option("--char-lm-trainable/--no-char-lm-trainable",
             help="Fine-tune the --char-lm models with the tagger (default: fixed).")
@click.option("--unlabeled", default=None,
              help="Plain text: train a forward and a backward character language model on "
                   "it first (saved in --out as char_lm_forward and char_lm_backward) and "
                   "use them as --char-lm.")
@click.option("--stream", is_flag=True,
              help="Read a tagged corpus lazily, in bounded memory (corpora larger than "
                   "memory); without --valid-data a hash split of the sentences is held out.")
@recurrent_options
@training_options
@run_options
def train(data, valid_data, out, stream, unlabeled, **options):
    """Train a tagger and save it to --out."""
    from rnn_apps.tasks.tagging.estimator import Tagger

    reader = _pop_input(options)
    run = pop_run_options(options)
    models = _language_models(unlabeled, out, options)
    model = make_estimator(Tagger, model_kwargs(options), run)
    files = [data, (valid_data, "validation")]
    if stream:
        validation = read_input(valid_data, reader, stream=True) if valid_data else None
        fit_and_save(model, out, run, read_input(data, reader, stream=True),
                     validation=validation, files=files)
        echo_training_summary(model.history_, f"the sentences of {data} (streamed, "
                                              f"{len(model.tags_)} tags)", out)
        return
    sequences, tags, _ = read_input(data, reader)
    validation = read_input(valid_data, reader)[:2] if valid_data else None
    fit_and_save(model, out, run, sequences, tags, validation=validation, files=files)
    for language_model in models:  # beside the tagger, which no longer needs them
        language_model.save(Path(out) / f"char_lm_{language_model.direction}")
    steps = sum(len(s) for s in sequences)
    echo_training_summary(model.history_, f"{len(sequences)} sequences ({steps} steps, "
                                          f"{len(model.tags_)} tags)", out)


def _language_models(unlabeled, out, options: dict) -> list:
    """``--unlabeled``: the character language models trained on it, set as the
    tagger's ``char_lm``."""
    if not unlabeled:
        return []
    from rnn_apps.core.saving import check_target
    from rnn_apps.data.text import read_corpus
    from rnn_apps.tasks.tagging.char_lm import train_language_models

    if options.get("char_lm"):
        raise DataError("give --char-lm or --unlabeled, not both")
    check_target(out)  # before the language models' minutes
    kwargs = model_kwargs({key: options.get(key) for key in ("seed", "quiet")})
    options["char_lm"] = train_language_models(read_corpus([unlabeled]), **kwargs)
    return options["char_lm"]


def tune_input(options: dict):
    """``rnn-apps tagging tune``: the data and the tagger's arguments."""
    from rnn_apps.tasks.tagging.estimator import Tagger

    reader = _pop_input(options)
    if options.pop("unlabeled"):
        raise DataError("tagging tune takes language models made before (--char-lm), not "
                        "--unlabeled")
    data, valid_data = options.pop("data"), options.pop("valid_data")
    sequences, tags, _ = read_input(data, reader)
    validation = read_input(valid_data, reader)[:2] if valid_data else None
    return Tagger, model_kwargs(options), sequences, tags, validation


tagging.add_command(tune_command(train, tune_input))


@tagging.command()
@click.option("--model", "model_dir", required=True, help="Model directory.")
@click.option("--data", required=True, help="Tagged file in the training format.")
@input_options
@json_option
def evaluate(model_dir, data, as_json, **options):
    """Token accuracy, macro-F1, per-tag scores and (BIO/IOBES tags) entity F1."""
    from rnn_apps.evaluation.report import format_report
    from rnn_apps.preprocessing.labels import from_text
    from rnn_apps.tasks.tagging.estimator import Tagger

    check_model_dir(Tagger, model_dir)  # then the data: both before TensorFlow
    sequences, tags, _ = read_input(data, options)
    model = Tagger.load(model_dir)
    metrics = model.evaluate(sequences, [from_text(t, model.tags_) for t in tags])
    if as_json:
        echo_json(metrics)
    else:
        click.echo(format_report(metrics, title=f"tagging model {model_dir} on {data}"))


@tagging.command()
@click.option("--model", "model_dir", required=True, help="Model directory.")
@click.option("--data", default=None, help="File to tag (its tags, if any, are replaced): "
                                           "tagged or untagged CoNLL / CoNLL-U, word/TAG, "
                                           "plain text or frames CSV.")
@click.option("--output", default=None, callback=output_file,
              help="File to write (default: standard output).")
@input_options
@click.argument("sentences", nargs=-1)
def predict(model_dir, data, output, sentences, **options):
    """Tag --data, or SENTENCES given as arguments (split by the model's tokenizer).

    Tokens come out CoNLL style, one ``token<TAB>tag`` line per token and a
    blank line between sentences; frames come out as the CSV with a
    ``predicted`` column.
    """
    from rnn_apps.tasks.tagging.estimator import Tagger

    if bool(data) == bool(sentences):
        raise DataError("give sentences as arguments or --data PATH (one of the two)")
    check_model_dir(Tagger, model_dir)  # and that --data is a file: before TensorFlow
    if data:
        from rnn_apps.data.tables import check_data_file

        check_data_file(data)
    model = Tagger.load(model_dir)
    if data and _frames_format(data, options["fmt"]):
        sequences, _, features = read_input(data, options)
        rows = [["sequence_index", *features, "predicted"]]
        for index, (frames, tags) in enumerate(zip(sequences, model.predict(sequences))):
            rows += [[index, *(f"{v:g}" for v in frame), tag] for frame, tag in zip(frames, tags)]
        lines = None
    else:
        from rnn_apps.data.tagged import read_untagged

        tokens = read_untagged(data, options["fmt"], model.tokenize) if data \
            else model.tokenize(sentences)
        lines = []
        for sentence, tags in zip(tokens, model.predict(tokens)):
            lines += [f"{token}\t{tag}" for token, tag in zip(sentence, tags)] + [""]

    def write(target):
        if lines is None:
            csv.writer(target, lineterminator="\n").writerows(rows)
        else:
            target.write("\n".join(lines) + "\n")

    if output:
        with open(output, "w", newline="", encoding="utf-8") as handle:
            write(handle)
        click.echo(f"wrote {output}", err=True)
    else:
        write(sys.stdout)


tagging.add_command(export_command(
    "Tagger", "tokens string[batch, time] or frames float32[batch, time, features] -> tags"),
    name="export")
