"""rnn-apps tagging: train, evaluate, predict, export on tokens and frames; bad input."""

import json

import pytest

from tests.cli.test_cli import one_line_error, run
from tests.tasks.test_tagging import corpus

TINY = ["--units", "8", "--embedding-dim", "8", "--char-filters", "4", "--epochs", "1",
        "--seed", "0", "--quiet"]


@pytest.fixture(scope="module")
def conll(tmp_path_factory):
    sentences, tags = corpus(60)
    lines = ["-DOCSTART- O", ""]
    for tokens, labels in zip(sentences, tags):
        lines += [f"{t} {g}" for t, g in zip(tokens, labels)] + [""]
    path = tmp_path_factory.mktemp("tagging") / "train.conll"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def test_tokens_train_evaluate_predict_export(tmp_path, conll):
    out = tmp_path / "model"
    result = run("tagging", "train", "--data", conll, "--out", out, "--crf", *TINY)
    assert result.exit_code == 0, result.output
    assert "60 sequences (330 steps, 4 tags)" in result.output
    result = run("tagging", "evaluate", "--model", out, "--data", conll, "--json")
    assert result.exit_code == 0, result.output
    metrics = json.loads(result.output)
    assert metrics["n_tokens"] == 330 and "entity_f1" in metrics
    result = run("tagging", "predict", "--model", out, "Bob went to Rome", "hello")
    assert result.exit_code == 0, result.output
    lines = result.output.split("\n")
    assert [line.split("\t")[0] for line in lines[:6]] == ["Bob", "went", "to", "Rome", "",
                                                           "hello"]
    result = run("tagging", "predict", "--model", out, "--data", conll, "--output",
                 tmp_path / "tagged.conll")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "tagged.conll").read_text().count("\t") == 330
    result = run("tagging", "export", "--model", out, "--out", tmp_path / "export")
    assert result.exit_code == 0 and (tmp_path / "export" / "saved_model.pb").is_file()


def test_frames_csv_train_and_predict(tmp_path):
    path = tmp_path / "frames.csv"
    rows = ["sequence,x,y,label"]
    for s in range(12):
        rows += [f"s{s},{(i % 3) - 1},{s % 2},{'up' if i % 3 == 2 else 'down'}"
                 for i in range(6)]
    path.write_text("\n".join(rows) + "\n")
    out = tmp_path / "m"
    result = run("tagging", "train", "--data", path, "--out", out, *TINY)
    assert result.exit_code == 0, result.output
    result = run("tagging", "predict", "--model", out, "--data", path)
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[0] == "sequence_index,x,y,predicted" and len(lines) == 1 + 72


@pytest.mark.parametrize(("name", "text", "args", "fragments"), [
    ("a.conll", "EU NNP B-ORG\nrejects O\n", [], ["line 2", "2 columns, but line 1 has 3"]),
    ("a.conllu", "1\tDo\tdo\tAUX\n", [], ["line 1", "expected 10"]),
    ("a.conllu", "1\tDo\tdo\tAUX\tVB\t_\t0\troot\t_\t_\n", ["--tag-column", "deprel"],
     ["tag column must be upos or xpos"]),
    ("f.csv", "sequence,x,label\na,1,up\na,1,\n", [], ["line 3", "label is missing"]),
    ("f.csv", "sequence,x,label\na,1,up\na,1,2,up\n", [], ["line 3", "4 fields"]),
    ("a.xyz", "a b\n", [], ["cannot tell the format"]),
])
def test_bad_input_one_line_errors(tmp_path, name, text, args, fragments):
    path = tmp_path / name
    path.write_text(text)
    out = tmp_path / "m"
    one_line_error(run("tagging", "train", "--data", path, "--out", out, *args, *TINY),
                   *fragments)
    assert not out.exists()


def test_predict_needs_exactly_one_input(tmp_path, saved_sentiment):
    one_line_error(run("tagging", "predict", "--model", saved_sentiment, "x"), "sentiment")
