import keras
import numpy as np
import pytest

from rnn_apps.core.config import RecurrentConfig
from rnn_apps.core.recurrent import build_recurrent_stack, cell_names, make_optimizer
from rnn_apps.errors import RnnAppsError


def _encoder(config, return_sequences=False):
    inputs = keras.Input(shape=(None,), dtype="int32")
    x = keras.layers.Embedding(20, 4, mask_zero=True)(inputs)
    outputs = build_recurrent_stack(x, config, return_sequences=return_sequences)
    return keras.Model(inputs, outputs)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru", "esn"])
def test_each_cell_builds_the_registered_layer(cell):
    model = _encoder(RecurrentConfig(cell=cell, units=3))
    expected = {"rnn": keras.layers.SimpleRNN, "lstm": keras.layers.LSTM,
                "gru": keras.layers.GRU, "esn": keras.layers.RNN}[cell]
    recurrent = [layer for layer in model.layers if isinstance(layer, keras.layers.RNN)]
    assert len(recurrent) == 1 and isinstance(recurrent[0], expected)
    assert model(np.array([[1, 2, 3]])).shape == (1, 3)


def test_stacked_bidirectional_shapes_and_layer_count():
    config = RecurrentConfig(cell="lstm", units=3, layers=3, bidirectional=True, dropout=0.1)
    model = _encoder(config, return_sequences=True)
    wrapped = [layer for layer in model.layers if isinstance(layer, keras.layers.Bidirectional)]
    assert len(wrapped) == 3
    assert model(np.array([[1, 2, 3, 4]])).shape == (1, 4, 6)
    assert _encoder(config).output.shape == (None, 6)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru", "esn"])
def test_right_padding_is_masked(cell):
    keras.utils.set_random_seed(1)
    model = _encoder(RecurrentConfig(cell=cell, units=4, layers=2, bidirectional=True))
    short = model(np.array([[5, 6, 7]])).numpy()
    padded = model(np.array([[5, 6, 7, 0, 0, 0]])).numpy()
    np.testing.assert_allclose(short, padded, atol=1e-5)
    other = model(np.array([[5, 6, 7, 8, 0, 0]])).numpy()
    assert not np.allclose(short, other, atol=1e-5)


def test_config_rejects_bad_values_with_clear_messages():
    with pytest.raises(RnnAppsError, match="cell must be one of rnn, lstm, gru, esn"):
        RecurrentConfig(cell="transformer")
    with pytest.raises(RnnAppsError, match="units must be a positive integer up to 16384; got 0"):
        RecurrentConfig(units=0)
    with pytest.raises(RnnAppsError, match=r"dropout must be a number in \[0, 1\)"):
        RecurrentConfig(dropout=1.5)
    with pytest.raises(RnnAppsError, match="clipnorm"):
        RecurrentConfig(clipnorm=-1)


def test_from_params_refuses_unknown_keys_and_missing_attributes():
    assert RecurrentConfig.from_params({"units": 5}).units == 5
    with pytest.raises(RnnAppsError, match="unknown recurrent setting.*unit "):
        RecurrentConfig.from_params({"unit": 5})

    class Partial:
        cell, units, layers = "lstm", 7, 2

    with pytest.raises(RnnAppsError, match="Partial has no recurrent setting.*bidirectional"):
        RecurrentConfig.from_params(Partial())
    full = Partial()
    for name, value in RecurrentConfig().to_dict().items():
        if name not in ("cell", "units", "layers"):
            setattr(full, name, value)
    config = RecurrentConfig.from_params(full)
    assert (config.cell, config.units, config.layers, config.bidirectional) == ("lstm", 7, 2, False)


@pytest.mark.parametrize("name, value", [("units", True), ("layers", 2.0), ("units", "8"),
                                         ("bidirectional", 1), ("dropout", float("nan"))])
def test_booleans_floats_and_strings_are_not_integers(name, value):
    with pytest.raises(RnnAppsError, match=f"{name} must be"):
        RecurrentConfig(**{name: value})


def test_optimizer_carries_gradient_clipping():
    optimizer = make_optimizer(RecurrentConfig(clipnorm=0.5), 0.01)
    assert optimizer.clipnorm == 0.5 and optimizer.clipvalue is None
    optimizer = make_optimizer(RecurrentConfig(clipnorm=0.5, clipvalue=2.0), 0.01)
    assert optimizer.clipvalue == 2.0 and optimizer.clipnorm is None
    assert make_optimizer(RecurrentConfig(clipnorm=None), 0.01).clipnorm is None


def test_cell_registry_lists_the_four_cells():
    assert {"rnn", "lstm", "gru", "esn"} <= set(cell_names())
