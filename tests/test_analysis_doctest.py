"""The Examples of ``analyze`` and of the unit vocabulary run as doctests; ``analyze``'s options are keyword-only."""

from __future__ import annotations

import doctest

import numpy as np
import pandas as pd
import pytest

from trailstrength import analysis
from trailstrength.models import claims, units
from trailstrength.models.speccurve import summarize_specs


def _run_doctests(module) -> doctest.TestResults:
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS, verbose=False)
    assert result.failed == 0, f"{result.failed} doctest(s) of {module.__name__} failed (output above)"
    return result


@pytest.mark.slow  # make test runs it; make test-fast leaves it out (158 s alone at load 9 on 2 cores)
def test_analyze_examples_run():
    # two 2-athlete x 6-week cohorts simulated and ingested, panels built and analysed twice, in temporary folders
    assert _run_doctests(analysis).attempted >= 8


def test_units_examples_run():
    assert _run_doctests(units).attempted >= 2


def test_analyze_options_are_keyword_only(tmp_path):
    with pytest.raises(TypeError):
        analysis.analyze(tmp_path, tmp_path)  # out given positionally
    with pytest.raises(TypeError, match="None writes nothing"):
        analysis.analyze(tmp_path, out=False)  # the old way of saying "do not write"


def test_every_claim_term_has_a_unit():
    for label, _, _ in claims.H6_BINS:
        assert f"hinge_{label}" in units.PREDICTOR_UNITS
    for term in ("pure_hinge_sets_28d", "deadlift_sets_28d", "hinge_ecc_tut_min_28d", "hinge_unilateral_share_28d"):
        assert (
            units.predictor_unit("dpi", f"{term}_within") == f"dpi per {units.PREDICTOR_UNITS[term]} (within athlete)"
        )
    assert (
        units.predictor_unit("dpi", "hinge_volume_kg_28d_between")
        == "dpi per unit of hinge_volume_kg_28d (between athletes)"
    )


def test_summarize_specs_counts_fitted_specs_only():
    curve = pd.DataFrame(
        {
            "hypothesis": ["H1", "H1", "H1", "H2"],
            "estimate": [0.1, -0.2, np.nan, 0.3],
            "bh_q": [0.01, 0.2, np.nan, 0.04],
        }
    )
    table = summarize_specs(curve).set_index("hypothesis")
    assert table.loc["H1", "specs"] == 2 and table.loc["H1", "significant"] == 1
    assert (table.loc["H1", "estimate_min"], table.loc["H1", "estimate_max"]) == (-0.2, 0.1)
    assert table.loc["H1", "estimate_median"] == pytest.approx(-0.05)
    assert table.loc["H2", "specs"] == 1 and table.loc["H2", "significant"] == 1
