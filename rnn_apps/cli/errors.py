"""Turn every failure into one line on stderr and a non-zero exit status."""

from __future__ import annotations

import os
import warnings
from contextlib import contextmanager

import click

from rnn_apps.errors import Note, RnnAppsError

DEBUG_VARIABLE = "RNN_APPS_DEBUG"


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


class FriendlyGroup(click.Group):
    """A click group that reports errors as ``Error: <one line>`` (exit 1).

    Problems the user can fix (:class:`RnnAppsError`, unreadable or unwritable
    paths) are reported as they are; anything else says it is unexpected and
    how to see the traceback (set ``RNN_APPS_DEBUG=1``).
    """

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except RnnAppsError as error:
            raise click.ClickException(_one_line(error)) from None
        except OSError as error:
            if os.environ.get(DEBUG_VARIABLE):
                raise
            where = f": {error.filename}" if error.filename else ""
            raise click.ClickException(_one_line(f"{error.strerror or error}{where}")) from None
        except Exception as error:
            if os.environ.get(DEBUG_VARIABLE):
                raise
            message = _one_line(error)[:300]
            raise click.ClickException(
                f"unexpected {type(error).__name__}: {message} "
                f"(set {DEBUG_VARIABLE}=1 to see the traceback)") from None


@contextmanager
def notes():
    """Print the notes raised inside (cut inputs, unknown tokens, training notes)
    as ``note: ...`` lines on stderr; other warnings pass through."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", Note)
        yield
    for warning in caught:
        if issubclass(warning.category, Note):
            click.echo(f"note: {warning.message}", err=True)
        else:
            warnings.showwarning(warning.message, warning.category, warning.filename,
                                 warning.lineno)


def print_notes_as_lines() -> None:
    """Outside :func:`notes`, print each note as one ``note: ...`` line on stderr
    as it comes (e.g. a model directory's unreadable history.csv); the entry
    point installs this, other warnings show as Python shows them."""
    original = warnings.showwarning

    def show(message, category, filename, lineno, file=None, line=None):
        if issubclass(category, Note):
            click.echo(f"note: {_one_line(message)}", err=True)
        else:
            original(message, category, filename, lineno, file, line)

    warnings.showwarning = show
