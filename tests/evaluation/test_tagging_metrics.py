import pytest

from rnn_apps.errors import DataError
from rnn_apps.evaluation.tagging import entities, entity_scores, is_entity_scheme, tagging_metrics


def test_entities_are_read_like_conlleval():
    assert entities(["B-PER", "I-PER", "O", "B-LOC"]) == {("PER", 0, 1), ("LOC", 3, 3)}
    assert entities(["I-PER", "I-PER", "O", "I-LOC"]) == {("PER", 0, 1), ("LOC", 3, 3)}  # IOB1
    assert entities(["B-PER", "B-PER"]) == {("PER", 0, 0), ("PER", 1, 1)}
    assert entities(["S-ORG", "B-LOC", "I-LOC", "E-LOC", "U-PER"]) == \
        {("ORG", 0, 0), ("LOC", 1, 3), ("PER", 4, 4)}
    assert entities(["B-PER", "I-LOC"]) == {("PER", 0, 0), ("LOC", 1, 1)}  # a type change


def test_an_entity_counts_only_with_both_ends_and_its_type():
    gold = [["B-PER", "I-PER", "O", "B-LOC"]]
    scores = entity_scores(gold, [["B-PER", "O", "O", "B-LOC"]])
    assert scores["entity_precision"] == 0.5 and scores["entity_recall"] == 0.5
    assert entity_scores(gold, [["B-ORG", "I-ORG", "O", "B-LOC"]])["entity_f1"] == 0.5
    assert entity_scores(gold, gold)["per_entity_type"]["PER"]["f1"] == 1.0


def test_tagging_metrics_keys_and_checks():
    metrics = tagging_metrics([["B-PER", "O"], ["O"]], [["B-PER", "O"], ["B-PER"]],
                              ["B-PER", "O"])
    assert metrics["token_accuracy"] == pytest.approx(2 / 3) and metrics["n_tokens"] == 3
    assert metrics["entity_f1"] == pytest.approx(2 / 3)
    pos = tagging_metrics([["NOUN", "VERB"]], [["NOUN", "NOUN"]], ["NOUN", "VERB"])
    assert "entity_f1" not in pos and set(pos["per_class"]) == {"NOUN", "VERB"}
    assert is_entity_scheme(["O", "B-X", "I-X"]) and not is_entity_scheme(["O"])
    assert not is_entity_scheme(["NOUN", "B-X"])
    with pytest.raises(DataError, match="sequence 0: 2 gold tags but 1 predicted"):
        tagging_metrics([["O", "O"]], [["O"]], ["O"])
