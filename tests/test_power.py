"""Power by simulation: table, MDE interpolation, the plot (viz.planning), and the CLI command."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from trailstrength.models.power import POWER_COLUMNS, minimal_detectable_effect, simulate_power
from trailstrength.viz.planning import power_by_effect


def test_simulate_power_small_run():
    grid = {"H1": (0.0, 0.02), "H2": (0.0, -0.4)}
    table = simulate_power(5, 10, grid=grid, sims=6, workers=1)
    assert list(table.columns) == POWER_COLUMNS and len(table) == 4
    assert (table["sims"] == 6).all() and table["power"].between(0, 1).all()
    power = table.set_index(["hypothesis", "effect"])["power"]
    assert power["H1", 0.02] >= 0.5  # a large H1 effect is found even in a tiny cohort
    # H2's CR2 test has few df with 5 athletes (and soreness is whole points): only more often than at 0
    assert power["H2", -0.4] >= power["H2", 0.0]
    # common random numbers: the estimate moves with the planted effect by about the planted difference
    estimate = table.set_index(["hypothesis", "effect"])["mean_estimate"]
    assert estimate["H1", 0.02] - estimate["H1", 0.0] == pytest.approx(0.02, abs=0.004)
    assert estimate["H2", -0.4] - estimate["H2", 0.0] == pytest.approx(-0.4, abs=0.15)  # rounding, floor at 0


def _table(h1_power, h2_power):
    rows = [("H1", e, p) for e, p in zip((0.0, 0.004, 0.008, 0.012), h1_power)]
    rows += [("H2", e, p) for e, p in zip((0.0, -0.1, -0.2, -0.3), h2_power)]
    t = pd.DataFrame(rows, columns=["hypothesis", "effect", "power"])
    return t.assign(
        unit="u",
        power_mcse=0.02,
        mean_estimate=t["effect"],
        coverage=0.95,
        sims=200,
        athletes=8,
        weeks=12,
        mean_runs=100.0,
    )[POWER_COLUMNS]


def test_mde_interpolation_and_edge_cases():
    mde = minimal_detectable_effect(_table((0.05, 0.5, 0.9, 1.0), (0.05, 0.3, 0.6, 0.7))).set_index("hypothesis")
    assert mde.loc["H1", "mde"] == pytest.approx(0.004 + 0.004 * (0.8 - 0.5) / (0.9 - 0.5))
    assert np.isnan(mde.loc["H2", "mde"]) and "below 80%" in mde.loc["H2", "note"]
    # a non-monotone Monte Carlo wobble does not produce an earlier crossing than the envelope
    wobbly = minimal_detectable_effect(_table((0.05, 0.85, 0.8, 1.0), (0.05, 0.9, 1, 1))).set_index("hypothesis")
    assert wobbly.loc["H1", "mde"] == pytest.approx(0.004 * 0.75 / 0.8)
    assert wobbly.loc["H2", "mde"] < 0


def test_plot_and_cli(tmp_path, monkeypatch):
    t = _table((0.05, 0.5, 0.9, 1.0), (0.05, 0.3, 0.6, 0.7))
    axes = power_by_effect(t, minimal_detectable_effect(t))
    assert len(axes) == 2 and axes[0].get_ylim()[1] == pytest.approx(1.02)
    plt.close("all")

    from trailstrength import cli
    from trailstrength.models import power as power_module

    monkeypatch.setattr(power_module, "simulate_power", lambda *a, **k: t)
    result = CliRunner().invoke(
        cli.app, ["power", "--athletes", "8", "--weeks", "12", "--sims", "3", "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    assert "minimal detectable effect" in result.output
    assert (tmp_path / "power.csv").is_file() and (tmp_path / "power_8x12.png").is_file()
    assert (tmp_path / "power_8x12.alt.txt").read_text().startswith("Simulated power")


def test_mde_flags_an_oversized_test():
    t = _table((0.05, 0.5, 0.9, 1.0), (0.13, 0.3, 0.85, 1.0))
    mde = minimal_detectable_effect(t, alpha=0.05).set_index("hypothesis")
    assert "power is overstated" in mde.loc["H2", "note"] and "overstated" not in mde.loc["H1", "note"]


@pytest.mark.parametrize("window_days", [28, 21])
def test_grid_panels_equal_the_panels_built_one_grid_point_at_a_time(window_days):
    """power builds the windows once per seed and swaps in each grid point's outcomes: the same panels exactly."""
    from dataclasses import replace

    from trailstrength.models.power import DEFAULT_GRID, _grid_panels
    from trailstrength.simulate import CohortDesign, PlantedEffects, panels_from_daily, simulate_daily

    design = CohortDesign(athletes=4, weeks=10, window_days=window_days)
    seed = np.random.SeedSequence(7).spawn(1)[0]
    grid = [
        replace(PlantedEffects(), dpi_per_hinge_set=a, soreness_per_hinge_set=b)
        for a, b in zip(DEFAULT_GRID["H1"][:4], DEFAULT_GRID["H2"][:4])
    ]
    fast = _grid_panels(design, grid, seed)
    for (h1, h2), effects in zip(fast, grid):
        slow1, slow2 = panels_from_daily(simulate_daily(design, effects, seed), window_days)
        pd.testing.assert_frame_equal(h1, slow1, check_exact=True)
        pd.testing.assert_frame_equal(h2, slow2, check_exact=True)
    assert not np.allclose(fast[0][0]["dpi"], fast[-1][0]["dpi"])  # the outcomes did change with the effect
    assert not np.allclose(fast[0][1]["soreness_peak_72h"], fast[-1][1]["soreness_peak_72h"])


def test_power_fits_each_cohort_with_the_primary_path_analyze_uses():
    """One simulated cohort: the estimate and p power scores equal fit_primary's (what analyze reports), exactly."""
    from dataclasses import replace

    from trailstrength.models.power import _one_sim
    from trailstrength.models.primary import PRIMARY_TERM, fit_primary
    from trailstrength.simulate import CohortDesign, PlantedEffects, panels_from_daily, simulate_daily

    design, seed = CohortDesign(athletes=6, weeks=12), np.random.SeedSequence(3).spawn(1)[0]
    effects = replace(PlantedEffects(), dpi_per_hinge_set=0.004, soreness_per_hinge_set=-0.08)
    rows = _one_sim((design, PlantedEffects(), {"H1": (0.004,), "H2": (-0.08,)}, seed, 0.05, "v2"))
    h1, h2 = panels_from_daily(simulate_daily(design, effects, seed), design.window_days)
    analyzed, _ = fit_primary(h1, h2, sensitivity=False)
    primary = analyzed[analyzed["term"] == PRIMARY_TERM].set_index("hypothesis")
    assert primary["note"].str.contains("Satterthwaite").loc["H1"] and "CR2" in primary.loc["H2", "note"]
    for row in rows:
        expected = primary.loc[row["hypothesis"]]
        assert row["estimate"] == expected["estimate"]
        assert row["reject"] == bool(expected["p_value"] < 0.05)
        assert row["covered"] == bool(expected["ci_low"] <= row["effect"] <= expected["ci_high"])


@pytest.mark.slow
def test_size_at_effect_zero_is_near_alpha():
    """The new power path's rejection rate under no planted effect (its size) stays near alpha = 0.05.

    40 null cohorts of 8 athletes x 12 weeks: a test of true size 0.05 rejects 7 or more times with probability
    0.003, so a bound of 6/40 = 0.15 fails for a test that is clearly too liberal (the v1 H2 Wald test rejected
    11.75 % of null cohorts), and the seeds are fixed.
    """
    table = simulate_power(8, 12, grid={"H1": (0.0,), "H2": (0.0,)}, sims=40, workers=1, seed=11)
    assert (table["sims"] == 40).all()
    assert (table["power"] <= 0.15).all(), table
    assert (table["coverage"] >= 0.85).all(), table


@pytest.mark.parametrize("slope", [False, True])
def test_fast_mixedlm_is_statsmodels_mixedlm_computed_from_athlete_sums(slope):
    """FastMixedLM's likelihood, score and fitted model equal statsmodels' MixedLM's (same optimiser, same start)."""
    import warnings

    from statsmodels.regression.mixed_linear_model import MixedLM

    from trailstrength.models.fast_mixedlm import FastMixedLM
    from trailstrength.simulate import CohortDesign, PlantedEffects, panels_from_daily, simulate_daily

    design = CohortDesign(athletes=8, weeks=12)
    h1, _ = panels_from_daily(simulate_daily(design, PlantedEffects(), 5), design.window_days)
    terms = ["hinge_sets_28d", "descent_100m_28d", "run_km_28d", "distance_km"]
    h1 = h1.dropna(subset=["dpi", *terms])
    exog = h1[terms].assign(Intercept=1.0)[["Intercept", *terms]]
    exog_re = None
    if slope:
        exog_re = exog[["Intercept", "hinge_sets_28d"]].assign(hinge_sets_28d=lambda d: d["hinge_sets_28d"] - 4)
    models = [
        cls(h1["dpi"], exog, groups=h1["athlete_id"].to_numpy(), exog_re=exog_re) for cls in (MixedLM, FastMixedLM)
    ]
    for m in models:
        m.reml, m.cov_pen, m.fe_pen, m._freepat, m._cov_sing = True, None, None, None, 0
    rng = np.random.default_rng(1)
    for _ in range(3):
        packed = rng.normal(size=models[0].k_re2)
        assert models[1].loglike(packed) == pytest.approx(models[0].loglike(packed), rel=1e-12)
        np.testing.assert_allclose(models[1].score(packed), models[0].score(packed), rtol=1e-9)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for method in ("lbfgs", "bfgs"):
            slow, fast = (m.fit(reml=True, method=method) for m in models)
            bse = np.asarray(slow.bse_fe)
            np.testing.assert_allclose(
                np.asarray(fast.fe_params), np.asarray(slow.fe_params), rtol=0, atol=1e-8 * bse.min()
            )
            assert fast.llf == pytest.approx(slow.llf, abs=1e-8)
            np.testing.assert_allclose(np.asarray(fast.bse_fe), bse, rtol=1e-7)
