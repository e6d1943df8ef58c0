"""Repeated-measures correlation: published inference values, hand derivation, ANCOVA equivalence, Monte Carlo."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from scipy import stats

from trailstrength.models import EFFECT_COLUMNS
from trailstrength.models.rmcorr import rmcorr, rmcorr_effects, rmcorr_inference


def test_inference_matches_published_example():
    # Bakdash & Marusich (2017) / rmcorr README, Bland & Altman (1995) data:
    # r = -0.5067697, df = 38, p = 0.0008471081, 95% CI -0.7067146 to -0.2318631
    p, lo, hi = rmcorr_inference(-0.5067697, 38)
    assert p == pytest.approx(0.0008471081, rel=2e-6)  # r is published to 7 digits
    assert lo == pytest.approx(-0.7067146, abs=1e-7)
    assert hi == pytest.approx(-0.2318631, abs=1e-7)


def test_hand_derivation():
    # two athletes, three observations each; deviations from athlete means:
    # a: x (-1, 0, 1), y (-2, 1, 1); b: x (-1, 0, 1), y (0, -1, 1)
    # Sxy = (2 + 0 + 1) + (0 + 0 + 1) = 4; Sxx = 4; Syy = (4 + 1 + 1) + (0 + 1 + 1) = 8
    # r = 4 / sqrt(32) = 0.70711, slope = 1, df = 6 - 2 - 1 = 3
    d = pd.DataFrame({"athlete_id": list("aaabbb"), "x": [1, 2, 3, 10, 11, 12], "y": [3, 6, 6, 20, 19, 21]})
    s = rmcorr(d, "x", "y")
    assert s["r"] == pytest.approx(1 / np.sqrt(2)) and s["slope"] == pytest.approx(1.0)
    assert s["df"] == 3 and s["n_athletes"] == 2 and s["n_obs"] == 6
    s["r"] * np.sqrt(3 / (1 - s["r"] ** 2))  # = sqrt(3)
    assert s["p_value"] == pytest.approx(2 * stats.t.sf(np.sqrt(3), 3))


def test_equals_ancova_t_test_and_symmetry():
    rng = np.random.default_rng(0)
    k, m = 9, 7
    d = pd.DataFrame({"athlete_id": np.repeat(np.arange(k), m), "x": rng.normal(size=k * m)})
    d["y"] = np.repeat(rng.normal(0, 3, k), m) - 0.4 * d["x"] + rng.normal(size=k * m)
    d.loc[3, "y"] = np.nan  # dropped as a pair
    s = rmcorr(d, "x", "y")
    fit = smf.ols("y ~ C(athlete_id) + x", data=d.dropna()).fit()
    assert s["df"] == fit.df_resid
    assert s["p_value"] == pytest.approx(fit.pvalues["x"], rel=1e-9)
    assert s["slope"] == pytest.approx(fit.params["x"], rel=1e-9)
    partial_r2 = fit.tvalues["x"] ** 2 / (fit.tvalues["x"] ** 2 + fit.df_resid)
    assert s["r"] == pytest.approx(-np.sqrt(partial_r2), rel=1e-9)
    assert rmcorr(d, "y", "x")["r"] == pytest.approx(s["r"])


def test_single_observation_athletes_dropped_and_effect_rows():
    d = pd.DataFrame(
        {"athlete_id": ["a", "a", "a", "b", "c", "c", "c"], "x": [1, 2, 3, 5, 1, 2, 4.0], "y": [1, 3, 2, 9, 0, 1, 3.0]}
    )
    s = rmcorr(d, "x", "y")
    assert s["n_athletes"] == 2 and s["n_obs"] == 6 and s["df"] == 3
    eff = rmcorr_effects(d, [("x", "y")], hypothesis="H1")
    assert list(eff.columns) == EFFECT_COLUMNS and eff.loc[0, "model"] == "rmcorr"
    assert eff.loc[0, "estimate"] == pytest.approx(s["r"]) and not eff.loc[0, "primary"]


# Monte Carlo (bounds: binomial 99.5 % quantiles of 200 replicates).  Within-athlete correlation
# rho = 0.3 planted as y_w = b x_w + e with Var(x_w) = 1, b = rho / sqrt(1 - rho^2), plus athlete
# offsets in both measures that are *negatively* related (a naive Pearson r would be biased).
N_MC = 200


def _mc_panel(rng, rho):
    k, m = 10, 8
    off = rng.normal(0, 2, k)
    x = np.repeat(off, m) + rng.normal(size=k * m)
    b = rho / np.sqrt(1 - rho**2)
    y = np.repeat(-2 * off, m) + b * (x - np.repeat(off, m)) + rng.normal(size=k * m)
    return pd.DataFrame({"athlete_id": np.repeat(np.arange(k), m), "x": x, "y": y})


@pytest.mark.montecarlo
@pytest.mark.parametrize("rho", [0.0, 0.3])
def test_monte_carlo_coverage_and_size(rho):
    rng = np.random.default_rng(42)
    res = pd.DataFrame([rmcorr(_mc_panel(rng, rho), "x", "y") for _ in range(N_MC)])
    covered = ((res["ci_low"] <= rho) & (rho <= res["ci_high"])).sum()
    assert covered >= stats.binom.ppf(0.005, N_MC, 0.95), covered
    if rho == 0:
        assert (res["p_value"] < 0.05).sum() <= stats.binom.ppf(0.995, N_MC, 0.05)
    # r_rm is slightly biased towards 0 like Pearson's r (E r ~ rho (1 - (1 - rho^2) / (2 df))): within 4 MCSE
    assert abs(res["r"].mean() - rho) < 4 * res["r"].std() / np.sqrt(N_MC) + 0.01
