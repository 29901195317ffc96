"""Sentiment's wide path as a validated blend: the recurrent network trained
alone, a TF-IDF logistic regression fitted apart (the same as scikit-learn's on
the same vectors), and a weight chosen on the validation split so the blend's
validation log loss is never above either part's; one Keras model through
save/load and the SavedModel, and older joint wide models still load."""

import warnings

import numpy as np
import pytest

import rnn_apps
from rnn_apps import SentimentClassifier
from rnn_apps.errors import RnnAppsError
from rnn_apps.tasks.sentiment import wide
from tests.conftest import TINY


def fit_noting(model, *args, **kwargs):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(*args, **kwargs)
    model.notes = [str(w.message) for w in caught]
    return model


@pytest.fixture(scope="module")
def data(sentiment_train):
    texts, labels = sentiment_train
    return (texts[:320], labels[:320]), (texts[320:400], labels[320:400])


@pytest.fixture(scope="module")
def blend(data):
    return fit_noting(SentimentClassifier(**{**TINY, "epochs": 4, "learning_rate": 1e-2},
                                          wide=True), *data[0], validation_data=data[1])


def independent_parts(model, train, valid):
    """The recurrent part read from its own layers, and a logistic regression
    fitted here by scikit-learn on the classifier's TF-IDF vectors."""
    import keras
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import normalize

    recurrent = keras.Model(model.model_.inputs[0],
                            model.model_.get_layer("recurrent_probabilities").output)
    p_recurrent = recurrent.predict(model.text_encoder_.encode(valid[0]), verbose=0)
    vectors = lambda texts: normalize(model.wide_encoder_.encode(texts))
    regression = LogisticRegression().fit(vectors(train[0]), model.encoder_.encode(train[1]))
    return p_recurrent, regression.predict_proba(vectors(valid[0]))


def log_loss(p, y):
    return -np.mean(np.log(np.clip(p[np.arange(len(y)), y], 1e-7, 1)))


def test_the_blend_is_never_worse_than_its_parts_on_validation(blend, data):
    record = blend.get_state()["blend"]
    weight, found = record["weight"], record["validation"]
    assert 0.0 <= weight <= 1.0 and record["criterion"] == "validation log loss"
    assert found["blend"]["log_loss"] <= min(found["recurrent"]["log_loss"],
                                             found["linear"]["log_loss"]) + 1e-9
    # recomputed from the parts taken apart, and the classifier's answers
    y = blend.encoder_.encode(data[1][1])
    p_recurrent, p_linear = independent_parts(blend, *data)
    np.testing.assert_allclose(found["recurrent"]["log_loss"], log_loss(p_recurrent, y), atol=1e-4)
    np.testing.assert_allclose(found["linear"]["log_loss"], log_loss(p_linear, y), atol=1e-4)
    expected = weight * p_recurrent + (1 - weight) * p_linear
    np.testing.assert_allclose(blend.predict_proba(data[1][0]), expected, atol=1e-4)
    losses = {w: log_loss(w * p_recurrent + (1 - w) * p_linear, y) for w in np.linspace(0, 1, 21)}
    assert log_loss(expected, y) <= min(losses.values()) + 1e-4
    assert log_loss(expected, y) <= min(losses[0.0], losses[1.0]) + 1e-6
    assert any(note.startswith(f"wide: blend weight {weight:.2f} on the recurrent part, chosen "
                               "on 80 validation texts") for note in blend.notes)


def test_the_linear_part_is_scikit_learns_regression(blend, data):
    _, p_linear = independent_parts(blend, *data)
    _, ours = wide.parts(blend, data[1][0])
    np.testing.assert_allclose(ours, p_linear, atol=1e-5)
    assert not blend.model_.get_layer("probabilities").trainable


def test_saved_and_exported_blends_answer_alike(blend, data, tmp_path):
    import tensorflow as tf

    texts = list(data[1][0][:20]) + ["zzz unseen words only"]
    expected = blend.predict_proba(texts)
    blend.save(tmp_path / "model")
    loaded = rnn_apps.load(tmp_path / "model")
    assert loaded.get_state()["blend"] == blend.get_state()["blend"]
    np.testing.assert_array_equal(loaded.predict_proba(texts), expected)
    loaded.export(tmp_path / "export")
    serve = tf.saved_model.load(str(tmp_path / "export")).signatures["serving_default"]
    np.testing.assert_allclose(serve(text=tf.constant(texts))["probabilities"].numpy(),
                               expected, atol=1e-5)
    states = blend.hidden_states(texts[:2])
    assert states[0]["layers"][0].shape == (len(states[0]["tokens"]), TINY["units"])


def test_the_weight_goes_to_the_part_that_knows():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 200)
    knows = np.where(y[:, None] == np.arange(2), 0.9, 0.1)
    guesses = rng.dirichlet([1, 1], 200)
    assert wide.choose_weight(guesses, knows, y)[0] == 0.0
    assert wide.choose_weight(knows, guesses, y)[0] == 1.0
    assert wide.choose_weight(knows, knows, y)[0] == wide.EQUAL  # a tie: the average
    weight, found = wide.choose_weight(0.5 * knows + 0.5 * guesses, guesses, y)
    assert weight == 1.0 and found["blend"] == found["recurrent"]


def test_a_recurrent_part_that_learned_nothing_gets_no_weight(data):
    model = fit_noting(SentimentClassifier(**{**TINY, "epochs": 1, "learning_rate": 1e-7},
                                           wide=True), *data[0], validation_data=data[1])
    record = model.get_state()["blend"]
    assert record["weight"] == 0.0
    assert record["validation"]["blend"] == record["validation"]["linear"]


def test_without_validation_the_parts_weigh_equally(data, small_csv):
    from rnn_apps.data.tables import read_labelled_texts

    model = fit_noting(SentimentClassifier(**{**TINY, "epochs": 1}, wide=True, valid_split=0),
                       *data[0])
    assert model.get_state()["blend"] == {"weight": 0.5, "criterion": "validation log loss",
                                          "grid": 21}
    assert any("no validation data to choose the blend weight" in n for n in model.notes)
    with pytest.raises(RnnAppsError, match="wide=True .* needs in-memory texts"):
        SentimentClassifier(**TINY, wide=True).fit(read_labelled_texts(small_csv, stream=True))


def test_an_older_joint_wide_model_still_loads_and_predicts(blend, data, tmp_path):
    """A model of the joint wide & deep path (deep and wide logits summed),
    built here with the layers it was saved with, in a classifier's files."""
    import keras

    ids = keras.Input(shape=(None,), dtype="int32", name="token_ids")
    x = keras.layers.Embedding(len(blend.text_encoder_.vocabulary), 8, mask_zero=True,
                               name="embedding")(ids)
    deep = keras.layers.Dense(2, name="deep_logits")(keras.layers.GRU(8, name="gru")(x))
    tfidf = keras.Input(shape=(blend.wide_encoder_.size,), name="tfidf")
    scaled = keras.layers.Rescaling(100.0)(keras.layers.UnitNormalization()(tfidf))
    shallow = keras.layers.Dense(2, name="wide_logits", kernel_initializer="random_normal")(
        keras.layers.Dropout(0.5)(scaled))
    outputs = keras.layers.Activation("softmax", name="probabilities")(
        keras.layers.Add(name="logits")([deep, shallow]))
    joint = keras.Model([ids, tfidf], outputs)
    texts = data[1][0][:10]
    expected = joint.predict([blend.text_encoder_.encode(texts),
                              blend.wide_encoder_.encode(texts)], verbose=0)
    old = SentimentClassifier(**TINY, wide=True)
    old.set_state({k: v for k, v in blend.get_state().items() if k != "blend"})
    old.model_, old.config_, old.history_ = joint, blend.config_, {}
    old.save(tmp_path / "old")
    loaded = rnn_apps.load(tmp_path / "old")
    np.testing.assert_allclose(loaded.predict_proba(texts), expected, atol=1e-6)
