"""How the warehouse lies on disk: table layout, the one atomic writer, and reading tables back.

Layout of ``<warehouse>/``::

    manifest.parquet       one row per input file (ingested / duplicate / quarantined, with a reason)
    activities.parquet     strength_sets.parquet   wellness.parquet   (small tables: one file each)
    samples.parquet/       dataset folder: athlete_id=<id>/<activity_id>.parquet (one file per activity)
    segments.parquet/      dataset folders: athlete_id=<id>/part-0.parquet (one file per athlete)
    runs.parquet/
    meta.json              versions the derived tables were built with
    .staging/              samples of the running ingest, moved into samples.parquet/ at its commit

The large tables are hive-partitioned by athlete (DESIGN §2 scale path), so ``pd.read_parquet(folder)``,
``pyarrow.dataset``, DuckDB (``read_parquet('runs.parquet/*/*.parquet', hive_partitioning=true)``) and
``dask.dataframe.read_parquet`` read them as they are (the partition column comes back as ``athlete_id``; those
readers type it as a category or dictionary, :func:`read_table` as a string like every other table).

Every file is written to a temporary name and renamed into place (:func:`atomic_parquet`; a dataset folder is
written whole beside the old one and swapped in with two renames, :func:`atomic_dataset`), and the manifest is
written last, so a crash mid-way leaves the previous warehouse readable and the next run redoes the unfinished
work. The readers write each activity's samples into ``.staging/samples.parquet/`` (:func:`staging_dir`), which no
reader looks at; the commit moves them into ``samples.parquet/`` (:func:`publish_samples`) and the next ingest
clears what a killed one left there (:func:`clear_staging`).
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from pathlib import Path

import numpy as np
import pandas as pd

from trailstrength.io.base import is_safe_athlete_id
from trailstrength.warehouse.locking import LOCK as LOCK  # the write lock lives in locking; these names stay here
from trailstrength.warehouse.locking import holding_lock as holding_lock
from trailstrength.warehouse.locking import lock as lock

# rows owned by one input file (their source_file)
RECORD_TABLES = ("activities", "strength_sets", "wellness", "courses", "races")
# one folder per athlete; samples.parquet is partitioned too but written per activity by the readers
PARTITIONED_TABLES = ("segments", "runs")
PARTITION_COLUMN = "athlete_id"
MANIFEST = "manifest"  # written last: the commit point of an ingest
STAGING = ".staging"  # samples written by the running ingest, invisible to readers until its commit
_COLUMNS_KEY = b"trailstrength.columns"  # the frame's column order (the partition column is not in the files)


# ---------------------------------------------------------------------------------------------- layout
def table_path(root: Path, name: str) -> Path:
    """Where table ``name`` lives in the warehouse at ``root`` (a file, or a dataset folder when partitioned)."""
    return Path(root) / f"{name}.parquet"


def samples_dir(root: Path) -> Path:
    """The dataset folder of the recorded points: ``samples.parquet/athlete_id=<id>/<activity_id>.parquet``."""
    return Path(root) / "samples.parquet"


def staging_dir(root: Path) -> Path:
    """Where the running ingest writes samples (laid out like :func:`samples_dir`) until its commit publishes them."""
    return Path(root) / STAGING / "samples.parquet"


def partition_name(athlete_id: str) -> str:
    """The folder of one athlete in a dataset folder, ``athlete_id=<id>``; refuses ids that are not safe
    (:data:`trailstrength.io.base.ATHLETE_ID`), so no id can name a folder outside the warehouse."""
    if not is_safe_athlete_id(athlete_id):
        raise ValueError(f"athlete id {athlete_id!r} is not a safe folder name (letters, digits, '.', '_', '-')")
    return f"{PARTITION_COLUMN}={athlete_id}"


def sample_path(samples: Path, athlete_id: str, activity_id: str) -> Path:
    """The file holding one activity's recorded points under the samples folder ``samples``."""
    if not is_safe_athlete_id(activity_id):
        raise ValueError(f"activity id {activity_id!r} is not a safe file name")
    return Path(samples) / partition_name(athlete_id) / f"{activity_id}.parquet"


def _temporary_name(dest: Path, suffix: str = "tmp") -> Path:
    # hidden and unique, beside dest (same filesystem, so the rename is atomic)
    return dest.with_name(f".{dest.name}.{uuid.uuid4().hex}.{suffix}")


# ---------------------------------------------------------------------------------------------- writing
def atomic_parquet(df: pd.DataFrame, dest: Path) -> None:
    """Write ``df`` (without its index) to a temporary name next to ``dest`` and rename it into place."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temporary_name(dest)
    df.to_parquet(tmp, index=False)
    os.replace(tmp, dest)


def atomic_dataset(df: pd.DataFrame, dest: Path) -> None:
    """Write ``df`` as a dataset folder with one ``athlete_id=<id>/part-0.parquet`` per athlete, swapped in whole.

    Every part has the same schema (taken from the whole frame, so an all-NaN column in one athlete's part is
    still a float), and ``_common_metadata`` holds it for readers of an empty table. The new folder is written
    beside the old one, then two renames swap it in; :func:`read_table` falls back to the old folder if a
    crash lands between them.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    tmp = _temporary_name(dest)
    tmp.mkdir(parents=True)
    file_cols = [c for c in df.columns if c != PARTITION_COLUMN]
    schema = pa.Schema.from_pandas(df[file_cols], preserve_index=False)
    schema = schema.with_metadata({**(schema.metadata or {}), _COLUMNS_KEY: json.dumps(list(df.columns)).encode()})
    pq.write_metadata(schema, tmp / "_common_metadata")
    # one conversion of the whole frame, rows grouped by athlete, then a slice per athlete: converting each athlete's
    # part on its own cost ~30 ms of pandas per athlete and table (issue 19)
    rows = df[PARTITION_COLUMN].groupby(df[PARTITION_COLUMN], sort=True).indices
    order = np.concatenate(list(rows.values())) if rows else np.zeros(0, dtype=np.intp)
    whole = pa.Table.from_pandas(df[file_cols].iloc[order], schema=schema, preserve_index=False)
    at = 0
    for athlete, positions in rows.items():
        part_dir = tmp / partition_name(str(athlete))
        part_dir.mkdir()
        part = whole.slice(at, len(positions)).replace_schema_metadata(schema.metadata)
        pq.write_table(part, part_dir / "part-0.parquet")
        at += len(positions)
    old = _temporary_name(dest, "old")
    if dest.exists():
        os.replace(dest, old)
    os.replace(tmp, dest)
    if old.is_dir():
        shutil.rmtree(old, ignore_errors=True)
    else:
        old.unlink(missing_ok=True)


def write_table(root: Path, name: str, df: pd.DataFrame) -> None:
    """Write table ``name`` atomically: a dataset folder for the partitioned tables, one file for the others."""
    (atomic_dataset if name in PARTITIONED_TABLES else atomic_parquet)(df, table_path(root, name))


def write_meta(root: Path, meta: dict) -> None:
    """Replace ``meta.json`` atomically."""
    tmp = _temporary_name(Path(root) / "meta.json")
    tmp.write_text(json.dumps(meta, indent=2))
    os.replace(tmp, Path(root) / "meta.json")


def remove_orphan_samples(samples: Path, live: set[str]) -> None:
    """Delete the sample files of activities no longer in the warehouse, and athlete folders left empty."""
    if not samples.is_dir():
        return
    for f in samples.glob(f"{PARTITION_COLUMN}=*/*.parquet"):
        if f.stem not in live:
            f.unlink(missing_ok=True)
    for d in samples.glob(f"{PARTITION_COLUMN}=*"):
        if d.is_dir() and not any(d.iterdir()):
            d.rmdir()


def publish_samples(root: Path, activity_ids: set[str]) -> list[str]:
    """Move the staged samples of ``activity_ids`` into ``samples.parquet/`` (one rename each, replacing an older copy).

    Called by the commit, holding the lock; returns the activity ids published. The staging folder is then removed
    with what else it held (samples of a file that failed after writing some).
    """
    staged, dest, published = staging_dir(root), samples_dir(root), []
    for f in sorted(staged.glob(f"{PARTITION_COLUMN}=*/*.parquet")):
        if f.stem not in activity_ids:
            continue
        target = dest / f.parent.name / f.name
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(f, target)
        published.append(f.stem)
    clear_staging(root)
    return published


def clear_staging(root: Path) -> None:
    """Delete the staging folder: what an ingest killed before its commit left there (never read by anyone)."""
    shutil.rmtree(Path(root) / STAGING, ignore_errors=True)


def remove(path) -> None:
    """Delete a warehouse (or raw) folder, if there is one (used by tests and ``demo --fresh``)."""
    shutil.rmtree(path, ignore_errors=True)


# ---------------------------------------------------------------------------------------------- reading
def read_dataset(folder: Path, athletes=None) -> pd.DataFrame:
    """A dataset folder written by :func:`atomic_dataset` as one frame: columns in their order, athletes sorted;
    only the partitions of ``athletes`` when given (the others are never opened)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pq.read_schema(folder / "_common_metadata")
    parts = []
    for d in sorted(folder.glob(f"{PARTITION_COLUMN}=*"), key=lambda d: d.name.split("=", 1)[1]):
        athlete = d.name.split("=", 1)[1]
        if athletes is not None and athlete not in athletes:
            continue
        for f in sorted(d.glob("*.parquet")):
            t = pq.read_table(f, schema=schema)
            parts.append(t.append_column(PARTITION_COLUMN, pa.array([athlete] * len(t), pa.string())))
    file_schema = schema.append(pa.field(PARTITION_COLUMN, pa.string()))
    table = pa.concat_tables(parts) if parts else file_schema.empty_table()
    df = table.replace_schema_metadata(schema.metadata).to_pandas()
    if PARTITION_COLUMN in df:
        df[PARTITION_COLUMN] = df[PARTITION_COLUMN].astype("str")
    return df[json.loads(schema.metadata[_COLUMNS_KEY])]


def read_table(root: Path, name: str, athletes=None) -> pd.DataFrame:
    """Table ``name`` of the warehouse at ``root`` (an empty frame with the contract's columns when never written);
    only the rows of ``athletes`` (a collection of ids) when given: partitions pruned, other files filtered as read."""
    p = table_path(root, name)
    if not p.exists() and name in PARTITIONED_TABLES:
        # a crash between the two renames of atomic_dataset leaves only the previous folder
        p = next(iter(sorted(Path(root).glob(f".{name}.parquet.*.old"))), p)
    if not p.exists():
        from trailstrength import schemas  # here: pandera only when a table is missing (issue 18)

        return schemas.empty(name) if name in schemas.TABLES else pd.DataFrame()
    if p.is_dir() and (p / "_common_metadata").is_file():
        return read_dataset(p, None if athletes is None else set(athletes))
    if athletes is not None:
        return pd.read_parquet(p, filters=[(PARTITION_COLUMN, "in", list(athletes))])
    return pd.read_parquet(p)  # a single file (small tables; large ones in warehouses written before partitioning)


def read_samples(samples: Path, activity_ids=None, athletes=None) -> pd.DataFrame:
    """Recorded points from the per-activity files: some activities, some athletes' or (both None) all.

    Without ``activity_ids``, only activities of the committed ``activities`` table (beside ``samples``) count.
    """
    from trailstrength import schemas  # here: pandera stays off the nothing-new ingest (issue 18)

    if not samples.is_dir():
        return schemas.empty("samples")
    if activity_ids is not None:
        files = [f for a in activity_ids for f in samples.glob(f"{PARTITION_COLUMN}=*/{a}.parquet")]
    else:
        if athletes is not None:
            files = [f for a in athletes for f in sorted((samples / f"{PARTITION_COLUMN}={a}").glob("*.parquet"))]
        else:
            files = sorted(samples.glob(f"{PARTITION_COLUMN}=*/*.parquet"))
        # only committed activities: an ingest writes samples before its commit (and a killed one leaves them)
        committed = set(read_table(samples.parent, "activities")["activity_id"].astype(str))
        files = [f for f in files if f.stem in committed]
    if not files:
        return schemas.empty("samples")
    return pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)


def read_meta(root: Path) -> dict:
    """``meta.json`` as a dict (empty when the warehouse has none yet)."""
    p = Path(root) / "meta.json"
    return json.loads(p.read_text()) if p.is_file() else {}


# ---------------------------------------------------------------------------------------------- repair
def activities_missing_samples(root: Path, activities: pd.DataFrame) -> pd.DataFrame:
    """Committed activities that recorded points (``has_gps`` or ``has_altitude``) but have no samples file.

    After a crash or a writer that did not hold the lock, these are the activities to repair: an ingest reads
    their source files again. Returns their ``activity_id``, ``athlete_id`` and ``source_file``.
    """
    cols = ["activity_id", "athlete_id", "source_file"]
    if activities.empty or not set(cols) <= set(activities):
        return pd.DataFrame(columns=cols)
    recorded = activities[activities.get("has_gps", False) | activities.get("has_altitude", False)]
    folder = samples_dir(root)
    present = {(f.parent.name.split("=", 1)[1], f.stem) for f in folder.glob(f"{PARTITION_COLUMN}=*/*.parquet")}
    keys = zip(recorded["athlete_id"].astype(str), recorded["activity_id"].astype(str), strict=True)
    missing: pd.DataFrame = recorded.loc[[k not in present for k in keys], cols]
    return missing.reset_index(drop=True)
