"""From tidy tables to analysis panels: runs with DPI, daily exposures, rolling windows, H1 / H2 panels.

Window conventions (DESIGN §7–8), all per athlete on a daily calendar in the athlete's local dates:

* ``*_28d``: mean *per week* over the 28 days before the run's day (days d−28 … d−1), i.e. the 28-day sum ÷ 4.
* ``hinge_sets_acute``: hinge working sets from 3 days before to 3 days after the run (d−3 … d+3), a plain sum.
* soreness window: reports dated d+1 … d+3 (the 72 h after a run, at day resolution).

Runs in an athlete's first 28 days of records are left out of the panels (no full exposure history).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

RUN_SPORTS = ("running", "trail_running")
WORKING_SET_TYPES = ("working", "failure", "drop")  # warm-ups never count as exposure
MIN_DESCENT_LENGTH_M = 500.0
WINDOW_DAYS = 28
FLAT_REFERENCE_DAYS = 28


def build_runs(activities: pd.DataFrame, terrain_summary: pd.DataFrame) -> pd.DataFrame:
    """The ``runs`` table: running activities with their terrain summary, flat reference and DPI.

    DPI (descent performance index) = time-weighted grade-adjusted speed on descent segments ÷ flat
    reference speed. The flat reference is the run's own speed on |grade| < 2 % (when it has ≥ 500 m of such
    terrain), else the median of the athlete's same-run flat speeds over the previous 28 days.
    """
    is_run = activities["sport"].isin(RUN_SPORTS)
    cols = ["activity_id", "athlete_id", "local_date", "start_time", "source_format", "duration_s"]
    runs = activities.loc[is_run, cols].merge(terrain_summary, on="activity_id", how="left")
    if runs.empty:
        out = runs.assign(flat_reference_mps=np.nan, flat_reference="none", dpi=np.nan)
        return out.astype({"flat_reference": "str"})
    runs = runs.sort_values(["athlete_id", "start_time"]).reset_index(drop=True)
    rolling = []
    for _, grp in runs.groupby("athlete_id", sort=False):
        s = grp.set_index("local_date")["flat_speed_mps"]
        # closed="left": only earlier days count
        med = s.rolling(f"{FLAT_REFERENCE_DAYS}D", closed="left").median()
        rolling.append(pd.Series(med.to_numpy(), index=grp.index))
    runs["flat_rolling_28d_mps"] = pd.concat(rolling)
    same = runs["flat_speed_mps"].notna()
    runs["flat_reference_mps"] = runs["flat_speed_mps"].where(same, runs["flat_rolling_28d_mps"])
    runs["flat_reference"] = np.select(
        [same, runs["flat_reference_mps"].notna()], ["same_run", "rolling_28d"], "none"
    )
    runs["dpi"] = runs["descent_gap_speed_mps"] / runs["flat_reference_mps"]
    return runs


def daily_exposures(runs: pd.DataFrame, strength_sets: pd.DataFrame) -> pd.DataFrame:
    """One row per athlete-day (continuous calendar from each athlete's first to last record).

    Columns: ``hinge_sets`` (posterior-chain-weighted hinge working sets), ``knee_sets`` (knee-dominant working
    sets), ``hinge_volume_kg`` (weighted sets × reps × kg), ``strength_sessions``, ``run_km``, ``descent_m``
    (our smoothed vertical descent, m), ``runs``.
    """
    work = strength_sets[strength_sets["set_type"].isin(WORKING_SET_TYPES)]
    hinge_w = np.where(work["pattern"].eq("hinge"), work["posterior_chain_weight"], 0.0)
    lifting = (
        work.assign(
            hinge_sets=hinge_w,
            knee_sets=work["knee_dominant"].astype(float),
            hinge_volume_kg=hinge_w * work["reps"].fillna(0) * work["load_kg"].fillna(0),
        )
        .groupby(["athlete_id", "local_date"])
        .agg(hinge_sets=("hinge_sets", "sum"), knee_sets=("knee_sets", "sum"),
             hinge_volume_kg=("hinge_volume_kg", "sum"), strength_sessions=("session_id", "nunique"))
    )
    running = (
        runs.assign(run_km=runs["distance_m"] / 1000.0)
        .groupby(["athlete_id", "local_date"])
        .agg(run_km=("run_km", "sum"), descent_m=("descent_m", "sum"), runs=("activity_id", "size"))
    )
    daily = lifting.join(running, how="outer").fillna(0.0)
    if daily.empty:
        return daily.reset_index()
    frames = []
    for athlete, grp in daily.groupby(level="athlete_id"):
        g = grp.droplevel("athlete_id")
        idx = pd.date_range(g.index.min(), g.index.max(), freq="D", name="local_date")
        frames.append(g.reindex(idx, fill_value=0.0).assign(athlete_id=athlete))
    return pd.concat(frames).reset_index()[["athlete_id", "local_date", *daily.columns]]


def rolling_exposures(daily: pd.DataFrame, window_days: int = WINDOW_DAYS) -> pd.DataFrame:
    """Per athlete-day exposures over the ``window_days`` before each day, as means per week.

    Adds ``hinge_sets_28d``, ``knee_sets_28d``, ``descent_100m_28d`` (hundreds of vertical metres of descent
    per week), ``run_km_28d`` (km per week), ``history_days`` (days of record before the day), and the acute
    ``hinge_sets_acute`` (sum over d−3 … d+3). Column suffixes say 28d whatever the window, so a sensitivity
    run with 14 or 42 days keeps the model vocabulary.
    """
    out = []
    per_week = window_days / 7.0
    for _, g in daily.groupby("athlete_id", sort=False):
        g = g.sort_values("local_date").reset_index(drop=True)
        prior = g[["hinge_sets", "knee_sets", "descent_m", "run_km"]].rolling(window_days, min_periods=1).sum().shift(1)
        g["hinge_sets_28d"] = prior["hinge_sets"] / per_week
        g["knee_sets_28d"] = prior["knee_sets"] / per_week
        g["descent_100m_28d"] = prior["descent_m"] / per_week / 100.0
        g["run_km_28d"] = prior["run_km"] / per_week
        g["history_days"] = np.arange(len(g))
        g["hinge_sets_acute"] = g["hinge_sets"].rolling(7, center=True, min_periods=1).sum()
        out.append(g)
    return pd.concat(out, ignore_index=True) if out else daily


def _descent_runs(runs: pd.DataFrame, exposures: pd.DataFrame, window_days: int) -> pd.DataFrame:
    keep = runs["descent_length_m"].fillna(0) >= MIN_DESCENT_LENGTH_M
    panel = runs[keep].merge(exposures.drop(columns=["descent_m", "run_km", "runs"]), on=["athlete_id", "local_date"], how="left")
    return panel[panel["history_days"] >= window_days].reset_index(drop=True)


def h1_panel(runs: pd.DataFrame, strength_sets: pd.DataFrame, window_days: int = WINDOW_DAYS) -> pd.DataFrame:
    """H1 run panel: runs with ≥ 500 m of descent segments, a DPI, and a full exposure history."""
    exp = rolling_exposures(daily_exposures(runs, strength_sets), window_days)
    panel = _descent_runs(runs, exp, window_days)
    panel["duration_h"] = panel["moving_time_s"] / 3600.0
    panel = panel[panel["dpi"].notna()]
    cols = ["athlete_id", "activity_id", "local_date", "dpi", "hinge_sets_28d", "knee_sets_28d", "descent_100m_28d",
            "run_km_28d", "mean_descent_grade", "duration_h", "descent_m", "descent_length_m", "flat_reference"]
    return panel[cols].reset_index(drop=True)


def h2_panel(runs: pd.DataFrame, strength_sets: pd.DataFrame, wellness: pd.DataFrame,
             window_days: int = WINDOW_DAYS) -> pd.DataFrame:
    """H2 soreness panel: descent runs followed by ≥ 1 soreness report in the 3 days after them.

    ``soreness_peak_72h`` is the highest 0–10 soreness reported on days d+1 … d+3; ``descent_100m`` the run's
    own descent (100 m); ``other_descent_100m_72h`` the descent of the athlete's other runs on days d … d+3.
    """
    exp = rolling_exposures(daily_exposures(runs, strength_sets), window_days)
    panel = _descent_runs(runs, exp, window_days)
    sore = wellness.dropna(subset=["soreness"]).groupby(["athlete_id", "local_date"])["soreness"].max()
    run_desc = runs.groupby(["athlete_id", "local_date"])["descent_m"].sum()
    peak, other = [], []
    for row in panel.itertuples():
        days = pd.date_range(row.local_date + pd.Timedelta(days=1), periods=3, freq="D")
        vals = sore.reindex([(row.athlete_id, d) for d in days]).dropna()
        peak.append(vals.max() if len(vals) else np.nan)
        window = [(row.athlete_id, d) for d in (row.local_date, *days)]
        other.append((run_desc.reindex(window).fillna(0).sum() - row.descent_m) / 100.0)
    panel["soreness_peak_72h"] = peak
    panel["other_descent_100m_72h"] = np.clip(other, 0, None) if len(other) else []
    panel["descent_100m"] = panel["descent_m"] / 100.0
    panel = panel[panel["soreness_peak_72h"].notna()]
    cols = ["athlete_id", "activity_id", "local_date", "soreness_peak_72h", "descent_100m", "hinge_sets_28d",
            "knee_sets_28d", "descent_100m_28d", "run_km_28d", "hinge_sets_acute", "other_descent_100m_72h"]
    return panel[cols].reset_index(drop=True)
