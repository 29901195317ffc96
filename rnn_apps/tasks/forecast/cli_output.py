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
