import keras
import numpy as np

from rnn_apps.core.layers import MaskedGlobalMaxPooling1D


def test_masked_max_pooling_ignores_padding_and_round_trips(tmp_path):
    values = np.array([[[-3.0, -1.0], [-2.0, -5.0], [0.0, 0.0]]], dtype="float32")
    mask = np.array([[True, True, False]])
    layer = MaskedGlobalMaxPooling1D()
    np.testing.assert_allclose(layer(values, mask=mask), [[-2.0, -1.0]])
    np.testing.assert_allclose(layer(values), [[0.0, 0.0]])

    inputs = keras.Input(shape=(None,), dtype="int32")
    x = keras.layers.Embedding(10, 3, mask_zero=True)(inputs)
    model = keras.Model(inputs, MaskedGlobalMaxPooling1D()(x))
    model.save(tmp_path / "m.keras")
    again = keras.saving.load_model(tmp_path / "m.keras", safe_mode=True)
    ids = np.array([[1, 2, 0]])
    np.testing.assert_allclose(model(ids), again(ids))
