"""With --json, stdout holds exactly one JSON document, for every command that
has the option; training epochs, progress bars and notes go to stderr."""

import json

import click
import pytest
from click.testing import CliRunner

from rnn_apps.cli import cli
from tests.conftest import DATASETS

SMALL = {"units": 4, "epochs": 1, "batch_size": 16, "seed": 0, "verbose": 0}


def json_commands(group=cli, path=()):
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from json_commands(command, (*path, name))
        elif any("--json" in param.opts for param in command.params):
            yield " ".join((*path, name))


@pytest.fixture(scope="module")
def models(tmp_path_factory, saved_sentiment, saved_forecaster):
    import rnn_apps
    from rnn_apps.data.pairs import read_pairs
    from rnn_apps.data.tagged import read_tagged

    folder = tmp_path_factory.mktemp("json")
    words, tags = read_tagged(DATASETS / "tagging" / "ner_train.conll")
    sources, targets = read_pairs(DATASETS / "seq2seq" / "dates_train.tsv")
    text = (DATASETS / "textgen" / "corpus.txt").read_text(encoding="utf-8")[:2000]
    fitted = {
        "tagging": rnn_apps.Tagger(embedding_dim=4, char_filters=0, **SMALL).fit(words[:40],
                                                                                tags[:40]),
        "seq2seq": rnn_apps.Seq2SeqTranslator(embedding_dim=4, **SMALL).fit(sources[:40],
                                                                           targets[:40]),
        "textgen": rnn_apps.TextGenerator(embedding_dim=4, bptt=16, **SMALL).fit(text),
    }
    paths = {name: model.save(folder / name) for name, model in fitted.items()}
    conll = folder / "tagged.conll"
    conll.write_text("".join("".join(f"{w} {t}\n" for w, t in zip(s, g)) + "\n"
                             for s, g in zip(words[:10], tags[:10])), encoding="utf-8")
    pairs = folder / "pairs.tsv"
    pairs.write_text("source\ttarget\n" + "".join(f"{s}\t{t}\n" for s, t in
                                                zip(sources[:10], targets[:10])))
    prose = folder / "held_out.txt"
    prose.write_text(text[:400], encoding="utf-8")
    return {**paths, "sentiment": saved_sentiment, "forecast": saved_forecaster,
            "conll": conll, "pairs": pairs, "prose": prose}


def test_every_json_command_prints_one_document_on_stdout(models, series_csv):
    sentiment_data = DATASETS / "sentiment" / "test.csv"
    calls = {
        "sentiment evaluate": ["--model", models["sentiment"], "--data", sentiment_data],
        "tagging evaluate": ["--model", models["tagging"], "--data", models["conll"]],
        "seq2seq evaluate": ["--model", models["seq2seq"], "--data", models["pairs"]],
        "textgen evaluate": ["--model", models["textgen"], "--data", models["prose"]],
        "forecast evaluate": ["--model", models["forecast"], "--data", series_csv],
        # no --quiet: the epochs of every origin are printed, and must not reach stdout
        "forecast backtest": ["--data", series_csv, "--targets", "sales", "--lookback", "14",
                              "--horizon", "2", "--origins", "2", "--units", "4", "--epochs",
                              "2", "--seed", "0", "--inputs", "relative", "--deseasonalize",
                              "none", "--ensemble", "1"],
        "info": [models["forecast"]],
    }
    assert set(json_commands()) <= set(calls), "a --json command this test does not run"
    for command, args in calls.items():
        result = CliRunner().invoke(cli, [*command.split(), *map(str, args), "--json"],
                                    catch_exceptions=False)
        assert result.exit_code == 0, (command, result.output)
        document = json.loads(result.stdout)  # exactly one document, nothing else
        assert isinstance(document, dict) and document, command
        if command == "forecast backtest":
            assert "epoch" in result.stderr.lower(), "progress moved to stderr, not lost"
