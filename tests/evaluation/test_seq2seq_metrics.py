import pytest

from rnn_apps.errors import DataError
from rnn_apps.evaluation.seq2seq import edit_distance, seq2seq_metrics


def test_edit_distance():
    assert edit_distance("kitten", "sitting") == 3
    assert edit_distance("", "abc") == 3 and edit_distance("abc", "abc") == 0


def test_perfect_and_partly_wrong_outputs():
    refs = ["the cat sat on the mat", "a dog barked at night"]
    perfect = seq2seq_metrics(refs, refs)
    assert perfect["bleu"] == pytest.approx(100) and perfect["chrf"] == pytest.approx(100)
    assert perfect["exact_match"] == 1 and perfect["cer"] == 0 and perfect["n"] == 2
    wrong = seq2seq_metrics(refs, ["the cat sat on a mat", "a dog barked at night"])
    assert 0 < wrong["bleu"] < 100 and wrong["exact_match"] == 0.5
    assert wrong["cer"] == pytest.approx(3 / sum(len(r) for r in refs))


def test_character_level_bleu_scores_short_strings():
    metrics = seq2seq_metrics(["2024-03-01"], ["2024-03-02"], level="char")
    assert 50 < metrics["bleu"] < 100  # word-level BLEU of one short token would be 0
    with pytest.raises(DataError, match="2 references but 1 outputs"):
        seq2seq_metrics(["a", "b"], ["a"])
