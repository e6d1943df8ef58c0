"""Logging coverage and session-level placeholders (trailstrength.features.coverage; issue 14 item 4)."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trailstrength import clean
from trailstrength.errors import ReaderError
from trailstrength.features.coverage import (
    COLUMNS,
    coverage_periods,
    coverage_table,
    declared_periods,
    in_coverage,
    is_session_placeholder,
    logged_periods,
    mask_uncovered_exposures,
    working_sets,
)
from trailstrength.features.exposures import daily_exposures, rolling_exposures
from trailstrength.io import FORMATS, Athlete, FileContext, detect

DATA = Path(__file__).parent / "data"
DAY0 = pd.Timestamp("2022-01-01")

# our own fixture in PMData's exact srpe.csv format (header, ISO UTC times, Python-literal lists)
SRPE = """end_date_time,activity_names,perceived_exertion,duration_min
2020-01-06T18:40:12.345Z,"['individual', 'running']",5,45
2020-01-08T19:02:00.000Z,"['strength']",6,60
2020-01-09T17:15:30.500Z,"['team', 'soccer']",7,90
2020-01-13T18:10:00.000Z,"['strength']",4,40
"""


def day_lists(max_days: int = 400, max_size: int = 40):
    """Lists of record dates as day offsets (duplicates allowed: several records a day)."""
    return st.lists(st.integers(0, max_days), min_size=1, max_size=max_size)


def to_dates(offsets) -> pd.Series:
    return pd.Series(DAY0 + pd.to_timedelta(offsets, unit="D"))


# ------------------------------------------------------------------------------------------ properties
@settings(max_examples=80, deadline=None)
@given(offsets=day_lists(), gap=st.integers(1, 60))
def test_every_record_lies_in_exactly_one_period_and_periods_are_gap_apart(offsets, gap):
    dates = to_dates(offsets)
    p = logged_periods(dates, athlete_id="a1", source="strength", gap_days=gap)
    assert list(p.columns) == COLUMNS
    inside = [(dates >= s) & (dates <= e) for s, e in zip(p["start"], p["end"], strict=True)]
    assert (sum(m.astype(int) for m in inside) == 1).all()
    assert ((p["start"].iloc[1:].to_numpy() - p["end"].iloc[:-1].to_numpy()) >= np.timedelta64(gap, "D")).all()
    assert p["n_records"].sum() == len(dates)
    assert p["n_days_logged"].sum() == dates.nunique()
    # maximal: inside a period no two consecutive logged days are a gap apart (it could not be split further)
    for s, e in zip(p["start"], p["end"], strict=True):
        days = np.sort(dates[(dates >= s) & (dates <= e)].unique())
        assert (np.diff(days) < np.timedelta64(gap, "D")).all()
        assert days[0] == s and days[-1] == e


@settings(max_examples=80, deadline=None)
@given(offsets=day_lists(), gap=st.integers(1, 60), probe=st.lists(st.integers(-30, 430), max_size=30))
def test_in_coverage_is_true_exactly_inside_periods(offsets, gap, probe):
    dates = to_dates(offsets)
    p = logged_periods(dates, athlete_id="a1", source="strength", gap_days=gap)
    assert in_coverage(["a1"] * len(dates), dates, p).all()
    days = to_dates(probe)
    got = in_coverage(["a1"] * len(days), days, p)
    want = [any(s <= d <= e for s, e in zip(p["start"], p["end"], strict=True)) for d in days]
    assert got.tolist() == want
    assert not in_coverage(["a2"] * len(days), days, p).any()  # no periods: never covered


@settings(max_examples=60, deadline=None)
@given(
    offsets=day_lists(),
    probe=st.lists(st.integers(0, 400), max_size=20),
    before=st.integers(1, 40),
    after=st.integers(-1, 5),
)
def test_a_window_is_covered_only_when_every_day_of_it_is(offsets, probe, before, after):
    p = logged_periods(to_dates(offsets), athlete_id="a1", source="strength")
    days = to_dates(probe)
    got = in_coverage(["a1"] * len(days), days, p, before_days=before, after_days=after)
    for d, ok in zip(days, got, strict=True):
        window = pd.date_range(d - pd.Timedelta(days=before), d + pd.Timedelta(days=after))
        # periods are ≥ 21 days apart, so a window of covered days always lies inside one period
        assert ok == bool(in_coverage(["a1"] * len(window), window, p).all())


@settings(max_examples=60, deadline=None)
@given(
    offsets=day_lists(), declared=st.lists(st.tuples(st.integers(0, 400), st.integers(0, 60)), min_size=1, max_size=4)
)
def test_declared_periods_union_covers_both_and_never_overlaps(offsets, declared):
    dates = to_dates(offsets)
    table = {
        "strength": [
            [(DAY0 + pd.Timedelta(days=s)).date(), (DAY0 + pd.Timedelta(days=s + n)).date()] for s, n in declared
        ]
    }
    decl = declared_periods(table, "a1")
    p = coverage_periods(dates, athlete_id="a1", source="strength", declared=decl)
    assert in_coverage(["a1"] * len(dates), dates, p).all()
    for s, e in zip(decl["start"], decl["end"], strict=True):
        window = pd.date_range(s, e)
        assert in_coverage(["a1"] * len(window), window, p).all()
    assert (p["start"].iloc[1:].to_numpy() > (p["end"].iloc[:-1] + pd.Timedelta(days=1)).to_numpy()).all()
    assert p["n_records"].sum() == len(dates)


# ------------------------------------------------------------------------------------------ examples
def test_gap_rule_on_a_small_log():
    dates = pd.to_datetime(["2022-01-03", "2022-01-03", "2022-01-10", "2022-01-30", "2022-02-20", "2022-06-01"])
    p = logged_periods(dates, athlete_id="a1", source="strength")
    # 10 -> 30 Jan is 20 days (same period); 30 Jan -> 20 Feb is 21 days (split); Feb -> Jun split
    assert p[["start", "end"]].astype(str).values.tolist() == [
        ["2022-01-03", "2022-01-30"],
        ["2022-02-20", "2022-02-20"],
        ["2022-06-01", "2022-06-01"],
    ]
    assert p["n_records"].tolist() == [4, 1, 1] and p["n_days_logged"].tolist() == [3, 1, 1]
    assert logged_periods([], athlete_id="a1", source="strength").empty
    with pytest.raises(ValueError, match="gap_days"):
        logged_periods(dates, athlete_id="a1", source="strength", gap_days=0)


def test_declared_how_declared_replaces_the_logged_periods():
    dates = pd.to_datetime(["2022-01-03", "2022-01-10", "2023-05-01"])
    decl = declared_periods({"strength": [["2022-01-01", "2022-12-31"]]}, "a1")
    p = coverage_periods(dates, athlete_id="a1", source="strength", declared=decl, how="declared")
    assert len(p) == 1 and p.at[0, "origin"] == "declared" and p.at[0, "n_records"] == 2
    u = coverage_periods(dates, athlete_id="a1", source="strength", declared=decl)
    assert u["origin"].tolist() == ["declared+logged", "logged"]
    assert u["end"].tolist() == [pd.Timestamp("2022-12-31"), pd.Timestamp("2023-05-01")]


def test_declared_periods_from_athlete_toml():
    toml = tomllib.loads(
        '[coverage]\nstrength = [[2022-01-01, 2023-06-30], ["2024-01-08", "2024-12-31"]]\n'
        'wellness = [["2019-11-01", "2020-03-31"]]\n'
    )
    p = declared_periods(toml["coverage"], "a1")
    assert p["source"].tolist() == ["strength", "strength", "wellness"]
    assert p["start"].iloc[0] == pd.Timestamp("2022-01-01") and p["end"].iloc[1] == pd.Timestamp("2024-12-31")
    assert isinstance(toml["coverage"]["strength"][0][0], dt.date)  # TOML's own dates are accepted too
    for bad, match in [
        ({"lifting": []}, "unknown source 'lifting'"),
        ({"strength": "2022-01-01"}, "list of \\[start, end\\] pairs"),
        ({"strength": [["2022-01-01"]]}, "strength entry 1: .* not a \\[start, end\\] pair"),
        ({"strength": [["2022-13-01", "2023-01-01"]]}, "not a date"),
        ({"strength": [["2023-01-01", "2022-01-01"]]}, "ends .* before it starts"),
    ]:
        with pytest.raises(ReaderError, match=match):
            declared_periods(bad, "a1")


# ------------------------------------------------------------------------------------------ placeholders
def _read(data: bytes, path: str) -> pd.DataFrame:
    """Strength sets of a file through the package's format detection and reader."""
    fmt = detect(data)
    assert fmt in FORMATS, f"{path}: not recognised"
    return FORMATS[fmt].read(data, FileContext(path, "0" * 64, Athlete("a1"))).tables["strength_sets"]


def _srpe_sets() -> pd.DataFrame:
    return _read(SRPE.encode(), "a1/pmsys/srpe.csv")


def _hevy_sets() -> pd.DataFrame:
    return _read((DATA / "strength" / "hevy_kg.csv").read_bytes(), "a1/hevy.csv")


def test_srpe_strength_sessions_are_placeholders_not_working_sets(tmp_path):
    srpe, real = _srpe_sets(), _hevy_sets()
    assert len(srpe) == 2  # the two "strength" sessions; running and soccer are activities only
    sets = clean.classify_strength(pd.concat([real, srpe], ignore_index=True))
    # as the warehouse stores it: a parquet round trip (session_level is None on the Hevy rows)
    sets.to_parquet(tmp_path / "sets.parquet")
    stored = pd.read_parquet(tmp_path / "sets.parquet")
    flag = is_session_placeholder(stored)
    assert flag.tolist() == [False] * len(real) + [True, True]
    assert len(working_sets(stored)) == int(real["set_type"].isin(["working", "failure", "drop"]).sum())
    # a table that lost the session_level column still knows them by their exercise text
    assert is_session_placeholder(stored.drop(columns="session_level")).tolist() == flag.tolist()


def test_a_nameless_empty_row_is_a_placeholder_but_a_timed_set_is_not():
    sets = pd.DataFrame(
        {
            "athlete_id": "a1",
            "exercise_raw": ["", "Plank", None, "Deadlift"],
            "reps": [np.nan, np.nan, np.nan, 5],
            "load_kg": [np.nan, np.nan, np.nan, 100.0],
            "duration_s": [np.nan, 60.0, np.nan, np.nan],
            "set_type": "working",
        }
    )
    assert is_session_placeholder(sets).tolist() == [True, False, True, False]


def test_strength_coverage_ignores_placeholders_and_wellness_needs_soreness():
    srpe, real = _srpe_sets(), _hevy_sets()
    sets = pd.concat([real, srpe], ignore_index=True)
    wellness = pd.DataFrame(
        {
            "athlete_id": "a1",
            "local_date": pd.to_datetime(["2020-01-01", "2020-01-02", "2020-03-01"]),
            "soreness": [2.5, np.nan, 5.0],
        }
    )
    acts = pd.DataFrame({"athlete_id": ["a1", "a2"], "local_date": pd.to_datetime(["2020-01-05", "2021-01-01"])})
    decl = declared_periods({"wellness": [["2019-12-01", "2019-12-31"]]}, "a3")
    cov = coverage_table(strength_sets=sets, wellness=wellness, activities=acts, declared=decl)
    strength = cov[cov["source"] == "strength"]
    # only the Hevy log counts: the srpe sessions (January 2020) are not strength-logged days
    assert strength["start"].min() == real["local_date"].min() and strength["n_records"].sum() == len(real)
    well = cov[(cov["source"] == "wellness") & (cov["athlete_id"] == "a1")]
    assert well["n_records"].tolist() == [1, 1]  # the report without soreness does not count; 2 Jan–1 Mar split
    assert set(cov.loc[cov["source"] == "activities", "athlete_id"]) == {"a1", "a2"}
    a3 = cov[cov["athlete_id"] == "a3"]
    assert a3["origin"].tolist() == ["declared"] and a3["n_records"].tolist() == [0]


def test_exposure_days_before_the_first_log_are_outside_coverage():
    """The issue's case: a strength log from 2022 says nothing about 2013."""
    sets = pd.DataFrame(
        {
            "athlete_id": "a1",
            "local_date": pd.to_datetime(["2022-03-01", "2022-03-08"]),
            "exercise_raw": "Romanian Deadlift",
            "reps": 8,
            "load_kg": 60.0,
            "duration_s": np.nan,
            "set_type": "working",
        }
    )
    cov = coverage_table(strength_sets=sets)
    days = pd.Series(pd.to_datetime(["2013-06-01", "2022-03-05", "2022-03-20"]))
    assert in_coverage(["a1"] * 3, days, cov).tolist() == [False, True, False]
    # no 28-day exposure window (d-28 ... d-1) fits inside one week of logging
    assert not in_coverage(["a1"] * 3, days, cov, before_days=28, after_days=-1).any()
    assert in_coverage(["a1"], days[1:2], cov, before_days=4, after_days=-1).all()  # 1-4 Mar: inside
    with pytest.raises(ValueError, match="empty window"):
        in_coverage(["a1"], days[:1], cov, before_days=0, after_days=-1)


@pytest.mark.realdata
def test_a_real_strength_log_splits_at_its_breaks(realdata):
    """The real FitNotes export (2022-09 → 2025-05) has month-long breaks: several periods, every set in one."""
    rel = "kaiserlift/FitNotes_Export_2025_05_21_08_39_11.csv"
    sets = _read(realdata(rel).read_bytes(), rel)
    assert not is_session_placeholder(sets).any()
    cov = coverage_table(strength_sets=sets)
    assert len(cov) > 1 and cov["n_records"].sum() == len(sets)
    assert in_coverage(sets["athlete_id"], sets["local_date"], cov).all()
    gaps = cov["start"].iloc[1:].to_numpy() - cov["end"].iloc[:-1].to_numpy()
    assert (gaps >= np.timedelta64(21, "D")).all()


def test_exposures_outside_strength_coverage_are_missing_not_zero():
    """Weekly RDL sessions March–April 2022; runs in 2013 and 2022. Before the mask 2013 shows 0 hinge sets."""
    days = pd.date_range("2022-03-01", "2022-04-30", freq="7D")
    sets = clean.classify_strength(
        pd.DataFrame(
            {
                "athlete_id": "a1",
                "local_date": days,
                "session_id": [f"s{i}" for i in range(len(days))],
                "exercise_raw": "Romanian Deadlift (Barbell)",
                "set_index": 0,
                "set_type": "working",
                "reps": 8.0,
                "load_kg": 60.0,
                "duration_s": np.nan,
            }
        )
    )
    runs = pd.DataFrame(
        {
            "athlete_id": "a1",
            "activity_id": ["r1", "r2", "r3"],
            "distance_m": 10_000.0,
            "local_date": pd.to_datetime(["2013-06-01", "2013-06-20", "2022-04-20"]),
            "descent_m": 600.0,
        }
    )
    exp = rolling_exposures(daily_exposures(runs, sets))
    cov = coverage_table(strength_sets=sets)
    masked = mask_uncovered_exposures(exp, cov)
    at = masked.set_index("local_date")
    before = exp.set_index("local_date")
    assert before.at[pd.Timestamp("2013-06-20"), "hinge_sets_28d"] == 0.0  # the bias the issue describes
    assert np.isnan(at.at[pd.Timestamp("2013-06-20"), "hinge_sets_28d"])
    assert np.isnan(at.at[pd.Timestamp("2013-06-20"), "hinge_sets_lag0"])
    # running exposures are known whatever the strength log says
    assert (
        at.at[pd.Timestamp("2013-06-20"), "descent_100m_28d"]
        == before.at[pd.Timestamp("2013-06-20"), "descent_100m_28d"]
        > 0
    )
    # inside coverage with a full 28-day window: unchanged and known
    d = pd.Timestamp("2022-04-20")
    assert at.at[d, "hinge_sets_28d"] == before.at[d, "hinge_sets_28d"] > 0
    assert at.at[d, "hinge_sets_lag3"] == before.at[d, "hinge_sets_lag3"]
    # window reaching back before the first log, and a lag before it
    assert np.isnan(at.at[pd.Timestamp("2022-03-10"), "hinge_sets_28d"])
    assert not np.isnan(at.at[pd.Timestamp("2022-03-10"), "hinge_sets_lag0"])
    assert np.isnan(at.at[pd.Timestamp("2022-03-02"), "hinge_sets_lag3"])
    assert masked.attrs == exp.attrs
