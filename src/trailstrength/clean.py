"""Cleaning between the readers and the warehouse: positions to distance, units, exercise classification,
and duplicates across sources. Every function takes and returns plain DataFrames."""

from __future__ import annotations

import numpy as np
import pandas as pd

from trailstrength import exercises, terrain

# which copy of the same activity wins when several sources hold it (lower wins); a Strava CSV row has no samples
SOURCE_PREFERENCE = {"fit": 0, "tcx": 1, "gpx": 2, "strava_csv": 8}
DUPLICATE_START_TOLERANCE_S = 60.0
DUPLICATE_MIN_OVERLAP = 0.5  # share of the shorter activity's time span
REFERENCE_PREFIX = "strava_"  # reference columns a kept copy takes over from its duplicates


def clean_samples(samples: pd.DataFrame) -> pd.DataFrame:
    """Fill ``distance_m`` from positions where the file gave none, and ``speed_mps`` from distance and time.

    Distance is cumulative horizontal metres (haversine) over every point, in file order. Speed (m/s) is taken
    from one time stamp to the next: samples sharing a stamp (several points a second stamped with whole seconds)
    all get the distance from the previous stamp's first sample to their stamp's first over the time between
    the two, so neither their distance nor their speed is lost, and nothing is divided by zero. NaN where time
    is unknown or does not advance.
    """
    out = samples.copy()
    if out["distance_m"].isna().all() and out["lat"].notna().any():
        out["distance_m"] = terrain.track_distance(out["lat"].to_numpy(float), out["lon"].to_numpy(float))
    if out["speed_mps"].isna().all() and out["elapsed_s"].notna().any():
        out["speed_mps"] = speed_by_stamp(out["elapsed_s"].to_numpy(float), out["distance_m"].to_numpy(float))
        out["speed_mps"] = out["speed_mps"].clip(lower=0)
    return out


def speed_by_stamp(elapsed_s: np.ndarray, distance_m: np.ndarray) -> np.ndarray:
    """Per-sample speed (m/s) from one time stamp to the next (see :func:`clean_samples`); NaN without a time."""
    out = np.full(elapsed_s.size, np.nan)
    timed = np.flatnonzero(np.isfinite(elapsed_s))
    if timed.size < 2:
        return out
    t = elapsed_s[timed]
    new = np.concatenate(([True], t[1:] != t[:-1]))
    first = timed[new]  # the first sample of every stamp
    dt, dd = np.diff(elapsed_s[first]), np.diff(distance_m[first])
    with np.errstate(invalid="ignore", divide="ignore"):
        speed = np.concatenate(([np.nan], np.where(dt > 0, dd / dt, np.nan)))
    out[timed] = speed[np.cumsum(new) - 1]
    return out


def classify_strength(sets: pd.DataFrame, overrides=None) -> pd.DataFrame:
    """Add the taxonomy columns (pattern, hinge subtype, posterior-chain weight, flags) to strength sets."""
    out = exercises.annotate_sets(sets, name_column="exercise_raw", overrides=overrides)
    out["posterior_chain_weight"] = out["posterior_chain_weight"].fillna(0.0)
    for flag in ("unilateral", "knee_dominant", "eccentric_emphasis"):
        out[flag] = out[flag].fillna(False).astype(bool)
    return out


def find_duplicate_activities(activities: pd.DataFrame) -> pd.Series:
    """For each activity, the ``activity_id`` of the copy it duplicates, else NA.

    Two activities of one athlete from *different* files are the same activity when they start within
    60 s of each other or their time spans overlap by at least half of the shorter one (a watch FIT and the
    Strava GPX of the same run; a Strava CSV row and its file). Copies form groups (any chain of such pairs);
    in each group the activities of one file are kept, chosen by source preference FIT > TCX > GPX > Strava
    CSV, then by what the copy holds (times, altitude, positions), then by longer duration, then file order.
    A Strava CSV row whose ``strava_file`` is an ingested file is a copy of that file's first activity
    whatever the times say. The legs of one multisport file are never copies of each other.

    Returns a Series aligned to ``activities`` (the kept copy each duplicate maps to: the one it overlaps most).
    """
    result = pd.Series(pd.NA, index=activities.index, dtype="object")
    if activities.empty:
        return result
    acts = activities.reset_index(drop=True)
    start = pd.to_datetime(acts["start_time"], utc=True).astype("int64").to_numpy() / 1e9
    start = np.where(acts["start_time"].notna().to_numpy(), start, np.nan)
    dur = (
        pd.to_numeric(acts.get("duration_s"), errors="coerce").to_numpy(float)
        if "duration_s" in acts
        else np.full(len(acts), np.nan)
    )
    end = start + np.nan_to_num(dur, nan=0.0)
    files = acts["source_file"].astype(str).to_numpy()
    parent = list(range(len(acts)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def join(i: int, j: int) -> None:
        parent[root(i)] = root(j)

    linked = _strava_links(acts)
    for i, j in linked.items():
        join(i, j)
    for _, grp in acts.groupby("athlete_id", sort=False):
        idx = grp.index[np.isfinite(start[grp.index])].to_numpy()
        idx = idx[np.argsort(start[idx], kind="stable")]
        open_: list[int] = []  # activities whose span may still overlap the next start
        for i in idx:
            open_ = [j for j in open_ if max(end[j], start[j] + DUPLICATE_START_TOLERANCE_S) >= start[i]]
            for j in open_:
                if files[j] != files[i] and _same_activity(start[i], end[i], start[j], end[j]):
                    join(i, j)
            open_.append(i)
    groups: dict[int, list[int]] = {}
    for i in range(len(acts)):
        groups.setdefault(root(i), []).append(i)
    rank = _preference(acts)
    for members in groups.values():
        if len({files[i] for i in members}) < 2:
            continue
        keep_file = files[min(members, key=lambda i: rank[i])]
        kept = [i for i in members if files[i] == keep_file]
        for i in members:
            if files[i] == keep_file:
                continue
            best = linked.get(i)
            if best is None or files[best] != keep_file:
                best = max(kept, key=lambda j: (_overlap(start[i], end[i], start[j], end[j]), -j))
            result.iloc[i] = acts.at[best, "activity_id"]
    return result


def _same_activity(s1: float, e1: float, s2: float, e2: float) -> bool:
    if abs(s1 - s2) <= DUPLICATE_START_TOLERANCE_S:
        return True
    shorter = min(e1 - s1, e2 - s2)
    return shorter > 0 and _overlap(s1, e1, s2, e2) >= DUPLICATE_MIN_OVERLAP * shorter


def _overlap(s1: float, e1: float, s2: float, e2: float) -> float:
    return max(0.0, min(e1, e2) - max(s1, s2)) if np.isfinite(s1) and np.isfinite(s2) else 0.0


def _preference(acts: pd.DataFrame) -> list[tuple]:
    """Sort key per activity: source format, then richer content, longer, earlier in the table."""
    fmt = acts["source_format"].map(SOURCE_PREFERENCE).fillna(9).to_numpy()
    flag = lambda c: acts[c].fillna(False).astype(bool).to_numpy() if c in acts else np.zeros(len(acts), bool)  # noqa: E731
    dur = (
        pd.to_numeric(acts["duration_s"], errors="coerce").fillna(0).to_numpy()
        if "duration_s" in acts
        else np.zeros(len(acts))
    )
    first_row = {f: i for i, f in reversed(list(enumerate(acts["source_file"])))}
    has_time, has_alt, has_gps = flag("has_time"), flag("has_altitude"), flag("has_gps")
    return [
        (fmt[i], not has_time[i], not has_alt[i], not has_gps[i], -dur[i], first_row[f])
        for i, f in enumerate(acts["source_file"])
    ]


def _strava_links(acts: pd.DataFrame) -> dict[int, int]:
    """Strava CSV row position -> position of the first activity read from the file the row lists."""
    if "strava_file" not in acts:
        return {}
    first = {}
    for i, f in enumerate(acts["source_file"]):
        first.setdefault(str(f), i)
        for ext in (".gz",):  # the row may list x.fit.gz while the file was unpacked (or the reverse)
            first.setdefault(str(f)[: -len(ext)] if str(f).endswith(ext) else str(f) + ext, i)
    out = {}
    rows = acts.index[acts["source_format"].eq("strava_csv") & acts["strava_file"].notna()]
    for i in rows:
        j = first.get(str(acts.at[i, "strava_file"]))
        if j is not None and acts.at[j, "source_format"] != "strava_csv":
            out[int(i)] = j
    return out


def take_over_references(activities: pd.DataFrame, duplicate_of: pd.Series) -> pd.DataFrame:
    """Fill each kept activity's empty ``strava_*`` reference columns from the copies that duplicate it."""
    cols = [c for c in activities.columns if c.startswith(REFERENCE_PREFIX)]
    dups = duplicate_of.dropna()
    if not cols or dups.empty:
        return activities
    out = activities.copy()
    donors = out.loc[dups.index, cols].assign(_keeper=dups.to_numpy()).groupby("_keeper").first()
    pos = pd.Series(out.index, index=out["activity_id"])
    for keeper, vals in donors.iterrows():
        if keeper in pos.index:
            row = pos[keeper]
            for c in cols:
                if pd.isna(out.at[row, c]) and pd.notna(vals[c]):
                    out.at[row, c] = vals[c]
    return out
