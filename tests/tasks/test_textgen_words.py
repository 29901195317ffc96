"""The word-level language model: its split, its figures per word, and the
same answers from Python, a loaded model and the SavedModel."""

import numpy as np
import pytest

from rnn_apps import TextGenerator
from rnn_apps.errors import RnnAppsError
from rnn_apps.preprocessing.words import NEWLINE, WordVocabulary

TEXT = "\n".join(["The movie was great, I loved it!", "The food was bad. I hated it.",
                  "Great service, great food."] * 20)


@pytest.fixture(scope="module")
def word_model():
    return TextGenerator(level="word", units=16, embedding_dim=8, epochs=1, batch_size=4,
                         bptt=8, seed=0, verbose=0).fit(TEXT)


def test_words_are_lower_cased_with_punctuation_and_line_breaks_of_their_own():
    words = WordVocabulary.split("Great, LOVED it!\nBad.")
    assert words == ["great", ",", "loved", "it", "!", NEWLINE, "bad", "."]
    vocabulary = WordVocabulary.fit("b a b c b a", max_words=2)
    assert vocabulary.chars == ["b", "a"]                     # most frequent first, capped
    assert list(vocabulary.encode("a b c")) == [3, 2, 1]     # c is unknown
    assert vocabulary.decode([2, 3, vocabulary._index.get("b", 2)]) == " b a b"


def test_the_model_counts_words_and_writes_them(word_model):
    assert word_model.vocabulary_.level == "word"
    metrics = word_model.evaluate(TEXT)
    words = len(WordVocabulary.split(TEXT)) - 1
    assert metrics["n_words"] == words and metrics["loss_unit"] == "nats per word"
    assert metrics["bits_per_word"] == pytest.approx(metrics["loss"] / np.log(2))
    written = word_model.generate("the movie", length=6, temperature=0, seed=0)
    assert written.startswith("the movie") and len(written) > len("the movie")
    # a word the model never saw is read as unknown, not refused
    assert word_model.generate("an unseenword", length=3, seed=1).startswith("an unseenword")


def test_loaded_and_exported_models_write_the_same(word_model, tmp_path):
    import tensorflow as tf

    expected = word_model.generate(["the food", "great"], length=5, temperature=0)
    word_model.save(tmp_path / "lm")
    loaded = TextGenerator.load(tmp_path / "lm")
    assert loaded.vocabulary_.chars == word_model.vocabulary_.chars
    assert loaded.generate(["the food", "great"], length=5, temperature=0) == expected
    word_model.export(tmp_path / "export")
    serve = tf.saved_model.load(str(tmp_path / "export")).signatures["serving_default"]
    out = serve(prompt=tf.constant(["the food", "great"]), length=tf.constant(5),
                temperature=tf.constant(0.0))["text"].numpy()
    assert [t.decode("utf-8") for t in out] == expected


def test_word_streams_are_refused_in_one_line(tmp_path):
    from rnn_apps.data.text import read_text_stream

    path = tmp_path / "corpus.txt"
    path.write_text(TEXT, encoding="utf-8")
    with pytest.raises(RnnAppsError, match="level='word' needs the training text in memory"):
        TextGenerator(level="word", epochs=1, verbose=0).fit(read_text_stream([str(path)]))
