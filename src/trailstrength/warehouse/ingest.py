"""The ``ingest`` verb: build or update the warehouse from ``RAW/<athlete>/...`` in six named stages.

1. **plan** (:mod:`~trailstrength.warehouse.plan`): scan the raw folder, hash, diff against the manifest;
2. **read** (:mod:`~trailstrength.warehouse.read_files`): read, clean, infer the sport of untyped activities and
   run terrain on each new or changed file, in worker processes (samples go straight to the warehouse's staging
   folder, which no reader sees); values a reader left empty go to the ``warnings`` table;
3. **merge**: keep the rows of unchanged files, add the new ones; classify exercises, mark repeated workouts;
4. **duplicates**: decide which copy of an activity recorded by several sources is kept, over every copy;
5. **derive** (:mod:`~trailstrength.warehouse.derive`): the segments and runs tables (terrain of new activities
   from the readers; all of it again when the terrain version changed), session totals of files whose records
   stop early, and the coverage table. A derived step that fails for one activity costs that activity's part,
   with the reason on its file's manifest row, never the batch;
6. **commit** (:mod:`~trailstrength.warehouse.storage`): validate every table, move the staged samples into
   ``samples.parquet/``, write every table atomically, the manifest last.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from trailstrength import __version__, clean, config, exercises, sport, terrain
from trailstrength.io import strength_logs
from trailstrength.progress import track
from trailstrength.warehouse import derive, storage
from trailstrength.warehouse import read_files as reading
from trailstrength.warehouse.plan import Plan, plan_ingest
from trailstrength.warehouse.reader import Warehouse

log = logging.getLogger("trailstrength")
#: tables whose rows belong to one input file (kept while it is unchanged): the record tables and the values the
#: readers left out
BY_FILE = (*storage.RECORD_TABLES, "warnings")
COMPACT_EVERY = 256  # files read between two compactions of what they contributed (_Batch.compact)


@dataclass
class IngestReport:
    """What one ``ingest`` run did. ``manifest`` is the full manifest after the run."""

    manifest: pd.DataFrame
    read: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    warnings: dict[str, list[str]] = field(default_factory=dict)
    rebuilt_derived: bool = False
    sports_inferred: dict[str, int] = field(default_factory=dict)  # kept activities whose sport was inferred, by sport
    untyped: int = 0  # kept activities whose sport is still unknown
    values_left_out: dict[str, int] = field(default_factory=dict)  # file read -> values / rows left out (wh.warnings)
    reclassified: str = ""  # what exercise_overrides.csv re-classified (exercises.describe_reclassification)

    def counts(self) -> dict[str, int]:
        """Files in the manifest, read, unchanged and removed, and the states of the files read."""
        fresh = self.manifest[self.manifest["path"].isin(self.read)]
        return {
            "files": len(self.manifest),
            "read": len(self.read),
            "unchanged": len(self.unchanged),
            "removed": len(self.removed),
            **{str(state): int(n) for state, n in fresh["state"].value_counts().items()},
        }

    def notes(self) -> list[str]:
        """The summary's lines beyond the counts: sports inferred, values left out, sets re-classified."""
        lines = []
        if self.sports_inferred or self.untyped:
            n = sum(self.sports_inferred.values())
            by = ", ".join(f"{k} {v}" for k, v in sorted(self.sports_inferred.items()))
            lines.append(
                f"sport inferred from the movement for {n} activit{'y' if n == 1 else 'ies'} whose file names none"
                + (f" ({by})" if by else "")
                + (f"; {self.untyped} still unknown (set untyped_sport in athlete.toml)" if self.untyped else "")
            )
        if self.values_left_out:
            n, files = sum(self.values_left_out.values()), len(self.values_left_out)
            lines.append(
                f"{n} value{'s' * (n != 1)} left empty or rows left out in {files} file{'s' * (files != 1)} read "
                "(the rest of each file kept; file, line, column, value and why in wh.warnings)"
            )
        if self.reclassified:
            lines.append(self.reclassified)
        return lines


@dataclass
class _Batch:
    """What the files read in this run contributed."""

    rows: list[dict] = field(default_factory=list)  # their manifest rows
    tables: dict[str, list[pd.DataFrame]] = field(default_factory=lambda: {t: [] for t in BY_FILE})
    segments: list[pd.DataFrame] = field(default_factory=list)
    summaries: list[dict] = field(default_factory=list)  # terrain summary per activity
    sample_activities: set[str] = field(default_factory=set)  # activities whose samples were written
    warnings: dict[str, list[str]] = field(default_factory=dict)  # the readers' warnings, by file
    summary_frames: list[pd.DataFrame] = field(default_factory=list)  # summaries already compacted

    def compact(self) -> None:
        """Concatenate what the files read so far contributed into one frame per table (issue 19: thousands of
        one-row frames cost the client far more memory than the rows they hold)."""
        for t, frames in self.tables.items():
            if len(frames) > 1:
                self.tables[t] = [pd.concat(frames, ignore_index=True)]
        if len(self.segments) > 1:
            self.segments = [pd.concat(self.segments, ignore_index=True)]
        if self.summaries:
            self.summary_frames.append(pd.concat([pd.DataFrame([s]) for s in self.summaries], ignore_index=True))
            self.summaries = []


@storage.holding_lock
def ingest(
    raw=None, *, warehouse=None, progress: bool = True, workers: int | None = None, read_files=None
) -> IngestReport:
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
    raw : path, optional
        The raw folder, ``RAW/<athlete>/<files>`` (default :func:`trailstrength.config.path` ``raw``).
    warehouse : path, optional
        The warehouse folder, created when missing (default :func:`trailstrength.config.path` ``warehouse``).
    progress : bool
        Show a progress bar while reading.
    workers : int, optional
        Reader processes (default :func:`trailstrength.config.workers`: ``TRAILSTRENGTH_WORKERS`` or the CPU
        count; 1 reads in-process).
    read_files : callable, optional
        What maps :func:`trailstrength.warehouse.read_files.read_file` over the files to read (default
        :func:`trailstrength.warehouse.read_files.read_files`, a local process pool);
        :func:`trailstrength.warehouse.dask.ingest` passes one that maps it over a Dask cluster. Same signature,
        results in job order.

    Returns
    -------
    IngestReport
        The manifest after the run (one row per input file: ingested, duplicate or quarantined with a reason)
        and the files read, unchanged and removed.

    Raises
    ------
    FileNotFoundError
        ``raw`` is not a folder.
    WarehouseLocked
        Another ingest is writing this warehouse (it holds ``<warehouse>/.ingest.lock``; one writer at a time).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from trailstrength.simulate import simulate_cohort
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = simulate_cohort(folder / "raw", athletes=1, weeks=1, seed=1, truth_dir=folder / "truth")
    >>> report = ingest(folder / "raw", warehouse=folder / "wh", progress=False, workers=1)
    >>> report.counts()
    {'files': 6, 'read': 6, 'unchanged': 0, 'removed': 0, 'ingested': 6}
    >>> report.manifest[["path", "format", "state"]].head(3)
                                         path             format     state
    0                ath01/diary/soreness.csv  soreness_template  ingested
    1     ath01/runs/2025-03-03-hill-4.gpx.gz                gpx  ingested
    2  ath01/runs/2025-03-05-rolling-3.gpx.gz                gpx  ingested
    >>> ingest(folder / "raw", warehouse=folder / "wh", progress=False).read  # nothing new: nothing read
    []
    """
    raw = config.path("raw", raw)
    root = config.path("warehouse", warehouse)
    if not raw.is_dir():
        raise FileNotFoundError(f"raw folder {raw} does not exist (expected RAW/<athlete>/<files>)")
    root.mkdir(parents=True, exist_ok=True)
    storage.clear_staging(root)  # samples a killed ingest staged and never committed
    old = Warehouse(root, must_exist=False)
    now = pd.Timestamp.now(tz="UTC")
    lost = storage.activities_missing_samples(root, old.table("activities"))  # repair what a crash or race lost
    old_manifest = old.manifest  # read once
    plan = plan_ingest(
        raw, old_manifest, old.meta, terrain.TERRAIN_VERSION, now=now, reread=frozenset(lost["source_file"])
    )
    report = IngestReport(
        manifest=old_manifest, read=plan.read, unchanged=plan.unchanged, removed=plan.removed, warnings=plan.warnings
    )
    if plan.nothing_to_do:
        return report  # nothing changed: nothing to write
    batch = _read(plan, root, read_files or reading.read_files, workers=workers, progress=progress)
    report.warnings.update(batch.warnings)
    report.values_left_out = {str(w["source_file"].iloc[0]): len(w) for w in batch.tables.get("warnings", []) if len(w)}
    manifest = _manifest_frame(plan.rows + batch.rows)
    tables = _merge(old, manifest, batch, raw, report)
    all_acts, live_acts, manifest = _duplicates(tables["activities"], manifest)
    _warn_default_time_zones(live_acts, plan, report.read)
    segments, summary = _derive(old, live_acts, batch, plan.derived_stale, progress=progress, report=report)
    tables["activities"] = _in_schema_order(derive.with_terrain_totals(live_acts, summary))
    tables["activity_sources"] = _in_schema_order(derive.with_terrain_totals(all_acts, summary))
    tables["segments"] = segments
    _count_sports(tables["activities"], report)
    tables["runs"], problems = derive.runs_table(tables["activities"], summary)
    tables["runs"] = derive.runs_with_session_totals(tables["runs"], tables["activities"])
    manifest = _note_problems(manifest, tables["activities"], problems)
    tables["coverage"] = derive.coverage_table(
        tables,
        plan.athletes,
        report.warnings,
        previous=old.table("coverage"),
        only=_changed_athletes(plan, old_manifest, manifest, old.meta),
    )
    report.manifest = _commit(
        root, tables, manifest, plan.settings, now, live=set(live_acts["activity_id"]), staged=batch.sample_activities
    )
    lost = storage.activities_missing_samples(root, tables["activities"])  # verify the commit
    if len(lost):
        log.warning("%d committed activities have no samples file; their files are read again next run", len(lost))
    return report


# ---------------------------------------------------------------------------------------------- read
def _read(plan: Plan, root: Path, read_files, *, workers, progress) -> _Batch:
    """Read the planned files; each one's manifest row, tables, terrain, and warnings (``batch.warnings``)."""
    results = read_files(
        [(job.path, job.ctx) for job in plan.jobs], storage.staging_dir(root), workers=workers, progress=progress
    )
    batch = _Batch()
    for k, (job, res) in enumerate(zip(plan.jobs, results, strict=True)):
        if k % COMPACT_EVERY == COMPACT_EVERY - 1:
            batch.compact()
        if res.warnings:
            batch.warnings[job.ctx.path] = res.warnings
        if res.reason:
            batch.rows.append(
                {
                    **job.base,
                    "format": res.format,
                    "state": "quarantined",
                    "rows": 0,
                    "reader_version": res.reader_version,
                    "reason": res.reason,
                }
            )
            continue
        for t, df in res.tables.items():
            owned = df.assign(source_file=job.ctx.path) if t in BY_FILE else df
            batch.tables.setdefault(t, []).append(owned)
        batch.segments += res.segments
        batch.summaries += res.summaries
        batch.sample_activities.update(res.sample_activities)
        batch.rows.append(
            {
                **job.base,
                "format": res.format,
                "state": "ingested",
                "rows": res.rows,
                "reader_version": res.reader_version,
                "reason": "; ".join(res.warnings) or None,
            }
        )
    batch.compact()
    return batch


def _manifest_frame(rows: list[dict]) -> pd.DataFrame:
    """The manifest rows as a frame whose text columns take text even when every value is missing so far, with the
    manifest's columns when there are no rows (an empty raw folder, or every file removed).

    (Rows kept from an old manifest carry NaN, new ones None: pandas makes such a column float64, and marking a
    file duplicate then raised TypeError. No rows made a frame without columns: SchemaViolation.)
    """
    if not rows:
        from trailstrength import schemas  # pandera only when there is nothing to list (issue 18)

        return schemas.empty("manifest")
    manifest = pd.DataFrame(rows)
    for col in ("reason", "duplicate_of"):
        if col in manifest and manifest[col].dtype.kind == "f":
            manifest[col] = manifest[col].astype(object)
    return manifest


# ---------------------------------------------------------------------------------------------- merge
def _merge(
    old: Warehouse, manifest: pd.DataFrame, batch: _Batch, raw: Path, report: IngestReport
) -> dict[str, pd.DataFrame]:
    """The record tables: rows of unchanged files kept, the new ones added (activities: every copy)."""
    current = set(manifest.loc[manifest["state"] != "quarantined", "path"]) if len(manifest) else set()
    unchanged = set(report.unchanged)
    tables: dict[str, pd.DataFrame] = {}
    for t in BY_FILE:
        kept = (
            old.table("activity_sources")
            if t == "activities" and storage.table_path(old.root, "activity_sources").exists()
            else old.table(t)
        )
        kept = kept[kept["source_file"].isin(unchanged & current)] if "source_file" in kept else kept.iloc[:0]
        tables[t] = pd.concat([kept, *batch.tables[t]], ignore_index=True) if batch.tables[t] else kept
        if "source_file" not in tables[t]:  # no rows from any file yet: the column every row of the table carries
            tables[t] = tables[t].assign(source_file=pd.Series(dtype="str", index=tables[t].index))

    # a workout in two exports of the same app counts once (duplicate_of marks the extra copy); exercises are classified
    # on every run with the current exercise_overrides.csv (raw root + athlete folder): editing it needs no re-read
    tables["strength_sets"], notes = strength_logs.mark_repeated_sessions(tables["strength_sets"])
    for path, note in notes.items():
        report.warnings.setdefault(path, []).append(note)
    before = tables["strength_sets"]
    tables["strength_sets"] = exercises.annotate_by_folder(before, raw)
    report.reclassified = exercises.describe_reclassification(
        exercises.reclassification_summary(before, tables["strength_sets"])
    )
    return {t: _in_schema_order(df, t) for t, df in tables.items()}


# ---------------------------------------------------------------------------------------------- duplicates
def _duplicates(activities: pd.DataFrame, manifest: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Duplicates across sources and Strava export links, over every copy read so far.

    Returns every copy with its ``duplicate_of``, the kept activities (references taken over from their
    copies), and the manifest with the files whose activities are all copies marked ``duplicate``.
    """
    all_acts = activities.drop(columns=["duplicate_of"], errors="ignore").reset_index(drop=True)
    all_acts["duplicate_of"] = clean.find_duplicate_activities(all_acts)
    manifest = _mark_duplicate_files(manifest, all_acts)
    live_acts = clean.take_over_references(all_acts, all_acts["duplicate_of"])
    live_acts = live_acts[live_acts["duplicate_of"].isna()].drop(columns="duplicate_of").reset_index(drop=True)
    return all_acts, live_acts, manifest


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
            out = _add_reason(out, src, f"{len(dups)} of {len(grp)} activities are copies of activities in other files")
    return out


def _in_schema_order(df: pd.DataFrame, table: str = "activities") -> pd.DataFrame:
    """A table's columns in one order whatever path built it: the schema's, then the others by name.

    Without it the order depends on history: an empty table kept from an earlier run puts its columns first.
    """
    from trailstrength import schemas  # pandera: not on a nothing-new run (issue 18)

    known = [c for c in schemas.TABLES[table].to_schema().columns if c in df.columns]
    return df[known + sorted(c for c in df.columns if c not in known)]


def _warn_default_time_zones(live_acts: pd.DataFrame, plan: Plan, read: list[str]) -> None:
    """Log once per athlete whose new activities got local dates from the default zone (no zone anywhere).

    (Counted in one pass over the activities: filtering the whole table once per athlete was quadratic in the
    cohort, issue 19.)
    """
    if "local_date_source" not in live_acts:
        return
    defaults = live_acts["source_file"].isin(read) & live_acts["local_date_source"].eq("default")
    per_athlete = live_acts.loc[defaults, "athlete_id"].value_counts()
    for name, a in plan.athletes.items():
        n = int(per_athlete.get(a.athlete_id, 0))
        if n and not a.timezone_known:
            log.warning(
                "athlete %s: no time zone in athlete.toml and %d activities state none; local dates use %s",
                name,
                n,
                a.timezone,
            )


# ---------------------------------------------------------------------------------------------- derive
def _derive(
    old: Warehouse, live_acts: pd.DataFrame, batch: _Batch, stale: bool, *, progress: bool, report: IngestReport
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Segments and the per-activity terrain summary of every kept activity.

    New activities bring theirs from the readers; unchanged ones keep the stored ones, unless the terrain
    version changed (``stale``), when they are computed again from the stored samples.
    """
    from trailstrength import schemas  # pandera: not on a nothing-new run (issue 18)

    live = set(live_acts["activity_id"])
    old_segments, old_summaries = old.table("segments"), old.table("runs")
    redo = (live - batch.sample_activities) if stale else set()
    report.rebuilt_derived = stale and bool(live)
    keep = live - redo - batch.sample_activities
    seg_parts = [old_segments[old_segments["activity_id"].isin(keep)]] if len(old_segments) else []
    seg_parts += [s[s["activity_id"].isin(live)] for s in batch.segments if len(s)]
    # the runs table carries each run's terrain summary; reuse it for unchanged activities
    summary_cols = ["activity_id", *terrain.SUMMARY_KEYS]
    summaries = (
        [old_summaries.loc[old_summaries["activity_id"].isin(keep), summary_cols]]
        if len(old_summaries) and set(summary_cols) <= set(old_summaries)
        else []
    )
    summaries += batch.summary_frames + [pd.DataFrame([s]) for s in batch.summaries]
    acts_by_id = live_acts.set_index("activity_id", drop=False)
    for aid in track(sorted(redo), "terrain", show=progress and len(redo) > 20):
        s = old.samples(activity_ids=[aid])
        notes: list[str] = []
        derived = reading.derive_terrain(acts_by_id.loc[aid], s, notes) if len(s) else None
        if derived is not None:
            seg_parts.append(derived[0])
            summaries.append(pd.DataFrame([derived[1]]))
        for note in notes:
            report.warnings.setdefault(str(acts_by_id.loc[aid, "source_file"]), []).append(note)
    segments = pd.concat(seg_parts, ignore_index=True) if seg_parts else schemas.empty("segments")
    summary = pd.concat(summaries, ignore_index=True) if summaries else pd.DataFrame({"activity_id": []})
    return segments, summary


def _changed_athletes(
    plan: Plan, old_manifest: pd.DataFrame, manifest: pd.DataFrame, old_meta: dict
) -> set[str] | None:
    """Ids of the athletes whose records may differ from the last run's: those of every file read or removed.

    ``None`` (all of them) for a new warehouse, or when a setting (athlete.toml, exercise overrides) or the
    terrain version changed since.
    """
    if old_manifest.empty or plan.derived_stale or old_meta.get("settings") != plan.settings:
        return None
    athlete_of = dict(zip(old_manifest["path"], old_manifest["athlete_id"], strict=True))
    athlete_of.update(zip(manifest["path"], manifest["athlete_id"], strict=True))
    return {str(athlete_of[p]) for p in [*plan.read, *plan.removed] if p in athlete_of}


def _count_sports(acts: pd.DataFrame, report: IngestReport) -> None:
    """Kept activities whose sport was inferred from the movement (by sport), and those still unknown."""
    inferred = acts.get("sport_source", pd.Series(dtype=str)).eq("inferred")
    report.sports_inferred = {str(k): int(v) for k, v in acts.loc[inferred, "sport"].value_counts().items()}
    report.untyped = int(acts["sport"].isin(sport.UNTYPED_SPORTS).sum())


def _note_problems(manifest: pd.DataFrame, acts: pd.DataFrame, problems: dict[str, str]) -> pd.DataFrame:
    """Each problem of a derived step appended to the reason of the file its activity came from."""
    if not problems:
        return manifest
    out = manifest.copy()
    file_of = acts.set_index("activity_id")["source_file"]
    per_file = file_of.value_counts()
    for aid, why in problems.items():
        path = str(file_of[aid])
        out = _add_reason(out, path, why if per_file[path] == 1 else f"activity {aid}: {why}")
    return out


def _add_reason(manifest: pd.DataFrame, path: str, note: str) -> pd.DataFrame:
    """``manifest`` with ``note`` appended to the reason of file ``path`` (in place)."""
    m = manifest["path"] == path
    prev = manifest.loc[m, "reason"].iloc[0] if m.any() else None
    manifest.loc[m, "reason"] = f"{prev}; {note}" if isinstance(prev, str) and prev else note
    return manifest


# ---------------------------------------------------------------------------------------------- commit
def _commit(
    root: Path,
    tables: dict[str, pd.DataFrame],
    manifest: pd.DataFrame,
    settings: dict[str, str],
    now: pd.Timestamp,
    *,
    live: set[str],
    staged: set[str],
) -> pd.DataFrame:
    """Validate every table, publish the staged samples of ``staged``, write every table, then ``meta.json``, then
    the manifest (the commit point); drop orphan samples.

    Samples go first: a crash after them leaves files that :func:`storage.read_samples` ignores (their activities
    are not committed), never a committed activity whose samples are still staged.
    """
    from trailstrength import schemas  # pandera: not on a nothing-new run (issue 18)

    # validate_fast: the same contract and, on any violation, the same report as validate, in plain pandas (full
    # pandera validation of every table was 60 % of a one-file ingest, issue 18)
    tables = {name: schemas.validate_fast(name, df) if name in schemas.TABLES else df for name, df in tables.items()}
    manifest = schemas.validate_fast("manifest", manifest)
    storage.publish_samples(root, staged)
    for name, df in tables.items():
        storage.write_table(root, name, df)
    storage.write_meta(
        root,
        {
            "terrain_version": terrain.TERRAIN_VERSION,
            "trailstrength": __version__,
            "written_at": now.isoformat(),
            "settings": settings,
        },
    )
    storage.atomic_parquet(manifest, storage.table_path(root, storage.MANIFEST))
    storage.remove_orphan_samples(storage.samples_dir(root), live)
    return manifest
