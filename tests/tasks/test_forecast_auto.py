"""Automatic forecaster settings: seasons from the time step, per-window
decomposition, the validation search, ensembles, backtest windows."""

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from rnn_apps import Forecaster
from rnn_apps.data.series import infer_step
from rnn_apps.errors import DataError, RnnAppsError
from rnn_apps.preprocessing.seasons import calendar_seasons, choose_season
from rnn_apps.preprocessing.series import Series, SeriesScaler

TINY = {"units": 4, "epochs": 2, "batch_size": 16, "seed": 0, "verbose": 0}


def stamps(n, *, months=None, seconds=None):
    if months:
        return [datetime(1990 + (i * months) // 12, (i * months) % 12 + 1, 1) for i in range(n)]
    return [datetime(2021, 1, 4) + timedelta(seconds=seconds * i) for i in range(n)]


@pytest.mark.parametrize("kind, n, period, step", [
    ("monthly", 120, 12, {"months": 1}),
    ("quarterly", 60, 4, {"months": 3}),
    ("daily", 200, 7, {"seconds": 86_400}),
    ("hourly", 24 * 21, 24, {"seconds": 3_600}),
    ("integer steps", 200, 10, None),
])
def test_a_known_season_is_found_for_each_time_step_kind(kind, n, period, step):
    rng = np.random.default_rng(1)
    t = np.arange(n)
    values = 20 + 0.1 * t + 4 * np.sin(2 * np.pi * t / period) + rng.normal(0, 0.5, n)
    if step:
        times = stamps(n, months=step.get("months"), seconds=step.get("seconds"))
        assert infer_step(times) == {**step, **({"month_end": False} if "months" in step
                                                else {"seconds": float(step["seconds"])})}
        step = infer_step(times)
    assert choose_season(values, step)[0] == period


def test_half_hourly_data_with_a_weekly_pattern_gets_the_weekly_season():
    rng = np.random.default_rng(2)
    t = np.arange(48 * 7 * 5)
    daily = 5 * np.sin(2 * np.pi * t / 48) + rng.normal(0, 1, len(t))
    weekend = 4.0 * ((t // 48) % 7 >= 5)
    step = infer_step(stamps(10, seconds=1_800))
    assert calendar_seasons(step) == [48, 336, 17532]
    assert choose_season(daily + weekend, step)[0] == 336
    assert choose_season(daily, step)[0] == 48       # the week adds nothing: the day wins


def test_noise_and_random_walks_have_no_season():
    rng = np.random.default_rng(3)
    assert choose_season(rng.normal(size=240), {"months": 1})[0] == 1
    assert choose_season(np.cumsum(rng.normal(size=240)), {"months": 1})[0] == 1


def _split_and_join(mode, window, future, season=12):
    from rnn_apps.tasks.forecast.layers import SeasonalJoin, SeasonalSplit, decomposition_stats

    scaler = SeriesScaler.fit(window)
    stats = decomposition_stats(window, scaler, [0], mode)
    split = SeasonalSplit(season, mode, [0], 1, stats)
    remainder, profile, _ = split(scaler.transform(window)[None])
    remainder = np.asarray(remainder)[0, :, 0]
    slope = remainder[-1] - remainder[-2]
    ahead = remainder[-1] + slope * np.arange(1, len(future) + 1)  # continue the line
    joined = np.asarray(SeasonalJoin(season, mode, stats)(ahead[None, :, None], profile))
    return remainder, scaler.inverse_transform(joined[0])[:, 0]


@pytest.mark.parametrize("mode", ["additive", "multiplicative"])
def test_the_decomposition_leaves_a_trend_and_puts_the_season_back(mode):
    t = np.arange(60, dtype=np.float64)
    season = np.tile([0.0, 1, 3, 2, -1, -2, -3, -1, 0, 1, 0, 0], 5)
    season = season - season.mean()
    if mode == "additive":
        values = 50 + 0.5 * t + 2 * season
    else:
        values = np.exp(3 + 0.02 * t + 0.1 * season)
    window, future = values[:48, None].astype("float32"), values[48:]
    remainder, forecast = _split_and_join(mode, window, future)
    assert np.abs(np.diff(remainder, 2)).max() < 1e-3        # a straight line is left
    np.testing.assert_allclose(forecast, future, rtol=2e-3)


def monthly(n=120, seed=0, offset=20.0):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    values = offset + 0.05 * t + 3 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 0.3, n)
    return Series(values[:, None].astype("float32"), ["y"], stamps(n, months=1), "month",
                  "month")


@pytest.fixture(scope="module")
def auto_model():
    return Forecaster(horizon=3, ensemble=2, **TINY).fit(monthly())


def test_automatic_choices_are_made_on_validation_windows_and_stored(auto_model, tmp_path):
    found = auto_model.choices_
    assert found["season"] == 12 and found["season_scores"]["12"] > 0.5
    tried = {(r["lookback"], r["inputs"], r["deseasonalize"]) for r in found["search"]}
    assert {"none", "additive", "multiplicative"} <= {key[2] for key in tried}
    assert {"relative", "level"} <= {key[1] for key in tried}
    assert all(np.isfinite(r["validation_mase"]) for r in found["search"])
    members = found["members"]
    ranked = sorted(r["validation_mase"] for r in found["search"])
    assert [m["validation_mase"] for m in members] == ranked[:2]
    assert auto_model.lookback_ == max(m["lookback"] for m in members)
    # saved, loaded and exported, the ensemble forecasts the same
    auto_model.save(tmp_path / "model")
    loaded = Forecaster.load(tmp_path / "model")
    np.testing.assert_allclose(loaded.predict(), auto_model.predict(), rtol=1e-5)
    assert loaded.choices_["members"] == members


def test_the_ensemble_forecasts_the_median_of_its_members(auto_model):
    from rnn_apps.tasks.forecast.network import member_networks

    members = member_networks(auto_model.model_)
    assert len(members) == 2
    windows = auto_model.scaler_.transform(np.asarray(auto_model.state_["tail"])[None])
    each = [np.asarray(m(windows[:, windows.shape[1] - m.inputs[0].shape[1]:]))
            for m in members]
    np.testing.assert_allclose(np.asarray(auto_model.model_(windows)), np.median(each, 0),
                               rtol=1e-5, atol=1e-6)


def test_hidden_states_read_the_best_member(auto_model):
    states = auto_model.hidden_states()
    best = auto_model.choices_["members"][0]
    assert len(states[0]["tokens"]) == best["lookback"]
    assert states[0]["layers"][0].shape == (best["lookback"], 4)


def test_explicit_settings_override_the_automatic_ones():
    model = Forecaster(horizon=3, lookback=24, inputs="level", deseasonalize="additive",
                       season=12, ensemble=1, **TINY).fit(monthly())
    found = model.choices_
    assert "search" not in found and "members" not in found
    assert (found["lookback"], found["inputs"], found["deseasonalize"], found["season"]) \
        == (24, "level", "additive", 12)
    assert [layer.name for layer in model.model_.layers if "seasonal" in layer.name] \
        == ["seasonal_split", "seasonal_join"]


def test_only_the_open_settings_are_searched():
    model = Forecaster(horizon=3, lookback=24, deseasonalize="none", ensemble=1,
                       **TINY).fit(monthly())
    tried = model.choices_["search"]
    assert {(r["lookback"], r["deseasonalize"]) for r in tried} == {(24, "none")}
    assert {r["inputs"] for r in tried} == {"relative", "level"}


def test_a_decomposition_that_cannot_apply_is_a_one_line_error():
    below_zero = monthly(offset=-30.0)
    with pytest.raises(RnnAppsError, match="positive values"):
        Forecaster(horizon=3, lookback=24, deseasonalize="multiplicative", season=12,
                   ensemble=1, **TINY).fit(below_zero)
    with pytest.raises(RnnAppsError, match="season of 2 or more"):
        Forecaster(horizon=3, lookback=6, deseasonalize="additive", season=12, ensemble=1,
                   **TINY).fit(monthly())
    with pytest.raises(RnnAppsError, match="deseasonalize"):
        Forecaster(horizon=3, deseasonalize="sometimes", **TINY).fit(monthly())


def test_backtest_windows_and_refitting_every_few_origins(monkeypatch):
    from rnn_apps.tasks.forecast import backtest as module

    fits = []
    refit = module._refit
    monkeypatch.setattr(module, "_refit", lambda *args: fits.append(args[2:]) or refit(*args))
    model = Forecaster(horizon=3, lookback=12, inputs="relative", deseasonalize="none",
                       ensemble=1, **TINY)
    series = monthly(n=90)
    sliding = model.backtest(series, origins=3, window="sliding", refit_every=2)
    sizes = [row["train_size"] for row in sliding["origins"]]
    assert sizes == [81] * 3 and sliding["window"] == "sliding"
    assert fits == [(0, 81), (6, 87)]                         # origins 1 and 3 refit
    expanding = model.backtest(series, origins=3)
    assert [row["train_size"] for row in expanding["origins"]] == [81, 84, 87]
    with pytest.raises(DataError, match="refit_every"):
        model.backtest(series, origins=3, refit_every=0)


def sized_panel(lengths=(90, 80, 100), levels=(10.0, 1000.0, 50.0)):
    from rnn_apps.preprocessing.panel import SeriesPanel

    rng = np.random.default_rng(4)
    found = {}
    for k, (n, level) in enumerate(zip(lengths, levels)):
        t = np.arange(n)
        values = level * (1 + 0.003 * t) * (1 + 0.2 * np.sin(2 * np.pi * t / 12))
        values = values + rng.normal(0, level * 0.01, n)
        found[f"s{k}"] = Series(values[:, None].astype("float32"), ["value"],
                                stamps(n, months=1), "month", "month")
    return SeriesPanel(found, "id")


@pytest.fixture(scope="module")
def global_model():
    return Forecaster(horizon=4, lookback=24, inputs="relative", deseasonalize="additive",
                      ensemble=1, **{**TINY, "epochs": 3}).fit(sized_panel())


def test_one_model_across_series_of_different_sizes(global_model, tmp_path):
    panel = sized_panel()
    forecasts = global_model.predict()
    assert list(forecasts) == ["s0", "s1", "s2"]
    for key, level in zip(forecasts, (10.0, 1000.0, 50.0)):   # each in its own units
        assert forecasts[key].shape == (4, 1)
        assert 0.5 * level < float(forecasts[key].mean()) < 2.0 * level
    # the same forecast from the series itself, from the panel and after loading
    np.testing.assert_allclose(global_model.predict(panel.series["s1"]), forecasts["s1"],
                               rtol=1e-5)
    np.testing.assert_allclose(global_model.predict(panel)["s2"], forecasts["s2"], rtol=1e-5)
    assert global_model.future_times()["s1"][0] == datetime(1996, 9, 1)
    global_model.save(tmp_path / "model")
    loaded = Forecaster.load(tmp_path / "model")
    np.testing.assert_allclose(loaded.predict()["s0"], forecasts["s0"], rtol=1e-5)


def test_evaluate_and_backtest_report_each_series_and_the_mean(global_model):
    panel = sized_panel()
    metrics = global_model.evaluate(panel)
    assert set(metrics["series"]) == {"s0", "s1", "s2"}
    mean = np.mean([row["mase"] for row in metrics["series"].values()])
    assert metrics["mase"] == pytest.approx(mean)
    model = Forecaster(horizon=4, lookback=24, inputs="relative", deseasonalize="none",
                       ensemble=1, **TINY)
    report = model.backtest(panel, origins=2, step=4)
    assert set(report["series"]) == {"s0", "s1", "s2"} and len(report["origins"]) == 2
    assert report["origins"][1]["train_size"] == report["origins"][0]["train_size"] + 4


def test_the_global_savedmodel_takes_histories_of_different_series(global_model, tmp_path):
    import tensorflow as tf

    global_model.export(tmp_path / "export")
    serve = tf.saved_model.load(str(tmp_path / "export")).signatures["serving_default"]
    panel = sized_panel()
    histories = np.stack([one.values[-24:] for one in panel.series.values()])
    served = serve(history=tf.constant(histories))["forecast"].numpy()
    for row, key in enumerate(panel.keys()):
        np.testing.assert_allclose(served[row], global_model.predict()[key], rtol=1e-4)


def test_a_long_format_csv_is_read_as_a_panel(tmp_path):
    from rnn_apps.data.series import read_series_csv

    path = tmp_path / "long.csv"
    path.write_text("month,store,sales\n2020-01,b,5\n2020-01,a,1\n2020-02,a,2\n"
                    "2020-02,b,6\n2020-03,b,7\n")
    panel = read_series_csv(path, id_column="store")
    assert panel.keys() == ["b", "a"] and panel.columns == ["sales"]
    assert panel.series["b"].values[:, 0].tolist() == [5, 6, 7]
    assert panel.series["a"].times[-1] == datetime(2020, 2, 1)
    path.write_text("month,store,sales\n2020-02,a,1\n2020-01,a,2\n")
    with pytest.raises(DataError, match="line 3.*earlier than the row before"):
        read_series_csv(path, id_column="store")
    path.write_text("month,store,sales\n2020-02,,1\n")
    with pytest.raises(DataError, match="line 2: the series key 'store' is empty"):
        read_series_csv(path, id_column="store")


def hourly_with_price(n=24 * 7 * 4):
    rng = np.random.default_rng(5)
    t = np.arange(n)
    price = rng.uniform(0, 1, n)
    load = 10 + 3 * np.sin(2 * np.pi * t / 24) - 4 * price + rng.normal(0, 0.2, n)
    return Series(np.stack([load, price], 1).astype("float32"), ["load", "price"],
                  stamps(n, seconds=3_600), "iso", "time")


@pytest.fixture(scope="module")
def priced():
    return Forecaster(horizon=4, lookback=24, targets=["load"], future_covariates=["price"],
                      calendar=True, season=24, inputs="relative", deseasonalize="additive",
                      ensemble=1, **{**TINY, "units": 8, "epochs": 12}).fit(hourly_with_price())


def test_future_covariates_and_calendar_features_reach_the_forecast(priced, tmp_path):
    assert priced.state_["future_columns"] == [1]
    assert priced.state_["calendar"] == ["hour", "weekday"]
    cheap = priced.predict(future=np.zeros((4, 1)))
    dear = priced.predict(future=np.ones((4, 1)))
    assert (cheap - dear).mean() > 1.0            # the load falls with the price, as trained
    with pytest.raises(DataError, match="needs the values of price for the 4 forecast steps"):
        priced.predict()
    with pytest.raises(DataError, match="must be finite values \\[4, 1\\]"):
        priced.predict(future=np.zeros((3, 1)))
    priced.save(tmp_path / "model")
    loaded = Forecaster.load(tmp_path / "model")
    np.testing.assert_allclose(loaded.predict(future=np.ones((4, 1))), dear, rtol=1e-5)


def test_the_savedmodel_takes_future_values_and_times(priced, tmp_path):
    import tensorflow as tf

    from rnn_apps.tasks.forecast.future import epoch_seconds

    priced.export(tmp_path / "export")
    serve = tf.saved_model.load(str(tmp_path / "export")).signatures["serving_default"]
    future = np.full((1, 4, 1), 0.5, dtype="float32")
    times = epoch_seconds(priced.future_times())[None]
    history = np.asarray(priced.state_["tail"], dtype="float32")[None]
    served = serve(history=tf.constant(history), future=tf.constant(future),
                   future_time=tf.constant(times))["forecast"].numpy()[0]
    np.testing.assert_allclose(served, priced.predict(future=future[0]), rtol=1e-4)
    shifted = serve(history=tf.constant(history), future=tf.constant(future),
                    future_time=tf.constant(times + 6 * 3600))["forecast"].numpy()[0]
    assert not np.allclose(shifted, served)       # the hour of day is read from the times


def test_calendar_features_follow_the_clock():

    from rnn_apps.tasks.forecast.future import calendar_kinds, epoch_seconds
    from rnn_apps.tasks.forecast.layers import CalendarFeatures

    moments = [datetime(2024, 2, 29, 13, 30), datetime(1999, 12, 31, 23),
               datetime(2021, 7, 4, 6, tzinfo=UTC)]
    features = np.asarray(CalendarFeatures(["hour", "weekday", "month"])(
        epoch_seconds(moments)[None]))[0]
    turns = np.arctan2(features[:, ::2], features[:, 1::2]) / (2 * np.pi) % 1
    expected = [(m.hour + m.minute / 60, m.weekday(), m.month - 1) for m in moments]
    np.testing.assert_allclose(turns * [24, 7, 12], expected, atol=1e-3)
    assert calendar_kinds({"months": 1}) == ["month"]
    assert calendar_kinds({"seconds": 86_400.0}) == ["weekday", "month"]
    assert calendar_kinds({"steps": 1}) == []
    with pytest.raises(DataError, match="calendar features need date or time stamps"):
        Forecaster(horizon=2, lookback=8, calendar=True, ensemble=1, inputs="relative",
                   deseasonalize="none", **TINY).fit(np.arange(60.0))
