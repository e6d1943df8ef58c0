"""The per-athlete grade-adjustment curve: recovered from synthetic runs paced by a known curve."""

from __future__ import annotations

import numpy as np
import pytest

from trailstrength.simulate import runs as synthetic
from trailstrength.simulate.runs import hiker_curve, synthetic_run
from trailstrength.terrain import (
    EmpiricalGap,
    NotEnoughTerrainData,
    TerrainParams,
    analyze_run,
    fit_empirical_gap,
    gap_factor,
)

TRUE_CURVE = hiker_curve()  # slower than Strava's runner on steep climbs, better on descents


def athlete_runs(n: int, seed: int = 1, noise: str = "baro", grades=None, params=None):
    return [
        analyze_run(r.samples, params)
        for r in synthetic.athlete_runs(n, TRUE_CURVE, noise=noise, seed=seed, grades=grades)
    ]


@pytest.fixture(scope="module")
def fitted():
    return fit_empirical_gap(athlete_runs(8))


def test_recovers_the_known_curve(fitted):
    q = np.linspace(-0.26, 0.26, 27)
    np.testing.assert_allclose(fitted(q), TRUE_CURVE(q), rtol=0.04)
    assert fitted(0.0) == pytest.approx(1.0, abs=1e-12)
    assert fitted.n_runs == 8 and fitted.grade_range == (pytest.approx(-0.28), pytest.approx(0.28))
    # and it is not just Strava's curve: at +24 % the two differ by > 15 %
    assert fitted(0.24) > 1.15 * gap_factor(0.24)


def test_works_from_profiles_and_with_gps_altitude():
    """GPS altitude (GPS preset, 200 m smoothing) blurs grades more: the curve is still within 8 %."""
    runs = athlete_runs(8, seed=2, noise="gps", params=TerrainParams.for_altitude_source("gps"))
    fit = fit_empirical_gap([r.profile for r in runs])
    q = np.linspace(-0.2, 0.2, 9)
    np.testing.assert_allclose(fit(q), TRUE_CURVE(q), rtol=0.08)


def test_usable_as_model_everywhere(fitted):
    g = np.array([-0.5, -0.2, 0.0, 0.1, np.nan, 0.5])
    np.testing.assert_array_equal(gap_factor(g, fitted), fitted(g))
    assert np.isnan(gap_factor(np.nan, fitted))
    p = TerrainParams(gap_model=fitted)
    assert hash(p) == hash(TerrainParams(gap_model=fitted))
    # a runner pacing exactly by the fitted curve has a grade-adjusted speed equal to its flat speed
    run = synthetic_run("plateau", noise="baro", seed=3, gap_model=fitted)
    s = analyze_run(run.samples, p).summary
    assert s["descent_gap_speed_mps"] == pytest.approx(run.flat_speed_mps, rel=0.05)
    assert s["climb_gap_speed_mps"] == pytest.approx(run.flat_speed_mps, rel=0.05)


def test_beyond_the_fitted_range_follows_stravas_shape(fitted):
    lo, hi = fitted.grade_range
    assert fitted(hi + 0.02) / fitted(hi) == pytest.approx(gap_factor(hi + 0.02) / gap_factor(hi))
    assert fitted(lo - 0.02) / fitted(lo) == pytest.approx(gap_factor(lo - 0.02) / gap_factor(lo))


def test_not_enough_data_raises_or_falls_back():
    few = athlete_runs(3, seed=4)
    with pytest.raises(NotEnoughTerrainData, match="3 runs with times and altitude, 5 needed"):
        fit_empirical_gap(few)
    with pytest.warns(UserWarning, match="using the 'strava' model"):
        assert fit_empirical_gap(few, fallback="strava") == "strava"
    # enough runs, but only gentle terrain: the range is named
    gentle = athlete_runs(5, seed=5, grades=[-0.04, -0.02, 0.02, 0.04])
    with pytest.raises(NotEnoughTerrainData, match=r"enough data from -4% to \+4% only"):
        fit_empirical_gap(gentle)
    # runs without times do not count
    untimed = [r.profile.assign(moving_s=np.nan) for r in athlete_runs(5, seed=6)]
    with pytest.raises(NotEnoughTerrainData, match="0 runs"):
        fit_empirical_gap(untimed)
    with pytest.raises(NotEnoughTerrainData):
        fit_empirical_gap([])


def test_empirical_gap_validation():
    with pytest.raises(ValueError, match="factor 1 there"):
        EmpiricalGap((-0.1, 0.1), (0.9, 1.2))
    with pytest.raises(ValueError, match="increasing"):
        EmpiricalGap((0.1, -0.1), (1.0, 1.0))
    with pytest.raises(ValueError, match="positive"):
        EmpiricalGap((-0.1, 0.0, 0.1), (0.9, 1.0, -1.0))
    with pytest.raises(ValueError, match="spanning|span grade 0"):
        EmpiricalGap((0.05, 0.1), (1.0, 1.1))
    c = EmpiricalGap([-0.1, 0.0, 0.1], np.array([0.9, 1.0, 1.3]))
    assert c.grades == (-0.1, 0.0, 0.1) and isinstance(c.factors[0], float)
    assert c == EmpiricalGap((-0.1, 0.0, 0.1), (0.9, 1.0, 1.3))
