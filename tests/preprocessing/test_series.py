import numpy as np
import pytest

from rnn_apps.errors import DataError
from rnn_apps.preprocessing.series import SeriesScaler, window_dataset


def test_scaler_round_trips_in_numpy_graph_and_state():
    values = np.array([[1.0, 5.0], [3.0, 5.0], [5.0, 5.0]])
    scaler = SeriesScaler.fit(values)
    scaled = scaler.transform(values)
    np.testing.assert_allclose(scaled.mean(axis=0), [0, 0], atol=1e-6)
    np.testing.assert_allclose(scaled[:, 1], 0)  # a constant column is centred, not divided by 0
    again = SeriesScaler.from_state(scaler.get_state())
    np.testing.assert_allclose(again.inverse_transform(scaled), values, rtol=1e-6)
    np.testing.assert_allclose(np.asarray(scaler.inverse_transform_graph(scaled[:, :1],
                                                                         columns=[0])),
                               values[:, :1], rtol=1e-6)
    np.testing.assert_allclose(np.asarray(scaler.transform_graph(values.astype("float32"))),
                               scaled, atol=1e-6)
    with pytest.raises(DataError, match="NaN or infinite"):
        SeriesScaler.fit([1.0, np.nan])


def test_windows_pair_lookback_inputs_with_the_next_horizon_targets():
    series = np.stack([np.arange(10.0), 100 + np.arange(10.0)], axis=1)
    batches = list(window_dataset(series, lookback=3, horizon=2, targets=[1], batch_size=4))
    x = np.concatenate([np.asarray(b[0]) for b in batches])
    y = np.concatenate([np.asarray(b[1]) for b in batches])
    assert x.shape == (6, 3, 2) and y.shape == (6, 2, 1)
    np.testing.assert_array_equal(x[0, :, 0], [0, 1, 2])
    np.testing.assert_array_equal(y[0, :, 0], [103, 104])
    np.testing.assert_array_equal(y[-1, :, 0], [108, 109])


def test_window_errors_name_the_problem():
    with pytest.raises(DataError, match="needs at least lookback \\+ horizon = 7"):
        window_dataset(np.arange(5.0), lookback=4, horizon=3)
    with pytest.raises(DataError, match="must be positive"):
        window_dataset(np.arange(5.0), lookback=2, horizon=0)
