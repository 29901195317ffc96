"""Peer for issue 30: OpenNMT-py's RNN encoder-decoder on the shared German-English pairs.

    /work/peervenv/bin/python benchmarks/peers/opennmt_translation.py --minutes 20

Runs in the peer virtual environment (benchmarks/peers/README.md), not in the
project's: it needs OpenNMT-py (``onmt_build_vocab``, ``onmt_train``,
``onmt_translate`` next to this interpreter), sentencepiece and sacrebleu.

Data: ``../shared/data/trans_de_en`` (``train.tsv`` 16,541 pairs, ``test.tsv``
3,000 pairs, ``german<TAB>english``), read as ``benchmarks/translation_levels.py``
reads it. The whole training file trains (no validation split: nothing is
chosen on validation data); the test set (or its first ``--test-limit``
pairs) is translated.

Model: OpenNMT-py's quickstart RNN (its option defaults: 2 LSTM layers of 500
units, 500-dimensional embeddings, global "general" attention with input
feeding, dropout 0.3, SGD at learning rate 1.0, 64 sentences a batch) with a
bidirectional encoder (``encoder_type: brnn``). Subwords: one sentencepiece
unigram model per side (``--vocab`` pieces, 8,000 by default) trained on the
training side only, applied before ``onmt_build_vocab``/``onmt_train`` exactly
as OpenNMT-py's ``sentencepiece`` transform applies it, and decoded back to
text after ``onmt_translate`` (beam 5, its default; at most ``--max-length``
pieces, 50, where its default is 250: the longest training target has 30). One data-loading setting
differs from the defaults: ``bucket_size: 16384`` (about one epoch), because
the default bucket of 262,144 examples reads this small corpus 16 times
before the first training step.

Budget: ``onmt_train`` has no wall-clock limit, so it runs with an unreachable
step count, writes a checkpoint every ``--save-every`` steps and is stopped
after ``--minutes`` of wall-clock time (its CPU seconds, data-loader workers
included, are reported beside them, as the machine may be shared); the newest checkpoint written inside the budget
translates. BLEU and chrF are sacrebleu's defaults against the raw English
references. Prints one JSON line with the numbers.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "data" / "trans_de_en"
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from translation_levels import read_pairs


def train_pieces(texts, prefix: Path, vocab: int):
    import sentencepiece as spm

    raw = prefix.with_suffix(".txt")
    raw.write_text("\n".join(texts) + "\n", encoding="utf-8")
    spm.SentencePieceTrainer.train(input=str(raw), model_prefix=str(prefix), vocab_size=vocab,
                                   model_type="unigram", character_coverage=1.0,
                                   hard_vocab_limit=False, minloglevel=2)
    return spm.SentencePieceProcessor(model_file=str(prefix) + ".model")


def write_pieces(processor, texts, path: Path):
    lines = [" ".join(processor.encode(text, out_type=str)) for text in texts]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def config(work: Path, args) -> str:
    return f"""# OpenNMT-py quickstart layout; model options are OpenNMT-py's defaults
# written out, with a bidirectional encoder.
save_data: {work}/run
src_vocab: {work}/vocab.src
tgt_vocab: {work}/vocab.tgt
overwrite: true
data:
    corpus_1:
        path_src: {work}/train.de.sp
        path_tgt: {work}/train.en.sp
save_model: {work}/model
save_checkpoint_steps: {args.save_every}
keep_checkpoint: 3
train_steps: 10000000
report_every: 10
seed: {args.seed}
encoder_type: brnn
decoder_type: rnn
rnn_type: LSTM
layers: 2
hidden_size: 500
word_vec_size: 500
global_attention: general
input_feed: 1
dropout: [0.3]
optim: sgd
learning_rate: 1.0
batch_type: sents
batch_size: 64
src_seq_length: 200
tgt_seq_length: 200
# data loading: the default bucket (262,144 examples) would read this 16,541-pair
# corpus 16 times before the first step; one bucket of about one epoch instead
bucket_size: 16384
"""


def cpu_seconds(pid: int, seen: dict) -> float:
    """User + system CPU seconds of ``pid`` and its descendants (data-loader
    workers included); ``seen`` keeps the last reading of each process."""
    import psutil

    try:
        root = psutil.Process(pid)
        for proc in [root, *root.children(recursive=True)]:
            try:
                times = proc.cpu_times()
                seen[proc.pid] = times.user + times.system
            except psutil.Error:
                pass
    except psutil.Error:
        pass
    return sum(seen.values())


def train(work: Path, minutes: float) -> dict:
    """Run onmt_train for ``minutes``; the newest checkpoint saved within them."""
    with open(work / "train.log", "w") as log:
        started = time.time()
        process = subprocess.Popen([str(BIN / "onmt_train"), "-config", str(work / "config.yaml")],
                                   stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = started + 60 * minutes
        saved = {}  # step -> (wall seconds after start, CPU seconds) when the file appeared
        tree, cpu = {}, 0.0
        while time.time() < deadline and process.poll() is None:
            time.sleep(2)
            cpu = cpu_seconds(process.pid, tree)
            for path in work.glob("model_step_*.pt"):
                step = int(re.search(r"model_step_(\d+)\.pt", path.name).group(1))
                saved.setdefault(step, (time.time() - started, cpu))
        stopped = time.time() - started
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
    text = (work / "train.log").read_text(errors="replace")
    steps = [int(s) for s in re.findall(r"Step (\d+)/", text)]
    alive = {s: t for s, t in saved.items() if (work / f"model_step_{s}.pt").exists()}
    if not alive:
        raise SystemExit(f"no checkpoint within {minutes} minutes; see {work / 'train.log'}")
    step = max(alive)
    if stopped - alive[step][0] < 10 and len(alive) > 1:
        step = sorted(alive)[-2]  # the newest may still have been being written
    return {"checkpoint_step": step, "checkpoint_seconds": round(alive[step][0], 1),
            "checkpoint_cpu_seconds": round(alive[step][1], 1),
            "last_logged_step": max(steps, default=0), "train_seconds": round(stopped, 1),
            "train_cpu_seconds": round(cpu, 1),
            "model": str(work / f"model_step_{step}.pt")}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=20.0, help="training wall-clock budget")
    parser.add_argument("--work", type=Path, default=Path("/tmp/onmt_peer"))
    parser.add_argument("--vocab", type=int, default=8000, help="sentencepiece pieces per side")
    parser.add_argument("--save-every", type=int, default=100)
    parser.add_argument("--test-limit", type=int, default=None,
                        help="translate only the first N test pairs")
    parser.add_argument("--max-length", type=int, default=50,
                        help="longest translation in pieces (training targets have at most 30)")
    parser.add_argument("--translate-only", type=int, default=None, metavar="STEP",
                        help="skip training: translate with model_step_STEP.pt of --work")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if not (DATA / "train.tsv").is_file():
        print(f"skipped: {DATA} not found (the shared real-data folder)")
        return 0
    import onmt
    import sacrebleu
    import torch

    work = args.work
    work.mkdir(parents=True, exist_ok=True)
    if args.translate_only is None:
        for old in work.glob("model_step_*.pt"):
            old.unlink()
    train_src, train_tgt = read_pairs(DATA / "train.tsv")
    test_src, test_tgt = read_pairs(DATA / "test.tsv")
    if args.test_limit:
        test_src, test_tgt = test_src[:args.test_limit], test_tgt[:args.test_limit]
    print(f"train {len(train_src)} pairs, test {len(test_src)} pairs; OpenNMT-py "
          f"{onmt.__version__}, torch {torch.__version__} ({torch.get_num_threads()} threads), "
          f"sacrebleu {sacrebleu.__version__}", flush=True)

    if args.translate_only is not None:
        import sentencepiece as spm

        sp_src = spm.SentencePieceProcessor(model_file=str(work / "sp_de.model"))
        sp_tgt = spm.SentencePieceProcessor(model_file=str(work / "sp_en.model"))
        write_pieces(sp_src, test_src, work / "test.de.sp")
        prepare = 0.0
        result = {"checkpoint_step": args.translate_only,
                  "model": str(work / f"model_step_{args.translate_only}.pt")}
    else:
        started = time.time()
        sp_src = train_pieces(train_src, work / "sp_de", args.vocab)
        sp_tgt = train_pieces(train_tgt, work / "sp_en", args.vocab)
        write_pieces(sp_src, train_src, work / "train.de.sp")
        write_pieces(sp_tgt, train_tgt, work / "train.en.sp")
        write_pieces(sp_src, test_src, work / "test.de.sp")
        (work / "config.yaml").write_text(config(work, args), encoding="utf-8")
        subprocess.run([str(BIN / "onmt_build_vocab"), "-config", str(work / "config.yaml"),
                        "-n_sample", "-1"], check=True, capture_output=True)
        prepare = time.time() - started
        print(f"sentencepiece and vocabularies: {prepare:.1f} s", flush=True)
        result = train(work, args.minutes)
        print(f"training stopped after {result['train_seconds']} s at logged step "
              f"{result['last_logged_step']}; checkpoint step {result['checkpoint_step']} "
              f"(saved {result['checkpoint_seconds']} s in, "
              f"{result['checkpoint_cpu_seconds']} CPU s)", flush=True)

    started = time.time()
    subprocess.run([str(BIN / "onmt_translate"), "-model", result["model"],
                    "-src", str(work / "test.de.sp"), "-output", str(work / "pred.en.sp"),
                    "-beam_size", "5", "-batch_size", "30", "-max_length", str(args.max_length),
                    "-seed", str(args.seed)],
                   check=True, capture_output=True)
    translate = time.time() - started
    lines = (work / "pred.en.sp").read_text(encoding="utf-8").splitlines()
    hypotheses = [sp_tgt.decode(line.split()) for line in lines]
    assert len(hypotheses) == len(test_tgt), (len(hypotheses), len(test_tgt))
    bleu = sacrebleu.metrics.BLEU().corpus_score(hypotheses, [test_tgt])
    chrf = sacrebleu.metrics.CHRF().corpus_score(hypotheses, [test_tgt])
    pairs = len(train_src)
    summary = {"bleu": round(bleu.score, 2), "chrf": round(chrf.score, 2),
               "test_pairs": len(test_tgt), "train_pairs": pairs,
               "epochs_approx": round(result["checkpoint_step"] * 64 / pairs, 2),
               "prepare_seconds": round(prepare, 1), "translate_seconds": round(translate, 1),
               "vocab_pieces": args.vocab, **{k: v for k, v in result.items() if k != "model"}}
    for source, hypothesis, reference in list(zip(test_src, hypotheses, test_tgt))[:3]:
        print(f"  {source} -> {hypothesis}  (ref: {reference})")
    print(json.dumps(summary), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
