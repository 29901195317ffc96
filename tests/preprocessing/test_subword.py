"""Subword vocabularies: SentencePiece models learned from the text, split in the graph."""

import numpy as np
import pytest
import tensorflow as tf

from rnn_apps.core.model_files import subword_model_bytes
from rnn_apps.errors import DataError
from rnn_apps.preprocessing import subword
from rnn_apps.preprocessing.pieces import NEWLINE, PieceVocabulary
from rnn_apps.preprocessing.sequences import END_ID, START_ID, SequenceVocabulary
from rnn_apps.preprocessing.text import TextEncoder

WORDS = ["walking", "walked", "talking", "talked", "jumping", "jumped", "the", "dog",
         "cat", "quickly", "slowly", "runs", "running"]


def corpus(n=300, seed=0):
    rng = np.random.default_rng(seed)
    return [" ".join(rng.choice(WORDS, size=rng.integers(3, 8))) for _ in range(n)]


def test_a_model_splits_unseen_words_into_known_pieces_and_joins_them_back():
    vocabulary = SequenceVocabulary.fit(corpus(), level="subword", vocab_size=40, target=True)
    assert 0 < len(vocabulary.tokens) <= 40
    # "walking" and "jumped" are seen; "jumping talked" pieces recombine; "talkjump" is new
    pieces = vocabulary.split(["talkjump quickly"])[0]
    assert "".join(pieces).replace(subword.WORD_START, " ").strip() == "talkjump quickly"
    ids, lengths, unknown = vocabulary.encode_graph(tf.constant(["talkjump quickly"]), 50)
    assert unknown.numpy().tolist() == [0]          # every piece is in the vocabulary
    row = ids.numpy()[0]
    assert row[0] == START_ID and row[lengths.numpy()[0] + 1] == END_ID
    text = vocabulary.decode_graph(ids[:, 1:], lengths).numpy()[0].decode()
    assert text == "talkjump quickly"
    again = SequenceVocabulary.from_state(vocabulary.get_state())
    assert again.split(["the dog runs"]) == vocabulary.split(["the dog runs"])
    assert again.normalize(["the  dog runs "]) == ["the dog runs"]


def test_unseen_characters_are_unknown_and_the_state_survives_a_reseed():
    encoder = TextEncoder.fit(np.array(corpus(), dtype=object), level="subword",
                              vocab_size=30, standardize="lower_and_strip_punctuation")
    assert encoder.vocabulary[:2] == ["", "[UNK]"] and len(encoder.vocabulary) <= 40
    before = encoder.encode(np.array(["The DOG, runs!", "the zebra"], dtype=object))
    tf.random.set_seed(3)  # clears TensorFlow's kernel cache: the tokenizer must not live there
    again = TextEncoder.from_state(encoder.get_state())
    after = again.encode(np.array(["the dog runs", "the zebra"], dtype=object))
    assert np.array_equal(before, after)
    assert 1 in after[1]                       # "z" never appeared: unknown
    assert encoder.get_state()["subword"] == again.get_state()["subword"]


def test_piece_vocabulary_keeps_line_breaks_and_counts_pieces():
    text = "\n".join(corpus(80))
    vocabulary = PieceVocabulary.fit(text, vocab_size=40)
    assert NEWLINE in vocabulary.chars
    ids = vocabulary.encode("the dog\nthe cat runs")
    assert vocabulary.decode(ids).strip() == "the dog\nthe cat runs"
    graph = vocabulary.decode_graph(tf.constant([ids])).numpy()[0].decode()
    assert graph.strip() == "the dog\nthe cat runs"
    assert vocabulary.unknown_chars("the dog") == []
    assert vocabulary.unknown_chars("zzz") != []


def test_bad_subword_input_is_one_line():
    with pytest.raises(DataError, match="no tokens"):
        subword.train_model(["   ", ""], 50)
    with pytest.raises(ValueError, match="base64"):
        subword_model_bytes("not base64 !")
    assert subword.in_state({"text": {"subword": "x"}}) and not subword.in_state({"chars": []})


def test_the_same_texts_give_the_same_model():
    texts = corpus(200, seed=5)
    assert subword.train_model(texts, 30) == subword.train_model(list(texts), 30)


def test_bpe_models_split_and_join_too():
    vocabulary = SequenceVocabulary.fit(corpus(), level="subword", vocab_size=40,
                                        model_type="bpe")
    assert vocabulary.normalize(["talkjump the dog"]) == ["talkjump the dog"]
    with pytest.raises(Exception, match="subword_model"):
        subword.train_model(corpus(), 40, "wordpiece")
