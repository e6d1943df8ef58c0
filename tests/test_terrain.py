"""Tests of trailstrength.terrain: pinned grade models and synthetic courses of known geometry.

Sample cleaning, pauses and the run summary are in test_terrain_track.py, real tracks in
test_terrain_realdata.py, the per-athlete curve in test_terrain_empirical.py; speed is
measured by benchmarks/bench_terrain.py, not here.
"""

from __future__ import annotations

from dataclasses import FrozenInstanceError, replace

import numpy as np
import pandas as pd
import pytest

from trailstrength import terrain
from trailstrength.simulate.runs import COURSES, score_segments, synthetic_run
from trailstrength.terrain import (
    PROFILE_COLUMNS,
    SEGMENT_COLUMNS,
    TERRAIN_VERSION,
    RunTerrain,
    TerrainParams,
    analyze_run,
    ascent_descent,
    find_segments,
    gap_factor,
    grade_from_altitude,
    minetti_cost,
    resample_by_distance,
)

# DESIGN §6, copied here on purpose: the test pins the numbers, not the module's own table.
STRAVA_DESIGN = {
    -30: 1.495,
    -20: 1.081,
    -15: 0.941,
    -10: 0.876,
    -8: 0.876,
    -6: 0.891,
    -4: 0.918,
    -2: 0.960,
    0: 1.000,
    2: 1.055,
    4: 1.135,
    6: 1.228,
    8: 1.337,
    10: 1.459,
    15: 1.846,
    20: 2.297,
    30: 3.158,
}
SEEDS = range(5)
GPS = TerrainParams.for_altitude_source("gps")


def runs(noise: str, courses=tuple(COURSES)):
    return [synthetic_run(c, noise=noise, seed=s) for c in courses for s in SEEDS]


def descents(result: RunTerrain) -> pd.DataFrame:
    return result.segments[result.segments["kind"] == "descent"]


def hand_profile(grades, step=10.0, speed=2.0, hr=150.0) -> pd.DataFrame:
    """A profile with exactly the given per-point grade (altitude integrated from it), constant speed."""
    g = np.asarray(grades, dtype=float)
    x = np.arange(g.size) * step
    alt = 500 + np.concatenate(([0.0], np.cumsum((g[:-1] + g[1:]) / 2 * step)))
    t = x / speed
    return pd.DataFrame(
        {
            "distance_m": x,
            "elapsed_s": t,
            "moving_s": t,
            "altitude_raw_m": alt,
            "altitude_m": alt,
            "grade": g,
            "heart_rate": np.full(g.size, hr),
        }
    )


# ------------------------------------------------------------------------------------------ grade models
def test_minetti_pinned_values():
    assert minetti_cost(0.0) == pytest.approx(3.6, abs=1e-12)
    assert round(float(minetti_cost(-0.2)), 3) == 1.800
    assert round(float(minetti_cost(0.1)), 3) == 5.968
    # clipped to the measured range, vectorised, NaN-preserving
    assert minetti_cost(0.6) == minetti_cost(0.45)
    assert minetti_cost(-0.9) == minetti_cost(-0.45)
    out = minetti_cost([0.0, np.nan, 0.1])
    assert out.shape == (3,) and np.isnan(out[1])


@pytest.mark.parametrize("grade_pct,factor", sorted(STRAVA_DESIGN.items()))
def test_strava_factor_pinned(grade_pct, factor):
    assert gap_factor(grade_pct / 100) == pytest.approx(factor, abs=1e-12)


def test_strava_interpolation_and_clamping():
    assert gap_factor(-0.25) == pytest.approx((1.495 + 1.081) / 2, abs=1e-12)
    assert gap_factor(0.01) == pytest.approx((1.000 + 1.055) / 2, abs=1e-12)
    assert gap_factor(0.25) == pytest.approx((2.297 + 3.158) / 2, abs=1e-12)
    assert gap_factor(-0.45) == pytest.approx(1.495) and gap_factor(0.6) == pytest.approx(3.158)
    assert np.isnan(gap_factor(np.nan))
    # the descent curve has its minimum effort around −8 to −10 %
    g = np.linspace(-0.3, 0.3, 601)
    assert -0.10 <= g[np.argmin(gap_factor(g))] <= -0.08


def test_minetti_gap_model_is_relative_cost():
    g = np.array([-0.3, -0.1, 0.0, 0.1, 0.3])
    np.testing.assert_allclose(gap_factor(g, "minetti"), minetti_cost(g) / 3.6)
    assert gap_factor(0.0, "minetti") == pytest.approx(1.0)


def test_unknown_gap_model_raises():
    with pytest.raises(ValueError, match="unknown grade-adjustment model 'nope'"):
        gap_factor(0.1, "nope")
    with pytest.raises(ValueError, match="fit_empirical_gap"):
        gap_factor(0.1, "empirical")
    with pytest.raises(ValueError, match="gap_model"):
        TerrainParams(gap_model="nope")


# ------------------------------------------------------------------------------- profile and smoothing
def test_profile_columns_grid_and_distance_from_positions():
    run = synthetic_run("plateau", noise="baro", seed=0, device_distance=False)
    prof = resample_by_distance(run.samples)
    assert tuple(prof.columns) == PROFILE_COLUMNS
    assert np.allclose(np.diff(prof["distance_m"]), 10.0)
    assert prof["distance_m"].iloc[-1] == pytest.approx(run.distance_m, abs=12)
    assert prof["moving_s"].is_monotonic_increasing
    assert prof["grade"].abs().max() <= 0.45
    # altitude_raw is only resampled: close to the truth within barometric noise
    err = prof["altitude_raw_m"] - run.altitude(prof["distance_m"])
    assert err.abs().median() < 3


def test_grade_is_taken_over_at_least_50_m_and_clipped():
    x = np.arange(0.0, 1000.0, 10.0)
    alt = np.where(x < 500, 0.0, 100.0)  # a 100 m cliff
    g = grade_from_altitude(x, alt, TerrainParams(max_abs_grade=0.45))
    assert g.max() == pytest.approx(0.45)
    assert np.count_nonzero(g) >= 5  # spread over the 50 m baseline, not a single step
    linear = grade_from_altitude(x, 0.07 * x)
    np.testing.assert_allclose(linear, 0.07)


def test_spikes_are_removed_but_summits_kept():
    run = synthetic_run("sawtooth", noise="none", seed=0)
    s = run.samples.copy()
    rng = np.random.default_rng(5)
    idx = rng.choice(len(s), 15, replace=False)
    s.loc[idx, "altitude_m"] += rng.choice([-40.0, 40.0], idx.size)
    prof = resample_by_distance(s)
    err = prof["altitude_m"] - run.altitude(prof["distance_m"])
    assert err.abs().max() < 3.0
    # the summits of the noise-free sawtooth lose well under a metre each
    top = run.knots_alt_m.max()
    assert prof["altitude_m"].max() > top - 1.0


@pytest.mark.parametrize("smoothing", ["savgol", "window"])
def test_both_smoothers_reduce_noise(smoothing):
    run = synthetic_run("plateau", noise="gps", seed=4)
    p = TerrainParams(smoothing=smoothing, smooth_window_m=150.0)
    prof = resample_by_distance(run.samples, p)
    truth = run.altitude(prof["distance_m"])
    assert (prof["altitude_m"] - truth).std() < (prof["altitude_raw_m"] - truth).std()
    raw_grade = grade_from_altitude(prof["distance_m"], prof["altitude_raw_m"], p)
    g_true = run.grade(prof["distance_m"])
    rmse = lambda g: float(np.sqrt(np.mean((np.asarray(g) - g_true) ** 2)))  # noqa: E731
    assert rmse(prof["grade"]) < 0.8 * rmse(raw_grade)


# ------------------------------------------------------------------------ synthetic accuracy (defaults)
def test_barometric_noise_accuracy_per_course():
    """Barometric noise, default parameters: every course, every seed."""
    p = TerrainParams()
    for run in runs("baro"):
        res = analyze_run(run.samples, p)
        x = res.profile["distance_m"].to_numpy()
        name = next(k for k, v in COURSES.items() if tuple(map(tuple, v)) == run.legs)
        rmse = np.sqrt(np.mean((res.profile["grade"] - run.grade(x)) ** 2))
        assert rmse < 0.03, name
        assert res.summary["descent_m"] == pytest.approx(run.descent_m, rel=0.03), name
        assert res.summary["ascent_m"] == pytest.approx(run.ascent_m, rel=0.03), name
        score = score_segments(descents(res), run.segments(p))
        assert score["f1"] == 1.0, name
        if name != "grades":
            # breaks of slope into or out of a clear descent; the "grades" course also has steep-to-gentle
            # breaks (−30 % into −3 %) where the threshold crossing is biased by design (see benchmark)
            assert score["boundary_max_m"] <= 30, name
        else:
            assert score["boundary_mae_m"] <= 30, name


def test_gps_noise_detection_with_gps_preset():
    """GPS-level noise (σ ≈ 4.3 m, correlated) with the GPS preset: pooled over 3 courses × 5 seeds."""
    tp = fp = fn = 0
    errors, boundaries = [], []
    for run in runs("gps"):
        res = analyze_run(run.samples, GPS)
        sc = score_segments(descents(res), run.segments(GPS))
        tp, fp, fn = tp + sc["tp"], fp + sc["fp"], fn + sc["fn"]
        boundaries.append(sc["boundary_mae_m"])
        errors.append(res.summary["descent_m"] / run.descent_m - 1)
    f1 = 2 * tp / (2 * tp + fp + fn)
    assert f1 >= 0.95
    assert np.nanmean(boundaries) <= 30
    assert abs(np.mean(errors)) < 0.03  # no bias in the descent total ...
    assert np.max(np.abs(errors)) < 0.10  # ... and no run off by 10 %


def test_gps_preset_beats_defaults_on_gps_noise():
    def pooled_f1(p):
        tp = fp = fn = 0
        for run in runs("gps"):
            sc = score_segments(descents(analyze_run(run.samples, p)), run.segments(p))
            tp, fp, fn = tp + sc["tp"], fp + sc["fp"], fn + sc["fn"]
        return 2 * tp / (2 * tp + fp + fn)

    assert pooled_f1(GPS) > pooled_f1(TerrainParams()) + 0.05


def test_equal_effort_runner_has_flat_gap_speed():
    """The synthetic runner keeps Strava-equal effort, so GAP speed on descents ≈ flat speed."""
    run = synthetic_run("plateau", noise="baro", seed=0)
    s = analyze_run(run.samples).summary
    assert s["flat_speed_mps"] == pytest.approx(run.flat_speed_mps, rel=0.02)
    assert s["descent_gap_speed_mps"] == pytest.approx(run.flat_speed_mps, rel=0.05)
    assert s["climb_gap_speed_mps"] == pytest.approx(run.flat_speed_mps, rel=0.05)
    # raw speeds differ: faster down than up, so Kay's ratio (uphill / downhill pace) > 1
    assert s["descent_speed_mps"] > s["flat_speed_mps"] * 0.95
    assert s["kay_ratio"] > 1


# ------------------------------------------------------------------------------------------- segments
def test_segment_columns_and_definitions():
    run = synthetic_run("grades", noise="baro", seed=0)
    res = analyze_run(run.samples)
    seg = res.segments
    assert tuple(seg.columns) == SEGMENT_COLUMNS
    assert seg["start_m"].is_monotonic_increasing
    d, c = seg[seg["kind"] == "descent"], seg[seg["kind"] == "climb"]
    assert len(d) and len(c)
    assert (d["drop_m"] > 0).all() and (d["mean_grade"] < 0).all()
    assert (c["drop_m"] < 0).all() and (c["mean_grade"] > 0).all()
    np.testing.assert_allclose(seg["length_m"], seg["end_m"] - seg["start_m"])
    np.testing.assert_allclose(seg["mean_grade"], -seg["drop_m"] / seg["length_m"])
    np.testing.assert_allclose(seg["speed_mps"], seg["length_m"] / seg["duration_s"])
    np.testing.assert_allclose(seg["vertical_speed_mps"], seg["drop_m"].abs() / seg["duration_s"])
    np.testing.assert_allclose(seg["distance_before_m"], seg["start_m"])
    assert (d["max_grade"] <= d["mean_grade"]).all() and (c["max_grade"] >= c["mean_grade"]).all()
    assert (seg["length_m"] >= 200).all() and (seg["drop_m"].abs() >= 20).all()
    assert seg["heart_rate_mean"].between(100, 200).all()
    # classes: the course has −8, −15 and −30 % descents
    assert {"moderate", "steep", "very_steep"} <= set(d["steepness"])
    steepest = d.loc[d["mean_grade"].idxmin()]
    assert steepest["steepness"] == "very_steep"


def test_find_segments_thresholds_merge_and_filters():
    p = TerrainParams()
    flat, down = [0.0] * 30, [-0.10] * 31
    # two 300 m descents with a 40 m easing between them: merged; with 80 m: kept apart
    merged = find_segments(hand_profile(flat + down + [0.0] * 4 + down + flat), p)
    apart = find_segments(hand_profile(flat + down + [0.0] * 9 + down + flat), p)
    assert len(merged) == 1 and len(apart) == 2
    # each run of 31 points at −10 % crosses −5 % half a step outside its end points: 310 m, gap 40 m
    assert merged["start_m"].iloc[0] == pytest.approx(295) and merged["end_m"].iloc[0] == pytest.approx(955)
    assert apart["length_m"].tolist() == pytest.approx([310, 310])
    # too short (150 m) or too shallow a drop (−6 % over 300 m = 18 m) are not descents
    assert find_segments(hand_profile(flat + [-0.10] * 16 + flat), p).empty
    assert find_segments(hand_profile(flat + [-0.06] * 31 + flat), p).empty
    # a climb is found only as a climb
    up = hand_profile(flat + [0.12] * 40 + flat)
    assert find_segments(up, p, "descent").empty and len(find_segments(up, p, "climb")) == 1
    with pytest.raises(ValueError, match="kind"):
        find_segments(up, p, "flat")


def test_find_segments_speeds_on_exact_profile():
    prof = hand_profile([0.0] * 20 + [-0.10] * 51 + [0.0] * 20, speed=2.5, hr=160)
    seg = find_segments(prof, TerrainParams())
    assert len(seg) == 1
    row = seg.iloc[0]
    assert row["speed_mps"] == pytest.approx(2.5)
    # constant −10 % inside; the two 10 m steps at each end ramp from 0 to −10 % (linear interpolation)
    assert row["gap_speed_mps"] == pytest.approx(2.5 * 0.876, rel=0.01)
    assert row["heart_rate_mean"] == pytest.approx(160)
    assert row["steepness"] == "moderate" and row["max_grade"] == pytest.approx(-0.10)


def test_empty_segments_have_columns():
    seg = find_segments(hand_profile([0.01] * 100), TerrainParams())
    assert seg.empty and tuple(seg.columns) == SEGMENT_COLUMNS
    found = find_segments(hand_profile([0.0] * 20 + [-0.10] * 51 + [0.0] * 20), TerrainParams())
    assert seg.dtypes.to_dict() == found.dtypes.to_dict()
    res = analyze_run(synthetic_run(((2000, 0.0),), noise="baro").samples)
    assert res.segments.empty and tuple(res.segments.columns) == SEGMENT_COLUMNS
    assert res.summary["descent_length_m"] == 0 and np.isnan(res.summary["descent_speed_mps"])
    assert res.summary["flat_speed_mps"] == pytest.approx(3.0, rel=0.01)


def test_ascent_descent_hysteresis():
    assert ascent_descent([0, 10, 7, 20, 0], 5) == (20, 20)
    assert ascent_descent([0, 10, 7, 20, 0], 0) == (23, 23)
    assert ascent_descent([0, 3, 0, 3, 0], 5) == (0, 0)
    assert ascent_descent([100, 97, 110], 5) == (13, 0)  # counted from the low point
    assert np.isnan(ascent_descent([np.nan, 1.0], 5)[0])


# ----------------------------------------------------------------------------- API, params, performance
def test_public_names_and_params():
    assert isinstance(TERRAIN_VERSION, str) and terrain.TERRAIN_VERSION == TERRAIN_VERSION
    p = TerrainParams()
    with pytest.raises(FrozenInstanceError):
        p.step_m = 5.0
    assert hash(p) == hash(TerrainParams())
    with pytest.raises(ValueError, match="smoothing"):
        TerrainParams(smoothing="lowess")
    with pytest.raises(ValueError, match="step_m"):
        TerrainParams(step_m=0)
    assert TerrainParams.for_altitude_source("barometric") == replace(p, altitude_source="barometric")
    assert TerrainParams.for_altitude_source(None) == p
    assert TerrainParams.for_altitude_source("garbage").altitude_source == "unknown"
    with pytest.raises(ValueError, match="altitude_source"):
        TerrainParams(altitude_source="garbage")
    assert GPS.smooth_window_m > p.smooth_window_m
    assert TerrainParams.for_altitude_source("gps", hysteresis_m=8.0).hysteresis_m == 8.0


def test_fast_savgol_equals_scipy():
    from scipy.signal import savgol_filter

    from trailstrength.terrain.profile import _savgol

    y = np.cumsum(np.random.default_rng(0).normal(size=300))
    for k in (5, 7, 21, 299):
        np.testing.assert_allclose(_savgol(y, k), savgol_filter(y, k, 2, mode="interp"), rtol=0, atol=1e-9)


def test_running_median_equals_scipy_median_filter():
    from scipy.ndimage import median_filter

    from trailstrength.terrain.profile import _running_median

    rng = np.random.default_rng(1)
    for n in (3, 4, 50, 301):
        y = np.cumsum(rng.normal(size=n)) + rng.choice([0.0, 40.0], size=n, p=[0.95, 0.05])  # with spikes
        for k in (1, 3, 7, 21, 43):  # wider than the profile too: the ends repeat, as mode="nearest"
            np.testing.assert_array_equal(_running_median(y, k), median_filter(y, size=k, mode="nearest"))
