"""Template review sentences in which word order decides the label (a probe for tests).

Negation ("was not good"), contrast where the clause after "but" wins ("the food
was good but the service was awful" is negative, the same words in the other
order positive) and concessive clauses ("although ..., ..."). A bag of words
sees the same words in both classes; a recurrent model can read the order.
These were the bundled sample before real sentences replaced it (issue 27);
the tests keep them to check that the recurrent path learns word order.
"""

import random

SEED = 20261123


def sample(n_train=2000, n_test=600, seed=SEED):
    """(train_texts, train_labels), (test_texts, test_labels); test sentences are new."""
    rng = random.Random(seed)
    train = generate(n_train, rng)
    test = generate(n_test, rng, exclude={text for text, _ in train})
    return [list(c) for c in zip(*train)], [list(c) for c in zip(*test)]


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


def _second_clause_wins(opening, joint):
    """Two aspects, the first of the wrong polarity; the clause after ``joint`` wins."""
    def build(rng, aspects):
        first, second = rng.sample(aspects, 2)
        polarity = rng.random() < 0.5
        sentence = (f"{opening}the {first} was {adjective(rng, not polarity)}{joint}the "
                    f"{second} was {adjective(rng, polarity)}")
        return sentence, polarity
    return build


contrast = _second_clause_wins("", " but ")
concessive = _second_clause_wins("although ", ", ")


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
