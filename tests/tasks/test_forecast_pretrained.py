"""The pretrained forecaster: the generator makes what it claims, several
seasons are found, the shipped core forecasts series it never saw better
than naive, fine-tuning trains it, and panels weigh every series alike."""

from __future__ import annotations

import numpy as np
import pytest

from rnn_apps.preprocessing.seasons import choose_seasons, seasonal_strength
from rnn_apps.tasks.forecast.pretrained import generator
from rnn_apps.tasks.forecast.pretrained.generator import Recipe


def _render(**given):
    spec = Recipe(**{"length": 480, "level": 100.0, "trend": "none", "slope": 0.0,
                     "noise": 0.01, "ar": 0.0, "ma": 0.0, **given})
    return generator.render(np.random.default_rng(3), spec)


def test_the_same_seed_gives_the_same_series_and_another_seed_others():
    first, again = generator.generate(5, seed=11), generator.generate(5, seed=11)
    other = generator.generate(5, seed=12)
    for (a, ra), (b, rb) in zip(first, again):
        np.testing.assert_array_equal(a, b)
        assert ra == rb
    assert not all(len(a) == len(b) and np.allclose(a, b) for (a, _), (b, _) in zip(first, other))


def test_a_claimed_season_is_strong_at_its_period_and_not_at_others():
    values = _render(seasons=[12], amplitude=0.3)[:, None]
    assert seasonal_strength(values, 12) > 0.9
    assert seasonal_strength(values, 7) < 0.3
    multiplicative = _render(seasons=[7], amplitude=0.3, multiplicative=True,
                             trend="linear", slope=0.004)
    assert multiplicative.min() > 0
    # the seasonal swing grows with the level: last weeks swing wider than the first
    first, last = multiplicative[:70].reshape(-1, 7), multiplicative[-70:].reshape(-1, 7)
    assert np.ptp(last, axis=1).mean() > 1.5 * np.ptp(first, axis=1).mean()


def test_the_trends_are_the_ones_claimed():
    steps = np.arange(480)
    linear = _render(trend="linear", slope=0.01)
    assert np.polyfit(steps, linear, 1)[0] == pytest.approx(0.01 * 100, rel=0.1)
    flat = _render(trend="none")
    assert abs(np.polyfit(steps, flat, 1)[0]) < 0.02
    damped = _render(trend="damped", slope=0.01, noise=0.0005)
    early, late = np.diff(damped[:10]).mean(), np.diff(damped[-40:]).mean()
    assert early > 0.3 and abs(late) < 0.2 * early      # the slope dies out


def test_the_mix_holds_every_kind_it_documents():
    series = generator.generate(400, seed=5)
    recipes = [spec for _, spec in series]
    assert {spec.trend for spec in recipes} == set(generator.TRENDS)
    assert {len(spec.seasons) for spec in recipes} == {0, 1, 2}
    assert any(spec.multiplicative for spec in recipes)
    assert any(spec.intermittent for spec in recipes)
    assert any(spec.shift_at is not None for spec in recipes)
    assert any(spec.outliers for spec in recipes)
    for values, spec in series:
        longest = max(spec.seasons, default=1)
        assert len(values) == spec.length
        assert 24 <= spec.length <= max(2000, 3 * longest + 64)
        assert spec.length >= 3 * longest     # three whole cycles of every season
        assert np.isfinite(values).all()
        if spec.intermittent:
            assert (values == 0).mean() > 0.2 and values.min() >= 0


def test_hourly_data_keep_a_daily_and_a_weekly_season():
    rng = np.random.default_rng(0)
    t = np.arange(24 * 7 * 8)
    daily = 3 * np.sin(2 * np.pi * t / 24)
    weekend = 2.0 * ((t // 24) % 7 >= 5)
    noise = rng.normal(0, 0.3, len(t))
    assert choose_seasons(10 + daily + weekend + noise, {"seconds": 3600})[0] == [24, 168]
    assert choose_seasons(10 + daily + noise, {"seconds": 3600})[0] == [24]
    assert choose_seasons(noise, {"seconds": 3600})[0] == []


def _mase(forecast, actual, train, season):
    scale = np.mean(np.abs(train[season:] - train[:-season]))
    return float(np.mean(np.abs(forecast - actual)) / scale)


def test_zero_shot_beats_naive_on_generated_series_it_never_saw():
    from rnn_apps import Forecaster

    ours, naive = [], []
    # a seed no pretraining round draws from (they use 0-5 and 10,000)
    rng = np.random.default_rng(987_654)
    for _ in range(8):
        spec = generator.recipe(rng, length=300)
        spec.seasons, spec.intermittent = [12], False
        values = generator.render(rng, spec)
        train, test = values[:-12], values[-12:]
        model = Forecaster(horizon=12, pretrained="zero-shot", verbose=0).fit(train)
        ours.append(_mase(model.predict()[:, 0], test, train, 12))
        naive.append(_mase(np.repeat(train[-1], 12), test, train, 12))
    assert np.mean(ours) < 0.8 * np.mean(naive)
    assert model.choices_["pretrained"]["mode"] == "zero-shot"


def test_fine_tuning_trains_the_core_and_moves_the_forecast(tmp_path):
    from rnn_apps import Forecaster

    rng = np.random.default_rng(1)
    t = np.arange(200)
    values = 50 + 0.3 * t + 5 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 1, len(t))
    zero = Forecaster(horizon=6, pretrained="zero-shot", verbose=0).fit(values)
    tuned = Forecaster(horizon=6, pretrained="fine-tune", epochs=3, seed=0,
                       verbose=0).fit(values)
    assert tuned.choices_["pretrained"]["mode"] == "fine-tune"
    assert 1 <= len(tuned.history_["loss"]) <= 3
    core = "pretrained_core"
    moved = [not np.allclose(a, b) for a, b in zip(zero.model_.get_layer(core).get_weights(),
                                                    tuned.model_.get_layer(core).get_weights())]
    assert any(moved)
    assert not np.allclose(zero.predict(), tuned.predict())
    tuned.save(tmp_path / "m")
    from rnn_apps import load

    np.testing.assert_allclose(load(tmp_path / "m").predict(), tuned.predict(), rtol=1e-5)


def test_every_series_of_a_panel_weighs_the_same_in_fine_tuning():
    from rnn_apps.tasks.forecast.pretrained.fit import training_windows

    short, long = np.ones((40, 1)), np.ones((400, 1))
    x, _, weights = training_windows([short, long], lookback=16, horizon=4, targets=[0])
    n_short = 40 - 16 - 4 + 1
    assert len(x) == n_short + 400 - 16 - 4 + 1
    assert weights[:n_short].sum() == pytest.approx(weights[n_short:].sum())
    assert weights.mean() == pytest.approx(1.0)


def test_the_back_layer_inverts_what_the_core_is_trained_on():
    from rnn_apps.tasks.forecast.pretrained.layers import (
        PretrainedBack,
        PretrainedFront,
        scaled_targets,
    )

    rng = np.random.default_rng(2)
    t = np.arange(150)
    windows = np.stack([20 + 0.1 * t + np.sin(2 * np.pi * t / 7) + rng.normal(0, .1, 150)
                        for _ in range(3)]).astype("float32")
    history, future = windows[:, :120], windows[:, 120:136]
    z, location, scale, seasonal = PretrainedFront([7], 96, 16)(history)
    assert z.shape == (3, 96, 1) and float(np.abs(np.asarray(z)[:, -1]).max()) == 0.0
    target = scaled_targets(future, location, scale, seasonal)
    back = PretrainedBack()(target[..., None], location, scale, seasonal)
    np.testing.assert_allclose(np.asarray(back)[..., 0], future, rtol=1e-4, atol=1e-3)


def test_pretraining_is_one_command_and_gives_the_same_weights_twice(tmp_path, monkeypatch):
    from rnn_apps import Forecaster
    from rnn_apps.tasks.forecast.pretrained import core as cores
    from rnn_apps.tasks.forecast.pretrained.pretrain import main

    for name in ("a", "b"):
        main(["--out", str(tmp_path / name), "--series", "20", "--rounds", "1",
              "--epochs", "1", "--origins", "2"])
    first, second = cores.manifest(tmp_path / "a"), cores.manifest(tmp_path / "b")
    assert first["sha256"] == second["sha256"] == cores.sha256(tmp_path / "a" / cores.WEIGHTS.name)
    assert first["trained_on"].startswith("generated series only")
    assert "--series 20" in first["command"]
    monkeypatch.setenv("RNN_APPS_PRETRAINED_DIR", str(tmp_path / "a"))
    model = Forecaster(horizon=4, pretrained="zero-shot", verbose=0).fit(np.arange(60.0))
    assert model.choices_["pretrained"]["sha256"] == first["sha256"]


def test_the_default_keeps_the_candidate_with_the_lowest_held_out_mase():
    from rnn_apps import Forecaster

    rng = np.random.default_rng(4)
    t = np.arange(160)
    values = 100 + 0.5 * t + 8 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 1, len(t))
    model = Forecaster(horizon=6, epochs=2, seed=0, verbose=0).fit(values)
    found = model.choices_["pretrained"]
    scored = {row["candidate"]: row["validation_mase"] for row in found["candidates"]
              if "validation_mase" in row}
    names = set(scored)
    assert {"zero-shot", "zero-shot log", "fine-tuned", "seasonal naive (12)"} <= {
        name.replace("fine-tuned log", "fine-tuned") for name in names}
    assert "mean of zero-shot and fine-tuned" in names
    models = {k: v for k, v in scored.items() if not k.startswith("seasonal naive")}
    assert found["chosen"] == min(models, key=models.get)
    assert model.choices_["seasons"] == [12] and model.choices_["season"] == 12
    assert model.predict().shape == (6, 1)
