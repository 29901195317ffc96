"""Part of speech on UD English EWT with and without contextual character
embeddings (issue 30): the tagger's defaults, then the same with ``char_lm``.

    .venv/bin/python benchmarks/tagging_char_lm.py --unlabeled TEXT --lm-dir DIR
    .venv/bin/python benchmarks/tagging_char_lm.py --lm-dir DIR   # models made before

Trains on the dev file and scores UPOS on the test file (as
``tagging_quality.py``). The forward and backward character language models
are read from ``DIR/forward`` and ``DIR/backward``, or trained there first on
``--unlabeled`` (a plain-text file; :func:`unlabeled_text` writes the one of
docs/benchmarks.md). Rows (``--only``): the defaults, defaults + frozen char
LMs and defaults + fine-tuned char LMs.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

SHARED = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
EWT = SHARED / "ud_english_ewt"


def unlabeled_text(path) -> None:
    """Plain English reachable offline: the EWT dev sentences (the tagger's
    training file; tokens joined by spaces, one sentence a line), the three
    Shakespeare plays and the English side of the translation training pairs."""
    from rnn_apps.data.tagged import read_tagged

    sentences, _ = read_tagged(EWT / "en_ewt-ud-dev.conllu")
    parts = ["\n".join(" ".join(s) for s in sentences)]
    parts += [f.read_text(encoding="utf-8") for f in sorted((SHARED / "shakespeare").glob("*.txt"))]
    pairs = (SHARED / "trans_de_en" / "train.tsv").read_text(encoding="utf-8").splitlines()
    parts.append("\n".join(line.split("\t")[1] for line in pairs if "\t" in line))
    Path(path).write_text("\n".join(parts), encoding="utf-8")


def language_models(folder: Path, text_file, units: int, epochs: int) -> str:
    from rnn_apps import TextGenerator

    for direction in ("forward", "backward"):
        if (folder / direction).is_dir():
            continue
        text = Path(text_file).read_text(encoding="utf-8")
        started = time.perf_counter()
        model = TextGenerator(units=units, embedding_dim=32, batch_size=64, epochs=epochs,
                              direction=direction, seed=0, verbose=0).fit(text)
        model.save(folder / direction)
        print(f"{direction} LM: {len(text):,} characters, "
              f"val bits/char {model.history_['val_bits_per_char'][-1]:.3f}, "
              f"{time.perf_counter() - started:.0f} s", flush=True)
    return f"{folder / 'forward'},{folder / 'backward'}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lm-dir", required=True)
    parser.add_argument("--unlabeled", default=None, help="text to train missing LMs on; "
                        "'shared' writes the default one beside them")
    parser.add_argument("--lm-units", type=int, default=256)
    parser.add_argument("--lm-epochs", type=int, default=4)
    parser.add_argument("--only", default=None,
                        help="rows, comma-separated: defaults, frozen, trainable "
                             "(default: defaults,frozen)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if not (EWT / "en_ewt-ud-dev.conllu").is_file():
        print(f"UD English EWT not found in {EWT}; skipping")
        return 0
    from rnn_apps import Tagger
    from rnn_apps.data.tagged import read_tagged

    folder = Path(args.lm_dir)
    folder.mkdir(parents=True, exist_ok=True)
    if args.unlabeled == "shared":
        args.unlabeled = folder / "unlabeled.txt"
        unlabeled_text(args.unlabeled)
    lms = language_models(folder, args.unlabeled, args.lm_units, args.lm_epochs)
    train = read_tagged(EWT / "en_ewt-ud-dev.conllu")
    test = read_tagged(EWT / "en_ewt-ud-test.conllu")
    rows = {"defaults": ("defaults", {}),
            "frozen": ("defaults + char LMs (frozen)", {"char_lm": lms}),
            "trainable": ("defaults + char LMs (fine-tuned)",
                          {"char_lm": lms, "char_lm_trainable": True})}
    chosen = args.only.split(",") if args.only else ["defaults", "frozen"]
    print("| tagger | UPOS accuracy | macro-F1 | epochs | fit s |\n|---|---|---|---|---|")
    for name, params in (rows[key] for key in chosen):
        model = Tagger(seed=args.seed, verbose=0, **params)
        started = time.perf_counter()
        model.fit(*train)
        seconds = time.perf_counter() - started
        metrics = model.evaluate(*test)
        print(f"| {name} | {metrics['token_accuracy']:.4f} | {metrics['macro_f1']:.4f} | "
              f"{len(model.history_['loss'])} | {seconds:.0f} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
