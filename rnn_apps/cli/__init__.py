"""The ``rnn-apps`` command line. Commands parse options and call the public API."""

from __future__ import annotations

import click

from rnn_apps import __version__
from rnn_apps.cli.errors import FriendlyGroup


@click.group(cls=FriendlyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="rnn-apps")
def cli():
    """Recurrent networks (SimpleRNN, LSTM, GRU, echo state) as ready-made sequence applications."""


def _register():
    from rnn_apps.cli.demo import demo
    from rnn_apps.cli.info import info
    from rnn_apps.cli.inspect import inspect
    from rnn_apps.cli.serve import serve
    from rnn_apps.tasks.forecast.cli import forecast
    from rnn_apps.tasks.sentiment.cli import sentiment
    from rnn_apps.tasks.seq2seq.cli import seq2seq
    from rnn_apps.tasks.tagging.cli import tagging
    from rnn_apps.tasks.textgen.cli import textgen

    cli.add_command(sentiment)
    cli.add_command(tagging)
    cli.add_command(seq2seq)
    cli.add_command(textgen)
    cli.add_command(forecast)
    cli.add_command(inspect)
    cli.add_command(info)
    cli.add_command(serve)
    cli.add_command(demo)


_register()


def main():
    from rnn_apps.cli import quiet
    from rnn_apps.cli.errors import print_notes_as_lines

    quiet.install()
    print_notes_as_lines()
    cli(prog_name="rnn-apps")
