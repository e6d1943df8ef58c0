"""Small-sample inference (Satterthwaite, Kenward-Roger, CR2) and random-slope selection by likelihood ratio.

Agreement with R (lmerTest, pbkrtest, clubSandwich) is pinned in tests/test_r_oracle.py; these tests check exact
textbook cases, the MixedFit options and the slope-selection rules.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from trailstrength.models import EFFECT_COLUMNS, fit_mixed, within_between
from trailstrength.models import mixed as mixed_module
from trailstrength.models.cr2 import cr2_test
from trailstrength.models.smallsample import REMLGeometry, mixed_contrast_test

DATA = __import__("pathlib").Path(__file__).parent / "data"
H1_TERMS = [
    "hinge_sets_28d_within",
    "hinge_sets_28d_between",
    "descent_100m_28d",
    "run_km_28d",
    "mean_descent_grade",
    "duration_h",
]
WITHIN = "hinge_sets_28d_within"


def balanced_panel(athletes=6, runs=5, seed=1) -> pd.DataFrame:
    """Balanced one-way layout; ``x`` takes the same values in every athlete (athlete mean 0)."""
    rng = np.random.default_rng(seed)
    x = np.tile(np.linspace(-1, 1, runs), athletes)
    y = 1 + 0.3 * x + np.repeat(rng.normal(0, 1, athletes), runs) + rng.normal(0, 0.5, athletes * runs)
    return pd.DataFrame({"athlete_id": np.repeat([f"a{i}" for i in range(athletes)], runs), "y": y, "x": x})


def slope_panel(slope_sd: float, athletes=8, runs=30, seed=3) -> pd.DataFrame:
    """Random intercepts, optional athlete-specific slopes of ``x``; within/between parts of ``x``."""
    rng = np.random.default_rng(seed)
    athlete = np.repeat([f"a{i:02d}" for i in range(athletes)], runs)
    x = np.repeat(rng.uniform(2, 6, athletes), runs) + rng.normal(0, 1.5, athletes * runs)
    slope = 0.02 + np.repeat(rng.normal(0, slope_sd, athletes), runs)
    panel = pd.DataFrame({"athlete_id": athlete, "x": x})
    parts = within_between(panel, "x")
    y = (
        1
        + slope * parts["x_within"]
        + 0.01 * parts["x_between"]
        + np.repeat(rng.normal(0, 0.08, athletes), runs)
        + rng.normal(0, 0.05, athletes * runs)
    )
    return parts.assign(y=y)


@pytest.fixture(scope="module")
def h1_panel():
    return within_between(pd.read_csv(DATA / "r_panel_h1.csv"), "hinge_sets_28d")


# --------------------------------------------------------------------------- exact cases


@pytest.mark.parametrize("method", ["satterthwaite", "kenward-roger"])
def test_balanced_one_way_gives_the_anova_degrees_of_freedom(method):
    """Balanced random intercept: the intercept is tested on athletes - 1 df, a balanced within term on N - G - 1."""
    fit = fit_mixed(balanced_panel(), "y", ["x"], hypothesis="T", units={})
    assert fit.model == "mixedlm_ri"
    tab = fit.tests(method)
    assert tab.loc["Intercept", "df"] == pytest.approx(6 - 1, rel=1e-5)
    assert tab.loc["x", "df"] == pytest.approx(30 - 6 - 1, rel=1e-5)
    assert tab.loc["x", "p_value"] == pytest.approx(2 * stats.t.sf(abs(tab.loc["x", "statistic"]), 23), rel=1e-4)


def test_cr2_of_a_mean_is_the_standard_error_of_athlete_means():
    """Intercept-only OLS, equal runs per athlete: CR2 variance = var(athlete means) / G, Bell-McCaffrey df = G - 1."""
    panel = balanced_panel()
    tab = cr2_test(pd.DataFrame({"Intercept": np.ones(len(panel))}), panel["y"], panel["athlete_id"])
    means = panel.groupby("athlete_id")["y"].mean()
    assert tab.loc["Intercept", "se"] == pytest.approx(np.sqrt(means.var() / 6), rel=1e-10)
    assert tab.loc["Intercept", "df"] == pytest.approx(5, rel=1e-10)


def test_reml_geometry_reaches_the_optimum(h1_panel):
    fit = fit_mixed(h1_panel, "dpi", H1_TERMS, hypothesis="H1", units={}, random_slope=WITHIN)
    geo = REMLGeometry.from_result(fit.result)
    assert geo.newton_steps >= 1 and np.abs(geo.score).max() < 1e-6
    np.testing.assert_allclose(geo.beta, fit.result.fe_params, rtol=1e-3)
    assert np.linalg.eigvalsh(geo.observed_info).min() > 0


def test_satterthwaite_contrast_equals_term_for_unit_weights(h1_panel):
    fit = fit_mixed(h1_panel, "dpi", H1_TERMS, hypothesis="H1", units={}, random_slope=WITHIN)
    row = mixed_contrast_test(fit.result, {WITHIN: 1.0})
    assert row == pytest.approx(fit.tests("satterthwaite").loc[WITHIN].to_dict())
    with pytest.raises(KeyError, match="nope"):
        mixed_contrast_test(fit.result, {"nope": 1.0})
    with pytest.raises(ValueError, match="method"):
        mixed_contrast_test(fit.result, {WITHIN: 1.0}, method="wald")


# --------------------------------------------------------------------------- MixedFit options


def test_default_effects_unchanged_and_options_fill_df(h1_panel):
    wald = fit_mixed(h1_panel, "dpi", H1_TERMS, hypothesis="H1", units={}, random_slope=WITHIN)
    assert list(wald.effects.columns) == EFFECT_COLUMNS and wald.inference == "wald"
    assert wald.effects["df"].isna().all()  # Wald z: no degrees of freedom, an empty cell in effects.csv
    w = wald.effects.set_index("term").loc[WITHIN]
    assert w["ci_high"] - w["estimate"] == pytest.approx(stats.norm.ppf(0.975) * wald.result.bse_fe[WITHIN])
    assert np.isinf(wald.df[WITHIN])
    for inference in ("satterthwaite", "kenward-roger", "cr2"):
        fit = fit_mixed(h1_panel, "dpi", H1_TERMS, hypothesis="H1", units={}, random_slope=WITHIN, inference=inference)
        assert list(fit.effects.columns) == EFFECT_COLUMNS
        row = fit.effects.set_index("term").loc[WITHIN]
        test = fit.tests().loc[WITHIN]
        assert row["estimate"] == w["estimate"] and 5 < row["df"] < 8  # 8 athletes, random slope
        half = stats.t.ppf(0.975, row["df"]) * test["se"]
        assert row["ci_high"] - row["estimate"] == pytest.approx(half)
        assert row["p_value"] > w["p_value"]  # t with few df is less sure than z
        assert "df column" in fit.note
        assert fit.df[WITHIN] == row["df"]


def test_contrast_keeps_its_tuple_and_contrast_test_adds_df(h1_panel):
    fit = fit_mixed(h1_panel, "dpi", H1_TERMS, hypothesis="H1", units={}, random_slope=WITHIN)
    weights = {WITHIN: 1.0, "hinge_sets_28d_between": -1.0}
    est, lo, hi, p = fit.contrast(weights)
    z = fit.contrast_test(weights)
    assert (est, lo, hi, p) == (z["estimate"], z["ci_low"], z["ci_high"], z["p_value"]) and np.isinf(z["df"])
    t = fit.contrast_test(weights, inference="satterthwaite")
    assert t["estimate"] == pytest.approx(est) and 8 < t["df"] < 10 and t["p_value"] > p
    with pytest.raises(ValueError, match="inference"):
        fit.contrast_test(weights, inference="bootstrap")
    with pytest.raises(ValueError, match="slope_selection"):
        fit_mixed(h1_panel, "dpi", H1_TERMS, hypothesis="H1", units={}, slope_selection="always")


def test_ols_fallbacks_under_small_sample_inference():
    one = balanced_panel(athletes=1, runs=12)
    fit = fit_mixed(one, "y", ["x"], hypothesis="T", units={}, inference="satterthwaite")
    assert fit.model == "ols" and fit.effects.loc[0, "df"] == 10  # runs - 2
    panel = balanced_panel(athletes=8, runs=6)
    noise = pd.Series(np.random.default_rng(0).normal(0, 0.5, len(panel)))
    # noise centred within athlete: every athlete has the same mean, the intercept variance is exactly 0
    panel["y"] = 1 + 0.3 * panel["x"] + noise - noise.groupby(panel["athlete_id"]).transform("mean")
    fit = fit_mixed(panel, "y", ["x"], hypothesis="T", units={}, inference="kenward-roger")
    assert fit.model == "ols_cluster" and "CR2" in fit.note
    x = pd.DataFrame({"Intercept": 1.0, "x": panel["x"]})
    expected = cr2_test(x, panel["y"], panel["athlete_id"]).loc["x"]
    assert fit.effects.loc[0, "df"] == pytest.approx(expected["df"])
    assert fit.effects.loc[0, "p_value"] == pytest.approx(expected["p_value"])


# --------------------------------------------------------------------------- random-slope selection


def test_lrt_keeps_a_supported_slope_and_reports_the_test(h1_panel):
    fit = fit_mixed(h1_panel, "dpi", H1_TERMS, hypothesis="H1", units={}, random_slope=WITHIN, slope_selection="lrt")
    t = fit.slope_test
    assert fit.model == "mixedlm_rs" and t["kept"] and t["p_value"] < 0.05
    assert t["statistic"] == pytest.approx(2 * (t["llf_slope"] - t["llf_intercept"]))
    assert t["p_value"] == pytest.approx(
        0.5 * stats.chi2.sf(t["statistic"], 1) + 0.5 * stats.chi2.sf(t["statistic"], 2)
    )
    assert f"2dlogL = {t['statistic']:.3f}" in fit.note and "kept at 0.05" in fit.note
    v1 = fit_mixed(h1_panel, "dpi", H1_TERMS, hypothesis="H1", units={}, random_slope=WITHIN)
    assert fit.result.llf >= v1.result.llf - 1e-6  # best of several fits, never worse than the first


def test_lrt_drops_an_unsupported_slope():
    panel = slope_panel(slope_sd=0.0)
    fit = fit_mixed(
        panel, "y", ["x_within", "x_between"], hypothesis="T", units={}, random_slope="x_within", slope_selection="lrt"
    )
    assert fit.model == "mixedlm_ri" and not fit.slope_test["kept"]
    assert fit.slope_test["p_value"] >= 0.05 and "not kept" in fit.note
    supported = slope_panel(slope_sd=0.03)
    fit = fit_mixed(
        supported,
        "y",
        ["x_within", "x_between"],
        hypothesis="T",
        units={},
        random_slope="x_within",
        slope_selection="lrt",
    )
    assert fit.model == "mixedlm_rs" and fit.slope_test["p_value"] < 1e-3


class _LowerLikelihood:
    """A fitted result that claims a log-likelihood below the intercept-only optimum (an optimiser that stalled)."""

    def __init__(self, result, llf):
        self._result, self.llf = result, llf

    def __getattr__(self, name):
        return getattr(self._result, name)


def test_slope_fit_below_the_intercept_only_optimum_is_never_kept(monkeypatch, h1_panel):
    real_fit_one = mixed_module._fit_one

    def stalled(endog, exog, groups, exog_re, method, reml, start=None):
        res, warns, err = real_fit_one(endog, exog, groups, exog_re, method, reml, start)
        if exog_re is None or res is None:
            return res, warns, err
        return _LowerLikelihood(res, -1e6), warns, err

    monkeypatch.setattr(mixed_module, "_fit_one", stalled)
    fit = fit_mixed(h1_panel, "dpi", H1_TERMS, hypothesis="H1", units={}, random_slope=WITHIN, slope_selection="lrt")
    assert fit.model == "mixedlm_ri" and not fit.slope_test["kept"]
    assert "below" in fit.note or "no slope fit at or above" in fit.note
    assert fit.slope_test["p_value"] == 1.0
