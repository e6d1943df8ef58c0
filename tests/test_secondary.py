"""Secondary models: descent x hinge interaction, knee competitor, the --all bundle, the specification curve."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from trailstrength.models import EFFECT_COLUMNS
from trailstrength.models.secondary import fit_h2_interaction, fit_knee_competitor, secondary_effects
from trailstrength.models.speccurve import SPEC_COLUMNS, Spec, default_specs, run_specs, simulated_panel_for
from trailstrength.simulate import CohortDesign, simulate_daily, simulate_panels

INTERACTION = -0.05  # soreness points per weekly set per 100 m of descent


def h2_panel(seed, beta_within=-0.15, interaction=INTERACTION, n_athletes=12, runs=25):
    rng = np.random.default_rng(seed)
    athlete = np.repeat([f"s{i:02d}" for i in range(n_athletes)], runs)
    n = athlete.size
    mean_hinge = np.repeat(rng.uniform(0.5, 6, n_athletes), runs)
    hinge = mean_hinge + rng.normal(0, 1.5, n)
    descent = rng.uniform(3, 15, n)
    w = hinge - pd.Series(hinge).groupby(athlete).transform("mean").to_numpy()
    soreness = (
        3
        + 0.25 * descent
        + beta_within * w
        - 0.5 * mean_hinge
        + interaction * (descent - descent.mean()) * w
        + np.repeat(rng.normal(0, 1, n_athletes), runs)
        + rng.normal(0, 0.8, n)
    )
    return pd.DataFrame(
        {
            "athlete_id": athlete,
            "soreness_peak_72h": soreness,
            "descent_100m": descent,
            "hinge_sets_28d": hinge,
            "descent_100m_28d": np.repeat(rng.uniform(4, 12, n_athletes), runs) + rng.normal(0, 2, n),
            "hinge_sets_acute": rng.poisson(2, n).astype(float),
            "other_descent_100m_72h": rng.exponential(2, n),
            "knee_sets_28d": rng.uniform(0, 5, n),
        }
    )


def test_interaction_recovered_and_centred():
    fit = fit_h2_interaction(h2_panel(1))
    eff = fit.effects.set_index("term")
    row = eff.loc["descent_x_hinge_sets_28d_within"]
    se = (row["ci_high"] - row["ci_low"]) / (2 * stats.norm.ppf(0.975))
    assert abs(row["estimate"] - INTERACTION) < 4 * se and row["p_value"] < 0.001
    assert row["unit"] == "soreness points per weekly hinge set per 100 m of descent (within athlete)"
    # descent centred: the main within term is the effect at average descent, still -0.15
    main = eff.loc["hinge_sets_28d_within"]
    assert main["ci_low"] - 0.05 < -0.15 < main["ci_high"] + 0.05
    assert "descent centred at" in row["note"]


# 100 null replicates: P(>= 11 rejections | 5 %) = 0.011
def test_interaction_false_positive_rate():
    rejections = sum(
        fit_h2_interaction(h2_panel(100 + k, interaction=0.0, n_athletes=10, runs=12))
        .effects.set_index("term")
        .loc["descent_x_hinge_sets_28d_within", "p_value"]
        < 0.05
        for k in range(100)
    )
    assert rejections <= stats.binom.ppf(0.989, 100, 0.05), rejections


def test_knee_competitor_terms():
    fit = fit_knee_competitor(h2_panel(2), "H2")
    assert {"knee_sets_28d_within", "knee_sets_28d_between", "hinge_sets_28d_within"} <= set(fit.effects["term"])


@pytest.fixture(scope="module")
def cohort():
    return simulate_panels(CohortDesign(athletes=8, weeks=20), seed=4)


def test_secondary_bundle_labels_and_bh(cohort):
    eff, text = secondary_effects(cohort.h1, cohort.h2, cohort.daily, n_boot=199)
    assert list(eff.columns) == EFFECT_COLUMNS and not eff["primary"].any()
    assert eff["note"].str.contains("secondary: ").all()
    models = set(eff["model"])
    assert {"ordinal_gee", "rmcorr"} <= models
    assert any(m.endswith("+knee") for m in models) and any(m.endswith("+descent_x_hinge") for m in models)
    assert any(m.endswith("+cluster_bootstrap") for m in models) and any(m.endswith("+lags") for m in models)
    fam = eff["term"].str.contains("hinge|knee")
    assert eff.loc[fam, "note"].str.startswith("BH q = ").all()
    assert not eff.loc[~fam, "note"].str.contains("BH q").any()
    # no duplicated (hypothesis, outcome, term, model) rows: the DESIGN key of effects.csv
    assert not eff.duplicated(["hypothesis", "outcome", "term", "model"]).any()
    # the 28-day window of the planted hinge effect shows in the H1 weekly lags: weeks 1-4 > 0, weeks 5-8 ~ 0
    lag = eff[eff["model"].str.endswith("+lags") & (eff["hypothesis"] == "H1")].set_index("term")["estimate"]
    assert lag[[f"hinge_sets_week{k}_within" for k in (1, 2, 3, 4)]].mean() > 0.002
    assert abs(lag[[f"hinge_sets_week{k}_within" for k in (6, 7, 8)]].mean()) < 0.0015


def test_spec_curve_table():
    daily = simulate_daily(CohortDesign(athletes=6, weeks=14), seed=3)
    specs = default_specs(windows=(14, 28), h1_thresholds=(500,), h2_thresholds=(0, 5))
    specs.append(Spec("H1", 28, exposure="not_a_column"))
    tab = run_specs(specs, simulated_panel_for(daily))
    assert list(tab.columns) == SPEC_COLUMNS and len(tab) == len(specs)
    bad = tab.iloc[-1]
    assert np.isnan(bad["estimate"]) and "not_a_column" in bad["note"] and bad["model"] == "not_fitted"
    ok = tab.iloc[:-1]
    assert ok["estimate"].notna().all()
    assert (ok.loc[ok["hypothesis"] == "H1", "estimate"] > 0).all()  # planted +0.012 DPI per set
    assert (ok.loc[ok["hypothesis"] == "H2", "estimate"] < 0).all()
    for _, g in ok[ok["duplicate_of"].isna()].groupby("hypothesis"):  # identical fits are ranked once
        assert sorted(g["rank"]) == list(range(1, len(g) + 1))
        assert (g["bh_q"] >= g["p_value"] - 1e-15).all()
    assert set(ok["model_choice"]) == {"lmm", "lmm_rs", "ordinal_gee"}
