"""Inputs checked on every face: text, CSV fields, columns by name."""

import csv

import numpy as np
import pytest

from rnn_apps.errors import DataError


@pytest.mark.parametrize("bad, message", [("a\x00b", "contains a NUL character"),
                                          ("a\udcffb", "not valid Unicode")])
def test_every_text_check_refuses_nul_and_undecodable_text(bad, message):
    from rnn_apps.preprocessing.sequences import check_texts as check_sources
    from rnn_apps.preprocessing.text import check_texts
    from rnn_apps.preprocessing.tokens import check_token_lists
    from rnn_apps.tasks.textgen.estimator import check_text

    for check in (check_texts, check_sources, check_token_lists, check_text):
        argument = [[bad]] if check is check_token_lists else [bad]
        with pytest.raises(DataError, match=message):
            check(argument)


def test_long_csv_fields_are_read_and_over_long_ones_are_one_line(tmp_path, monkeypatch):
    from rnn_apps.data import tables

    path = tmp_path / "long.csv"
    text = "word " * 60_000  # 300,000 characters, over the csv module's default limit
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([["text", "label"], [text, "a"], ["short", "b"]])
    assert tables.read_labelled_texts(path)[0][0] == text
    monkeypatch.setattr(tables, "FIELD_LIMIT", 1000)
    import _csv

    limit = _csv.field_size_limit()
    try:
        _csv.field_size_limit(1000)
        with pytest.raises(DataError, match="line 2: field larger than field limit"):
            tables.read_labelled_texts(path)
    finally:
        _csv.field_size_limit(limit)


def test_frames_with_reordered_columns_are_matched_by_name(tmp_path):
    from rnn_apps import Tagger
    from rnn_apps.data.tagged import read_frames_csv

    rng = np.random.default_rng(0)
    rows = [[f"s{k // 12}", f"{x:.3f}", f"{-x:.3f}", "up" if x > 0 else "down"]
            for k, x in enumerate(rng.normal(size=240))]
    for name, order in (("a.csv", [0, 1, 2, 3]), ("b.csv", [0, 2, 1, 3])):
        with open(tmp_path / name, "w", newline="", encoding="utf-8") as handle:
            header = ["sequence", "x", "y", "label"]
            csv.writer(handle).writerows([[header[i] for i in order],
                                          *[[r[i] for i in order] for r in rows]])
    train = read_frames_csv(tmp_path / "a.csv")
    model = Tagger(units=4, epochs=1, seed=0, verbose=0).fit(*train[:2])
    swapped = read_frames_csv(tmp_path / "b.csv")
    assert swapped[2] == ["y", "x"]
    assert model.predict(swapped[0]) == model.predict(train[0])
    other = read_frames_csv(tmp_path / "a.csv")[0]
    other.feature_names = ["x", "z"]
    with pytest.raises(DataError, match="the frames have no feature 'y'"):
        model.predict(other)


def test_forecast_columns_are_matched_by_name_and_step_columns_are_time(tmp_path):
    from rnn_apps import Forecaster
    from rnn_apps.data.series import read_series_csv

    t = np.arange(80)
    a, b = np.sin(t / 3), np.cos(t / 5) + 2
    (tmp_path / "ab.csv").write_text("step,a,b\n" + "".join(
        f"{k},{x:.4f},{y:.4f}\n" for k, x, y in zip(t, a, b)))
    (tmp_path / "ba.csv").write_text("step,b,a\n" + "".join(
        f"{k},{y:.4f},{x:.4f}\n" for k, x, y in zip(t, a, b)))
    table = read_series_csv(tmp_path / "ab.csv")
    assert table.columns == ["a", "b"] and table.time_column == "step"
    explicit = read_series_csv(tmp_path / "ab.csv", time_column="step")
    assert explicit.columns == ["a", "b"]
    model = Forecaster(units=4, lookback=8, epochs=1, seed=0, verbose=0, inputs="relative",
                       deseasonalize="none", ensemble=1).fit(table)
    swapped = read_series_csv(tmp_path / "ba.csv")
    np.testing.assert_allclose(model.predict(swapped), model.predict(table))
    assert model.evaluate(swapped)["mase"] == pytest.approx(model.evaluate(table)["mase"])
