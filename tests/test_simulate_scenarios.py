"""The harder worlds of simulate.scenarios: what each planted, and that the default twin is untouched."""

from __future__ import annotations

import importlib
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from trailstrength.simulate import CohortDesign, PlantedEffects, panels_from_daily, simulate_daily
from trailstrength.simulate.scenarios import SCENARIOS, Scenario, scenario_generator, scenario_truth
from trailstrength.simulate.scenarios import _ar1 as ar1

DESIGN = CohortDesign(athletes=6, weeks=16)


def _within(frame: pd.DataFrame, col: str) -> pd.Series:
    return frame[col] - frame.groupby("athlete_id")[col].transform("mean")


def _within_corr(frame: pd.DataFrame, a: str, b: str) -> float:
    return float(np.corrcoef(_within(frame, a), _within(frame, b))[0, 1])


def test_scenario_draws_leave_the_default_twin_untouched():
    """A scenario with nothing switched on draws its extras from its own stream: every other column is equal."""
    default = simulate_daily(DESIGN, seed=7)
    with_control = simulate_daily(DESIGN, seed=7, scenario=Scenario())
    assert set(default["upper_sets"].unique()) == {0.0, 3.0}
    assert with_control["upper_sets"].nunique() > 3
    same = default.columns.drop("upper_sets")
    pd.testing.assert_frame_equal(with_control[same], default[same], check_exact=True)


def test_null_worlds_plant_no_effect_and_size_overrides_the_design():
    daily = simulate_daily(DESIGN, seed=3, scenario=SCENARIOS["athletes_4"])
    assert daily["athlete_id"].nunique() == 4
    one = simulate_daily(DESIGN, seed=3, scenario=SCENARIOS["one_athlete_40w"])
    assert one["athlete_id"].nunique() == 1 and len(one) == 40 * 7
    h1, _ = panels_from_daily(simulate_daily(DESIGN, seed=3, scenario=SCENARIOS["null"]))
    planted, _ = panels_from_daily(simulate_daily(DESIGN, seed=3, scenario=SCENARIOS["planted"]))
    # same schedules; within athletes the planted world's true DPI is 0.012 per weekly set above the null world's
    # (plus the unilateral-share term, about independent of the set count)
    assert np.allclose(h1["hinge_sets_28d"], planted["hinge_sets_28d"])
    gap = h1.assign(gap=planted["dpi_true"] - h1["dpi_true"])
    slope = np.polyfit(_within(gap, "hinge_sets_28d"), _within(gap, "gap"), 1)[0]
    assert 0.010 < slope < 0.014


def test_season_trend_ties_hinge_exposure_and_dpi_to_time():
    def season_corrs(name):
        h1, _ = panels_from_daily(simulate_daily(DESIGN, seed=11, scenario=SCENARIOS[name]))
        h1 = h1.assign(day=(h1["local_date"] - h1["local_date"].min()).dt.days.astype(float))
        return _within_corr(h1, "hinge_sets_28d", "day"), _within_corr(h1, "dpi_true", "day")

    null_hinge, null_dpi = season_corrs("null")
    trend_hinge, trend_dpi = season_corrs("season_trend")
    assert trend_hinge > null_hinge + 0.25
    assert trend_dpi > null_dpi + 0.2


def test_ar1_drift_has_the_stated_persistence_and_sd():
    u = ar1(np.random.default_rng(0), 0.98, 0.03, 200_000)
    assert abs(u.std() - 0.03) < 0.003
    assert abs(np.corrcoef(u[1:], u[:-1])[0, 1] - 0.98) < 0.005
    assert not ar1(np.random.default_rng(0), 0.0, 0.03, 10).any()


def test_feedback_skips_lifts_and_runs_together():
    base = simulate_daily(DESIGN, seed=5, scenario=SCENARIOS["null"])
    fed = simulate_daily(DESIGN, seed=5, scenario=SCENARIOS["feedback"])
    assert fed["run"].sum() < 0.95 * base["run"].sum()
    skipped = (base["run"] & ~fed["run"]) | ((base["hinge_sets"] > 0) & (fed["hinge_sets"] == 0))
    assert skipped.any()
    assert not fed.loc[skipped, "run"].any() and (fed.loc[skipped, "hinge_sets"] == 0).all()


def test_mnar_compliance_hides_sore_days():
    """Same draws, same per-athlete compliance level: soreness-dependent reporting loses the high reports."""
    rand = simulate_daily(DESIGN, seed=9, scenario=SCENARIOS["random_compliance"])["soreness"]
    mnar = simulate_daily(DESIGN, seed=9, scenario=SCENARIOS["mnar"])["soreness"]
    assert 0.5 < rand.notna().mean() < 0.9
    assert mnar.notna().mean() < rand.notna().mean()
    assert mnar.mean() < rand.mean() - 0.3
    assert not scenario_truth(SCENARIOS["mnar"], PlantedEffects.null())["H2"]["identifiable"]


def test_descent_confounding_couples_descent_exposure_to_the_programme():
    null, _ = panels_from_daily(simulate_daily(DESIGN, seed=2, scenario=SCENARIOS["null"]))
    conf, _ = panels_from_daily(simulate_daily(DESIGN, seed=2, scenario=SCENARIOS["descent_nonlinear"]))
    assert (
        _within_corr(conf, "hinge_sets_28d", "descent_100m_28d")
        > _within_corr(null, "hinge_sets_28d", "descent_100m_28d") + 0.1
    )
    assert "flexible adjustment" in scenario_truth(SCENARIOS["descent_nonlinear"], PlantedEffects.null())["H1"]["why"]


def test_descent_programme_makes_the_runs_after_the_run_hillier_in_heavy_blocks():
    """What biases H2 there: the runs inside the 72-h window after the run (left out of v2) follow the programme."""
    _, null = panels_from_daily(simulate_daily(DESIGN, seed=2, scenario=SCENARIOS["null"]))
    _, prog = panels_from_daily(simulate_daily(DESIGN, seed=2, scenario=SCENARIOS["descent_programme"]))
    assert abs(_within_corr(null, "hinge_sets_28d", "other_descent_100m_72h")) < 0.1
    assert _within_corr(prog, "hinge_sets_28d", "other_descent_100m_72h") > 0.25
    truth = scenario_truth(SCENARIOS["descent_programme"], PlantedEffects.null())
    assert "other runs" in truth["H2"]["why"] and "other runs" not in truth["H1"]["why"]


def test_scenario_panels_carry_the_negative_control_and_pre_run_windows():
    h1, h2 = panels_from_daily(simulate_daily(DESIGN, seed=4, scenario=SCENARIOS["null"]))
    assert {"upper_sets_28d", "distance_km"} <= set(h1.columns)
    assert {"upper_sets_28d", "hinge_sets_pre3d", "other_descent_100m_pre72h"} <= set(h2.columns)
    # upper-body sets are lifted in the hinge sessions: same training blocks
    assert _within_corr(h1, "hinge_sets_28d", "upper_sets_28d") > 0.5
    assert (h2["hinge_sets_pre3d"] <= h2["hinge_sets_acute"] + 1e-12).all()
    truth = scenario_truth(SCENARIOS["heterogeneous"], PlantedEffects())
    assert truth["H1"]["estimate"] == 0.012 and truth["negative_control"]["estimate"] == 0.0


def test_scenario_stream_is_separate_and_compliance_is_checked():
    a, b = scenario_generator(1).uniform(size=3), np.random.default_rng(1).uniform(size=3)
    assert not np.allclose(a, b)
    with pytest.raises(ValueError, match="compliance"):
        simulate_daily(DESIGN, seed=1, scenario=replace(SCENARIOS["null"], compliance="sometimes"))


@pytest.mark.montecarlo
def test_inference_validation_benchmark_quick(monkeypatch, tmp_path):
    """benchmarks/inference_validation.py --quick: every world x term x inference row, numbers in range."""
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[1] / "benchmarks"))
    bench = importlib.import_module("inference_validation")
    out = tmp_path / "table.txt"
    table = bench.main(["--quick", "--workers", "1", "--out", str(out)])
    assert set(table["world"]) == {"planted", "null", "one_athlete_40w"}
    assert {"H1", "H2", "H1 neg. control", "H2 neg. control"} <= set(table["term"])
    assert (table["n"] == 3).all() and table["coverage_%"].between(0, 100).all()
    planted = table[(table["world"] == "planted") & (table["inference"] == "model")].set_index("term")
    assert planted.loc["H1", "truth"] == pytest.approx(0.012) and planted.loc["H2", "truth"] == pytest.approx(-0.2)
    assert (planted["bias_%"].abs() < 50).all()
    assert "cohorts per world" in out.read_text()
    sys.modules.pop("inference_validation", None)


@pytest.mark.montecarlo
def test_inference_validation_primary_only_reads_the_package_choice(monkeypatch, tmp_path):
    """--primary-only: one row per term with PRIMARY_INFERENCE's method (n-of-1 for one athlete); the rows CSV
    summarises to the same table (--from-rows keeps only complete rounds)."""
    from trailstrength.models.primary import PRIMARY_INFERENCE

    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[1] / "benchmarks"))
    bench = importlib.import_module("inference_validation")
    rows = tmp_path / "rows.csv"
    table = bench.main(["--quick", "--primary-only", "--workers", "1", "--rows", str(rows)])
    several = table[table["world"] != "one_athlete_40w"].groupby("term")["inference"].agg(set)
    assert several["H1"] == several["H1 neg. control"] == {PRIMARY_INFERENCE["H1"]}
    assert several["H2"] == several["H2 neg. control"] == {PRIMARY_INFERENCE["H2"]}
    assert set(table.loc[table["world"] == "one_athlete_40w", "inference"]) == {"personal (n-of-1)"}
    assert (table["n"] == 3).all() and len(table) == 2 + 4 + 4
    again = bench.main(["--from-rows", str(rows), "--worlds", "planted", "null", "one_athlete_40w"])
    pd.testing.assert_frame_equal(again, table)
    saved = bench.read_rows(rows)
    kept, rounds = bench.complete_rounds(
        saved[~((saved["world"] == "null") & (saved["seed"] == 1))], ["null", "planted"]
    )
    assert rounds == 1 and set(kept["seed"]) == {0}
    sys.modules.pop("inference_validation", None)
