import numpy as np
import pytest

from rnn_apps.data.tagged import (
    read_conll,
    read_conllu,
    read_frames_csv,
    read_tagged,
    read_word_tag,
)
from rnn_apps.errors import DataError

CONLLU = """# sent_id = 1
# text = Don't go.
1-2\tDon't\t_\t_\t_\t_\t_\t_\t_\t_
1\tDo\tdo\tAUX\tVBP\t_\t3\taux\t_\t_
2\tn't\tnot\tPART\tRB\t_\t3\tadvmod\t_\t_
3\tgo\tgo\tVERB\tVB\t_\t0\troot\t_\t_
3.1\tgone\tgo\tVERB\tVBN\t_\t_\t_\t_\t_
4\t.\t.\tPUNCT\t.\t_\t3\tpunct\t_\t_

1\tHi\thi\tINTJ\tUH\t_\t0\troot\t_\t_
"""


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_conllu_skips_ranges_and_empty_nodes_and_picks_the_tag_column(tmp_path):
    path = write(tmp_path, "a.conllu", CONLLU)
    sentences, tags = read_conllu(path)
    assert sentences == [["Do", "n't", "go", "."], ["Hi"]]
    assert tags == [["AUX", "PART", "VERB", "PUNCT"], ["INTJ"]]
    assert read_conllu(path, "xpos")[1][0] == ["VBP", "RB", "VB", "."]
    assert read_tagged(path)[0] == sentences  # format from the suffix
    with pytest.raises(DataError, match="tag column must be upos or xpos"):
        read_conllu(path, "lemma_column")
    bad = write(tmp_path, "b.conllu", "1\tDo\tdo\tAUX\n")
    with pytest.raises(DataError, match="b.conllu line 1: expected 10 tab-separated"):
        read_conllu(bad)


def test_conll_columns_docstart_and_width(tmp_path):
    path = write(tmp_path, "a.conll", "-DOCSTART- -X- O O\n\nEU NNP B-ORG\nrejects VBZ O\n\n"
                                      "Peter NNP B-PER\n")
    assert read_conll(path) == ([["EU", "rejects"], ["Peter"]], [["B-ORG", "O"], ["B-PER"]])
    bad = write(tmp_path, "b.conll", "EU NNP B-ORG\nrejects O\n")
    with pytest.raises(DataError, match="b.conll line 2: 2 columns, but line 1 has 3"):
        read_conll(bad)


def test_word_tag_lines_split_on_the_last_slash(tmp_path):
    path = write(tmp_path, "a.txt", "1/2/CD cups/NNS\n\nok/UH\n")
    assert read_word_tag(path) == ([["1/2", "cups"], ["ok"]], [["CD", "NNS"], ["UH"]])
    with pytest.raises(DataError, match="line 2: 'cups' is not word/TAG"):
        read_word_tag(write(tmp_path, "b.txt", "a/DT\nthe/DT cups\n"))
    with pytest.raises(DataError, match="has no sentences"):
        read_conll(write(tmp_path, "c.conll", "-DOCSTART- O\n\n"))


def test_frames_csv_groups_rows_by_sequence(tmp_path):
    path = write(tmp_path, "f.csv", "sequence,x,y,label\na,1,2,up\na,2,3,up\nb,0,0,down\n"
                                    "a,3,4,down\n")
    sequences, labels, features = read_frames_csv(path)
    assert features == ["x", "y"] and labels == [["up", "up", "down"], ["down"]]
    np.testing.assert_array_equal(sequences[0], [[1, 2], [2, 3], [3, 4]])
    for text, message in [("sequence,x,label\na,1,\n", "line 2: the label is missing"),
                          ("sequence,x,label\na,1,up\na,zz,up\n", "line 3: a feature value"),
                          ("sequence,x,label\na,1,up\na,1,2,up\n", "line 3: 4 fields"),
                          ("sequence,x,label\na,nan,up\n", "NaN, infinite or beyond the 32-bit float range"),
                          ("seq,x,label\na,1,up\n", "no column 'sequence'")]:
        with pytest.raises(DataError, match=message):
            read_frames_csv(write(tmp_path, "bad.csv", text))
