"""Write corpus.txt, the Book of Genesis, and held_out.txt, Exodus chapters 1-4
(King James Version, public domain).

    apt-get install bible-kjv        # Debian / Ubuntu: the `bible` program and its text
    python datasets/textgen/make_corpus.py

Reads the chapters through the `bible` program of Debian's bible-kjv
package (text data from bible-kjv-text 4.38) and writes one verse per line,
without verse numbers, with a ``Chapter N`` line and a blank line before
each chapter.
"""

import re
import shutil
import subprocess
from pathlib import Path

OUT = Path(__file__).resolve().parent / "corpus.txt"
HELD_OUT = OUT.with_name("held_out.txt")


def main(out=OUT, program=None, data_dir=None, held_out=HELD_OUT):
    """``program``/``data_dir``: the `bible` program and its data folder, when the
    package is unpacked somewhere else than where it installs."""
    program = program or shutil.which("bible")
    if program is None:
        raise SystemExit("the `bible` program is missing: apt-get install bible-kjv")
    where = ["-p", str(data_dir)] if data_dir else []
    for path, book, verses in ((out, "Genesis", "gen1:1-50:26"),
                               (held_out, "Exodus", "exo1:1-4:31")):
        text = subprocess.run([program, *where, "-l100000", verses], capture_output=True,
                              text=True, check=True).stdout
        write_book(text, book, path)


def write_book(text, book, out):
    lines = []
    for line in text.splitlines():
        if chapter := re.fullmatch(rf"{book} (\d+)", line.strip()):
            lines += ["", f"Chapter {chapter.group(1)}"]
        elif verse := re.fullmatch(r"\s*\d+ (.+)", line):
            lines.append(verse.group(1).strip())
    Path(out).write_text("\n".join(lines).lstrip("\n") + "\n", encoding="utf-8")
    print(f"wrote {sum(map(len, lines))} characters to {out}")


if __name__ == "__main__":
    main()
