"""Peak memory of streamed training on generated files of growing size.

    .venv/bin/python benchmarks/stream_memory.py [--sizes-mb 200 1000 2000] [--steps 200]

Writes a review CSV and a plain-text corpus of each size (sentences drawn
from the bundled samples, with random extra words so the vocabulary keeps
growing), then runs ``rnn-apps sentiment train --stream`` and ``rnn-apps
textgen train --stream`` on them in fresh processes and reports each one's
peak resident memory (``ru_maxrss`` of the child) and wall time. Every run
reads its whole file (vocabulary pass, length pass, validation pass) and
trains ``--steps`` batches, so the memory seen is that of reading the whole
file, not of holding it. Files go to a temporary directory that is removed.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "rnn_apps"]


def _sentences():
    with open(ROOT / "datasets" / "sentiment" / "train.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return [(r["text"], r["label"]) for r in rows]


def write_reviews(path: Path, megabytes: int, rng: random.Random) -> int:
    rows, size, target = _sentences(), 0, megabytes * 1_000_000
    count = 0
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label"])
        while size < target:
            text, label = rng.choice(rows)
            extra = " ".join(f"w{rng.randrange(200_000)}" for _ in range(rng.randrange(4)))
            line = f"{text} {extra}".strip()
            writer.writerow([line, label])
            size += len(line) + len(label) + 3
            count += 1
    return count


def write_text(path: Path, megabytes: int, rng: random.Random) -> None:
    corpus = (ROOT / "datasets" / "textgen" / "corpus.txt").read_text(encoding="utf-8")
    lines = [line for line in corpus.splitlines() if line.strip()]
    size, target = 0, megabytes * 1_000_000
    with open(path, "w", encoding="utf-8") as handle:
        while size < target:
            chunk = "\n".join(rng.choice(lines) for _ in range(1000)) + "\n"
            handle.write(chunk)
            size += len(chunk)


def measure(args) -> tuple[float, float]:
    """``(peak resident MiB, seconds)`` of one command run in a child process."""
    probe = ("import resource, subprocess, sys, time; t = time.time(); "
             "r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, "
             "stderr=subprocess.PIPE, text=True); "
             "print(r.stderr[-2000:] if r.returncode else '', file=sys.stderr); "
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, time.time() - t, "
             "r.returncode)")
    out = subprocess.run([sys.executable, "-c", probe, *map(str, args)], capture_output=True,
                         text=True, check=True, cwd=ROOT,
                         env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    kib, seconds, code = out.stdout.split()
    if code != "0":
        raise SystemExit(f"command failed ({code}): {' '.join(map(str, args))}\n"
                         f"{out.stderr[-2000:]}")
    return int(kib) / 1024, float(seconds)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes-mb", type=int, nargs="+", default=[200, 1000, 2000])
    parser.add_argument("--steps", type=int, default=200, help="training batches per run")
    parser.add_argument("--tasks", nargs="+", default=["sentiment", "textgen"])
    options = parser.parse_args()
    rng = random.Random(0)
    work = Path(tempfile.mkdtemp(prefix="rnn-apps-stream-"))
    print("| task | file | rows | peak RSS (MiB) | wall (s) |")
    print("|---|---|---|---|---|")
    try:
        for megabytes in options.sizes_mb:
            for task in options.tasks:
                common = ["--stream", "--epochs", "1", "--steps-per-epoch", options.steps,
                          "--seed", "0", "--quiet", "--out", work / f"{task}-model"]
                if task == "sentiment":
                    data = work / f"reviews-{megabytes}.csv"
                    rows = write_reviews(data, megabytes, rng)
                    args = [*CLI, "sentiment", "train", "--data", data, "--valid-split", "0.001",
                            "--batch-size", "64", *common]
                else:
                    data = work / f"text-{megabytes}.txt"
                    write_text(data, megabytes, rng)
                    rows = "-"
                    args = [*CLI, "textgen", "train", "--data", data, "--valid-split", "0.0005",
                            "--units", "64", "--batch-size", "32", *common]
                peak, seconds = measure(args)
                size = data.stat().st_size / 1e6
                print(f"| {task} | {size:,.0f} MB | {rows if rows == '-' else f'{rows:,}'} | "
                      f"{peak:,.0f} | {seconds:,.0f} |", flush=True)
                data.unlink()
                shutil.rmtree(work / f"{task}-model", ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
