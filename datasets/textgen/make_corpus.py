"""Write corpus.txt: the Book of Genesis, King James Version (public domain).

    apt-get install bible-kjv        # Debian / Ubuntu: the `bible` program and its text
    python datasets/textgen/make_corpus.py

Reads the 50 chapters through the `bible` program of Debian's bible-kjv
package (text data from bible-kjv-text 4.38) and writes one verse per line,
without verse numbers, with a ``Chapter N`` line and a blank line before
each chapter.
"""

import re
import shutil
import subprocess
from pathlib import Path

OUT = Path(__file__).resolve().parent / "corpus.txt"


def main(out=OUT, program=None, data_dir=None):
    """``program``/``data_dir``: the `bible` program and its data folder, when the
    package is unpacked somewhere else than where it installs."""
    program = program or shutil.which("bible")
    if program is None:
        raise SystemExit("the `bible` program is missing: apt-get install bible-kjv")
    where = ["-p", str(data_dir)] if data_dir else []
    text = subprocess.run([program, *where, "-l100000", "gen1:1-50:26"], capture_output=True,
                          text=True, check=True).stdout
    lines = []
    for line in text.splitlines():
        if chapter := re.fullmatch(r"Genesis (\d+)", line.strip()):
            lines += ["", f"Chapter {chapter.group(1)}"]
        elif verse := re.fullmatch(r"\s*\d+ (.+)", line):
            lines.append(verse.group(1).strip())
    Path(out).write_text("\n".join(lines).lstrip("\n") + "\n", encoding="utf-8")
    print(f"wrote {sum(map(len, lines))} characters to {out}")


if __name__ == "__main__":
    main()
