"""Forecaster against seasonal naive and exponential smoothing (ETS) on real series.

    .venv/bin/python benchmarks/forecast_quality.py       # needs: pip install -e '.[bench]'

Series from ``statsmodels.datasets`` (public domain): yearly sunspot numbers,
the Nile's yearly flow, monthly El Nino (Nino 1+2) sea temperatures, and the
weekly Mauna Loa CO2 record with its missing weeks filled linearly.

Protocol, the same for every model in one run: a rolling-origin backtest
with an expanding window (``Forecaster.backtest``), ``--origins`` origins one
horizon apart, the last covering the end of the series. At each origin every
model sees only the data before it. MASE divides the mean absolute error by
the in-sample error of the seasonal naive forecast on that training part.

Models:
- GRU, the toolkit's defaults for the task (windows relative to their last
  value), and the same GRU reading levels (``inputs="level"``);
- seasonal naive (the season detected from the first training part);
- ETS: statsmodels' ``ExponentialSmoothing``, additive error, with the trend
  (none / additive damped) and season (none / additive) picked per origin by
  AIC, i.e. a small automatic ETS.
"""

from __future__ import annotations

import argparse
import os
import time
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np

# name, loader, horizon, lookback
SERIES = {
    "sunspots": (lambda sm: sm.datasets.sunspots.load_pandas().data["SUNACTIVITY"], 5, 30),
    "nile": (lambda sm: sm.datasets.nile.load_pandas().data["volume"], 5, 20),
    "elnino": (lambda sm: sm.datasets.elnino.load_pandas().data.iloc[:, 1:].stack(), 12, 36),
    "co2": (lambda sm: sm.datasets.co2.load_pandas().data["co2"].interpolate(), 13, 60),
}


def load(name):
    import statsmodels.api as sm

    loader, horizon, lookback = SERIES[name]
    return np.asarray(loader(sm), dtype=np.float32), horizon, lookback


def ets_forecast(history, horizon, season):
    """Best-AIC additive ETS among trend {none, damped} x season {none, additive}."""
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    best = None
    for trend in (None, "add"):
        for seasonal in (None, "add") if season > 1 and len(history) >= 2 * season else (None,):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fit = ExponentialSmoothing(history, trend=trend, damped_trend=trend is not None,
                                           seasonal=seasonal,
                                           seasonal_periods=season if seasonal else None,
                                           initialization_method="estimated").fit()
            if best is None or fit.aic < best.aic:
                best = fit
    return best.forecast(horizon)


def ets_backtest(values, origins, season):
    from rnn_apps.evaluation import forecasting as fc

    ratios = []
    for row in origins:
        origin, horizon = row["train_size"], row["n"]
        history = values[:origin].astype(float)
        forecast = ets_forecast(history, horizon, season)
        scale = fc.seasonal_naive_scale(history, min(season, origin - 1))
        ratios.append(float(np.mean(np.abs(forecast - values[origin:origin + horizon]))
                            / scale[0]))
    return float(np.mean(ratios)), ratios


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", nargs="*", default=list(SERIES))
    parser.add_argument("--origins", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=60)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    from rnn_apps import Forecaster

    print("| series | length | horizon | season | GRU (relative) | GRU (level) | "
          "seasonal naive | ETS | GRU fit s/origin |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name in args.series:
        values, horizon, lookback = load(name)
        results = {}
        for inputs in ("relative", "level"):
            model = Forecaster(cell="gru", units=32, lookback=lookback, horizon=horizon,
                               inputs=inputs, deseasonalize="none", ensemble=1,
                               epochs=args.epochs, patience=8,
                               learning_rate=3e-3, seed=args.seed, verbose=0)
            started = time.perf_counter()
            results[inputs] = model.backtest(values, origins=args.origins, step=horizon)
            results[inputs]["seconds"] = (time.perf_counter() - started) / args.origins
        report = results["relative"]
        ets, per_origin = ets_backtest(values, report["origins"], report["season"])
        print(f"| {name} | {len(values)} | {horizon} | {report['season']} | "
              f"{report['mean']['mase']:.3f} | {results['level']['mean']['mase']:.3f} | "
              f"{report['mean']['baseline_mase']:.3f} | {ets:.3f} | "
              f"{report['seconds']:.1f} |", flush=True)
        for label, result in results.items():
            print(f"<!-- {name} GRU {label} per origin: "
                  + ", ".join(f"{r['mase']:.2f}" for r in result["origins"]) + " -->")
        print(f"<!-- {name} seasonal naive per origin: "
              + ", ".join(f"{r['baseline_mase']:.2f}" for r in report["origins"])
              + "; ETS: " + ", ".join(f"{r:.2f}" for r in per_origin) + " -->", flush=True)


if __name__ == "__main__":
    main()
