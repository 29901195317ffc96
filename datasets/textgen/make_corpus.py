"""Write corpus.txt: the project's own documentation, as a small training text.

    python datasets/textgen/make_corpus.py

Concatenates the files in SOURCES (relative to the repository root), each
followed by a blank line. The corpus is a snapshot: the documents change, the
bundled file changes only when this script is run again.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ["README.md", "docs/architecture.md", "docs/benchmarks.md",
           "datasets/sentiment/README.md", "datasets/textgen/README.md"]


def main(out=Path(__file__).resolve().parent / "corpus.txt"):
    parts = [(ROOT / name).read_text(encoding="utf-8").strip() + "\n\n" for name in SOURCES]
    Path(out).write_text("".join(parts), encoding="utf-8")
    print(f"wrote {sum(map(len, parts))} characters to {out}")


if __name__ == "__main__":
    main()
