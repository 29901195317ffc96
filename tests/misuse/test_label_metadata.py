"""Class and tag lists in rnn_apps.json are checked when a model loads:
duplicates, mixed types and a dtype they do not fit are one-line refusals."""

import json

import pytest
from click.testing import CliRunner

from rnn_apps import SentimentClassifier, Tagger
from rnn_apps.cli import cli
from rnn_apps.core.saving import FORMAT_VERSION
from rnn_apps.errors import ModelDirError


def model_dir(path, task, state):
    """A model directory holding only its metadata: the state is read (and
    refused) before the Keras file."""
    path.mkdir()
    (path / "rnn_apps.json").write_text(json.dumps(
        {"task": task, "format_version": FORMAT_VERSION, "params": {}, "state": state}))
    return path


@pytest.mark.parametrize("state, message", [
    ({"classes": ["pos", "neg", "pos"]}, "duplicate class 'pos'"),
    ({"classes": [0, 1, 1]}, "duplicate class 1"),
    ({"classes": [1, True]}, "all strings, all integers or all booleans"),
    ({"classes": ["a", 2.5]}, "all strings, all integers or all booleans"),
    ({"classes": [0, 1], "label_dtype": "bool"}, "does not fit classes of type int"),
    ({"classes": [0, 300], "label_dtype": "int8"}, "do not fit the label dtype int8"),
    ({"classes": ["a", "b"], "label_dtype": "object"}, "does not fit"),
    ({"classes": "ab"}, "classes must be a list; got str"),
])
def test_bad_classes_are_refused_when_loading(tmp_path, state, message):
    directory = model_dir(tmp_path / "m", "sentiment", {**state, "text": {}})
    with pytest.raises(ModelDirError, match=message) as caught:
        SentimentClassifier.load(directory)
    assert "\n" not in str(caught.value) and "fitted state is malformed" in str(caught.value)


def test_duplicate_tags_are_refused_and_the_cli_says_so_in_one_line(tmp_path):
    directory = model_dir(tmp_path / "t", "tagging",
                          {"kind": "tokens", "tags": ["O", "B-PER", "O"], "encoder": {}})
    with pytest.raises(ModelDirError, match="duplicate class 'O'"):
        Tagger.load(directory)
    sentiment = model_dir(tmp_path / "s", "sentiment", {"classes": ["a", "a"], "text": {}})
    result = CliRunner().invoke(cli, ["sentiment", "predict", "--model", str(sentiment), "hi"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and "duplicate class 'a'" in result.output
    assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output
