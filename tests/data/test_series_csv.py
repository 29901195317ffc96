import numpy as np
import pytest

from rnn_apps.data.series import read_series_csv
from rnn_apps.errors import DataError


def write(tmp_path, text):
    path = tmp_path / "s.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_reads_time_and_values_and_reports_gaps(tmp_path):
    path = write(tmp_path, "date,sales,temp\n2024-01-01,1,5\n2024-01-02,2,6\n"
                           "2024-01-03,3,7\n2024-01-06,6,9\n")
    table = read_series_csv(path, time_column="date")
    assert table.columns == ["sales", "temp"] and table.values.shape == (4, 2)
    np.testing.assert_array_equal(table.values[:, 0], [1, 2, 3, 6])
    assert table.times[0].day == 1 and len(table.gaps) == 1 and "3 steps" in table.gaps[0]
    assert read_series_csv(path, time_column="date", columns=["temp"]).values.shape == (4, 1)


def test_missing_values_error_or_interpolate(tmp_path):
    path = write(tmp_path, "y\n1\n3\nNA\n7\n")
    with pytest.raises(DataError, match="line 4: column 'y' is missing"):
        read_series_csv(path)
    path = write(tmp_path, "y,z\n1,0\n,0\n3,0\nNA,0\n7,0\n")
    np.testing.assert_allclose(read_series_csv(path, interpolate=True).values[:, 0],
                               [1, 2, 3, 5, 7])


@pytest.mark.parametrize("text, message", [
    ("t,y\n2024-01-02,1\n2024-01-01,2\n", "line 3: time stamp .* is earlier"),
    ("t,y\n2024-01-01,1\n2024-01-01,2\n", "line 3: time stamp .* repeats line 2"),
    ("t,y\nyesterday,1\n", "line 2: time stamp .yesterday. is not a year, a month"),
    ("t,y\n2024-01-01,abc\n", "line 2: column 'y' value 'abc' is not a number"),
    ("t,y\n2024-01-01,inf\n", "line 2: column 'y' is not finite"),
    ("t,y\n", "has no data rows"),
])
def test_bad_rows_name_file_line_and_column(tmp_path, text, message):
    with pytest.raises(DataError, match=message):
        read_series_csv(write(tmp_path, text), time_column="t")


def test_unknown_columns(tmp_path):
    path = write(tmp_path, "t,y\n2024-01-01,1\n")
    with pytest.raises(DataError, match="no column 'date'"):
        read_series_csv(path, time_column="date")
    with pytest.raises(DataError, match="no value columns"):
        read_series_csv(path, time_column="t", columns=[])


def test_years_months_and_future_time_stamps(tmp_path):
    from datetime import datetime

    from rnn_apps.data.series import format_time, future_times, infer_step

    table = read_series_csv(write(tmp_path, "year,y\n1700,5\n1701,11\n1702,16\n"),
                            time_column="year")
    assert table.time_format == "year" and table.time_column == "year"
    step = infer_step(table.times)
    assert [format_time(t, "year") for t in future_times(table.times[-1], step, 2)] == \
        ["1703", "1704"]
    months = read_series_csv(write(tmp_path, "month,y\n2001-11,1\n2001-12,2\n"),
                             time_column="month")
    later = future_times(months.times[-1], infer_step(months.times), 2)
    assert [format_time(t, months.time_format) for t in later] == ["2002-01", "2002-02"]
    ends = [datetime(2024, 1, 31), datetime(2024, 2, 29), datetime(2024, 3, 31)]
    assert [t.day for t in future_times(ends[-1], infer_step(ends), 2)] == [30, 31]
    hours = [datetime(2024, 1, 1, h) for h in range(3)]
    assert format_time(future_times(hours[-1], infer_step(hours), 1)[0], "iso") == \
        "2024-01-01 03:00:00"


@pytest.mark.parametrize("name", ["t", "step", "index", "ds", "", "time"])
def test_integer_steps_and_step_names_are_a_time_axis(tmp_path, name):
    from rnn_apps.data.series import future_times, infer_step

    table = read_series_csv(write(tmp_path, f"{name},y\n0,5\n1,11\n2,16\n4,20\n"))
    assert table.time_column == name and table.columns == ["y"]
    assert table.times == [0, 1, 2, 4] and table.time_format == "step"
    assert len(table.gaps) == 1 and "2 steps" in table.gaps[0]
    assert future_times(table.times[-1], infer_step(table.times), 2) == [5, 6]


def test_time_kind_is_fixed_by_the_first_row(tmp_path):
    assert read_series_csv(write(tmp_path, "year,y\n1990,1\n1991,2\n")).time_format == "year"
    assert read_series_csv(write(tmp_path, "step,y\n1990,1\n1991,2\n")).times == [1990, 1991]
    with pytest.raises(DataError, match="line 3: time stamp '2024-01-02' is not an integer "
                                        "step like line 2"):
        read_series_csv(write(tmp_path, "t,y\n0,1\n2024-01-02,2\n"))
    assert read_series_csv(write(tmp_path, "value,y\n0,1\n1,2\n")).columns == ["value", "y"]
    assert read_series_csv(write(tmp_path, "t,y\n0,1\n1,2\n"), time_column=None).columns == \
        ["t", "y"]


@pytest.mark.parametrize("stamps, step", [
    (["2024-01-01 00:00", "2024-01-01 00:30", "2024-01-01 01:00"], {"seconds": 1800.0}),
    (["2024-01-30", "2024-01-31", "2024-02-01"], {"seconds": 86400.0}),
])
def test_half_hourly_and_daily_stamps(tmp_path, stamps, step):
    from rnn_apps.data.series import infer_step

    rows = "".join(f"{s},{k}\n" for k, s in enumerate(stamps))
    table = read_series_csv(write(tmp_path, "ds,y\n" + rows))
    assert table.time_format == "iso" and infer_step(table.times) == step and not table.gaps
