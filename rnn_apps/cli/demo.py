"""``rnn-apps demo``: every task end to end on the bundled data (each task's ``demo``
hook, tasks by name)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import click

from rnn_apps.core import registry
from rnn_apps.errors import DataError


def _demo_tasks() -> dict:
    """Name -> class of the registered tasks that have a demo, in registry order."""
    return {name: cls for name, cls in registry.task_classes().items()
            if cls.hooks["demo"] is not None}


def _holds_datasets(folder) -> bool:
    return bool(folder) and all((Path(folder) / name).is_dir() for name in _demo_tasks())


def find_datasets(explicit: str | None) -> Path:
    """--datasets, else $RNN_APPS_DATASETS, else the repository's datasets/, else
    ./datasets: the first folder with a subfolder for each task's demo."""
    if explicit and not _holds_datasets(explicit):
        raise DataError(f"bundled datasets not found in {explicit}")
    candidates = [explicit, os.environ.get("RNN_APPS_DATASETS"),
                  Path(__file__).resolve().parents[2] / "datasets", Path("datasets")]
    for candidate in candidates:
        if _holds_datasets(candidate):
            return Path(candidate)
    raise DataError("bundled datasets not found; pass --datasets DIR "
                    "(the datasets/ folder of the rnn-apps repository)")


@click.command()
@click.option("--out", default="runs/demo", show_default=True,
              help="Where the trained models and SavedModels go.")
@click.option("--datasets", "datasets_dir", default=None,
              help="The bundled datasets folder (found automatically in a source checkout).")
@click.option("--epochs", type=int, default=10, show_default=True)
@click.option("--quiet", is_flag=True, help="No training progress output.")
def demo(out, datasets_dir, epochs, quiet):
    """Train every task on the bundled data, print metrics, export SavedModels."""
    datasets = find_datasets(datasets_dir)
    summary = []
    for name, cls in _demo_tasks().items():  # a task may have no demo on the bundled data
        started = time.perf_counter()
        click.echo(f"\n=== {name} ===")
        result = registry.hook(cls, "demo")(datasets, Path(out), epochs, 0 if quiet else 2)
        result["seconds"] = time.perf_counter() - started
        summary.append(result)
    click.echo("\n=== summary ===")
    for result in summary:
        scores = "  ".join(f"{k} {v:.4f}" for k, v in result.items()
                           if k not in ("task", "seconds"))
        click.echo(f"{result['task']:<10} {scores}  ({result['seconds']:.0f} s)")
