"""Options shared by every task's commands, defined once as decorators."""

from __future__ import annotations

import click

from rnn_apps.cli.export import EXPORT_FORMATS, export_command, versioned_target  # noqa: F401
from rnn_apps.cli.json_output import echo_json, finite_json, json_option  # noqa: F401
from rnn_apps.core import registry
from rnn_apps.core.choices import DISTRIBUTE_MODES, TABLE_FORMATS
from rnn_apps.core.recurrent import cell_names

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


def task_defaults(task: str, method: str = "__init__") -> dict:
    """Keyword defaults of a task class's ``method``: the one place they live."""
    import inspect

    function = getattr(registry.task_class(task), method)
    return {name: p.default for name, p in inspect.signature(function).parameters.items()
            if p.default is not inspect.Parameter.empty}


class TaskOption(click.Option):
    """An option that stays None unless given, leaving the value to the task class
    (or one of its methods); ``--help`` shows the class's default."""

    def __init__(self, *args, method: str = "__init__", param: str | None = None, **kwargs):
        kwargs["default"], kwargs["show_default"] = None, False
        super().__init__(*args, **kwargs)
        self.method, self.param = method, param or self.name

    def get_help_record(self, ctx):
        record = super().get_help_record(ctx)
        task = ctx.parent.command.name if ctx.parent is not None else None
        if record is None or task not in registry.task_classes():
            return record
        value = task_defaults(task, self.method).get(self.param)
        if value is None:
            return record
        if isinstance(value, bool) and not self.secondary_opts:
            return record
        if isinstance(value, bool):
            value = self.opts[0] if value else self.secondary_opts[0]
        elif isinstance(value, (list, tuple)):
            value = ",".join(map(str, value))
        return record[0], f"{record[1]}  [default: {value}]".strip()


def task_option(*declarations, **attributes):
    """``click.option`` whose default is the task class's (see :class:`TaskOption`)."""
    return click.option(*declarations, cls=TaskOption, **attributes)


recurrent_options = apply_options([
    task_option("--cell", type=click.Choice(cell_names()),
                help="Recurrent cell: rnn (SimpleRNN), lstm, gru or esn (echo state)."),
    task_option("--units", type=int, help="Hidden units per layer and direction."),
    task_option("--layers", type=int, help="Stacked recurrent layers."),
    task_option("--bidirectional/--no-bidirectional",
                help="Read each sequence in both directions."),
    task_option("--dropout", type=float, help="Dropout after each recurrent layer."),
    task_option("--recurrent-dropout", type=float,
                help="Dropout on the recurrent state (disables cuDNN kernels)."),
    task_option("--clipnorm", type=float, help="Clip gradients to this norm (0 turns it off)."),
    task_option("--clipvalue", type=float, help="Clip gradients to this value."),
    task_option("--spectral-radius", type=float,
                help="esn cell: spectral radius of the fixed reservoir."),
    task_option("--leak-rate", type=float,
                help="esn cell: leak rate of the reservoir update (0 < a <= 1)."),
    task_option("--input-scaling", type=float,
                help="esn cell: range of the fixed input weights."),
    task_option("--embedding-dropout", type=float,
                help="Training only: drop whole tokens (time steps) of the recurrent input."),
    task_option("--weight-drop", type=float,
                help="Training only: DropConnect on the recurrent (hidden-to-hidden) "
                     "weights, one mask per batch (lstm, gru, rnn)."),
    task_option("--locked-dropout/--no-locked-dropout",
                help="--dropout drops the same units at every time step (variational)."),
    task_option("--activation-reg", type=float,
                help="Training only: AR, alpha * mean(h^2) of the last recurrent layer."),
    task_option("--temporal-reg", type=float,
                help="Training only: TAR, beta * mean((h_t - h_t-1)^2) of the last "
                     "recurrent layer."),
])

word_vector_options = apply_options([
    task_option("--embeddings", metavar="FILE",
                help="Pretrained word vectors (word2vec, GloVe or fastText file) that "
                     "start the word embedding, which takes their size (needs the "
                     "embeddings extra: gensim)."),
    task_option("--freeze-embeddings/--no-freeze-embeddings",
                help="Keep the pretrained vectors fixed instead of fine-tuning them."),
])

training_options = apply_options([
    task_option("--epochs", type=int, help="Most passes over the training data."),
    task_option("--batch-size", type=int),
    task_option("--learning-rate", type=float),
    task_option("--patience", type=int,
                help="Stop after this many epochs without a better validation loss."),
    task_option("--valid-split", type=float,
                help="Share of the training data held out for validation "
                     "(ignored with --valid-data)."),
    task_option("--seed", type=int, help="Random seed for a repeatable run."),
    click.option("--quiet", is_flag=True, help="No training progress output."),
])


run_options = apply_options([
    task_option("--distribute", type=click.Choice(DISTRIBUTE_MODES),
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
    task_option("--mixed-precision", is_flag=True,
                help="Train in mixed_float16 on a GPU (a CPU trains in float32 and says so)."),
])


def pop_run_options(options: dict) -> dict:
    """Take the run options out of ``options``; model settings stay in it."""
    run = {key: options.pop(key) for key in ("checkpoint_dir", "resume", "tensorboard",
                                             "init_from", "steps_per_epoch")}
    return run


def make_estimator(cls, kwargs: dict, run: dict):
    """``cls(**kwargs)`` (options given on the command line; the class holds every
    other default). With ``--init-from``, the saved model's settings fill in
    what is not given, except how to train (``RUN_PARAMS``)."""
    if not run.get("init_from"):
        return cls(**kwargs)
    from rnn_apps.core.saving import read_metadata

    saved = read_metadata(run["init_from"], expected_task=cls.task_name)["params"]
    known = set(cls._get_param_names()) - set(RUN_PARAMS)
    return cls(**{**{k: v for k, v in saved.items() if k in known}, **kwargs})


def check_model_dir(cls, model_dir) -> None:
    """Refuse a missing, unreadable or other-task ``--model`` from its metadata
    alone, before TensorFlow loads; called first by commands that read their
    data before loading the model (so a bad data file is refused quickly too)."""
    from rnn_apps.core.saving import read_metadata

    read_metadata(model_dir, expected_task=cls.task_name)


def fit_and_save(model, out, run: dict, *data, validation=None, files=()):
    """Check ``--out`` first, train with the run options, save; prints notes.
    ``files``: the data files read (paths or ``(path, role)`` pairs), recorded
    with their sizes and SHA-256 in the model directory."""
    from rnn_apps.cli.errors import notes
    from rnn_apps.core.saving import check_target

    check_target(out)
    checkpoint = run["checkpoint_dir"] or f"{str(out).rstrip('/')}.checkpoint"
    try:
        with notes():
            model.fit(*data, validation_data=validation, checkpoint_dir=checkpoint,
                      resume=run["resume"], tensorboard=run["tensorboard"],
                      warm_start=run["init_from"], steps_per_epoch=run["steps_per_epoch"],
                      data_files=files)
    except KeyboardInterrupt:  # Ctrl-C: say how to go on, not just "Aborted!"
        from rnn_apps.core.runs import interrupted_line

        click.echo(f"Error: {interrupted_line(checkpoint, model.epochs)}", err=True)
        raise click.exceptions.Exit(130) from None
    model.save(out)
    return model


def table_options(*, labels: bool):
    """--text-column, --label-column, --format, --no-header for tabular input."""
    options = [
        click.option("--text-column", default="text", show_default=True,
                     help="Column holding the text (a 0-based number with --no-header)."),
        click.option("--format", "fmt", type=click.Choice(TABLE_FORMATS), default=None,
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
    """The model options given on the command line as constructor keyword
    arguments; options left unset (None) are left to the class's defaults."""
    kwargs = {key: value for key, value in options.items() if value is not None}
    if kwargs.pop("quiet", False):
        kwargs["verbose"] = 0
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


def output_file(ctx, param, value):
    """Callback of every option naming a file a command writes (``--output``,
    ``--plot``, ``inspect --out``): refused, before any work, when it is a
    directory or lies inside a model or export directory."""
    if value is not None:
        from rnn_apps.core.directories import check_output_file

        check_output_file(value)
    return value


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
