"""The directly simulated panels equal what features.py builds from the same simulated tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from trailstrength import features
from trailstrength.models.simpanels import CohortDesign, panels_from_daily, simulate_daily, simulate_panels
from trailstrength.simulate import PlantedEffects


def tables_from_daily(daily: pd.DataFrame):
    """The warehouse tables (runs, strength_sets, wellness) that the daily records stand for."""
    r = daily[daily["run"]]
    runs = pd.DataFrame({
        "activity_id": r["athlete_id"] + "-" + r["local_date"].dt.strftime("%Y%m%d"), "athlete_id": r["athlete_id"],
        "local_date": r["local_date"], "distance_m": r["run_km"] * 1000, "descent_m": r["descent_m"],
        "descent_length_m": r["descent_length_m"], "moving_time_s": r["moving_time_s"], "dpi": r["dpi"],
        "mean_descent_grade": r["mean_descent_grade"], "flat_reference": "same_run"})
    rows = []
    for t in daily[daily["hinge_sets"] > 0].itertuples():
        common = {"athlete_id": t.athlete_id, "local_date": t.local_date, "session_id": f"{t.athlete_id}-{t.local_date:%Y%m%d}"}
        rows.append({**common, "set_type": "warmup", "pattern": "hinge", "posterior_chain_weight": 1.0,
                     "knee_dominant": False, "reps": 8, "load_kg": 40.0})
        rows += [{**common, "set_type": "working", "pattern": "hinge", "posterior_chain_weight": 1.0,
                  "knee_dominant": False, "reps": 8, "load_kg": 70.0}] * int(t.hinge_sets)
        rows += [{**common, "set_type": "working", "pattern": "squat", "posterior_chain_weight": 0.0,
                  "knee_dominant": True, "reps": 6, "load_kg": 80.0}] * int(t.knee_sets)
    wellness = daily.dropna(subset=["soreness"])[["athlete_id", "local_date", "soreness"]]
    return runs, pd.DataFrame(rows), wellness


@pytest.mark.parametrize("window", [28, 14])
def test_panels_equal_features_panels(window):
    daily = simulate_daily(CohortDesign(athletes=4, weeks=12), seed=3)
    h1, h2 = panels_from_daily(daily, window)
    runs, sets, wellness = tables_from_daily(daily)
    f1 = features.h1_panel(runs, sets, window_days=window)
    f2 = features.h2_panel(runs, sets, wellness, window_days=window)
    assert len(h1) == len(f1) > 50 and len(h2) == len(f2) > 50
    for ours, theirs in ((h1, f1), (h2, f2)):
        key = ["athlete_id", "local_date"]
        m = ours.merge(theirs, on=key, suffixes=("", "_f"), validate="one_to_one")
        assert len(m) == len(ours)
        for c in theirs.columns:
            if c in key or c in ("activity_id", "flat_reference"):
                continue
            np.testing.assert_allclose(m[c].astype(float), m[c + "_f"].astype(float), atol=1e-9, err_msg=c)


def test_deterministic_and_planted_structure():
    a = simulate_panels(CohortDesign(athletes=3, weeks=10), seed=5)
    b = simulate_panels(CohortDesign(athletes=3, weeks=10), seed=5)
    pd.testing.assert_frame_equal(a.h2, b.h2)
    # acute window: d-3 .. d+3 inclusive
    d = a.daily[a.daily["athlete_id"] == "ath01"].reset_index(drop=True)
    row = a.h2[a.h2["athlete_id"] == "ath01"].iloc[0]
    k = int(np.flatnonzero(d["local_date"] == row["local_date"])[0])
    assert row["hinge_sets_acute"] == d["hinge_sets"].iloc[k - 3:k + 4].sum()
    assert row["soreness_peak_72h"] == d["soreness"].iloc[k + 1:k + 4].max()
    # soreness reports are whole points in 0-10
    s = a.daily["soreness"].dropna()
    assert s.between(0, 10).all() and (s == s.round()).all()


def test_planted_dpi_effect_visible_in_truth():
    eff = PlantedEffects(dpi_per_hinge_set=0.05, between_confound=0.0, dpi_noise=0.001)
    c = simulate_panels(CohortDesign(athletes=6, weeks=16, dpi_measurement_sd=0.0), eff, seed=2)
    h = c.h1
    x = h["hinge_sets_28d"] - h.groupby("athlete_id")["hinge_sets_28d"].transform("mean")
    y = h["dpi_true"] - h.groupby("athlete_id")["dpi_true"].transform("mean")
    z = h["descent_100m_28d"] - h.groupby("athlete_id")["descent_100m_28d"].transform("mean")
    beta = np.linalg.lstsq(np.column_stack([x, z]), y, rcond=None)[0]
    assert beta[0] == pytest.approx(0.05, abs=0.002)
