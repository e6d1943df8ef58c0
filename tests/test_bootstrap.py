"""Athlete cluster bootstrap: resampling, engines agree, intervals, and coverage where Wald fails."""

from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from trailstrength.models import EFFECT_COLUMNS, fit_mixed
from trailstrength.models.bootstrap import _interval, cluster_bootstrap, resample_athletes

BETA = 0.5


def slope_panel(seed, n_athletes=8, runs=25, slope_sd=0.0, beta=BETA):
    """y = beta_i * x + u_i + e with athlete-specific slopes beta_i ~ N(beta, slope_sd)."""
    rng = np.random.default_rng(seed)
    athlete = np.repeat([f"a{i}" for i in range(n_athletes)], runs)
    x = rng.normal(size=athlete.size)
    slopes = np.repeat(beta + rng.normal(0, slope_sd, n_athletes), runs)
    y = slopes * x + np.repeat(rng.normal(0, 1, n_athletes), runs) + rng.normal(0, 1, athlete.size)
    return pd.DataFrame({"athlete_id": athlete, "x": x, "y": y})


fit_x = partial(fit_mixed, outcome="y", terms=["x"], hypothesis="HX", units={})


def test_resample_renames_duplicates():
    panel = slope_panel(0, n_athletes=3, runs=2)
    out = resample_athletes(panel, ["a1", "a1", "a2"])
    assert list(out["athlete_id"]) == ["a1#0", "a1#0", "a1#1", "a1#1", "a2#2", "a2#2"]
    np.testing.assert_allclose(out["x"].iloc[:2], out["x"].iloc[2:4])


# 200 replicates per engine (the refit engine fits 200 mixed models: 73 s at load 10, so make test only): with
# the engines' draws correlated at r ~ 0.89, the SE of log(SD_gls / SD_refit) is about sqrt((1 - r^2) / 200)
# = 0.032, so the 10 % tolerance sits 1.7 SE beyond the measured 4 % gap; 100 replicates would leave 1.2 SE.
@pytest.mark.slow
def test_engines_agree_and_table_shape():
    panel = slope_panel(1, n_athletes=10, slope_sd=0.3)
    original = fit_x(panel)
    gls = cluster_bootstrap(panel, fit_x, engine="gls", n_boot=200, seed=3, original=original)
    refit = cluster_bootstrap(panel, fit_x, engine="refit", n_boot=200, seed=3, original=original)
    # same athlete draws; the GLS engine holds the variance components fixed, which changes how much weight
    # the between-athlete part of x gets in each replicate (measured here: r = 0.89, SDs 4 % apart)
    r = np.corrcoef(gls.draws["x"], refit.draws["x"])[0, 1]
    assert r > 0.8
    assert gls.draws["x"].std() == pytest.approx(refit.draws["x"].std(), rel=0.1)
    for res in (gls, refit):
        eff = res.effects
        assert list(eff.columns) == EFFECT_COLUMNS and eff.loc[0, "model"] == "mixedlm_ri+cluster_bootstrap"
        assert eff.loc[0, "estimate"] == original.effects.loc[0, "estimate"]
        assert "athlete cluster bootstrap" in eff.loc[0, "note"] and "t(9)" in eff.loc[0, "note"]


@pytest.mark.slow  # starts a process pool (15 s at load 10)
def test_refit_parallel_equals_serial():
    panel = slope_panel(2, n_athletes=6, runs=10)
    a = cluster_bootstrap(panel, fit_x, n_boot=24, seed=5, workers=1)
    b = cluster_bootstrap(panel, fit_x, n_boot=24, seed=5, workers=2)
    pd.testing.assert_frame_equal(a.draws, b.draws)


def test_interval_formulas():
    draws = pd.Series(np.linspace(-1, 3, 401))  # uniform grid, sd known
    lo, hi, p = _interval(1.0, 0.5, draws, draws * 0 + 0.5, "t_boot_se", 9, 0.95)
    s = draws.std(ddof=1) * np.sqrt(9 / 8)
    assert (lo, hi) == pytest.approx((1 - stats.t.ppf(0.975, 8) * s, 1 + stats.t.ppf(0.975, 8) * s))
    assert p == pytest.approx(2 * stats.t.sf(1 / s, 8))
    lo, hi, p = _interval(1.0, 0.5, draws, draws * 0 + 0.5, "percentile", 9, 0.95)
    assert (lo, hi) == pytest.approx((-0.9, 2.9))
    assert p == pytest.approx(2 * (draws <= 0).mean())


def test_errors():
    panel = slope_panel(3, n_athletes=3)
    with pytest.raises(ValueError, match="at least 4"):
        cluster_bootstrap(panel, fit_x, n_boot=10)
    with pytest.raises(ValueError, match="engine"):
        cluster_bootstrap(slope_panel(3), fit_x, engine="wild")
    with pytest.raises(ValueError, match="ci must be"):
        cluster_bootstrap(slope_panel(3), fit_x, ci="bca")


# 8 athletes whose slopes differ (SD 0.4 around 0.5), fitted with a random intercept only: the Wald interval
# ignores the slope heterogeneity and under-covers.  Measured on 200 replicates (999 bootstrap draws each): Wald
# 0.815, bootstrap t_boot_se 0.93, percentile 0.87, studentized 0.945.  With 100 replicates the bound below is the
# binomial 0.5 % quantile at 0.93 (86), and the paired gap Wald < bootstrap (expected 11 intervals, SD ~3.4) fails
# by chance with probability < 0.001.
N_MC = 100


@pytest.mark.montecarlo
def test_bootstrap_beats_wald_with_few_heterogeneous_athletes():
    wald = boot = 0
    for rep in range(N_MC):
        panel = slope_panel(100 + rep, n_athletes=8, runs=25, slope_sd=0.4)
        original = fit_x(panel)
        w = original.effects.iloc[0]
        wald += w["ci_low"] <= BETA <= w["ci_high"]
        b = cluster_bootstrap(panel, fit_x, engine="gls", n_boot=499, seed=rep, original=original).effects.iloc[0]
        boot += b["ci_low"] <= BETA <= b["ci_high"]
    assert boot >= stats.binom.ppf(0.005, N_MC, 0.93), f"bootstrap covered {boot}/{N_MC}"
    assert wald < boot, f"Wald {wald} vs bootstrap {boot} of {N_MC}"


@pytest.mark.parametrize("methods", [None, ()])  # () forces the athlete-clustered OLS fallback
def test_gls_bootstrap_resamples_only_the_athletes_the_model_used(methods):
    from trailstrength.models.bootstrap import bootstrap_inference

    panel = slope_panel(4, n_athletes=9)
    panel.loc[panel["athlete_id"].isin(["a0", "a5"]), "y"] = np.nan  # two athletes without a complete row
    fit = fit_x(panel) if methods is None else fit_x(panel, methods=methods)
    assert fit.model == ("mixedlm_ri" if methods is None else "ols_cluster") and len(fit.athletes) == 7
    out, boot = bootstrap_inference(fit.effects, panel, fit, ["x"], n_boot=299)
    assert boot is not None and boot.n_groups == 7 and "t(6)" in boot.effects.loc[0, "note"]
    assert out.loc[0, "model"].endswith("+cluster_bootstrap") and "Wald would give" in out.loc[0, "note"]
