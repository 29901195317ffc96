"""Reading word-vector files (word2vec binary and text, GloVe, fastText .vec) and
lining their rows up with a fitted vocabulary."""

import gzip
import struct
import sys

import numpy as np
import pytest

from rnn_apps.errors import DataError, RnnAppsError
from rnn_apps.preprocessing.embeddings import (
    detect_format,
    read_word_vectors,
    vector_rows,
)

WORDS = ["the", "Film", "good", "bad", "été"]
VECTORS = np.random.default_rng(3).normal(size=(len(WORDS), 4)).astype(np.float32)


def text_lines():
    return [f"{word} " + " ".join(f"{value:.6f}" for value in vector)
            for word, vector in zip(WORDS, VECTORS)]


def write(path, kind):
    """The same vectors in one of the formats read."""
    if kind == "glove-gzip":
        with gzip.open(path, "wt", encoding="utf-8") as handle:
            handle.write("\n".join(text_lines()) + "\n")
    elif kind == "glove":
        path.write_text("\n".join(text_lines()) + "\n", encoding="utf-8")
    elif kind in ("word2vec-text", "fasttext"):
        path.write_text(f"{len(WORDS)} 4\n" + "\n".join(text_lines()) + "\n", encoding="utf-8")
    else:  # the C tool's binary layout: header line, then "word " and 4 float32 per row
        with open(path, "wb") as handle:
            handle.write(f"{len(WORDS)} 4\n".encode())
            handle.writelines(word.encode("utf-8") + b" " + struct.pack("<4f", *vector) + b"\n"
                              for word, vector in zip(WORDS, VECTORS))
    return path


FORMATS = {"glove": ("glove.6B.4d.txt", (False, True)),
           "glove-gzip": ("glove.6B.4d.txt.gz", (False, True)),
           "word2vec-text": ("vectors.txt", (False, False)),
           "fasttext": ("wiki.vec", (False, False)),
           "word2vec-binary": ("vectors.bin", (True, False)),
           "binary-no-suffix": ("vectors.w2v", (True, False))}


@pytest.mark.parametrize("kind", sorted(FORMATS))
def test_every_format_is_detected_and_reads_the_same_vectors(tmp_path, kind):
    name, expected = FORMATS[kind]
    path = write(tmp_path / name, "word2vec-binary" if "binary" in kind else kind)
    assert detect_format(path) == expected
    vectors = read_word_vectors(path)
    assert list(vectors.index_to_key) == WORDS
    exact = "binary" in kind  # text files hold 6 decimals
    np.testing.assert_allclose(vectors["été"], VECTORS[4], atol=0 if exact else 1e-6)


def test_rows_follow_the_vocabulary_with_a_case_fallback(tmp_path):
    vectors = read_word_vectors(write(tmp_path / "v.bin", "word2vec-binary"))
    tokens = ["good", "The", "film", "unseen", "other"]   # ids 2.. after padding and unknown
    matrix, covered = vector_rows(vectors, tokens, reserved=2, seed=0)
    assert matrix.shape == (7, 4) and covered == 3
    assert not matrix[0].any()                             # padding
    np.testing.assert_array_equal(matrix[2], VECTORS[2])   # exact
    np.testing.assert_array_equal(matrix[3], VECTORS[0])   # "The" -> "the"
    np.testing.assert_array_equal(matrix[4], VECTORS[1])   # "film" -> the file's "Film"
    again, _ = vector_rows(vectors, tokens, reserved=2, seed=0)
    other, _ = vector_rows(vectors, tokens, reserved=2, seed=1)
    random_rows = [1, 5, 6]                                # unknown id and two missing words
    np.testing.assert_array_equal(matrix[random_rows], again[random_rows])
    assert not np.allclose(matrix[random_rows], other[random_rows])
    assert not np.allclose(matrix[5], matrix[6])
    found_scale = VECTORS[[2, 0, 1]].std(axis=0)
    drawn = vector_rows(vectors, [f"w{i}" for i in range(400)] + ["good", "the", "Film"],
                        reserved=2, seed=0)[0][2:402]
    assert np.all(np.abs(np.log(drawn.std(axis=0) / found_scale)) < 0.3)


@pytest.mark.parametrize("content, message", [
    (b"", "is empty"),
    (b"junk\x00\x01\xff\xfe", "'<words> <dimensions>' line"),
    (b"3 4\nthe 1 2 3 4\n", "claims 3 words but the file holds 1"),  # fewer rows than promised
    (b"2 4\nthe 1 2 3 4\ngood 1 x 3 4\n", "cannot read word vectors"),
    (b"the 1 2 nan 4\n", "NaN or infinite"),
])
def test_a_bad_file_is_one_line_naming_it(tmp_path, content, message):
    path = tmp_path / "broken.txt"
    path.write_bytes(content)
    with pytest.raises(DataError, match=message) as caught:
        read_word_vectors(path)
    assert str(path) in str(caught.value) and "\n" not in str(caught.value)


def test_a_missing_file_and_a_missing_gensim_are_one_line(tmp_path, monkeypatch):
    with pytest.raises(DataError, match="does not exist"):
        read_word_vectors(tmp_path / "absent.vec")
    path = write(tmp_path / "v.txt", "glove")
    monkeypatch.setitem(sys.modules, "gensim", None)
    monkeypatch.setitem(sys.modules, "gensim.models", None)
    with pytest.raises(RnnAppsError, match=r"pip install 'rnn-apps\[embeddings\]'"):
        read_word_vectors(path)
