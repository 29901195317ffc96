"""Write the bundled sentiment sample: train.csv and test.csv (columns text,label).

Deterministic (fixed seed): running it again gives byte-identical files.
The sentences are built so that word order decides the label in most of them:
negation ("was not good"), contrast where the clause after "but" wins ("the food
was good but the service was awful" is negative, the same words in the other
order are positive) and concessive clauses ("although ..., ..."). A bag-of-words
model sees the same words in both classes; a recurrent model can read the order.

    python datasets/sentiment/make_sentiment.py [OUT_DIR]
"""

import csv
import random
import sys
from pathlib import Path

SEED = 20261123
N_TRAIN, N_TEST = 2000, 600
HERE = Path(__file__).resolve().parent

ASPECTS = {
    "restaurant": ["food", "service", "pasta", "dessert", "staff", "menu", "coffee", "waiter"],
    "product": ["battery", "screen", "charger", "keyboard", "camera", "case", "speaker", "app"],
    "film": ["plot", "acting", "soundtrack", "ending", "script", "cast", "dialogue", "pacing"],
}
POSITIVE = ["good", "great", "excellent", "wonderful", "fantastic", "lovely", "superb",
            "impressive", "pleasant", "solid", "brilliant", "delightful"]
NEGATIVE = ["bad", "terrible", "awful", "poor", "disappointing", "bland", "overpriced",
            "boring", "slow", "mediocre", "dreadful", "clumsy"]
LEADS = ["", "", "", "honestly, ", "overall ", "i think ", "to be fair, ", "frankly, "]
DEGREE = ["", "", "", "really ", "very ", "quite ", "pretty "]
NEGATORS = ["not", "never", "not at all"]


def adjective(rng, positive):
    return rng.choice(DEGREE) + rng.choice(POSITIVE if positive else NEGATIVE)


def plain(rng, aspects):
    polarity = rng.random() < 0.5
    sentence = f"the {rng.choice(aspects)} was {adjective(rng, polarity)}"
    return sentence, polarity


def negated(rng, aspects):
    polarity = rng.random() < 0.5
    negator = rng.choice(NEGATORS)
    word = rng.choice(POSITIVE if polarity else NEGATIVE)
    if negator == "not at all":
        sentence = f"the {rng.choice(aspects)} was not {word} at all"
    else:
        sentence = f"the {rng.choice(aspects)} was {negator} {word}"
    return sentence, not polarity


def contrast(rng, aspects):
    first, second = rng.sample(aspects, 2)
    polarity = rng.random() < 0.5
    sentence = (f"the {first} was {adjective(rng, not polarity)} but the {second} "
                f"was {adjective(rng, polarity)}")
    return sentence, polarity


def concessive(rng, aspects):
    first, second = rng.sample(aspects, 2)
    polarity = rng.random() < 0.5
    sentence = (f"although the {first} was {adjective(rng, not polarity)}, the {second} "
                f"was {adjective(rng, polarity)}")
    return sentence, polarity


def negated_contrast(rng, aspects):
    first, second = rng.sample(aspects, 2)
    polarity = rng.random() < 0.5
    word = rng.choice(NEGATIVE if polarity else POSITIVE)
    sentence = (f"the {first} was {adjective(rng, polarity)} but the {second} "
                f"was not {word}")
    return sentence, polarity


BUILDERS = [(plain, 2), (negated, 3), (contrast, 3), (concessive, 2), (negated_contrast, 2)]


def make_sentence(rng):
    domain = rng.choice(sorted(ASPECTS))
    builders = [b for b, weight in BUILDERS for _ in range(weight)]
    sentence, positive = rng.choice(builders)(rng, ASPECTS[domain])
    return rng.choice(LEADS) + sentence, "positive" if positive else "negative"


def generate(n, rng, exclude=frozenset()):
    rows, seen = [], set(exclude)
    while len(rows) < n:
        text, label = make_sentence(rng)
        if text not in seen:
            seen.add(text)
            rows.append((text, label))
    return rows


def write(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["text", "label"])
        writer.writerows(rows)


def main(out_dir=HERE):
    out_dir = Path(out_dir)
    rng = random.Random(SEED)
    train = generate(N_TRAIN, rng)
    test = generate(N_TEST, rng, exclude={text for text, _ in train})
    write(out_dir / "train.csv", train)
    write(out_dir / "test.csv", test)
    print(f"wrote {len(train)} training and {len(test)} test sentences to {out_dir}")


if __name__ == "__main__":
    main(*sys.argv[1:])
