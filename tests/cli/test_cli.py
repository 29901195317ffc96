import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from rnn_apps import __version__
from rnn_apps.cli import cli

TINY_ARGS = ["--units", "4", "--embedding-dim", "4", "--epochs", "1", "--seed", "0", "--quiet"]


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def one_line_error(result, *fragments):
    assert result.exit_code != 0
    lines = [line for line in result.output.strip().splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def test_version_and_python_dash_m():
    assert run("--version").output.strip() == f"rnn-apps, version {__version__}"
    result = subprocess.run([sys.executable, "-m", "rnn_apps", "--version"],
                            check=False, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and __version__ in result.stdout


def test_commands_print_nothing_on_stderr_unless_debugging(saved_sentiment):
    """TensorFlow's C++ start-up lines (oneDNN, CUDA drivers, cuInit) are not shown."""
    import os

    env = {k: v for k, v in os.environ.items() if k not in ("TF_CPP_MIN_LOG_LEVEL",
                                                             "RNN_APPS_DEBUG")}
    command = [sys.executable, "-m", "rnn_apps", "sentiment", "predict", "--model",
               str(saved_sentiment), "a fine film"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, env=env,
                            check=False)
    assert result.returncode == 0 and result.stdout.strip().endswith("a fine film")
    assert result.stderr == ""


def test_train_evaluate_predict_export_round_trip(tmp_path, small_csv):
    out = tmp_path / "model"
    result = run("sentiment", "train", "--data", small_csv, "--out", out, *TINY_ARGS)
    assert result.exit_code == 0, result.output
    assert "saved model to" in result.output and (out / "rnn_apps.json").is_file()

    result = run("sentiment", "evaluate", "--model", out, "--data", small_csv, "--json")
    assert result.exit_code == 0
    metrics = json.loads(result.output)
    assert {"accuracy", "macro_f1", "n"} <= set(metrics) and metrics["n"] == 120

    result = run("sentiment", "evaluate", "--model", out, "--data", small_csv)
    assert result.output.splitlines()[1].startswith("accuracy")

    result = run("sentiment", "predict", "--model", out, "the food was good", "the app was slow")
    lines = result.output.strip().splitlines()
    assert len(lines) == 2
    label, probability, text = lines[0].split("\t")
    assert label in {"positive", "negative"} and 0.5 <= float(probability) <= 1.0
    assert text == "the food was good"

    texts_file = tmp_path / "texts.txt"
    texts_file.write_text("the food was good\nthe app was slow\n")
    predictions = tmp_path / "predictions.csv"
    result = run("sentiment", "predict", "--model", out, "--data", texts_file,
                 "--output", predictions)
    assert result.exit_code == 0
    rows = predictions.read_text().strip().splitlines()
    assert rows[0] == "text,label,probability,p_negative,p_positive" and len(rows) == 3

    result = run("sentiment", "export", "--model", out, "--out", tmp_path / "export")
    assert result.exit_code == 0 and (tmp_path / "export" / "saved_model.pb").is_file()


def test_train_with_validation_file_options_and_headerless_tsv(tmp_path, sentiment_train):
    data = tmp_path / "reviews.tsv"
    data.write_text("".join(f"{t}\t{lab}\n" for t, lab in zip(*[p[:80] for p in sentiment_train])))
    result = run("sentiment", "train", "--data", data, "--valid-data", data, "--no-header",
                 "--text-column", "0", "--label-column", "1", "--out", tmp_path / "m",
                 "--cell", "lstm", "--bidirectional", "--pooling", "mean", "--clipnorm", "0",
                 "--class-weight", "balanced", *TINY_ARGS)
    assert result.exit_code == 0, result.output
    assert "best validation loss" in result.output
    params = json.loads((tmp_path / "m" / "rnn_apps.json").read_text())["params"]
    assert params["cell"] == "lstm" and params["bidirectional"] is True
    assert params["clipnorm"] is None and params["class_weight"] == "balanced"


@pytest.mark.parametrize("content, fragments", [
    (None, ["does not exist"]),
    ("", ["is empty"]),
    ("review,label\ngood,pos\n", ["no column 'text'"]),
    ("text,label\ngood,pos\nbad,pos\n", ["need at least 2 classes", "'pos'"]),
    ("text,label\ngood,pos\nbad,\n", ["line 3", "missing label"]),
    (b"text,label\ngood,pos\nbad\xff,neg\n", ["not UTF-8"]),
])
def test_bad_training_data_is_one_line_and_leaves_no_model(tmp_path, content, fragments):
    data = tmp_path / "data.csv"
    if isinstance(content, bytes):
        data.write_bytes(content)
    elif content is not None:
        data.write_text(content)
    out = tmp_path / "model"
    one_line_error(run("sentiment", "train", "--data", data, "--out", out, *TINY_ARGS),
                   *fragments)
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == ([] if content is None else ["data.csv"])


def test_bad_model_directories_and_inputs(tmp_path, saved_sentiment, small_csv):
    one_line_error(run("sentiment", "evaluate", "--model", tmp_path / "none", "--data",
                       small_csv), "does not exist")
    one_line_error(run("sentiment", "predict", "--model", tmp_path, "good"),
                   "not an rnn-apps model directory")
    other = tmp_path / "tagger"
    other.mkdir()
    (other / "rnn_apps.json").write_text(json.dumps(
        {"task": "tagging", "format_version": 1, "params": {}, "state": {}}))
    one_line_error(run("sentiment", "predict", "--model", other, "good"),
                   "'tagging' model, not a 'sentiment' model")
    one_line_error(run("sentiment", "predict", "--model", saved_sentiment, ""),
                   "empty string")
    one_line_error(run("sentiment", "predict", "--model", saved_sentiment),
                   "give texts as arguments or --data")
    one_line_error(run("sentiment", "train", "--data", small_csv, "--out", tmp_path / "x",
                       "--units", "0", "--quiet"), "units must be a positive integer")
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "keep.txt").write_text("mine")
    one_line_error(run("sentiment", "train", "--data", small_csv, "--out", tmp_path / "x",
                       *TINY_ARGS), "not an rnn-apps model")
    assert (tmp_path / "x" / "keep.txt").read_text() == "mine"


def test_unexpected_errors_are_one_line_too(monkeypatch, saved_sentiment):
    from rnn_apps.tasks.sentiment.estimator import SentimentClassifier

    def broken(self, texts):
        raise RuntimeError("disk on fire\nsecond line")

    monkeypatch.setattr(SentimentClassifier, "predict_proba", broken)
    one_line_error(run("sentiment", "predict", "--model", saved_sentiment, "good"),
                   "unexpected RuntimeError: disk on fire second line", "RNN_APPS_DEBUG")


def test_demo_runs_end_to_end_and_reports_missing_datasets(tmp_path):
    result = run("demo", "--out", tmp_path / "demo", "--epochs", "1", "--quiet")
    assert result.exit_code == 0, result.output
    assert "=== summary ===" in result.output and "baseline TF-IDF" in result.output
    assert (tmp_path / "demo" / "sentiment" / "model" / "rnn_apps.json").is_file()
    assert (tmp_path / "demo" / "sentiment" / "export" / "saved_model.pb").is_file()
    assert (tmp_path / "demo" / "textgen" / "export" / "saved_model.pb").is_file()
    assert "bits_per_char" in result.output and "sample (temperature 0.6" in result.output
    assert (tmp_path / "demo" / "forecast" / "export" / "saved_model.pb").is_file()
    assert (tmp_path / "demo" / "tagging" / "export" / "saved_model.pb").is_file()
    assert "entity_f1" in result.output and "activity frames" in result.output
    assert (tmp_path / "demo" / "seq2seq" / "export" / "saved_model.pb").is_file()
    assert (tmp_path / "demo" / "seq2seq" / "chat_model" / "rnn_apps.json").is_file()
    assert "SATURDAY, JULY 4, 1970" in result.output and "chat (word level)" in result.output
    assert (tmp_path / "demo" / "forecast" / "forecast.png").stat().st_size > 10000
    assert "baseline_mase" in result.output and "next months (point, 0.1-0.9 interval)" \
        in result.output
    models = [tmp_path / "demo" / task / "model"
              for task in ("sentiment", "tagging", "seq2seq", "textgen", "forecast")]
    fresh = subprocess.run(  # custom layers load in a process that never built them
        [sys.executable, "-c", "import sys, rnn_apps\nfor p in sys.argv[1:]: rnn_apps.load(p)",
         *map(str, models), str(tmp_path / "demo" / "tagging" / "frames_model")],
        capture_output=True, text=True, timeout=300, check=False)
    assert fresh.returncode == 0, fresh.stderr[-2000:]
    one_line_error(run("demo", "--datasets", tmp_path / "nowhere"), "datasets not found")


def test_train_with_the_echo_state_cell(tmp_path, small_csv):
    out = tmp_path / "esn"
    result = run("sentiment", "train", "--data", small_csv, "--out", out, "--cell", "esn",
                 "--spectral-radius", "0.8", "--leak-rate", "0.5", "--input-scaling", "0.3",
                 *TINY_ARGS)
    assert result.exit_code == 0, result.output
    params = json.loads((out / "rnn_apps.json").read_text())["params"]
    assert (params["cell"], params["spectral_radius"], params["leak_rate"]) == ("esn", 0.8, 0.5)
    one_line_error(run("sentiment", "train", "--data", small_csv, "--out", tmp_path / "bad",
                       "--cell", "esn", "--leak-rate", "2", *TINY_ARGS), "leak_rate")


def test_demo_examples_mark_a_wrong_answer_with_the_expected_one():
    from rnn_apps.evaluation.report import example_line

    assert example_line("a -> 1", "1", "1") == "  ok    a -> 1"
    assert example_line("a -> 2", "2", "1") == "  WRONG a -> 2  (expected 1)"
