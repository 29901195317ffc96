"""Numbers that are not numbers, and sizes no machine holds: one-line errors."""

import json

import numpy as np
import pytest
from click.testing import CliRunner

from rnn_apps.cli import cli
from rnn_apps.errors import DataError, RnnAppsError
from tests.conftest import one_line_error


def test_values_beyond_float32_are_refused_by_every_numeric_reader(tmp_path):
    from rnn_apps import Forecaster
    from rnn_apps.data.series import read_series_csv
    from rnn_apps.data.tagged import read_frames_csv

    series = tmp_path / "s.csv"
    series.write_text("t,y\n0,1\n1,1e39\n")
    with pytest.raises(DataError, match="line 3: column 'y' value '1e39' is beyond the 32-bit"):
        read_series_csv(series)
    frames = tmp_path / "f.csv"
    frames.write_text("sequence,x,label\na,1,u\na,-4e38,v\n")
    with pytest.raises(DataError, match="line 3: a feature value is NaN, infinite or beyond"):
        read_frames_csv(frames)
    with pytest.raises(DataError, match="beyond the 32-bit float range"):
        Forecaster(epochs=1).fit(np.array([1.0, 2.0, 1e39] * 20))


def test_json_output_never_holds_nan_or_infinity():
    from rnn_apps.cli.options import echo_json, finite_json

    assert finite_json({"a": float("nan"), "b": [1.0, float("inf")], "c": "x"}) == \
        ({"a": None, "b": [1.0, None], "c": "x"}, 2)
    import click

    command = click.Command("x", callback=lambda: echo_json({"mase": float("nan"), "n": 3}))
    result = CliRunner().invoke(command)
    assert json.loads(result.stdout) == {"mase": None, "n": 3}
    assert "1 value(s) were not finite" in result.stderr


@pytest.fixture(scope="module")
def tiny_textgen(tmp_path_factory):
    from rnn_apps import TextGenerator

    path = tmp_path_factory.mktemp("tg") / "model"
    TextGenerator(units=4, embedding_dim=4, bptt=8, epochs=1, seed=0, verbose=0) \
        .fit("and the earth was without form " * 20).save(path)
    return path


@pytest.mark.parametrize("option, value, message", [
    ("--length", "2000000000", "length must be a positive integer up to 100000"),
    ("--temperature", "nan", "temperature must be a number in [0, 100]"),
    ("--temperature", "-1", "temperature must be a number in [0, 100]"),
    ("--top-k", "0", "top_k must be a positive integer"),
])
def test_generation_sizes_are_capped(tiny_textgen, option, value, message):
    result = CliRunner().invoke(cli, ["textgen", "generate", "--model", str(tiny_textgen),
                                      "--prompt", "and ", option, value])
    one_line_error(result, message)


@pytest.mark.parametrize("params, message", [
    ({"batch_size": 10**9}, "batch_size must be a positive integer up to 65536"),
    ({"units": 10**7}, "units must be a positive integer up to 16384"),
    ({"bptt": 10**9}, "bptt must be a positive integer up to 1000000"),
    ({"learning_rate": float("nan")}, "learning_rate must be a positive number"),
])
def test_training_sizes_are_capped(params, message):
    from rnn_apps import TextGenerator

    with pytest.raises(RnnAppsError, match=message):
        TextGenerator(**params).fit("some text " * 10)


def test_decoding_and_backtest_sizes_are_capped():
    from rnn_apps import Seq2SeqTranslator
    from rnn_apps.tasks.forecast.backtest import rolling_origins

    with pytest.raises(RnnAppsError, match="beam_width must be a positive integer up to 64"):
        Seq2SeqTranslator._check_decoding(1000, 1.0)
    with pytest.raises(RnnAppsError, match="max_length must be a positive integer up to"):
        Seq2SeqTranslator._check_decoding(2, 1.0, 10**9)
    with pytest.raises(DataError, match="need a series of"):
        rolling_origins(100, horizon=1, origins=10**9, step=1, min_train=10)


def test_a_model_with_non_finite_weights_is_never_written(fitted_sentiment, tmp_path):
    from sklearn.base import clone

    from rnn_apps.core.engine import TrainingError

    broken = clone(fitted_sentiment)
    broken.__dict__.update({k: v for k, v in fitted_sentiment.__dict__.items()
                            if k.endswith("_")})
    import keras

    broken.model_ = keras.models.clone_model(fitted_sentiment.model_)
    weights = fitted_sentiment.model_.get_weights()
    weights[0] = weights[0] * np.nan
    broken.model_.set_weights(weights)
    for write in (broken.save, broken.export):
        with pytest.raises(TrainingError, match="NaN or infinite weights"):
            write(tmp_path / "out")
    assert not (tmp_path / "out").exists()
