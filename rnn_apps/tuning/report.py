"""A search's output directory and its printed summary.

``OUT/`` holds::

    tune.json    task, algorithm, limits, the space, the validation part, the best trial
    trials.csv   one row per trial: trial, status (ok, cut, failed), score, epochs,
                 max_epochs, seconds, the searched parameters, message
    best/        the best trial's model, an ordinary model directory

It is written to a temporary sibling and swapped in whole (as model
directories are); an existing ``OUT`` is replaced only when it is a tune
directory itself.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from rnn_apps.core.directories import TUNE_MARKER as MARKER
from rnn_apps.core.directories import TUNE_TABLE as TABLE
from rnn_apps.core.directories import is_tune_dir  # noqa: F401  (part of this module's interface)

BEST = "best"
FIRST_COLUMNS = ("trial", "status", "score", "epochs", "max_epochs", "seconds")


def columns(search) -> list[str]:
    return [*FIRST_COLUMNS, *search.space_, "message"]


def write_table(search, path) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns(search))
        writer.writeheader()
        for row in search.results_:
            writer.writerow({key: "" if row.get(key) is None else row.get(key)
                             for key in columns(search)})


def summary(search) -> dict:
    estimator = search.estimator
    return {
        "kind": "tune", "task": estimator.task_name, "algorithm": search.algorithm,
        "trials_asked": search.trials, "trials_run": len(search.results_),
        "budget_minutes": search.budget_minutes, "seed": search.seed,
        "seconds": search.seconds_, "scoring": search.scoring_,
        "validation": search.validation_, "space": search.space_,
        "estimator_params": estimator.get_params(),
        "best": {"trial": search.best_trial_, "score": search.best_score_,
                 "params": search.best_params_},
    }


def write_tune_dir(search, out) -> Path:
    from rnn_apps.core.directories import atomic_directory

    with atomic_directory(out, kind="tune") as tmp:
        write_table(search, tmp / TABLE)
        search.best_estimator_.save(tmp / BEST)
        (tmp / MARKER).write_text(json.dumps(summary(search), indent=2, default=str),
                                  encoding="utf-8")
    return Path(out)


def format_top(search, k: int = 5) -> str:
    """The ``k`` best trials as an aligned text table."""
    names = list(search.space_)
    header = ["trial", "score", "epochs", "seconds", *names]
    lines = [header]
    for row in search.top(k):
        lines.append([str(row["trial"]), f"{row['score']:.4f}", str(row["epochs"]),
                      f"{row['seconds']:.1f}", *(_cell(row[name]) for name in names)])
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    return "\n".join("  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip()
                     for line in lines)


def _cell(value) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)
