"""Every file a README command reads is shipped, written by an earlier command, or marked
as the user's (a path under ``your/``)."""

import io
import re
import shlex
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
USER = "your/"
READS = {"--data", "--valid-data", "--future", "--embeddings", "--model", "--init-from",
         "--init-from-lm", "--unlabeled", "--config"}
WRITES = {"--out", "--output", "--plot", "--checkpoint-dir", "--tensorboard", "--save-lm"}
PY_WRITES = {"out", "checkpoint_dir", "tensorboard"}  # keywords naming an output path
DATA_SUFFIX = re.compile(r"\.(csv|tsv|txt|vec|bin|conll|conllu|jsonl|gz|model|keras|py)$")
SHELL = {"", "bash", "sh", "shell", "console"}


def fenced_blocks(text):
    """(language, body) of every fenced code block, in order."""
    return re.findall(r"^```(\w*)\n(.*?)^```", text, flags=re.MULTILINE | re.DOTALL)


def shell_commands(body):
    """Token lists of the rnn-apps and python command lines (continuations joined)."""
    for line in body.replace("\\\n", " ").splitlines():
        if not re.match(r"\s*((\S*/)?(rnn-apps|python3?)\s|[A-Za-z_]\w*=)", line):
            continue  # not a command: a layout listing, curl, an answer shown
        tokens = shlex.split(line, comments=True)
        while tokens and re.match(r"^[A-Za-z_]\w*=", tokens[0]):  # VAR=value prefixes
            tokens = tokens[1:]
        if tokens and Path(tokens[0]).name in ("rnn-apps", "python", "python3"):
            yield tokens


def command_paths(tokens):
    """(path, reads) for every path a command line names."""
    python = Path(tokens[0]).name.startswith("python")
    if python and tokens[1:2] == ["-m"]:
        tokens = tokens[2:]
    rest = iter(tokens[1:])
    for token in rest:
        option, _, value = token.partition("=")
        if option in READS | WRITES:
            yield (value or next(rest)), option in READS
        elif python and not token.startswith("-") and "/" in token and " " not in token:
            yield token, True  # a script and the paths given to it
    if tokens[1:2] == ["info"] and len(tokens) > 2 and not tokens[-1].startswith("-"):
        yield tokens[-1], True


def python_paths(body):
    """(path, reads) for every quoted path in a Python snippet."""
    tokens = [t for t in tokenize.generate_tokens(io.StringIO(body).readline)
              if t.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT)]
    for i, token in enumerate(tokens):
        if token.type != tokenize.STRING or token.string[:1] not in "\"'":
            continue
        value = token.string[1:-1]
        if " " in value or not ("/" in value or DATA_SUFFIX.search(value)):
            continue
        before = [t.string for t in tokens[max(i - 3, 0):i]]
        writes = before[-2:] in (["save", "("], ["export", "("]) or (
            before[-1:] == ["="] and before[-2:-1] and before[-2] in PY_WRITES)
        yield value, not writes


def readme_paths(text):
    for language, body in fenced_blocks(text):
        if language in SHELL:
            for tokens in shell_commands(body):
                yield from ((path, reads, " ".join(tokens)) for path, reads in
                            command_paths(tokens))
        elif language == "python":
            yield from ((path, reads, "python snippet") for path, reads in python_paths(body))


def unresolved(text):
    """What the README's commands read that is neither shipped, written before, nor marked."""
    written, missing, checked = [], [], 0
    for path, reads, where in readme_paths(text):
        path = path.rstrip("/")
        if not reads:
            written.append(path)
            continue
        checked += 1
        if path.startswith(USER) or (ROOT / path).exists():
            continue
        if any(path == w or path.startswith(w + "/") for w in written):
            continue
        missing.append(f"{path}  (in: {where})")
    return missing, checked


def test_every_path_a_readme_command_reads_exists_or_is_marked():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"`{USER}`" in text  # the README states the convention
    missing, checked = unresolved(text)
    assert checked > 40, "the README's commands were not found"
    assert not missing, "README commands read files nobody has:\n" + "\n".join(missing)


def test_the_checker_finds_what_it_should():
    sample = (
        "```\n"
        ".venv/bin/rnn-apps sentiment train --data datasets/sentiment/train.csv \\\n"
        "    --out runs/s   # a comment --data nowhere.csv\n"
        "rnn-apps sentiment evaluate --model runs/s --data=held_out.csv --json\n"
        "TF_CONFIG='{}' rnn-apps sentiment predict --model runs/t --data your/texts.txt\n"
        "python docs/missing.py runs/s/best\n"
        "```\n\n```python\n"
        'clf.fit(read("reviews.csv")); clf.save("runs/p")\n'
        'rnn_apps.load("runs/p"); tune(out="runs/q"); fit(warm_start="runs/q")\n'
        'x = "a sentence, not a path.txt"\n'
        "```\n"
    )
    missing, checked = unresolved(sample)
    assert [m.split()[0] for m in missing] == ["held_out.csv", "runs/t", "docs/missing.py",
                                               "reviews.csv"]
    assert checked == 10
