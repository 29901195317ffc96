"""rnn_apps.json is input too: checked with one-line errors, never trusted."""

import json
import os
import shutil
import subprocess
import sys

import pytest

from rnn_apps import SentimentClassifier
from rnn_apps.errors import ModelDirError


@pytest.fixture()
def copy(saved_sentiment, tmp_path):
    target = tmp_path / "model"
    shutil.copytree(saved_sentiment, target)
    return target


def edit(directory, change):
    path = directory / "rnn_apps.json"
    metadata = json.loads(path.read_text())
    change(metadata)
    path.write_text(json.dumps(metadata))


@pytest.mark.parametrize("change, message", [
    (lambda m: m["state"].update(classes=["a", "b", "c"]),
     "does not fit its model: the number of classes is 3 in the metadata, 2 in the network"),
    (lambda m: m["state"].pop("classes"), r"fitted state is malformed \(KeyError: 'classes'\)"),
    (lambda m: m["state"].update(text=7), "fitted state is malformed"),
    (lambda m: m["params"].update(unit=3), "bad parameters"),
    (lambda m: m["params"].update(units=True), "bad parameters.*units must be a positive"),
    (lambda m: m.update(state=[]), "'state' must be a JSON object"),
    (lambda m: m.update(params=None), "'params' must be a JSON object"),
    (lambda m: m.update(code="import os"), "unknown entry 'code'"),
])
def test_bad_metadata_is_a_one_line_error(copy, change, message):
    edit(copy, change)
    with pytest.raises(ModelDirError, match=message):
        SentimentClassifier.load(copy)


def test_non_json_constants_and_missing_model_file(copy):
    path = copy / "rnn_apps.json"
    path.write_text(path.read_text().replace('"units": 8', '"units": NaN'))
    with pytest.raises(ModelDirError, match="NaN is not valid JSON"):
        SentimentClassifier.load(copy)


def test_a_fifo_in_place_of_a_file_does_not_hang_load(copy, tmp_path):
    second = tmp_path / "second"
    shutil.copytree(copy, second)
    for directory, name in ((copy, "rnn_apps.json"), (second, "model.keras")):
        (directory / name).unlink()
        os.mkfifo(directory / name)
    code = ("import sys\nfrom rnn_apps import SentimentClassifier\n"
            "for path in sys.argv[1:]:\n"
            "    try:\n        SentimentClassifier.load(path)\n"
            "    except Exception as error:\n        print(type(error).__name__, error)\n")
    result = subprocess.run([sys.executable, "-c", code, str(copy), str(second)],
                            capture_output=True, text=True, timeout=120, check=False)
    lines = result.stdout.splitlines()
    assert len(lines) == 2, result.stdout + result.stderr[-500:]
    for line in lines:
        assert line.startswith("ModelDirError") and "is a FIFO, not a regular file" in line
