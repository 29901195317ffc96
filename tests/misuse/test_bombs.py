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
    with gzip.open(path, "wb", compresslevel=9) as handle:
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
    # a gzip bomb: one line of 64 MiB of zeros (64 KiB compressed), stopped at 1 MiB
    line = tmp_path / "line.vec.gz"
    size = gzip_of(line, b"1 4\nthe ", b"0" * MiB, 64, b"\n")
    assert size > 60 * MiB and line.stat().st_size < MiB
    assert refused(line, f"line 2: longer than {MAX_LINE_BYTES:,} bytes") < 10
    # GloVe (no header) with more lines than the words limit (made small here)
    from rnn_apps.core.params import LIMITS

    monkeypatch.setitem(LIMITS, "vocabulary", 1000)
    many = tmp_path / "many.txt.gz"
    gzip_of(many, b"", b"w 1 2 3 4\n", 100_000)
    assert refused(many, "more than 1,000 words; the limit is 1,000") < 10
