"""The parquet warehouse: build it from ``RAW/<athlete>/...`` incrementally, keep a manifest, read it back.

Layout of ``<warehouse>/``::

    manifest.parquet       one row per input file (ingested / duplicate / quarantined, with a reason)
    activities.parquet     strength_sets.parquet   wellness.parquet   segments.parquet   runs.parquet
    samples.parquet/       dataset folder: athlete_id=<id>/<activity_id>.parquet (one file per activity)
    meta.json              versions the derived tables were built with

Every file is written to a temporary name and renamed into place, and the manifest is written last, so a
crash mid-way leaves the previous warehouse readable and the next run redoes the unfinished work.
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

from trailstrength import __version__, clean, config, exercises, schemas, terrain
from trailstrength.features import build_runs
from trailstrength.io import FORMATS, Athlete, FileContext, ReaderError, detect, open_bytes, strength_logs

log = logging.getLogger("trailstrength")

RECORD_TABLES = ("activities", "strength_sets", "wellness")  # rows owned by one input file (source_file)
IGNORED_NAMES = {"athlete.toml", "exercise_overrides.csv", ".DS_Store", "Thumbs.db"}


class WarehouseNotFound(FileNotFoundError):
    """No warehouse at this path yet: run ``trailstrength ingest RAW`` first."""


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


def _read_one(path: Path, ctx: FileContext) -> tuple[str, str, dict[str, pd.DataFrame], list[str]]:
    """Detect, read and validate one file. Returns (format, reason-or-empty, tables, warnings)."""
    fmt = "unknown"
    try:
        data, _ = open_bytes(path)
        fmt = detect(data)
        if fmt is None or fmt not in FORMATS:
            head = data[:40].decode("utf-8", "replace").splitlines()[0] if data.strip() else ""
            why = f"unrecognised format (starts {head!r})" if fmt is None else f"no reader for {fmt} yet"
            return fmt or "unknown", why, {}, []
        result = FORMATS[fmt].read(data, ctx)
        tables = dict(result.tables)
        if "samples" in tables:
            tables["samples"] = clean.clean_samples(tables["samples"])
        if "strength_sets" in tables:
            tables["strength_sets"] = clean.classify_strength(tables["strength_sets"])
        for name, df in tables.items():
            if df.empty and name != "samples":
                raise ReaderError(f"no {name} rows in the file")
            tables[name] = schemas.validate(name, df)
        return fmt, "", tables, result.warnings
    except (ReaderError, schemas.SchemaViolation, ValueError, KeyError, OSError) as err:
        return fmt, f"{type(err).__name__}: {err}".replace("\n", " | ")[:500], {}, []


def _terrain_for(activity: pd.DataFrame, samples: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """Segments and terrain summary of one activity (empty / NaN when it has no altitude)."""
    # GPS-only altitude needs a wider smoothing window (benchmarks/validate_terrain.py, table 2)
    rt = terrain.analyze_run(samples, terrain.TerrainParams.for_altitude_source(activity["altitude_source"].iloc[0]))
    seg = rt.segments.copy()
    seg.insert(0, "activity_id", activity["activity_id"].iloc[0])
    seg.insert(1, "athlete_id", activity["athlete_id"].iloc[0])
    summary = {"activity_id": activity["activity_id"].iloc[0], **rt.summary}
    return seg, summary


# ---------------------------------------------------------------------------------------------- ingest
def ingest(raw=None, warehouse=None, *, progress: bool = True) -> IngestReport:
    """Build or update the warehouse from the raw drop zone.

    Only new or changed files (by sha256) are read; files whose format reader changed version are re-read;
    rows of files that disappeared are dropped. Derived tables (segments, runs) are rebuilt when the terrain
    processing version changes.

    Parameters
    ----------
    raw, warehouse
        Paths (default: :func:`trailstrength.config.path` ``raw`` / ``warehouse``).
    progress
        Show a rich progress bar while reading.
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

    athletes: dict[str, Athlete] = {}
    rows, todo, report = [], [], IngestReport(manifest=pd.DataFrame())
    now = pd.Timestamp.now(tz="UTC")
    for path, folder in scan_raw(raw):
        rel = path.relative_to(raw).as_posix()
        sha, size = _sha256(path), path.stat().st_size
        base = {"path": rel, "sha256": sha, "size_bytes": size, "athlete_id": folder or "", "ingested_at": now}
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
        prev = old_manifest.loc[rel] if old_manifest is not None and rel in old_manifest.index else None
        fmt_version = FORMATS[prev["format"]].version if prev is not None and prev["format"] in FORMATS else ""
        if prev is not None and prev["sha256"] == sha and prev["reader_version"] == fmt_version:
            rows.append({**prev.to_dict(), "path": rel})
            report.unchanged.append(rel)
        else:
            todo.append((path, FileContext(rel, sha, athlete), base))

    for name, a in athletes.items():
        if not a.timezone_known:
            log.warning("athlete %s: no time zone in athlete.toml; local dates use %s", name, a.timezone)

    new_tables: dict[str, list[pd.DataFrame]] = {t: [] for t in (*RECORD_TABLES, "samples")}
    seen_sha = {r["sha256"]: r["path"] for r in rows if r["state"] == "ingested"}
    for path, ctx, base in _progress(todo, progress, "reading files"):
        report.read.append(ctx.path)
        if ctx.sha256 in seen_sha:
            rows.append({**base, "format": "", "state": "duplicate", "rows": 0, "reader_version": "",
                         "reason": f"identical content to {seen_sha[ctx.sha256]}"})
            continue
        fmt, reason, tables, warns = _read_one(path, ctx)
        version = FORMATS[fmt].version if fmt in FORMATS else ""
        if warns:
            report.warnings[ctx.path] = warns
        if reason:
            rows.append({**base, "format": fmt, "state": "quarantined", "rows": 0, "reader_version": version,
                         "reason": reason})
            continue
        seen_sha[ctx.sha256] = ctx.path
        for t, df in tables.items():
            new_tables[t].append(df.assign(source_file=ctx.path) if t in RECORD_TABLES else df)
        rows.append({**base, "format": fmt, "state": "ingested", "rows": sum(map(len, tables.values())),
                     "reader_version": version, "reason": "; ".join(warns) or None})

    manifest = pd.DataFrame(rows)
    current = set(manifest.loc[manifest["state"] == "ingested", "path"]) if len(manifest) else set()
    if old_manifest is not None:
        report.removed = sorted(set(old_manifest.index) - set(manifest["path"]))

    # record tables: keep the rows of unchanged files, add the new ones
    tables: dict[str, pd.DataFrame] = {}
    for t in RECORD_TABLES:
        kept = old.table(t)
        kept = kept[kept["source_file"].isin(current - set(report.read))] if "source_file" in kept else kept.iloc[:0]
        tables[t] = pd.concat([kept, *new_tables[t]], ignore_index=True) if new_tables[t] else kept

    # a workout in two exports of the same app counts once (duplicate_of marks the extra copy); exercises are classified
    # on every run with the current exercise_overrides.csv (raw root + athlete folder): editing it needs no re-read
    tables["strength_sets"], notes = strength_logs.mark_repeated_sessions(tables["strength_sets"])
    for path, note in notes.items():
        report.warnings.setdefault(path, []).append(note)
    tables["strength_sets"] = exercises.annotate_by_folder(tables["strength_sets"], raw)

    # duplicates across sources: the same run from two files
    acts = tables["activities"]
    dup_of = clean.find_duplicate_activities(acts)
    if dup_of.notna().any():
        dups = acts[dup_of.notna()]
        for idx, row in dups.iterrows():
            keep_path = acts.loc[acts["activity_id"] == dup_of[idx], "source_file"].iloc[0]
            m = manifest["path"] == row["source_file"]
            manifest.loc[m, ["state", "reason"]] = ["duplicate", f"same activity as {keep_path} (kept by preference FIT > TCX > GPX)"]
        tables["activities"] = acts[dup_of.isna()].reset_index(drop=True)
    live = set(tables["activities"]["activity_id"])

    # samples: one file per activity; write the new ones (before the manifest: harmless if we crash)
    samples_dir = wh / "samples.parquet"
    fresh_samples = {df["activity_id"].iloc[0]: df for df in new_tables["samples"] if len(df)}
    acts_by_id = tables["activities"].set_index("activity_id")
    for aid, df in fresh_samples.items():
        if aid in live:
            _atomic_parquet(df, samples_dir / f"athlete_id={acts_by_id.at[aid, 'athlete_id']}" / f"{aid}.parquet")

    # derived: terrain per activity for new activities, or for all when the terrain version changed
    old_segments, old_summaries = old.table("segments"), old.table("runs")
    redo = live if derived_stale else {a for a in fresh_samples if a in live}
    report.rebuilt_derived = derived_stale and bool(live)
    keep = live - redo
    seg_parts = [old_segments[old_segments["activity_id"].isin(keep)]] if len(old_segments) else []
    # the runs table carries each run's terrain summary; reuse it for unchanged activities
    summary_cols = ["activity_id", *terrain.SUMMARY_KEYS]
    summaries = ([old_summaries.loc[old_summaries["activity_id"].isin(keep), summary_cols]]
                 if len(old_summaries) and set(summary_cols) <= set(old_summaries) else [])
    for aid in _progress(sorted(redo), progress and len(redo) > 20, "terrain"):
        s = fresh_samples.get(aid)
        if s is None:
            s = old.samples(activity_ids=[aid])
        seg, summ = _terrain_for(acts_by_id.loc[[aid]].reset_index(), s)
        seg_parts.append(seg)
        summaries.append(pd.DataFrame([summ]))
    segments = pd.concat(seg_parts, ignore_index=True) if seg_parts else schemas.empty("segments")
    summary = pd.concat(summaries, ignore_index=True) if summaries else pd.DataFrame({"activity_id": []})
    tables["activities"] = _with_terrain_totals(tables["activities"], summary)
    tables["segments"] = segments
    tables["runs"] = build_runs(tables["activities"], summary)

    for t, df in tables.items():
        _atomic_parquet(schemas.validate(t, df), wh / f"{t}.parquet")
    manifest = schemas.validate("manifest", manifest)
    meta = {"terrain_version": terrain.TERRAIN_VERSION, "trailstrength": __version__,
            "written_at": now.isoformat()}
    (wh / ".meta.json.tmp").write_text(json.dumps(meta, indent=2))
    os.replace(wh / ".meta.json.tmp", wh / "meta.json")
    _atomic_parquet(manifest, wh / "manifest.parquet")  # the commit point
    _remove_orphan_samples(samples_dir, live)
    report.manifest = manifest
    return report


def _with_terrain_totals(acts: pd.DataFrame, summary: pd.DataFrame) -> pd.DataFrame:
    """Fill activity distance / moving time / ascent / descent from the terrain summary where it has them."""
    if summary.empty:
        for c in ("moving_time_s", "distance_m", "ascent_m", "descent_m"):
            if c not in acts:
                acts[c] = float("nan")
        return acts
    s = summary.set_index("activity_id")
    out = acts.copy()
    for c in ("moving_time_s", "distance_m", "ascent_m", "descent_m"):
        ours = out["activity_id"].map(s[c]) if c in s else pd.Series(float("nan"), index=out.index)
        out[c] = ours.where(ours.notna(), out[c]) if c in out else ours
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


def _progress(items, show: bool, label: str):
    if not show or not items:
        yield from items
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), transient=True) as bar:
        yield from bar.track(items, total=len(items))


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
        if not p.exists():
            return schemas.empty(name) if name in schemas.TABLES else pd.DataFrame()
        return pd.read_parquet(p)

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
