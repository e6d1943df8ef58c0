"""Tests of trailstrength.terrain's sample-level cleaning and run summary: distance, pauses and steep hiking,
GPS jumps, altitude steps, missing inputs, device totals and altitude quality."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from trailstrength import terrain
from trailstrength.simulate.runs import synthetic_run
from trailstrength.terrain import (
    PROFILE_COLUMNS,
    SUMMARY_KEYS,
    TerrainParams,
    analyze_run,
    gap_factor,
    moving_mask,
    track_distance,
)

GPS = TerrainParams.for_altitude_source("gps")


# ------------------------------------------------------------------------------- distance, pauses, jumps
def test_track_distance_known_and_nan_safe():
    lat = np.linspace(0.0, 1.0, 101)
    lon = np.zeros(101)
    d = track_distance(lat, lon)
    assert d[0] == 0 and d[-1] == pytest.approx(6_371_008.8 * np.pi / 180, rel=1e-9)
    lat_gappy = lat.copy()
    lat_gappy[[0, 10, 11, 50, 100]] = np.nan  # incl. first and last
    d2 = track_distance(lat_gappy, lon)
    assert np.isfinite(d2).all() and np.all(np.diff(d2) >= 0)
    assert d2[-1] == pytest.approx(d[99] - d[1], rel=1e-9)
    assert np.isnan(track_distance([np.nan, np.nan], [1.0, 2.0])).all()
    assert track_distance([], []).size == 0


def test_moving_mask_planted_stop_and_jump():
    t = np.arange(0.0, 301.0)
    v = np.full(t.size - 1, 3.0)
    v[100:160] = 0.0  # a 60 s stop: intervals 100..159
    v[250] = 50.0  # a GPS jump
    d = np.concatenate(([0.0], np.cumsum(v)))
    m = moving_mask(t, d, TerrainParams())
    interval_ok = m[1:]
    assert not interval_ok[100:160].any()
    assert interval_ok[:100].all() and interval_ok[160:250].all() and interval_ok[251:].all()
    assert not interval_ok[250]
    assert np.diff(t)[interval_ok].sum() == pytest.approx(300 - 60 - 1)
    # a short slow-down (3 s) is not a pause
    v2 = np.full(t.size - 1, 3.0)
    v2[50:53] = 0.2
    assert moving_mask(t, np.concatenate(([0.0], np.cumsum(v2))))[1:].all()
    # "for more than 5 s": a 5 s stop at 1 Hz stays moving, a 7 s stop does not
    for stop, expect_pause in ((5, False), (7, True)):
        v3 = np.full(t.size - 1, 3.0)
        v3[50 : 50 + stop] = 0.0
        paused = ~moving_mask(t, np.concatenate(([0.0], np.cumsum(v3))))[1:]
        assert paused[50 : 50 + stop].all() == expect_pause and paused.sum() <= stop + 1
    # no times: nothing can be judged moving
    assert not moving_mask(np.full(5, np.nan), np.arange(5.0)).any()


def test_analyze_run_excludes_planted_pause():
    run = synthetic_run("plateau", noise="baro", seed=1, pause_at_s=900.0, pause_s=60.0)
    res = analyze_run(run.samples)
    elapsed = run.samples["elapsed_s"].iloc[-1]
    assert elapsed - run.moving_time_s == pytest.approx(60, abs=1.5)
    assert res.summary["moving_time_s"] == pytest.approx(run.moving_time_s, abs=2.0)
    # and the pause shows as flat moving time across it in the profile
    assert res.profile["elapsed_s"].iloc[-1] - res.profile["moving_s"].iloc[-1] == pytest.approx(60, abs=5)


def test_planted_gps_jump_in_positions_is_excluded():
    clean = synthetic_run("grades", noise="baro", seed=2, device_distance=False)
    jumped = synthetic_run("grades", noise="baro", seed=2, device_distance=False, jump_at_s=1500.0, jump_m=300.0)
    naive = track_distance(jumped.samples["lat"], jumped.samples["lon"])[-1]
    assert naive - clean.distance_m > 550  # the jump adds ~600 m if kept
    res = analyze_run(jumped.samples)
    assert res.summary["distance_m"] == pytest.approx(clean.distance_m, rel=0.002)
    # the bad fix is dropped, not its two intervals: the real ~6 m run meanwhile still counts
    assert res.summary["distance_m"] == pytest.approx(analyze_run(clean.samples).summary["distance_m"], abs=1.0)
    assert res.summary["moving_time_s"] == pytest.approx(jumped.moving_time_s, abs=2.0)


def test_planted_jump_in_device_distance_is_excluded():
    run = synthetic_run("plateau", noise="baro", seed=3)
    s = run.samples.copy()
    s.loc[1000:, "distance_m"] += 400.0  # the watch's distance leaps 400 m in one second
    res = analyze_run(s)
    assert res.summary["distance_m"] == pytest.approx(run.distance_m, abs=10)
    # exactly the one second of the jump leaves moving time
    assert res.summary["moving_time_s"] == pytest.approx(run.samples["elapsed_s"].iloc[-1] - 1, abs=1e-9)


# -------------------------------------------------------------------------------------- missing inputs
def test_no_times_gives_nan_for_time_based_outputs():
    run = synthetic_run("plateau", noise="baro", seed=0)
    s = run.samples.assign(elapsed_s=np.nan)
    res = analyze_run(s)
    assert res.profile["elapsed_s"].isna().all() and res.profile["moving_s"].isna().all()
    for key in (
        "moving_time_s",
        "descent_time_s",
        "descent_speed_mps",
        "descent_gap_speed_mps",
        "vertical_descent_rate_m_per_h",
        "flat_speed_mps",
        "climb_time_s",
        "kay_ratio",
    ):
        assert np.isnan(res.summary[key]), key
    assert res.summary["descent_m"] == pytest.approx(run.descent_m, rel=0.03)
    assert res.summary["descent_length_m"] > 0
    assert res.segments["duration_s"].isna().all() and res.segments["speed_mps"].isna().all()


def test_partial_times_use_the_stamped_part_only():
    run = synthetic_run("plateau", noise="baro", seed=0)
    full = analyze_run(run.samples).summary
    late = run.samples.copy()
    late.loc[: int(len(late) * 0.3), "elapsed_s"] = np.nan  # the watch stamped times late
    s = analyze_run(late).summary
    assert s["moving_time_s"] < 0.8 * full["moving_time_s"]
    assert s["descent_length_m"] == pytest.approx(full["descent_length_m"])  # lengths stay complete
    for key in ("flat_speed_mps", "descent_speed_mps", "descent_gap_speed_mps"):
        assert s[key] == pytest.approx(full[key], rel=0.05), key
    # a few stamped points at the end only: treated as untimed, not as a 1-minute run
    few = run.samples.copy()
    few.loc[: len(few) - 60, "elapsed_s"] = np.nan
    s = analyze_run(few).summary
    assert np.isnan(s["moving_time_s"]) and np.isnan(s["flat_speed_mps"])


def test_no_altitude_gives_nan_not_an_exception():
    run = synthetic_run("plateau", noise="baro", seed=0)
    res = analyze_run(run.samples.assign(altitude_m=np.nan))
    assert res.segments.empty
    assert res.summary["distance_m"] == pytest.approx(run.samples["distance_m"].iloc[-1])
    assert res.summary["altitude_quality"] == "none"
    for key in SUMMARY_KEYS:
        if key not in ("distance_m", "moving_time_s", "altitude_quality"):
            assert np.isnan(res.summary[key]), key


@pytest.mark.parametrize("n", [0, 1])
def test_fewer_than_two_samples_gives_all_nan(n):
    run = synthetic_run("plateau", seed=0)
    res = analyze_run(run.samples.iloc[:n])
    assert set(res.summary) == set(SUMMARY_KEYS)
    assert res.summary.pop("altitude_quality") == "none"
    assert all(np.isnan(v) for v in res.summary.values())
    assert tuple(res.profile.columns) == PROFILE_COLUMNS and res.segments.empty


def test_missing_columns_and_nullable_dtypes():
    run = synthetic_run("plateau", noise="baro", seed=0)
    s = run.samples.drop(columns=["heart_rate"]).astype({"altitude_m": "Float64"})
    s.loc[5:20, "altitude_m"] = pd.NA
    res = analyze_run(s)
    assert res.profile["heart_rate"].isna().all()
    assert res.summary["descent_m"] == pytest.approx(run.descent_m, rel=0.03)


# ------------------------------------------------------------------ steep hiking, altitude steps, jumps
HIKE = ((400, 0.0), (1500, 0.30), (300, 0.0), (1500, -0.25), (400, 0.0))


def test_slow_steep_hiking_counts_as_moving():
    """A hiker at 0.41 m/s up 30 % (440 m/h of height) is working, not pausing; speed alone says pause."""
    run = synthetic_run(HIKE, noise="baro", seed=0, flat_speed_mps=1.3)
    climb_speed = 1.3 / float(gap_factor(0.30))
    assert climb_speed < 0.5  # below the pause speed for the whole climb
    res = analyze_run(run.samples)
    assert res.summary["moving_time_s"] == pytest.approx(run.moving_time_s, rel=0.01)
    assert res.summary["vertical_climb_rate_m_per_h"] == pytest.approx(3600 * climb_speed * 0.30, rel=0.05)
    horizontal_only = analyze_run(run.samples, TerrainParams(pause_vertical_mps=np.inf)).summary
    assert horizontal_only["moving_time_s"] < 0.7 * run.moving_time_s
    assert horizontal_only["vertical_climb_rate_m_per_h"] > 1.5 * res.summary["vertical_climb_rate_m_per_h"]


@pytest.mark.parametrize("noise,params", [("baro", TerrainParams()), ("gps", GPS)])
def test_stop_on_a_steep_climb_stays_a_pause(noise, params):
    """A 2-minute stop halfway up the 30 % climb, with position jitter: still a pause, start to end."""
    for seed in range(3):
        run = synthetic_run(
            HIKE,
            noise=noise,
            seed=seed,
            flat_speed_mps=1.3,
            pause_at_s=2500.0,
            pause_s=120.0,
            device_distance=False,
            position_noise_m=0.6,
        )
        moving = analyze_run(run.samples, params).summary["moving_time_s"]
        # within a minute of 100 min moving: the hike on either side of the stop loses ~10-20 s each
        assert moving == pytest.approx(run.moving_time_s, abs=75), seed


def test_moving_mask_uses_altitude_when_given():
    t = np.arange(0.0, 200.0)
    d = 0.3 * t  # 0.3 m/s throughout: slow
    alt = 500 + 0.3 * 0.3 * t  # ... up a 30 % grade (0.09 m/s of height)
    assert not moving_mask(t, d, TerrainParams())[1:].any()
    p = TerrainParams(pause_vertical_mps=0.08)
    assert moving_mask(t, d, p, altitude_m=alt)[1:].all()
    assert not moving_mask(t, d, TerrainParams(pause_vertical_mps=0.1), altitude_m=alt)[1:].any()
    flat = np.full(t.size, 500.0)
    assert not moving_mask(t, d, p, altitude_m=flat)[1:].any()


def test_vertical_speed_on_a_ramp_and_at_the_ends():
    t = np.arange(0.0, 120.0, 2.0)
    alt = 100 + 0.2 * t
    v = terrain.vertical_speed(t, alt, 30.0)
    np.testing.assert_allclose(v, 0.2, rtol=0.01)  # the running integral is linear between samples
    assert terrain.vertical_speed(t, np.full(t.size, np.nan), 30.0).max() == 0
    # asking for a few samples only gives the same values (it works on the stretch their windows reach)
    rng = np.random.default_rng(0)
    t2 = np.cumsum(rng.choice([0.0, 1.0, 1.0, 2.0, 5.0], 3000))
    a2 = np.cumsum(rng.normal(0, 1, 3000))
    a2[rng.random(3000) < 0.1] = np.nan
    at = np.array([5, 700, 701, 1500, 2999])
    np.testing.assert_allclose(
        terrain.vertical_speed(t2, a2, 60.0, at), terrain.vertical_speed(t2, a2, 60.0)[at], atol=1e-9
    )


def test_altimeter_calibration_step_is_removed():
    """An altimeter that settles 400 m higher within 5 s of the start (as the ski TCX in realdata does)."""
    run = synthetic_run("plateau", noise="baro", seed=0)
    s = run.samples.copy()
    settle = np.array([-400.0, -250.0, -120.0, -50.0, -20.0])
    s.loc[: settle.size - 1, "altitude_m"] += settle
    res = analyze_run(s)
    assert res.summary["altitude_quality"] == "corrected"
    assert res.summary["altitude_step_m"] == pytest.approx(400, abs=25)
    assert res.summary["ascent_m"] == pytest.approx(run.ascent_m, rel=0.03)
    # the long stretch keeps its recorded level
    assert res.profile["altitude_m"].iloc[-1] == pytest.approx(run.knots_alt_m[-1], abs=5)
    # a one-sample glitch that comes back is no step (the spike filter handles it), nor is real terrain
    glitch = run.samples.copy()
    glitch.loc[1000, "altitude_m"] += 15
    fixed, removed = terrain.remove_altitude_steps(glitch["altitude_m"], glitch["elapsed_s"], glitch["distance_m"])
    assert removed == 0 and np.array_equal(fixed, glitch["altitude_m"].to_numpy())
    assert analyze_run(run.samples).summary["altitude_step_m"] == 0


def test_altitude_step_without_times_uses_grade():
    d = np.arange(0.0, 2000.0, 10.0)
    alt = np.where(d < 1000, 100.0, 160.0) + 0.02 * d  # a 60 m shift over 10 m of distance
    fixed, removed = terrain.remove_altitude_steps(alt, np.full(d.size, np.nan), d)
    assert removed == pytest.approx(60.2)
    step = np.diff(fixed)
    assert step[99] == 0 and np.allclose(np.delete(step, 99), 0.2)


def test_without_times_a_hairpin_of_sparse_fixes_is_kept():
    """Without times a one-fix GPS jump cannot be told from a hairpin between sparse route points: keep both."""
    lat = 35.0 + np.array([0.0, 0.0009, 0.0018, 0.0009, 0.0])
    lon = 139.0 + np.array([0.0, 0.0, 0.0001, 0.0002, 0.0002])
    res = analyze_run(pd.DataFrame({"lat": lat, "lon": lon, "altitude_m": 100.0}))
    assert res.summary["distance_m"] == pytest.approx(track_distance(lat, lon)[-1])


# --------------------------------------------------------------------------------- summary completeness
def test_summary_device_totals_quality_and_climbs():
    run = synthetic_run("plateau", noise="baro", seed=0)
    ref = pd.Series({"device_ascent_m": 212.0, "device_descent_m": 320.0, "sport": "running"})
    s = analyze_run(run.samples, TerrainParams.for_altitude_source("barometric"), reference=ref).summary
    assert list(s) == list(SUMMARY_KEYS)
    assert (s["device_ascent_m"], s["device_descent_m"]) == (212.0, 320.0)
    assert s["altitude_quality"] == "good"
    assert s["climb_gain_m"] == pytest.approx(200, rel=0.05)
    assert s["vertical_climb_rate_m_per_h"] == pytest.approx(3600 * s["climb_gain_m"] / s["climb_time_s"])
    assert s["climb_speed_mps"] == pytest.approx(3.0 / 1.459, rel=0.05)
    # the equal-effort runner climbs at its flat speed, grade-adjusted
    assert s["climb_index"] == pytest.approx(1.0, rel=0.05)
    assert s["climb_index"] == pytest.approx(s["climb_gap_speed_mps"] / s["flat_speed_mps"])
    # descent distance by class adds up; the plateau course has a −20 % and a −8 % descent
    by_class = sum(s[f"descent_length_{c}_m"] for c in ("moderate", "steep", "very_steep"))
    assert by_class == pytest.approx(s["descent_length_m"])
    assert s["descent_length_steep_m"] == pytest.approx(1000, abs=60)
    assert s["descent_length_moderate_m"] == pytest.approx(1500, abs=60)
    none = analyze_run(run.samples).summary
    assert np.isnan(none["device_descent_m"]) and none["altitude_quality"] == "unverified"
    assert analyze_run(run.samples, GPS).summary["altitude_quality"] == "gps_only"


def test_sparse_altitude_is_flagged_but_still_used():
    run = synthetic_run("plateau", noise="baro", seed=0)
    s = run.samples.copy()
    s.loc[s.index % 150 != 0, "altitude_m"] = np.nan  # a fix every ~450 m
    res = analyze_run(s)
    assert res.summary["altitude_quality"] == "sparse"
    assert res.summary["descent_m"] == pytest.approx(run.descent_m, rel=0.1)


def test_tiny_and_degenerate_tracks():
    standing = pd.DataFrame({"elapsed_s": np.arange(100.0), "distance_m": 0.0, "altitude_m": 100.0})
    s = analyze_run(standing).summary
    assert s["distance_m"] == 0 and s["moving_time_s"] == 0 and s["altitude_quality"] == "none"
    short = analyze_run(pd.DataFrame({"elapsed_s": [0.0, 2.0], "distance_m": [0.0, 5.0], "altitude_m": 100.0}))
    assert short.summary["distance_m"] == 5 and short.summary["moving_time_s"] == 2
    # pandas' NA in a reference mapping is a missing value, not an error
    assert np.isnan(analyze_run(standing, reference={"device_ascent_m": pd.NA}).summary["device_ascent_m"])
