"""The forecast demo of ``rnn-apps demo``: Mauna Loa CO2, twelve months ahead."""

from __future__ import annotations

from pathlib import Path

import click


def run(datasets: Path, out: Path, epochs: int, verbose: int) -> dict:
    from rnn_apps.data.series import format_time, read_series_csv
    from rnn_apps.evaluation.report import format_report
    from rnn_apps.preprocessing.series import as_series
    from rnn_apps.tasks.forecast.cli_output import echo_choices
    from rnn_apps.tasks.forecast.estimator import Forecaster
    from rnn_apps.viz.forecast import plot_forecast

    path = datasets / "forecast" / "co2_monthly.csv"
    table = as_series(read_series_csv(path, time_column="month", interpolate=True))
    held_out = 48
    # season, lookback, inputs and decomposition are chosen automatically
    model = Forecaster(horizon=12, quantiles=[0.1, 0.9], epochs=max(epochs * 4, 1), seed=0,
                       verbose=0)
    model.fit(table.head(len(table.values) - held_out))
    echo_choices(model)
    metrics = model.evaluate(table.values[-held_out - model.lookback_:])
    click.echo(format_report(metrics, title=f"forecast (GRU, 12 months ahead) on the last "
                                            f"{held_out} months of {path.name}; baselines "
                                            "from the same windows"))
    forecast, bands = model.predict(table), model.predict_quantiles(table)
    times = model.future_times(table)
    click.echo("next months (point, 0.1-0.9 interval):")
    for h in (0, 5, 11):
        click.echo(f"  {format_time(times[h], 'month')}  {forecast[h, 0]:.2f}  "
                   f"[{bands[h, 0, 0]:.2f}, {bands[h, 0, -1]:.2f}]")
    model.save(out / "forecast" / "model")
    model.export(out / "forecast" / "export")
    plot_forecast(table.values, forecast, out / "forecast" / "forecast.png", names=["co2"],
                  history_times=table.times, future_times=times, quantiles=bands,
                  levels=model.quantiles_, title="Mauna Loa CO2 (ppm): next 12 months")
    click.echo(f"model: {out / 'forecast' / 'model'}  SavedModel: {out / 'forecast' / 'export'}"
               f"  plot: {out / 'forecast' / 'forecast.png'}")
    return {"task": "forecast", "mase": metrics["mase"],
            "baseline_mase": metrics["baseline_mase"]}
