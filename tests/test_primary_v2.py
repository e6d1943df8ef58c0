"""DESIGN §8 v2 primary models: v2 terms, v1 as sensitivity rows, negative control, E-value, n-of-1 (simulated)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from trailstrength.models import fit_primary
from trailstrength.models.confounding import evalue
from trailstrength.models.mixed_result import INFERENCE_NOTES
from trailstrength.models.primary import PRIMARY_INFERENCE, fit_h1, fit_h2
from trailstrength.simulate import CohortDesign, simulate_panels


@pytest.fixture(scope="module")
def cohort():
    return simulate_panels(CohortDesign(athletes=6, weeks=12), seed=5)


@pytest.fixture(scope="module")
def effects(cohort):
    return fit_primary(cohort.h1, cohort.h2)[0]


def test_v2_terms_are_in_the_primary_models(effects):
    prim = effects[~effects["model"].str.contains(r"\+")]
    h1, h2 = (set(prim.loc[prim["hypothesis"] == h, "term"]) for h in ("H1", "H2"))
    spline = {f"descent_100m_28d_ns{k}" for k in (1, 2, 3)}
    assert spline | {"season_weeks_within", "distance_km"} <= h1 and "duration_h" not in h1
    assert spline | {"season_weeks_within", "hinge_sets_pre3d", "other_descent_100m_pre72h"} <= h2
    assert not h2 & {"hinge_sets_acute", "other_descent_100m_72h", "descent_100m_28d"}
    assert effects["primary"].sum() == 2
    assert effects.loc[effects["primary"], "note"].str.startswith("Holm p = ").all()


def test_v1_post_run_clean_window_and_negative_control_rows(effects):
    sens = effects[~effects["primary"] & effects["model"].str.contains(r"\+(?:v1|post_run|clean_window|negative)")]
    tags = {m.split("+")[1] for m in sens["model"]}
    assert {"v1", "post_run", "clean_window", "negative_control"} <= tags
    v1 = sens[sens["model"].str.contains("v1") & (sens["term"] == "hinge_sets_28d_within")]
    assert set(v1["hypothesis"]) == {"H1", "H2"}
    nc = effects[effects["term"] == "upper_sets_28d_within"]
    assert set(nc["hypothesis"]) == {"H1", "H2"} and nc["note"].str.contains("flags confounding").all()
    # every H1 / H2 row takes its hypothesis' primary inference (PRIMARY_INFERENCE), with its df, and the rows
    # still say which model they are
    for hyp in ("H1", "H2"):
        rows = effects[(effects["hypothesis"] == hyp) & effects["term"].str.endswith("_within")]
        assert rows["note"].str.contains(INFERENCE_NOTES[PRIMARY_INFERENCE[hyp]], regex=False).all()
        assert np.isfinite(rows["df"]).all() and (rows["df"] > 0).all()
    h2w = effects[(effects["hypothesis"] == "H2") & (effects["term"] == "hinge_sets_28d_within")]
    assert h2w["model"].str.contains("v1").any() and h2w["model"].str.contains("clean_window").any()


def test_primary_notes_state_evalue_and_collinearity(effects):
    notes = effects.loc[effects["primary"], "note"]
    assert notes.str.contains("E-value").all() and notes.str.contains("VIF of hinge_sets_28d_within").all()
    assert notes.str.contains(r"r = -?\d\.\d\d within athletes, -?\d\.\d\d between").all()


def test_evalue_matches_vanderweele_ding():
    assert evalue(3.9) == pytest.approx(3.9 + np.sqrt(3.9 * 2.9))  # their worked example: RR 3.9 -> 7.26
    assert evalue(1 / 3.9) == pytest.approx(evalue(3.9)) and evalue(1.0) == 1.0


def test_v2_season_trend_and_v1_differ_only_by_design(cohort):
    v1 = fit_h1(cohort.h1, random_slope=False).effects.set_index("term")
    v2 = fit_h1(cohort.h1, random_slope=False, version="v2").effects.set_index("term")
    assert "duration_h" in v1.index and "season_weeks_within" not in v1.index
    assert "season_weeks_within" in v2.index
    with pytest.raises(ValueError, match="version"):
        fit_h2(cohort.h2, version="v3")


def test_one_athlete_gets_the_personal_time_series_model(cohort):
    one = [p[p["athlete_id"] == "ath01"] for p in (cohort.h1, cohort.h2)]
    eff, summary = fit_primary(*one)
    prim = eff[eff["primary"]]
    assert len(prim) == 2 and (prim["model"] == "gls_ar1_personal").all()
    assert prim["note"].str.contains("personal evidence").all() and prim["note"].str.contains("AR\\(1\\)").all()
    assert (prim["n_athletes"] == 1).all() and np.isfinite(prim["p_value"]).all()
    # t with runs - coefficients - 2 df (the first run and rho spent), in the df column
    terms = eff[eff["model"] == "gls_ar1_personal"].groupby("hypothesis").size()
    assert (prim["df"].to_numpy() == prim["n_obs"].to_numpy() - terms[prim["hypothesis"]].to_numpy() - 3).all()
    assert (eff["term"] == "season_weeks").sum() == 2
    assert eff["model"].str.contains("negative_control").any()


def test_h2_panel_windows_are_pre_run_only(cohort):
    d = cohort.daily[cohort.daily["athlete_id"] == "ath01"].reset_index(drop=True)
    row = cohort.h2[cohort.h2["athlete_id"] == "ath01"].iloc[3]
    k = int(np.flatnonzero(d["local_date"] == row["local_date"])[0])
    assert row["hinge_sets_pre3d"] == d["hinge_sets"].iloc[k - 3 : k].sum()
    assert row["hinge_sets_pre3d"] + row["hinge_sets_post3d"] == row["hinge_sets_acute"]
    assert row["other_descent_100m_pre72h"] == pytest.approx(d["descent_m"].iloc[k - 3 : k].sum() / 100)
    later = d["descent_m"].iloc[k + 1 : k + 4]
    assert bool(row["clean_window"]) == bool((later < 300).all())
    assert isinstance(cohort.h2["clean_window"].dtype, type(pd.Series([True]).dtype))


def test_spec_curve_counts_identical_fits_once():
    from trailstrength.models.speccurve import Spec, run_specs, simulated_panel_for, summarize_specs
    from trailstrength.simulate import simulate_daily

    daily = simulate_daily(CohortDesign(athletes=5, weeks=12), seed=2)
    # every panel run has >= 500 m of descent segments, so these two H1 filters select the same runs
    specs = [Spec("H1", 28, min_value=("descent_length_m", 0.0)), Spec("H1", 28, min_value=("descent_length_m", 1.0))]
    specs.append(Spec("H1", 28, min_value=("descent_length_m", 1500.0)))
    tab = run_specs(specs, simulated_panel_for(daily))
    assert tab["duplicate_of"].tolist()[:2] == [pytest.approx(np.nan, nan_ok=True), 0]
    assert np.isnan(tab.loc[1, "bh_q"]) and np.isfinite(tab.loc[0, "bh_q"])
    assert summarize_specs(tab).loc[0, "specs"] == tab["duplicate_of"].isna().sum() < len(tab)


def test_report_caveat_quotes_measured_rejection_and_collinearity(effects):
    from trailstrength.report.html import _holm, _sample_size_caveat

    text = _sample_size_caveat(effects, 6)
    assert "close to nominal" not in text and "11.75 %" in text and "negative-control" in text
    assert "Hinge and knee-dominant volume move together (hinge_sets_28d vs knee_sets_28d: r = " in text
    assert _holm(effects.loc[effects["primary"], "note"].iloc[0]).startswith(", Holm p = ")


def test_collinearity_note_never_prints_nan_when_knee_volume_never_varies():
    """Real logs without knee-dominant work: the within correlation is undefined and the note says so in words."""
    from trailstrength.models.confounding import collinearity_note

    panel = pd.DataFrame(
        {"athlete_id": ["a"] * 5 + ["b"] * 5, "hinge_sets_28d": np.arange(10.0), "knee_sets_28d": np.zeros(10)}
    )
    note = collinearity_note(panel, fit=None, term="hinge_sets_28d_within")
    assert "nan" not in note.lower() and "no within-athlete correlation computable" in note


def test_spec_curve_duplicates_with_nothing_fitted():
    """Every spec unfitted (thin real data): no duplicates, and no pandas error about a 2-D grouper."""
    from trailstrength.models.speccurve import _SAME_FIT, mark_duplicates

    table = pd.DataFrame({c: ["x", "y"] for c in _SAME_FIT})
    table = table.assign(spec_id=["s1", "s2"], estimate=[np.nan, np.nan])
    out = mark_duplicates(table)
    assert out["duplicate_of"].isna().all() and len(out) == 2
