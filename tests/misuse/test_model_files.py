"""Model and export directories are hostile input: their files are read as
regular files only, under caps, and never overwritten by a command's output."""

import json
import os
import shutil
import subprocess
import sys
import threading
import time
import warnings
import zipfile

import pytest
from click.testing import CliRunner

from rnn_apps import SentimentClassifier, TextGenerator, load
from rnn_apps.cli import cli
from rnn_apps.cli.errors import print_notes_as_lines
from rnn_apps.core import saving
from rnn_apps.core.model_files import MAX_CONFIG_DEPTH, json_depth
from rnn_apps.errors import ModelDirError, Note
from tests.conftest import TINY, one_line_error


def outcome_within(seconds, function, *args):
    """``function(*args)``'s error as "Type message" (or "loaded"), from a daemon
    thread: a read that blocks fails the test instead of hanging it."""
    found = []

    def run():
        try:
            function(*args)
            found.append("loaded")
        except Exception as error:  # noqa: BLE001 (the type is what is checked)
            found.append(f"{type(error).__name__} {error}")

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert found, f"{function.__name__}{args} still blocked after {seconds} s"
    return found[0]


def test_fifos_and_links_in_model_and_export_directories_are_refused_unopened(
        saved_sentiment, tmp_path):
    from rnn_apps.serving.servable import load_servable

    outside = tmp_path / "elsewhere"
    shutil.copytree(saved_sentiment, outside)
    cases = []
    for name in ("rnn_apps.json", "model.keras", "history.csv"):
        for kind in ("fifo", "link"):
            copy = tmp_path / f"{kind}-{name}"
            shutil.copytree(saved_sentiment, copy)
            (copy / name).unlink()
            if kind == "fifo":
                os.mkfifo(copy / name)
            else:
                (copy / name).symlink_to(outside / name)
            cases.append(copy)
    export = tmp_path / "export"
    SentimentClassifier.load(saved_sentiment).export(export)
    index = export / "variables" / "variables.index"
    index.unlink()
    os.mkfifo(index)
    for case in cases:
        line = outcome_within(60, load, case)
        kind = "a FIFO" if case.name.startswith("fifo") else "a symbolic link"
        assert line.startswith("ModelDirError") and f"is {kind}, not a regular file" in line, \
            line
    line = outcome_within(60, load_servable, export)
    assert line.startswith("ModelDirError") and "is a FIFO, not a regular file" in line, line
    # the CLI says the same in one line
    one_line_error(CliRunner().invoke(cli, ["sentiment", "predict", "--model",
                                            str(cases[1]), "good"]),
                   "rnn_apps.json is a symbolic link, not a regular file")


def test_a_malformed_history_loads_the_model_with_a_note(saved_sentiment, tmp_path,
                                                         monkeypatch):
    copy = tmp_path / "model"
    shutil.copytree(saved_sentiment, copy)
    (copy / "history.csv").write_text("epoch,loss\n1,not-a-number\n2,\x00\n")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = SentimentClassifier.load(copy)
    assert model.history_ == {} and len(model.predict(["a fine film"])) == 1
    notes = [str(w.message) for w in caught if issubclass(w.category, Note)]
    assert len(notes) == 1 and "history.csv cannot be read" in notes[0], notes
    monkeypatch.setattr(warnings, "showwarning", warnings.showwarning)  # restored after
    print_notes_as_lines()  # as the entry point does
    result = CliRunner().invoke(cli, ["sentiment", "predict", "--model", str(copy), "good"])
    assert result.exit_code == 0, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("note: ") and "history.csv" in lines[0], \
        result.stderr


def rezip(path, members):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def test_keras_files_that_are_bombs_random_bytes_or_too_deep_are_one_line(
        saved_sentiment, tmp_path):
    copy = tmp_path / "model"
    shutil.copytree(saved_sentiment, copy)
    keras_file = copy / "model.keras"
    with zipfile.ZipFile(saved_sentiment / "model.keras") as archive:
        real = {name: archive.read(name) for name in archive.namelist()}
    config = json.loads(real["config.json"])
    assert json_depth(config) < MAX_CONFIG_DEPTH // 4  # ample headroom
    padded = json.dumps(config)[:-1] + ', "pad": "' + " " * (20 << 20) + '"}'
    too_deep = {"a": [[[{"b": 0}]] * 30]}
    for _ in range(50):
        too_deep = {"c": [too_deep]}  # depth 105 (< 1000): parses, refused by the count
    deep = "[" * 200_000 + "]" * 200_000
    cases = [
        (os.urandom(4096), "not a Keras model file (not a zip archive)"),
        ({**real, "config.json": padded}, "config.json declares"),
        ({**real, "model.weights.h5": b"\0" * (40 << 20)}, "refused as a decompression bomb"),
        ({**real, "config.json": deep}, f"nests deeper than {MAX_CONFIG_DEPTH} levels"),
        ({**real, "config.json": json.dumps(too_deep)}, "nests deeper"),
        ({"metadata.json": real["metadata.json"]}, "no config.json"),
    ]
    for content, message in cases:
        if isinstance(content, bytes):
            keras_file.write_bytes(content)
        else:
            rezip(keras_file, content)
        started = time.perf_counter()
        with pytest.raises(ModelDirError, match="model.keras") as caught:
            SentimentClassifier.load(copy)
        assert message in str(caught.value) and "\n" not in str(caught.value)
        assert "not a readable" not in str(caught.value)  # our refusal, not wrapped
        assert time.perf_counter() - started < 10


def test_outputs_are_never_written_into_a_model_or_export_directory(saved_sentiment,
                                                                    tmp_path):
    before = {p.name: p.read_bytes() for p in saved_sentiment.iterdir()}
    model = str(saved_sentiment)
    for command in (
            ["sentiment", "predict", "--model", model, "--output",
             str(saved_sentiment / "model.keras"), "good"],
            ["sentiment", "predict", "--model", model, "--output",
             str(saved_sentiment / "rnn_apps.json"), "good"],
            ["sentiment", "predict", "--model", model, "--output",
             str(saved_sentiment / "sub" / "new.csv"), "good"],
            ["tagging", "predict", "--model", model, "--output",
             str(saved_sentiment / "tags.txt"), "a b"],
            ["seq2seq", "predict", "--model", model, "--output",
             str(saved_sentiment / "out.txt"), "a b"],
            ["forecast", "predict", "--model", model, "--data", "x.csv", "--plot",
             str(saved_sentiment / "plot.png")],
            ["inspect", "--model", model, "--input", "good", "--out",
             str(saved_sentiment / "learning_curves.png")]):
        one_line_error(CliRunner().invoke(cli, command), "inside the model or export directory",
                       "refused")
    one_line_error(CliRunner().invoke(cli, ["sentiment", "predict", "--model", model,
                                            "--output", str(tmp_path), "good"]),
                   "is a directory")
    export = tmp_path / "export"  # the shape of an export: a SavedModel and our marker
    (export / "variables").mkdir(parents=True)
    for name in ("saved_model.pb", "rnn_apps_export.json"):
        (export / name).write_text("{}")
    one_line_error(CliRunner().invoke(cli, ["sentiment", "predict", "--model", model,
                                            "--output", str(export / "variables" / "x.csv"),
                                            "good"]), "inside the model or export directory")
    assert {p.name: p.read_bytes() for p in saved_sentiment.iterdir()} == before
    # a link elsewhere that points into the model is refused too
    (tmp_path / "link.csv").symlink_to(saved_sentiment / "model.keras")
    one_line_error(CliRunner().invoke(cli, ["sentiment", "predict", "--model", model,
                                            "--output", str(tmp_path / "link.csv"), "good"]),
                   "inside the model or export directory")
    result = CliRunner().invoke(cli, ["sentiment", "predict", "--model", model, "--output",
                                      str(tmp_path / "out.csv"), "good"])
    assert result.exit_code == 0 and (tmp_path / "out.csv").is_file(), result.output


def test_a_swapped_subword_model_is_refused_and_older_models_still_load(tmp_path):
    from rnn_apps.preprocessing.subword import train_model
    from tests.preprocessing.test_subword import corpus

    text = "\n".join(corpus(60))
    model = TextGenerator(**{**TINY, "epochs": 1, "units": 4}, level="subword",
                          vocab_size=40, bptt=16).fit(text)
    model.save(tmp_path / "model")
    path = tmp_path / "model" / "rnn_apps.json"
    metadata = json.loads(path.read_text())
    assert list(metadata[saving.SUBWORD_HASHES]) == ["state.subword"]
    metadata["state"]["subword"] = train_model(corpus(60, seed=1), 40)  # another valid model
    path.write_text(json.dumps(metadata))
    with pytest.raises(ModelDirError, match="subword model at state.subword is not the one "
                                            "saved"):
        load(tmp_path / "model")
    del metadata[saving.SUBWORD_HASHES]  # saved before hashes were recorded: loads as before
    path.write_text(json.dumps(metadata))
    assert load(tmp_path / "model").vocabulary_.subword == metadata["state"]["subword"]


def test_only_our_marked_temporary_siblings_are_removed(tmp_path):
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    users = [tmp_path / ".tgt.4000000.x.tmp", tmp_path / f".tgt.old-{gone.pid}"]
    for folder in users:
        folder.mkdir()
        (folder / "thesis.tex").write_text("precious")
    ours = tmp_path / f".tgt.{gone.pid}.abc.tmp"
    ours.mkdir()
    (ours / ".rnn_apps_partial").write_text(ours.name)
    with saving.atomic_directory(tmp_path / "tgt") as tmp:
        assert (tmp / ".rnn_apps_partial").read_text() == tmp.name  # marked while written
        saving.write_metadata(tmp, "sentiment", {}, {})
        (tmp / "model.keras").write_text("k")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["tgt", *(folder.name for folder in users)])
    assert sorted(p.name for p in (tmp_path / "tgt").iterdir()) == ["model.keras",
                                                                    "rnn_apps.json"]
    assert all((folder / "thesis.tex").read_text() == "precious" for folder in users)


def test_an_output_directory_that_is_a_symbolic_link_is_refused_as_one(tmp_path, small_csv,
                                                                       monkeypatch):
    real = tmp_path / "real"
    real.mkdir()
    link = tmp_path / "link"
    link.symlink_to(real)

    def never(*args, **kwargs):
        raise AssertionError("trained before checking --out")

    monkeypatch.setattr(SentimentClassifier, "fit", never)
    result = CliRunner().invoke(cli, ["sentiment", "train", "--data", str(small_csv),
                                      "--out", str(link)])
    one_line_error(result, "is a symbolic link; refused")
    assert "not a directory" not in result.output
