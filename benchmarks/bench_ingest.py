"""Whole-archive ingest: ~1,000 simulated activities in mixed formats (FIT, gzipped TCX, gzipped GPX; about
5 M samples) plus strength logs and soreness diaries, ingested cold, then again with nothing changed.

Prints the archive's size, the cold ingest time with the number of worker processes, the peak memory (resident
set of the ingest process and its workers together, sampled every 50 ms, and each one's own peak), and the
re-run time. Targets (issue 3): cold < 60 s on 2 cores, peak < 1.5 GB, unchanged re-run < 3 s.

Run: ``PYTHONPATH=src python benchmarks/bench_ingest.py [--athletes 12 --weeks 21 --workers 2 --keep DIR]``.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

from trailstrength import warehouse
from trailstrength.simulate import simulate_cohort


class PeakMemory:
    """Samples the summed resident memory of this process and its children in a background thread."""

    def __init__(self, every_s: float = 0.05):
        self.every_s, self.peak, self._stop = every_s, 0, threading.Event()
        self.per_process: dict[int, int] = {}
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        me = psutil.Process()
        while not self._stop.is_set():
            total = 0
            for p in [me, *me.children(recursive=True)]:
                try:
                    rss = p.memory_info().rss
                except psutil.Error:
                    continue
                total += rss
                self.per_process[p.pid] = max(self.per_process.get(p.pid, 0), rss)
            self.peak = max(self.peak, total)
            time.sleep(self.every_s)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--athletes", type=int, default=12)
    ap.add_argument("--weeks", type=int, default=21)
    ap.add_argument("--workers", type=int, default=os.cpu_count())
    ap.add_argument("--keep", type=Path, help="simulate into / reuse this folder instead of a temporary one")
    args = ap.parse_args(argv)

    base = args.keep or Path(tempfile.mkdtemp(prefix="ts-bench-ingest-"))
    raw, wh = base / "raw", base / "warehouse"
    if not raw.is_dir():
        t0 = time.perf_counter()
        simulate_cohort(
            raw,
            athletes=args.athletes,
            weeks=args.weeks,
            seed=7,
            truth_dir=base / "truth",
            activity_formats=("fit", "tcx", "gpx"),
            progress=False,
        )
        print(f"simulated in {time.perf_counter() - t0:.1f} s")
    shutil.rmtree(wh, ignore_errors=True)
    files = [p for p in raw.rglob("*") if p.is_file()]
    by_kind: dict[str, int] = {}
    for p in files:
        kind = "".join(p.suffixes[-2:]) if p.suffix == ".gz" else p.suffix
        by_kind[kind] = by_kind.get(kind, 0) + 1
    size_mb = sum(p.stat().st_size for p in files) / 1e6
    print(
        f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, {args.workers} workers, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    print(f"archive: {len(files)} files, {size_mb:.0f} MB on disk: {dict(sorted(by_kind.items()))}")

    with PeakMemory() as mem:
        t0 = time.perf_counter()
        report = warehouse.ingest(raw, warehouse=wh, progress=False, workers=args.workers)
        cold = time.perf_counter() - t0
    w = warehouse.Warehouse(wh)
    acts = w.activities
    n_samples = int(sum(pd_rows(f) for f in (wh / "samples.parquet").glob("*/*.parquet")))
    self_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    others = [v for pid, v in mem.per_process.items() if pid != os.getpid()]
    child_peak = max(others, default=0) / 1e6
    print(
        f"cold ingest: {cold:.1f} s for {len(acts)} activities, {n_samples:,} samples "
        f"({n_samples / cold:,.0f} samples/s); states {report.manifest['state'].value_counts().to_dict()}"
    )
    print(
        f"peak memory: {mem.peak / 1e9:.2f} GB (ingest process + workers, sampled); own peaks: ingest "
        f"process {self_peak:.0f} MB, largest worker {child_peak:.0f} MB"
    )

    t0 = time.perf_counter()
    again = warehouse.ingest(raw, warehouse=wh, progress=False, workers=args.workers)
    rerun = time.perf_counter() - t0
    print(f"re-run, nothing changed: {rerun:.2f} s ({len(again.unchanged)} files unchanged, {len(again.read)} read)")
    ok = cold < 60 and mem.peak < 1.5e9 and rerun < 3
    print(f"targets (cold < 60 s, peak < 1.5 GB, re-run < 3 s): {'met' if ok else 'NOT MET'}")
    if not args.keep:
        shutil.rmtree(base, ignore_errors=True)
    return 0


def pd_rows(path: Path) -> int:
    import pyarrow.parquet as pq

    return pq.ParquetFile(path).metadata.num_rows


if __name__ == "__main__":
    raise SystemExit(main())
