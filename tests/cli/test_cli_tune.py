"""``rnn-apps <task> tune``: end to end for sentiment, and its one-line errors."""

import csv
import re

import pytest
from click.testing import CliRunner

import rnn_apps
from rnn_apps.cli import cli
from rnn_apps.core.directories import check_target

TINY = ["--units", "4", "--embedding-dim", "4", "--epochs", "1", "--batch-size", "16",
        "--seed", "0"]
TASKS = ("sentiment", "tagging", "seq2seq", "textgen", "forecast")


def test_sentiment_tune_writes_the_trials_and_a_best_model_that_works(small_csv, tmp_path):
    out = tmp_path / "search"
    result = CliRunner().invoke(cli, ["sentiment", "tune", "--data", str(small_csv),
                                      "--out", str(out), "--trials", "2", "--fix", "layers",
                                      *TINY])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("trial 1/2: score ") and lines[1].startswith("trial 2/2: ")
    table_at = next(i for i, line in enumerate(lines) if line.endswith("the best 5:"))
    assert "score: accuracy on 12 held-out texts" in lines[table_at]
    assert lines[table_at + 1].split()[:4] == ["trial", "score", "epochs", "seconds"]
    assert len([line for line in lines[table_at + 2:] if line[:1].isdigit()]) == 2
    with open(out / "trials.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["trial"] for row in rows] == ["1", "2"]
    assert all(row["status"] == "ok" and float(row["score"]) >= 0 for row in rows)
    # options given on the command line (and --fix) are kept, not searched
    assert "units" not in rows[0] and "layers" not in rows[0] and "cell" in rows[0]
    model = rnn_apps.load(out / "best")
    assert model.units == 4 and model.layers == 1
    assert len(model.predict(["what a fine film"])) == 1
    evaluated = CliRunner().invoke(cli, ["sentiment", "evaluate", "--model", str(out / "best"),
                                         "--data", str(small_csv), "--json"])
    assert evaluated.exit_code == 0 and '"accuracy"' in evaluated.output
    check_target(out, kind="tune")        # a later search may replace this one


def one_line_error(result) -> str:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    return lines[0]


@pytest.mark.parametrize("extra, message", [
    (["--fix", "unit"], "fixed names 'unit', not a parameter of SentimentClassifier"),
    (["--valid-split", "0"], "give validation_data (--valid-data) or a valid_split above 0"),
    (["--units", "0"], "units must be a positive integer"),
    (["--distribute", "multiworker"], "'multiworker' is not supported"),
])
def test_bad_options_are_one_line_errors_and_write_nothing(small_csv, tmp_path, extra,
                                                           message):
    out = tmp_path / "search"
    result = CliRunner().invoke(cli, ["sentiment", "tune", "--data", str(small_csv),
                                      "--out", str(out), *extra])
    assert message in one_line_error(result)
    assert not out.exists()


def test_an_out_that_is_not_a_tune_directory_is_refused_before_reading(tmp_path):
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    result = CliRunner().invoke(cli, ["sentiment", "tune", "--data", "missing.csv",
                                      "--out", str(tmp_path)])
    assert "is a non-empty directory that is not an rnn-apps tune output" in \
        one_line_error(result)
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]
    missing = CliRunner().invoke(cli, ["sentiment", "tune", "--data", "missing.csv",
                                       "--out", str(tmp_path / "new")])
    assert "missing.csv" in one_line_error(missing)


def test_missing_keras_tuner_is_one_line(monkeypatch, small_csv, tmp_path):
    monkeypatch.setitem(__import__("sys").modules, "keras_tuner", None)
    result = CliRunner().invoke(cli, ["sentiment", "tune", "--data", str(small_csv),
                                      "--out", str(tmp_path / "search")])
    assert "pip install 'rnn-apps[tune]'" in one_line_error(result)


@pytest.mark.parametrize("task", TASKS)
def test_every_task_has_tune_with_its_train_inputs_and_without_run_options(task):
    result = CliRunner().invoke(cli, [task, "tune", "--help"])
    assert result.exit_code == 0
    page = " ".join(result.output.split())
    for option in ("--data", "--out", "--trials", "--budget-minutes",
                   "--algorithm [bayesian|hyperband]", "--fix", "--cell", "--learning-rate",
                   "--seed"):
        assert option in page
    for option in ("--stream", "--resume", "--init-from", "--checkpoint-dir"):
        assert not re.search(re.escape(option) + r"(?![\w-])", page)  # --init-from-lm may
    assert ("--bptt" in page) == (task == "textgen")
    assert ("--lookback" in page) == (task == "forecast")


def test_bad_trials_is_a_usage_error(small_csv, tmp_path):
    result = CliRunner().invoke(cli, ["sentiment", "tune", "--data", str(small_csv),
                                      "--out", str(tmp_path / "s"), "--trials", "0"])
    assert result.exit_code == 2 and "Invalid value for '--trials'" in result.output
