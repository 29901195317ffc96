import pytest

from rnn_apps.core import training
from rnn_apps.errors import RnnAppsError


def test_history_csv_round_trip(tmp_path):
    history = {"loss": [0.9, 0.5, 0.4], "val_loss": [1.0, 0.6, 0.7]}
    training.write_history_csv(history, tmp_path / "h.csv")
    assert training.read_history_csv(tmp_path / "h.csv") == history
    assert training.best_epoch(history) == 2
    assert training.read_history_csv(tmp_path / "absent.csv") == {}


def test_training_params_are_checked():
    from rnn_apps.core.params import TRAINING, check_value

    ok = {"epochs": 1, "batch_size": 2, "learning_rate": 0.1, "patience": 1, "valid_split": 0.2}
    for key, value in ok.items():
        check_value(key, value, TRAINING[key])
    for key, bad in [("epochs", 0), ("batch_size", 1.5), ("learning_rate", -1),
                     ("patience", -2), ("valid_split", 1.0)]:
        with pytest.raises(RnnAppsError, match=key):
            check_value(key, bad, TRAINING[key])


def test_early_stopping_only_with_validation():
    from rnn_apps.core.engine import training_callbacks

    assert training_callbacks(has_validation=False, patience=3) == []
    (callback,) = training_callbacks(has_validation=True, patience=3)
    assert callback.monitor == "val_loss" and callback.restore_best_weights


def test_models_are_built_under_the_strategy_training_returns(monkeypatch, sentiment_train):
    import tensorflow as tf

    from rnn_apps import SentimentClassifier
    from rnn_apps.core import distribute

    strategy = tf.distribute.OneDeviceStrategy("/cpu:0")
    monkeypatch.setattr(distribute, "strategy_for", lambda mode: strategy)
    clf = SentimentClassifier(units=2, embedding_dim=2, epochs=1, verbose=0)
    clf.fit(*[part[:40] for part in sentiment_train])
    variables = clf.model_.trainable_variables
    assert variables and all(
        strategy.extended.variable_created_in_scope(v.value) for v in variables)


def test_length_buckets_group_similar_lengths_and_trim_padding():
    import numpy as np
    import tensorflow as tf

    from rnn_apps.preprocessing.sequences import length_boundaries, length_buckets

    lengths = [1, 5, 2, 5, 1, 3, 4, 2]
    source = np.zeros((8, 6), np.int32)
    for row, n in enumerate(lengths):
        source[row, :n] = row + 1
    target = np.where(source > 0, 7, 0)
    pairs = tf.data.Dataset.from_tensor_slices(((source, source), target))
    edges = length_boundaries(lengths, buckets=3)
    seen = []
    for (x, _), y in length_buckets(pairs, 2, edges):
        x = x.numpy()
        assert x.shape[1] == max(np.count_nonzero(x, axis=1)) == y.shape[1]
        bucket = {int(np.sum(np.count_nonzero(row) > np.array(edges))) for row in x}
        assert len(bucket) == 1          # one length bucket per batch
        seen += [int(row[0]) for row in x]
    assert sorted(seen) == list(range(1, 9))
