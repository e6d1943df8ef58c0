"""Exposure windows and panels, checked against hand-computed values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from trailstrength import features


def _sets(rows):
    df = pd.DataFrame(rows, columns=["athlete_id", "local_date", "pattern", "posterior_chain_weight", "knee_dominant",
                                     "set_type", "reps", "load_kg", "session_id"])
    df["local_date"] = pd.to_datetime(df["local_date"])
    return df


def _runs(rows):
    df = pd.DataFrame(rows, columns=["athlete_id", "activity_id", "local_date", "distance_m", "descent_m",
                                     "descent_length_m", "dpi", "moving_time_s", "mean_descent_grade", "flat_reference"])
    df["local_date"] = pd.to_datetime(df["local_date"])
    return df


@pytest.fixture()
def cohort():
    sets = _sets([
        ("a", "2024-01-01", "hinge", 1.0, False, "working", 8, 60, "s1"),
        ("a", "2024-01-01", "hinge", 1.0, False, "warmup", 8, 30, "s1"),  # warm-ups never count
        ("a", "2024-01-01", "hinge", 0.5, False, "working", 5, 100, "s1"),  # deadlift: half weight
        ("a", "2024-01-01", "squat", 0.0, True, "working", 5, 80, "s1"),
        ("a", "2024-01-20", "hinge", 1.0, False, "failure", 6, 60, "s2"),
        ("a", "2024-02-01", "hinge", 1.0, False, "working", 6, 60, "s3"),  # after the run: not in its 28 d
    ])
    runs = _runs([
        ("a", "r0", "2023-12-20", 10000, 800, 900, 1.0, 3600, -0.1, "same_run"),
        ("a", "r1", "2024-01-25", 12000, 1000, 1200, 1.1, 4000, -0.12, "same_run"),
        ("a", "r2", "2024-01-27", 8000, 300, 400, 1.0, 3000, -0.08, "same_run"),  # < 500 m descent: not in panels
    ])
    return runs, sets


def test_rolling_exposures_by_hand(cohort):
    runs, sets = cohort
    exp = features.rolling_exposures(features.daily_exposures(runs, sets))
    day = exp.set_index("local_date").loc["2024-01-25"]
    # 28 days before 2024-01-25 = 2023-12-28 … 2024-01-24: hinge 1 + 0.5 (Jan 1) + 1 (Jan 20) = 2.5 sets → /4 weeks
    assert day["hinge_sets_28d"] == pytest.approx(2.5 / 4)
    assert day["knee_sets_28d"] == pytest.approx(1 / 4)
    # the Dec 20 run is 36 days earlier: outside the window
    assert day["descent_100m_28d"] == 0
    assert exp.set_index("local_date").loc["2024-01-10", "descent_100m_28d"] == pytest.approx(8 / 4)
    assert exp.set_index("local_date").loc["2024-01-22", "hinge_sets_acute"] == pytest.approx(1.0)  # Jan 19–25
    assert exp.set_index("local_date").loc["2024-01-24", "hinge_sets_acute"] == 0.0  # Jan 21–27


def test_h1_panel_filters_and_history(cohort):
    runs, sets = cohort
    panel = features.h1_panel(runs, sets)
    # r0 has no 28-day history, r2 too little descent
    assert panel["activity_id"].tolist() == ["r1"]
    assert panel["duration_h"].iloc[0] == pytest.approx(4000 / 3600)


def test_h2_panel_peak_and_other_descent(cohort):
    runs, sets = cohort
    wellness = pd.DataFrame({
        "athlete_id": "a",
        "local_date": pd.to_datetime(["2024-01-25", "2024-01-26", "2024-01-27", "2024-01-28", "2024-01-29"]),
        "soreness": [9.0, 3.0, 6.0, 2.0, 10.0],  # day of the run and day 4 are outside the window
    })
    panel = features.h2_panel(runs, sets, wellness)
    row = panel.set_index("activity_id").loc["r1"]
    assert row["soreness_peak_72h"] == 6.0
    assert row["descent_100m"] == 10.0
    assert row["other_descent_100m_72h"] == pytest.approx(3.0)  # r2 on day +2


def test_build_runs_flat_reference_falls_back_to_rolling_median():
    acts = pd.DataFrame({
        "activity_id": ["x1", "x2", "x3"], "athlete_id": "a", "sport": "running", "source_format": "gpx",
        "local_date": pd.to_datetime(["2024-01-01", "2024-01-10", "2024-03-01"]),
        "start_time": pd.to_datetime(["2024-01-01", "2024-01-10", "2024-03-01"], utc=True), "duration_s": 3600.0,
    })
    summ = pd.DataFrame({"activity_id": ["x1", "x2", "x3"], "flat_speed_mps": [3.0, np.nan, np.nan],
                         "descent_gap_speed_mps": [3.3, 3.6, 3.0]})
    runs = features.build_runs(acts, summ).set_index("activity_id")
    assert runs.loc["x1", "flat_reference"] == "same_run" and runs.loc["x1", "dpi"] == pytest.approx(1.1)
    assert runs.loc["x2", "flat_reference"] == "rolling_28d" and runs.loc["x2", "dpi"] == pytest.approx(1.2)
    assert runs.loc["x3", "flat_reference"] == "none" and np.isnan(runs.loc["x3", "dpi"])
