"""Decoding speed: beam search inside the SavedModel against a Python loop.

    .venv/bin/python benchmarks/seq2seq_speed.py [--model DIR [--cmudict-test]] [--beam-width 4]

Without ``--model`` it trains the bundled dates model (BiGRU 64, 8 epochs).
In one run, on the same sources and batches: the exported SavedModel
(tokenise, encode, beam search as a ``tf.while_loop``, join; one call per
batch), and the same search driven from Python, one compiled decoder step
per output position with NumPy bookkeeping in between. Both must write the
same outputs; the script checks that, then prints decoded sequences per
second for each and their ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

DATES = Path(__file__).resolve().parents[1] / "datasets" / "seq2seq"


def python_loop(model, width, max_length):
    import tensorflow as tf

    from rnn_apps.tasks.seq2seq.search import decoder_step, python_beam_search

    encoder, decoder = model._networks()
    encode = tf.function(lambda ids: encoder(ids, training=False), reduce_retracing=True)
    step = decoder_step(decoder)
    vocabulary = model.target_vocab_

    def run(batch):
        ids, _, _ = model.source_vocab_.encode_graph(tf.constant(batch),
                                                     model.state_["max_source_length"])
        written, lengths = python_beam_search(encode, step, ids.numpy(), width, max_length,
                                              float(model.length_penalty), vocabulary.size)
        text = vocabulary.decode_graph(tf.constant(written), tf.constant(lengths))
        return [t.decode("utf-8") for t in text.numpy()]

    return run


def timed(function, batches, repeats=3):
    function(batches[0])  # compile
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        outputs = [o for batch in batches for o in function(batch)]
        best = min(best, time.perf_counter() - started)
    return outputs, best


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None, help="a saved seq2seq model directory")
    parser.add_argument("--data", default=str(DATES / "dates_test.tsv"),
                        help="pairs or sources to decode")
    parser.add_argument("--cmudict-test", action="store_true",
                        help="decode the CMUdict test words of seq2seq_g2p.py instead")
    parser.add_argument("--beam-width", type=int, default=4)
    parser.add_argument("--sources", type=int, default=500)
    parser.add_argument("--batch-sizes", default="1,64")
    args = parser.parse_args(argv)

    import tensorflow as tf

    import rnn_apps
    from rnn_apps.data.pairs import read_pairs, read_sources

    if args.model:
        model = rnn_apps.load(args.model)
    else:
        sources, targets = read_pairs(DATES / "dates_train.tsv")
        model = rnn_apps.Seq2SeqTranslator(units=64, embedding_dim=32, epochs=8, seed=0,
                                           verbose=0).fit(sources[:3000], targets[:3000])
    if args.beam_width != model.beam_width:
        model.set_params(beam_width=args.beam_width)
    if args.cmudict_test:
        from seq2seq_g2p import load_pairs, split

        sources = split(load_pairs())[2][0][:args.sources]
    else:
        sources = read_sources(args.data)[:args.sources]
    max_length = model.state_["max_target_length"] + 1
    results = {"model": args.model or "bundled dates model", "sources": len(sources),
               "beam_width": args.beam_width}
    with tempfile.TemporaryDirectory() as folder:
        model.export(Path(folder) / "export")
        serve = tf.saved_model.load(str(Path(folder) / "export")).signatures["serving_default"]

        def saved(batch):
            return [t.decode("utf-8") for t in serve(text=tf.constant(batch))["output"].numpy()]

        loop = python_loop(model, args.beam_width, max_length)
        for size in (int(s) for s in args.batch_sizes.split(",")):
            batches = [sources[i:i + size] for i in range(0, len(sources), size)]
            graph_out, graph_seconds = timed(saved, batches)
            loop_out, loop_seconds = timed(loop, batches)
            same = sum(a == b for a, b in zip(graph_out, loop_out)) / len(sources)
            results[f"batch_{size}"] = {
                "savedmodel_per_second": round(len(sources) / graph_seconds, 1),
                "python_loop_per_second": round(len(sources) / loop_seconds, 1),
                "speedup": round(loop_seconds / graph_seconds, 2), "same_outputs": same}
            print(f"batch {size}: SavedModel {len(sources) / graph_seconds:.1f}/s, "
                  f"Python loop {len(sources) / loop_seconds:.1f}/s, "
                  f"x{loop_seconds / graph_seconds:.2f}, same outputs {same:.3f}", flush=True)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
