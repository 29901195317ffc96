"""The ``export`` command every task shares: a SavedModel, or the numeric core
for runtimes without TensorFlow, optionally in TensorFlow Serving's numbered
version layout."""

from __future__ import annotations

import click

EXPORT_FORMATS = ("savedmodel", "tflite", "onnx")


def export_command(class_name: str, signatures: str):
    """The ``export`` command every task shares: load ``--model``, write ``--out``
    (or ``--out/N`` with ``--version N``, the layout TensorFlow Serving loads):
    a SavedModel, or with ``--format tflite|onnx`` the numeric core for other
    runtimes (:func:`rnn_apps.portable.export_core`)."""

    @click.command(help=f"Write a TensorFlow SavedModel ({signatures}); with --format tflite "
                        "or onnx, the network's numeric core plus preprocessing.json for "
                        "runtimes without TensorFlow.")
    @click.option("--model", "model_dir", required=True, help="Model directory.")
    @click.option("--out", required=True, help="Directory to write.")
    @click.option("--version", "version", type=click.IntRange(min=1), default=None,
                  help="Write OUT/VERSION (TensorFlow Serving's layout: a base directory "
                       "of numbered versions, the highest served).")
    @click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), default="savedmodel",
                  show_default=True,
                  help="savedmodel: the whole pipeline for TensorFlow; tflite / onnx: the "
                       "numeric core (ids or scaled values in, scores out).")
    def export(model_dir, out, version, fmt):
        from rnn_apps.core import registry
        from rnn_apps.core.saving import check_target, read_metadata

        target = versioned_target(out, version)
        classes = {cls.__name__: cls for cls in registry.task_classes().values()}
        # the model's metadata and the target, before TensorFlow loads
        read_metadata(model_dir, expected_task=classes[class_name].task_name)
        check_target(target, kind="export" if fmt == "savedmodel" else "core", source=model_dir)
        model = classes[class_name].load(model_dir)
        if fmt == "savedmodel":
            model.export(target)
            click.echo(f"exported SavedModel to {target} ({signatures})")
            return
        import contextlib

        from rnn_apps.cli.quiet import debugging, descriptor_2_silenced
        from rnn_apps.portable import export_core

        # the converters and runtimes write their own progress lines to descriptor 2
        with contextlib.nullcontext() if debugging() else descriptor_2_silenced():
            written = export_core(model, target, fmt)
        names = ", ".join(sorted(entry.name for entry in written.iterdir()))
        click.echo(f"exported {fmt} core to {written}: {names}")

    return export


def versioned_target(out, version):
    """``out``, or ``out/version`` when a version is given (``out`` must then be a
    directory of versions: absent, or holding only numbered entries)."""
    from pathlib import Path

    from rnn_apps.errors import RnnAppsError

    if version is None:
        return Path(out)
    base = Path(out)
    if base.exists() and not base.is_dir():
        raise RnnAppsError(f"{base} is not a directory")
    if base.is_dir():
        others = sorted(entry.name for entry in base.iterdir()
                        if not entry.name.isdigit() and not entry.name.startswith("."))
        if others:
            raise RnnAppsError(f"{base} holds {others[0]!r}, not only numbered versions; "
                               f"choose an empty or versioned base directory")
    return base / str(version)
