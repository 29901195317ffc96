"""SequenceVocabulary: graph splitting, ids, start/end, cutting, joining back."""

import numpy as np
import pytest
import tensorflow as tf

from rnn_apps.errors import DataError
from rnn_apps.preprocessing.sequences import (
    END_ID,
    START_ID,
    SequenceVocabulary,
    check_texts,
)


def test_char_vocabulary_ids_unknowns_and_cutting():
    vocabulary = SequenceVocabulary.fit(["abba", "été"], level="char")
    assert vocabulary.tokens == ["a", "b", "é", "t"] and vocabulary.size == 6
    ids, lengths, unknown = vocabulary.encode_graph(tf.constant(["tab", "abbaab", "xé"]), 4)
    assert ids.numpy().tolist() == [[5, 2, 3, 0], [2, 3, 3, 2], [1, 4, 0, 0]]
    assert lengths.numpy().tolist() == [3, 6, 2]        # before cutting
    assert unknown.numpy().tolist() == [0, 0, 1]


def test_word_vocabulary_splits_punctuation_and_adds_start_and_end():
    vocabulary = SequenceVocabulary.fit(["Hello, world!", "hello again."], level="word",
                                        lowercase=True, target=True)
    assert vocabulary.split(["Hi, there!"]) == [["hi", ",", "there", "!"]]
    assert vocabulary.tokens == ["hello", "!", ",", ".", "again", "world"]
    ids, lengths, _ = vocabulary.encode_graph(tf.constant(["hello world", "again"]), 10)
    rows = ids.numpy()
    assert rows[0, 0] == START_ID and rows[0, 3] == END_ID and rows[1, 2] == END_ID
    text = vocabulary.decode_graph(ids[:, 1:], lengths).numpy()
    assert [t.decode() for t in text] == ["hello world", "again"]
    cut, _, _ = vocabulary.encode_graph(tf.constant(["hello world again"]), 4)
    assert cut.numpy().tolist() == [[START_ID, rows[0, 1], rows[0, 2], END_ID]]


def test_word_joining_puts_punctuation_back():
    vocabulary = SequenceVocabulary([], level="word")
    text = ["Hello , world !", "I don't know (really).", "pi is 3.14, at 10:30."]
    assert vocabulary.normalize(text) == ["Hello, world!", "I don't know (really).",
                                          "pi is 3.14, at 10:30."]


def test_state_round_trip_and_checks():
    vocabulary = SequenceVocabulary.fit(["ab c"], level="word", target=True, max_tokens=1)
    again = SequenceVocabulary.from_state(vocabulary.get_state())
    assert again.tokens == vocabulary.tokens == ["ab"] and again.target and again.size == 5
    with pytest.raises(DataError, match="level must be one of char, word"):
        SequenceVocabulary([], level="byte")
    with pytest.raises(DataError, match=r"sources\[1\] is empty"):
        check_texts(["a", "  "])
    with pytest.raises(DataError, match="must be a list of strings"):
        check_texts("abc")
    assert np.array_equal(check_texts(("x", "y")), ["x", "y"])
