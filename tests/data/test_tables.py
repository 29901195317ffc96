import json

import pytest

from rnn_apps.data.tables import read_labelled_texts, read_texts
from rnn_apps.errors import DataError


def write(path, text, mode="w"):
    if mode == "wb":
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_csv_tsv_and_jsonl_read_the_same_rows(tmp_path):
    csv_file = write(tmp_path / "a.csv", 'text,label,extra\n"good, really",pos,1\nbad,neg,2\n')
    tsv_file = write(tmp_path / "a.tsv", "label\ttext\npos\tgood, really\nneg\tbad\n")
    lines = [{"text": "good, really", "label": "pos"}, {"text": "bad", "label": "neg"}]
    jsonl_file = write(tmp_path / "a.jsonl", "\n".join(json.dumps(r) for r in lines) + "\n")
    expected = (["good, really", "bad"], ["pos", "neg"])
    for path in (csv_file, tsv_file, jsonl_file):
        assert read_labelled_texts(path) == expected


def test_configurable_columns_and_headerless_files(tmp_path):
    path = write(tmp_path / "r.tsv", "fine film\t1\nawful\t0\n")
    assert read_labelled_texts(path, text_column=0, label_column=1, header=False) == (
        ["fine film", "awful"], ["1", "0"])
    named = write(tmp_path / "n.csv", "review,stars\nok,3\n")
    assert read_labelled_texts(named, text_column="review", label_column="stars") == (
        ["ok"], ["3"])


def test_plain_text_lines_for_prediction(tmp_path):
    path = write(tmp_path / "t.txt", "first text\n\nsecond text\n")
    assert read_texts(path) == ["first text", "second text"]


@pytest.mark.parametrize("content, mode, message", [
    ("", "w", "is empty"),
    ("text,label\n", "w", "has no data rows"),
    ("review,label\ngood,pos\n", "w", "no column 'text' for the text \\(columns: review, label\\)"),
    ("text,label\ngood,pos\nbad,\n", "w", "line 3: missing label"),
    (b"text,label\ngood,pos\nbad\xff\xfe,neg\n", "wb", "line 3: not UTF-8 text"),
    (b"\x00\x01\x02binary", "wb", "looks binary"),
])
def test_bad_files_give_one_clear_message(tmp_path, content, mode, message):
    path = write(tmp_path / "bad.csv", content, mode)
    with pytest.raises(DataError, match=message) as info:
        read_labelled_texts(path)
    assert "\n" not in str(info.value) and "bad.csv" in str(info.value)


def test_missing_file_and_unknown_suffix(tmp_path):
    with pytest.raises(DataError, match="does not exist"):
        read_labelled_texts(tmp_path / "nope.csv")
    path = write(tmp_path / "data.xlsx", "x")
    with pytest.raises(DataError, match="cannot tell the format"):
        read_texts(path)
    with pytest.raises(DataError, match="line 1: invalid JSON"):
        read_labelled_texts(write(tmp_path / "x.jsonl", "{oops\n"))
