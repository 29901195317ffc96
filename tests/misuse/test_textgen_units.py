"""Subword language models say what each figure is per (issue 27).

``textgen train --level subword`` printed the loss per piece as "bits per
character" (7.23 printed, 2.61 true). Every printed and stored figure now
names its unit, and ``bits_per_char`` is per character everywhere.
"""

import csv
import json
import math
import re

import pytest

from rnn_apps import TextGenerator
from tests.cli.test_cli import run

WORDS = ["the", "cat", "sat", "on", "mat", "dog", "ran", "to", "park", "and", "a", "red", "ball"]


def text(n, seed):
    import random

    rng = random.Random(seed)
    return "\n".join(" ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 9)))
                     for _ in range(n))


def test_subword_figures_say_per_piece_and_bits_per_char_is_per_character(tmp_path):
    train, valid = tmp_path / "train.txt", tmp_path / "valid.txt"
    train.write_text(text(300, 0))
    valid.write_text(text(40, 1))
    out = tmp_path / "lm"
    result = run("textgen", "train", "--data", train, "--valid-data", valid, "--out", out,
                 "--level", "subword", "--vocab-size", "40", "--cell", "gru", "--units", "8",
                 "--embedding-dim", "4", "--bptt", "16", "--batch-size", "8", "--epochs", "1",
                 "--seed", "0", "--quiet")
    assert result.exit_code == 0, result.output

    # history.csv: the loss per piece, and bits per piece and per character beside it
    with open(out / "history.csv", newline="") as handle:
        row = next(csv.DictReader(handle))
    per_piece, per_char = float(row["val_bits_per_piece"]), float(row["val_bits_per_char"])
    assert per_piece == pytest.approx(float(row["val_loss"]) / math.log(2))
    assert float(row["bits_per_piece"]) == pytest.approx(float(row["loss"]) / math.log(2))
    assert per_char < per_piece / 1.5  # a piece holds several characters

    # bits_per_char of the log is what evaluate finds on the same text, per character
    model = TextGenerator.load(out)
    metrics = model.evaluate(valid.read_text())
    assert metrics["bits_per_char"] == pytest.approx(per_char, rel=1e-4)
    assert metrics["bits_per_piece"] == pytest.approx(per_piece, rel=1e-4)
    assert metrics["loss_unit"] == "nats per piece"
    assert metrics["n_pieces"] < metrics["n_chars"] == len(valid.read_text()) - 1

    # the printed summary: no per-piece figure called per character
    summary = next(line for line in result.output.splitlines() if "best validation" in line)
    assert "loss in nats per piece" in summary and "bits per character" not in summary
    printed = float(re.search(r"bits_per_char ([0-9.]+)", summary).group(1))
    assert printed == pytest.approx(per_char, abs=1e-4)

    # metadata and info
    provenance = json.loads((out / "rnn_apps.json").read_text())["provenance"]
    assert provenance["units"] == {"loss": "nats per piece", "records": "characters"}
    shown = run("info", out).output
    assert re.search(r"loss [0-9.]+ \(nats per piece\)", shown), shown
    assert f"records: {len(train.read_text())} characters" in shown
    evaluated = json.loads(run("textgen", "evaluate", "--model", out, "--data", valid,
                               "--json").output)
    assert evaluated["loss_unit"] == "nats per piece" and "bits_per_piece" in evaluated
