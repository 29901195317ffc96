import numpy as np
import pytest
from sklearn.base import clone

import rnn_apps
from rnn_apps import SentimentClassifier
from rnn_apps.errors import DataError, ModelDirError, NotFittedError, RnnAppsError
from tests.conftest import TINY


def test_constructor_only_stores_parameters():
    clf = SentimentClassifier(cell="lstm", units=3, bidirectional=True)
    assert clf.get_params()["units"] == 3 and clf.get_params()["cell"] == "lstm"
    assert not hasattr(clf, "model_")
    with pytest.raises(TypeError):
        SentimentClassifier("lstm")  # keyword-only
    clf.set_params(units=5)
    assert clf.units == 5
    copy = clone(clf)
    assert copy.get_params() == clf.get_params() and copy is not clf


def test_fit_predict_proba_and_evaluate(fitted_sentiment, sentiment_test):
    texts, labels = sentiment_test
    assert list(fitted_sentiment.classes_) == ["negative", "positive"]
    probabilities = fitted_sentiment.predict_proba(texts)
    assert probabilities.shape == (len(texts), 2)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)
    predicted = fitted_sentiment.predict(texts)
    assert set(predicted) <= {"negative", "positive"}
    assert list(predicted) == list(fitted_sentiment.classes_[probabilities.argmax(1)])
    metrics = fitted_sentiment.evaluate(texts, labels)
    assert {"accuracy", "macro_f1", "n"} <= set(metrics) and metrics["n"] == len(texts)
    assert metrics["accuracy"] == pytest.approx(np.mean(predicted == np.array(labels)))
    assert fitted_sentiment.score(texts, labels) == pytest.approx(metrics["accuracy"])


def test_history_is_recorded(fitted_sentiment):
    history = fitted_sentiment.history_
    assert len(history["loss"]) == TINY["epochs"] and len(history["val_loss"]) == TINY["epochs"]


@pytest.mark.quality
def test_quality_learns_word_order_on_template_sentences():
    from tests.word_order import sample

    (texts, labels), (test_texts, test_labels) = sample()
    clf = SentimentClassifier(units=16, embedding_dim=16, epochs=8, seed=0, verbose=0)
    clf.fit(texts[:1200], labels[:1200])
    pairs = ["the food was good but the service was awful",
             "the service was awful but the food was good",
             "the screen was not good", "the screen was good"]
    assert list(clf.predict(pairs)) == ["negative", "positive", "negative", "positive"]
    assert clf.evaluate(test_texts, test_labels)["accuracy"] > 0.9


def test_save_and_load_restore_the_model_exactly(fitted_sentiment, saved_sentiment,
                                                  sentiment_test):
    texts = sentiment_test[0]
    for loaded in (SentimentClassifier.load(saved_sentiment), rnn_apps.load(saved_sentiment)):
        assert isinstance(loaded, SentimentClassifier)
        assert loaded.get_params() == fitted_sentiment.get_params()
        np.testing.assert_array_equal(loaded.predict_proba(texts),
                                      fitted_sentiment.predict_proba(texts))
        assert loaded.history_ == fitted_sentiment.history_
    files = {p.name for p in saved_sentiment.iterdir()}
    assert {"rnn_apps.json", "model.keras", "history.csv", "learning_curves.png"} <= files
    assert (saved_sentiment / "learning_curves.png").stat().st_size > 5000


def test_same_seed_gives_the_same_model(sentiment_train, fitted_sentiment, sentiment_test):
    again = SentimentClassifier(**TINY).fit(*sentiment_train)
    np.testing.assert_allclose(again.predict_proba(sentiment_test[0]),
                               fitted_sentiment.predict_proba(sentiment_test[0]), atol=1e-6)


def test_multiclass_integer_labels_class_weight_and_pooling():
    texts = ["great", "superb film", "awful", "dreadful plot", "it was fine", "okay enough"] * 10
    labels = [2, 2, 0, 0, 1, 1] * 10
    clf = SentimentClassifier(**{**TINY, "epochs": 2, "pooling": "max"},
                              class_weight="balanced", layers=2, bidirectional=True)
    clf.fit(texts, labels)
    assert list(clf.classes_) == [0, 1, 2]
    assert clf.predict_proba(["great"]).shape == (1, 3)
    assert clf.predict(["great", "awful"]).dtype == np.int64  # integers in, integers out


def test_mean_pooling_network_ignores_padding():
    from rnn_apps.core.config import RecurrentConfig
    from rnn_apps.tasks.sentiment.network import build_classifier_network

    network = build_classifier_network(RecurrentConfig(units=3), vocab_size=10, embedding_dim=4,
                                       pooling="mean", n_classes=3)
    np.testing.assert_allclose(network(np.array([[4, 5, 0, 0]])), network(np.array([[4, 5]])),
                               atol=1e-6)


def test_character_level_model(sentiment_train):
    clf = SentimentClassifier(**TINY, level="char").fit(*[p[:80] for p in sentiment_train])
    assert clf.text_encoder_.max_length > 20
    assert "e" in clf.text_encoder_.vocabulary
    assert clf.predict(["zzz unseen ###"]).shape == (1,)


def test_validation_data_is_used(sentiment_train, sentiment_test):
    clf = SentimentClassifier(**TINY).fit(*[p[:60] for p in sentiment_train],
                                          validation_data=sentiment_test)
    assert "val_loss" in clf.history_


def test_bad_input_raises_clear_errors(fitted_sentiment, tmp_path):
    with pytest.raises(NotFittedError, match="not fitted yet"):
        SentimentClassifier().predict(["text"])
    with pytest.raises(DataError, match="need at least 2 classes"):
        SentimentClassifier(**TINY).fit(["a b", "c d"], ["pos", "pos"])
    with pytest.raises(DataError, match=r"labels\[1\] is missing"):
        SentimentClassifier(**TINY).fit(["a b", "c d"], ["pos", None])
    with pytest.raises(DataError, match=r"texts\[0\] is an empty string"):
        fitted_sentiment.predict([""])
    with pytest.raises(RnnAppsError, match="pooling must be one of"):
        SentimentClassifier(pooling="attention").fit(["a", "b"], [0, 1])
    with pytest.raises(RnnAppsError, match="class_weight"):
        SentimentClassifier(**TINY, class_weight={"neutral": 2}).fit(["a", "b"], ["x", "y"])
    with pytest.raises(ModelDirError, match="not an rnn-apps model directory"):
        SentimentClassifier.load(tmp_path)


def test_loading_keeps_keras_safe_mode_on(saved_sentiment, tmp_path):
    """A model.keras carrying a Lambda (arbitrary code) is refused, not run."""
    import shutil

    import keras

    tampered = tmp_path / "tampered"
    shutil.copytree(saved_sentiment, tampered)
    inputs = keras.Input(shape=(None,), dtype="int32")
    outputs = keras.layers.Lambda(lambda x: x * 2)(inputs)
    keras.Model(inputs, outputs).save(tampered / "model.keras")
    with pytest.raises(ModelDirError, match="cannot be loaded"):
        SentimentClassifier.load(tampered)
