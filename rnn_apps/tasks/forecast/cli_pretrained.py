"""``rnn-apps forecast`` and the pretrained forecaster: the ``--pretrained``
option of train and backtest, and ``predict --pretrained``, which fits the
pretrained forecaster on ``--data`` (zero-shot: nothing trains) and forecasts
with it instead of a saved model."""

from __future__ import annotations

import click

from rnn_apps.cli.options import apply_options, check_model_dir, task_option
from rnn_apps.errors import DataError
from rnn_apps.tasks.forecast import choices

MODES_HELP = ("zero-shot (the flag alone) forecasts without training, fine-tune trains it "
              "further on the series")


def pretrained_option():
    """``--pretrained [MODE]`` of train and backtest; the flag alone means zero-shot."""
    return task_option(
        "--pretrained", type=click.Choice(choices.PRETRAINED), is_flag=False,
        flag_value="zero-shot",
        help=f"Start from the forecaster pretrained on generated series: {MODES_HELP}, none "
             "trains from scratch, auto keeps whichever forecasts the held-out end best.")


PREDICT_MODES = ("zero-shot", "fine-tune", "auto")

# predict without --model: how to read --data and fit the pretrained forecaster on it
predict_options = apply_options([
    click.option("--pretrained", type=click.Choice(PREDICT_MODES), is_flag=False,
                 flag_value="zero-shot", default=None,
                 help=f"Instead of --model, fit the pretrained forecaster on --data: "
                      f"{MODES_HELP}, auto also weighs a network trained from scratch."),
    click.option("--horizon", type=int, default=None,
                 help="With --pretrained: steps ahead to forecast (default: the class's)."),
    click.option("--targets", default=None,
                 help="With --pretrained: comma-separated columns to forecast (default: "
                      "every column but the time column)."),
    click.option("--lookback", type=int, default=None,
                 help="With --pretrained: steps of history read (default: from the seasons "
                      "and the length of the series)."),
    click.option("--season", type=int, default=None,
                 help="With --pretrained: the season length (default: detected)."),
    click.option("--quantiles", default=None,
                 help="With --pretrained: comma-separated quantile levels, e.g. 0.1,0.9."),
    click.option("--time-column", default=None,
                 help="With --pretrained: the column of time stamps (default: auto, as for "
                      "train; none: no time column)."),
    click.option("--time-format", default=None,
                 help="With --pretrained: strftime format of the time stamps."),
    click.option("--across-columns", is_flag=True,
                 help="With --pretrained: each target column is a series of its own."),
    click.option("--seed", type=int, default=None,
                 help="With --pretrained fine-tune: random seed for a repeatable run."),
])


def forecaster_for(model_dir, mode, data, interpolate, id_column, options: dict):
    """``(fitted forecaster, table read from data)``: the saved model in
    ``model_dir``, or the pretrained forecaster fitted on ``data`` as ``mode`` says."""
    from rnn_apps.tasks.forecast.cli_input import read_model_series

    given = [f"--{key.replace('_', '-')}" for key, value in options.items()
             if value not in (None, False)]
    if model_dir is not None:
        if mode is not None:
            raise DataError("give --model (a saved model) or --pretrained (the pretrained "
                            "forecaster fitted on --data), not both")
        if given:
            raise DataError(f"{given[0]} applies with --pretrained; a saved model keeps the "
                            "settings it was trained with")
        from rnn_apps.data.tables import check_data_file
        from rnn_apps.tasks.forecast.estimator import Forecaster

        check_model_dir(Forecaster, model_dir)  # and that --data is a file: before TensorFlow
        check_data_file(data)
        model = Forecaster.load(model_dir)
        return model, read_model_series(model, data, interpolate, id_column)
    if mode is None:
        context = click.get_current_context()
        param = next(p for p in context.command.params if p.name == "model_dir")
        raise click.MissingParameter(ctx=context, param=param,
                                     message="Or --pretrained: fit the pretrained forecaster "
                                             "on --data.")
    return fit_pretrained_on(data, mode, interpolate, id_column, options)


def fit_pretrained_on(data, mode, interpolate, id_column, options: dict):
    """The pretrained forecaster fitted on the CSV ``data`` (quietly: what
    ``predict`` prints is the forecast)."""
    from rnn_apps.cli.errors import notes
    from rnn_apps.tasks.forecast.cli_input import build_forecaster, read_options_series

    time_column = options.pop("time_column") or "auto"
    series = {"data": data, "targets": options.pop("targets"), "covariates": None,
              "time_column": time_column, "time_format": options.pop("time_format"),
              "interpolate": interpolate, "id_column": id_column,
              "across_columns": options.pop("across_columns")}
    table, targets = read_options_series(series)
    model = build_forecaster({**options, "pretrained": mode, "quiet": True}, targets)
    with notes():
        model.fit(table)
    return model, table
