"""Reading input files for the warehouse: one pure function per file, mapped over processes.

:func:`read_file` does everything that depends on one file only — detect, read, clean and validate its tables,
and for each activity: clean the samples, compute the terrain summary and segments, and write the samples to
``<warehouse>/samples.parquet/athlete_id=<id>/<activity_id>.parquet`` (atomically). It returns the small
tables (activities, strength sets, wellness, ...) and the terrain results, so the parent process never holds
more than one file's samples per worker. :func:`read_files` maps it over a process pool with a rich progress
bar (in-process for a handful of files, where starting workers would cost more than it saves).

Workers: ``TRAILSTRENGTH_WORKERS`` (default: the CPU count). Processes start from a fork server (Linux) or
by spawning, never by forking a parent whose library threads (pyarrow) may hold locks.
"""

from __future__ import annotations

import multiprocessing
import os
import uuid
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from trailstrength import clean, privacy, schemas, terrain
from trailstrength.io import FORMATS, FileContext, ReaderError, detect, open_bytes

PARALLEL_MIN_FILES = 8  # below this, read in-process
WORKER_FAILED = "worker failed"  # reason prefix of a file whose worker died: the next ingest reads it again


@dataclass
class FileResult:
    """What reading one file produced (samples are already on disk)."""

    path: str  # relative to the raw root
    fmt: str = "unknown"
    version: str = ""
    reason: str = ""  # non-empty: quarantined, with this one-line reason
    warnings: list[str] = field(default_factory=list)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)  # record tables, validated; no samples
    segments: list[pd.DataFrame] = field(default_factory=list)
    summaries: list[dict] = field(default_factory=list)
    sample_activities: list[str] = field(default_factory=list)  # activity ids whose samples were written
    rows: int = 0


def workers_default() -> int:
    """Worker processes for ingest: ``TRAILSTRENGTH_WORKERS`` or the CPU count."""
    env = os.environ.get("TRAILSTRENGTH_WORKERS")
    return max(1, int(env)) if env and env.isdigit() else max(1, os.cpu_count() or 1)


def read_tables(path: Path, ctx: FileContext) -> tuple[str, str, dict[str, pd.DataFrame], list[str]]:
    """Detect, read and validate one file: ``(format, reason-or-empty, tables, warnings)``; never raises."""
    fmt = "unknown"
    try:
        data, _ = open_bytes(path)
        fmt = detect(data)
        if fmt is None or fmt not in FORMATS:
            head = data[:40].decode("utf-8", "replace").splitlines()[0] if data.strip() else ""
            why = ("empty file" if not data.strip() else f"unrecognised format (starts {head!r})") if fmt is None \
                else f"no reader for {fmt} yet"
            return fmt or "unknown", why, {}, []
        result = FORMATS[fmt].read(data, ctx)
        tables = dict(result.tables)
        if "strength_sets" in tables:
            tables["strength_sets"] = clean.classify_strength(tables["strength_sets"])
        if "races" in tables:  # runner names never reach the warehouse
            tables["races"] = privacy.hide_runner_names(tables["races"])
        for name, df in tables.items():
            if df.empty and name != "samples":
                raise ReaderError(f"no {name} rows in the file")
            if name != "samples":
                tables[name] = schemas.validate_fast(name, df)
        return fmt, "", tables, result.warnings
    except (ReaderError, schemas.SchemaViolation, ValueError, KeyError, OSError) as err:
        return fmt, f"{type(err).__name__}: {err}".replace("\n", " | ")[:500], {}, []


def terrain_for(activity: pd.Series, samples: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """Segments and terrain summary of one activity (empty / NaN when it has no altitude)."""
    # GPS-only altitude needs a wider smoothing window (benchmarks/validate_terrain.py, table 2)
    rt = terrain.analyze_run(samples, terrain.TerrainParams.for_altitude_source(activity["altitude_source"]))
    seg = rt.segments.copy()
    seg.insert(0, "activity_id", activity["activity_id"])
    seg.insert(1, "athlete_id", activity["athlete_id"])
    return seg, {"activity_id": activity["activity_id"], **rt.summary}


def atomic_parquet(df: pd.DataFrame, dest: Path) -> None:
    """Write ``df`` to a temporary name next to ``dest`` and rename it into place."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.{uuid.uuid4().hex}.tmp")
    df.to_parquet(tmp, index=False)
    os.replace(tmp, dest)


def read_file(path: str, ctx: FileContext, samples_dir: str) -> FileResult:
    """Everything one file contributes (see the module docstring). Never raises: faults become the reason."""
    res = FileResult(ctx.path)
    try:
        res.fmt, res.reason, tables, res.warnings = read_tables(Path(path), ctx)
        res.version = FORMATS[res.fmt].version if res.fmt in FORMATS else ""
        if res.reason:
            return res
        samples = tables.pop("samples", None)
        if samples is not None and len(samples):
            acts = tables["activities"].set_index("activity_id", drop=False)
            for aid, part in samples.groupby("activity_id", sort=False):
                part = schemas.validate_fast("samples", clean.clean_samples(part.reset_index(drop=True)))
                seg, summary = terrain_for(acts.loc[aid], part)
                res.segments.append(seg)
                res.summaries.append(summary)
                atomic_parquet(part, Path(samples_dir) / f"athlete_id={acts.at[aid, 'athlete_id']}" / f"{aid}.parquet")
                res.sample_activities.append(aid)
                res.rows += len(part)
        res.tables = tables
        res.rows += sum(len(df) for df in tables.values())
    except (ReaderError, schemas.SchemaViolation, ValueError, KeyError, OSError) as err:
        res.reason = f"{type(err).__name__}: {err}".replace("\n", " | ")[:500]
    except Exception as err:  # noqa: BLE001 - one bad file must never stop the batch
        res.reason = f"unexpected {type(err).__name__} while reading (please report): {err}".replace("\n", " | ")[:500]
    if res.reason:
        res.tables, res.segments, res.summaries = {}, [], []
    return res


def _context():
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["trailstrength.ingest_files"])
        return ctx
    return multiprocessing.get_context("spawn")


def read_files(jobs: list[tuple[Path, FileContext]], samples_dir: Path, *, workers: int | None = None,
               progress: bool = True, label: str = "reading files") -> list[FileResult]:
    """:func:`read_file` for every job, in job order; over ``workers`` processes when there are enough files."""
    workers = workers or workers_default()
    args = [(str(p), ctx, str(samples_dir)) for p, ctx in jobs]
    if workers <= 1 or len(jobs) < PARALLEL_MIN_FILES:
        return [read_file(*a) for a in track_progress(args, progress and len(args) > 1, label)]
    results: list[FileResult | None] = [None] * len(args)
    with ProcessPoolExecutor(max_workers=min(workers, len(args)), mp_context=_context()) as pool:
        futures = {pool.submit(read_file, *a): k for k, a in enumerate(args)}
        for fut in track_progress(as_completed(futures), progress, label, total=len(args)):
            k = futures[fut]
            try:
                results[k] = fut.result()
            except Exception as err:  # noqa: BLE001 - a worker that died takes only its file with it
                results[k] = FileResult(jobs[k][1].path, reason=f"{WORKER_FAILED}: {type(err).__name__}: {err}"[:500])
    return results  # type: ignore[return-value]


def track_progress(items, show: bool, label: str, total: int | None = None):
    """Yield ``items`` behind a transient rich progress bar (the one bar style of ingest; plain when ``show`` is
    false or there is nothing to show)."""
    if not show or (total is None and not items):
        yield from items
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), transient=True) as bar:
        yield from bar.track(items, total=total if total is not None else len(items))
