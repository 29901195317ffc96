"""Write the bundled tagging samples (deterministic).

    python datasets/tagging/make_tagging.py

- ``ner_train.conll`` / ``ner_test.conll``: sentences from templates with
  person, place and organisation names in BIO tags (CoNLL-2003 layout: token
  and tag per line, blank line between sentences). A third of the test
  names never occur in training, so the model has to go by the shape of the
  word (capitals, suffixes) and its context.
- ``activity_train.csv`` / ``activity_test.csv``: three-axis accelerometer-like
  frames with a label per frame (rest, walk, run), several activities per
  sequence; walking and running differ in rhythm and strength, so a frame's
  label depends on its neighbours.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent

# Names are drawn from many first names, surnames, places and organisation
# stems, so a tagger learns context and word shape rather than a short list;
# the test's unseen names come from separate lists.
FIRST = ["Anna", "Tomas", "Maria", "John", "Li", "Omar", "Sofia", "Kenji", "Eva", "Pedro",
         "Grace", "Ivan", "Nora", "Paul", "Aisha", "Mark", "Julia", "Samuel", "Mei", "Karim",
         "Elena", "Lucas", "Amara", "Felix"]
LAST = ["Berg", "Weller", "Santos", "Carter", "Wei", "Haddad", "Rossi", "Sato", "Novak",
        "Alves", "Okafor", "Petrov", "Lind", "Becker", "Bello", "Hughes", "Moreau", "Tanaka",
        "Kowalski", "Mensah", "Larsen", "Costa", "Fischer", "Dubois"]
NEW_FIRST = ["Clara", "Diego", "Hana", "Victor", "Lena", "Ravi"]
NEW_LAST = ["Voss", "Ramos", "Kimura", "Hale", "Marsh", "Menon"]
PEOPLE = [f"{a} {b}" for a in FIRST for b in LAST]
NEW_PEOPLE = [f"{a} {b}" for a in NEW_FIRST for b in NEW_LAST]
PLACES = ["Berlin", "Lisbon", "Nairobi", "Osaka", "Toronto", "Madrid", "Oslo", "Cairo",
          "Lima", "Dublin", "Prague", "Seoul", "Vienna", "Accra", "Denver", "Kyoto", "Porto",
          "Bergen", "Tunis", "Austin", "Hamburg", "Rome", "Manila", "Zurich", "New York",
          "Buenos Aires", "Cape Town", "Hong Kong"]
NEW_PLACES = ["Quito", "Tallinn", "Hanoi", "Perth", "Santiago", "Kigali", "Rio de Janeiro"]
STEMS = ["Acme", "Blue River", "Northwind", "Globex", "Vertex", "Harbor", "Summit", "Redwood",
         "Silverline", "Bright", "Atlas", "Granite", "Maple", "Nova", "Pioneer", "Keystone"]
NEW_STEMS = ["Sunline", "Orion", "Cobalt", "Juniper"]
SUFFIXES = ["Corp", "Bank", "Labs", "Group", "Systems", "Press", "Foods", "Energy"]
ORGS = [f"{a} {b}" for a in STEMS for b in SUFFIXES] + ["Red Cross", "City Library"]
NEW_ORGS = [f"{a} {b}" for a in NEW_STEMS for b in SUFFIXES]
TEMPLATES = [
    "{PER} moved to {LOC} last year .", "{PER} works for {ORG} in {LOC} .",
    "yesterday {PER} met {PER} at {ORG} .", "the office of {ORG} is in {LOC} .",
    "{ORG} hired {PER} as a manager .", "we flew from {LOC} to {LOC} on Monday .",
    "{PER} said that {ORG} will open a branch in {LOC} .", "a report by {ORG} was published .",
    "in {LOC} , {PER} gave a talk about the weather .", "{PER} and {PER} visited {LOC} .",
    "the new director of {ORG} , {PER} , spoke today .", "prices in {LOC} rose again .",
    "nobody from {ORG} came to the meeting .", "{PER} wrote to {ORG} about the delay .",
    "after the game {PER} went home .", "the train to {LOC} was late .",
    "{PER} moved to {LOC} to work for {ORG} .", "shares of {ORG} fell in {LOC} today .",
]


def sentence(rng, template, people, places, orgs):
    tokens, tags = [], []
    for word in template.split():
        kind = word[1:-1] if word.startswith("{") else None
        if kind is None:
            tokens.append(word)
            tags.append("O")
            continue
        pool = {"PER": people, "LOC": places, "ORG": orgs}[kind]
        parts = pool[rng.integers(len(pool))].split()
        tokens += parts
        tags += [f"B-{kind}"] + [f"I-{kind}"] * (len(parts) - 1)
    return tokens, tags


def write_conll(path, sentences):
    lines = []
    for tokens, tags in sentences:
        lines += [f"{token} {tag}" for token, tag in zip(tokens, tags)] + [""]
    path.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {path} ({len(sentences)} sentences)")


def ner(out: Path, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    train = [sentence(rng, TEMPLATES[rng.integers(len(TEMPLATES))], PEOPLE, PLACES, ORGS)
             for _ in range(1200)]
    test = []
    for i in range(300):
        new = i % 3 == 0
        test.append(sentence(rng, TEMPLATES[rng.integers(len(TEMPLATES))],
                             NEW_PEOPLE if new else PEOPLE, NEW_PLACES if new else PLACES,
                             NEW_ORGS if new else ORGS))
    write_conll(out / "ner_train.conll", train)
    write_conll(out / "ner_test.conll", test)


ACTIVITIES = {"rest": (0.0, 0.0), "walk": (1.0, 0.18), "run": (2.2, 0.33)}  # amplitude, cycles/frame


def activity(out: Path, seed: int = 1) -> None:
    rng = np.random.default_rng(seed)
    for name, count in (("activity_train.csv", 60), ("activity_test.csv", 20)):
        rows = []
        for sequence in range(count):
            labels = rng.choice(list(ACTIVITIES), size=rng.integers(2, 4))
            for label in labels:
                amplitude, frequency = ACTIVITIES[label]
                phase = rng.uniform(0, 2 * np.pi)
                for t in range(rng.integers(12, 30)):
                    swing = amplitude * np.sin(2 * np.pi * frequency * t + phase)
                    ax = swing + rng.normal(0, 0.25)
                    ay = 0.5 * swing * rng.uniform(0.8, 1.2) + rng.normal(0, 0.25)
                    az = 9.8 + 0.3 * abs(swing) + rng.normal(0, 0.25)
                    rows.append([f"s{sequence:03d}", f"{ax:.3f}", f"{ay:.3f}",
                                 f"{az:.3f}", label])
        with open(out / name, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(["sequence", "ax", "ay", "az", "label"])
            writer.writerows(rows)
        print(f"wrote {out / name} ({count} sequences, {len(rows)} frames)")


def main(out: Path = HERE) -> None:
    ner(Path(out))
    activity(Path(out))


if __name__ == "__main__":
    main()
