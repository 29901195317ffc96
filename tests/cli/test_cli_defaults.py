"""One set of defaults: the command line leaves every unset option to the task class,
and its help shows the class's defaults without importing TensorFlow."""

import importlib
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from rnn_apps.cli import cli

DATA = Path(__file__).resolve().parents[2] / "datasets"
TRAIN = {
    "sentiment": ["--data", DATA / "sentiment" / "train.csv"],
    "tagging": ["--data", DATA / "tagging" / "ner_train.conll"],
    "seq2seq": ["--data", DATA / "seq2seq" / "dates_train.tsv"],
    "textgen": ["--data", DATA / "textgen" / "corpus.txt"],
    "forecast": ["--data", DATA / "forecast" / "nile.csv"],
}


def built_model(monkeypatch, task, *extra):
    module = importlib.import_module(f"rnn_apps.tasks.{task}.cli")

    built = []

    def capture(model, *args, **kwargs):
        built.append(model)
        raise click.exceptions.Exit(0)  # stop before training

    monkeypatch.setattr(module, "fit_and_save", capture)
    result = CliRunner().invoke(cli, [task, "train", *map(str, TRAIN[task]), "--out", "unused",
                                      *extra])
    assert result.exit_code == 0 and len(built) == 1, result.output
    return built[0]


@pytest.mark.parametrize("task", sorted(TRAIN))
def test_unset_options_keep_the_task_class_defaults(monkeypatch, task):
    model = built_model(monkeypatch, task)
    defaults = type(model)().get_params()
    params = model.get_params()
    if task == "forecast":  # the CLI names the target columns it read
        params["targets"] = defaults["targets"] = None
    assert params == defaults


def test_given_options_override_and_flags_work_both_ways(monkeypatch):
    model = built_model(monkeypatch, "tagging", "--no-bidirectional", "--units", "8",
                        "--crf", "--clipnorm", "0", "--quiet")
    assert (model.bidirectional, model.units, model.crf, model.clipnorm, model.verbose) == \
        (False, 8, True, None, 0)
    assert model.cell == "lstm" and model.learning_rate == 3e-3


def test_help_shows_each_task_default_without_tensorflow():
    code = """
import sys
from click.testing import CliRunner
from rnn_apps.cli import cli
pages = {t: CliRunner().invoke(cli, [t, "train", "--help"]).output
         for t in ("sentiment", "tagging", "seq2seq", "textgen", "forecast")}
pages["top"] = CliRunner().invoke(cli, ["--help"]).output
print(repr(pages))
print("tensorflow" in sys.modules, "keras" in sys.modules)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.splitlines()
    assert out[-1] == "False False"
    pages = {k: " ".join(v.split()) for k, v in eval(out[0]).items()}
    assert "[default: --bidirectional]" in pages["tagging"]
    assert "--learning-rate FLOAT [default: 0.003]" in pages["tagging"]
    assert "[default: lstm]" in pages["textgen"] and "[default: 128]" in pages["seq2seq"]
    assert "--inputs [auto|relative|level|both]" in pages["forecast"]
    assert "it back after; auto: chosen on the held-out end. [default: auto]" in \
        pages["forecast"]
    assert "then more seeds). [default: 3]" in pages["forecast"]
    assert "--patience INTEGER" in pages["forecast"] and "[default: 5]" in pages["forecast"]
