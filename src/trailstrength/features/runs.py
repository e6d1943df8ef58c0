"""The ``runs`` table: running activities with their terrain summary, flat reference speed and DPI."""

from __future__ import annotations

import numpy as np
import pandas as pd

from trailstrength.terrain import SUMMARY_KEYS

RUN_SPORTS = ("running", "trail_running")
FLAT_REFERENCE_DAYS = 28


def build_runs(activities: pd.DataFrame, terrain_summary: pd.DataFrame) -> pd.DataFrame:
    """The ``runs`` table: running activities with their terrain summary, flat reference and DPI.

    DPI (descent performance index) = time-weighted grade-adjusted speed on descent segments ÷ flat
    reference speed. The flat reference is the run's own speed on ``|grade|`` < 2 % (when it has ≥ 500 m of such
    terrain), else the median of the athlete's same-run flat speeds over the previous 28 days.
    ``climb_performance_index`` (for H3) is the same ratio for grade-adjusted speed on climb segments.
    """
    is_run = activities["sport"].isin(RUN_SPORTS)
    cols = ["activity_id", "athlete_id", "local_date", "start_time", "source_format", "duration_s"]
    # an empty summary (no activity had terrain yet, e.g. a folder of strength logs only) has neither the terrain
    # columns nor a string activity_id
    summary = terrain_summary.reindex(columns=["activity_id", *[k for k in SUMMARY_KEYS if k != "activity_id"]])
    summary = summary.astype({"activity_id": activities["activity_id"].dtype})
    runs = activities.loc[is_run, cols].merge(summary, on="activity_id", how="left")
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
    runs["flat_reference"] = np.select([same, runs["flat_reference_mps"].notna()], ["same_run", "rolling_28d"], "none")
    runs["dpi"] = runs["descent_gap_speed_mps"] / runs["flat_reference_mps"]
    # H3 mirrors DPI on climbs: grade-adjusted climbing speed over the same flat reference
    runs["climb_performance_index"] = runs["climb_gap_speed_mps"] / runs["flat_reference_mps"]
    return runs
