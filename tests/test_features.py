"""Exposure windows and panels, checked against hand-computed values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from trailstrength import features
from trailstrength.features.coverage import declared_periods


def _sets(rows):
    df = pd.DataFrame(
        rows,
        columns=[
            "athlete_id",
            "local_date",
            "pattern",
            "posterior_chain_weight",
            "knee_dominant",
            "set_type",
            "reps",
            "load_kg",
            "session_id",
        ],
    )
    df["local_date"] = pd.to_datetime(df["local_date"])
    return df


def _runs(rows):
    df = pd.DataFrame(
        rows,
        columns=[
            "athlete_id",
            "activity_id",
            "local_date",
            "distance_m",
            "descent_m",
            "descent_length_m",
            "dpi",
            "moving_time_s",
            "mean_descent_grade",
            "flat_reference",
        ],
    )
    df["local_date"] = pd.to_datetime(df["local_date"])
    return df


# the hand-built log is complete from December (a day without sets is a day without lifting): declared as strength
# coverage, as athlete.toml [coverage] would; without it the runs' 28-day windows would start before the log
# (issue 14 item 4: not logged is not zero lifting; test_check.py covers that side)
COMPLETE_LOG = declared_periods({"strength": [["2023-12-01", "2024-02-29"]]}, "a")


@pytest.fixture()
def cohort():
    sets = _sets(
        [
            ("a", "2024-01-01", "hinge", 1.0, False, "working", 8, 60, "s1"),
            ("a", "2024-01-01", "hinge", 1.0, False, "warmup", 8, 30, "s1"),  # warm-ups never count
            ("a", "2024-01-01", "hinge", 0.5, False, "working", 5, 100, "s1"),  # deadlift: half weight
            ("a", "2024-01-01", "squat", 0.0, True, "working", 5, 80, "s1"),
            ("a", "2024-01-20", "hinge", 1.0, False, "failure", 6, 60, "s2"),
            ("a", "2024-02-01", "hinge", 1.0, False, "working", 6, 60, "s3"),  # after the run: not in its 28 d
        ]
    )
    runs = _runs(
        [
            ("a", "r0", "2023-12-20", 10000, 800, 900, 1.0, 3600, -0.1, "same_run"),
            ("a", "r1", "2024-01-25", 12000, 1000, 1200, 1.1, 4000, -0.12, "same_run"),
            ("a", "r2", "2024-01-27", 8000, 300, 400, 1.0, 3000, -0.08, "same_run"),  # < 500 m descent: not in panels
        ]
    )
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
    panel = features.h1_panel(runs, sets, coverage=COMPLETE_LOG)
    # r0 has no 28-day history, r2 too little descent
    assert panel["activity_id"].tolist() == ["r1"]
    assert panel["duration_h"].iloc[0] == pytest.approx(4000 / 3600)


def test_runs_with_sparse_altitude_stay_out_of_panels(cohort):
    runs, sets = cohort
    runs = runs.assign(altitude_quality=["good", "sparse", "good"])
    assert features.h1_panel(runs, sets, coverage=COMPLETE_LOG).empty  # r1 was the only eligible run


def test_h2_panel_peak_and_other_descent(cohort):
    runs, sets = cohort
    wellness = pd.DataFrame(
        {
            "athlete_id": "a",
            "local_date": pd.to_datetime(["2024-01-25", "2024-01-26", "2024-01-27", "2024-01-28", "2024-01-29"]),
            "soreness": [9.0, 3.0, 6.0, 2.0, 10.0],  # day of the run and day 4 are outside the window
        }
    )
    panel = features.h2_panel(runs, sets, wellness, coverage=COMPLETE_LOG)
    row = panel.set_index("activity_id").loc["r1"]
    assert row["soreness_peak_72h"] == 6.0
    assert row["descent_100m"] == 10.0
    assert row["other_descent_100m_72h"] == pytest.approx(3.0)  # r2 on day +2


def test_build_runs_flat_reference_falls_back_to_rolling_median():
    acts = pd.DataFrame(
        {
            "activity_id": ["x1", "x2", "x3"],
            "athlete_id": "a",
            "sport": "running",
            "source_format": "gpx",
            "local_date": pd.to_datetime(["2024-01-01", "2024-01-10", "2024-03-01"]),
            "start_time": pd.to_datetime(["2024-01-01", "2024-01-10", "2024-03-01"], utc=True),
            "duration_s": 3600.0,
        }
    )
    summ = pd.DataFrame(
        {
            "activity_id": ["x1", "x2", "x3"],
            "flat_speed_mps": [3.0, np.nan, np.nan],
            "descent_gap_speed_mps": [3.3, 3.6, 3.0],
            "climb_gap_speed_mps": [2.7, 3.0, 3.0],
        }
    )
    runs = features.build_runs(acts, summ).set_index("activity_id")
    assert runs.loc["x1", "flat_reference"] == "same_run" and runs.loc["x1", "dpi"] == pytest.approx(1.1)
    assert runs.loc["x1", "climb_performance_index"] == pytest.approx(0.9)
    assert runs.loc["x2", "climb_performance_index"] == pytest.approx(1.0)  # over the rolling reference too
    assert runs.loc["x2", "flat_reference"] == "rolling_28d" and runs.loc["x2", "dpi"] == pytest.approx(1.2)
    assert runs.loc["x3", "flat_reference"] == "none" and np.isnan(runs.loc["x3", "dpi"])


# ------------------------------------------------------------------------------------------------ strength exposures

SET_COLS = [
    "local_date",
    "session_id",
    "exercise",
    "pattern",
    "hinge_subtype",
    "posterior_chain_weight",
    "unilateral",
    "knee_dominant",
    "eccentric_emphasis",
    "set_type",
    "reps",
    "load_kg",
    "tempo",
]
D1, D2, D3 = "2024-03-01", "2024-03-04", "2024-04-05"


@pytest.fixture()
def lifts():
    rows = [
        (D1, "s1", "romanian_deadlift", "hinge", "rdl_sld", 1.0, False, False, False, "warmup", 10, 40, None),
        (D1, "s1", "romanian_deadlift", "hinge", "rdl_sld", 1.0, False, False, False, "working", 8, 100, "3-1-1"),
        (D1, "s1", "romanian_deadlift", "hinge", "rdl_sld", 1.0, False, False, False, "working", 8, 100, None),
        (D1, "s1", "deadlift", "hinge", "deadlift", 0.6, False, False, False, "working", 5, 140, None),
        (
            D1,
            "s1",
            "single_leg_romanian_deadlift",
            "hinge",
            "rdl_sld",
            1.0,
            True,
            False,
            False,
            "working",
            10,
            20,
            None,
        ),
        (D1, "s1", "bulgarian_split_squat", "lunge_single_leg", None, 0.0, True, True, False, "working", 10, 16, None),
        (D1, "s1", "back_squat", "squat", None, 0.0, False, True, False, "failure", 5, 100, None),
        (D1, "s1", "bench_press", "push", None, 0.0, False, False, False, "working", 5, 80, None),
        (D2, "s2", "tempo_romanian_deadlift", "hinge", "rdl_sld", 1.0, False, False, True, "working", 6, 90, None),
        (D2, "s2", "romanian_deadlift", "hinge", "rdl_sld", 1.0, False, False, False, "drop", 12, 60, None),
        (D2, "s2", "nordic_hamstring_curl", "knee_flexion", None, 0.5, False, False, True, "working", 5, 0, None),
        (D2, "s3", "kettlebell_swing", "hinge", "swing", 0.5, False, False, False, "working", 15, 24, None),
        (D3, "s4", "romanian_deadlift", "hinge", "rdl_sld", 1.0, False, False, False, "working", 5, 110, None),
    ]
    df = pd.DataFrame(rows, columns=SET_COLS).assign(athlete_id="b")
    df["local_date"] = pd.to_datetime(df["local_date"])
    return df


def test_strength_daily_by_hand(lifts):
    day = features.strength_daily(lifts).loc["b"]
    d1, d2 = day.loc[D1], day.loc[D2]
    # D1: RDL 1 + 1, deadlift 0.6, single-leg RDL 1; the warm-up, squats and bench press are no hinge sets
    assert d1["hinge_sets"] == pytest.approx(3.6)
    assert d1["knee_sets"] == 2  # split squat + back squat (a failure set is a working set)
    assert d1["hinge_volume_kg"] == pytest.approx(8 * 100 + 8 * 100 + 0.6 * 5 * 140 + 10 * 20)
    assert d1["knee_volume_kg"] == pytest.approx(10 * 16 + 5 * 100)
    # lowering: 3 s from the logged tempo, else 2 s
    assert d1["hinge_ecc_tut_s"] == pytest.approx(8 * 3 + 8 * 2 + 0.6 * 5 * 2 + 10 * 2)
    assert (d1["pure_hinge_sets"], d1["deadlift_sets"]) == (3, 1)
    assert d1["hinge_unilateral_sets"] == 1 and (d1["lower_sets"], d1["lower_unilateral_sets"]) == (6, 2)
    assert (d1["strength_sessions"], d1["hinge_sessions"]) == (1, 1)
    assert d1["main_hinge_e1rm_kg"] == pytest.approx(100 * (1 + 8 / 30))  # Epley; RDL is the main hinge
    # D2: tempo RDL (eccentric emphasis: 3 s), a drop set, a swing (0.5) in a second session; Nordic is no hinge
    assert d2["hinge_sets"] == pytest.approx(2.5)
    assert d2["hinge_ecc_tut_s"] == pytest.approx(6 * 3 + 12 * 2 + 0.5 * 15 * 2)
    assert d2["hinge_volume_kg"] == pytest.approx(6 * 90 + 12 * 60 + 0.5 * 15 * 24)
    assert (d2["strength_sessions"], d2["hinge_sessions"]) == (2, 2)
    assert np.isnan(d2["main_hinge_e1rm_kg"])  # the only RDL set that day has 12 reps (> 10)


def test_brzycki_alternative(lifts):
    day = features.strength_daily(lifts, e1rm="brzycki").loc[("b", pd.Timestamp(D1))]
    assert day["main_hinge_e1rm_kg"] == pytest.approx(100 * 36 / (37 - 8))


def test_windows_lags_ewm_and_shares_by_hand(lifts):
    run = pd.DataFrame(
        {
            "athlete_id": ["b"],
            "activity_id": ["r"],
            "local_date": pd.to_datetime(["2024-04-06"]),
            "distance_m": [8000.0],
            "descent_m": [300.0],
        }
    )  # extends the calendar past D3
    exp = features.rolling_exposures(features.daily_exposures(run, lifts), ewm_span=3).set_index("local_date")
    assert exp.attrs["ewm_span"] == 3
    first, mar5 = exp.loc[D1], exp.loc["2024-03-05"]
    assert np.isnan(first["hinge_sets_28d"]) and np.isnan(first["unilateral_share_28d"])  # no day before day 1
    assert mar5["hinge_sets_28d"] == pytest.approx((3.6 + 2.5) / 4)
    assert mar5["hinge_volume_kg_28d"] == pytest.approx((2220 + 1440) / 4)
    assert mar5["hinge_ecc_tut_s_28d"] == pytest.approx((66 + 57) / 4)
    assert (mar5["pure_hinge_sets_28d"], mar5["deadlift_sets_28d"]) == (pytest.approx(5 / 4), pytest.approx(1 / 4))
    assert mar5["strength_sessions_28d"] == mar5["hinge_sessions_28d"] == pytest.approx(3 / 4)
    assert mar5["unilateral_share_28d"] == pytest.approx(2 / 10)  # lower-body sets done one leg at a time
    assert mar5["hinge_unilateral_share_28d"] == pytest.approx(1 / 6.1)
    # acute lags on D2: the day itself, then 1..3 days before (D1 is 3 days before)
    d2 = exp.loc[D2]
    assert [d2[f"hinge_sets_lag{k}"] for k in range(4)] == [pytest.approx(2.5), 0, 0, pytest.approx(3.6)]
    # EWMA, span 3 (alpha 0.5, adjust=False) of the days before, per week: y = 3.6, 1.8, 0.9, 1.7
    assert d2["hinge_sets_ewm"] == pytest.approx(0.9 * 7)
    assert mar5["hinge_sets_ewm"] == pytest.approx(1.7 * 7)
    # e1RM: best of the window, and its change against the 28 days before that
    assert mar5["main_hinge_e1rm_28d"] == pytest.approx(100 * (1 + 8 / 30))
    assert np.isnan(exp.loc[D3, "main_hinge_e1rm_28d"])  # no RDL between Mar 8 and Apr 4
    after = exp.loc["2024-04-06"]
    assert after["main_hinge_e1rm_28d"] == pytest.approx(110 * (1 + 5 / 30))
    assert after["main_hinge_e1rm_change_28d"] == pytest.approx(110 * (1 + 5 / 30) - 100 * (1 + 8 / 30))
    assert after["descent_100m_lag0"] == 3.0 and after["hinge_sets_lag1"] == 1.0


def test_template_log_in_pounds_end_to_end(ctx):
    from trailstrength import clean
    from trailstrength.io import strength_logs

    log = b"""date,time,exercise,set,reps,load,unit,set_type,rpe,tempo
2024-03-01,07:00,Romanian Deadlift (Barbell),1,8,95,lb,warmup,,
2024-03-01,07:00,Romanian Deadlift (Barbell),1,8,225,lb,working,,4-0-1
2024-03-01,07:00,Romanian Deadlift (Barbell),2,8,225,lb,working,,
2024-03-01,07:00,Back Extension,1,15,0,kg,working,,
"""
    sets = clean.classify_strength(strength_logs.read_template(log, ctx).tables["strength_sets"])
    day = features.strength_daily(sets).iloc[0]
    assert day["hinge_sets"] == 3  # the 95-lb warm-up is not counted; back extension (body weight) is
    assert day["hinge_volume_kg"] == pytest.approx(2 * 8 * 225 * 0.45359237)  # body weight adds 0 kg
    assert day["hinge_ecc_tut_s"] == pytest.approx(8 * 4 + 8 * 2 + 15 * 2)
    assert day["main_hinge_e1rm_kg"] == pytest.approx(225 * 0.45359237 * (1 + 8 / 30))


def test_panels_carry_variants_on_request(cohort):
    runs, sets = cohort
    base = features.h1_panel(runs, sets, coverage=COMPLETE_LOG)
    wide = features.h1_panel(runs, sets, variants=True, coverage=COMPLETE_LOG)
    assert list(wide.columns) == list(base.columns) + features.EXPOSURE_VARIANTS
    pd.testing.assert_frame_equal(wide[base.columns], base)
    wellness = pd.DataFrame({"athlete_id": "a", "local_date": pd.to_datetime(["2024-01-26"]), "soreness": [4.0]})
    h2 = features.h2_panel(runs, sets, wellness, variants=True, coverage=COMPLETE_LOG)
    assert {"hinge_sets_lag0", "descent_100m_lag3", "hinge_sets_ewm"} <= set(h2.columns)
    assert h2["descent_100m_lag0"].iloc[0] == 10.0  # the run's own day


def test_trailing_sum_is_the_days_before_for_frames_and_arrays():
    from trailstrength.features.exposures import trailing_sum, window_share

    x = np.arange(1.0, 11.0)  # days 0..9
    got = trailing_sum(x, 3)
    assert np.isnan(got[0])  # nothing before the first day
    np.testing.assert_array_equal(got[1:], [1, 3, 6, 9, 12, 15, 18, 21, 24])  # d-3 .. d-1, partial at the start
    both = trailing_sum(np.column_stack([x, 2 * x]), 3)
    assert both.shape == (10, 2)
    np.testing.assert_array_equal(both[:, 1], trailing_sum(pd.Series(2 * x), 3).to_numpy())
    np.testing.assert_array_equal(
        window_share(np.array([1.0, 0.0, 2.0]), np.array([4.0, 0.0, np.nan])), [0.25, np.nan, np.nan]
    )
