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
    ok = {"epochs": 1, "batch_size": 2, "learning_rate": 0.1, "patience": 1, "valid_split": 0.2}
    training.check_training_params(**ok)
    for key, bad in [("epochs", 0), ("batch_size", 1.5), ("learning_rate", -1),
                     ("patience", -2), ("valid_split", 1.0)]:
        with pytest.raises(RnnAppsError, match=key):
            training.check_training_params(**{**ok, key: bad})


def test_early_stopping_only_with_validation():
    assert training.training_callbacks(has_validation=False, patience=3) == []
    (callback,) = training.training_callbacks(has_validation=True, patience=3)
    assert callback.monitor == "val_loss" and callback.restore_best_weights


def test_models_are_built_under_the_strategy_training_returns(monkeypatch, sentiment_train):
    import tensorflow as tf

    from rnn_apps import SentimentClassifier

    strategy = tf.distribute.OneDeviceStrategy("/cpu:0")
    monkeypatch.setattr(training, "distribution_strategy", lambda: strategy)
    clf = SentimentClassifier(units=2, embedding_dim=2, epochs=1, verbose=0)
    clf.fit(*[part[:40] for part in sentiment_train])
    variables = clf.model_.trainable_variables
    assert variables and all(
        strategy.extended.variable_created_in_scope(v.value) for v in variables)


def test_length_batches_group_similar_lengths_and_trim_padding():
    import numpy as np

    from rnn_apps.core.training import length_batches

    lengths = [1, 5, 2, 5, 1, 3, 4, 2]
    source = np.zeros((8, 6), np.int32)
    for row, n in enumerate(lengths):
        source[row, :n] = row + 1
    target = np.where(source > 0, 7, 0)
    dataset = length_batches([source, target], 3, seed=0)
    assert dataset.cardinality().numpy() == 3
    epochs = []
    for _ in range(2):
        seen = []
        for (x,), y in dataset:
            x = x.numpy()
            assert x.shape[1] == max(np.count_nonzero(x, axis=1)) == y.shape[1]
            seen += [int(row[0]) for row in x]
        assert sorted(seen) == list(range(1, 9))
        epochs.append(seen)
    assert epochs[0] != epochs[1]          # reshuffled every epoch
    first = [x.numpy().shape[1] for (x,), _ in length_batches([source, target], 3,
                                                              shuffle=False)]
    assert first == [2, 4, 5]           # lengths 1 1 2 | 2 3 4 | 5 5
