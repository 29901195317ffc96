"""The README's table of defaults is the task classes' own defaults."""

import inspect
from pathlib import Path

import rnn_apps

README = Path(__file__).resolve().parents[1] / "README.md"
CLASSES = [rnn_apps.SentimentClassifier, rnn_apps.Tagger, rnn_apps.Seq2SeqTranslator,
           rnn_apps.TextGenerator, rnn_apps.Forecaster]
SETTINGS = ["cell", "units", "layers", "bidirectional", "dropout", "clipnorm", "epochs",
            "batch_size", "learning_rate", "patience", "valid_split", "embedding_dim"]


def shown(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return f"{value:g}" if isinstance(value, float) else str(value)


def defaults_table() -> str:
    rows = ["| option | " + " | ".join(c.task_name for c in CLASSES) + " |",
            "|---" * (len(CLASSES) + 1) + "|"]
    for name in SETTINGS:
        values = []
        for cls in CLASSES:
            parameter = inspect.signature(cls.__init__).parameters.get(name)
            values.append(shown(parameter.default) if parameter else "n/a")
        rows.append(f"| `--{name.replace('_', '-')}` | " + " | ".join(values) + " |")
    return "\n".join(rows)


def test_readme_table_shows_the_class_defaults():
    assert defaults_table() in README.read_text(encoding="utf-8")
