"""``rnn-apps forecast``: reading the series CSV a command names (with the
options given, or as the model was trained), and the forecaster the options
describe."""

from __future__ import annotations

import click

from rnn_apps.cli.options import make_estimator, model_kwargs
from rnn_apps.errors import DataError


def names(text: str | None) -> list[str]:
    return [name.strip() for name in text.split(",") if name.strip()] if text else []


def read_options_series(options: dict, stream: bool = False):
    """Pop the series options and read the CSV; returns ``(table, targets or None)``
    (``stream``: a lazy series stream instead of the table)."""
    from rnn_apps.data.series import read_series_csv

    path = options.pop("data")
    targets, covariates = names(options.pop("targets")), names(options.pop("covariates"))
    covariates += [c for c in names(options.get("future_covariates")) if c not in covariates]
    time_column = options.pop("time_column")
    time_column = None if time_column.lower() == "none" else time_column
    time_format = options.pop("time_format")
    columns = (targets + covariates) if targets else None
    id_column, across = options.pop("id_column"), options.pop("across_columns")
    if across and (id_column or covariates):
        raise DataError("--across-columns makes a series of each target column; it takes "
                        "no --id-column or --covariates")
    table = read_series_csv(path, time_column=time_column, columns=columns,
                            interpolate=options.pop("interpolate"), stream=stream,
                            id_column=id_column, time_format=time_format)
    if across:
        from rnn_apps.preprocessing.panel import panel_from_columns

        return panel_from_columns(table, targets or None), None
    if covariates and not targets:
        missing = [c for c in covariates if c not in table.columns]
        if missing:
            raise DataError(f"{path}: no column {missing[0]!r} (columns: "
                            f"{', '.join(table.columns)})")
        targets = [c for c in table.columns if c not in covariates]
        if not targets:
            raise DataError(f"{path}: every column is a covariate; nothing to forecast")
    gaps = [gap for one in getattr(table, "series", {None: table}).values()
            for gap in getattr(one, "gaps", [])]
    for gap in gaps[:5]:
        click.echo(f"note: {path}: {gap}", err=True)
    if len(gaps) > 5:
        click.echo(f"note: {path}: {len(gaps) - 5} more gaps", err=True)
    return table, targets or None


def read_model_series(model, path, interpolate: bool = False, id_column=None):
    """The CSV read with the time column and columns the model was trained on
    (several series: with ``id_column``, by default the one it was trained with)."""
    from rnn_apps.data.series import read_series_csv
    from rnn_apps.data.times import is_format

    kind = model.state_.get("time_format")
    times = {"time_column": model.state_.get("time_column"),
             "time_format": kind if is_format(kind) else None}
    id_column = id_column or model.state_.get("id_column")
    if model.state_.get("id_column") is None and "tails" in model.state_ and not id_column:
        from rnn_apps.preprocessing.panel import panel_from_columns

        table = read_series_csv(path, columns=model.state_["series_ids"],
                                interpolate=interpolate, **times)
        return panel_from_columns(table)
    return read_series_csv(path, columns=model.columns_, interpolate=interpolate,
                           id_column=id_column, **times)


def forecaster_kwargs(options: dict, targets) -> dict:
    """Constructor arguments from the model options given and the targets read."""
    future = names(options.pop("future_covariates", None)) or None
    if future is not None:
        options["future_covariates"] = future
    quantiles = options.pop("quantiles")
    try:
        levels = [float(q) for q in names(quantiles)] or None
    except ValueError:
        raise DataError(f"--quantiles must be numbers separated by commas; got {quantiles!r}") \
            from None
    return model_kwargs({"targets": targets, "quantiles": levels, **options})


def build_forecaster(options: dict, targets, run=None):
    from rnn_apps.tasks.forecast.estimator import Forecaster

    return make_estimator(Forecaster, forecaster_kwargs(options, targets), run or {})
