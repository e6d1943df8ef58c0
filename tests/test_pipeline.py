"""End to end: simulate → ingest → analyze recovers planted effects; a null cohort stays null.

The cohorts are small (fast) but the planted hinge effects are strong, so the checks have power.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from trailstrength import analysis, warehouse
from trailstrength.models import EFFECT_COLUMNS
from trailstrength.simulate import PlantedEffects, simulate_cohort

pytestmark = pytest.mark.slow

STRONG = PlantedEffects(dpi_per_hinge_set=0.02, soreness_per_hinge_set=-0.35)


def _run(tmp_path, effects, seed):
    raw, wh = tmp_path / "raw", tmp_path / "wh"
    truth = simulate_cohort(raw, athletes=6, weeks=12, seed=seed, effects=effects, truth_dir=tmp_path)
    warehouse.ingest(raw, warehouse=wh, progress=False)
    return truth, analysis.analyze(wh, out=tmp_path / "results")


@pytest.fixture(scope="module")
def strong(tmp_path_factory):
    return _run(tmp_path_factory.mktemp("strong"), STRONG, seed=11)


def test_effects_csv_contract(strong):
    truth, res = strong
    eff = pd.read_csv(res.out / "effects.csv")
    assert list(eff.columns) == EFFECT_COLUMNS
    prim = eff[eff["primary"]]
    assert set(zip(prim["hypothesis"], prim["outcome"], prim["term"])) == {
        ("H1", "dpi", "hinge_sets_28d_within"),
        ("H2", "soreness_peak_72h", "hinge_sets_28d_within"),
    }
    assert {"hinge_sets_28d_between"} <= set(eff.loc[eff["hypothesis"] == "H1", "term"])
    assert (res.out / "panel_h1.parquet").is_file() and (res.out / "model_summary.txt").read_text().strip()
    assert (prim["n_athletes"] == 6).all() and prim["converged"].all()


@pytest.mark.parametrize("hyp", ["H1", "H2"])
def test_planted_effect_recovered(strong, hyp):
    truth, res = strong
    row = res.primary.set_index("hypothesis").loc[hyp]
    planted = truth["primary"][hyp]["estimate"]
    assert np.sign(row["estimate"]) == np.sign(planted)
    assert row["ci_low"] <= planted <= row["ci_high"], (hyp, row[["estimate", "ci_low", "ci_high"]].to_dict(), planted)
    assert row["p_value"] < 0.05


def test_null_cohort_is_not_significant(tmp_path):
    truth, res = _run(tmp_path, PlantedEffects.null(), seed=12)
    for hyp in ("H1", "H2"):
        row = res.primary.set_index("hypothesis").loc[hyp]
        assert row["ci_low"] <= 0 <= row["ci_high"], (hyp, row.to_dict())


def test_panel_exposure_matches_simulator_truth(strong, tmp_path):
    """The warehouse's hinge_sets_28d equals the simulator's own bookkeeping for every run."""
    truth, res = strong
    planted = pd.read_csv(res.out.parent / "truth_runs.csv", parse_dates=["local_date"])
    merged = res.h1_panel.merge(
        planted, on=["athlete_id", "local_date"], suffixes=("", "_true"), how="left", indicator=True
    )
    assert (merged["_merge"] == "both").all(), "every H1 run has its planted counterpart"
    assert len(merged) >= len(res.h1_panel) > 0  # two runs on one day pair with both planted runs of that day
    np.testing.assert_allclose(merged["hinge_sets_28d"], merged["hinge_sets_28d_true"])
    # measured DPI tracks the planted one
    assert np.corrcoef(merged["dpi"], merged["dpi_true"])[0, 1] > 0.8
    assert (
        json.loads((res.out.parent / "truth.json").read_text())["effects"]["dpi_per_hinge_set"]
        == STRONG.dpi_per_hinge_set
    )
