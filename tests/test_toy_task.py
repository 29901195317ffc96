"""A sixth task from one folder (tests/toy_task: count a character) works through
every face, or refuses one with a single line naming the hook it lacks.

Nothing under rnn_apps/ names it: this module registers it by importing it;
fresh processes find it through RNN_APPS_TASKS=tests.toy_task (with the
repository root on PYTHONPATH). Servers bind 127.0.0.1 on a free port and
are stopped by their pid.
"""

import csv
import json
import os
import subprocess
import sys
import time

import httpx
import numpy as np
import pytest
from click.testing import CliRunner

from rnn_apps.cli import cli
from rnn_apps.core import registry
from rnn_apps.errors import DataError
from tests.conftest import ROOT, one_line_error
from tests.serving.test_serve import free_port

TINY = {"units": 4, "embedding_dim": 4, "epochs": 2, "seed": 0}
WORDS = ["aaa", "b", "abca", "dd"]


def toy_env(**extra):
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    return {**os.environ, "RNN_APPS_TASKS": "tests.toy_task", "PYTHONPATH": path,
            "TF_CPP_MIN_LOG_LEVEL": "2", **extra}


def run_python(code, *args, env=None, timeout=240):
    """``python -c code args`` from / (the repository root only on PYTHONPATH)."""
    return subprocess.run([sys.executable, "-c", code, *map(str, args)], check=False,
                          env=env or toy_env(), capture_output=True, text=True,
                          timeout=timeout, cwd="/")


@pytest.fixture(scope="module")
def toy():
    """The toy package, registered by this import; unregistered after this module,
    so that no other test sees a sixth task."""
    import tests.toy_task as toy

    yield toy
    registry.unregister("count")


@pytest.fixture(scope="module")
def fitted(toy):
    return toy.CharCounter(**TINY).fit(*toy.count_data(200))


@pytest.fixture(scope="module")
def saved(fitted, tmp_path_factory):
    return fitted.save(tmp_path_factory.mktemp("toy") / "model")


@pytest.fixture(scope="module")
def data_csv(toy, tmp_path_factory):
    path = tmp_path_factory.mktemp("toy_data") / "counts.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([("text", "label"), *zip(*toy.count_data(120, seed=1))])
    return path


def test_one_folder_registers_the_task_and_nothing_under_rnn_apps_names_it(toy, saved):
    assert registry.task_class("count") is toy.CharCounter
    for path in (ROOT / "rnn_apps").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "toy_task" not in text and "CharCounter" not in text, path
    bare = run_python("import sys, rnn_apps; rnn_apps.load(sys.argv[1])", saved,
                      env={**toy_env(), "RNN_APPS_TASKS": ""})  # a process that never imports it
    assert bare.returncode != 0 and "unknown task 'count'" in bare.stderr.strip().splitlines()[-1]


def test_python_api_fit_predict_evaluate_score(toy, fitted):
    X, y = toy.count_data(60, seed=2)
    predicted = fitted.predict(X)
    assert predicted.shape == (60,) and np.isfinite(predicted).all()
    metrics = fitted.evaluate(X, y)
    assert metrics["n"] == 60 and metrics["mae"] == pytest.approx(
        float(np.mean(np.abs(predicted - np.asarray(y)))), rel=1e-5)
    assert np.isfinite(fitted.score(X, y))
    assert len(fitted.history_["loss"]) == 2 and "val_loss" in fitted.history_
    with pytest.raises(DataError, match="y must be 2 finite numbers"):
        fitted.evaluate(["ab", "ba"], ["one", "two"])


def test_a_saved_counter_loads_in_a_fresh_process_through_rnn_apps_tasks(fitted, saved):
    code = ("import json, sys, rnn_apps; m = rnn_apps.load(sys.argv[1]); "
            "print(type(m).__name__, json.dumps(m.predict(sys.argv[2:]).tolist()))")
    result = run_python(code, saved, *WORDS)
    assert result.returncode == 0, result.stderr[-2000:]
    name, values = result.stdout.strip().splitlines()[-1].split(" ", 1)
    assert name == "CharCounter"
    np.testing.assert_allclose(json.loads(values), fitted.predict(WORDS), rtol=1e-5, atol=1e-6)


def test_the_savedmodel_answers_as_the_api(fitted, tmp_path):
    import tensorflow as tf

    fitted.export(tmp_path / "export")
    module = tf.saved_model.load(str(tmp_path / "export"))
    out = module.signatures["serving_default"](text=tf.constant(WORDS))
    np.testing.assert_allclose(out["count"].numpy(), fitted.predict(WORDS), rtol=1e-5, atol=1e-6)


def test_the_cli_trains_evaluates_predicts_and_describes_through_the_cli_hook(toy, data_csv, tmp_path):
    runner = CliRunner()
    assert "count" in runner.invoke(cli, ["--help"]).output
    model = tmp_path / "cli_model"
    result = runner.invoke(cli, ["count", "train", "--data", str(data_csv), "--out", str(model),
                                 "--units", "4", "--epochs", "1", "--seed", "0", "--quiet"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == f"saved model to {model}"
    result = runner.invoke(cli, ["count", "evaluate", "--model", str(model),
                                 "--data", str(data_csv)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["n"] == 120
    result = runner.invoke(cli, ["count", "predict", "--model", str(model), *WORDS])
    assert result.exit_code == 0, result.output
    loaded = toy.CharCounter.load(model)
    assert [line.split("\t") for line in result.output.splitlines()] == [
        [f"{value:.3f}", word] for value, word in zip(loaded.predict(WORDS), WORDS)]
    info = runner.invoke(cli, ["info", str(model)])
    assert info.exit_code == 0 and "model directory of a count model" in info.output, info.output
    help_text = runner.invoke(cli, ["count", "train", "--help"]).output
    assert "[default: 4]" in help_text  # --units: the toy class's default, via the registry


def test_the_cli_finds_the_task_in_a_fresh_process_through_rnn_apps_tasks():
    found = run_python("from rnn_apps.cli import main; main()", "count", "--help")
    assert found.returncode == 0, found.stderr[-2000:]
    assert "Count a character" in found.stdout and "train" in found.stdout


def test_the_cli_exports_a_savedmodel_and_a_portable_core(saved, tmp_path):
    for fmt, written in (("savedmodel", "saved_model.pb"), ("onnx", "model.onnx")):
        result = CliRunner().invoke(cli, ["count", "export", "--model", str(saved), "--out",
                                          str(tmp_path / fmt), "--format", fmt])
        assert result.exit_code == 0, result.output
        assert (tmp_path / fmt / written).is_file()


def test_serve_answers_as_the_api(fitted, saved):
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "rnn_apps", "serve", "--model", str(saved),
                               "--host", "127.0.0.1", "--port", str(port)], env=toy_env(),
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd="/")
    try:
        url, reply = f"http://127.0.0.1:{port}/v1/models/count", None
        deadline = time.monotonic() + 120
        while reply is None and time.monotonic() < deadline and server.poll() is None:
            try:
                reply = httpx.post(f"{url}:predict", json={"instances": WORDS}, timeout=30)
            except httpx.TransportError:
                time.sleep(0.5)
        assert reply is not None, server.stderr.read().decode()[-2000:]
        assert reply.status_code == 200, reply.text
        counts = reply.json()["predictions"]  # one output: bare values, as TF Serving answers
        np.testing.assert_allclose(counts, fitted.predict(WORDS), rtol=1e-5, atol=1e-6)
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=30)


def test_tune_searches_through_the_tuning_hooks(data_csv, tmp_path):
    out = tmp_path / "tune"
    result = CliRunner().invoke(cli, ["count", "tune", "--data", str(data_csv), "--out", str(out),
                                      "--trials", "2", "--units", "4", "--epochs", "1",
                                      "--seed", "0", "--quiet"])
    assert result.exit_code == 0, result.output
    assert "score: R² of the counts" in result.output
    assert (out / "best" / "rnn_apps.json").is_file()
    with open(out / "trials.csv", encoding="utf-8") as handle:
        assert len(list(csv.DictReader(handle))) == 2


@pytest.mark.parametrize("fmt", ["onnx", "tflite"])
def test_portable_export_writes_a_core_that_matches(fitted, tmp_path, fmt):
    from rnn_apps.portable import export_core

    written = export_core(fitted, tmp_path / fmt, fmt)
    manifest = json.loads((written / "rnn_apps_core.json").read_text(encoding="utf-8"))
    assert manifest["task"] == "count" and manifest["cores"]["model"]["file"] == f"model.{fmt}"
    assert manifest["cores"]["model"]["max_abs_difference"] <= 1e-3
    preprocessing = json.loads((written / "preprocessing.json").read_text(encoding="utf-8"))
    assert preprocessing["vocabulary"] == fitted.text_encoder_.vocabulary


def test_inspect_refuses_in_one_line_naming_the_missing_hook(saved, tmp_path):
    result = CliRunner().invoke(cli, ["inspect", "--model", str(saved), "--input", "abca",
                                      "--out", str(tmp_path / "states.png")])
    one_line_error(result, "count", "'inspect' hook")
    assert not (tmp_path / "states.png").exists()
