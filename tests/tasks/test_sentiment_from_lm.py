"""A sentiment classifier that starts from a language model (``init_from_lm``):
it reads text as the model does, starts from its weights, fine-tunes with
gradual unfreezing, discriminative rates and a slanted triangular schedule,
and keeps working through save/load, the SavedModel and the command line."""

import json

import numpy as np
import pytest
from click.testing import CliRunner

from rnn_apps import SentimentClassifier, TextGenerator
from rnn_apps.cli import cli
from rnn_apps.core.finetune import SlantedTriangular, group_scales
from rnn_apps.errors import RnnAppsError
from tests.conftest import TINY

LM = {"cell": "gru", "units": 8, "embedding_dim": 8, "epochs": 1, "batch_size": 8, "bptt": 16,
      "seed": 0, "verbose": 0}


@pytest.fixture(scope="module")
def word_lm(sentiment_train):
    return TextGenerator(level="word", **LM).fit("\n".join(sentiment_train[0][:300]))


def lm_weights(lm):
    return {"embedding": lm.model_.get_layer("embedding").get_weights(),
            "recurrent": lm.model_.get_layer("lm_gru_0").get_weights()}


def classifier_weights(clf):
    return {"embedding": clf.model_.get_layer("embedding").get_weights(),
            "recurrent": clf.model_.get_layer("encoder_gru_0").get_weights()}


def same(a, b):
    return all(np.array_equal(x, y) for x, y in zip(a, b))


def fit(lm, texts, labels, **settings):
    return SentimentClassifier(**{**TINY, "units": 32, "embedding_dim": 32, "epochs": 1,
                                  "patience": None, **settings},
                               init_from_lm=lm).fit(texts, labels)


def test_the_classifier_keeps_the_models_vocabulary_split_and_sizes(word_lm, sentiment_train):
    clf = fit(word_lm, *(part[:120] for part in sentiment_train))
    encoder = clf.text_encoder_
    assert encoder.vocabulary == ["", "[UNK]", *word_lm.vocabulary_.chars]
    assert (clf.units, clf.embedding_dim, clf.level) == (8, 8, "word")  # the model's, not 32
    text = "The camera, sadly, was GREAT!"
    ids = encoder.encode(np.array([text], dtype=object))[0]
    assert list(ids[ids > 0]) == list(word_lm.vocabulary_.encode(text))


def test_the_first_epoch_trains_only_the_head_and_the_next_one_layer_more(word_lm,
                                                                          sentiment_train):
    texts, labels = (part[:160] for part in sentiment_train)
    start = lm_weights(word_lm)
    one = classifier_weights(fit(word_lm, texts, labels, epochs=1))
    assert same(one["embedding"], start["embedding"])
    assert same(one["recurrent"], start["recurrent"])
    two = classifier_weights(fit(word_lm, texts, labels, epochs=2))
    assert same(two["embedding"], start["embedding"])       # still frozen in epoch 2
    assert not same(two["recurrent"], start["recurrent"])   # unfrozen in epoch 2
    every = classifier_weights(fit(word_lm, texts, labels, epochs=1, gradual_unfreezing=False))
    assert not same(every["embedding"], start["embedding"])
    assert not same(every["recurrent"], start["recurrent"])
    assert same(lm_weights(word_lm)["embedding"], start["embedding"])  # the model is untouched


def test_lower_groups_learn_slower_and_the_rate_is_slanted():
    assert group_scales(3, 0, decay=2.6, gradual=True) == [1.0, 0.0, 0.0]
    assert group_scales(3, 5, decay=2.0, gradual=True) == [1.0, 0.5, 0.25]
    assert group_scales(2, 0, decay=2.0, gradual=False) == [1.0, 0.5]
    schedule = SlantedTriangular(0.01, total_steps=100, cut_frac=0.1, ratio=32)
    rates = [float(schedule(step)) for step in (0, 5, 10, 55, 100, 150)]
    assert rates[0] == pytest.approx(0.01 / 32)
    assert rates[2] == pytest.approx(0.01)                  # the peak at the cut
    assert rates[1] < rates[2] and rates[3] < rates[2]      # up, then down
    assert rates[4] == pytest.approx(0.01 / 32) and rates[5] == pytest.approx(0.01 / 32)


def test_save_load_and_savedmodel_agree(word_lm, sentiment_train, tmp_path):
    import tensorflow as tf

    texts, labels = (part[:120] for part in sentiment_train)
    clf = fit(word_lm, texts, labels, epochs=2)
    expected = clf.predict_proba(texts[:5])
    clf.save(tmp_path / "model")
    saved = json.loads((tmp_path / "model" / "rnn_apps.json").read_text())
    assert saved["params"]["init_from_lm"] == "a TextGenerator fitted in memory"
    loaded = SentimentClassifier.load(tmp_path / "model")
    assert np.allclose(loaded.predict_proba(texts[:5]), expected, atol=1e-6)
    clf.export(tmp_path / "export")
    serve = tf.saved_model.load(str(tmp_path / "export")).signatures["serving_default"]
    answer = serve(text=tf.constant(texts[:5]))["probabilities"].numpy()
    assert np.allclose(answer, expected, atol=1e-5)


def test_character_and_subword_models_are_read_as_they_split(sentiment_train):
    texts, labels = (part[:120] for part in sentiment_train)
    for level in ("char", "subword"):
        lm = TextGenerator(level=level, vocab_size=150, **LM).fit("\n".join(texts))
        clf = fit(lm, texts, labels)
        text = "Great phone, bad battery."
        ids = clf.text_encoder_.encode(np.array([text], dtype=object))[0]
        assert clf.level == level
        assert list(ids[ids > 0]) == list(lm.vocabulary_.encode(text))


def test_what_cannot_start_a_classifier_is_one_line(word_lm, fitted_sentiment, saved_sentiment,
                                                    sentiment_train, tmp_path):
    texts, labels = (part[:60] for part in sentiment_train)
    with pytest.raises(RnnAppsError, match="not a model directory"):
        fit(str(tmp_path / "absent"), texts, labels)
    with pytest.raises(RnnAppsError, match="holds a sentiment model"):
        fit(str(saved_sentiment), texts, labels)
    with pytest.raises(RnnAppsError, match="fitted TextGenerator"):
        fit(fitted_sentiment, texts, labels)
    with pytest.raises(RnnAppsError, match="bidirectional"):
        fit(word_lm, texts, labels, bidirectional=True)
    one_hot = TextGenerator(**{**LM, "embedding_dim": None}).fit("\n".join(texts))
    with pytest.raises(RnnAppsError, match="one-hot"):
        fit(one_hot, texts, labels)


def test_the_command_learns_a_model_from_unlabeled_text_first(small_csv, tmp_path,
                                                             sentiment_train):
    unlabeled = tmp_path / "unlabeled.txt"
    unlabeled.write_text("\n".join(sentiment_train[0][200:400]), encoding="utf-8")
    runner = CliRunner()
    common = ["--units", "8", "--embedding-dim", "8", "--epochs", "1", "--seed", "0"]
    result = runner.invoke(cli, ["sentiment", "train", "--data", str(small_csv), "--out",
                                 str(tmp_path / "m"), "--unlabeled", str(unlabeled),
                                 "--save-lm", str(tmp_path / "lm"), *common])
    assert result.exit_code == 0, result.output
    lm = TextGenerator.load(tmp_path / "lm")
    clf = SentimentClassifier.load(tmp_path / "m")
    assert lm.vocabulary_.level == "word"
    assert clf.text_encoder_.vocabulary == ["", "[UNK]", *lm.vocabulary_.chars]
    again = runner.invoke(cli, ["sentiment", "train", "--data", str(small_csv), "--out",
                                str(tmp_path / "m2"), "--init-from-lm", str(tmp_path / "lm"),
                                "--no-gradual-unfreezing", *common])
    assert again.exit_code == 0, again.output
    bad = runner.invoke(cli, ["sentiment", "train", "--data", str(small_csv), "--out",
                              str(tmp_path / "m3"), "--init-from-lm", str(tmp_path / "m")])
    assert bad.exit_code != 0
    assert "holds a sentiment model" in bad.output and "Traceback" not in bad.output
    assert not (tmp_path / "m3").exists()
