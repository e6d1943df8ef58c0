"""Cleaning between the readers and the warehouse: positions to distance, units, exercise classification,
and duplicates across sources. Every function takes and returns plain DataFrames."""

from __future__ import annotations

import numpy as np
import pandas as pd

from trailstrength import exercises, terrain

# which copy of the same activity wins when several sources hold it (lower wins)
SOURCE_PREFERENCE = {"fit": 0, "tcx": 1, "gpx": 2}
DUPLICATE_START_TOLERANCE_S = 60.0


def clean_samples(samples: pd.DataFrame) -> pd.DataFrame:
    """Fill ``distance_m`` from positions where the file gave none, and ``speed_mps`` from distance and time.

    Distance is cumulative horizontal metres (haversine); speed is the per-sample derivative (m/s), NaN where
    time does not advance.
    """
    out = samples.copy()
    if out["distance_m"].isna().all() and out["lat"].notna().any():
        out["distance_m"] = terrain.track_distance(out["lat"].to_numpy(float), out["lon"].to_numpy(float))
    if out["speed_mps"].isna().all() and out["elapsed_s"].notna().any():
        dt = np.diff(out["elapsed_s"].to_numpy(float), prepend=np.nan)
        dd = np.diff(out["distance_m"].to_numpy(float), prepend=np.nan)
        with np.errstate(invalid="ignore", divide="ignore"):
            out["speed_mps"] = np.where(dt > 0, dd / dt, np.nan)
        out["speed_mps"] = out["speed_mps"].clip(lower=0)
    return out


def classify_strength(sets: pd.DataFrame, overrides=None) -> pd.DataFrame:
    """Add the taxonomy columns (pattern, hinge subtype, posterior-chain weight, flags) to strength sets."""
    out = exercises.annotate_sets(sets, name_column="exercise_raw", overrides=overrides)
    out["posterior_chain_weight"] = out["posterior_chain_weight"].fillna(0.0)
    for flag in ("unilateral", "knee_dominant", "eccentric_emphasis"):
        out[flag] = out[flag].fillna(False).astype(bool)
    return out


def find_duplicate_activities(activities: pd.DataFrame) -> pd.Series:
    """For each activity, the ``activity_id`` it duplicates (same athlete, start within 60 s), else NA.

    Within a group of copies the preferred source (FIT > TCX > GPX, then the earliest-listed) is kept.
    """
    result = pd.Series(pd.NA, index=activities.index, dtype="object")
    acts = activities.dropna(subset=["start_time"]).copy()
    if acts.empty:
        return result
    acts["_pref"] = acts["source_format"].map(SOURCE_PREFERENCE).fillna(9)
    acts = acts.sort_values(["athlete_id", "start_time"])
    for _, grp in acts.groupby("athlete_id", sort=False):
        start_s = grp["start_time"].astype("int64").to_numpy() / 1e9
        cluster = np.concatenate([[0], np.cumsum(np.diff(start_s) > DUPLICATE_START_TOLERANCE_S)])
        for _, members in grp.groupby(cluster):
            if len(members) < 2:
                continue
            keep = members.sort_values("_pref", kind="stable").index[0]
            for idx in members.index.drop(keep):
                result[idx] = members.at[keep, "activity_id"]
    return result
