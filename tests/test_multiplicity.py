"""Holm and Benjamini–Hochberg: our implementation against statsmodels and by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.multitest import multipletests

from trailstrength.models.multiplicity import adjust_effects, benjamini_hochberg, holm
from trailstrength.models.tidy import EFFECT_COLUMNS


def test_holm_by_hand():
    # m = 4; sorted 0.01, 0.02, 0.03, 0.5 -> 0.04, max(0.04, 0.06), max(0.06, 0.06), max(.., 0.5)
    p = [0.03, 0.01, 0.5, 0.02]
    np.testing.assert_allclose(holm(p), [0.06, 0.04, 0.5, 0.06])


def test_bh_by_hand():
    # m = 4; sorted 0.01, 0.02, 0.03, 0.5 -> 4p/rank = 0.04, 0.04, 0.04, 0.5, then running min from the top
    p = [0.03, 0.01, 0.5, 0.02]
    np.testing.assert_allclose(benjamini_hochberg(p), [0.04, 0.04, 0.5, 0.04])


@pytest.mark.parametrize("seed", range(20))
def test_against_statsmodels(seed):
    rng = np.random.default_rng(seed)
    m = int(rng.integers(1, 40))
    # a mix of signals, nulls and exact ties, like a real specification grid
    p = np.concatenate([rng.uniform(0, 0.01, m // 3), rng.uniform(0, 1, m - m // 3)])
    p[: m // 5] = p[0]
    rng.shuffle(p)
    np.testing.assert_allclose(holm(p), multipletests(p, method="holm")[1], rtol=1e-12)
    np.testing.assert_allclose(benjamini_hochberg(p), multipletests(p, method="fdr_bh")[1], rtol=1e-12)


def test_missing_values_policy():
    p = [0.01, np.nan, 0.04]
    # count: the NaN is a family member with p = 1, so m = 3
    np.testing.assert_allclose(holm(p), [0.03, np.nan, 0.08])
    # omit: m = 2
    np.testing.assert_allclose(holm(p, missing="omit"), [0.02, np.nan, 0.04])
    np.testing.assert_allclose(benjamini_hochberg(p), [0.02, np.nan, 0.04])
    np.testing.assert_allclose(benjamini_hochberg(p, missing="count"), [0.03, np.nan, 0.06])
    assert np.isnan(holm([np.nan, np.nan])).all()


def test_invalid_inputs():
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        holm([0.1, 1.2])
    with pytest.raises(ValueError, match="missing"):
        benjamini_hochberg([0.1], missing="drop")


def test_adjust_effects_writes_note_only_for_family():
    eff = pd.DataFrame({c: [""] * 3 for c in EFFECT_COLUMNS}).assign(
        p_value=[0.01, 0.2, 0.04], note=["a", "b", "c"], primary=[True, False, True]
    )
    out = adjust_effects(eff, "holm", rows=eff["primary"], family="H1, H2 primary")
    assert list(out.columns) == EFFECT_COLUMNS
    assert out.loc[0, "note"] == "Holm p = 0.02 (family: H1, H2 primary); a"
    assert out.loc[1, "note"] == "b"
    assert out.loc[2, "note"] == "Holm p = 0.04 (family: H1, H2 primary); c"
    np.testing.assert_allclose(out["p_value"], eff["p_value"])  # raw p untouched
    bh = adjust_effects(eff, "bh", family="grid")
    assert bh.loc[1, "note"].startswith("BH q = 0.2 (family: grid)")
    with pytest.raises(ValueError, match="holm"):
        adjust_effects(eff, "bonferroni", family="x")
