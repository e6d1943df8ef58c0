"""Issue 16, items 9 and 10: values a hostile or broken file holds. A glitch point costs its value, never the activity;
a header-only log is one clear reason. Item 9: a value outside its plausibility limit (io._values.PLAUSIBLE) is left
empty and recorded, never coerced; a line dated outside the plausible window is left out alone, not the file."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from trailstrength.io import Athlete, FileContext
from trailstrength.io._csv import read_csv_text
from trailstrength.warehouse import read_files, storage

FITNOTES = "Date,Exercise,Category,Weight (kg),Weight (lbs),Reps,Distance,Distance Unit,Time,Notes\n"
GPX = "heartandsole/testdata.gpx"


def _read(tmp_path: Path, name: str, data: bytes) -> read_files.FileResult:
    (tmp_path / name).write_bytes(data)
    ctx = FileContext(f"a/{name}", "0" * 64, Athlete("a"))
    return read_files.read_file(str(tmp_path / name), ctx, str(tmp_path / "samples"))


@pytest.mark.parametrize(
    "what, header",
    [
        ("FitNotes export", FITNOTES),
        ("Strong export", "Date,Workout Name,Duration,Exercise Name,Set Order,Weight,Reps,Distance,Seconds,Notes\n"),
        ("soreness diary", "date,time,soreness,regions\n"),
    ],
)
def test_header_only_logs_are_one_clear_reason(tmp_path, what, header):
    """A FitNotes file with its header only was 'unexpected TypeError while reading (please report)'."""
    res = _read(tmp_path, "log.csv", header.encode())
    assert res.reason in (
        f"ReaderError: {what}: a header but no rows",
        "ReaderError: no strength_sets rows in the file",
    )
    assert "unexpected" not in res.reason


@pytest.mark.parametrize(
    "column, pattern, glitch",
    [
        ("lat", r'lat="[^"]*"', 'lat="91.5"'),
        ("lon", r'lon="[^"]*"', 'lon="-181"'),
        ("ele", r"<ele>[^<]*</ele>", "<ele>1e9</ele>"),
    ],
)
def test_one_glitch_point_costs_its_value_not_the_activity(realdata, tmp_path, column, pattern, glitch):
    """Latitude 91.5 quarantined the whole activity (the samples schema refused it): now that value is left empty."""
    text = realdata(GPX).read_text()
    n = {"k": 0}

    def tenth(m: re.Match) -> str:
        n["k"] += 1
        return glitch if n["k"] == 10 else m.group(0)

    bad = re.sub(pattern, tenth, text)
    assert glitch in bad
    clean, res = _read(tmp_path, "ok.gpx", text.encode()), _read(tmp_path, "bad.gpx", bad.encode())
    assert res.reason == "" and res.rows == clean.rows
    (note,) = [w for w in res.warnings if "outside" in w]
    assert f"1 {'altitude_m' if column == 'ele' else column} value(s) outside" in note and "left empty" in note


def test_values_outside_the_schema_are_left_empty():
    import numpy as np
    import pandas as pd

    samples = pd.DataFrame(
        {
            "lat": [60.0, 91.5, 60.1],
            "lon": [10.0, 10.0, np.inf],
            "altitude_m": [100.0, 1e9, 101.0],
            "heart_rate": 3 * [1e3],
        }
    )
    warnings: list[str] = []
    out = read_files.without_glitches(samples, "x", warnings)
    assert out["lat"].isna().tolist() == [False, True, True] and out["lon"].isna().tolist() == [False, True, True]
    assert out["altitude_m"].isna().tolist() == [False, True, False] and out["heart_rate"].isna().all()
    assert len(warnings) == 4 and samples["lat"].iloc[1] == 91.5  # the input is not changed


# ---------------------------------------------------------------------------------------------- item 9
@pytest.mark.parametrize("load", ["NaN", "inf", "1e6"])
def test_implausible_load_is_left_empty_and_recorded(tmp_path, load):
    res = _read(tmp_path, "log.csv", (FITNOTES + f"2025-03-01,Squat,Legs,{load},,5,,,,\n").encode())
    assert res.tables["strength_sets"]["load_kg"].isna().all()
    assert (res.tables["warnings"]["column"] == "weight (kg)").any()


def test_implausible_reps_and_clock_time_are_left_empty(tmp_path):
    res = _read(tmp_path, "log.csv", (FITNOTES + "2025-03-01,Squat,Legs,60,,1e9,,,25:99,\n").encode())
    sets = res.tables["strength_sets"]
    assert sets["reps"].isna().all() and sets["duration_s"].isna().all()


@pytest.mark.parametrize("year", ["1901", "2100", "2999"])
def test_soreness_far_from_today_is_left_out_not_the_file(tmp_path, year):
    diary = f"date,time,soreness,regions\n2025-03-01,07:30,4,quads\n{year}-03-01,07:30,4,quads\n"
    res = _read(tmp_path, "diary.csv", diary.encode())
    assert res.reason == "" and len(res.tables["wellness"]) == 1


def test_implausible_reps_and_clock_time_are_recorded(tmp_path):
    res = _read(tmp_path, "log.csv", (FITNOTES + "2025-03-01,Squat,Legs,60,,1e9,,,25:99,\n").encode())
    log = res.tables["warnings"]
    assert set(zip(log["column"], log["reason"])) == {("reps", "outside 0–1000"), ("time", "not a duration")}
    assert res.tables["strength_sets"]["load_kg"].tolist() == [60.0]  # the set's other values are kept


def test_template_time_25_99_does_not_roll_into_the_next_day(tmp_path):
    log = (
        "date,exercise,set,reps,load,unit,time\n"
        "2025-03-01,Squat,1,5,1e6,kg,25:99\n"
        "2100-03-01,Squat,1,5,60,kg,07:00\n"
        "2025-03-01,Squat,2,5,,kg,07:00\n"
    )
    res = _read(tmp_path, "log.csv", log.encode())
    sets = res.tables["strength_sets"]
    assert res.reason == "" and len(sets) == 2 and (sets["local_date"] == "2025-03-01").all()
    assert sets["performed_at"].isna().tolist() == [True, False]  # 25:99 left empty, not 2025-03-02 02:39
    assert sets["load_kg"].isna().tolist() == [True, False] and sets["bodyweight"].tolist() == [False, True]
    assert sorted(res.tables["warnings"]["column"]) == ["date", "load", "time"]


def test_soreness_far_from_today_is_recorded(tmp_path):
    diary = "date,time,soreness,regions\n2025-03-01,07:30,4,quads\n1901-03-01,07:30,4,quads\n2025-03-02,25:99,3,\n"
    res = _read(tmp_path, "diary.csv", diary.encode())
    log = res.tables["warnings"]
    assert log[["line", "column"]].values.tolist() == [[3, "date"], [4, "time"]]
    assert log["reason"].iloc[0].startswith("row left out: dated before 1980-01-01")
    assert res.tables["wellness"]["reported_at"].isna().tolist() == [False, True]


STRONG = "Date,Workout Name,Duration,Exercise Name,Set Order,Weight,Reps,Distance,Seconds,Notes\n"
HEVY = "title,start_time,end_time,exercise_title,set_index,set_type,weight_kg,reps\n"


@pytest.mark.parametrize(
    "name, text",
    [
        (
            "strong.csv",
            STRONG + "2025-03-01 07:00:00,A,1h,Squat,1,inf,1e9,,,\n"
            "2999-03-01 07:00:00,A,1h,Squat,1,60,5,,,\n2025-03-01 07:00:00,A,1h,Squat,2,60,5,,,\n",
        ),
        (
            "hevy.csv",
            HEVY + '"A","1 Mar 2025, 07:00","1 Mar 2025, 08:00","Squat",0,"normal",inf,1e9\n'
            '"A","1 Mar 2100, 07:00","1 Mar 2100, 08:00","Squat",0,"normal",60,5\n'
            '"A","1 Mar 2025, 07:00","1 Mar 2025, 08:00","Squat",1,"normal",60,5\n',
        ),
    ],
)
def test_app_exports_leave_implausible_values_empty(tmp_path, name, text):
    res = _read(tmp_path, name, text.encode())
    sets = res.tables["strength_sets"]
    assert res.reason == "" and len(sets) == 2
    assert sets["load_kg"].isna().tolist() == [True, False] and sets["reps"].isna().tolist() == [True, False]
    assert not sets["bodyweight"].any() and len(res.tables["warnings"]) == 3


def test_pmdata_report_dated_2999_is_left_out_not_the_file(tmp_path):
    head = "effective_time_frame,fatigue,mood,readiness,sleep_duration_h,sleep_quality,soreness,soreness_area,stress\n"
    rows = "2019-11-01T08:31:40.751Z,2,3,5,6,3,2,[],3\n2999-11-02T08:31:40.751Z,2,3,5,6,3,2,[],3\n"
    (tmp_path / "pmsys").mkdir()
    res = _read(tmp_path, "pmsys/wellness.csv", (head + rows).encode())
    assert res.reason == "" and len(res.tables["wellness"]) == 1
    assert res.tables["warnings"][["line", "column"]].values.tolist() == [[3, "effective_time_frame"]]


# ---------------------------------------------------------------------------------------------- item 9: tracks
T0 = pd.Timestamp("2025-03-01 07:00", tz="UTC")
STEP_DEG = 1.0 / 111_195  # about 1 m of latitude


def _gpx(times: list[pd.Timestamp], *, climb_m: float = 0.0) -> bytes:
    """A run straight north, 1 m between points (``len(times)`` m in all), rising ``climb_m`` per point."""
    pts = "".join(
        f'<trkpt lat="{60 + i * STEP_DEG:.7f}" lon="10.0000000"><ele>{100 + i * climb_m:.2f}</ele>'
        f"<time>{t:%Y-%m-%dT%H:%M:%SZ}</time></trkpt>"
        for i, t in enumerate(times)
    )
    return (
        '<?xml version="1.0"?><gpx version="1.1" creator="t" xmlns="http://www.topografix.com/GPX/1/1">'
        f"<trk><type>running</type><trkseg>{pts}</trkseg></trk></gpx>"
    ).encode()


def _tcx(times: list[pd.Timestamp]) -> bytes:
    """The same run as a TCX (no device distance: it comes from the positions)."""
    pts = "".join(
        f"<Trackpoint><Time>{t:%Y-%m-%dT%H:%M:%SZ}</Time><Position><LatitudeDegrees>{60 + i * STEP_DEG:.7f}"
        "</LatitudeDegrees><LongitudeDegrees>10.0</LongitudeDegrees></Position></Trackpoint>"
        for i, t in enumerate(times)
    )
    return (
        '<?xml version="1.0"?><TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/'
        'TrainingCenterDatabase/v2"><Activities><Activity Sport="Running"><Id>2025-03-01T07:00:00Z</Id>'
        f"<Lap><Track>{pts}</Track></Lap></Activity></Activities></TrainingCenterDatabase>"
    ).encode()


def _run(tmp_path: Path, name: str, data: bytes) -> tuple[read_files.FileResult, dict, pd.DataFrame]:
    """The file's result, its one terrain summary and its stored samples."""
    res = _read(tmp_path, name, data)
    assert res.reason == "", res.reason
    (summary,) = res.summaries
    (aid,) = res.sample_activities
    samples = pd.read_parquet(storage.sample_path(tmp_path / "samples", "a", aid))
    return res, summary, samples


def _seconds(n: int, every: float = 1 / 3) -> list[pd.Timestamp]:
    return [T0 + pd.Timedelta(seconds=int(i * every)) for i in range(n)]


@pytest.mark.parametrize("name, write", [("rev.gpx", _gpx), ("rev.tcx", _tcx)])
def test_reversed_times_put_the_points_in_time_order(tmp_path, name, write):
    """A track whose times run backwards (reversed in an editor) had distance 0: now read in time order."""
    times = [T0 + pd.Timedelta(seconds=i) for i in range(600)][::-1]  # 599 m at 1 m/s, written last point first
    res, summary, samples = _run(tmp_path, name, write(times))
    assert summary["distance_m"] == pytest.approx(599, rel=0.01)
    assert summary["moving_time_s"] == pytest.approx(599, abs=5)
    assert samples["timestamp"].is_monotonic_increasing and samples["lat"].is_monotonic_decreasing
    assert any("times run backwards along the track: points put in time order" in w for w in res.warnings)


def test_times_in_no_order_are_dropped_and_distance_kept(tmp_path):
    """Times that fit neither order are left out (with a warning); the distance still comes from the points."""
    times = [T0 + pd.Timedelta(seconds=(i * 7919) % 600) for i in range(600)]  # a permutation of 0..599 s
    res, summary, samples = _run(tmp_path, "shuffled.gpx", _gpx(times))
    assert summary["distance_m"] == pytest.approx(599, rel=0.01) and np.isnan(summary["moving_time_s"])
    assert samples["timestamp"].isna().all() and samples["speed_mps"].isna().all()
    assert any("times dropped" in w for w in res.warnings)
    assert res.tables["activities"]["start_time"].iloc[0] == T0  # the activity keeps its start


def test_ten_points_per_timestamp_keep_their_distance(tmp_path):
    """Ten points share each time stamp: 177 m of 1,800 m were left (movement inside a stamp taken for jumps)."""
    times = [T0 + pd.Timedelta(seconds=4 * (i // 10)) for i in range(1800)]  # 10 m every 4 s: 2.5 m/s
    res, summary, samples = _run(tmp_path, "ten.gpx", _gpx(times))
    assert summary["distance_m"] == pytest.approx(1799, rel=0.01)
    assert summary["moving_time_s"] == pytest.approx(716, abs=5)
    speed = samples["speed_mps"].to_numpy()
    assert np.isnan(speed[:10]).all() and np.allclose(speed[10:], 2.5, rtol=0.01)  # finite: no division by 0


def test_every_point_on_one_timestamp_is_an_untimed_track(tmp_path):
    res, summary, samples = _run(tmp_path, "one.gpx", _gpx([T0] * 300))
    assert summary["distance_m"] == pytest.approx(299, rel=0.01) and np.isnan(summary["moving_time_s"])
    assert samples["speed_mps"].isna().all()


def test_a_one_year_jump_is_no_moving_time(tmp_path):
    """A year between two points of a climb counted as 366 days of moving time (the climb on both sides made
    the gap look like steep hiking). A gap longer than TerrainParams.recording_gap_s is never moving time; the
    activity stays whole, its elapsed time spans the gap, and a warning says so."""
    year = pd.Timedelta(days=365)
    times = [t + (year if i >= 600 else pd.Timedelta(0)) for i, t in enumerate(_seconds(1200))]
    res, summary, _ = _run(tmp_path, "year.gpx", _gpx(times, climb_m=0.1))  # 10 % up at 3 m/s
    assert summary["moving_time_s"] == pytest.approx(399, abs=5)
    assert res.tables["activities"]["duration_s"].iloc[0] == pytest.approx(year.total_seconds() + 399)
    (note,) = [w for w in res.warnings if "gap" in w]
    assert "1 gap(s) in the recording longer than 1 h (the longest 365.0 days): not moving time" in note


# ---------------------------------------------------------------------------------------------- item 9: headers
@pytest.mark.parametrize(
    "name, text, column",
    [
        ("log.csv", "date,exercise,set,reps,load,unit,load\n2025-03-01,Squat,1,5,60,kg,100\n", "'load' appears 2"),
        ("log.csv", "date,exercise,set,reps,Load,unit,load \n2025-03-01,Squat,1,5,60,kg,100\n", "'load' appears 2"),
        ("strong.csv", STRONG.rstrip() + ",Weight\n2025-03-01 07:00:00,A,1h,Squat,1,60,5,,,,100\n", "'Weight'"),
        ("fitnotes.csv", FITNOTES.rstrip() + ",Weight (kg)\n2025-03-01,Squat,Legs,60,,5,,,,,100\n", "'weight (kg)'"),
        (
            "hevy.csv",
            HEVY.rstrip() + ',weight_kg\n"A","1 Mar 2025, 07:00","1 Mar 2025, 08:00","Squat",0,"normal",60,5,100\n',
            "'weight_kg'",
        ),
    ],
    ids=["template", "template-case", "strong", "fitnotes", "hevy"],
)
def test_a_duplicated_load_column_is_a_clear_reason_not_a_silent_pick(tmp_path, name, text, column):
    """A second ``load`` column was ignored: pandas renames it ``load.1`` and the readers took the first."""
    res = _read(tmp_path, name, text.encode())
    assert res.reason.startswith("ReaderError: ") and column in res.reason
    assert "with different values: cannot tell which one to use" in res.reason and not res.tables


def test_a_column_written_twice_with_the_same_values_is_one_column(tmp_path):
    log = "date,exercise,set,reps,load,unit,Load\n2025-03-01,Squat,1,5,60,kg, 60\n2025-03-01,Squat,2,5,,kg,\n"
    res = _read(tmp_path, "log.csv", log.encode())
    assert res.reason == "" and res.tables["strength_sets"]["load_kg"].tolist()[0] == 60.0


def test_read_csv_text_keeps_names_as_written():
    """Empty header names keep pandas' placeholder; a real ``load.1`` is not taken for a repeat."""
    df = read_csv_text(b"date,load,load.1,,\n2025-03-01,60,61,x,y\n", "log")
    assert list(df.columns) == ["date", "load", "load.1", "unnamed: 3", "unnamed: 4"]
