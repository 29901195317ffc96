"""Time columns as pandas and people write them: float years, quarters, ISO
weeks, pandas period ranges, columns named quarter/week/period, and any other
layout through a strftime format; a stamp that does not read names its line."""

import csv

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnn_apps.data.series import read_series_csv
from rnn_apps.data.times import format_time, future_times, infer_step
from rnn_apps.errors import DataError
from rnn_apps.preprocessing.seasons import calendar_seasons


def write(tmp_path, header, stamps, name="s.csv"):
    path = tmp_path / name
    path.write_text(header + "\n" + "".join(f"{s},{k % 5}\n" for k, s in enumerate(stamps)),
                    encoding="utf-8")
    return path


WEEK = 7 * 86_400.0


@pytest.mark.parametrize("header, stamps, time_format, kind, step, seasons, after", [
    ("year,y", ["1700.0", "1701.0", "1702.0"], None, "year", {"months": 12}, [], "1703"),
    ("quarter,y", ["1999Q3", "1999Q4", "2000Q1", "2000Q2"], None, "quarter", {"months": 3},
     [4], "2000Q3"),
    ("period,y", ["2000 Q3", "2000 Q4", "2001 Q1"], None, "quarter", {"months": 3}, [4],
     "2001Q2"),
    ("week,y", ["2020-W51", "2020-W52", "2020-W53", "2021-W01"], None, "week",
     {"seconds": WEEK}, [52], "2021-W02"),
    ("period,y", ["2020-01-06/2020-01-12", "2020-01-13/2020-01-19", "2020-01-20/2020-01-26"],
     None, "iso", {"seconds": WEEK}, [52], "2020-01-27"),
    ("date,y", ["01/31/2020", "02/29/2020", "03/31/2020"], "%m/%d/%Y", "%m/%d/%Y",
     {"months": 1, "month_end": True}, [12], "04/30/2020"),
    ("date,y", ["31.12.2019 23:00", "01.01.2020 00:00", "01.01.2020 01:00"], "%d.%m.%Y %H:%M",
     "%d.%m.%Y %H:%M", {"seconds": 3600.0}, [24, 168, 8766], "01.01.2020 02:00"),
])
def test_time_forms_read_with_their_step(tmp_path, header, stamps, time_format, kind, step,
                                         seasons, after):
    table = read_series_csv(write(tmp_path, header, stamps), time_format=time_format)
    assert table.time_column == header.split(",")[0] and table.columns == ["y"]
    assert table.time_format == kind and len(table.times) == len(stamps)
    found = infer_step(table.times)
    assert {k: v for k, v in found.items() if k != "month_end" or v} == step
    assert calendar_seasons(found) == seasons
    assert format_time(future_times(table.times[-1], found, 1)[0], kind) == after


def test_float_years_stay_years_and_a_series_key_column_comes_before_the_time(tmp_path):
    table = read_series_csv(write(tmp_path, "year,y", ["1749.0", "1750.0"]))
    assert [t.year for t in table.times] == [1749, 1750]
    path = tmp_path / "long.csv"
    path.write_text("store,date,sales\na,2024-01-01,1\na,2024-01-02,2\nb,2024-01-01,3\n"
                    "b,2024-01-02,4\n", encoding="utf-8")
    panel = read_series_csv(path, id_column="store")
    assert panel.series["a"].time_column == "date" and panel.series["b"].times[1].day == 2


@pytest.mark.parametrize("header, stamps, time_format, message", [
    ("date,y", ["01/01/2020", "01/02/2020"], None,
     r"s.csv line 2: time stamp '01/01/2020' is not a year, a month .*--time-format"),
    ("quarter,y", ["2000Q1", "2000Q2", "2000Q5"], None,
     r"line 4: time stamp '2000Q5' is not a quarter \(2000Q1\) like line 2"),
    ("year,y", ["1700.0", "1701.5"], None, r"line 3: time stamp '1701.5' is not a year"),
    ("date,y", ["01/31/2020", "2020-02-29"], "%m/%d/%Y",
     r"line 3: time stamp '2020-02-29' does not match the time format '%m/%d/%Y'"),
    ("date,y", ["2020-01-01T00:00", "2020-01-01T01:00+01:00"], None,
     r"line 3: .* mixes stamps with and without a time zone"),
])
def test_a_stamp_that_does_not_read_names_its_line(tmp_path, header, stamps, time_format,
                                                   message):
    with pytest.raises(DataError, match=message):
        read_series_csv(write(tmp_path, header, stamps), time_format=time_format)


def test_cli_time_format_trains_and_predicts_in_the_users_format(tmp_path):
    from click.testing import CliRunner

    from rnn_apps.cli import cli

    stamps = [f"{day:02d}.{month:02d}.2020" for month in (1, 2) for day in range(1, 29)]
    path = write(tmp_path, "date,y", stamps)
    out = tmp_path / "m"
    tiny = ["--units", "4", "--epochs", "1", "--seed", "0", "--quiet", "--inputs", "relative",
            "--deseasonalize", "none", "--ensemble", "1", "--lookback", "7", "--horizon", "2"]
    runner = CliRunner()
    result = runner.invoke(cli, ["forecast", "train", "--data", str(path), "--out", str(out),
                                 *tiny])
    assert result.exit_code == 1 and "line 2" in result.output and "--time-format" in \
        result.output and "Traceback" not in result.output and not out.exists()
    result = runner.invoke(cli, ["forecast", "train", "--data", str(path), "--out", str(out),
                                 "--time-format", "%d.%m.%Y", *tiny])
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["forecast", "predict", "--model", str(out), "--data",
                                 str(path)])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(result.stdout.splitlines()))
    assert [row[0] for row in rows[1:]] == ["29.02.2020", "01.03.2020"]


@settings(deadline=None)  # the first example imports pandas
@given(stamps=st.lists(st.text(alphabet=st.sampled_from("0123456789-/:.TWQq +Z"), min_size=1,
                               max_size=20), min_size=2, max_size=4),
       time_format=st.sampled_from([None, "%m/%d/%Y", "%Y-%m-%d %H:%M"]))
def test_any_stamps_read_or_fail_with_one_line_naming_the_file(tmp_path_factory, stamps,
                                                               time_format):
    folder = tmp_path_factory.mktemp("fuzz")
    stamps = [s.replace(",", "") for s in stamps]
    try:
        table = read_series_csv(write(folder, "date,y", stamps), time_format=time_format)
    except DataError as error:
        assert "s.csv" in str(error) and "\n" not in str(error)
    else:
        assert len(table.times) == len(stamps)
