"""Sentiment's wide path as a validated blend: the recurrent network trained
alone, a TF-IDF logistic regression fitted apart (the same as scikit-learn's on
the same vectors), and exponents of the parts' probabilities fitted on the
validation split (stacking) so the blend's validation log loss is never
above either part's; one Keras model through
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
    """Log-probabilities of the recurrent part, read from its own layers, and of
    a logistic regression fitted here by scikit-learn on the classifier's
    TF-IDF vectors."""
    import keras
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import normalize

    recurrent = keras.Model(model.model_.inputs[0],
                            model.model_.get_layer("recurrent_logits").output)
    z = recurrent.predict(model.text_encoder_.encode(valid[0]), verbose=0).astype(np.float64)
    p_recurrent = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    vectors = lambda texts: normalize(model.wide_encoder_.encode(texts))
    regression = LogisticRegression().fit(vectors(train[0]), model.encoder_.encode(train[1]))
    return np.log(p_recurrent), np.log(regression.predict_proba(vectors(valid[0])))


def log_loss(p, y):
    return -np.mean(np.log(np.clip(p[np.arange(len(y)), y], 1e-7, 1)))


def blended(a, b, c, z_recurrent, z_linear):
    z = a * z_recurrent + b * z_linear + np.asarray(c)
    return np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)


def test_the_blend_is_never_worse_than_its_parts_on_validation(blend, data):
    record = blend.get_state()["blend"]
    a, b, c, found = record["recurrent"], record["linear"], record["bias"], record["validation"]
    assert a >= 0 and b >= 0 and 0 <= record["share"] <= 1
    assert record["criterion"] == "validation log loss" and (a, b) != (1.0, 0.0)
    assert found["blend"]["log_loss"] <= min(found["recurrent"]["log_loss"],
                                             found["linear"]["log_loss"])
    # recomputed from the parts taken apart, and the classifier's answers
    y = blend.encoder_.encode(data[1][1])
    z_recurrent, z_linear = independent_parts(blend, *data)
    loss = {"recurrent": log_loss(np.exp(z_recurrent), y), "linear": log_loss(np.exp(z_linear), y)}
    np.testing.assert_allclose(found["recurrent"]["log_loss"], loss["recurrent"], atol=1e-4)
    np.testing.assert_allclose(found["linear"]["log_loss"], loss["linear"], atol=1e-4)
    expected = blended(a, b, c, z_recurrent, z_linear)
    np.testing.assert_allclose(blend.predict_proba(data[1][0]), expected, atol=1e-4)
    ours = log_loss(expected, y)
    assert ours <= min(loss.values()) + 1e-5
    np.testing.assert_allclose(found["blend"]["log_loss"], ours, atol=1e-4)
    for da, db in ((0.05, 0), (-0.05, 0), (0, 0.05), (0, -0.05)):  # a minimum, locally
        if a + da >= 0 and b + db >= 0:
            assert log_loss(blended(a + da, b + db, c, z_recurrent, z_linear), y) >= ours - 1e-6
    assert any(note.startswith(f"wide: blend exponents recurrent {a:.2f}, linear {b:.2f}, "
                               "fitted on 80 validation texts") for note in blend.notes)


def test_the_linear_part_is_scikit_learns_regression(blend, data):
    _, z_linear = independent_parts(blend, *data)
    _, ours = wide.parts(blend, data[1][0])
    np.testing.assert_allclose(wide.softmax(ours), np.exp(z_linear), atol=1e-5)
    assert not blend.model_.get_layer("probabilities").trainable


def test_the_recurrent_part_is_the_classifier_without_wide(blend, data):
    plain = SentimentClassifier(**{**TINY, "epochs": 4, "learning_rate": 1e-2})
    plain.fit(*data[0], validation_data=data[1])
    recurrent, _ = wide.parts(blend, data[1][0])
    np.testing.assert_allclose(wide.softmax(recurrent), plain.predict_proba(data[1][0]),
                               atol=1e-6)
    assert plain.history_ == blend.history_


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
    y = rng.integers(0, 3, 300)
    knows = 2.0 * np.eye(3)[y] + rng.normal(0, 1, (300, 3))
    guesses = rng.normal(0, 1, (300, 3))
    (a, b, _), found = wide.stack(guesses, knows, y)
    assert a < 0.1 * b and found["blend"]["log_loss"] <= found["linear"]["log_loss"]
    (a, b, _), found = wide.stack(knows, guesses, y)
    assert b < 0.1 * a and found["blend"]["log_loss"] <= found["recurrent"]["log_loss"]
    # two informative parts: both count, and together they beat each
    (a, b, _), found = wide.stack(knows, 2.0 * np.eye(3)[y] + rng.normal(0, 1, (300, 3)), y)
    assert a > 0.3 and b > 0.3
    assert found["blend"]["log_loss"] < min(found["recurrent"]["log_loss"],
                                            found["linear"]["log_loss"])


def test_without_validation_the_parts_weigh_equally(data, small_csv):
    from rnn_apps.data.tables import read_labelled_texts

    model = fit_noting(SentimentClassifier(**{**TINY, "epochs": 1}, wide=True, valid_split=0),
                       *data[0])
    assert model.get_state()["blend"] == {"recurrent": 0.5, "linear": 0.5, "bias": [0.0, 0.0],
                                          "share": 0.5, "criterion": "none: no validation data"}
    assert any("no validation data to fit the blend on; the recurrent and linear parts are "
               "weighed equally" in n for n in model.notes)
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
