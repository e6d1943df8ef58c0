"""Issue 16, items 9 and 10: values a hostile or broken file holds. A glitch point costs its value, never the activity;
a header-only log is one clear reason. Item 9: a value outside its plausibility limit (io._values.PLAUSIBLE) is left
empty and recorded, never coerced; a line dated outside the plausible window is left out alone, not the file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from trailstrength.io import Athlete, FileContext
from trailstrength.warehouse import read_files

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
