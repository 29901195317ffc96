"""Write the bundled forecasting series.

    python datasets/forecast/make_datasets.py            # the generated series only
    python datasets/forecast/make_datasets.py --real     # also the public ones (needs statsmodels)

``demand.csv`` is generated here (deterministic, numpy only). The real
series are public-domain figures taken from ``statsmodels.datasets``; see
README.md for their sources.
"""

from __future__ import annotations

import argparse
import csv
from datetime import date, timedelta
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent


def write_csv(path: Path, header, rows) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    print(f"wrote {path} ({len(rows)} rows)")


def demand(out: Path = HERE, days: int = 730, seed: int = 0) -> None:
    """Daily demand with a weekly pattern, a slow trend and a temperature
    covariate (a yearly swing plus weather spells) that raises demand on warm
    days, so recent temperatures say something about the coming week."""
    rng = np.random.default_rng(seed)
    t = np.arange(days)
    anomaly = np.zeros(days)            # weather spells: anomalies last several days
    for i in range(1, days):
        anomaly[i] = 0.85 * anomaly[i - 1] + rng.normal(0, 1.8)
    temperature = 12 + 9 * np.sin(2 * np.pi * (t - 100) / 365.25) + anomaly
    weekly = np.array([0.0, 2.0, 2.5, 2.5, 3.0, 6.0, -4.0])[(t + 2) % 7]  # 2023-01-01: Sunday
    level = 50 + 0.02 * t + weekly + 1.2 * np.clip(temperature - 16, 0, None)
    values = level + rng.normal(0, 1.0, days)
    start = date(2023, 1, 1)
    rows = [[(start + timedelta(days=int(i))).isoformat(), f"{values[i]:.2f}",
             f"{temperature[i]:.1f}"] for i in t]
    write_csv(Path(out) / "demand.csv", ["date", "demand", "temperature"], rows)


def real() -> None:
    import statsmodels.api as sm

    co2 = sm.datasets.co2.load_pandas().data["co2"].resample("MS").mean()
    write_csv(HERE / "co2_monthly.csv", ["month", "co2"],
              [[f"{stamp:%Y-%m}", "" if np.isnan(v) else f"{v:.2f}"] for stamp, v in co2.items()])
    sun = sm.datasets.sunspots.load_pandas().data
    write_csv(HERE / "sunspots_yearly.csv", ["year", "sunspots"],
              [[int(y), f"{v:g}"] for y, v in zip(sun["YEAR"], sun["SUNACTIVITY"])])
    nile = sm.datasets.nile.load_pandas().data
    write_csv(HERE / "nile.csv", ["year", "volume"],
              [[int(y), f"{v:g}"] for y, v in zip(nile["year"], nile["volume"])])


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--real", action="store_true", help="also write the public series")
    demand()
    if parser.parse_args().real:
        real()
