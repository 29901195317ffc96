import pytest

from rnn_apps.data.pairs import read_pairs
from rnn_apps.errors import DataError


def test_pairs_with_header_and_extra_columns(tmp_path):
    path = tmp_path / "p.tsv"
    path.write_text("Source\tTarget\nhello\tbonjour\tCC-BY\n\ncat\tchat\n", encoding="utf-8")
    assert read_pairs(path) == (["hello", "cat"], ["bonjour", "chat"])


@pytest.mark.parametrize(("text", "message"), [
    ("hello bonjour\n", "line 1: no tab"),
    ("a\tb\n\tc\n", "line 2: empty source"),
    ("a\tb\nc\t \n", "line 2: empty target"),
    ("source\ttarget\n", "has no pairs"),
])
def test_bad_pairs(tmp_path, text, message):
    path = tmp_path / "p.tsv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError, match=message):
        read_pairs(path)


def test_read_sources_takes_lines_or_the_first_column(tmp_path):
    from rnn_apps.data.pairs import read_sources

    path = tmp_path / "s.tsv"
    path.write_text("source\ttarget\nhello\tbonjour\n\ncat\n", encoding="utf-8")
    assert read_sources(path) == ["hello", "cat"]
    path.write_text("source\n\n", encoding="utf-8")
    with pytest.raises(DataError, match="has no lines to translate"):
        read_sources(path)
