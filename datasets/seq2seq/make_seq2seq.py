"""Write the bundled seq2seq samples (deterministic).

    python datasets/seq2seq/make_seq2seq.py

- ``dates_train.tsv`` / ``dates_test.tsv``: dates written the ways people
  write them ("Tuesday, March 3, 1987", "the third of march 1987",
  "03.03.1987", "3 Mar 87"...) next to their ISO form (``1987-03-03``). A
  character-level task: the model has to read month names, ordinal words
  and day-first numbers. No test source occurs in training.
- ``chat_train.tsv`` / ``chat_test.tsv``: questions about recurrent networks
  and small talk with one answer each, asked in several phrasings; the test
  file asks the same things in phrasings held out of training. A
  word-level task for the ``chat`` command.
"""

from __future__ import annotations

import datetime
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]
ORDINALS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth",
            "ninth", "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth",
            "sixteenth", "seventeenth", "eighteenth", "nineteenth", "twentieth"]


def ordinal_word(day: int) -> str:
    if day <= 20:
        return ORDINALS[day - 1]
    if day == 30:
        return "thirtieth"
    tens = "twenty" if day < 30 else "thirty"
    return f"{tens}-{ORDINALS[day % 10 - 1]}"


def ordinal_suffix(day: int) -> str:
    if 10 <= day % 100 <= 20:
        return f"{day}th"
    return f"{day}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(day % 10, 'th')}"


DATE_FORMATS = [
    lambda d: f"{MONTHS[d.month - 1]} {d.day}, {d.year}",
    lambda d: f"{d.day} {MONTHS[d.month - 1]} {d.year}",
    lambda d: f"{MONTHS[d.month - 1][:3]} {d.day} {d.year}",
    lambda d: f"{d.day} {MONTHS[d.month - 1][:3]} {d.year % 100:02d}",
    lambda d: f"{d.day:02d}.{d.month:02d}.{d.year}",
    lambda d: f"{d.strftime('%A')}, {MONTHS[d.month - 1]} {d.day}, {d.year}",
    lambda d: f"the {ordinal_suffix(d.day)} of {MONTHS[d.month - 1]}, {d.year}",
    lambda d: f"the {ordinal_word(d.day)} of {MONTHS[d.month - 1]} {d.year}",
    lambda d: f"{MONTHS[d.month - 1]} {ordinal_suffix(d.day)} {d.year}",
    lambda d: f"{d.year} {MONTHS[d.month - 1]} {d.day}",
]
CASES = [str, str, str.lower, str.upper]


def date_pairs(rng: random.Random, count: int, exclude=frozenset()) -> list[tuple[str, str]]:
    start, span = datetime.date(1950, 1, 1), (datetime.date(2049, 12, 31)
                                             - datetime.date(1950, 1, 1)).days
    pairs, seen = [], set(exclude)
    while len(pairs) < count:
        day = start + datetime.timedelta(days=rng.randrange(span + 1))
        source = rng.choice(CASES)(rng.choice(DATE_FORMATS)(day))
        if source in seen:
            continue
        seen.add(source)
        pairs.append((source, day.isoformat()))
    return pairs


TOPICS = {
    "an rnn": "a network that reads a sequence one step at a time and keeps a hidden state.",
    "an lstm": "a recurrent cell with input, forget and output gates that keep long memories.",
    "a gru": "a recurrent cell with update and reset gates, smaller than an lstm.",
    "attention": "a weighted look at every encoder step while the decoder writes.",
    "beam search": "decoding that keeps the best few partial answers at every step.",
    "teacher forcing": "training the decoder on the true previous token instead of its own.",
    "dropout": "switching off random units while training so the model generalises.",
    "an embedding": "a learned vector for every token in the vocabulary.",
    "an echo state network": "a fixed random reservoir with a trained linear readout.",
    "gradient clipping": "scaling gradients down when their norm is too large.",
    "a bidirectional rnn": "two recurrent layers, one reading forwards and one backwards.",
    "truncated bptt": "backpropagation through time over short chunks of a long sequence.",
}
ASK_TRAIN = ["what is {t}?", "what's {t}?", "tell me about {t}.", "explain {t}.",
             "can you explain {t}?", "define {t}.", "what do you mean by {t}?"]
ASK_TEST = ["please explain {t}.", "what exactly is {t}?"]
SMALL_TALK = [
    (["hi", "hello", "hey there", "good morning", "hello!"], "hello! ask me about recurrent networks."),
    (["thanks", "thank you", "thanks a lot", "thank you very much"], "you are welcome."),
    (["bye", "goodbye", "see you", "see you later"], "goodbye, and good luck with your models."),
    (["who are you?", "what are you?", "what is your name?"],
     "a small sequence to sequence model trained on this file."),
    (["how are you?", "how are you doing?", "how is it going?"],
     "fine, thank you. my gradients are clipped."),
]
TALK_TEST = ["hi!", "thanks!", "goodbye!", "who are you", "how are you"]


def chat_pairs() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    train = [(ask.format(t=topic), answer) for topic, answer in TOPICS.items()
             for ask in ASK_TRAIN]
    train += [(ask, answer) for asks, answer in SMALL_TALK for ask in asks]
    test = [(ask.format(t=topic), answer) for topic, answer in TOPICS.items()
            for ask in ASK_TEST]
    answers = [answer for _, answer in SMALL_TALK]
    test += list(zip(TALK_TEST, answers))
    return train, test


def write_tsv(path: Path, pairs) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        handle.write("source\ttarget\n")
        handle.writelines(f"{source}\t{target}\n" for source, target in pairs)


def main(out_dir=HERE) -> None:
    out = Path(out_dir)
    rng = random.Random(20261123)
    train = date_pairs(rng, 6000)
    test = date_pairs(rng, 500, exclude={source for source, _ in train})
    write_tsv(out / "dates_train.tsv", train)
    write_tsv(out / "dates_test.tsv", test)
    chat_train, chat_test = chat_pairs()
    write_tsv(out / "chat_train.tsv", chat_train)
    write_tsv(out / "chat_test.tsv", chat_test)


if __name__ == "__main__":
    main()
