"""``rnn-apps info``: what a model was trained on, and how well."""

from __future__ import annotations

import click

from rnn_apps.cli.options import json_option

SHOWN_PARAMS = ("cell", "units", "layers", "bidirectional", "dropout", "epochs",
                "batch_size", "learning_rate", "seed", "wide", "freeze_embeddings")


@click.command()
@click.argument("model_dir")
@json_option
def info(model_dir, as_json):
    """Print what a model (directory, SavedModel, or versioned base directory) was
    trained on and how well: data files with sizes and SHA-256, records, validation
    metrics, versions and date."""
    from rnn_apps.cli.options import echo_json
    from rnn_apps.core.model_info import read_info
    from rnn_apps.core.provenance import describe

    found = read_info(model_dir)
    if as_json:
        echo_json(found)
        return
    click.echo(f"{found['path']}: {found['kind']} of a {found['task']} model")
    params = found["params"]
    shown = [f"{key} {params[key]}" for key in SHOWN_PARAMS if key in params]
    if shown:
        click.echo("settings: " + ", ".join(shown))
    for line in describe(found["provenance"]):
        click.echo(line)
