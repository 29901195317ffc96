"""rnn-apps seq2seq: train, evaluate, predict, chat, export; bad input."""

import json

import pytest

from tests.cli.test_cli import one_line_error, run
from tests.tasks.test_seq2seq import reversal

TINY = ["--units", "8", "--embedding-dim", "8", "--epochs", "1", "--valid-split", "0", "--seed",
        "0", "--quiet"]


@pytest.fixture(scope="module")
def pairs(tmp_path_factory):
    sources, targets = reversal(80)
    path = tmp_path_factory.mktemp("seq2seq") / "pairs.tsv"
    path.write_text("source\ttarget\n" + "".join(f"{s}\t{t}\tx\n" for s, t in
                                                zip(sources, targets)), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def model_dir(pairs, tmp_path_factory):
    out = tmp_path_factory.mktemp("seq2seq_model") / "m"
    result = run("seq2seq", "train", "--data", pairs, "--out", out, "--beam-width", "2", *TINY)
    assert result.exit_code == 0, result.output
    assert "trained 1 epochs on 80 pairs" in result.output
    assert "chosen: source level char (1.00 words per text" in result.output
    assert "dropout 0 (no open word vocabulary)" in result.output
    return out


def test_evaluate_and_predict(model_dir, pairs, tmp_path):
    result = run("seq2seq", "evaluate", "--model", model_dir, "--data", pairs, "--json")
    assert result.exit_code == 0, result.output
    metrics = json.loads(result.output)
    assert set(metrics) == {"bleu", "chrf", "exact_match", "cer", "n"} and metrics["n"] == 80
    result = run("seq2seq", "predict", "--model", model_dir, "abc", "fed", "--beam-width", "1")
    assert result.exit_code == 0, result.output
    assert len(result.output.splitlines()) == 2
    result = run("seq2seq", "predict", "--model", model_dir, "--data", pairs, "--output",
                 tmp_path / "out.tsv")
    assert result.exit_code == 0, result.output
    lines = (tmp_path / "out.tsv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "source\toutput" and len(lines) == 81
    assert lines[1].split("\t")[0] == pairs.read_text().splitlines()[1].split("\t")[0]


def test_chat_answers_each_piped_line(model_dir):
    from click.testing import CliRunner

    from rnn_apps.cli import cli

    result = CliRunner().invoke(cli, ["seq2seq", "chat", "--model", str(model_dir)],
                                input="abc\n\nfedcba\nazq\n")
    assert result.exit_code == 0, result.output
    answers = result.stdout.split("\n")
    assert len(answers) == 5 and answers[1] == "" and answers[4] == ""
    assert "note: empty line" in result.stderr
    assert "note: 1 source had tokens unseen in training" in result.stderr


def test_chat_survives_nul_bytes_and_bad_utf8(model_dir):
    from click.testing import CliRunner

    from rnn_apps.cli import cli

    result = CliRunner().invoke(cli, ["seq2seq", "chat", "--model", str(model_dir)],
                                input=b"ab\x00c\n\xff\xfe\nabc\n")
    assert result.exit_code == 0, result.output
    answers = result.stdout.split("\n")
    assert len(answers) == 4 and answers[0] == answers[1] == ""  # one line per input line
    assert "contains a NUL character" in result.stderr
    assert "not UTF-8 text" in result.stderr and "Traceback" not in result.output


def test_inspect_draws_attention(model_dir, tmp_path):
    from tests.test_inspect import assert_real_picture

    result = run("inspect", "--model", model_dir, "--input", "abcdefabcdef", "--out",
                 tmp_path / "attention.png")
    assert result.exit_code == 0, result.output
    assert "note: 1 source longer than 6 tokens was cut to 6" in result.output
    assert_real_picture(tmp_path / "attention.png", min_bytes=5000)


def test_export_and_no_attention_word_model(model_dir, tmp_path):
    result = run("seq2seq", "export", "--model", model_dir, "--out", tmp_path / "export")
    assert result.exit_code == 0 and (tmp_path / "export" / "saved_model.pb").is_file()
    assert "text string[batch] -> output string[batch]" in result.output
    path = tmp_path / "words.tsv"
    path.write_text("one two\t1 2\nthree\t3\n" * 5, encoding="utf-8")
    result = run("seq2seq", "train", "--data", path, "--out", tmp_path / "w", "--level", "word",
                 "--attention", "none", "--max-source-length", "1", *TINY)
    assert result.exit_code == 0, result.output
    assert "note: 5 sources longer than 1 tokens were cut to 1" in result.output
    result = run("inspect", "--model", tmp_path / "w", "--input", "one", "--out",
                 tmp_path / "a.png")
    one_line_error(result, "trained without attention")
    assert not (tmp_path / "a.png").exists()


@pytest.mark.parametrize(("text", "fragment"), [
    ("hello world\n", "line 1: no tab"),
    ("a\tb\n\tc\n", "line 2: empty source"),
])
def test_bad_pairs_are_one_line_errors_and_write_nothing(tmp_path, text, fragment):
    path = tmp_path / "bad.tsv"
    path.write_text(text, encoding="utf-8")
    result = run("seq2seq", "train", "--data", path, "--out", tmp_path / "m", *TINY)
    one_line_error(result, fragment)
    assert not (tmp_path / "m").exists()


def test_predict_needs_texts_or_data(model_dir):
    one_line_error(run("seq2seq", "predict", "--model", model_dir), "give texts")
    one_line_error(run("seq2seq", "evaluate", "--model", model_dir, "--data", "missing.tsv"),
                   "missing.tsv")
