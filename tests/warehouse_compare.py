"""Two warehouses compared row for row: every table sorted by its key, without the columns that say when a file was
read (not what it held). Used by the Dask, kill -9 and property tests."""

from __future__ import annotations

import pandas as pd

from trailstrength import warehouse

KEYS = {
    "manifest": ["path"],
    "activities": ["activity_id"],
    "activity_sources": ["activity_id", "source_file"],
    "strength_sets": ["athlete_id", "performed_at", "session_id", "set_index", "source_file"],
    "wellness": ["athlete_id", "local_date", "source_file"],
    "segments": ["activity_id", "start_m"],
    "runs": ["activity_id"],
    "courses": ["source_file"],
}
TIMESTAMPS = ["ingested_at", "mtime_ns"]  # when and from which copy, not what


def table(wh, name: str) -> pd.DataFrame:
    """Table ``name`` of the warehouse ``wh`` sorted by its key, without :data:`TIMESTAMPS`."""
    df = warehouse.Warehouse(wh).table(name).drop(columns=TIMESTAMPS, errors="ignore")
    keys = [k for k in KEYS[name] if k in df]
    return df.sort_values(keys).reset_index(drop=True) if keys else df


def samples(wh) -> pd.DataFrame:
    """Every committed sample of ``wh``, sorted by activity and time."""
    s = warehouse.Warehouse(wh).samples()
    return s.sort_values(["activity_id", "timestamp"]).reset_index(drop=True)


def assert_same_warehouse(got, want) -> None:
    """Every table of :data:`KEYS` and the samples equal row for row."""
    for name in KEYS:
        pd.testing.assert_frame_equal(table(got, name), table(want, name), obj=name)
    pd.testing.assert_frame_equal(samples(got), samples(want), obj="samples")
