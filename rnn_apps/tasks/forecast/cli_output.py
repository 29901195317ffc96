"""What ``rnn-apps forecast`` prints and writes: the automatic choices after
training, forecast rows (one series or several), and future covariates read
for ``predict``."""

from __future__ import annotations

import click

from rnn_apps.errors import DataError


def echo_choices(model) -> None:
    """The settings chosen automatically, each with its validation score."""
    found = model.choices_
    click.echo(f"season {found['season']}" + (" (strength " + ", ".join(
        f"{k}: {v:.2f}" for k, v in found["season_scores"].items()) + ")"
        if found.get("season_scores") else ""))
    if echo_pretrained(found.get("pretrained"), found["lookback"]):
        return
    for row in found.get("search", []):
        chosen = any(m["lookback"] == row["lookback"] and m["inputs"] == row["inputs"]
                     and m["deseasonalize"] == row["deseasonalize"]
                     for m in found.get("members", []))
        click.echo(f"  {'*' if chosen else ' '} lookback {row['lookback']:<4} "
                   f"inputs {row['inputs']:<8} deseasonalize {row['deseasonalize']:<14}"
                   + (f" seed+{row['seed_offset']}" if row["seed_offset"] else "")
                   + f" validation MASE {row['validation_mase']:.4f}")
    members = found.get("members") or [found]
    click.echo("forecast: " + ("median of " if len(members) > 1 else "") + ", ".join(
        f"lookback {m['lookback']} {m['inputs']} {m['deseasonalize']}" for m in members))


def echo_pretrained(found: dict | None, lookback: int) -> bool:
    """The candidates the pretrained fit weighed and, when the pretrained core
    forecasts, what it reads; True when it does."""
    if not found:
        return False
    for row in found.get("candidates", []):
        mark = "*" if row["candidate"] == found.get("chosen") else " "
        score = f"validation MASE {row['validation_mase']:.4f}" if "validation_mase" in row \
            else f"failed: {row.get('error')}"
        click.echo(f"  {mark} {row['candidate']:<22} {score}")
    if found.get("mode", "none") == "none":
        return False
    seasons = ", ".join(str(s) for s in found.get("seasons", [])) or "none"
    click.echo(f"forecast: the pretrained core, {found['mode']}"
               + (" on the log of the series" if found.get("transform") == "log" else "")
               + f"; lookback {lookback}, seasons {seasons}; weights sha256 "
               f"{found.get('sha256', '?')[:12]}...")
    return True


def echo_summary(model, amount: str, out) -> None:
    """What training did (a zero-shot fit trains nothing), and where the model went."""
    from rnn_apps.cli.options import echo_training_summary

    if model.choices_.get("pretrained", {}).get("mode") == "zero-shot":
        click.echo(f"fitted the pretrained forecaster zero-shot on {amount} (nothing trained)")
        click.echo(f"saved model to {out}")
        return
    echo_training_summary(model.history_, amount, out)


def echo_backtest(result: dict) -> None:
    """The backtest table: each origin's scores and their mean."""
    keys = [k for k in ("mase", "baseline_mase", "naive_mase", "drift_mase", "mae", "coverage")
            if k in result["mean"]]
    keys += [k for k in result["mean"] if k.startswith(("coverage_", "width_"))]  # intervals
    click.echo(f"{'origin':<12} {'train':>6}  " + "  ".join(f"{k:>13}" for k in keys))
    for row in result["origins"]:
        click.echo(f"{row['origin']!s:<12} {row['train_size']:>6}  "
                   + "  ".join(f"{row[k]:>13.4f}" for k in keys))
    click.echo(f"{'mean':<12} {'':>6}  " + "  ".join(f"{result['mean'][k]:>13.4f}" for k in keys))
    for key, row in result.get("series", {}).items():
        click.echo(f"  {key}: mase {row['mase']:.4f} (seasonal naive {row['baseline_mase']:.4f})")
    click.echo(f"season {result['season']} (baseline_mase: seasonal naive)")


def write_forecast(model, table, future, data, output, plot) -> None:
    """Forecast after the end of ``table`` and write the CSV (``output``, else
    standard output) and the ``plot``."""
    import csv
    import sys

    panel = getattr(table, "series", None)
    point = model.predict(table, future=future)
    bands = model.predict_quantiles(table, future=future) if model.quantiles_ else None
    times = model.future_times(table)
    header, rows = forecast_rows(model, table, point, bands, times)
    if output:
        with open(output, "w", newline="", encoding="utf-8") as handle:
            csv.writer(handle, lineterminator="\n").writerows([header, *rows])
    else:
        csv.writer(sys.stdout, lineterminator="\n").writerows([header, *rows])
    if plot and panel:
        raise DataError("--plot draws one series; a model across several series writes "
                        "the CSV only")
    if plot:
        from rnn_apps.viz.forecast import plot_forecast

        plot_forecast(table.values[:, model.targets_], point, plot, names=model.target_names_,
                      history_times=table.times, future_times=times, quantiles=bands,
                      levels=model.quantiles_, title=f"forecast from {data}")
    if output or plot:
        click.echo(f"wrote {', '.join(p for p in (output, plot) if p)}", err=not output)


def future_values(model, path, panel):
    """The first ``horizon`` rows of the future covariates in ``path``."""
    from rnn_apps.data.series import read_series_csv

    columns = [model.columns_[c] for c in model.state_.get("future_columns", [])]
    if path is None or not columns:
        if path is not None:
            raise DataError("this model was trained without --future-covariates; --future "
                            "is not read")
        return None
    if panel:
        raise DataError("--future gives one series' covariates; a model across several "
                        "series takes them from the Python API (future={key: values})")
    values = read_series_csv(path, columns=columns).values
    if len(values) < model.horizon:
        raise DataError(f"{path} has {len(values)} rows; the forecast needs {model.horizon}")
    return values[:model.horizon]


def forecast_rows(model, table, point, bands, times) -> tuple[list, list]:
    """``(header, rows)`` of the forecast CSV: a ``series`` column first for a
    model across several series, then time (or step), then each target and
    its quantiles."""
    from rnn_apps.data.series import format_time

    panel = getattr(table, "series", None)
    names = model.target_names_
    stamped = bool(times) and (not isinstance(times, dict) or any(times.values()))
    header = (["series"] if panel else []) + ["time" if stamped else "step"]
    for name in names:
        header += [name, *(f"{name}_q{level:g}" for level in model.quantiles_)]
    rows = []
    for key in (panel or [None]):
        def pick(found, key=key):
            return found[key] if panel else found

        stamps = pick(times) if times else None
        kind = (panel[key] if panel else table).time_format
        for h in range(model.horizon):
            row = ([key] if panel else []) + [format_time(stamps[h], kind) if stamps else h + 1]
            for t in range(len(names)):
                levels = pick(bands)[h, t] if bands is not None else []
                row += [f"{pick(point)[h, t]:.6g}", *(f"{v:.6g}" for v in levels)]
            rows.append(row)
    return header, rows
