"""Per-token and entity-level scores for sequence tagging.

Entities are counted the way the CoNLL-2000 ``conlleval`` script counts
chunks: a predicted entity is right only when its type and both of its ends
match a gold entity. IOB1, IOB2 (BIO), IOBES and BILOU tags are read by the
same start/end rules, so an ``I-`` tag after ``O`` opens an entity.
"""

from __future__ import annotations

import re

from rnn_apps.errors import DataError
from rnn_apps.evaluation.classification import classification_metrics

_ENTITY_TAG = re.compile(r"^[BIESLU]-.+$")
_PREFIX = {"L": "E", "U": "S"}


def is_entity_scheme(tags) -> bool:
    """True when every tag is ``O`` or ``X-type`` with X in B, I, E, S, L, U (and not all O)."""
    tags = set(tags)
    return bool(tags - {"O"}) and all(
        isinstance(t, str) and (t == "O" or _ENTITY_TAG.match(t)) for t in tags)


def _split(tag: str) -> tuple[str, str]:
    if tag == "O" or not tag:
        return "O", ""
    prefix, _, kind = tag.partition("-")
    return _PREFIX.get(prefix, prefix), kind


def _ends(prev: str, tag: str, prev_kind: str, kind: str) -> bool:
    return (prev in ("E", "S") or (prev in ("B", "I") and tag in ("B", "S", "O"))
            or (prev != "O" and prev_kind != kind))


def _starts(prev: str, tag: str, prev_kind: str, kind: str) -> bool:
    return (tag in ("B", "S") or (prev in ("E", "S", "O") and tag in ("E", "I"))
            or (tag != "O" and prev_kind != kind))


def entities(tags) -> set[tuple[str, int, int]]:
    """``(type, first, last)`` of every entity in one tag sequence."""
    found, start, prev, prev_kind = set(), None, "O", ""
    for index, tag in enumerate([*tags, "O"]):
        current, kind = _split(tag)
        if start is not None and _ends(prev, current, prev_kind, kind):
            found.add((prev_kind, start, index - 1))
            start = None
        if _starts(prev, current, prev_kind, kind):
            start = index
        prev, prev_kind = current, kind
    return found


def entity_scores(gold_sequences, predicted_sequences) -> dict:
    """Micro precision, recall and F1 over entities, and per entity type."""
    gold_total = predicted_total = correct = 0
    by_type: dict[str, list[int]] = {}
    for gold, predicted in zip(gold_sequences, predicted_sequences):
        gold_set, predicted_set = entities(gold), entities(predicted)
        gold_total += len(gold_set)
        predicted_total += len(predicted_set)
        correct += len(gold_set & predicted_set)
        for source, position in ((gold_set, 0), (predicted_set, 1), (gold_set & predicted_set, 2)):
            for kind, _, _ in source:
                by_type.setdefault(kind, [0, 0, 0])[position] += 1

    def prf(gold, predicted, right):
        precision = right / predicted if predicted else 0.0
        recall = right / gold if gold else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return precision, recall, f1

    precision, recall, f1 = prf(gold_total, predicted_total, correct)
    return {"entity_precision": precision, "entity_recall": recall, "entity_f1": f1,
            "n_entities": gold_total,
            "per_entity_type": {kind: dict(zip(("precision", "recall", "f1"), prf(*counts)),
                                           support=counts[0])
                                for kind, counts in sorted(by_type.items())}}


def tagging_metrics(gold_sequences, predicted_sequences, tags) -> dict:
    """``token_accuracy``, ``macro_f1``, ``n_tokens``, a per-tag table, and the
    entity scores when the tags follow an entity scheme (BIO, IOBES, ...)."""
    gold_sequences, predicted_sequences = list(gold_sequences), list(predicted_sequences)
    if len(gold_sequences) != len(predicted_sequences):
        raise DataError(f"{len(gold_sequences)} gold and {len(predicted_sequences)} predicted "
                        "sequences")
    flat_gold, flat_predicted = [], []
    for index, (gold, predicted) in enumerate(zip(gold_sequences, predicted_sequences)):
        if len(gold) != len(predicted):
            raise DataError(f"sequence {index}: {len(gold)} gold tags but {len(predicted)} "
                            "predicted")
        flat_gold += list(gold)
        flat_predicted += list(predicted)
    scores = classification_metrics(flat_gold, flat_predicted, list(tags))
    metrics = {"token_accuracy": scores.pop("accuracy"), "macro_f1": scores.pop("macro_f1"),
               "n_tokens": scores.pop("n")}
    if is_entity_scheme(tags):
        metrics.update(entity_scores(gold_sequences, predicted_sequences))
    metrics["per_class"] = scores["per_class"]
    return metrics
