"""``analyze --all`` end to end on a small simulated cohort: effects.csv keeps its contract, spec_curve.csv exists."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from trailstrength import analysis, warehouse
from trailstrength.models import EFFECT_COLUMNS
from trailstrength.models.speccurve import SPEC_COLUMNS
from trailstrength.simulate import simulate_cohort

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wh(tmp_path_factory):
    root = tmp_path_factory.mktemp("all")
    simulate_cohort(root / "raw", athletes=5, weeks=12, seed=21, truth_dir=root)
    warehouse.ingest(root / "raw", warehouse=root / "wh", progress=False)
    return root / "wh"


def test_default_is_primary_only(wh, tmp_path):
    res = analysis.analyze(wh, out=tmp_path)
    assert res.spec_curve is None and not (tmp_path / "spec_curve.csv").exists()
    assert set(res.effects["model"].str.split("+").str[0]) <= {"mixedlm_ri", "mixedlm_rs", "ols_cluster"}
    assert res.effects["primary"].sum() == 2


def test_all_adds_secondary_rows_and_spec_curve(wh, tmp_path):
    res = analysis.analyze(wh, out=tmp_path, all_claims=True, n_boot=99)
    eff = pd.read_csv(tmp_path / "effects.csv")
    assert list(eff.columns) == EFFECT_COLUMNS
    assert eff["primary"].sum() == 2  # the primary family is unchanged
    secondary = eff[~eff["primary"]]
    assert secondary["note"].str.contains("secondary: ").sum() > 20
    assert not eff.duplicated(["hypothesis", "outcome", "term", "model"]).any()
    curve = pd.read_csv(tmp_path / "spec_curve.csv")
    assert list(curve.columns) == SPEC_COLUMNS and curve["estimate"].notna().sum() >= 12
    assert "Secondary and sensitivity models" in (tmp_path / "model_summary.txt").read_text()
    assert res.spec_curve is not None
    adherence = pd.read_csv(tmp_path / "adherence.csv")
    assert set(adherence["athlete_id"]) == set(res.h1_panel["athlete_id"]) | set(adherence["athlete_id"])
    assert adherence["sessions_share"].between(0, 1).all() and adherence["weeks"].gt(0).all()


def test_cli_all(wh, tmp_path):
    from trailstrength import cli

    out = CliRunner().invoke(
        cli.app, ["analyze", "--warehouse", str(wh), "--out", str(tmp_path), "--all", "--n-boot", "49"]
    )
    assert out.exit_code == 0, out.output
    assert "specification curve H1" in out.output and (tmp_path / "spec_curve.csv").is_file()
