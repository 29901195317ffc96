"""rnn-apps forecast: train, evaluate, predict (CSV + plot), backtest, export, bad input."""

import csv
import json

import pytest

from tests.cli.test_cli import one_line_error, run
from tests.test_inspect import assert_real_picture

TINY = ["--units", "4", "--epochs", "1", "--seed", "0", "--quiet", "--inputs", "relative",
        "--deseasonalize", "none", "--ensemble", "1"]


def test_train_evaluate_predict_export(tmp_path, series_csv):
    out = tmp_path / "model"
    result = run("forecast", "train", "--data", series_csv, "--targets", "sales",
                 "--covariates", "temp", "--lookback", "14", "--horizon", "3",
                 "--quantiles", "0.1,0.9", "--out", out, *TINY)
    assert result.exit_code == 0, result.output
    assert "on 140 steps of 2 column(s)" in result.output and (out / "rnn_apps.json").is_file()

    result = run("forecast", "evaluate", "--model", out, "--data", series_csv, "--json")
    assert result.exit_code == 0, result.output
    metrics = json.loads(result.output)
    assert {"mase", "baseline_mase", "naive_mase", "drift_mase", "coverage"} <= set(metrics)
    assert metrics["n"] == (140 - 14 - 3 + 1) * 3 and metrics["season"] == 7

    result = run("forecast", "predict", "--model", out, "--data", series_csv,
                 "--output", tmp_path / "f.csv", "--plot", tmp_path / "f.png")
    assert result.exit_code == 0, result.output
    rows = list(csv.reader((tmp_path / "f.csv").read_text().splitlines()))
    assert rows[0] == ["time", "sales", "sales_q0.1", "sales_q0.9"]
    assert [r[0] for r in rows[1:]] == ["2024-05-20", "2024-05-21", "2024-05-22"]
    assert all(float(r[2]) <= float(r[3]) for r in rows[1:])
    assert_real_picture(tmp_path / "f.png", min_bytes=10000)

    result = run("forecast", "export", "--model", out, "--out", tmp_path / "export")
    assert result.exit_code == 0 and (tmp_path / "export" / "saved_model.pb").is_file()


def test_predict_to_stdout_without_time_column(tmp_path):
    path = tmp_path / "y.csv"
    path.write_text("y\n" + "\n".join(str(i % 5) for i in range(40)) + "\n")
    out = tmp_path / "m"
    assert run("forecast", "train", "--data", path, "--lookback", "8", "--horizon", "2",
               "--strategy", "recursive", "--out", out, *TINY).exit_code == 0
    result = run("forecast", "predict", "--model", out, "--data", path)
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[0] == "step,y" and [line.split(",")[0] for line in lines[1:]] == ["1", "2"]


def test_backtest_reports_each_origin_and_the_mean(series_csv):
    result = run("forecast", "backtest", "--data", series_csv, "--lookback", "14",
                 "--horizon", "2", "--origins", "2", "--step", "3", "--json", *TINY)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)  # a note on stderr may name values written as null
    assert [row["origin"] for row in report["origins"]] == ["2024-05-15", "2024-05-18"]
    assert report["mean"]["origins"] == 2 and "baseline_mase" in report["mean"]
    result = run("forecast", "backtest", "--data", series_csv, "--lookback", "14",
                 "--horizon", "2", "--origins", "2", *TINY)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].split()[:4] == ["origin", "train", "mase",
                                                         "baseline_mase"]
    assert result.output.splitlines()[3].startswith("mean")


@pytest.mark.parametrize(("text", "args", "fragments"), [
    ("date,y\n2024-01-02,1\n2024-01-01,2\n", [], ["line 3", "earlier than the row before"]),
    ("date,y\n2024-01-01,1\n2024-01-01,2\n", [], ["line 3", "repeats line 2"]),
    ("date,y\n2024-01-01,1\n2024-01-02,abc\n", [], ["line 3", "'y'", "not a number"]),
    ("date,y\n2024-01-01,1\n2024-01-02,inf\n", [], ["line 3", "not finite"]),
    ("date,y\n2024-01-01,1\n2024-01-02,\n", [], ["line 3", "missing"]),
    ("y\n1\n2\n3\n", [], ["too short", "set lookback"]),
    ("y\n1\n2\n3\n", ["--lookback", "24"], ["needs at least lookback + horizon = 25"]),
    ("y\n" + "1\n" * 40, ["--horizon", "0"], ["horizon must be a positive integer"]),
    ("y\n" + "1\n" * 40, ["--targets", "z"], ["no column 'z'"]),
    ("y\n" + "1\n" * 40, ["--quantiles", "a,b"], ["--quantiles must be numbers"]),
])
def test_bad_input_one_line_errors(tmp_path, text, args, fragments):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    out = tmp_path / "m"
    one_line_error(run("forecast", "train", "--data", path, "--out", out, *args, *TINY),
                   *fragments)
    assert not out.exists()


def test_other_tasks_model_and_wrong_columns(tmp_path, saved_sentiment, saved_forecaster):
    path = tmp_path / "y.csv"
    path.write_text("y\n" + "1\n" * 40)
    one_line_error(run("forecast", "evaluate", "--model", saved_sentiment, "--data", path),
                   "sentiment")
    one_line_error(run("forecast", "predict", "--model", saved_forecaster, "--data", path),
                   "no column")


def test_train_prints_the_automatic_choices(tmp_path):
    path = tmp_path / "monthly.csv"
    rows = [f"{2000 + i // 12}-{i % 12 + 1:02d},{20 + 0.05 * i + 3 * ((i % 12) in (5, 6, 7)):.2f}"
            for i in range(96)]
    path.write_text("month,y\n" + "\n".join(rows) + "\n")
    out = tmp_path / "m"
    result = run("forecast", "train", "--data", path, "--horizon", "3", "--units", "4",
                 "--epochs", "1", "--seed", "0", "--quiet", "--ensemble", "2", "--out", out)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("season 12 (strength 12: ")
    assert sum("validation MASE" in line for line in lines) >= 4
    assert sum(line.startswith("  * ") for line in lines) == 2        # the two members
    assert any(line.startswith("forecast: median of lookback ") for line in lines)


def test_a_long_format_file_trains_one_model_across_its_series(tmp_path):
    path = tmp_path / "long.csv"
    lines = ["month,shop,sales"]
    for shop, level in (("north", 10), ("south", 300)):
        lines += [f"{2000 + i // 12}-{i % 12 + 1:02d},{shop},{level * (1 + 0.1 * (i % 12 > 5)):.1f}"
                  for i in range(60)]
    path.write_text("\n".join(lines) + "\n")
    out = tmp_path / "m"
    result = run("forecast", "train", "--data", path, "--id-column", "shop", "--lookback", "12",
                 "--horizon", "2", "--out", out, *TINY)
    assert result.exit_code == 0, result.output
    assert "on 2 series (120 steps) of 1 column(s)" in result.output
    result = run("forecast", "predict", "--model", out, "--data", path)
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(result.output.splitlines()))
    assert rows[0] == ["series", "time", "sales"]
    assert [r[:2] for r in rows[1:]] == [["north", "2005-01"], ["north", "2005-02"],
                                         ["south", "2005-01"], ["south", "2005-02"]]
    result = run("forecast", "evaluate", "--model", out, "--data", path, "--json")
    assert set(json.loads(result.stdout)["series"]) == {"north", "south"}
    result = run("forecast", "backtest", "--data", path, "--id-column", "shop", "--lookback",
                 "12", "--horizon", "2", "--origins", "2", "--window", "sliding",
                 "--refit-every", "2", *TINY)
    assert result.exit_code == 0, result.output
    assert "  north: mase" in result.output and "  south: mase" in result.output


def test_across_columns_makes_a_series_of_each_target(tmp_path, series_csv):
    out = tmp_path / "m"
    result = run("forecast", "train", "--data", series_csv, "--across-columns", "--lookback",
                 "14", "--horizon", "2", "--out", out, *TINY)
    assert result.exit_code == 0, result.output
    assert "on 2 series (280 steps)" in result.output
    result = run("forecast", "predict", "--model", out, "--data", series_csv)
    assert result.exit_code == 0, result.output
    assert {row.split(",")[0] for row in result.output.splitlines()[1:]} == {"sales", "temp"}
