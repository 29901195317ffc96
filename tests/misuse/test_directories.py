"""Never delete or damage what the user did not ask to replace."""

import json
import subprocess
import sys
import threading

import pytest
from click.testing import CliRunner

from rnn_apps.cli import cli
from rnn_apps.core import saving
from rnn_apps.errors import ModelDirError


def one_line_error(result, *fragments):
    lines = [line for line in result.output.strip().splitlines() if line.strip()]
    assert result.exit_code == 1 and len(lines) == 1 and lines[0].startswith("Error: "), \
        result.output
    for fragment in fragments:
        assert fragment in lines[0]


def test_a_directory_that_merely_holds_our_file_names_is_not_replaced(tmp_path, small_csv,
                                                                      monkeypatch):
    from rnn_apps.tasks.sentiment.estimator import SentimentClassifier

    user = tmp_path / "work"
    user.mkdir()
    (user / "rnn_apps.json").write_text(json.dumps({"task": "sentiment"}))
    (user / "model.keras").write_text("not ours")
    (user / "thesis.tex").write_text("precious")
    export_like = tmp_path / "exported"
    export_like.mkdir()
    (export_like / "rnn_apps_export.json").write_text("{}")
    (export_like / "notes.txt").write_text("precious")

    def never(*args, **kwargs):
        raise AssertionError("trained before checking --out")

    monkeypatch.setattr(SentimentClassifier, "fit", never)
    for target in (user, export_like):
        result = CliRunner().invoke(cli, ["sentiment", "train", "--data", str(small_csv),
                                          "--out", str(target)])
        one_line_error(result, "not an rnn-apps model")
    assert (user / "thesis.tex").read_text() == "precious"
    assert (export_like / "notes.txt").read_text() == "precious"


def test_export_never_lands_on_its_own_model_or_on_another_model(saved_sentiment, tmp_path):
    from rnn_apps import SentimentClassifier

    before = sorted(p.name for p in saved_sentiment.iterdir())
    for out in (saved_sentiment, saved_sentiment / "export"):
        result = CliRunner().invoke(cli, ["sentiment", "export", "--model",
                                          str(saved_sentiment), "--out", str(out)])
        one_line_error(result, "the model being written out")
    assert sorted(p.name for p in saved_sentiment.iterdir()) == before
    other = tmp_path / "other"
    SentimentClassifier.load(saved_sentiment).save(other)
    with pytest.raises(ModelDirError, match="not an rnn-apps export"):
        SentimentClassifier.load(saved_sentiment).export(other)
    assert saving.is_model_dir(other)


def test_replacing_a_model_never_leaves_readers_without_one(tmp_path):
    target = tmp_path / "model"

    def write(units):
        with saving.atomic_directory(target) as tmp:
            saving.write_metadata(tmp, "sentiment", {"units": units}, {})
            (tmp / "model.keras").write_bytes(b"k" * 1000)

    write(0)
    missing, done = [], threading.Event()

    def read():
        while not done.is_set():
            if not (target / saving.METADATA_FILE).is_file():
                missing.append(1)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for units in range(1, 150):
            write(units)
    finally:
        done.set()
        reader.join(timeout=10)
    assert not missing
    assert json.loads((target / saving.METADATA_FILE).read_text())["params"] == {"units": 149}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]


def test_siblings_left_by_a_killed_writer_are_removed_on_the_next_write(tmp_path):
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    stale = [tmp_path / f".model.{gone.pid}.abc123.tmp", tmp_path / f".model.old-{gone.pid}"]
    for folder in stale:
        folder.mkdir()
        (folder / "model.keras").write_text("half")
        (folder / ".rnn_apps_partial").write_text(folder.name)  # ours carry this marker
    unrelated = tmp_path / ".model.notes"
    unrelated.mkdir()
    with saving.atomic_directory(tmp_path / "model") as tmp:
        saving.write_metadata(tmp, "sentiment", {}, {})
        (tmp / "model.keras").write_text("k")
    assert sorted(p.name for p in tmp_path.iterdir()) == [".model.notes", "model"]
