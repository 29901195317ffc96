"""Refusals that need no TensorFlow answer before it is imported (issue 31): a
missing, misplaced or other-task model, a bad data file, a refused output.

Each command runs in a child process through the real entry point
(``rnn_apps.cli.main``, click's standalone mode), which reports after each one
whether TensorFlow or Keras was imported. The model directories are written
by hand: the refusals read only their metadata, so nothing is trained here.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from rnn_apps.core.directories import EXPORT_MARKER, METADATA_FILE
from rnn_apps.core.saving import FORMAT_VERSION

RUNNER = """
import contextlib, io, json, sys, traceback
from rnn_apps.cli import main

results = []
for argv in json.loads(sys.argv[1]):
    sys.argv = ["rnn-apps", *argv]
    err, code = io.StringIO(), None
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            main()
        except SystemExit as stop:
            code = stop.code
        except BaseException:
            code, err = "escaped", io.StringIO(traceback.format_exc())
    results.append({"code": code, "stderr": err.getvalue(),
                    "tensorflow": "tensorflow" in sys.modules, "keras": "keras" in sys.modules})
print(json.dumps(results))
"""


def fake_model(directory, task):
    """A model directory as far as its metadata goes (``model.keras`` is empty)."""
    directory.mkdir(parents=True)
    (directory / METADATA_FILE).write_text(json.dumps(
        {"task": task, "format_version": FORMAT_VERSION, "rnn_apps_version": "0",
         "params": {}, "state": {}}), encoding="utf-8")
    (directory / "model.keras").write_bytes(b"")
    return directory


def fake_savedmodel(directory, task):
    """An exported SavedModel as far as its marker goes."""
    directory.mkdir(parents=True)
    (directory / "saved_model.pb").write_bytes(b"")
    (directory / EXPORT_MARKER).write_text(json.dumps({"task": task}), encoding="utf-8")
    return directory


def run_refusals(commands):
    out = subprocess.run([sys.executable, "-c", RUNNER, json.dumps(commands)],
                         capture_output=True, text=True, timeout=300, check=False)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.fixture()
def files(tmp_path):
    found = {"missing": tmp_path / "missing", "file": tmp_path / "a_file.txt",
             "nodata": tmp_path / "missing.csv",
             "empty": tmp_path / "empty.csv", "wrong_columns": tmp_path / "wrong.csv",
             "series": tmp_path / "series.csv", "busy": tmp_path / "busy",
             "sentiment": fake_model(tmp_path / "sentiment_model", "sentiment"),
             "forecast": fake_model(tmp_path / "forecast_model", "forecast"),
             "out": tmp_path / "out"}
    found["file"].write_text("not a model\n", encoding="utf-8")
    found["empty"].write_text("", encoding="utf-8")
    found["wrong_columns"].write_text("a,b\n1,2\n", encoding="utf-8")
    found["series"].write_text("t,y\n1,1\n2,2\n", encoding="utf-8")
    found["busy"].mkdir()
    (found["busy"] / "notes.txt").write_text("mine\n", encoding="utf-8")
    return {key: str(value) for key, value in found.items()}


CASES = [
    # (command with {placeholders} from the files fixture, fragment of the one-line error)
    ("sentiment predict --model {missing} hello", "model directory {missing} does not exist"),
    ("sentiment predict --model {file} hello", "{file} is not a directory"),
    ("sentiment predict --model {forecast} hello",
     "{forecast} holds a 'forecast' model, not a 'sentiment' model"),
    ("sentiment evaluate --model {forecast} --data {nodata}",
     "holds a 'forecast' model, not a 'sentiment' model"),
    ("sentiment evaluate --model {sentiment} --data {nodata}",
     "data file {nodata} does not exist"),
    ("sentiment evaluate --model {sentiment} --data {wrong_columns}", "no column 'text'"),
    ("sentiment predict --model {sentiment} --output {sentiment}/labels.csv hello",
     "inside the model or export directory"),
    ("sentiment train --data {nodata} --out {out}", "data file {nodata} does not exist"),
    ("sentiment train --data {empty} --out {out}", "{empty} is empty"),
    ("sentiment train --data {wrong_columns} --out {out}", "no column 'text'"),
    ("sentiment tune --data {nodata} --out {out}", "data file {nodata} does not exist"),
    ("sentiment export --model {missing} --out {out}", "model directory {missing} does not exist"),
    ("sentiment export --model {sentiment} --out {busy}",
     "{busy} is a non-empty directory that is not an rnn-apps export"),
    ("tagging predict --model {forecast} hello", "not a 'tagging' model"),
    ("tagging export --model {forecast} --out {out}", "not a 'tagging' model"),
    ("seq2seq chat --model {missing}", "model directory {missing} does not exist"),
    ("seq2seq evaluate --model {sentiment} --data {nodata}", "not a 'seq2seq' model"),
    ("textgen generate --model {forecast} --prompt hi", "not a 'textgen' model"),
    ("textgen evaluate --model {file} --data {nodata}", "{file} is not a directory"),
    ("forecast predict --model {sentiment} --data {series}",
     "holds a 'sentiment' model, not a 'forecast' model"),
    ("forecast evaluate --model {forecast} --data {nodata}", "data file {nodata} does not exist"),
    ("forecast export --model {missing} --out {out}", "model directory {missing} does not exist"),
    ("info {missing}", "model directory {missing} does not exist"),
    ("inspect --model {missing} --input hello --out {out}.png",
     "model directory {missing} does not exist"),
]


def test_refusals_answer_in_one_line_before_tensorflow_is_imported(files):
    commands = [command.format(**files).split() for command, _ in CASES]
    results = run_refusals(commands)
    for (command, fragment), result in zip(CASES, results):
        shown = command.format(**files)
        assert result["code"] not in (0, None, "escaped"), (shown, result)
        lines = result["stderr"].strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: "), (shown, result["stderr"])
        assert "Traceback" not in result["stderr"], shown
        assert fragment.format(**files) in lines[0], (shown, lines[0])
        assert not result["tensorflow"] and not result["keras"], f"{shown} imported TensorFlow"


def test_the_entry_point_itself_prints_one_line_and_no_traceback(files):
    """``python -m rnn_apps``, as a user runs it: exit 1, one line on stderr."""
    code = ("import atexit, runpy, sys; atexit.register(lambda: print("
            "'tensorflow' in sys.modules, 'keras' in sys.modules)); "
            "sys.argv = ['rnn-apps', *sys.argv[1:]]; "
            "runpy.run_module('rnn_apps', run_name='__main__')")
    out = subprocess.run([sys.executable, "-c", code, "sentiment", "predict", "--model",
                          files["forecast"], "hello"],
                         capture_output=True, text=True, timeout=300, check=False)
    assert out.returncode == 1
    assert out.stderr.strip().splitlines() == [
        f"Error: {files['forecast']} holds a 'forecast' model, not a 'sentiment' model"]
    assert out.stdout.split() == ["False", "False"]


SERVED = """
import json, sys
from rnn_apps.core.model_info import check_served_model
from rnn_apps.errors import ModelDirError

found = {}
for path in json.loads(sys.argv[1]):
    try:
        info = check_served_model(path)
        found[path] = {key: info[key] for key in ("task", "kind", "path", "version")}
    except ModelDirError as error:
        found[path] = str(error)
print(json.dumps([found, "tensorflow" in sys.modules or "keras" in sys.modules]))
"""


def test_check_served_model_refuses_and_resolves_versions_without_tensorflow(tmp_path):
    base = tmp_path / "base"
    fake_savedmodel(base / "1", "sentiment")
    fake_savedmodel(base / "12", "forecast")
    (base / "3").mkdir()  # not a SavedModel: not a version
    paths = {"missing": tmp_path / "missing", "plain": tmp_path,
             "unknown_dir": fake_model(tmp_path / "unknown", "nosuch"),
             "unknown_export": fake_savedmodel(tmp_path / "unknown_export", "nosuch"),
             "broken_keras": fake_model(tmp_path / "broken", "sentiment"),
             "base": base, "export": base / "1"}
    out = subprocess.run([sys.executable, "-c", SERVED,
                          json.dumps([str(p) for p in paths.values()])],
                         capture_output=True, text=True, timeout=300, check=False)
    assert out.returncode == 0, out.stderr
    found, imported = json.loads(out.stdout.strip().splitlines()[-1])
    assert not imported
    found = {key: found[str(path)] for key, path in paths.items()}
    assert found["missing"] == f"model directory {paths['missing']} does not exist"
    assert found["plain"] == (f"{tmp_path} is neither an rnn-apps model directory nor an "
                              f"rnn-apps SavedModel")
    assert found["unknown_dir"].startswith("unknown task 'nosuch' (known: ")
    assert found["unknown_export"].startswith("no server for a 'nosuch' model (known tasks: ")
    assert found["broken_keras"] == (f"{paths['broken_keras']}/model.keras is not a Keras "
                                     f"model file (not a zip archive)")
    assert found["base"] == {"task": "forecast", "kind": "SavedModel",
                             "path": str(base / "12"), "version": "12"}
    assert found["export"] == {"task": "sentiment", "kind": "SavedModel",
                               "path": str(base / "1"), "version": "1"}


@pytest.mark.parametrize("case", ["missing", "file", "plain"])
def test_check_served_model_says_what_load_servable_says(tmp_path, case):
    from rnn_apps.core.model_info import check_served_model
    from rnn_apps.errors import ModelDirError
    from rnn_apps.serving.servable import load_servable

    path = {"missing": tmp_path / "missing", "plain": tmp_path,
            "file": tmp_path / "model.txt"}[case]
    if case == "file":
        path.write_text("x", encoding="utf-8")
    with pytest.raises(ModelDirError) as fast:
        check_served_model(path)
    with pytest.raises(ModelDirError) as slow:
        load_servable(path)
    assert str(fast.value) == str(slow.value)
