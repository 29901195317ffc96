import numpy as np
import pytest

from rnn_apps.errors import DataError, RnnAppsError
from rnn_apps.preprocessing import text as text_prep
from rnn_apps.preprocessing.text import TextEncoder

TEXTS = np.array(["The film was NOT good.", "good film", "a bad, bad film"], dtype=object)


def test_word_vocabulary_round_trips_through_its_state():
    encoder = TextEncoder.fit(TEXTS)
    assert encoder.vocabulary[:2] == ["", "[UNK]"]
    assert "not" in encoder.vocabulary and "NOT" not in encoder.vocabulary
    assert encoder.max_length == 5
    rebuilt = TextEncoder.from_state(encoder.get_state())
    np.testing.assert_array_equal(encoder.encode(TEXTS), rebuilt.encode(TEXTS))


def test_ids_are_right_padded_and_unknown_words_map_to_oov():
    encoder = TextEncoder.fit(TEXTS, standardize="lower", max_length=3)
    ids = encoder.encode(np.array(["good", "zebra film", "a b c d e"], dtype=object))
    assert ids.shape == (3, 3) and ids.dtype == np.int32
    assert ids[0, 0] > 1 and list(ids[0, 1:]) == [0, 0]
    assert ids[1, 0] == text_prep.OOV_ID


def test_truncating_keeps_the_start_or_the_end():
    encoder = TextEncoder.fit(np.array(["one two three four five"], dtype=object),
                              standardize="lower", max_length=2)
    words = encoder.vocabulary
    post = encoder.encode(np.array(["one two three four"], dtype=object))
    assert [words[i] for i in post[0]] == ["one", "two"]
    state = {**encoder.get_state(), "truncating": "pre"}
    pre = TextEncoder.from_state(state).encode(np.array(["one two three four", "five"],
                                                        dtype=object))
    assert [words[i] for i in pre[0]] == ["three", "four"]
    assert [words[i] for i in pre[1]] == ["five", ""]
    with pytest.raises(RnnAppsError, match="truncating must be one of post, pre"):
        TextEncoder.from_state({**state, "truncating": "middle"})


def test_character_level_splits_into_characters():
    encoder = TextEncoder.fit(TEXTS, level="char", standardize="none")
    assert {"N", ".", " "} <= set(encoder.vocabulary)
    assert encoder.max_length == len("The film was NOT good.")


def test_max_tokens_limits_the_vocabulary():
    assert len(TextEncoder.fit(TEXTS, standardize="lower", max_tokens=4).vocabulary) == 4


def test_encoder_runs_inside_a_tf_function():
    import tensorflow as tf

    encoder = TextEncoder.fit(TEXTS, max_length=4)
    graph = tf.function(encoder, input_signature=[tf.TensorSpec([None], tf.string)])
    np.testing.assert_array_equal(graph(tf.constant(list(TEXTS))), encoder.encode(TEXTS))


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
        TextEncoder.fit(np.array(["!!!", "..."], dtype=object))
