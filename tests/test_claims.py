"""H3-H7 claim models (models.claims): planted effects recovered, H4 equality test, tidy contract, end to end."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from trailstrength.models import EFFECT_COLUMNS, claims


def _panel(seed: int = 0, athletes: int = 12, runs: int = 30) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = athletes * runs
    a = np.repeat(np.arange(athletes), runs)
    level = rng.normal(0, 2, athletes)[a]  # athlete habits: between-athlete confounding
    pure = np.clip(level + 3 + rng.normal(0, 1.5, n), 0, None)
    conv = np.clip(level / 2 + 2 + rng.normal(0, 1.0, n), 0, None)
    return pd.DataFrame(
        {
            "athlete_id": [f"a{i:02d}" for i in a],
            "hinge_sets_28d": pure + conv,
            "pure_hinge_sets_28d": pure,
            "deadlift_sets_28d": conv,
            "hinge_ecc_tut_s_28d": np.clip(60 * (level + 5 + rng.normal(0, 2, n)), 0, None),
            "hinge_unilateral_share_28d": np.clip(0.3 + 0.1 * level + rng.normal(0, 0.15, n), 0, 1),
            "descent_100m_28d": rng.gamma(4, 2, n),
            "run_km_28d": rng.gamma(6, 6, n),
            "mean_descent_grade": -rng.uniform(0.08, 0.2, n),
            "mean_climb_grade": rng.uniform(0.08, 0.2, n),
            "duration_h": rng.uniform(1, 4, n),
            "descent_100m": rng.gamma(4, 2, n),
            "hinge_sets_acute": rng.poisson(3, n).astype(float),
            "other_descent_100m_72h": rng.gamma(1, 2, n),
            "_u": rng.normal(0, 0.05, athletes)[a] + 0.05 * level,
            "_e": rng.normal(0, 0.03, n),
        }
    )


def _covers(eff: pd.DataFrame, term: str, truth: float, outcome: str | None = None) -> None:
    rows = eff[(eff["term"] == term) & ((eff["outcome"] == outcome) if outcome else True)]
    assert len(rows) == 1, eff[["hypothesis", "outcome", "term"]]
    r = rows.iloc[0]
    assert r["ci_low"] <= truth <= r["ci_high"], (term, r["estimate"], r["ci_low"], r["ci_high"])
    assert not r["primary"]


def _contract(eff: pd.DataFrame, hyp: str) -> None:
    assert list(eff.columns) == EFFECT_COLUMNS
    assert (eff["hypothesis"] == hyp).all() and not eff["primary"].any()
    assert eff["note"].str.startswith(f"secondary: {hyp} ").all()
    assert eff["unit"].str.len().gt(0).all()


def test_h3_recovers_planted_climb_effect():
    p = _panel(1)
    p["climb_performance_index"] = 0.7 + 0.01 * p["hinge_sets_28d"] + 0.3 * p["mean_climb_grade"] + p["_u"] + p["_e"]
    eff = claims.fit_h3(p)
    _contract(eff, "H3")
    _covers(eff, "hinge_sets_28d_within", 0.01)
    assert eff.loc[0, "unit"] == "cpi per weekly hinge set (within athlete)"


def test_h3_drops_missing_covariate_with_note():
    p = _panel(2).drop(columns=["mean_climb_grade"])
    p["climb_performance_index"] = 0.7 + 0.01 * p["hinge_sets_28d"] + p["_u"] + p["_e"]
    eff = claims.fit_h3(p)
    assert "mean_climb_grade" not in set(eff["term"]) and eff["note"].str.contains("unavailable, dropped").all()


def test_h5_recovers_planted_tut_effect_on_dpi_and_soreness():
    p = _panel(3)
    tut_min = p["hinge_ecc_tut_s_28d"] / 60
    p["dpi"] = 0.9 + 0.02 * tut_min + p["_u"] + p["_e"]
    p["soreness_peak_72h"] = 4 - 0.3 * tut_min + 0.2 * p["descent_100m"] + 10 * p["_u"] + 20 * p["_e"]
    eff = claims.fit_h5(p, p)
    _contract(eff, "H5")
    _covers(eff, "hinge_ecc_tut_min_28d_within", 0.02, "dpi")
    _covers(eff, "hinge_ecc_tut_min_28d_within", -0.3, "soreness_peak_72h")
    assert eff["unit"].str.contains("minute/week of hinge eccentric time under tension").any()


def test_h7_recovers_planted_unilateral_effect():
    p = _panel(4)
    p["dpi"] = 0.9 + 0.1 * p["hinge_unilateral_share_28d"] + 0.005 * p["hinge_sets_28d"] + p["_u"] + p["_e"]
    eff = claims.fit_h7(p)
    _contract(eff, "H7")
    _covers(eff, "hinge_unilateral_share_28d_within", 0.1)


def test_h4_equality_row_and_planted_difference():
    p = _panel(5)
    p["dpi"] = 0.9 + 0.02 * p["pure_hinge_sets_28d"] + 0.0 * p["deadlift_sets_28d"] + p["_u"] + p["_e"]
    eff = claims.fit_h4(p)
    _contract(eff, "H4")
    assert eff.loc[0, "term"] == "pure_minus_conventional_within"
    _covers(eff, "pure_minus_conventional_within", 0.02)
    _covers(eff, "pure_hinge_sets_28d_within", 0.02)
    assert eff.loc[0, "p_value"] < 0.05 and "equal within coefficients" in eff.loc[0, "note"]
    assert eff.loc[0, "model"].endswith("+cluster_bootstrap") and "Wald would give" in eff.loc[0, "note"]
    wald = claims.fit_h4(p, inference="wald")
    assert "Wald test of equal within coefficients" in wald.loc[0, "note"]
    # same estimates, different intervals; the bootstrap's CI is centred on the estimate too
    assert np.allclose(wald["estimate"], eff["estimate"], equal_nan=True)
    row = eff.loc[0]
    assert np.isclose(row["estimate"] - row["ci_low"], row["ci_high"] - row["estimate"])
    assert not np.isclose(row["ci_low"], wald.loc[0, "ci_low"])


def test_claims_exposure_rows_use_the_cluster_bootstrap_unless_asked_for_wald():
    p = _panel(4)
    p["dpi"] = 0.9 + 0.1 * p["hinge_unilateral_share_28d"] + 0.005 * p["hinge_sets_28d"] + p["_u"] + p["_e"]
    boot, wald = claims.fit_h7(p), claims.fit_h7(p, inference="wald")
    exposure = boot["term"].str.startswith("hinge_unilateral_share_28d")
    assert boot.loc[exposure, "model"].str.endswith("+cluster_bootstrap").all()
    assert not boot.loc[~exposure, "model"].str.endswith("+cluster_bootstrap").any()  # covariates keep Wald
    assert not wald["model"].str.endswith("+cluster_bootstrap").any()
    with pytest.raises(ValueError, match="inference"):
        claims.fit_h7(p, inference="sandwich")


def test_h4_without_conventional_sets_is_nan_with_note():
    p = _panel(6).assign(deadlift_sets_28d=0.0)
    p["dpi"] = 0.9 + 0.02 * p["pure_hinge_sets_28d"] + p["_u"] + p["_e"]
    eff = claims.fit_h4(p)
    _contract(eff, "H4")
    diff = eff[eff["term"] == "pure_minus_conventional_within"].iloc[0]
    assert np.isnan(diff["estimate"]) and np.isnan(diff["ci_low"]) and np.isnan(diff["p_value"])
    assert "not estimable" in diff["note"] and "equality not testable" in diff["note"]
    assert not diff["model"].endswith("+cluster_bootstrap")  # nothing was bootstrapped for this row
    assert eff.loc[eff["term"] == "deadlift_sets_28d_within", "estimate"].isna().all()
    _covers(eff, "pure_hinge_sets_28d_within", 0.02)


def test_h6_categories_vs_zero():
    p = _panel(7)
    x = p["hinge_sets_28d"] = np.random.default_rng(7).choice([0.0, 2.0, 5.0, 8.0], len(p))
    step = np.select([x == 0, x <= 3, x <= 6], [0.0, 0.02, 0.04], 0.06)
    p["dpi"] = 0.9 + step + p["_u"] + p["_e"]
    eff = claims.fit_h6(p)
    _contract(eff, "H6")
    assert list(eff["term"][:3]) == ["hinge_sets_0_3_within", "hinge_sets_3_6_within", "hinge_sets_gt6_within"]
    for term, truth in zip(eff["term"][:3], (0.02, 0.04, 0.06)):
        _covers(eff, term, truth)
    assert "random intercept" in eff.loc[0, "note"] and "runs per category" in eff.loc[0, "note"]


def test_h6_empty_category_is_nan_not_error():
    p = _panel(8)
    p["hinge_sets_28d"] = np.random.default_rng(8).choice([0.0, 2.0], len(p))
    p["dpi"] = 0.9 + p["_u"] + p["_e"]
    eff = claims.fit_h6(p)
    assert eff.loc[eff["term"] == "hinge_sets_gt6_within", "estimate"].isna().all()
    assert eff.loc[eff["term"] == "hinge_sets_0_3_within", "estimate"].notna().all()


def test_thin_panel_never_raises():
    p = _panel(9, athletes=2, runs=3)
    p["dpi"] = 1.0
    p["climb_performance_index"] = 1.0
    for eff in (claims.fit_h3(p), claims.fit_h4(p), claims.fit_h5(p), claims.fit_h6(p), claims.fit_h7(p)):
        assert list(eff.columns) == EFFECT_COLUMNS and eff["estimate"].isna().all()


def test_claims_bundle_skips_missing_columns():
    p = _panel(10)
    p["dpi"] = 0.9 + p["_u"] + p["_e"]
    eff, text = claims.claims_effects(p.drop(columns=["hinge_unilateral_share_28d"]), None, None)
    assert set(eff["hypothesis"]) == {"H4", "H5", "H6"} and "H7: skipped" in text
    assert eff["note"].str.contains("claims H3-H7 exposure terms").any()


@pytest.mark.slow
def test_analyze_all_claims_has_claim_rows(tmp_path):
    from trailstrength import analysis, report, warehouse
    from trailstrength.simulate import simulate_cohort

    simulate_cohort(tmp_path / "raw", athletes=4, weeks=8, seed=1)
    warehouse.ingest(tmp_path / "raw", warehouse=tmp_path / "wh", progress=False)
    res = analysis.analyze(tmp_path / "wh", all_claims=True, n_boot=19)
    eff = res.effects
    assert list(eff.columns) == EFFECT_COLUMNS and eff["primary"].sum() == 2
    assert {"H3", "H4", "H5", "H6", "H7"} <= set(eff["hypothesis"])
    assert (eff["term"] == "pure_minus_conventional_within").sum() == 1
    assert not eff.duplicated(["hypothesis", "outcome", "term", "model"]).any()
    table = report.hypothesis_table(eff)
    assert not table["result"].str.contains("not estimated").any()
    assert "claims H3-H7" in res.summary


def test_claims_recovery_benchmark_runs_and_reports_every_planted_term(monkeypatch):
    """benchmarks/claims_recovery.py on 2 cohorts: one row per claim x scenario x term x interval method."""
    import importlib
    import sys
    from pathlib import Path

    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[1] / "benchmarks"))
    bench = importlib.import_module("claims_recovery")
    table = bench.main(["--reps", "2", "--workers", "1", "--claims", "H4", "H7"])
    expected = sum(len(bench.truth(c, s)) for c in ("H4", "H7") for s in bench.SCENARIOS) * len(bench.INFERENCE)
    assert len(table) == expected and (table["fitted"] == 2).all()
    diff = table[table["term"] == "pure_minus_conventional_within"].groupby("scenario")["truth"].first()
    assert diff["effect"] == 0.006 and diff["null"] == 0.0
    assert table["coverage"].between(0, 1).all() and table["bias"].notna().all()
    sys.modules.pop("claims_recovery", None)
