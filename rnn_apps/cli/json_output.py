"""``--json`` output: stdout holds exactly one JSON document.

While a command given ``--json`` runs, whatever it prints on stdout (training
epochs, Keras' progress bars, the automatic choices of a forecaster) goes to
stderr instead, so ``rnn-apps ... --json | jq`` or ``json.loads`` of stdout
always works; :func:`echo_json` writes the document to the real stdout.
"""

from __future__ import annotations

import contextlib
import functools
import sys

import click

_json_stream = None


@contextlib.contextmanager
def progress_to_stderr():
    """Send stdout to stderr while the block runs; :func:`echo_json` still
    writes to the stdout the block started with."""
    global _json_stream
    saved, _json_stream = _json_stream, sys.stdout
    try:
        with contextlib.redirect_stdout(sys.stderr):
            yield
    finally:
        _json_stream = saved


def finite_json(value):
    """``value`` with every NaN or infinite number replaced by None, and how many."""
    import math

    if isinstance(value, float) and not math.isfinite(value):
        return None, 1
    if isinstance(value, dict):
        pairs = [(key, finite_json(item)) for key, item in value.items()]
        return {key: item for key, (item, _) in pairs}, sum(n for _, (_, n) in pairs)
    if isinstance(value, (list, tuple)):
        items = [finite_json(item) for item in value]
        return [item for item, _ in items], sum(n for _, n in items)
    return value, 0


def echo_json(value) -> None:
    """One JSON object on stdout: standard JSON only (NaN and infinities become
    null, with a note on stderr saying how many)."""
    import json

    clean, replaced = finite_json(value)
    if replaced:
        click.echo(f"note: {replaced} value(s) were not finite numbers and are written as null",
                   err=True)
    click.echo(json.dumps(clean, allow_nan=False, default=str), file=_json_stream)


def json_option(function):
    """``--json`` for a command: with it, the command's stdout output goes to
    stderr and only :func:`echo_json`'s document reaches stdout."""

    @functools.wraps(function)
    def command(*args, **kwargs):
        if not kwargs.get("as_json"):
            return function(*args, **kwargs)
        with progress_to_stderr():
            return function(*args, **kwargs)

    return click.option("--json", "as_json", is_flag=True,
                        help="Print one JSON object on stdout (progress goes to "
                             "stderr).")(command)
