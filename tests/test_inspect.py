"""Hidden states from every task, their heatmaps and the inspect command."""

import numpy as np
import pytest
from matplotlib.image import imread

from rnn_apps.viz.hidden import most_active_units, plot_hidden_states
from tests.cli.test_cli import one_line_error, run


def assert_real_picture(path, min_bytes=15000):
    assert path.stat().st_size > min_bytes
    pixels = imread(path)
    assert pixels.shape[0] > 200 and pixels.shape[1] > 300
    assert pixels[..., :3].std() > 0.05  # not a blank canvas


def test_sentiment_hidden_states_cover_every_layer_and_token(fitted_sentiment):
    (states,) = fitted_sentiment.hidden_states(["the camera was not good"])
    assert states["tokens"] == ["the", "camera", "was", "not", "good"]
    assert len(states["layers"]) == fitted_sentiment.layers
    assert states["layers"][0].shape == (5, fitted_sentiment.units)
    assert np.abs(states["layers"][0]).max() > 0


def test_textgen_hidden_states_follow_characters():
    from rnn_apps import TextGenerator

    model = TextGenerator(cell="lstm", units=6, layers=2, embedding_dim=4, bptt=8, batch_size=2,
                          epochs=1, seed=0, verbose=0).fit("abc (abc) abc " * 20)
    (states,) = model.hidden_states("(abc)")
    assert states["tokens"] == list("(abc)")
    assert [a.shape for a in states["layers"]] == [(5, 6), (5, 6)]


def test_heatmap_orders_units_and_renders(tmp_path):
    activations = np.zeros((4, 3))
    activations[:, 2] = 0.9
    activations[:, 0] = -0.3
    assert list(most_active_units(activations, 2)) == [2, 0]
    rng = np.random.default_rng(0)
    layers = [np.tanh(rng.normal(size=(12, 40))), np.tanh(rng.normal(size=(12, 40)))]
    path = plot_hidden_states(list("hello (world"), layers, tmp_path / "h.png",
                              title="test", units=10)
    assert_real_picture(path)


@pytest.mark.parametrize("task", ["sentiment", "textgen"])
def test_inspect_command_renders_each_task(task, tmp_path, saved_sentiment):
    if task == "sentiment":
        model_dir, text = saved_sentiment, "the food was good but the service was slow"
    else:
        from rnn_apps import TextGenerator

        model_dir = tmp_path / "lm"
        TextGenerator(units=8, embedding_dim=4, bptt=8, batch_size=2, epochs=1, seed=0,
                      verbose=0).fit("the cat (sat) on the mat. " * 20).save(model_dir)
        text = "the (cat) sat"
    out = tmp_path / "inspect.png"
    result = run("inspect", "--model", model_dir, "--input", text, "--out", out, "--units", "6")
    assert result.exit_code == 0, result.output
    assert_real_picture(out, min_bytes=8000)


def test_inspect_bad_input(tmp_path, saved_sentiment):
    one_line_error(run("inspect", "--model", tmp_path, "--input", "x", "--out",
                       tmp_path / "a.png"), "not an rnn-apps model directory")
    one_line_error(run("inspect", "--model", saved_sentiment, "--input", "x", "--out",
                       tmp_path / "a.png", "--units", "0"), "must be positive")


def test_forecast_hidden_states_and_inspect(tmp_path, saved_forecaster, series_csv):
    import rnn_apps
    from rnn_apps.data.series import read_series_csv

    model = rnn_apps.load(saved_forecaster)
    (states,) = model.hidden_states(read_series_csv(series_csv, time_column="date"))
    assert states["tokens"][0] == "t-13" and states["tokens"][-1] == "t0"
    assert states["layers"][0].shape == (14, 8) and np.abs(states["layers"][0]).max() > 0
    out = tmp_path / "f.png"
    result = run("inspect", "--model", saved_forecaster, "--input", series_csv, "--out", out,
                 "--units", "6")
    assert result.exit_code == 0, result.output
    assert_real_picture(out, min_bytes=8000)



@pytest.mark.parametrize("task", ["forecast", "sentiment", "seq2seq", "tagging", "textgen"])
def test_every_shipped_task_has_its_inspect_sample(task):
    import inspect

    from rnn_apps.core import registry

    sample = registry.hook(task, "inspect")
    assert sample.__module__ == f"rnn_apps.tasks.{task}.inspect"
    assert list(inspect.signature(sample).parameters) == ["model", "source", "max_steps"]


def test_inspect_finds_the_view_through_the_tasks_hook(tmp_path, saved_sentiment, monkeypatch):
    import rnn_apps

    hooks = rnn_apps.SentimentClassifier.hooks
    monkeypatch.setitem(hooks, "inspect", None)
    args = ("inspect", "--model", saved_sentiment, "--input", "good", "--out", tmp_path / "a.png")
    one_line_error(run(*args), "the sentiment task has no hidden-state view (rnn-apps inspect)")
    monkeypatch.setitem(hooks, "inspect", "rnn_apps.tasks.textgen.inspect:sample")
    monkeypatch.setattr(rnn_apps.SentimentClassifier, "hidden_states",
                        lambda self, texts: [{"tokens": list(texts[0]), "layers": [np.ones(
                            (len(texts[0]), 3))]}])
    assert run(*args).exit_code == 0 and (tmp_path / "a.png").is_file()
    from rnn_apps.tasks.textgen import inspect as textgen_inspect

    monkeypatch.setattr(textgen_inspect, "sample", lambda model, source, steps: {"kind": "x"})
    one_line_error(run(*args), "the sentiment task's inspect hook must give a dict")
