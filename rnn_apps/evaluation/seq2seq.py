"""Scores for generated sequences: corpus BLEU and chrF (sacrebleu), exact
match and character error rate."""

from __future__ import annotations

from rnn_apps.errors import DataError


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (insertions, deletions and substitutions cost 1)."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i]
        for j, char_b in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1,
                               previous[j - 1] + (char_a != char_b)))
        previous = current
    return previous[-1]


def seq2seq_metrics(references, hypotheses, *, level: str = "word") -> dict:
    """``bleu`` and ``chrf`` (0-100, sacrebleu; BLEU over characters when
    ``level="char"``), ``exact_match`` and ``cer`` (0-1), ``n``."""
    from sacrebleu.metrics import BLEU, CHRF

    references, hypotheses = [str(r) for r in references], [str(h) for h in hypotheses]
    if len(references) != len(hypotheses):
        raise DataError(f"{len(references)} references but {len(hypotheses)} outputs")
    if not references:
        raise DataError("nothing to score")
    bleu = BLEU(tokenize="char" if level == "char" else "13a", effective_order=True)
    characters = sum(len(r) for r in references)
    return {
        "bleu": float(bleu.corpus_score(hypotheses, [references]).score),
        "chrf": float(CHRF().corpus_score(hypotheses, [references]).score),
        "exact_match": sum(h == r for h, r in zip(hypotheses, references)) / len(references),
        "cer": sum(edit_distance(h, r) for h, r in zip(hypotheses, references))
        / max(characters, 1),
        "n": len(references),
    }
