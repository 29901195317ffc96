"""Markdown tables of ``forecast_pretrained.py`` (printed, to paste into
``docs/benchmarks.md``)."""

from __future__ import annotations

import numpy as np

RNN = ("zero-shot", "auto", "scratch")
ORDER = (*RNN, "AutoETS", "AutoARIMA", "AutoTheta", "Comb", "SNaive")


def table(header, rows):
    print("\n| " + " | ".join(header) + " |\n" + "|---" * len(header) + "|")
    for row in rows:
        print("| " + " | ".join(row) + " |", flush=True)


def fits(found: dict) -> str:
    """What the auto rnn chose at each origin (the zero-shot's seasons without it)."""
    return "; ".join(dict.fromkeys(found.get("auto") or found.get("zero-shot") or []))


def report_series(results, classic):
    """MASE per series and model (means over all, the classic 13 and the
    others), seconds per series and model, and win counts of the rnn rows."""
    keys = [m for m in ORDER if any(m in r["mase"] for r in results.values())]
    rows = [[name, r["frequency"], str(r["length"]), str(r["horizon"]),
             f"{r['season']}/{r['stats_season']}",
             *(f"{r['mase'][k]:.3f}" for k in keys), fits(r["rnn_fits"])]
            for name, r in results.items()]
    groups = [("mean", list(results))]
    for subset, names in (("mean, classic 13", [n for n in results if n in classic]),
                          ("mean, the others", [n for n in results if n not in classic])):
        if names and len(names) < len(results):
            groups.append((subset, names))
    for label, names in groups:
        rows.append([label, "", "", "", "", *(
            f"{np.mean([results[n]['mase'][k] for n in names]):.3f}" for k in keys), ""])
    rows.append(["median", "", "", "", "", *(
        f"{np.median([r['mase'][k] for r in results.values()]):.3f}" for k in keys), ""])
    table(["series", "frequency", "length", "h", "season (MASE/stats)",
           *(f"MASE {k}" for k in keys), "rnn auto (else zero-shot): chosen, seasons, lookback"],
          rows)
    rows = [[name, *(f"{r['seconds'][k]:.2f}" for k in keys)] for name, r in results.items()]
    rows.append(["mean", *(f"{np.mean([r['seconds'][k] for r in results.values()]):.2f}"
                           for k in keys)])
    table(["series", *(f"s {k}" for k in keys)], rows)
    for mine in (k for k in RNN if k in keys):
        wins = {k: sum(r["mase"][mine] < r["mase"][k] for r in results.values())
                for k in keys if k not in RNN}
        print(f"\nrnn {mine} beats: " + ", ".join(f"{k} on {v}/{len(results)}"
                                               for k, v in wins.items()))
    failed = {n: r["failed"] for n, r in results.items() if r.get("failed")}
    if failed:
        print(f"\nfailed fits (seasonal naive used instead): {failed}")


def report_panels(results):
    keys = ("zero-shot", "auto", "AutoETS", "SNaive")
    table(["series set", "series", "length", "h", *(f"MASE {k}" for k in keys),
           *(f"s/series {k}" for k in keys[:3]), "auto chose"],
          [[name, str(r["series"]), str(r["length"]), str(r["horizon"]),
            *(f"{r['mase'][k]:.3f}" for k in keys),
            *(f"{r['seconds_per_series'][k]:.3f}" for k in keys[:3]),
            ", ".join(sorted(set(r["auto_chose"])))]
           for name, r in results.items()])


def report_scale(found):
    table(["series", "length", "h", "fit s", "predict s", "ms per series",
           "peak RSS MB (before fit)", "peak RSS MB"],
          [[str(found["series"]), str(found["length"]), str(found["horizon"]),
            f"{found['fit_s']:.1f}", f"{found['predict_s']:.1f}",
            f"{found['ms_per_series']:.2f}", f"{found['peak_rss_mb_before_fit']:.0f}",
            f"{found['peak_rss_mb']:.0f}"]])
