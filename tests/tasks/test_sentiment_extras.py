"""Sentiment with pretrained word vectors and the wide TF-IDF path: the vectors
start the embedding (frozen here), the wide model (a blend, tested in
``test_sentiment_blend``) is one Keras model whose Python and SavedModel
answers agree, and neither needs the vectors file after training."""

import warnings

import numpy as np
import pytest

from rnn_apps import SentimentClassifier
from rnn_apps.errors import RnnAppsError
from tests.conftest import TINY

WORDS = {"the": 0, "Camera": 1, "phone": 2, "was": 3, "GREAT": 4, "absentword": 5}
VECTORS = np.random.default_rng(7).normal(0, 0.5, size=(len(WORDS), TINY["embedding_dim"]))


def write_glove(path):
    path.write_text("".join(f"{word} " + " ".join(f"{v:.6f}" for v in VECTORS[i]) + "\n"
                            for word, i in WORDS.items()), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def wide_model(sentiment_train, tmp_path_factory):
    """A wide model whose embedding starts from (and keeps) the vectors; the file
    is removed once it is trained."""
    path = write_glove(tmp_path_factory.mktemp("vectors") / "glove.txt")
    model = SentimentClassifier(**{**TINY, "epochs": 1}, wide=True, embeddings=str(path),
                                freeze_embeddings=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(sentiment_train[0][:200], sentiment_train[1][:200])
    path.unlink()
    model.notes = [str(w.message) for w in caught]
    return model


def embedding_row(model, token):
    matrix = model.model_.get_layer("embedding").get_weights()[0]
    return matrix[model.text_encoder_.vocabulary.index(token)]


def test_frozen_vectors_stay_and_the_coverage_is_noted_and_recorded(wide_model):
    vocabulary = wide_model.text_encoder_.vocabulary
    covered = sum(token in vocabulary for token in ("the", "camera", "phone", "was", "great"))
    expected = {"file": "glove.txt", "dim": TINY["embedding_dim"],
                "coverage": {"embedding": {"covered": covered, "tokens": len(vocabulary) - 2}}}
    assert wide_model.get_state()["word_vectors"] == expected
    assert wide_model.provenance_["word_vectors"] == expected
    share = f"{100 * covered / (len(vocabulary) - 2):.1f}%"
    assert f"word vectors glove.txt (8 dimensions) cover {covered:,} of {len(vocabulary) - 2:,} " \
           f"vocabulary tokens ({share})" in wide_model.notes
    np.testing.assert_allclose(embedding_row(wide_model, "camera"), VECTORS[1], atol=1e-6)
    np.testing.assert_allclose(embedding_row(wide_model, "great"), VECTORS[4], atol=1e-6)
    assert not wide_model.model_.get_layer("embedding").trainable
    assert not embedding_row(wide_model, "").any()


def test_python_and_savedmodel_give_the_same_probabilities(wide_model, tmp_path,
                                                           sentiment_test):
    import tensorflow as tf

    import rnn_apps

    texts = sentiment_test[0][:30] + ["zzz unseen words only", "the food was not great"]
    expected = wide_model.predict_proba(texts)
    assert [i.name for i in wide_model.model_.inputs] == ["token_ids", "tfidf"]
    wide_model.save(tmp_path / "model")
    loaded = rnn_apps.load(tmp_path / "model")
    np.testing.assert_array_equal(loaded.predict_proba(texts), expected)
    loaded.export(tmp_path / "export")
    serve = tf.saved_model.load(str(tmp_path / "export")).signatures["serving_default"]
    served = serve(text=tf.constant(texts))
    np.testing.assert_allclose(served["probabilities"].numpy(), expected, atol=1e-5)
    assert [v.decode() for v in served["label"].numpy()] == list(wide_model.predict(texts))


def test_the_wide_state_holds_ngrams_and_idf_weights(wide_model):
    state = wide_model.get_state()["wide"]
    assert state["ngrams"] == 2 and "this camera" in state["vocabulary"]
    assert state["vocabulary"][0] == "[UNK]" and state["idf"][0] == 0.0
    assert len(state["idf"]) == len(state["vocabulary"]) == \
        wide_model.model_.get_layer("linear_logits").get_weights()[0].shape[0]
    assert np.abs(wide_model.model_.get_layer("linear_logits").get_weights()[0]).max() > 0


def test_misuse_is_one_line(wide_model, sentiment_train, tmp_path):
    from rnn_apps.portable import export_core

    with pytest.raises(RnnAppsError, match="wide TF-IDF path"):
        export_core(wide_model, tmp_path / "core", "onnx")
    assert not (tmp_path / "core").exists()
    with pytest.raises(RnnAppsError, match="trained with wide=True"):
        SentimentClassifier(**TINY).fit(*sentiment_train, warm_start=wide_model)
    with pytest.raises(RnnAppsError, match="need level='word'"):
        SentimentClassifier(**TINY, level="char", embeddings="any.txt").fit(*sentiment_train)
    with pytest.raises(RnnAppsError, match="embeddings must be the path"):
        SentimentClassifier(**TINY, embeddings=3).fit(*sentiment_train)
