"""Distributed lags: column arithmetic by hand, and recovery of planted lag weights."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from trailstrength.models.lags import distributed_lags, fit_lags, lag_columns


def _daily(n_days=80, athletes=("a", "b")):
    rows = []
    for k, a in enumerate(athletes):
        days = pd.date_range("2025-01-01", periods=n_days, freq="D")
        rows.append(pd.DataFrame({"athlete_id": a, "local_date": days, "x": np.arange(n_days, dtype=float) + 100 * k}))
    return pd.concat(rows, ignore_index=True)


def test_columns_by_hand():
    lags = distributed_lags(_daily(), "x", weeks=2)
    assert list(lags.columns) == ["athlete_id", "local_date", *lag_columns("x", weeks=2)]
    a = lags[lags["athlete_id"] == "a"].reset_index(drop=True)
    # x on day t equals t for athlete a
    assert a.loc[20, "x_lag0"] == 20 and a.loc[20, "x_lag3"] == 17
    assert a.loc[20, "x_week1"] == sum(range(10, 17))  # days d-10 .. d-4
    assert a.loc[20, "x_week2"] == sum(range(3, 10))  # days d-17 .. d-11
    assert np.isnan(a.loc[2, "x_lag3"]) and not np.isnan(a.loc[3, "x_lag3"])
    assert np.isnan(a.loc[16, "x_week2"]) and a.loc[17, "x_week2"] == sum(range(0, 7))  # d-17 .. d-11 = 0 .. 6
    b = lags[lags["athlete_id"] == "b"].reset_index(drop=True)
    assert b.loc[20, "x_lag1"] == 119  # no leakage across athletes


def test_leads_gaps_and_errors():
    d = _daily(30, ["a"]).drop(index=[10, 11])  # two unlogged days count as zero
    lags = distributed_lags(d, "x", acute_lags=(-1, 0, 1), weeks=1)
    assert "x_lead1" in lags and len(lags) == 30
    assert lags.loc[9, "x_lead1"] == 0 and lags.loc[12, "x_lag1"] == 0
    assert np.isnan(lags.loc[29, "x_lead1"])
    with pytest.raises(KeyError, match="nope"):
        distributed_lags(d, "nope")


TRUE = {
    "x_lag1_within": 0.30,
    "x_lag2_within": 0.15,
    "x_lag0_within": 0.0,
    "x_week1_within": 0.05,
    "x_week3_within": 0.02,
    "x_week6_within": 0.0,
}


def _lag_panel(rng, n_athletes=12, n_days=140):
    daily, panel = [], []
    for i in range(n_athletes):
        days = pd.date_range("2025-01-01", periods=n_days, freq="D")
        x = rng.poisson(rng.uniform(0.5, 3), n_days).astype(float)
        daily.append(pd.DataFrame({"athlete_id": f"a{i}", "local_date": days, "x": x}))
    daily = pd.concat(daily, ignore_index=True)
    lags = distributed_lags(daily, "x")
    u = lags["athlete_id"].map({f"a{i}": rng.normal(0, 1) for i in range(n_athletes)})
    y = u + rng.normal(0, 0.5, len(lags))
    for name, beta in TRUE.items():
        y = y + beta * lags[name.removesuffix("_within")].fillna(0)
    panel = lags[["athlete_id", "local_date"]].assign(y=y)
    observed = rng.uniform(size=len(panel)) < 0.4  # outcomes on ~40 % of days
    return panel[observed].reset_index(drop=True), lags


def test_planted_lags_recovered():
    rng = np.random.default_rng(7)
    panel, lags = _lag_panel(rng)
    fit = fit_lags(panel, lags, "y", "x", hypothesis="HX", outcome_unit="points", exposure_unit="set")
    eff = fit.effects.set_index("term")
    assert fit.model == "mixedlm_ri" and "dropped" in fit.note  # the first 59 days have no full history
    se = (eff["ci_high"] - eff["ci_low"]) / (2 * stats.norm.ppf(0.975))
    for term, beta in TRUE.items():  # within 4 SE (a correct model fails one of six with probability 4e-4)
        assert abs(eff.loc[term, "estimate"] - beta) < 4 * se[term], (term, eff.loc[term].to_dict())
    assert eff.loc["x_lag1_within", "p_value"] < 1e-6
    assert eff.loc["x_week1_within", "unit"] == "points per set at week1 (7-day block, within athlete)"


# 60 replicates; the bound is the binomial 0.5 % quantile of the number of intervals (of 6 terms x 60)
# that cover, treating them as independent (they are nearly so: the lag columns are almost orthogonal).
@pytest.mark.montecarlo
def test_monte_carlo_coverage():
    rng = np.random.default_rng(11)
    covered = total = 0
    for _ in range(60):
        panel, lags = _lag_panel(rng, n_athletes=8, n_days=120)
        eff = fit_lags(panel, lags, "y", "x", hypothesis="HX", outcome_unit="p", exposure_unit="s").effects
        eff = eff.set_index("term")
        for term, beta in TRUE.items():
            covered += eff.loc[term, "ci_low"] <= beta <= eff.loc[term, "ci_high"]
            total += 1
    assert covered >= stats.binom.ppf(0.005, total, 0.95), f"{covered}/{total}"
