"""Size and decompression bombs: files whose claims or uncompressed sizes are
far beyond what they hold or what the readers accept are refused in one line,
early (the bombs are built by compressing in chunks, so they are small and
the readers must stop at the cap for the tests to be quick)."""

import gzip
import time

import pytest

from rnn_apps.errors import DataError
from rnn_apps.preprocessing.embeddings import MAX_LINE_BYTES, read_word_vectors

MiB = 1 << 20


def gzip_of(path, head: bytes, filler: bytes, repeats: int, tail: bytes = b"") -> int:
    """``head + filler * repeats + tail`` gzip-compressed, written in chunks;
    returns the uncompressed size."""
    with gzip.open(path, "wb", compresslevel=1) as handle:
        handle.write(head)
        for _ in range(repeats):
            handle.write(filler)
        handle.write(tail)
    return len(head) + len(filler) * repeats + len(tail)


def refused(path, match):
    started = time.monotonic()
    with pytest.raises(DataError, match=match) as caught:
        read_word_vectors(path)
    assert "\n" not in str(caught.value) and str(path) in str(caught.value)
    return time.monotonic() - started


def test_word_vector_files_claiming_more_than_they_hold_or_the_limits(tmp_path, monkeypatch):
    rows = "the 1 2 3 4\ngood 4 3 2 1\n"
    huge = tmp_path / "huge.vec"
    huge.write_text(f"1000000000 4\n{rows}", encoding="utf-8")
    assert refused(huge, r"claims 1,000,000,000 words; it must be 1 to 10,000,000") < 5
    wide = tmp_path / "wide.vec"
    wide.write_text(f"2 100000\n{rows}", encoding="utf-8")
    refused(wide, "claims 100,000 dimensions")
    values = tmp_path / "values.vec"
    values.write_text(f"9000000 16000\n{rows}", encoding="utf-8")
    refused(values, "more than the limit of 1,000,000,000 values")
    # within the limits, but 5 million words claimed and 2 held: refused before
    # gensim allocates 5 million rows
    short = tmp_path / "short.vec"
    short.write_text(f"5000000 4\n{rows}", encoding="utf-8")
    refused(short, "claims 5,000,000 words but the file holds 2")
    longer = tmp_path / "longer.vec"
    longer.write_text(f"1 4\n{rows}", encoding="utf-8")     # read silently as 1 word before
    refused(longer, "claims 1 words but the file holds more")
    binary = tmp_path / "short.bin"
    binary.write_bytes(b"5000000 4\nthe " + b"\0" * 16 + b"\n")
    refused(binary, r"claims 5,000,000 words of 4 dimensions \(at least")
    # a gzip bomb: one line of 8 MiB of zeros (a 2 GB line reads the same), stopped at 1 MiB
    line = tmp_path / "line.vec.gz"
    size = gzip_of(line, b"1 4\nthe ", b"0" * MiB, 8, b"\n")
    assert size > 8 * MiB and line.stat().st_size < MiB / 8
    assert refused(line, f"line 2: longer than {MAX_LINE_BYTES:,} bytes") < 10
    # a damaged .gz (zlib's own error before): one line
    damaged = tmp_path / "damaged.txt.gz"
    gzip_of(damaged, b"", b"the 1 2 3 4\ngood 4 3 2 1\n", 50)
    raw = bytearray(damaged.read_bytes())
    raw[20:30] = b"\xff" * 10
    damaged.write_bytes(bytes(raw))
    refused(damaged, "cannot read word vectors")
    # GloVe (no header) with more lines than the words limit (made small here)
    from rnn_apps.core.params import LIMITS

    monkeypatch.setitem(LIMITS, "vocabulary", 1000)
    many = tmp_path / "many.txt.gz"
    gzip_of(many, b"", b"w 1 2 3 4\n", 100_000)
    assert refused(many, "more than 1,000 words; the limit is 1,000") < 10


def test_gzip_data_files_are_read_with_capped_lines_and_rows(tmp_path, monkeypatch):
    from rnn_apps.data import tables
    from rnn_apps.data.pairs import read_pairs
    from rnn_apps.data.series import read_series_csv
    from rnn_apps.data.tables import read_labelled_texts, read_texts
    from rnn_apps.data.tagged import read_tagged
    from rnn_apps.data.text import read_corpus

    def fails(read, path, match, **kwargs):
        started = time.monotonic()
        with pytest.raises(DataError, match=match) as caught:
            read(path, **kwargs)
        assert "\n" not in str(caught.value) and str(path) in str(caught.value)
        assert time.monotonic() - started < 10

    # a gzip file is read as its uncompressed text, its format told under .gz
    table = tmp_path / "train.csv.gz"
    with gzip.open(table, "wt", encoding="utf-8") as handle:
        handle.write("text,label\na fine film,pos\na dull one,neg\n")
    assert read_labelled_texts(table) == (["a fine film", "a dull one"], ["pos", "neg"])
    corpus = tmp_path / "corpus.conllu.gz"
    with gzip.open(corpus, "wt", encoding="utf-8") as handle:
        handle.write("1\tAnna\tAnna\tPROPN" + "\t_" * 6 + "\n2\truns\trun\tVERB"
                     + "\t_" * 6 + "\n\n")
    assert read_tagged(corpus) == ([["Anna", "runs"]], [["PROPN", "VERB"]])

    # one line of 65 MiB (300 KiB compressed): stopped at the 64 MiB line limit
    line = tmp_path / "line.txt.gz"
    assert gzip_of(line, b"", b"0" * MiB, 65, b"\n") > tables.LINE_LIMIT
    assert line.stat().st_size < MiB
    fails(read_texts, line, r"line 1: longer than 67,108,864 bytes \(uncompressed\)")
    monkeypatch.setattr(tables, "TEXT_LIMIT", MiB)   # a whole-file read stops at its limit
    fails(read_corpus, line, "more than 1,048,576 bytes of text")

    # 200,000 rows against a row limit made small: in-memory readers stop at it,
    # a stream reads them all
    monkeypatch.setattr(tables, "ROW_LIMIT", 1000)
    rows = tmp_path / "rows.csv.gz"
    gzip_of(rows, b"text,label\n", b"a,b\n", 200_000)
    fails(read_labelled_texts, rows, "more than 1,000 lines, too many to read into memory")
    assert sum(1 for _ in read_labelled_texts(rows, stream=True)) == 200_000
    from click.testing import CliRunner

    from rnn_apps.cli import cli

    result = CliRunner().invoke(cli, ["sentiment", "train", "--data", str(rows), "--out",
                                      str(tmp_path / "m"), "--epochs", "1"])
    assert result.exit_code == 1 and not (tmp_path / "m").exists()
    assert result.output.strip().splitlines()[-1].startswith(f"Error: {rows}: more than 1,000")
    pairs = tmp_path / "pairs.tsv.gz"
    gzip_of(pairs, b"", b"a\tb\n", 200_000)
    fails(read_pairs, pairs, "more than 1,000 lines")
    series = tmp_path / "series.csv.gz"
    gzip_of(series, b"t,y\n", b"", 0, "".join(f"{i},1\n" for i in range(5000)).encode())
    fails(read_series_csv, series, "more than 1,000 lines")
    tagged = tmp_path / "tagged.conll.gz"
    gzip_of(tagged, b"", b"Anna B-PER\n\n", 200_000)
    fails(read_tagged, tagged, "more than 1,000 lines")

    # a damaged gzip file: one line
    broken = tmp_path / "broken.csv.gz"
    broken.write_bytes(table.read_bytes()[:-12])
    fails(read_labelled_texts, broken, "cannot decompress it")
