import numpy as np
import pytest

from rnn_apps.errors import DataError, RnnAppsError
from rnn_apps.preprocessing import text as text_prep

TEXTS = np.array(["The film was NOT good.", "good film", "a bad, bad film"], dtype=object)


def test_word_vocabulary_round_trips_through_its_saved_list():
    vectorizer, length = text_prep.fit_vectorizer(
        TEXTS, level="word", standardize="lower_and_strip_punctuation", max_tokens=None,
        max_length=None)
    vocabulary = vectorizer.get_vocabulary()
    assert vocabulary[:2] == ["", "[UNK]"] and "not" in vocabulary and "NOT" not in vocabulary
    assert length == 5
    rebuilt = text_prep.make_vectorizer(level="word", standardize="lower_and_strip_punctuation",
                                        max_tokens=None, max_length=length, vocabulary=vocabulary)
    np.testing.assert_array_equal(text_prep.vectorize(vectorizer, TEXTS),
                                  text_prep.vectorize(rebuilt, TEXTS))


def test_ids_are_right_padded_truncated_and_unknown_words_map_to_oov():
    vectorizer, _ = text_prep.fit_vectorizer(TEXTS, level="word", standardize="lower",
                                             max_tokens=None, max_length=3)
    ids = text_prep.vectorize(vectorizer, np.array(["good", "zebra film", "a b c d e"],
                                                   dtype=object))
    assert ids.shape == (3, 3) and ids.dtype == np.int32
    assert ids[0, 0] > 1 and list(ids[0, 1:]) == [0, 0]
    assert ids[1, 0] == text_prep.OOV_ID
    assert (ids[2] != 0).all()


def test_character_level_splits_into_characters():
    vectorizer, length = text_prep.fit_vectorizer(TEXTS, level="char", standardize="none",
                                                  max_tokens=None, max_length=None)
    vocabulary = vectorizer.get_vocabulary()
    assert "N" in vocabulary and "." in vocabulary and " " in vocabulary
    assert length == len("The film was NOT good.")


def test_max_tokens_limits_the_vocabulary():
    vectorizer, _ = text_prep.fit_vectorizer(TEXTS, level="word", standardize="lower",
                                             max_tokens=4, max_length=None)
    assert len(vectorizer.get_vocabulary()) == 4


def test_check_texts_rejects_bad_items():
    with pytest.raises(DataError, match="empty string"):
        text_prep.check_texts(["fine", "  "])
    with pytest.raises(DataError, match=r"texts\[1\] is missing"):
        text_prep.check_texts(["fine", None])
    with pytest.raises(DataError, match="not a string"):
        text_prep.check_texts(["fine", 3])
    with pytest.raises(DataError, match="is empty"):
        text_prep.check_texts([])
    with pytest.raises(DataError, match="not a single string"):
        text_prep.check_texts("one text")


def test_text_settings_are_validated():
    with pytest.raises(RnnAppsError, match="level must be one of word, char"):
        text_prep.check_text_settings("byte", "lower", None, None)
    with pytest.raises(RnnAppsError, match="standardize"):
        text_prep.check_text_settings("word", "upper", None, None)


def test_texts_without_tokens_are_a_data_error():
    with pytest.raises(DataError, match="no tokens"):
        text_prep.fit_vectorizer(np.array(["!!!", "..."], dtype=object), level="word",
                                 standardize="lower_and_strip_punctuation", max_tokens=None,
                                 max_length=None)
