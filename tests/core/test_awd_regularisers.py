"""AWD-LSTM regularisers: active in training, absent at inference, on every path."""

import dataclasses
import json

import keras
import numpy as np
import pytest
import tensorflow as tf
from click.testing import CliRunner

from rnn_apps.core import fast_kernels, fast_rnn, regularisers
from rnn_apps.core.config import RecurrentConfig
from rnn_apps.core.recurrent import build_recurrent_stack, make_recurrent_layer
from rnn_apps.errors import RnnAppsError

X = np.random.default_rng(0).normal(size=(3, 6, 5)).astype("float32")
ALL_ON = {"embedding_dropout": 0.1, "weight_drop": 0.3, "locked_dropout": True, "dropout": 0.2,
          "activation_reg": 1.0, "temporal_reg": 1.0}


def layer_pair(monkeypatch, cell, fast, **settings):
    """A weight-dropped layer and a plain one with the same weights."""
    monkeypatch.setenv(fast_rnn.SWITCH, "1" if fast else "0")
    keras.utils.set_random_seed(1)
    config = RecurrentConfig(cell=cell, units=4, weight_drop=0.5, **settings)
    dropped = make_recurrent_layer(config, return_sequences=True, name="dropped")
    plain = make_recurrent_layer(dataclasses.replace(config, weight_drop=0.0),
                                 return_sequences=True, name="plain")
    dropped(X), plain(X)
    plain.set_weights(dropped.get_weights())
    return dropped, plain


@pytest.mark.parametrize("fast", [True, False], ids=["fast-path", "keras-loop"])
@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn"])
def test_weight_drop_acts_in_training_only(monkeypatch, cell, fast):
    dropped, plain = layer_pair(monkeypatch, cell, fast)
    assert fast_rnn.is_enabled(dropped) == fast
    kernel = dropped.cell.recurrent_kernel.numpy().copy()
    traces = sum(fast_kernels.TRACES.values())
    first, second = (dropped(X, training=True).numpy() for _ in range(2))
    assert (sum(fast_kernels.TRACES.values()) > traces) == fast  # the path that was asked for
    assert np.abs(first - second).max() > 1e-3  # a new mask per forward pass
    np.testing.assert_array_equal(dropped.cell.recurrent_kernel.numpy(), kernel)
    np.testing.assert_array_equal(dropped(X).numpy(), plain(X).numpy())
    np.testing.assert_array_equal(dropped(X, training=False).numpy(), plain(X).numpy())


@pytest.mark.parametrize("fast", [True, False], ids=["fast-path", "keras-loop"])
@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn"])
def test_weight_drop_is_one_rescaled_mask_for_every_step(monkeypatch, cell, fast):
    dropped, plain = layer_pair(monkeypatch, cell, fast)
    drawn = []
    draw = keras.random.dropout
    monkeypatch.setattr(keras.random, "dropout",
                        lambda *a, **k: drawn.append(draw(*a, **k)) or drawn[-1])
    with tf.GradientTape() as tape:
        out = dropped(X, training=True)
        loss = tf.reduce_sum(out * np.linspace(-1, 1, out.shape[-1]))
    gradient = tape.gradient(loss, dropped.cell.recurrent_kernel.value).numpy()
    mask = drawn[-1].numpy()
    kernel = dropped.cell.recurrent_kernel.numpy()
    assert len(drawn) == 1 and 0 < (mask == 0).mean() < 1  # one mask, some weights dropped
    np.testing.assert_allclose(mask[mask != 0], 2 * kernel[mask != 0], rtol=1e-6)
    # the plain layer with the dropped kernel computes the same, step after step
    plain.cell.recurrent_kernel.assign(mask)
    np.testing.assert_allclose(out.numpy(), plain(X).numpy(), atol=1e-5)
    assert np.all(gradient[mask == 0] == 0) and np.abs(gradient[mask != 0]).max() > 0


def test_weight_drop_reaches_both_directions_and_refuses_the_echo_state_cell(monkeypatch):
    monkeypatch.setenv(fast_rnn.SWITCH, "1")
    config = RecurrentConfig(cell="gru", units=3, bidirectional=True, weight_drop=0.2)
    layer = make_recurrent_layer(config, return_sequences=True, name="bi")
    for direction in (layer.forward_layer, layer.backward_layer):
        assert getattr(direction, regularisers.RATE) == 0.2 and fast_rnn.is_enabled(direction)
    with pytest.raises(RnnAppsError, match="weight_drop has no effect on the esn cell"):
        RecurrentConfig(cell="esn", weight_drop=0.2)


def test_embedding_dropout_zeroes_whole_steps_in_training_and_keeps_the_mask():
    keras.utils.set_random_seed(2)
    ids = keras.Input(shape=(None,), dtype="int32")
    embedded = keras.layers.Embedding(30, 6, mask_zero=True, embeddings_initializer="ones")(ids)
    config = RecurrentConfig(cell="gru", units=4, embedding_dropout=0.5)
    x = regularisers.input_dropout(embedded, config, "t")
    model = keras.Model(ids, [x, build_recurrent_stack(x, config, name="s")])
    tokens = np.arange(1, 41).reshape(2, 20) % 29 + 1
    trained = model(tokens, training=True)[0].numpy()
    per_step = {tuple(np.unique(step)) for step in trained.reshape(-1, 6)}
    assert per_step == {(0.0,), (2.0,)}  # a step is dropped whole or kept and rescaled
    np.testing.assert_array_equal(model(tokens)[0].numpy(), np.ones((2, 20, 6)))
    padded = np.pad(tokens[:, :12], [[0, 0], [0, 5]])
    np.testing.assert_allclose(model(padded)[1].numpy(), model(tokens[:, :12])[1].numpy(),
                               atol=1e-6)  # padding stays masked behind the dropout


@pytest.mark.parametrize("locked", [True, False])
def test_locked_dropout_drops_the_same_units_at_every_step(locked):
    keras.utils.set_random_seed(3)
    inputs = keras.Input(shape=(9, 8))
    config = RecurrentConfig(dropout=0.5, locked_dropout=locked)
    model = keras.Model(inputs, regularisers.output_dropout(inputs, config, "d"))
    out = model(np.ones((4, 9, 8), "float32"), training=True).numpy()
    same_every_step = np.all(out == out[:, :1, :])
    assert same_every_step == locked and set(np.unique(out)) == {0.0, 2.0}
    np.testing.assert_array_equal(model(np.ones((4, 9, 8), "float32")).numpy(), 1.0)
    flat = keras.Input(shape=(8,))  # a final state: plain dropout
    assert regularisers.output_dropout(flat, config, "f").shape == (None, 8)


def test_penalty_values_leave_padding_out():
    h = np.random.default_rng(4).normal(size=(2, 4, 3)).astype("float32")
    mask = np.array([[1, 1, 1, 0], [1, 1, 0, 0]], bool)
    got = float(regularisers.ActivationPenalty(0.5, 2.0).penalty(h, mask))
    steps = [h[0, :3], h[1, :2]]
    ar = np.mean(np.concatenate(steps) ** 2)
    tar = np.mean(np.concatenate([np.diff(s, axis=0) for s in steps]) ** 2)
    assert got == pytest.approx(0.5 * ar + 2.0 * tar, rel=1e-5)
    assert float(regularisers.ActivationPenalty(0.5, 2.0).penalty(h[:, 0])) == pytest.approx(
        0.5 * np.mean(h[:, 0] ** 2), rel=1e-5)


def stack_model(return_sequences, alpha=0.0, beta=0.0, bidirectional=False):
    keras.utils.set_random_seed(5)
    ids = keras.Input(shape=(None,), dtype="int32")
    x = keras.layers.Embedding(20, 4, mask_zero=True)(ids)
    config = RecurrentConfig(cell="lstm", units=3, layers=2, bidirectional=bidirectional,
                             activation_reg=alpha, temporal_reg=beta)
    out = build_recurrent_stack(x, config, return_sequences=return_sequences)
    model = keras.Model(ids, keras.layers.Dense(1, name="head")(out))
    model.compile(keras.optimizers.SGD(0.0), "mse")
    return model


TOKENS = np.array([[3, 4, 5, 6, 0, 0], [7, 8, 9, 10, 11, 12]])


@pytest.mark.parametrize("return_sequences", [True, False])
def test_activation_penalties_join_the_training_loss_only(return_sequences):
    target = np.zeros((2, 6, 1) if return_sequences else (2, 1), "float32")
    plain = stack_model(return_sequences)
    base = plain.train_on_batch(TOKENS, target)
    assert not plain.losses
    penalties = []
    for alpha in (0.5, 5.0):
        model = stack_model(return_sequences, alpha=alpha, beta=1.0)
        model.set_weights(plain.get_weights())
        penalties.append(model.train_on_batch(TOKENS, target) - base)
        assert len(model.losses) == 1  # from the training step
        model(TOKENS)
        assert not model.losses  # none at inference
        np.testing.assert_allclose(model.predict(TOKENS, verbose=0),
                                   plain.predict(TOKENS, verbose=0), atol=1e-6)
    assert 0 < penalties[0] < penalties[1]


@pytest.mark.parametrize("bidirectional", [False, True])
def test_a_penalised_final_state_is_the_unpenalised_output(bidirectional):
    plain = stack_model(False, bidirectional=bidirectional)
    penalised = stack_model(False, alpha=1.0, beta=1.0, bidirectional=bidirectional)
    penalised.set_weights(plain.get_weights())
    np.testing.assert_allclose(penalised.predict(TOKENS, verbose=0),
                               plain.predict(TOKENS, verbose=0), atol=1e-6)


def test_bad_settings_are_one_line_errors():
    for settings, fragment in [({"weight_drop": 1.0}, "weight_drop must be a number in [0, 1)"),
                               ({"embedding_dropout": -0.1}, "embedding_dropout must be"),
                               ({"locked_dropout": "yes"}, "locked_dropout must be True or False"),
                               ({"activation_reg": -1}, "activation_reg must be a number >= 0"),
                               ({"temporal_reg": float("nan")}, "temporal_reg must be")]:
        with pytest.raises(RnnAppsError) as error:
            RecurrentConfig(**settings)
        assert fragment in str(error.value) and "\n" not in str(error.value)


def test_sentiment_with_every_regulariser_saves_loads_and_exports(tmp_path, sentiment_train):
    from rnn_apps import SentimentClassifier

    texts, labels = sentiment_train[0][:160], sentiment_train[1][:160]
    model = SentimentClassifier(cell="lstm", units=4, layers=2, bidirectional=True,
                                embedding_dim=4, epochs=2, seed=0, **ALL_ON).fit(texts, labels)
    layers = [layer for layer in model.model_.layers
              if isinstance(layer, keras.layers.Bidirectional)]
    assert len(layers) == 2
    assert all(getattr(direction, regularisers.RATE) == 0.3 for layer in layers
               for direction in (layer.forward_layer, layer.backward_layer))
    assert np.isfinite(model.history_["loss"]).all()
    probabilities = model.predict_proba(texts[:30])
    model.save(tmp_path / "model")
    loaded = SentimentClassifier.load(tmp_path / "model")
    np.testing.assert_allclose(loaded.predict_proba(texts[:30]), probabilities, atol=1e-6)
    serve = tf.saved_model.load(str(loaded.export(tmp_path / "export")))
    served = serve.signatures["serving_default"](text=tf.constant(texts[:30]))
    np.testing.assert_allclose(served["probabilities"].numpy(), probabilities, atol=1e-5)


def test_textgen_with_every_regulariser_saves_loads_and_exports(tmp_path):
    from rnn_apps import TextGenerator
    from tests.conftest import DATASETS

    text = (DATASETS / "textgen" / "corpus.txt").read_text(encoding="utf-8")[:2000]
    model = TextGenerator(cell="lstm", units=8, layers=2, embedding_dim=4, bptt=16,
                          batch_size=4, epochs=1, seed=0, verbose=0, **ALL_ON).fit(text)
    greedy = model.generate(["And ", "the"], length=15, temperature=0)
    model.save(tmp_path / "model")
    assert TextGenerator.load(tmp_path / "model").generate(["And ", "the"], length=15,
                                                           temperature=0) == greedy
    serve = tf.saved_model.load(str(model.export(tmp_path / "export")))
    out = serve.signatures["serving_default"](prompt=tf.constant(["And ", "the"]),
                                              length=tf.constant(15),
                                              temperature=tf.constant(0.0))
    assert [t.decode() for t in out["text"].numpy()] == greedy


def test_the_cli_takes_the_options(tmp_path, small_csv):
    from rnn_apps.cli import cli

    def run(*args):
        return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)

    tiny = ["--units", "4", "--embedding-dim", "4", "--epochs", "1", "--seed", "0", "--quiet"]
    options = ["--embedding-dropout", "0.1", "--weight-drop", "0.3", "--locked-dropout",
               "--dropout", "0.2", "--activation-reg", "2", "--temporal-reg", "1"]
    result = run("sentiment", "train", "--data", small_csv, "--out", tmp_path / "m",
                 *tiny, *options)
    assert result.exit_code == 0, result.output
    params = json.loads((tmp_path / "m" / "rnn_apps.json").read_text())["params"]
    assert {k: params[k] for k in ALL_ON} == {**ALL_ON, "activation_reg": 2.0}
    bad = run("sentiment", "train", "--data", small_csv, "--out", tmp_path / "bad", *tiny,
              "--weight-drop", "1.5")
    lines = [line for line in bad.output.strip().splitlines() if line.strip()]
    assert bad.exit_code != 0 and len(lines) == 1 and "weight_drop must be" in lines[0]
