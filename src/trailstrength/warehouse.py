"""The parquet warehouse: build it from ``RAW/<athlete>/...`` incrementally, keep a manifest, read it back.

Layout of ``<warehouse>/``::

    manifest.parquet       one row per input file (ingested / duplicate / quarantined, with a reason)
    activities.parquet     strength_sets.parquet   wellness.parquet   (small tables: one file each)
    samples.parquet/       dataset folder: athlete_id=<id>/<activity_id>.parquet (one file per activity)
    segments.parquet/      dataset folders: athlete_id=<id>/part-0.parquet (one file per athlete)
    runs.parquet/
    meta.json              versions the derived tables were built with

The large tables are hive-partitioned by athlete (DESIGN §2 scale path), so ``pd.read_parquet(folder)``,
``pyarrow.dataset``, DuckDB (``read_parquet('runs.parquet/*/*.parquet', hive_partitioning=true)``) and
``dask.dataframe.read_parquet`` read them as they are (the partition column comes back as ``athlete_id``; those
readers type it as a category or dictionary, :class:`Warehouse` as a string like every other table).

Every file is written to a temporary name and renamed into place (a dataset folder is written whole beside the
old one and swapped in with two renames), and the manifest is written last, so a crash mid-way leaves the
previous warehouse readable and the next run redoes the unfinished work.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from trailstrength import __version__, clean, config, exercises, ingest_files, schemas, terrain
from trailstrength.features import build_runs
from trailstrength.io import FORMATS, Athlete, FileContext, ReaderError, strength_logs
from trailstrength.errors import WarehouseNotFound  # noqa: F401  (re-exported)

log = logging.getLogger("trailstrength")

RECORD_TABLES = ("activities", "strength_sets", "wellness", "courses", "races")  # rows owned by one input file (source_file)
# one folder per athlete; samples.parquet is partitioned too but written per activity by the readers
PARTITIONED_TABLES = ("segments", "runs")
PARTITION_COLUMN = "athlete_id"
_COLUMNS_KEY = b"trailstrength.columns"  # the frame's column order (the partition column is not in the files)
IGNORED_NAMES = {"athlete.toml", "exercise_overrides.csv", ".DS_Store", "Thumbs.db"}



@dataclass
class IngestReport:
    """What one ``ingest`` run did. ``manifest`` is the full manifest after the run."""

    manifest: pd.DataFrame
    read: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    warnings: dict[str, list[str]] = field(default_factory=dict)
    rebuilt_derived: bool = False

    def counts(self) -> dict[str, int]:
        fresh = self.manifest[self.manifest["path"].isin(self.read)]
        return {
            "files": len(self.manifest),
            "read": len(self.read),
            "unchanged": len(self.unchanged),
            "removed": len(self.removed),
            **fresh["state"].value_counts().to_dict(),
        }


# ---------------------------------------------------------------------------------------------- writing
def _atomic_parquet(df: pd.DataFrame, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.{uuid.uuid4().hex}.tmp")
    df.to_parquet(tmp, index=False)
    os.replace(tmp, dest)


def _atomic_dataset(df: pd.DataFrame, dest: Path) -> None:
    """Write ``df`` as a dataset folder with one ``athlete_id=<id>/part-0.parquet`` per athlete, swapped in whole.

    Every part has the same schema (taken from the whole frame, so an all-NaN column in one athlete's part is
    still a float), and ``_common_metadata`` holds it for readers of an empty table. The new folder is written
    beside the old one, then two renames swap it in; :meth:`Warehouse.table` falls back to the old folder if a
    crash lands between them.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    tmp = dest.with_name(f".{dest.name}.{uuid.uuid4().hex}.tmp")
    tmp.mkdir(parents=True)
    file_cols = [c for c in df.columns if c != PARTITION_COLUMN]
    schema = pa.Schema.from_pandas(df[file_cols], preserve_index=False)
    schema = schema.with_metadata({**(schema.metadata or {}), _COLUMNS_KEY: json.dumps(list(df.columns)).encode()})
    pq.write_metadata(schema, tmp / "_common_metadata")
    for athlete, part in df.groupby(PARTITION_COLUMN, sort=True):
        table = pa.Table.from_pandas(part[file_cols], schema=schema, preserve_index=False)
        (tmp / f"{PARTITION_COLUMN}={athlete}").mkdir()
        pq.write_table(table.replace_schema_metadata(schema.metadata), tmp / f"{PARTITION_COLUMN}={athlete}" / "part-0.parquet")
    old = dest.with_name(f".{dest.name}.{uuid.uuid4().hex}.old")
    if dest.exists():
        os.replace(dest, old)
    os.replace(tmp, dest)
    if old.is_dir():
        shutil.rmtree(old, ignore_errors=True)
    else:
        old.unlink(missing_ok=True)


def _read_dataset(folder: Path) -> pd.DataFrame:
    """A dataset folder written by :func:`_atomic_dataset` as one frame: columns in their order, athletes sorted."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pq.read_schema(folder / "_common_metadata")
    parts = []
    for d in sorted(folder.glob(f"{PARTITION_COLUMN}=*"), key=lambda d: d.name.split("=", 1)[1]):
        athlete = d.name.split("=", 1)[1]
        for f in sorted(d.glob("*.parquet")):
            t = pq.read_table(f, schema=schema)
            parts.append(t.append_column(PARTITION_COLUMN, pa.array([athlete] * len(t), pa.string())))
    file_schema = schema.append(pa.field(PARTITION_COLUMN, pa.string()))
    table = pa.concat_tables(parts) if parts else file_schema.empty_table()
    df = table.replace_schema_metadata(schema.metadata).to_pandas()
    if PARTITION_COLUMN in df:
        df[PARTITION_COLUMN] = df[PARTITION_COLUMN].astype("str")
    return df[json.loads(schema.metadata[_COLUMNS_KEY])]


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def scan_raw(raw: Path) -> list[tuple[Path, str | None]]:
    """All input files under ``raw`` with their athlete folder name (None for files outside one)."""
    found = []
    for p in sorted(raw.rglob("*")):
        if not p.is_file() or p.name in IGNORED_NAMES or p.name.startswith(".") or p.name.lower() == "readme.md":
            continue
        rel = p.relative_to(raw)
        found.append((p, rel.parts[0] if len(rel.parts) > 1 else None))
    return found


def _settings_fingerprint(raw: Path) -> dict[str, str]:
    """Hashes of the files that change results without being inputs (athlete.toml, exercise overrides)."""
    out = {}
    for p in sorted([*raw.glob("*/athlete.toml"), *raw.glob("exercise_overrides.csv"), *raw.glob("*/exercise_overrides.csv")]):
        out[p.relative_to(raw).as_posix()] = _sha256(p)
    return out


# ---------------------------------------------------------------------------------------------- ingest
def ingest(raw=None, warehouse=None, *, progress: bool = True, workers: int | None = None,
           read_files=None) -> IngestReport:
    """Build or update the warehouse from the raw drop zone.

    Only new or changed files (by sha256; unchanged size and modification time reuse the recorded hash) are
    read, in parallel worker processes; files whose format reader changed version are re-read, and so are
    an athlete's files when their ``athlete.toml`` changed; rows of files that disappeared are dropped.
    Duplicates across sources and Strava export links are decided again on every run over all activities
    read so far (``activity_sources.parquet`` keeps every copy), so a better copy arriving later wins, and a
    duplicate whose kept copy disappears is read again. Derived tables (segments, runs) are rebuilt when the
    terrain processing version changes. A run with nothing to do writes nothing.

    Parameters
    ----------
    raw, warehouse
        Paths (default: :func:`trailstrength.config.path` ``raw`` / ``warehouse``).
    progress
        Show a rich progress bar while reading.
    workers
        Reader processes (default ``TRAILSTRENGTH_WORKERS`` or the CPU count; 1 reads in-process).
    read_files
        What maps :func:`trailstrength.ingest_files.read_file` over the files to read (default
        :func:`trailstrength.ingest_files.read_files`, a local process pool); :mod:`trailstrength.scale` passes
        one that maps it over a Dask cluster. Same signature, results in job order.
    """
    raw = config.path("raw", raw)
    wh = config.path("warehouse", warehouse)
    if not raw.is_dir():
        raise FileNotFoundError(f"raw folder {raw} does not exist (expected RAW/<athlete>/<files>)")
    wh.mkdir(parents=True, exist_ok=True)
    old = Warehouse(wh, must_exist=False)
    old_manifest = old.manifest.set_index("path") if not old.manifest.empty else None
    meta = old.meta
    derived_stale = meta.get("terrain_version") != terrain.TERRAIN_VERSION
    settings = _settings_fingerprint(raw)
    changed_profiles = {k.split("/")[0] for k in set(settings) ^ set(meta.get("settings", {}))
                        | {k for k, v in settings.items() if meta.get("settings", {}).get(k) != v}
                        if k.endswith("athlete.toml")}

    athletes: dict[str, Athlete] = {}
    rows, todo, report = [], [], IngestReport(manifest=pd.DataFrame())
    now = pd.Timestamp.now(tz="UTC")
    for path, folder in scan_raw(raw):
        rel = path.relative_to(raw).as_posix()
        st = path.stat()
        prev = old_manifest.loc[rel] if old_manifest is not None and rel in old_manifest.index else None
        same_stat = prev is not None and int(prev["size_bytes"]) == st.st_size and \
            pd.notna(prev.get("mtime_ns")) and int(prev.get("mtime_ns")) == st.st_mtime_ns
        sha = prev["sha256"] if same_stat else _sha256(path)
        base = {"path": rel, "sha256": sha, "size_bytes": st.st_size, "mtime_ns": st.st_mtime_ns,
                "athlete_id": folder or "", "ingested_at": now, "duplicate_of": None}
        if folder is None:
            rows.append({**base, "format": "unknown", "state": "quarantined", "rows": 0, "reader_version": "",
                         "reason": "not inside an athlete folder (expected RAW/<athlete>/...)"})
            continue
        if folder not in athletes:
            try:
                athletes[folder] = Athlete.from_folder(raw / folder)
            except ReaderError as err:
                athletes[folder] = Athlete(folder)
                report.warnings.setdefault(f"{folder}/athlete.toml", []).append(str(err))
        athlete = athletes[folder]
        base["athlete_id"] = athlete.athlete_id
        fmt_version = FORMATS[prev["format"]].version if prev is not None and prev["format"] in FORMATS else ""
        # a file a worker failed on (killed, out of memory, lost node) is read again: the fault was not the file's
        retry = prev is not None and str(prev.get("reason") or "").startswith(ingest_files.WORKER_FAILED)
        if (prev is not None and prev["sha256"] == sha and prev["reader_version"] == fmt_version
                and folder not in changed_profiles and not retry):
            rows.append({"path": rel, **prev.to_dict(), "mtime_ns": st.st_mtime_ns})  # path first, as on a cold run
            report.unchanged.append(rel)
        else:
            todo.append((path, FileContext(rel, sha, athlete), base))

    removed = sorted(set(old_manifest.index) - {r["path"] for r in rows} - {t[1].path for t in todo}) \
        if old_manifest is not None else []
    # a duplicate whose kept copy is going away or changing is read again (its samples were never stored)
    moving = set(removed) | {t[1].path for t in todo}
    for r in [r for r in rows if r.get("state") == "duplicate" and r.get("duplicate_of") in moving]:
        rows.remove(r)
        report.unchanged.remove(r["path"])
        todo.append((raw / r["path"], FileContext(r["path"], r["sha256"], athletes[r["path"].split("/")[0]]),
                     {k: r[k] for k in ("path", "sha256", "size_bytes", "mtime_ns", "athlete_id")}
                     | {"ingested_at": now, "duplicate_of": None}))
    report.removed = removed
    if not todo and not removed and not derived_stale and meta.get("settings") == settings and old_manifest is not None:
        report.manifest = old.manifest  # nothing changed: nothing to write
        return report

    samples_dir = wh / "samples.parquet"
    new_tables: dict[str, list[pd.DataFrame]] = {t: [] for t in RECORD_TABLES}
    seen_sha = {r["sha256"]: r["path"] for r in rows if r["state"] == "ingested"}
    jobs = []
    for path, ctx, base in todo:
        report.read.append(ctx.path)
        if ctx.sha256 in seen_sha:
            rows.append({**base, "format": "", "state": "duplicate", "rows": 0, "reader_version": "",
                         "reason": f"identical content to {seen_sha[ctx.sha256]}", "duplicate_of": seen_sha[ctx.sha256]})
            continue
        seen_sha[ctx.sha256] = ctx.path
        jobs.append((path, ctx, base))
    results = (read_files or ingest_files.read_files)([(p, c) for p, c, _ in jobs], samples_dir, workers=workers,
                                                      progress=progress)
    fresh_segments, fresh_summaries, fresh_samples = [], [], set()
    for (path, ctx, base), res in zip(jobs, results):
        if res.warnings:
            report.warnings[ctx.path] = res.warnings
        if res.reason:
            rows.append({**base, "format": res.fmt, "state": "quarantined", "rows": 0, "reader_version": res.version,
                         "reason": res.reason})
            continue
        for t, df in res.tables.items():
            new_tables.setdefault(t, []).append(df.assign(source_file=ctx.path) if t in RECORD_TABLES else df)
        fresh_segments += res.segments
        fresh_summaries += res.summaries
        fresh_samples.update(res.sample_activities)
        rows.append({**base, "format": res.fmt, "state": "ingested", "rows": res.rows, "reader_version": res.version,
                     "reason": "; ".join(res.warnings) or None})

    manifest = pd.DataFrame(rows)
    current = set(manifest.loc[manifest["state"] != "quarantined", "path"]) if len(manifest) else set()
    unchanged = set(report.unchanged)

    # record tables: keep the rows of unchanged files, add the new ones (activities: every copy, duplicates too)
    tables: dict[str, pd.DataFrame] = {}
    for t in RECORD_TABLES:
        kept = old.table("activity_sources") if t == "activities" and (wh / "activity_sources.parquet").exists() \
            else old.table(t)
        kept = kept[kept["source_file"].isin(unchanged & current)] if "source_file" in kept else kept.iloc[:0]
        tables[t] = pd.concat([kept, *new_tables[t]], ignore_index=True) if new_tables[t] else kept

    # a workout in two exports of the same app counts once (duplicate_of marks the extra copy); exercises are classified
    # on every run with the current exercise_overrides.csv (raw root + athlete folder): editing it needs no re-read
    tables["strength_sets"], notes = strength_logs.mark_repeated_sessions(tables["strength_sets"])
    for path, note in notes.items():
        report.warnings.setdefault(path, []).append(note)
    tables["strength_sets"] = exercises.annotate_by_folder(tables["strength_sets"], raw)

    # duplicates across sources and Strava export links, over every copy read so far
    all_acts = tables["activities"].drop(columns=["duplicate_of"], errors="ignore").reset_index(drop=True)
    all_acts["duplicate_of"] = clean.find_duplicate_activities(all_acts)
    manifest = _mark_duplicate_files(manifest, all_acts)
    live_acts = clean.take_over_references(all_acts, all_acts["duplicate_of"])
    live_acts = live_acts[live_acts["duplicate_of"].isna()].drop(columns="duplicate_of").reset_index(drop=True)
    live = set(live_acts["activity_id"])
    for name, a in athletes.items():
        defaults = live_acts[(live_acts["athlete_id"] == a.athlete_id) & live_acts["source_file"].isin(report.read)
                             & live_acts.get("local_date_source", pd.Series(dtype=str)).eq("default")]
        if len(defaults) and not a.timezone_known:
            log.warning("athlete %s: no time zone in athlete.toml and %d activities state none; local dates use %s",
                        name, len(defaults), a.timezone)

    # derived: terrain of new activities comes from the readers; all of it again when the terrain version changed
    old_segments, old_summaries = old.table("segments"), old.table("runs")
    redo = (live - fresh_samples) if derived_stale else set()
    report.rebuilt_derived = derived_stale and bool(live)
    keep = live - redo - fresh_samples
    seg_parts = [old_segments[old_segments["activity_id"].isin(keep)]] if len(old_segments) else []
    seg_parts += [s for s in fresh_segments if len(s) and s["activity_id"].iloc[0] in live]
    # the runs table carries each run's terrain summary; reuse it for unchanged activities
    summary_cols = ["activity_id", *terrain.SUMMARY_KEYS]
    summaries = ([old_summaries.loc[old_summaries["activity_id"].isin(keep), summary_cols]]
                 if len(old_summaries) and set(summary_cols) <= set(old_summaries) else [])
    summaries += [pd.DataFrame([s]) for s in fresh_summaries]
    acts_by_id = live_acts.set_index("activity_id", drop=False)
    for aid in ingest_files.track_progress(sorted(redo), progress and len(redo) > 20, "terrain"):
        s = old.samples(activity_ids=[aid])
        if len(s):
            seg, summ = ingest_files.terrain_for(acts_by_id.loc[aid], s)
            seg_parts.append(seg)
            summaries.append(pd.DataFrame([summ]))
    segments = pd.concat(seg_parts, ignore_index=True) if seg_parts else schemas.empty("segments")
    summary = pd.concat(summaries, ignore_index=True) if summaries else pd.DataFrame({"activity_id": []})
    tables["activities"] = _with_terrain_totals(live_acts, summary)
    tables["activity_sources"] = _with_terrain_totals(all_acts, summary)
    tables["segments"] = segments
    tables["runs"] = build_runs(tables["activities"], summary)

    for t, df in tables.items():
        df = schemas.validate(t, df) if t in schemas.TABLES else df
        (_atomic_dataset if t in PARTITIONED_TABLES else _atomic_parquet)(df, wh / f"{t}.parquet")
    manifest = schemas.validate("manifest", manifest)
    meta = {"terrain_version": terrain.TERRAIN_VERSION, "trailstrength": __version__,
            "written_at": now.isoformat(), "settings": settings}
    (wh / ".meta.json.tmp").write_text(json.dumps(meta, indent=2))
    os.replace(wh / ".meta.json.tmp", wh / "meta.json")
    _atomic_parquet(manifest, wh / "manifest.parquet")  # the commit point
    _remove_orphan_samples(samples_dir, live)
    report.manifest = manifest
    return report


def _mark_duplicate_files(manifest: pd.DataFrame, acts: pd.DataFrame) -> pd.DataFrame:
    """A file whose every activity is a copy of another file's becomes ``duplicate``, naming the kept file."""
    if acts.empty or acts["duplicate_of"].isna().all():
        return manifest
    file_of = acts.set_index("activity_id")["source_file"]
    out = manifest.copy()
    for src, grp in acts.groupby("source_file", sort=False):
        dups = grp["duplicate_of"].dropna()
        if dups.empty:
            continue
        keeper = file_of.get(dups.iloc[0])
        m = out["path"] == src
        if len(dups) == len(grp):
            why = f"same activity as {keeper} (kept by preference FIT > TCX > GPX > Strava CSV, then content)"
            out.loc[m, ["state", "reason", "duplicate_of"]] = ["duplicate", why, keeper]
        else:
            note = f"{len(dups)} of {len(grp)} activities are copies of activities in other files"
            prev = out.loc[m, "reason"].iloc[0] if m.any() else None
            out.loc[m, "reason"] = f"{prev}; {note}" if isinstance(prev, str) and prev else note
    return out


def _with_terrain_totals(acts: pd.DataFrame, summary: pd.DataFrame) -> pd.DataFrame:
    """Fill activity distance / moving time / ascent / descent from the terrain summary where it has them.

    Moving time is ours only where the activity covered distance; otherwise (strength sessions, indoor
    rides without a speed sensor) the reader's value (the device's timer time) stays.
    """
    cols = ("moving_time_s", "distance_m", "ascent_m", "descent_m")
    out = acts.copy()
    for c in cols:
        if c not in out:
            out[c] = float("nan")
    if summary.empty:
        return out
    s = summary.drop_duplicates("activity_id", keep="last").set_index("activity_id")
    moved = out["activity_id"].map(s["distance_m"]).gt(0) if "distance_m" in s else pd.Series(False, index=out.index)
    for c in cols:
        ours = out["activity_id"].map(s[c]) if c in s else pd.Series(float("nan"), index=out.index)
        use = ours.notna() & (moved if c == "moving_time_s" else True)
        out[c] = ours.where(use, out[c])
    return out


def _remove_orphan_samples(samples_dir: Path, live: set[str]) -> None:
    if not samples_dir.is_dir():
        return
    for f in samples_dir.glob("athlete_id=*/*.parquet"):
        if f.stem not in live:
            f.unlink(missing_ok=True)
    for d in samples_dir.glob("athlete_id=*"):
        if d.is_dir() and not any(d.iterdir()):
            d.rmdir()


# ---------------------------------------------------------------------------------------------- reading
class Warehouse:
    """Read access to a built warehouse; tables are plain pandas DataFrames read on each access."""

    def __init__(self, root=None, *, must_exist: bool = True):
        self.root = config.path("warehouse", root)
        if must_exist and not (self.root / "manifest.parquet").is_file():
            raise WarehouseNotFound(f"no warehouse at {self.root}: run `trailstrength ingest RAW --warehouse {self.root}`")

    def __repr__(self) -> str:
        return f"Warehouse({str(self.root)!r})"

    @property
    def meta(self) -> dict:
        p = self.root / "meta.json"
        return json.loads(p.read_text()) if p.is_file() else {}

    def table(self, name: str) -> pd.DataFrame:
        """One tidy table (an empty frame with the contract's columns when it was never written)."""
        p = self.root / f"{name}.parquet"
        if not p.exists() and name in PARTITIONED_TABLES:
            # a crash between the two renames of _atomic_dataset leaves only the previous folder
            p = next(iter(sorted(self.root.glob(f".{name}.parquet.*.old"))), p)
        if not p.exists():
            return schemas.empty(name) if name in schemas.TABLES else pd.DataFrame()
        if p.is_dir() and (p / "_common_metadata").is_file():
            return _read_dataset(p)
        return pd.read_parquet(p)  # a single file (small tables; large ones in warehouses written before partitioning)

    manifest = property(lambda self: self.table("manifest"))
    activities = property(lambda self: self.table("activities"))
    strength_sets = property(lambda self: self.table("strength_sets"))
    wellness = property(lambda self: self.table("wellness"))
    segments = property(lambda self: self.table("segments"))
    runs = property(lambda self: self.table("runs"))

    @property
    def descents(self) -> pd.DataFrame:
        seg = self.segments
        return seg[seg["kind"] == "descent"].reset_index(drop=True)

    def samples(self, activity_ids=None, athletes=None) -> pd.DataFrame:
        """Recorded points, optionally only for some activities or athletes (read from the per-activity files)."""
        d = self.root / "samples.parquet"
        if not d.is_dir():
            return schemas.empty("samples")
        if activity_ids is not None:
            files = [f for a in activity_ids for f in d.glob(f"athlete_id=*/{a}.parquet")]
        elif athletes is not None:
            files = [f for a in athletes for f in sorted((d / f"athlete_id={a}").glob("*.parquet"))]
        else:
            files = sorted(d.glob("athlete_id=*/*.parquet"))
        if not files:
            return schemas.empty("samples")
        return pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)


def open_warehouse(path=None) -> Warehouse:
    """Open a built warehouse (``config.path('warehouse')`` by default)."""
    return Warehouse(path)


def remove(path) -> None:
    """Delete a warehouse folder (used by tests and ``demo --fresh``)."""
    shutil.rmtree(path, ignore_errors=True)
