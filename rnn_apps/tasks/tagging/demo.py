"""The tagging demo of ``rnn-apps demo``: BIO entities and activity frames."""

from __future__ import annotations

from pathlib import Path

import click

from rnn_apps.evaluation.report import example_line


def run(datasets: Path, out: Path, epochs: int, verbose: int) -> dict:
    from rnn_apps.data.tagged import read_frames_csv, read_tagged
    from rnn_apps.evaluation.report import format_report
    from rnn_apps.tasks.tagging.estimator import Tagger

    folder = datasets / "tagging"
    train, test = read_tagged(folder / "ner_train.conll"), read_tagged(folder / "ner_test.conll")
    tagger = Tagger(cell="lstm", units=32, embedding_dim=32, epochs=epochs, seed=0,
                    verbose=verbose).fit(*train)
    metrics = tagger.evaluate(*test)
    shown = {k: metrics[k] for k in ("token_accuracy", "macro_f1", "entity_precision",
                                     "entity_recall", "entity_f1", "n_tokens")}
    click.echo(format_report(shown, title="tagging (BiLSTM + char CNN) on "
                                          "datasets/tagging/ner_test.conll (BIO entities)"))
    click.echo("names never seen in training:")
    for text, expected in (
            ("Hana Kimura moved to Quito to work for Orion Systems .",
             "B-PER I-PER O O B-LOC O O O B-ORG I-ORG O"),
            ("shares of Cobalt Foods fell in Rio de Janeiro today .",
             "O O B-ORG I-ORG O O B-LOC I-LOC I-LOC O O")):
        words = text.split()
        got = tagger.predict([words])[0]
        click.echo(example_line(" ".join(f"{w}/{t}" for w, t in zip(words, got)), " ".join(got),
                                      expected))
    tagger.save(out / "tagging" / "model")
    tagger.export(out / "tagging" / "export")
    frames_train = read_frames_csv(folder / "activity_train.csv")
    frames_test = read_frames_csv(folder / "activity_test.csv")
    activity = Tagger(cell="gru", units=32, epochs=max(epochs * 2, 1), learning_rate=5e-3,
                      seed=0, verbose=verbose).fit(*frames_train[:2])
    frame_accuracy = activity.evaluate(*frames_test[:2])["token_accuracy"]
    click.echo(f"activity frames (BiGRU, a label per frame): accuracy {frame_accuracy:.4f} "
               "on datasets/tagging/activity_test.csv")
    activity.save(out / "tagging" / "frames_model")
    click.echo(f"model: {out / 'tagging' / 'model'}  SavedModel: {out / 'tagging' / 'export'}")
    return {"task": "tagging", "entity_f1": metrics["entity_f1"],
            "frame_accuracy": frame_accuracy}
