"""``rnn-apps info``: what a model was trained on, and how well; with
``--pretrained``, the pretrained weights the tasks ship."""

from __future__ import annotations

import click

from rnn_apps.cli.options import json_option

SHOWN_PARAMS = ("cell", "units", "layers", "bidirectional", "dropout", "epochs",
                "batch_size", "learning_rate", "seed", "wide", "freeze_embeddings")
# settings a network started from pretrained weights does not take from them (nor,
# zero-shot, the training ones)
NETWORK_PARAMS = ("cell", "units", "layers", "bidirectional", "dropout")
TRAINING_PARAMS = ("epochs", "batch_size", "learning_rate")


@click.command()
@click.argument("model_dir", required=False)
@click.option("--pretrained", is_flag=True,
              help="Show the pretrained weights instead (the forecaster's core): file, "
                   "SHA-256 and whether the file matches it, size, parameters, how and "
                   "with which versions they were made.")
@json_option
def info(model_dir, pretrained, as_json):
    """Print what a model (directory, SavedModel, or versioned base directory) was
    trained on and how well: data files with sizes and SHA-256, records, validation
    metrics, versions and date."""
    from rnn_apps.cli.options import echo_json
    from rnn_apps.core.model_info import read_info
    from rnn_apps.core.provenance import describe
    from rnn_apps.errors import RnnAppsError

    if (model_dir is None) != pretrained:
        raise RnnAppsError("give a MODEL_DIR, or --pretrained for the pretrained weights "
                           "(not both)")
    if pretrained:
        return _pretrained_weights(as_json)
    found = read_info(model_dir)
    if as_json:
        echo_json(found)
        return None
    click.echo(f"{found['path']}: {found['kind']} of a {found['task']} model")
    params, start = found["params"], found.get("pretrained") or {}
    skipped = () if start.get("mode", "none") == "none" else NETWORK_PARAMS
    skipped += TRAINING_PARAMS if start.get("mode") == "zero-shot" else ()
    shown = [f"{key} {params[key]}" for key in SHOWN_PARAMS
             if key in params and key not in skipped]
    if shown:
        click.echo("settings: " + ", ".join(shown))
    if start:
        _echo_start(start)
    for line in describe(found["provenance"]):
        click.echo(line)
    return None


def _echo_start(start: dict) -> None:
    """A model fitted from pretrained weights: how, and what it was chosen over."""
    if start.get("mode", "none") != "none":
        parts = [start["mode"]] + [f"{key} {start[key]}" for key in ("transform", "epochs")
                                   if key in start]
        parts.append("seasons " + (", ".join(str(s) for s in start.get("seasons", []))
                                   or "none"))
        click.echo(f"pretrained: {', '.join(parts)}; weights sha256 {start.get('sha256')}")
    for row in start.get("candidates", []):
        mark = "*" if row["candidate"] == start.get("chosen") else " "
        score = f"validation MASE {row['validation_mase']:.4f}" if "validation_mase" in row \
            else f"failed: {row.get('error')}"
        click.echo(f"  {mark} {row['candidate']:<22} {score}")


def _pretrained_weights(as_json: bool) -> None:
    """Every registered task's pretrained weights (``pretrained_weights()``); a
    file that fails its checksum is shown, then refused in one line (exit 1)."""
    from rnn_apps.cli.options import echo_json
    from rnn_apps.core import registry
    from rnn_apps.errors import RnnAppsError

    found = {name: cls.pretrained_weights() for name, cls in registry.task_classes().items()
             if callable(getattr(cls, "pretrained_weights", None))}
    if as_json:
        echo_json(found)
    for name, weights in ({} if as_json else found).items():
        checked = "verified" if weights["verified"] else f"FAILS: {weights['problem']}"
        settings = weights.get("settings") or {}
        click.echo(f"{name}: pretrained weights {weights['file']}")
        click.echo(f"  sha256 {weights['sha256']} ({checked})")
        click.echo(f"  {weights['size_bytes']} bytes, {weights['parameters']} parameters"
                   + (f" ({settings['cell']} {settings['units']} units x {settings['layers']}"
                      f" layers, horizon {settings['horizon']}, {len(settings['levels'])}"
                      " quantiles)" if settings else ""))
        click.echo(f"  trained on: {weights['trained_on']}")
        click.echo(f"  command: {weights['command']}")
        click.echo(f"  versions: keras {weights['keras']}, tensorflow {weights['tensorflow']}; "
                   f"{weights['seconds']} seconds")
    failed = [w for w in found.values() if not w["verified"]]
    if failed:
        raise RnnAppsError(f"the pretrained weights {failed[0]['file']} fail their check: "
                           f"{failed[0]['problem']}")
    if not found:
        click.echo("no registered task ships pretrained weights")
