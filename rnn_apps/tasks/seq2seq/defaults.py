"""Settings the translator chooses from its training pairs when the user leaves them open.

Vocabulary level per side (``source_level`` / ``target_level`` ``"auto"``), from
the side's training texts split on spaces, with every tenth text held out:

- ``char`` when the texts are single words (fewer than 1.5 words on average:
  G2P letters, dates written as one token, names): their spelling is the
  structure to learn;
- ``char`` when a fifth or more of the words hold a digit (dates, amounts,
  codes): numbers are an open set even when the training sample covers them,
  and digit by digit they generalise to ones never seen;
- ``word`` when the word vocabulary is closed (at most 1% of the held-out
  words are unseen in the other nine tenths: phone strings, commands);
- ``subword`` when it is open (10% or more unseen: sentences of a natural
  language), so unseen words are read as known pieces (``char`` where the
  ``subword`` extra, sentencepiece and tensorflow-text, is not installed);
- ``char`` in between (short strings of mostly known words plus numbers or
  variant spellings, such as dates written out).

The thresholds come from the sets of docs/benchmarks.md: German-English phrases
(23% / 15% unseen words, subword beats word by 4 BLEU), written-out dates (3%,
char), CMUdict letters (one word) and phones (0% unseen).

Dropout (``dropout=None``), when a side's word vocabulary is open (the
subword case above, whatever level was used): 0.3 below 50,000 training
pairs, 0.2 below 200,000, 0.1 above; otherwise none. Dropout 0.3 added 2.4
BLEU on the 16.5k German-English pairs, but cost 1.1 points of word error on
10,000 CMUdict words (docs/benchmarks.md, "Seq2seq: defaults chosen from the
data").
"""

from __future__ import annotations

import importlib.util

SAMPLE = 100_000           # texts of a stream read to choose its levels
HELD_OUT = 10              # every tenth text is held out to measure unseen words
SINGLE_WORDS = 1.5         # mean words per text below this: char
NUMBERS = 0.2              # share of words holding a digit at least this: char
CLOSED = 0.01              # unseen word rate at most this: word
OPEN = 0.10                # unseen word rate at least this: subword
DROPOUT_STEPS = ((50_000, 0.3), (200_000, 0.2))
LARGE_DROPOUT = 0.1


def text_statistics(texts, lowercase: bool = False) -> dict:
    """``{"words_per_text", "number_words", "unseen_words"}`` of a side's texts
    (words split on spaces; number words: share holding a digit; unseen: share
    of the held-out tenth's words absent from the rest)."""
    texts = list(texts)
    seen, held, words, numbers = set(), [], 0, 0
    for index, text in enumerate(texts):
        tokens = (text.lower() if lowercase else text).split()
        words += len(tokens)
        numbers += sum(any(c.isdigit() for c in token) for token in tokens)
        if index % HELD_OUT == HELD_OUT - 1:
            held.append(tokens)
        else:
            seen.update(tokens)
    count = len(texts)
    held_words = [token for tokens in held for token in tokens]
    unseen = sum(token not in seen for token in held_words) / max(len(held_words), 1)
    return {"words_per_text": round(words / max(count, 1), 3),
            "number_words": round(numbers / max(words, 1), 4), "unseen_words": round(unseen, 4)}


def choose_level(texts, lowercase: bool = False) -> dict:
    """``{"level", "reason", **text_statistics}`` for one side (the rule above)."""
    stats = {**text_statistics(texts, lowercase), "open": False}
    words, unseen = stats["words_per_text"], stats["unseen_words"]
    if words < SINGLE_WORDS:
        level, reason = "char", f"{words:.2f} words per text: spelling is the structure"
    elif stats["number_words"] >= NUMBERS:
        level, reason = "char", f"{stats['number_words']:.0%} of the words hold digits"
    elif unseen <= CLOSED:
        level, reason = "word", f"closed word vocabulary ({unseen:.1%} unseen held-out words)"
    elif unseen >= OPEN:
        stats["open"] = True
        level, reason = "subword", f"open word vocabulary ({unseen:.1%} unseen held-out words)"
        if not subwords_installed():
            level, reason = "char", reason + "; the subword extra is not installed"
    else:
        level, reason = "char", (f"short texts of mostly known words ({unseen:.1%} unseen "
                                 "held-out words)")
    return {"level": level, "reason": reason, **stats}


def subwords_installed() -> bool:
    return all(importlib.util.find_spec(name) is not None
               for name in ("sentencepiece", "tensorflow_text"))


def scaled_dropout(pairs: int) -> float:
    """Dropout for ``pairs`` training pairs (the steps above)."""
    for limit, rate in DROPOUT_STEPS:
        if pairs < limit:
            return rate
    return LARGE_DROPOUT


def resolve_levels(task, sources, targets) -> dict:
    """``{"source_level": {...}, "target_level": {...}}`` for ``task``: each side's
    level (chosen from its texts when ``"auto"``), the reason and the statistics."""
    found = {}
    for side, texts in (("source", sources), ("target", targets)):
        given, chosen = getattr(task, f"{side}_level"), choose_level(texts, task.lowercase)
        found[f"{side}_level"] = chosen if given == "auto" else \
            {**chosen, "level": given, "reason": "given"}
    return found


def record_dropout(task, pairs: int) -> None:
    """Add the dropout in use to ``task.state_["choices"]``: when ``task.dropout``
    is None, scaled to ``pairs`` if a side's word vocabulary is open, else 0."""
    found = task.state_.get("choices", {})
    if task.dropout is not None:
        dropout = {"value": task.dropout, "reason": "given"}
    elif any(found.get(f"{side}_level", {}).get("open") for side in ("source", "target")):
        dropout = {"value": scaled_dropout(pairs),
                   "reason": f"open vocabulary, {pairs} training pairs"}
    else:
        dropout = {"value": 0.0, "reason": "no open word vocabulary"}
    task.state_["choices"] = {**found, "dropout": dropout}


def describe(found: dict) -> str:
    """One line for the command line's training summary."""
    parts = [f"{side} level {found[f'{side}_level']['level']} "
             f"({found[f'{side}_level']['reason']})" for side in ("source", "target")
             if f"{side}_level" in found]
    parts.append(f"dropout {found['dropout']['value']:g} ({found['dropout']['reason']})")
    average = found.get("average_checkpoints")
    if average and len(average["epochs"]) > 1:
        parts.append(f"average of epochs {', '.join(map(str, average['epochs']))} "
                     f"{'kept' if average['kept'] else 'not kept'} (validation loss "
                     f"{average['val_loss_average']:.4f} against {average['val_loss_restored']:.4f})")
    return "chosen: " + "; ".join(parts)
