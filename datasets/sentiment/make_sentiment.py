"""Write the bundled sentiment sample, train.csv and test.csv (columns text,label).

The sentences are real: product-review sentences and tweet-like messages
rated for sentiment by at least 20 people each (Hutto & Gilbert, ICWSM 2014),
as shipped in the MIT-licensed source distribution of the `vaderSentiment`
package on PyPI (`additional_resources/hutto_ICWSM_2014.tar.gz`). See
README.md beside this script for the attribution and what is taken.

    python -m pip download --no-deps --no-binary :all: vaderSentiment==3.3.2 -d /tmp/vader
    python datasets/sentiment/make_sentiment.py /tmp/vader/vaderSentiment-3.3.2.tar.gz [OUT_DIR]

The archive's SHA-256 is checked; the output is deterministic (fixed seed),
so running it again gives byte-identical files.
"""

import csv
import hashlib
import html
import io
import random
import re
import sys
import tarfile
from pathlib import Path

SDIST_SHA256 = "5d7c06e027fc8b99238edb0d53d970cf97066ef97654009890b83703849632f9"
INNER = "vaderSentiment-3.3.2/additional_resources/hutto_ICWSM_2014.tar.gz"
SOURCES = {  # file in the inner archive -> how many of its sentences go to test.csv
    "hutto_ICWSM_2014/amazonReviewSnippets_GroundTruth.txt": 0.25,
    "hutto_ICWSM_2014/tweets_GroundTruth.txt": 0.25,
}
THRESHOLD = 1.0        # mean rating on -4..4: keep clear opinions, drop the neutral middle
MAX_WORDS = 40
SEED = 20270101
HERE = Path(__file__).resolve().parent


def clean(text: str) -> str:
    """One line of plain text: HTML entities decoded, runs of spaces made one."""
    return re.sub(r"\s+", " ", html.unescape(text)).strip()


def labelled(lines):
    """(text, label) for every line ``id<TAB>mean rating<TAB>text`` whose rating is clear."""
    rows = []
    for line in lines:
        parts = line.rstrip("\r\n").split("\t")
        if len(parts) != 3:
            continue
        rating, text = float(parts[1]), clean(parts[2])
        if abs(rating) >= THRESHOLD and text and len(text.split()) <= MAX_WORDS:
            rows.append((text, "positive" if rating > 0 else "negative"))
    return rows


def split(files: dict[str, list[str]]):
    """Train and test rows: duplicates (case-insensitive) dropped, labels balanced per source
    (the more frequent label subsampled), a stratified share of each source to test."""
    rng = random.Random(SEED)
    seen, train, test = set(), [], []
    for name, share in SOURCES.items():
        by_label: dict[str, list] = {}
        for text, label in labelled(files[name]):
            if text.lower() not in seen:
                seen.add(text.lower())
                by_label.setdefault(label, []).append((text, label))
        keep = min((len(rows) for rows in by_label.values()), default=0)  # as many of each
        for label in sorted(by_label):
            rows = by_label[label]
            rng.shuffle(rows)
            rows = rows[:keep]
            cut = round(len(rows) * share)
            test += rows[:cut]
            train += rows[cut:]
    rng.shuffle(train)
    rng.shuffle(test)
    return train, test


def read_sdist(path: Path) -> dict[str, list[str]]:
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != SDIST_SHA256:
        raise SystemExit(f"{path} is not vaderSentiment-3.3.2.tar.gz (SHA-256 differs)")
    with tarfile.open(fileobj=io.BytesIO(data)) as outer:
        inner = outer.extractfile(INNER).read()
    with tarfile.open(fileobj=io.BytesIO(inner)) as archive:
        return {name: archive.extractfile(name).read().decode("utf-8").splitlines()
                for name in SOURCES}


def write(rows, path: Path) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["text", "label"])
        writer.writerows(rows)


def main(sdist, out_dir=HERE) -> None:
    train, test = split(read_sdist(Path(sdist)))
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    write(train, out / "train.csv")
    write(test, out / "test.csv")
    print(f"{out / 'train.csv'}: {len(train)} rows; {out / 'test.csv'}: {len(test)} rows")


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        raise SystemExit(__doc__)
    main(*sys.argv[1:])
