"""Property tests: whatever the standard library writers write, the readers read back
unchanged (texts byte for byte, numbers exactly)."""

import csv
import json

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rnn_apps.data.pairs import read_pairs
from rnn_apps.data.series import read_series_csv
from rnn_apps.data.tables import read_labelled_texts, read_texts
from rnn_apps.data.tagged import read_frames_csv, read_tagged
from rnn_apps.data.text import read_corpus, read_text_stream

FUZZ = settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
# the characters that break naive readers, mixed into any Unicode (no NUL: binary)
TRICKY = ",;\"'\t\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029\ufeff \u00a0"
chars = st.one_of(st.sampled_from(TRICKY),
                  st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"))
texts = st.text(chars, min_size=1, max_size=40).filter(lambda t: t.strip())
labels = st.text(chars, min_size=1, max_size=8).filter(lambda t: t.strip())


def no(*bad):
    return lambda t: not any(c in t for c in bad)


@FUZZ
@given(rows=st.lists(st.tuples(texts, labels), min_size=1, max_size=8),
       delimiter=st.sampled_from([",", "\t"]))
def test_csv_and_tsv_records_round_trip(tmp_path, rows, delimiter):
    path = tmp_path / ("data.csv" if delimiter == "," else "data.tsv")
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(["text", "label"])
        writer.writerows(rows)
    assert read_labelled_texts(path) == ([t for t, _ in rows], [label for _, label in rows])
    streamed = read_labelled_texts(path, stream=True)
    assert list(streamed) == rows


@FUZZ
@given(rows=st.lists(st.tuples(texts, labels), min_size=1, max_size=8))
def test_json_lines_round_trip(tmp_path, rows):
    path = tmp_path / "data.jsonl"
    with open(path, "w", encoding="utf-8") as handle:
        handle.writelines(json.dumps({"text": text, "label": label}) + "\n" for text, label in rows)
    assert read_labelled_texts(path) == ([t for t, _ in rows], [label for _, label in rows])


@FUZZ
@given(lines=st.lists(texts.filter(no("\n", "\r")).map(str.rstrip).filter(bool),
                      min_size=1, max_size=8))
def test_plain_lines_round_trip(tmp_path, lines):
    path = tmp_path / "texts.txt"
    path.write_bytes("\n".join(lines).encode("utf-8"))
    lines[0] = lines[0].removeprefix("\ufeff")  # a byte order mark at the start is not text
    assert read_texts(path) == [line for line in lines if line.strip()]


words = st.text(chars, min_size=1, max_size=12).filter(no(" ", "\t", "\n", "\r", "\ufeff"))
tags = st.text(st.characters(whitelist_categories=("Lu", "Ll", "Nd")), min_size=1, max_size=5)
sentences = st.lists(st.lists(st.tuples(words, tags), min_size=1, max_size=6),
                     min_size=1, max_size=5)


@FUZZ
@given(corpus=sentences)
def test_tagged_corpora_round_trip(tmp_path, corpus):
    expected = ([[w for w, _ in s] for s in corpus], [[t for _, t in s] for s in corpus])
    conllu = "".join("".join(f"{i}\t{w}\t_\t{t}\t_\t_\t_\t_\t_\t_\n"
                             for i, (w, t) in enumerate(s, 1)) + "\n" for s in corpus)
    conll = "".join("".join(f"{w} {t}\n" for w, t in s) + "\n" for s in corpus)
    wordtag = "".join(" ".join(f"{w}/{t}" for w, t in s) + "\n" for s in corpus)
    for name, text in (("c.conllu", conllu), ("c.conll", conll), ("c.txt", wordtag)):
        if name == "c.conll" and any(w == "-DOCSTART-" for s in corpus for w, _ in s):
            continue
        path = tmp_path / name
        path.write_bytes(text.encode("utf-8"))
        assert read_tagged(path) == expected, name


@FUZZ
@given(pairs=st.lists(st.tuples(*[texts.filter(no("\t", "\n", "\r")).map(str.strip)
                                  .filter(bool)] * 2), min_size=1, max_size=8))
def test_sentence_pairs_round_trip(tmp_path, pairs):
    path = tmp_path / "pairs.tsv"
    path.write_bytes("".join(f"{s}\t{t}\n" for s, t in pairs).encode("utf-8"))
    if pairs[0][0].startswith("\ufeff"):
        pairs[0] = (pairs[0][0][1:].strip(), pairs[0][1])
    if pairs[0][0] and (pairs[0][0].lower(), pairs[0][1].lower()) != ("source", "target"):
        assert read_pairs(path) == ([s for s, _ in pairs], [t for _, t in pairs])


@FUZZ
@given(text=st.text(chars, min_size=1, max_size=300).filter(lambda t: t.strip()))
def test_corpus_text_round_trips(tmp_path, text):
    path = tmp_path / "corpus.txt"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        handle.write(text)
    expected = text.removeprefix("\ufeff")
    assert read_corpus(path) == expected
    assert "".join(read_text_stream(path)) == expected


finite32 = st.floats(allow_nan=False, allow_infinity=False, width=32)


@FUZZ
@given(values=st.lists(st.tuples(finite32, finite32), min_size=2, max_size=30),
       start=st.integers(-1000, 1000), step=st.integers(1, 5))
def test_numeric_series_round_trip(tmp_path, values, start, step):
    path = tmp_path / "series.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["step", "a", "b"])
        writer.writerows([start + k * step, repr(a), repr(b)] for k, (a, b) in enumerate(values))
    table = read_series_csv(path)
    np.testing.assert_array_equal(table.values, np.array(values, dtype=np.float32))
    assert table.times == [start + k * step for k in range(len(values))]
    assert table.columns == ["a", "b"] and not table.gaps


@FUZZ
@given(frames=st.lists(st.tuples(st.sampled_from(["s1", "s 2", "s,3"]), finite32, labels),
                       min_size=1, max_size=20))
def test_frames_csv_round_trip(tmp_path, frames):
    path = tmp_path / "frames.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["sequence", "x", "label"])
        writer.writerows([s, repr(x), label] for s, x, label in frames)
    sequences, tag_lists, names = read_frames_csv(path)
    order = list(dict.fromkeys(s for s, _, _ in frames))
    assert names == ["x"] and len(sequences) == len(order)
    for key, sequence, found in zip(order, sequences, tag_lists):
        mine = [(x, label) for s, x, label in frames if s == key]
        np.testing.assert_array_equal(sequence[:, 0], np.float32([x for x, _ in mine]))
        assert found == [label.strip() for _, label in mine]


@FUZZ
@given(data=st.binary(max_size=300), name=st.sampled_from(
    ["x.csv", "x.tsv", "x.jsonl", "x.txt", "x.conllu", "x.conll", "pairs.tsv", "series.csv",
     "frames.csv", "corpus.txt"]))
def test_random_bytes_give_records_or_one_line_errors(tmp_path, data, name):
    """Whatever the bytes, every reader returns or raises a DataError: no other
    exception, no hang."""
    from rnn_apps.errors import DataError

    path = tmp_path / name
    path.write_bytes(data)
    readers = {"x.csv": read_labelled_texts, "x.tsv": read_labelled_texts,
               "x.jsonl": read_labelled_texts, "x.txt": read_texts, "x.conllu": read_tagged,
               "x.conll": read_tagged, "pairs.tsv": read_pairs, "series.csv": read_series_csv,
               "frames.csv": read_frames_csv, "corpus.txt": read_corpus}
    try:
        readers[name](path)
    except DataError as error:
        assert "\n" not in str(error) and str(error)
