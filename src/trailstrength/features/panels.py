"""Analysis panels: one row per run for H1 (descent performance) and H2 (soreness after descents).

Runs with at least ``MIN_DESCENT_LENGTH_M`` of descent segments and a full exposure history (``window_days`` of
records before them) enter; exposures come from :func:`~trailstrength.features.exposures.rolling_exposures`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from trailstrength.features.exposures import ACUTE_LAGS, WINDOW_DAYS, daily_exposures, rolling_exposures

MIN_DESCENT_LENGTH_M = 500.0
# exposure variants carried beside the primary columns, for H4-H7 and sensitivity models (units: exposures.py)
EXPOSURE_VARIANTS = [
    "pure_hinge_sets_28d",
    "deadlift_sets_28d",
    "hinge_volume_kg_28d",
    "hinge_ecc_tut_s_28d",
    "hinge_sessions_28d",
    "strength_sessions_28d",
    "knee_volume_kg_28d",
    "unilateral_share_28d",
    "hinge_unilateral_share_28d",
    "main_hinge_e1rm_28d",
    "main_hinge_e1rm_change_28d",
    "hinge_sets_ewm",
    "knee_sets_ewm",
    "descent_100m_ewm",
]
#: A run is in the H2 "clean window" when no other run of the athlete with at least this much descent (m) falls in
#: the 72 h after it (days d ... d+3; DESIGN §8 v2 sensitivity).
CLEAN_WINDOW_DESCENT_M = 300.0


UNUSABLE_ALTITUDE = ("sparse", "none")


def _descent_runs(runs: pd.DataFrame, exposures: pd.DataFrame, window_days: int) -> pd.DataFrame:
    keep = runs["descent_length_m"].fillna(0) >= MIN_DESCENT_LENGTH_M
    if "altitude_quality" in runs:
        # too few altitude fixes to find descents reliably (terrain.ALTITUDE_QUALITY)
        keep &= ~runs["altitude_quality"].isin(UNUSABLE_ALTITUDE)
    exposures = exposures.drop(columns=["descent_m", "run_km", "runs"])
    panel = runs[keep].merge(exposures, on=["athlete_id", "local_date"], how="left")
    return panel[panel["history_days"] >= window_days].reset_index(drop=True)


def h1_panel(
    runs: pd.DataFrame, strength_sets: pd.DataFrame, window_days: int = WINDOW_DAYS, variants: bool = False
) -> pd.DataFrame:
    """H1 run panel: runs with ≥ 500 m of descent segments, a DPI, and a full exposure history.

    The primary columns (``dpi``, ``hinge_sets_28d`` ...; ``distance_km``, the run's distance, is the v2 covariate
    that replaces ``duration_h``, which depends on the run's own speed; ``upper_sets_28d`` the negative-control
    exposure, push and pull working sets per week); with ``variants=True`` also
    :data:`EXPOSURE_VARIANTS` (H4–H7 and sensitivity exposures).
    """
    exp = rolling_exposures(daily_exposures(runs, strength_sets), window_days)
    panel = _descent_runs(runs, exp, window_days)
    panel["duration_h"] = panel["moving_time_s"] / 3600.0
    panel["distance_km"] = panel["distance_m"] / 1000.0
    panel = panel[panel["dpi"].notna()]
    cols = [
        "athlete_id",
        "activity_id",
        "local_date",
        "dpi",
        "hinge_sets_28d",
        "knee_sets_28d",
        "descent_100m_28d",
        "run_km_28d",
        "mean_descent_grade",
        "duration_h",
        "distance_km",
        "upper_sets_28d",
        "descent_m",
        "descent_length_m",
        "flat_reference",
    ]
    return panel[cols + (EXPOSURE_VARIANTS if variants else [])].reset_index(drop=True)


def h2_panel(
    runs: pd.DataFrame,
    strength_sets: pd.DataFrame,
    wellness: pd.DataFrame,
    window_days: int = WINDOW_DAYS,
    variants: bool = False,
) -> pd.DataFrame:
    """H2 soreness panel: descent runs followed by ≥ 1 soreness report in the 3 days after them.

    ``soreness_peak_72h`` is the highest 0–10 soreness reported on days d+1 … d+3; ``descent_100m`` the run's
    own descent (100 m); ``other_descent_100m_72h`` the descent of the athlete's other runs on days d … d+3 (v1;
    downstream of the soreness, kept for the post-run sensitivity model), ``other_descent_100m_pre72h`` that of
    the runs on days d−3 … d−1 (v2), ``hinge_sets_pre3d`` / ``hinge_sets_post3d`` the hinge sets on d−3 … d−1 / d …
    d+3, ``clean_window`` True when no other run with ≥ :data:`CLEAN_WINDOW_DESCENT_M` of descent falls on d … d+3,
    ``upper_sets_28d`` the negative-control exposure (push and pull working sets per week).
    With ``variants=True`` the primary columns are followed by :data:`EXPOSURE_VARIANTS` and the acute lags
    ``hinge_sets_lag0..3``, ``knee_sets_lag0..3`` and ``descent_100m_lag0..3`` (lag 0 includes this run's own
    descent).
    """
    exp = rolling_exposures(daily_exposures(runs, strength_sets), window_days)
    panel = _descent_runs(runs, exp, window_days)
    sore = wellness.dropna(subset=["soreness"]).groupby(["athlete_id", "local_date"])["soreness"].max()
    by_day = runs.groupby(["athlete_id", "local_date"])["descent_m"]
    run_desc, run_max = by_day.sum(), by_day.max()

    def on_day(daily: pd.Series, k: int) -> np.ndarray:
        """``daily`` (indexed by athlete, date) on day d + k of every panel run; NaN where absent."""
        keys = pd.MultiIndex.from_arrays([panel["athlete_id"], panel["local_date"] + pd.Timedelta(days=k)])
        return daily.reindex(keys).to_numpy(dtype=float)

    ahead = pd.DataFrame({k: on_day(sore, k) for k in (1, 2, 3)}, index=panel.index)
    panel["soreness_peak_72h"] = ahead.max(axis=1)  # NaN only when no report on d+1 ... d+3
    window_descent = sum(np.nan_to_num(on_day(run_desc, k)) for k in (0, 1, 2, 3))
    panel["other_descent_100m_72h"] = np.clip((window_descent - panel["descent_m"]) / 100.0, 0, None)
    panel["other_descent_100m_pre72h"] = sum(np.nan_to_num(on_day(run_desc, -k)) for k in (1, 2, 3)) / 100.0
    same_day_other = np.nan_to_num(on_day(run_desc, 0)) - panel["descent_m"].to_numpy(float)
    later = np.column_stack([np.nan_to_num(on_day(run_max, k)) for k in (1, 2, 3)]).max(axis=1)
    panel["clean_window"] = (same_day_other < CLEAN_WINDOW_DESCENT_M) & (later < CLEAN_WINDOW_DESCENT_M)
    panel["descent_100m"] = panel["descent_m"] / 100.0
    panel = panel[panel["soreness_peak_72h"].notna()]
    cols = [
        "athlete_id",
        "activity_id",
        "local_date",
        "soreness_peak_72h",
        "descent_100m",
        "hinge_sets_28d",
        "knee_sets_28d",
        "descent_100m_28d",
        "run_km_28d",
        "hinge_sets_acute",
        "other_descent_100m_72h",
        "hinge_sets_pre3d",
        "hinge_sets_post3d",
        "other_descent_100m_pre72h",
        "clean_window",
        "upper_sets_28d",
    ]
    lags = [f"{c}_lag{k}" for c in ("hinge_sets", "knee_sets", "descent_100m") for k in ACUTE_LAGS]
    return panel[cols + (EXPOSURE_VARIANTS + lags if variants else [])].reset_index(drop=True)
