"""The simulate package: its docstring examples run, and recovered-vs-planted matches effects to the truth."""

from __future__ import annotations

import doctest
import importlib

import numpy as np
import pandas as pd
import pytest

from trailstrength.simulate import recovered_vs_planted


@pytest.mark.parametrize("module", ["cohort", "panels", "truth"])
def test_docstring_examples_run(module):
    mod = importlib.import_module(f"trailstrength.simulate.{module}")
    result = doctest.testmod(mod, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0, result


def test_recovered_vs_planted_takes_the_primary_row_and_flags_misses():
    truth = {
        "primary": {
            "H1": {"term": "hinge_sets_28d_within", "estimate": 0.012},
            "H2": {"term": "hinge_sets_28d_within", "estimate": -0.2},
        },
        "secondary": {"H7": {"term": "hinge_unilateral_share_28d_within", "estimate": 0.03}},
    }
    effects = pd.DataFrame(
        {
            "hypothesis": ["H1", "H1", "H2"],
            "term": ["hinge_sets_28d_within"] * 3,
            "estimate": [0.5, 0.013, -0.31],
            "ci_low": [0.4, 0.009, -0.46],
            "ci_high": [0.6, 0.017, -0.25],
            "primary": [False, True, True],
        }
    )
    got = recovered_vs_planted(truth, effects).set_index("hypothesis")
    assert list(got.index) == ["H1", "H2"]  # secondary truth only when asked for
    assert got.loc["H1", "estimate"] == 0.013 and got.loc["H1", "covers"]  # the primary row, not the first
    assert got.loc["H2", "estimated"] and not got.loc["H2", "covers"]  # CI [-0.46, -0.25] misses -0.2
    both = recovered_vs_planted(truth, effects, secondary=True).set_index("hypothesis")
    assert not both.loc["H7", "estimated"] and not both.loc["H7", "covers"] and np.isnan(both.loc["H7", "estimate"])
