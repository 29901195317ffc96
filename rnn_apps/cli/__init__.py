"""The ``rnn-apps`` command line. Commands parse options and call the public API."""

from __future__ import annotations

import click

from rnn_apps.cli.errors import FriendlyGroup
from rnn_apps.core import registry
from rnn_apps.version import __version__


class TaskCommands(FriendlyGroup):
    """The top-level group: the shared commands, plus one group per registered task
    (its ``cli`` hook), looked up when asked for so that a task registered later
    (``RNN_APPS_TASKS``, another package's entry point) is found too."""

    def list_commands(self, ctx):
        offered = {name for name, cls in registry.task_classes().items()
                   if cls.hooks["cli"] is not None}  # a task without a CLI is left out
        return sorted(set(super().list_commands(ctx)) | offered)

    def get_command(self, ctx, name):
        command = super().get_command(ctx, name)
        if command is None and name in registry.task_classes():
            try:
                command = registry.hook(name, "cli")
            except registry.MissingHook as error:
                raise click.UsageError(str(error)) from None
        return command


@click.group(cls=TaskCommands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="rnn-apps")
def cli():
    """Recurrent networks (SimpleRNN, LSTM, GRU, echo state) as ready-made sequence applications."""


def _register():
    from rnn_apps.cli.demo import demo
    from rnn_apps.cli.info import info
    from rnn_apps.cli.inspect import inspect
    from rnn_apps.cli.serve import serve

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
