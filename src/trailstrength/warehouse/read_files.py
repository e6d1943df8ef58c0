"""Reading input files for the warehouse: one pure function per file, mapped over processes.

:func:`read_file` does everything that depends on one file only — detect, read, clean and validate its tables,
and for each activity: clean the samples, compute the terrain summary and segments, and write the samples to
the samples folder it is given (the warehouse's staging folder; atomically). It returns the small
tables (activities, strength sets, wellness, ...) and the terrain results, so the parent process never holds
more than one file's samples per worker. :func:`read_files` maps it over a process pool with a rich progress
bar (in-process for a handful of files, where starting workers would cost more than it saves).

Workers: :func:`trailstrength.config.workers` (``TRAILSTRENGTH_WORKERS``, default the CPU count). Processes
start from a fork server (Linux) or by spawning, never by forking a parent whose library threads (pyarrow) may
hold locks.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import numpy as np
import pandas as pd

from trailstrength import clean, config, privacy, sport, terrain
from trailstrength.errors import SchemaViolation
from trailstrength.io import FORMATS, FileContext, ReaderError, detect, open_bytes
from trailstrength.io._csv import as_utf8
from trailstrength.io._values import TABLE as VALUE_WARNINGS
from trailstrength.progress import track
from trailstrength.warehouse import storage

#: The process pool only pays for itself on a batch this large (files, and bytes on disk); smaller batches are read
#: in-process. Measured with ``python benchmarks/bench_latency.py --only crossover`` (2 cores, load average ~20):
#: read_files on N simulated 3-hour FITs (281 kB each), serial / 2 workers: 8 files 2.9 / 11.1 s, 16 files
#: 5.6 / 12.8 s, 24 files (6.7 MB) 16.2 / 14.3 s: starting the pool costs about as much as reading 6 MB of FIT.
PARALLEL_MIN_FILES = 8
PARALLEL_MIN_BYTES = 6_000_000
#: What still stops an ingest: the user's Ctrl-C and an explicit exit. Everything else raised while reading one file
#: (including ``pyo3_runtime.PanicException`` from a Rust decoder, a ``BaseException``) quarantines that file only.
STOP = (KeyboardInterrupt, SystemExit)
WORKER_FAILED = "worker failed"  # reason prefix of a file whose worker died: the next ingest reads it again


@dataclass
class FileResult:
    """What reading one file produced (samples are already on disk)."""

    path: str  # relative to the raw root
    format: str = "unknown"  # as detected from the content (io.detect)
    reader_version: str = ""  # version of that format's reader
    reason: str = ""  # non-empty: quarantined, with this one-line reason
    warnings: list[str] = field(default_factory=list)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)  # record tables, validated; no samples
    segments: list[pd.DataFrame] = field(default_factory=list)
    summaries: list[dict] = field(default_factory=list)
    sample_activities: list[str] = field(default_factory=list)  # activity ids whose samples were written
    rows: int = 0


def read_tables(path: Path, ctx: FileContext) -> tuple[str, str, dict[str, pd.DataFrame], list[str]]:
    """Detect, read and validate one file: ``(format, reason-or-empty, tables, warnings)``; never raises."""
    from trailstrength import schemas  # pandera on the first file read, not at import (issue 18)

    file_format = "unknown"
    try:
        data, _ = open_bytes(path)
        data, encoding = as_utf8(data)  # a cp1252 diary or log is read, not quarantined (issue 16, item 10)
        notes = [f"text decoded as {encoding} (not UTF-8)"] if encoding not in ("", "utf-8") else []
        detected = detect(data)
        if detected is None or detected not in FORMATS:
            # the reason names the kind of content, never the content itself (it is shown in published reports)
            kind = "binary data" if b"\0" in data[:4096] else "text"
            why = (
                ("empty file" if not data.strip() else f"unrecognised format ({len(data):,} bytes of {kind})")
                if detected is None
                else f"no reader for {detected} yet"
            )
            return detected or "unknown", why, {}, []
        file_format = detected
        result = FORMATS[file_format].read(data, ctx)
        tables = dict(result.tables)
        if VALUE_WARNINGS in tables:  # values the reader left empty, one row each (io._values)
            tables[VALUE_WARNINGS] = tables[VALUE_WARNINGS].assign(
                athlete_id=ctx.athlete.athlete_id, source_file=ctx.path
            )
        if "strength_sets" in tables:
            tables["strength_sets"] = clean.classify_strength(tables["strength_sets"])
        if "races" in tables:  # runner names never reach the warehouse
            tables["races"] = privacy.hide_runner_names(tables["races"])
        for name, df in tables.items():
            if df.empty and name != "samples":
                raise ReaderError(f"no {name} rows in the file")
            if name != "samples":
                tables[name] = schemas.validate_fast(name, df)
        return file_format, "", tables, notes + result.warnings
    except (ReaderError, SchemaViolation, ValueError, KeyError, OSError) as err:
        return file_format, f"{type(err).__name__}: {err}".replace("\n", " | ")[:500], {}, []


def terrain_for(activity: pd.Series, samples: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """Segments and terrain summary of one activity (empty / NaN when it has no altitude)."""
    # GPS-only altitude needs a wider smoothing window (benchmarks/validate_terrain.py, table 2)
    rt = terrain.analyze_run(samples, terrain.TerrainParams.for_altitude_source(activity["altitude_source"]))
    seg = rt.segments.copy()
    seg.insert(0, "activity_id", activity["activity_id"])
    seg.insert(1, "athlete_id", activity["athlete_id"])
    return seg, {"activity_id": activity["activity_id"], **rt.summary}


def derive_terrain(activity: pd.Series, samples: pd.DataFrame, warnings: list[str]) -> tuple[pd.DataFrame, dict] | None:
    """:func:`terrain_for`, or ``None`` with the reason appended to ``warnings`` when it fails on this activity.

    A derived step never costs the file (issue 14, item 1): the activity and its samples are kept, without terrain.
    """
    try:
        return terrain_for(activity, samples)
    except Exception as err:  # noqa: BLE001 - one activity's terrain must never cost the file or the batch
        warnings.append(f"activity {activity['activity_id']}: terrain not computed ({_one_line(err)})")
        return None


def infer_sport_of(activity: pd.Series, samples: pd.DataFrame, warnings: list[str]) -> dict:
    """:func:`trailstrength.sport.infer_activity_sport` for one activity (``{}`` when it names its sport or fails).

    An inference that fails leaves the sport ``unknown`` and says so in ``warnings``; it never costs the file.
    """
    try:
        return sport.infer_activity_sport(activity, samples)
    except Exception as err:  # noqa: BLE001 - an unknown sport is the fallback, not a quarantine
        warnings.append(f"activity {activity['activity_id']}: sport not inferred ({_one_line(err)})")
        return {}


def with_inferred_sports(activities: pd.DataFrame, inferred: list[dict]) -> pd.DataFrame:
    """``activities`` with the columns :func:`infer_sport_of` returned set on their rows (others untouched)."""
    found = pd.DataFrame([i for i in inferred if len(i) > 1])
    if found.empty:
        return activities
    out = activities.copy()
    for col in ("sport_confidence", "sport_evidence"):
        if col not in out:
            out[col] = pd.Series(np.nan if col == "sport_confidence" else None, index=out.index, dtype=object)
    found = found.set_index("activity_id")
    rows = out["activity_id"].isin(found.index)
    for col in found.columns:
        out.loc[rows, col] = out.loc[rows, "activity_id"].map(found[col]).to_numpy()
    return out.astype({"sport_confidence": "float64"})


def _schema_bounds(table: str) -> dict[str, tuple[float, float]]:
    """Per column of ``table``, the (lowest, highest) value its schema allows (infinite where it sets none)."""
    from trailstrength import schemas  # pandera on the first file read, not at import (issue 18)

    bounds = {}
    for name, column in schemas.TABLES[table].to_schema().columns.items():
        stats = [c.statistics for c in column.checks]
        lo = next((s["min_value"] for s in stats if "min_value" in s), -np.inf)
        hi = next((s["max_value"] for s in stats if "max_value" in s), np.inf)
        if np.isfinite(lo) or np.isfinite(hi):
            bounds[name] = (float(lo), float(hi))
    return bounds


def without_glitches(samples: pd.DataFrame, activity_id: str, warnings: list[str]) -> pd.DataFrame:
    """``samples`` with each value outside its schema's limits (latitude 91.5, elevation 1e9 m, infinity) left
    empty, a position as a whole (latitude and longitude), and one warning per column: a glitch point costs its
    bad value, never the activity (issue 16, item 10)."""
    out = samples
    for column, (lo, hi) in _schema_bounds("samples").items():
        if column not in samples:
            continue
        values = pd.to_numeric(samples[column], errors="coerce")
        bad = values.notna() & ~values.between(lo, hi)
        if not bad.any():
            continue
        out = out.copy() if out is samples else out
        targets = ["lat", "lon"] if column in ("lat", "lon") else [column]
        out.loc[bad, [c for c in targets if c in out]] = np.nan
        warnings.append(
            f"activity {activity_id}: {int(bad.sum())} {column} value(s) outside {lo:g}..{hi:g} left empty "
            f"(first {values[bad].iloc[0]:g})"
        )
    return out


def note_recording_gaps(samples: pd.DataFrame, activity_id: str, warnings: list[str]) -> None:
    """A warning when consecutive samples of one activity lie further apart in time than
    :attr:`terrain.TerrainParams.recording_gap_s` (an hour; issue 16, item 9: a one-year jump inside a track).

    The activity is kept whole and flagged, not split: the terrain step counts no such gap as moving time, while
    the elapsed time (``activities.duration_s``, first to last time) spans it as recorded, which the warning says.
    """
    t = pd.to_numeric(samples["elapsed_s"], errors="coerce").dropna().to_numpy(float)
    gaps = np.diff(np.fmax.accumulate(t)) if t.size > 1 else np.zeros(0)
    gaps = gaps[gaps > terrain.TerrainParams().recording_gap_s]
    if gaps.size:
        longest = gaps.max()
        size = f"{longest / 86400:.1f} days" if longest >= 2 * 86400 else f"{longest / 3600:.1f} h"
        warnings.append(
            f"activity {activity_id}: {gaps.size} gap(s) in the recording longer than "
            f"{terrain.TerrainParams().recording_gap_s / 3600:g} h (the longest {size}): not moving time; "
            "the elapsed time (duration_s) spans it"
        )


def _one_line(err: BaseException) -> str:
    return f"{type(err).__name__}: {err}".replace("\n", " | ")[:300]


def read_file(path: str, ctx: FileContext, samples_dir: str) -> FileResult:
    """Everything one file contributes (see the module docstring). Never raises: faults become the reason."""
    from trailstrength import schemas  # pandera on the first file read, not at import (issue 18)

    res = FileResult(ctx.path)
    try:
        res.format, res.reason, tables, res.warnings = read_tables(Path(path), ctx)
        res.reader_version = FORMATS[res.format].version if res.format in FORMATS else ""
        if res.reason:
            return res
        samples = tables.pop("samples", None)
        if samples is not None and len(samples):
            acts = tables["activities"].set_index("activity_id", drop=False)
            inferred = []
            for aid, part in samples.groupby("activity_id", sort=False):
                activity = cast(pd.Series, acts.loc[aid])  # activity ids are unique within a file
                part = without_glitches(part.reset_index(drop=True), str(aid), res.warnings)
                note_recording_gaps(part, str(aid), res.warnings)
                part = schemas.validate_fast("samples", clean.clean_samples(part))
                inferred.append({"activity_id": aid, **infer_sport_of(activity, part, res.warnings)})
                derived = derive_terrain(activity, part, res.warnings)
                if derived is not None:
                    res.segments.append(derived[0])
                    res.summaries.append(derived[1])
                dest = storage.sample_path(Path(samples_dir), str(activity["athlete_id"]), str(aid))
                storage.atomic_parquet(part, dest)
                res.sample_activities.append(str(aid))
                res.rows += len(part)
            tables["activities"] = with_inferred_sports(tables["activities"], inferred)
        res.tables = tables
        res.rows += sum(len(df) for name, df in tables.items() if name != VALUE_WARNINGS)
    except (ReaderError, SchemaViolation, ValueError, KeyError, OSError) as err:
        res.reason = f"{type(err).__name__}: {err}".replace("\n", " | ")[:500]
    except BaseException as err:  # noqa: BLE001 - one bad file never stops the batch (a Rust panic is no Exception)
        if isinstance(err, STOP):
            raise
        res.reason = f"unexpected {type(err).__name__} while reading (please report): {err}".replace("\n", " | ")[:500]
    if res.reason:
        res.tables, res.segments, res.summaries = {}, [], []
    return res


def worker_failed(path: str, err: BaseException) -> FileResult:
    """The result of a file whose worker raised or died: quarantined with a one-line reason, read again next time."""
    return FileResult(path, reason=f"{WORKER_FAILED}: {type(err).__name__}: {err}".replace("\n", " | ")[:500])


def die_with_parent(ingest_pid: int) -> None:
    """Worker initializer: exit as soon as the ingest process ``ingest_pid`` is gone (kill -9 included).

    Workers are children of the fork server, not of the ingest, and would otherwise wait on their queue for
    minutes after the ingest died, holding memory and open files. A daemon thread checks every second.
    """

    def watch() -> None:
        while True:
            time.sleep(1.0)
            try:
                os.kill(ingest_pid, 0)  # signal 0: only asks whether the process exists
            except ProcessLookupError:
                os._exit(1)
            except PermissionError:  # it exists (owned by someone else: the pid was reused; keep watching)
                pass

    threading.Thread(target=watch, name="die-with-parent", daemon=True).start()


def _context():
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["trailstrength.warehouse.worker"])  # workers start warm
        return ctx
    return multiprocessing.get_context("spawn")


def use_pool(paths: list[Path], workers: int) -> bool:
    """Whether reading ``paths`` over ``workers`` processes beats reading them in-process.

    Starting the pool (a fork server importing this module, then the workers) is a fixed cost that only a
    large enough batch repays: at least ``PARALLEL_MIN_FILES`` files and ``PARALLEL_MIN_BYTES`` bytes on disk.
    """
    if workers <= 1 or len(paths) < max(2, PARALLEL_MIN_FILES):
        return False
    total = 0
    for p in paths:
        try:
            total += os.stat(p).st_size
        except OSError:  # the reader says why; it counts for nothing here
            continue
        if total >= PARALLEL_MIN_BYTES:
            return True
    return False


def read_files(
    jobs: list[tuple[Path, FileContext]],
    samples_dir: Path,
    *,
    workers: int | None = None,
    progress: bool = True,
    label: str = "reading files",
) -> list[FileResult]:
    """:func:`read_file` for every job, in job order; over ``workers`` processes when there are enough files."""
    workers = config.workers(workers)
    args = [(str(p), ctx, str(samples_dir)) for p, ctx in jobs]
    if not use_pool([p for p, _ in jobs], workers):
        return [read_file(*a) for a in track(args, label, show=progress and len(args) > 1)]
    results: list[FileResult | None] = [None] * len(args)
    with ProcessPoolExecutor(
        max_workers=min(workers, len(args)), mp_context=_context(), initializer=die_with_parent, initargs=(os.getpid(),)
    ) as pool:
        futures = {pool.submit(read_file, *a): k for k, a in enumerate(args)}
        for fut in track(as_completed(futures), label, show=progress, total=len(args)):
            k = futures[fut]
            try:
                results[k] = fut.result()
            except BaseException as err:  # noqa: BLE001 - a worker that died takes only its file with it
                if isinstance(err, STOP):
                    raise
                results[k] = worker_failed(jobs[k][1].path, err)
    return results  # type: ignore[return-value]
