"""``rnn-apps <task> tune``: hyperparameter search, built once from each task's
``train`` command.

The command takes the train command's data and model options (not its
run options: streams, checkpoints, warm starts); a model option given on
the command line is used as it is and not searched, and ``--fix`` keeps
more at their defaults. Each task module hands over one function reading
its data: ``read(options) -> (class, constructor kwargs, X, y, validation)``.
"""

from __future__ import annotations

import click

RUN_ONLY = {"out", "stream", "checkpoint_dir", "resume", "tensorboard", "init_from",
            "steps_per_epoch"}

def search_options() -> list[click.Option]:
    """The search's own options (new objects for every command)."""
    return [
        click.Option(["--out"], required=True,
                     help="Directory to write: trials.csv, tune.json and the best model in "
                          "best/."),
        click.Option(["--trials"], type=click.IntRange(min=1), default=10, show_default=True,
                     help="Most trials (each trains one network)."),
        click.Option(["--budget-minutes"], type=click.FloatRange(min=0, min_open=True),
                     default=None,
                     help="Start no trial that would end after this many minutes (judged by "
                          "the mean trial so far); a trial still running then stops at its "
                          "epoch's end. Default: no limit."),
        click.Option(["--algorithm"], type=click.Choice(("bayesian", "hyperband")),
                     default="bayesian", show_default=True,
                     help="bayesian: Gaussian-process Bayesian optimisation (half the trials "
                          "random first); hyperband: many short trials, the best trained "
                          "longer (needs many trials)."),
        click.Option(["--fix", "fix"], multiple=True, metavar="NAMES",
                     help="Parameters to keep at their defaults, comma-separated (e.g. "
                          "cell,units); options given on the command line are never "
                          "searched."),
    ]


def _parameters(train: click.Command) -> list[click.Parameter]:
    """The train command's options without the run-only ones, the search's
    options where ``--out`` was."""
    params = []
    for param in train.params:
        if param.name == "out":
            params += search_options()
        elif param.name not in RUN_ONLY:
            params.append(param)
    return params


def tune_command(train: click.Command, read) -> click.Command:
    def callback(**options):
        _run(read, options)

    return click.Command(
        "tune", params=_parameters(train), callback=callback,
        short_help="Search hyperparameters; keep the best model.",
        help="Search the model's hyperparameters on held-out data (KerasTuner; "
             "pip install 'rnn-apps[tune]'): each trial trains the task's network with other "
             "settings and is scored on the held-out part; the best model is saved to "
             "OUT/best, every trial to OUT/trials.csv. Model options given here are kept "
             "fixed; the others are searched around the task's defaults.")


def fixed_from(given, fix) -> list[str]:
    names = {name.strip().replace("-", "_") for value in fix for name in value.split(",")}
    return sorted(set(given) | {name for name in names if name})


def _run(read, options: dict) -> None:
    import importlib.util

    from rnn_apps.core.directories import check_target
    from rnn_apps.tuning import HyperparameterSearch
    from rnn_apps.tuning.report import format_top
    from rnn_apps.tuning.search import import_keras_tuner

    search = {key: options.pop(key) for key in ("out", "trials", "budget_minutes",
                                                "algorithm", "fix")}
    check_target(search["out"], kind="tune")      # before any data is read or trained
    if importlib.util.find_spec("keras_tuner") is None:
        import_keras_tuner()  # refuses in one line, before the data is read
    cls, kwargs, X, y, validation = read(options)  # a bad data file: before TensorFlow
    import_keras_tuner()
    quiet = kwargs.get("verbose") == 0
    tuner = HyperparameterSearch(cls(**kwargs), trials=search["trials"],
                                 budget_minutes=search["budget_minutes"],
                                 algorithm=search["algorithm"], out=search["out"],
                                 fixed=fixed_from(kwargs, search["fix"]),
                                 seed=kwargs.get("seed"), verbose=0 if quiet else 1)
    tuner.fit(X, y, validation, print_line=click.echo)
    for note in tuner.notes_:
        click.echo(f"note: {note}", err=True)
    failed = sum(row["status"] == "failed" for row in tuner.results_)
    click.echo(f"{len(tuner.results_)} trials in {tuner.seconds_:.0f} s"
               + (f" ({failed} failed)" if failed else "")
               + f"; score: {tuner.scoring_} on {tuner.validation_} (higher is better); "
               f"the best 5:")
    click.echo(format_top(tuner, 5))
    click.echo(f"best: trial {tuner.best_trial_}, score {tuner.best_score_:.4f}")
    click.echo(f"saved the best model to {search['out']}/best and every trial to "
               f"{search['out']}/trials.csv")
