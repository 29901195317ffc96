"""Options shared by every task's commands, defined once as decorators."""

from __future__ import annotations

import click

from rnn_apps.core.distribute import MODES as DISTRIBUTE_MODES
from rnn_apps.core.recurrent import cell_names
from rnn_apps.data.tables import FORMATS

# options that set how a run trains, not the network: --init-from keeps the
# saved model's other settings unless they are given on the command line
RUN_PARAMS = ("epochs", "batch_size", "learning_rate", "patience", "valid_split", "seed",
              "verbose", "distribute", "mixed_precision")


def apply_options(options):
    def decorator(function):
        for option in reversed(options):
            function = option(function)
        return function

    return decorator


recurrent_options = apply_options([
    click.option("--cell", type=click.Choice(cell_names()), default="gru", show_default=True,
                 help="Recurrent cell: rnn (SimpleRNN), lstm, gru or esn (echo state)."),
    click.option("--units", type=int, default=64, show_default=True,
                 help="Hidden units per layer and direction."),
    click.option("--layers", type=int, default=1, show_default=True,
                 help="Stacked recurrent layers."),
    click.option("--bidirectional/--no-bidirectional", default=False, show_default=True),
    click.option("--dropout", type=float, default=0.0, show_default=True,
                 help="Dropout after each recurrent layer."),
    click.option("--recurrent-dropout", type=float, default=0.0, show_default=True,
                 help="Dropout on the recurrent state (disables cuDNN kernels)."),
    click.option("--clipnorm", type=float, default=1.0, show_default=True,
                 help="Clip gradients to this norm (0 turns it off)."),
    click.option("--clipvalue", type=float, default=None, help="Clip gradients to this value."),
    click.option("--spectral-radius", type=float, default=0.9, show_default=True,
                 help="esn cell: spectral radius of the fixed reservoir."),
    click.option("--leak-rate", type=float, default=1.0, show_default=True,
                 help="esn cell: leak rate of the reservoir update (0 < a <= 1)."),
    click.option("--input-scaling", type=float, default=1.0, show_default=True,
                 help="esn cell: range of the fixed input weights."),
])

training_options = apply_options([
    click.option("--epochs", type=int, default=10, show_default=True),
    click.option("--batch-size", type=int, default=32, show_default=True),
    click.option("--learning-rate", type=float, default=1e-3, show_default=True),
    click.option("--patience", type=int, default=3, show_default=True,
                 help="Stop after this many epochs without a better validation loss."),
    click.option("--valid-split", type=float, default=0.1, show_default=True,
                 help="Share of the training data held out for validation "
                      "(ignored with --valid-data)."),
    click.option("--seed", type=int, default=None, help="Random seed for a repeatable run."),
    click.option("--quiet", is_flag=True, help="No training progress output."),
])


run_options = apply_options([
    click.option("--distribute", type=click.Choice(DISTRIBUTE_MODES), default="none",
                 show_default=True,
                 help="none: one device; mirrored: every local GPU; multiworker: the "
                      "cluster described by the TF_CONFIG environment variable."),
    click.option("--checkpoint-dir", default=None,
                 help="Back up the run after every epoch (and keep its history.csv) here; "
                      "default: OUT.checkpoint beside --out. Removed once the model is saved."),
    click.option("--resume", is_flag=True,
                 help="Continue the interrupted run backed up in the checkpoint directory."),
    click.option("--tensorboard", default=None, metavar="DIR",
                 help="Write TensorBoard logs (loss, metrics, learning rate) to DIR."),
    click.option("--init-from", default=None, metavar="MODEL_DIR",
                 help="Fine-tune a saved model on this data: its vocabulary, labels, scaler "
                      "and weights are kept, and so are its settings not given here."),
    click.option("--steps-per-epoch", type=int, default=None,
                 help="Batches per epoch, reading the data pass after pass (for data too "
                      "large to go through whole epochs); default: one pass per epoch."),
    click.option("--mixed-precision", is_flag=True,
                 help="Train in mixed_float16 on a GPU (a CPU trains in float32 and says so)."),
])


def pop_run_options(options: dict) -> dict:
    """Take the run options out of ``options``; model settings stay in it."""
    run = {key: options.pop(key) for key in ("checkpoint_dir", "resume", "tensorboard",
                                             "init_from", "steps_per_epoch")}
    return run


def make_estimator(cls, kwargs: dict, run: dict):
    """``cls(**kwargs)``; with ``--init-from``, settings not given on the command
    line (and not run settings) come from the saved model."""
    if not run.get("init_from"):
        return cls(**kwargs)
    from click.core import ParameterSource

    from rnn_apps.core.saving import read_metadata

    saved = read_metadata(run["init_from"], expected_task=cls.task_name)["params"]
    context = click.get_current_context()

    def given(key):
        source = context.get_parameter_source(key) if key in context.params else None
        return source in (ParameterSource.COMMANDLINE, ParameterSource.ENVIRONMENT)

    known = set(cls._get_param_names())
    chosen = {k: v for k, v in kwargs.items() if k in RUN_PARAMS or given(k)}
    return cls(**{**{k: v for k, v in saved.items() if k in known}, **chosen})


def fit_and_save(model, out, run: dict, *data, validation=None):
    """Check ``--out`` first, train with the run options, save; prints notes."""
    from rnn_apps.cli.errors import notes
    from rnn_apps.core.saving import check_target

    check_target(out)
    checkpoint = run["checkpoint_dir"] or f"{str(out).rstrip('/')}.checkpoint"
    with notes():
        model.fit(*data, validation_data=validation, checkpoint_dir=checkpoint,
                  resume=run["resume"], tensorboard=run["tensorboard"],
                  warm_start=run["init_from"], steps_per_epoch=run["steps_per_epoch"])
    model.save(out)
    return model


def table_options(*, labels: bool):
    """--text-column, --label-column, --format, --no-header for tabular input."""
    options = [
        click.option("--text-column", default="text", show_default=True,
                     help="Column holding the text (a 0-based number with --no-header)."),
        click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
                     help="File format; by default from the suffix "
                          "(.csv, .tsv, .jsonl, .txt = one text per line)."),
        click.option("--no-header", is_flag=True, help="CSV/TSV without a header row."),
    ]
    if labels:
        options.insert(1, click.option(
            "--label-column", default="label", show_default=True,
            help="Column holding the label (a 0-based number with --no-header)."))
    return apply_options(options)


def model_kwargs(options: dict) -> dict:
    """Map parsed shared options onto task constructor keyword arguments."""
    kwargs = dict(options)
    if "quiet" in kwargs:
        kwargs["verbose"] = 0 if kwargs.pop("quiet") else 1
    if kwargs.get("clipnorm") == 0:
        kwargs["clipnorm"] = None
    return kwargs


def table_kwargs(options: dict) -> dict:
    """Pop the table options into reader keyword arguments."""
    out = {"text_column": options.pop("text_column"), "fmt": options.pop("fmt"),
           "header": not options.pop("no_header")}
    if "label_column" in options:
        out["label_column"] = options.pop("label_column")
    return out


def json_option(function):
    return click.option("--json", "as_json", is_flag=True,
                        help="Print one JSON object on stdout.")(function)


def export_command(class_name: str, signatures: str):
    """The ``export`` command every task shares: load ``--model``, write ``--out``."""

    @click.command(help=f"Write a TensorFlow SavedModel ({signatures}).")
    @click.option("--model", "model_dir", required=True, help="Model directory.")
    @click.option("--out", required=True, help="SavedModel directory to write.")
    def export(model_dir, out):
        import rnn_apps

        getattr(rnn_apps, class_name).load(model_dir).export(out)
        click.echo(f"exported SavedModel to {out} ({signatures})")

    return export


def echo_training_summary(history: dict, amount: str, out, describe_loss=None) -> None:
    """'trained N epochs on <amount>; best validation loss L (...) at epoch E', then the path.

    Other validation metrics at the best epoch are listed; ``describe_loss``
    may add a task-specific reading of the loss (e.g. bits per character).
    """
    from rnn_apps.core.training import best_epoch

    line = f"trained {len(history.get('loss', []))} epochs on {amount}"
    epoch = best_epoch(history)
    if history.get("val_loss") and epoch:
        loss = history["val_loss"][epoch - 1]
        notes = [f"{key[4:]} {history[key][epoch - 1]:.4f}" for key in sorted(history)
                 if key.startswith("val_") and key != "val_loss"]
        if describe_loss:
            notes.append(describe_loss(loss))
        line += f"; best validation loss {loss:.4f}"
        line += f" ({', '.join(notes)})" if notes else ""
        line += f" at epoch {epoch}"
    click.echo(line)
    click.echo(f"saved model to {out}")
