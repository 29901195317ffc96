"""The exported SavedModels check their inputs as the API does: a bad request is an
InvalidArgumentError that says what is wrong, never a made-up or non-finite answer."""

import numpy as np
import pytest
import tensorflow as tf
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import DATASETS, seasonal_series

SMALL = {"units": 4, "epochs": 1, "batch_size": 16, "seed": 0, "verbose": 0}


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    import rnn_apps
    from rnn_apps.data.pairs import read_pairs
    from rnn_apps.data.tagged import read_tagged

    folder = tmp_path_factory.mktemp("exports")
    sources, targets = read_pairs(DATASETS / "seq2seq" / "dates_train.tsv")
    words, tags = read_tagged(DATASETS / "tagging" / "ner_train.conll")
    text = (DATASETS / "textgen" / "corpus.txt").read_text(encoding="utf-8")[:2000]
    frames = [np.random.default_rng(k).normal(size=(6, 2)).astype("float32") for k in range(20)]
    labels = [["a", "b"] * 3 for _ in frames]
    models = {
        "sentiment": rnn_apps.SentimentClassifier(embedding_dim=4, **SMALL).fit(
            ["good film", "bad film", "fine day", "awful day"] * 10, ["p", "n", "p", "n"] * 10),
        "seq2seq": rnn_apps.Seq2SeqTranslator(embedding_dim=4, **SMALL).fit(sources[:40],
                                                                           targets[:40]),
        "tagging": rnn_apps.Tagger(embedding_dim=4, char_filters=0, **SMALL).fit(words[:40],
                                                                                tags[:40]),
        "frames": rnn_apps.Tagger(**SMALL).fit(frames, labels),
        "textgen": rnn_apps.TextGenerator(embedding_dim=4, bptt=16, **SMALL).fit(text),
        "forecast": rnn_apps.Forecaster(lookback=6, inputs="relative", deseasonalize="none",
                                        ensemble=1, **SMALL).fit(seasonal_series(n=80)[:, :1]),
    }
    out = {}
    for name, model in models.items():
        model.export(folder / name)
        out[name] = tf.saved_model.load(str(folder / name)).signatures
    return out


def refused(function, message, **inputs):
    with pytest.raises(tf.errors.InvalidArgumentError, match=message):
        function(**inputs)


def test_text_signatures_refuse_empty_batches_texts_and_nul(served):
    for name, key in (("sentiment", "text"), ("seq2seq", "text")):
        function = served[name]["serving_default"]
        refused(function, "batch is empty", **{key: tf.constant([], tf.string)})
        refused(function, "a text is empty", **{key: tf.constant(["10 May 1983", "  "])})
        refused(function, "NUL", **{key: tf.constant(["a\x00b"])})
    decode = served["seq2seq"]["decode"]
    good = {"text": tf.constant(["10 May 1983"]), "beam_width": tf.constant(2),
            "max_length": tf.constant(12), "length_penalty": tf.constant(1.0)}
    assert decode(**good)["output"].shape == (1,)
    refused(decode, "beam_width must be from 1 to 64", **{**good, "beam_width": tf.constant(0)})
    refused(decode, "max_length must be", **{**good, "max_length": tf.constant(10**9)})
    refused(decode, "length_penalty", **{**good, "length_penalty": tf.constant(np.nan, tf.float32)})


def test_tagging_signatures_refuse_empty_sentences_and_infinite_frames(served):
    tokens = served["tagging"]["serving_default"]
    assert tokens(tokens=tf.constant([["Anna", "Berg"]]))["tags"].shape == (1, 2)
    refused(tokens, "the batch is empty", tokens=tf.zeros([2, 0], tf.string))
    refused(tokens, "a sentence has no tokens", tokens=tf.constant([["Anna"], [""]]))
    frames = served["frames"]["serving_default"]
    refused(frames, "a sequence has no frames",
            frames=tf.constant(np.full((1, 3, 2), np.nan, np.float32)))
    refused(frames, "infinite", frames=tf.constant(np.full((1, 3, 2), np.inf, np.float32)))


def test_textgen_and_forecast_signatures_refuse_bad_numbers(served):
    serve = served["textgen"]["serving_default"]
    good = {"prompt": tf.constant(["And "]), "length": tf.constant(5),
            "temperature": tf.constant(0.5)}
    assert serve(**good)["text"].shape == (1,)
    refused(serve, "a prompt is empty", **{**good, "prompt": tf.constant([""])})
    refused(serve, "temperature must be from 0.0 to 100.0",
            **{**good, "temperature": tf.constant(-1.0)})
    refused(serve, "temperature", **{**good, "temperature": tf.constant(np.nan, tf.float32)})
    refused(serve, "length must be from 1", **{**good, "length": tf.constant(2_000_000_000)})
    forecast = served["forecast"]["serving_default"]
    history = np.ones((1, 6, 1), np.float32)
    assert np.isfinite(forecast(history=tf.constant(history))["forecast"].numpy()).all()
    for bad in (np.nan, np.inf):
        history[0, 2, 0] = bad
        refused(forecast, "NaN or infinite", history=tf.constant(history))


def test_shape_mismatches_are_one_clear_line_not_a_silent_answer(served):
    forecast = served["forecast"]["serving_default"]
    refused(forecast, r"history must hold lookback = 6 steps, got 3",
            history=tf.ones((1, 3, 1)))
    refused(forecast, r"history must hold 1 column\(s\), got 2", history=tf.ones((1, 6, 2)))
    frames = served["frames"]["serving_default"]
    assert frames(frames=tf.zeros((1, 3, 2)))["tags"].shape == (1, 3)
    for width in (1, 3):
        with pytest.raises(tf.errors.InvalidArgumentError) as caught:
            frames(frames=tf.zeros((1, 3, width)))
        assert f"the model expects 2 features per frame, got {width}" in caught.value.message
        assert "reshape" not in caught.value.message.lower()
        assert "Incompatible shapes" not in caught.value.message


FUZZ = settings(max_examples=15, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(texts=st.lists(st.text(max_size=30), max_size=4))
def test_random_texts_get_an_answer_or_a_clear_refusal(served, texts):
    for name in ("sentiment", "seq2seq"):
        try:
            out = served[name]["serving_default"](text=tf.constant(texts, tf.string))
        except tf.errors.InvalidArgumentError as error:
            assert "batch is empty" in error.message or "a text" in error.message
        else:
            assert all(np.isfinite(v.numpy()).all() for v in out.values()
                       if v.dtype.is_floating)


@FUZZ
@given(values=st.lists(st.floats(width=32), min_size=6, max_size=6))
def test_random_histories_get_a_finite_forecast_or_a_clear_refusal(served, values):
    history = tf.constant(np.array(values, np.float32).reshape(1, 6, 1))
    try:
        out = served["forecast"]["serving_default"](history=history)
    except tf.errors.InvalidArgumentError as error:
        assert "NaN or infinite" in error.message or "the forecast is not finite" in error.message
    else:
        assert np.isfinite(out["forecast"].numpy()).all()
