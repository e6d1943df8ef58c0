"""Property tests (hypothesis) of the small statistical building blocks: Holm, Benjamini–Hochberg, within/between.

Each property is a fact of the method, not of our implementation: adjusted p-values are never below the raw ones,
keep the raw order, never exceed 1, and Holm is never smaller than BH on the same family; the within part of an
exposure averages to zero per athlete and within + between gives the exposure back.
"""

from __future__ import annotations

from unittest import mock

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.multitest import multipletests

from trailstrength.models.multiplicity import benjamini_hochberg, holm
from trailstrength.models.within_between import within_between

p_values = st.lists(st.floats(min_value=0.0, max_value=1.0, allow_nan=False), min_size=1, max_size=30)


def statsmodels_adjusted(raw: np.ndarray, method: str) -> np.ndarray:
    """statsmodels' adjusted p-values (the oracle) without the full garbage collection its Holm branch runs on every
    call (statsmodels 0.15 calls gc.collect(): 0.55 s a call in a test process at load 8, 56 of this property's 58 s
    for 100 examples). A collection changes no value."""
    with mock.patch("gc.collect", return_value=0):
        return multipletests(raw, method=method)[1]


@settings(max_examples=100, deadline=None)
@given(p_values)
def test_adjusted_p_values_are_ordered_bounded_and_agree_with_statsmodels(p):
    raw = np.asarray(p)
    h, b = holm(raw), benjamini_hochberg(raw)
    for adj in (h, b):
        assert np.all(adj >= raw - 1e-12) and np.all(adj <= 1.0)
        order = np.argsort(raw, kind="stable")
        assert np.all(np.diff(adj[order]) >= -1e-12)  # monotone in the raw p
    assert np.all(h >= b - 1e-12)  # FWER control is never less strict than FDR control
    np.testing.assert_allclose(h, statsmodels_adjusted(raw, "holm"), atol=1e-12)
    np.testing.assert_allclose(b, statsmodels_adjusted(raw, "fdr_bh"), atol=1e-12)


@settings(max_examples=100, deadline=None)
@given(p_values, st.integers(min_value=1, max_value=5))
def test_a_failed_test_counts_towards_holm_family_but_stays_missing(p, n_missing):
    raw = np.asarray(p + [np.nan] * n_missing)
    counted, omitted = holm(raw, missing="count"), holm(raw, missing="omit")
    assert np.isnan(counted[-n_missing:]).all() and np.isnan(omitted[-n_missing:]).all()
    assert np.all(counted[: len(p)] >= omitted[: len(p)] - 1e-12)


panels = st.lists(
    st.tuples(
        st.sampled_from(["A1", "A2", "A3", "A4"]),
        st.one_of(st.none(), st.floats(min_value=-50, max_value=50, allow_nan=False)),
    ),
    min_size=1,
    max_size=40,
)


@settings(max_examples=100, deadline=None)
@given(panels)
def test_within_averages_to_zero_and_parts_add_back_to_the_exposure(rows):
    panel = pd.DataFrame(rows, columns=["athlete_id", "hinge_sets_28d"]).astype({"hinge_sets_28d": float})
    out = within_between(panel, "hinge_sets_28d")
    x, w, b = out["hinge_sets_28d"], out["hinge_sets_28d_within"], out["hinge_sets_28d_between"]
    observed = x.notna()
    np.testing.assert_allclose((w + b)[observed], x[observed], atol=1e-9)
    assert w[~observed].isna().all()  # not logged stays missing, never zero
    means = w[observed].groupby(out.loc[observed, "athlete_id"]).mean()
    np.testing.assert_allclose(means.to_numpy(), 0.0, atol=1e-9)
    none_logged = out.groupby("athlete_id")["hinge_sets_28d"].transform("count") == 0
    assert b[none_logged].isna().all()
