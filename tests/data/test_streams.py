"""Lazy readers: the same records as the in-memory ones, the same checks, re-iterable."""

import csv

import pytest

from rnn_apps.data.tables import read_labelled_texts, read_texts
from rnn_apps.data.text import read_corpus, read_text_stream
from rnn_apps.errors import DataError
from rnn_apps.preprocessing.streams import hash_split


def write_rows(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


def test_record_stream_reads_what_the_list_reader_reads_every_pass(tmp_path):
    rows = [["text", "label"], ["fine, \"really\"", "pos"], ["line\nbreak and \u0085 NEL", "neg"],
            ["tab\there \u2028 sep", "pos"]]
    path = write_rows(tmp_path / "r.csv", rows)
    stream = read_labelled_texts(path, stream=True)
    texts, labels = read_labelled_texts(path)
    assert list(stream) == list(zip(texts, labels)) == [tuple(r) for r in rows[1:]]
    assert list(stream) == list(stream)  # a new pass each time
    assert list(read_texts(path, stream=True)) == texts


def test_a_bad_record_in_a_stream_names_its_line(tmp_path):
    rows = [["text", "label"]] + [[f"text {i}", "pos"] for i in range(50)]
    rows[41][1] = ""
    stream = read_labelled_texts(write_rows(tmp_path / "bad.csv", rows), stream=True)
    with pytest.raises(DataError, match="bad.csv line 42: missing label"):
        list(stream)
    with pytest.raises(DataError, match="does not exist"):
        read_labelled_texts(tmp_path / "none.csv", stream=True)


def test_text_stream_is_the_corpus_in_pieces(tmp_path):
    first, second = tmp_path / "a.txt", tmp_path / "b.txt"
    first.write_text("Hamlet.\nTo be\u2028or not\n" * 40, encoding="utf-8")
    second.write_text("\ufeffsecond file, no final newline", encoding="utf-8")
    stream = read_text_stream([first, second])
    stream.piece_chars = 50
    pieces = list(stream)
    assert len(pieces) > 5 and "".join(pieces) == read_corpus([first, second])
    (tmp_path / "empty.txt").write_text("  \n", encoding="utf-8")
    with pytest.raises(DataError, match="empty.txt is empty"):
        list(read_text_stream(tmp_path / "empty.txt"))


def test_hash_split_is_stable_and_close_to_its_share():
    held_out = hash_split(0.2)
    texts = [f"review number {i}" for i in range(5000)]
    share = sum(map(held_out, texts)) / len(texts)
    assert 0.17 < share < 0.23
    assert [held_out(t) for t in texts] == [hash_split(0.2)(t) for t in texts]
