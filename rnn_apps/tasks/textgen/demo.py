"""The textgen demo of ``rnn-apps demo``: a character model of Genesis and a sample."""

from __future__ import annotations

from pathlib import Path

import click


def run(datasets: Path, out: Path, epochs: int, verbose: int) -> dict:
    from rnn_apps.data.tables import read_text_file
    from rnn_apps.evaluation.report import format_report
    from rnn_apps.tasks.textgen.estimator import TextGenerator

    text = read_text_file(datasets / "textgen" / "corpus.txt")
    cut = int(len(text) * 0.9)
    model = TextGenerator(cell="lstm", units=128, embedding_dim=32, bptt=64, batch_size=32,
                          epochs=max(epochs + epochs // 5, 1), learning_rate=5e-3, seed=0,
                          verbose=verbose)
    model.fit(text[:cut], validation_data=text[cut:])
    metrics = model.evaluate(text[cut:])
    click.echo(format_report(metrics, title="textgen (LSTM 128, truncated BPTT) on the last "
                                            "10% of datasets/textgen/corpus.txt (Genesis, "
                                            "King James Version)"))
    click.echo("sample (temperature 0.6, seed 0):")
    click.echo("  " + model.generate("And ", length=240, temperature=0.6, seed=0)
               .replace("\n", "\n  "))
    model.save(out / "textgen" / "model")
    model.export(out / "textgen" / "export")
    click.echo(f"model: {out / 'textgen' / 'model'}  SavedModel: {out / 'textgen' / 'export'}")
    return {"task": "textgen", "bits_per_char": metrics["bits_per_char"]}
