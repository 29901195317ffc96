"""``rnn-apps forecast``: train, evaluate, predict, backtest, export."""

from __future__ import annotations

import click

from rnn_apps.cli.options import (
    apply_options,
    check_model_dir,
    echo_json,
    echo_training_summary,
    export_command,
    fit_and_save,
    json_option,
    output_file,
    pop_run_options,
    recurrent_options,
    run_options,
    task_option,
    training_options,
)
from rnn_apps.cli.tune import tune_command
from rnn_apps.tasks.forecast import choices
from rnn_apps.tasks.forecast.cli_input import (
    build_forecaster,
    forecaster_kwargs,
    read_model_series,
    read_options_series,
)
from rnn_apps.tasks.forecast.cli_output import (
    echo_backtest,
    echo_choices,
    echo_summary,
    future_values,
    write_forecast,
)
from rnn_apps.tasks.forecast.cli_pretrained import (
    forecaster_for,
    predict_options,
    pretrained_option,
)

series_options = apply_options([
    click.option("--data", required=True, help="CSV file: a time column (optional) and "
                                               "numeric columns, one row per step."),
    click.option("--time-column", default="auto", show_default=True,
                 help="Column of time stamps (integer step, year, 2000Q1, YYYY-MM, "
                      "2020-W01, ISO date/time); auto: the first column when it is called "
                      "date, time, year, quarter, month, week, period, ds, t, step, index, "
                      "...; none: no time column."),
    click.option("--time-format", default=None,
                 help="strftime format of the time stamps when they are not one of the "
                      "forms above, e.g. %m/%d/%Y for 01/31/2020 (default: ISO)."),
    click.option("--targets", default=None,
                 help="Comma-separated columns to forecast (default: every column that is "
                      "not the time column or a covariate)."),
    click.option("--covariates", default=None,
                 help="Comma-separated columns known in the past, read but not forecast."),
    click.option("--interpolate", is_flag=True,
                 help="Fill missing values linearly instead of stopping with an error."),
    click.option("--id-column", default=None,
                 help="Long format: this column names the series each row belongs to; one "
                      "model is trained across all the series."),
    click.option("--across-columns", is_flag=True,
                 help="Each target column is a series of its own; one model is trained "
                      "across them."),
])

forecast_options = apply_options([
    task_option("--lookback", type=int,
                help="Steps of history the network reads (default: chosen on the held-out "
                     "end of the series among multiples of the season)."),
    task_option("--horizon", type=int, help="Steps ahead to forecast."),
    task_option("--strategy", type=click.Choice(choices.FORECAST_STRATEGIES),
                help="All steps at once, or one step fed back H times."),
    task_option("--inputs", type=click.Choice((choices.AUTO, *choices.FORECAST_INPUTS)),
                help="Windows relative to their last value (trends), levels (series that "
                     "return to a mean) or both; auto: chosen on the held-out end."),
    task_option("--deseasonalize", type=click.Choice((choices.AUTO, *choices.DESEASONALIZE)),
                help="Take each window's seasonal profile out before the network and put "
                     "it back after; auto: chosen on the held-out end."),
    task_option("--ensemble", type=int,
                help="Forecast the median of this many networks (the best candidates of "
                     "the automatic choices, then more seeds)."),
    task_option("--quantiles",
                help="Comma-separated quantile levels for intervals, e.g. 0.1,0.5,0.9."),
    task_option("--season", type=int,
                help="Season length, for the decomposition and the seasonal naive "
                     "baseline (default: detected from the time step and the data)."),
    task_option("--future-covariates",
                help="Comma-separated columns whose values are known ahead (prices, "
                     "holidays): the network reads them for the forecast steps, and "
                     "predict takes them with --future."),
    task_option("--calendar/--no-calendar",
                help="Give the network the hour, weekday and month of the forecast steps."),
    task_option("--readout", type=click.Choice(choices.READOUTS),
                help="ridge: closed-form output layer (esn cell)."),
    task_option("--ridge-alpha", type=float,
                help="Ridge penalty (default: chosen on the validation windows)."),
    pretrained_option(),
])


def tune_input(options: dict):
    """``rnn-apps forecast tune``: the series and the forecaster's arguments."""
    from rnn_apps.tasks.forecast.estimator import Forecaster

    table, targets = read_options_series(options)
    return Forecaster, forecaster_kwargs(options, targets), table, None, None


@click.group()
def forecast():
    """Time-series forecasting: the next H values of one or more series."""


@forecast.command()
@series_options
@click.option("--out", required=True, help="Model directory to write.")
@forecast_options
@click.option("--stream", is_flag=True,
              help="Read the series lazily, in bounded memory (series longer than memory "
                   "allows); the last --valid-split share is held out.")
@recurrent_options
@training_options
@run_options
def train(out, stream, **options):
    """Train a forecaster on a series CSV and save it to --out."""
    run = pop_run_options(options)
    files = [options["data"]]
    table, targets = read_options_series(options, stream=stream)
    model = build_forecaster(options, targets, run)
    fit_and_save(model, out, run, table, files=files)
    if stream:
        echo_training_summary(model.history_, f"the series in {table.path} (streamed)", out)
        return
    echo_choices(model)
    if hasattr(table, "series"):
        steps = sum(len(one.values) for one in table.series.values())
        amount = f"{len(table)} series ({steps} steps) of {len(table.columns)} column(s)"
    else:
        amount = f"{len(table.values)} steps of {len(table.columns)} column(s)"
    echo_summary(model, amount, out)


forecast.add_command(tune_command(train, tune_input))


def _echo_metrics(metrics: dict, title: str, as_json: bool) -> None:
    from rnn_apps.evaluation.report import format_report

    if as_json:
        echo_json(metrics)
        return
    series = metrics.pop("series", None)
    click.echo(format_report(metrics, title=title))
    for key, row in (series or {}).items():
        click.echo(f"  {key}: mase {row['mase']:.4f} (seasonal naive {row['baseline_mase']:.4f})")


@forecast.command()
@click.option("--model", "model_dir", required=True, help="Model directory.")
@click.option("--data", required=True, help="Series CSV (same columns as for training).")
@click.option("--interpolate", is_flag=True, help="Fill missing values linearly.")
@json_option
def evaluate(model_dir, data, interpolate, as_json):
    """Metrics over every window of --data, beside naive, seasonal naive and drift."""
    from rnn_apps.data.tables import check_data_file
    from rnn_apps.tasks.forecast.estimator import Forecaster

    check_model_dir(Forecaster, model_dir)  # and that --data is a file: before TensorFlow
    check_data_file(data)
    model = Forecaster.load(model_dir)
    metrics = model.evaluate(read_model_series(model, data, interpolate))
    _echo_metrics(metrics, f"forecast model {model_dir} on {data}", as_json)


@forecast.command()
@click.option("--model", "model_dir", default=None,
              help="Model directory (or --pretrained, below).")
@click.option("--data", required=True, help="Series CSV; the forecast starts after its end.")
@click.option("--interpolate", is_flag=True, help="Fill missing values linearly.")
@click.option("--id-column", default=None,
              help="Long format: the column naming each row's series (default: the one the "
                   "model was trained with).")
@click.option("--future", "future_path", default=None,
              help="CSV with the future covariates' values for the forecast steps (one row "
                   "per step, in order), for a model trained with --future-covariates.")
@click.option("--output", default=None, callback=output_file,
              help="CSV file to write (default: standard output).")
@click.option("--plot", default=None, callback=output_file,
              help="PNG of history, forecast and interval band.")
@predict_options
def predict(model_dir, data, interpolate, id_column, future_path, output, plot, pretrained,
            **fit_options):
    """Forecast the next H steps after the end of --data, with a saved model or the
    pretrained forecaster fitted on --data."""
    model, table = forecaster_for(model_dir, pretrained, data, interpolate, id_column,
                                  fit_options)
    future = future_values(model, future_path, getattr(table, "series", None))
    write_forecast(model, table, future, data, output, plot)


@forecast.command()
@series_options
@forecast_options
@task_option("--origins", type=int, method="backtest", help="Number of forecast origins.")
@task_option("--step", type=int, method="backtest",
             help="Steps between origins (default: horizon).")
@task_option("--window", type=click.Choice(choices.BACKTEST_WINDOWS), method="backtest",
             help="Train on all data before each origin, or on a window as long as the "
                  "first origin's.")
@task_option("--refit-every", type=int, method="backtest",
             help="Retrain at every N-th origin only; the others forecast with the last "
                  "model trained.")
@recurrent_options
@training_options
@json_option
def backtest(origins, step, window, refit_every, as_json, **options):
    """Rolling-origin evaluation: retrain before each origin, forecast, score."""
    table, targets = read_options_series(options)
    given = {k: v for k, v in (("origins", origins), ("window", window),
                               ("refit_every", refit_every)) if v is not None}
    result = build_forecaster(options, targets).backtest(table, step=step, **given)
    if as_json:
        echo_json(result)
        return
    echo_backtest(result)


forecast.add_command(export_command("Forecaster", "history -> forecast"), name="export")
