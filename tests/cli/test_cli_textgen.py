import json

from tests.cli.test_cli import one_line_error, run

TINY = ["--cell", "gru", "--units", "8", "--embedding-dim", "4", "--bptt", "16",
        "--batch-size", "4", "--epochs", "1", "--seed", "0", "--quiet"]


def test_textgen_train_evaluate_generate_export(tmp_path):
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("the cat sat on the mat. " * 40, encoding="utf-8")
    out = tmp_path / "lm"
    result = run("textgen", "train", "--data", corpus, "--out", out, *TINY)
    assert result.exit_code == 0, result.output
    assert "bits_per_char" in result.output and "loss in nats per character" in result.output
    assert (out / "model.keras").is_file()

    result = run("textgen", "evaluate", "--model", out, "--data", corpus, "--json")
    metrics = json.loads(result.output)
    assert set(metrics) == {"loss", "perplexity", "bits_per_char", "n_chars", "loss_unit"}

    result = run("textgen", "generate", "--model", out, "--prompt", "the ", "--length", "15",
                 "--temperature", "0.5", "--seed", "2")
    assert result.exit_code == 0 and result.output.startswith("the ")
    again = run("textgen", "generate", "--model", out, "--prompt", "the ", "--length", "15",
                "--temperature", "0.5", "--seed", "2")
    assert again.output == result.output

    result = run("textgen", "export", "--model", out, "--out", tmp_path / "export")
    assert result.exit_code == 0 and (tmp_path / "export" / "saved_model.pb").is_file()


def test_textgen_bad_input(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    one_line_error(run("textgen", "train", "--data", empty, "--out", tmp_path / "m", *TINY),
                   "is empty")
    binary = tmp_path / "blob.txt"
    binary.write_bytes(b"\x00\x01\x02\x03binary")
    one_line_error(run("textgen", "train", "--data", binary, "--out", tmp_path / "m", *TINY),
                   "looks binary")
    assert not (tmp_path / "m").exists()
    corpus = tmp_path / "c.txt"
    corpus.write_text("abcabcabc " * 30)
    assert run("textgen", "train", "--data", corpus, "--out", tmp_path / "m", *TINY).exit_code == 0
    one_line_error(run("textgen", "generate", "--model", tmp_path / "m", "--prompt", "xyz"),
                   "characters not in the training text")
    one_line_error(run("textgen", "generate", "--model", tmp_path / "m", "--prompt", "ab",
                       "--length", "0"), "length must be a positive integer")
    one_line_error(run("textgen", "generate", "--model", tmp_path / "m", "--prompt", "ab",
                       "--temperature", "-1"), "temperature must be a number in [0, 100]")
    one_line_error(run("sentiment", "predict", "--model", tmp_path / "m", "abc"),
                   "'textgen' model, not a 'sentiment' model")
