import keras
import numpy as np
import pytest

from rnn_apps.core.config import RecurrentConfig
from rnn_apps.core.esn import EchoStateCell, ReservoirInitializer
from rnn_apps.core.recurrent import make_recurrent_layer
from rnn_apps.errors import RnnAppsError


@pytest.mark.parametrize("radius", [0.5, 0.9, 1.3])
def test_reservoir_has_the_requested_spectral_radius(radius):
    matrix = np.asarray(ReservoirInitializer(radius, connectivity=0.2, seed=1)((50, 50)))
    assert np.max(np.abs(np.linalg.eigvals(matrix))) == pytest.approx(radius, rel=1e-4)
    assert 0.1 < np.mean(matrix != 0) < 0.3  # sparse, near the connectivity asked for


def test_the_factory_builds_an_esn_layer_from_the_config():
    config = RecurrentConfig(cell="esn", units=20, spectral_radius=0.7, leak_rate=0.5)
    layer = make_recurrent_layer(config, return_sequences=False, name="esn")
    assert isinstance(layer, keras.layers.RNN) and isinstance(layer.cell, EchoStateCell)
    layer(np.zeros((1, 3, 2), dtype="float32"))
    radius = np.max(np.abs(np.linalg.eigvals(np.asarray(layer.cell.recurrent_kernel))))
    assert radius == pytest.approx(0.7, rel=1e-4)
    assert layer.trainable_weights == [] and len(layer.non_trainable_weights) == 3
    with pytest.raises(RnnAppsError, match="leak_rate"):
        RecurrentConfig(cell="esn", leak_rate=0)
    with pytest.raises(RnnAppsError, match="recurrent_dropout has no effect"):
        RecurrentConfig(cell="esn", recurrent_dropout=0.2)


def test_echo_state_property_two_initial_states_converge():
    cell = EchoStateCell(30, spectral_radius=0.8, leak_rate=0.7, seed=3)
    layer = keras.layers.RNN(cell, return_sequences=True)
    drive = np.random.default_rng(0).normal(size=(1, 200, 2)).astype("float32")
    zero = layer(drive, initial_state=[np.zeros((1, 30), "float32")])
    start = np.random.default_rng(1).uniform(-1, 1, size=(1, 30)).astype("float32")
    other = layer(drive, initial_state=[start])
    gap = np.linalg.norm(np.asarray(zero) - np.asarray(other), axis=-1)[0]
    assert gap[0] > 0.1 and gap[-1] < 1e-4 * gap[0]


def test_cell_config_round_trips_and_loads_in_safe_mode(tmp_path):
    inputs = keras.Input(shape=(None, 2))
    outputs = keras.layers.RNN(EchoStateCell(8, spectral_radius=0.6, leak_rate=0.4, seed=2))(
        inputs)
    model = keras.Model(inputs, keras.layers.Dense(1)(outputs))
    model.save(tmp_path / "esn.keras")
    again = keras.saving.load_model(tmp_path / "esn.keras", safe_mode=True)
    x = np.random.default_rng(0).normal(size=(3, 5, 2)).astype("float32")
    np.testing.assert_allclose(model(x), again(x), atol=1e-6)
    assert again.layers[1].cell.get_config()["leak_rate"] == 0.4


def test_reservoir_weights_do_not_change_during_fit(sentiment_train):
    from rnn_apps import SentimentClassifier

    clf = SentimentClassifier(cell="esn", units=32, embedding_dim=8, epochs=1, seed=0,
                              verbose=0, spectral_radius=0.95, leak_rate=0.5)
    texts, labels = [part[:100] for part in sentiment_train]
    clf.fit(texts, labels)
    cell = next(layer for layer in clf.model_.layers if isinstance(layer, keras.layers.RNN)).cell
    reservoir = [np.asarray(w).copy() for w in cell.weights]
    head = np.asarray(clf.model_.get_layer("probabilities").kernel).copy()
    clf.model_.fit(clf.text_encoder_.encode(np.array(texts, dtype=object)),
                   clf.encoder_.encode(labels), epochs=2, verbose=0)
    for old, new in zip(reservoir, cell.weights):
        np.testing.assert_array_equal(old, np.asarray(new))
    assert not np.allclose(head, np.asarray(clf.model_.get_layer("probabilities").kernel))
    radius = np.max(np.abs(np.linalg.eigvals(np.asarray(cell.recurrent_kernel))))
    assert radius == pytest.approx(0.95, rel=1e-4)
    assert clf.predict(texts[:2]).shape == (2,)


def test_seeded_esn_models_repeat(sentiment_train):
    from rnn_apps import SentimentClassifier

    texts, labels = [part[:60] for part in sentiment_train]
    runs = [SentimentClassifier(cell="esn", units=16, embedding_dim=4, epochs=1, seed=4,
                                verbose=0).fit(texts, labels).predict_proba(texts[:5])
            for _ in range(2)]
    np.testing.assert_allclose(runs[0], runs[1], atol=1e-6)


def test_ridge_readout_recovers_a_linear_map_and_shrinks_with_alpha():
    from rnn_apps.core.esn import ridge_readout

    rng = np.random.default_rng(0)
    states = rng.normal(size=(500, 6))
    true = rng.normal(size=(6, 2))
    targets = states @ true + np.array([0.5, -1.0])
    weights, bias = ridge_readout(states, targets, alpha=1e-8)
    np.testing.assert_allclose(weights, true, atol=1e-6)
    np.testing.assert_allclose(bias, [0.5, -1.0], atol=1e-6)
    shrunk, _ = ridge_readout(states, targets, alpha=1e4)
    assert np.linalg.norm(shrunk) < 0.5 * np.linalg.norm(weights)


def test_esn_models_export_and_serve_the_same_answers(sentiment_train, tmp_path):
    import tensorflow as tf

    from rnn_apps import SentimentClassifier

    texts, labels = [part[:60] for part in sentiment_train]
    clf = SentimentClassifier(cell="esn", units=16, embedding_dim=4, epochs=1, seed=1,
                              verbose=0).fit(texts, labels)
    clf.export(tmp_path / "export")
    serve = tf.saved_model.load(str(tmp_path / "export")).signatures["serving_default"]
    out = serve(text=tf.constant(texts[:8]))
    np.testing.assert_allclose(out["probabilities"].numpy(), clf.predict_proba(texts[:8]),
                               atol=1e-5)
