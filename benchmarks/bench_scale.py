"""Ingest throughput and client memory of simulated research cohorts: single process, a local Dask cluster, and a
command-line Dask cluster (``dask scheduler`` + N ``dask worker`` processes over TCP).

The cohort (default 100 athletes × 26 weeks, ~10,000 runs as FIT, gzipped TCX and gzipped GPX plus strength logs
and soreness diaries) is simulated once into ``--cache`` and reused. Each mode ingests it cold into a fresh
warehouse; the table gives wall time, files/s and samples/s, and the peak resident memory of the client process
(sampled every 50 ms; for a local cluster the scheduler runs inside the client process, the workers are separate
processes and not counted; for the TCP modes ``tcpN`` the scheduler is a separate process too, so the peak is the
client's alone). The Dask rows time the ingest alone; the cluster start is printed beside them. ``--athletes``
takes a comma list (``25,100,400``) to see how the client peak grows with the cohort; each size runs in a fresh
process.

Run: ``PYTHONPATH=src python benchmarks/bench_scale.py [--athletes 100 --weeks 26 --modes single,dask2,tcp1,tcp2]``
(``--raw DIR`` benchmarks an existing RAW folder instead). Needs the ``scale`` and ``bench`` extras.
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import psutil
import pyarrow.parquet as pq

from trailstrength import warehouse
from trailstrength.simulate import simulate_cohort
from trailstrength.warehouse import dask as warehouse_dask


class ClientPeak:
    """Peak resident memory of this process alone, sampled in a background thread."""

    def __init__(self, every_s: float = 0.05):
        self.every_s, self.peak, self._stop = every_s, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        me = psutil.Process()
        while not self._stop.is_set():
            self.peak = max(self.peak, me.memory_info().rss)
            time.sleep(self.every_s)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


@contextlib.contextmanager
def command_line_cluster(workers: int, log_dir: Path):
    """``tcp://127.0.0.1:PORT`` of ``dask scheduler`` + ``workers`` single-threaded ``dask worker`` processes."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    address, dask_cli = f"tcp://127.0.0.1:{port}", str(Path(sys.executable).parent / "dask")
    env = {**os.environ, "PYTHONPATH": str(Path(warehouse.__file__).resolve().parents[2])}
    log_dir.mkdir(parents=True, exist_ok=True)
    cmds = [[dask_cli, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"]]
    cmds += [[dask_cli, "worker", address, "--nthreads", "1", "--no-dashboard", "--death-timeout", "60"]] * workers
    procs = []
    try:
        for k, cmd in enumerate(cmds):
            with open(log_dir / f"{k}.log", "wb") as log:
                procs.append(
                    subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
                )
        with warehouse_dask.cluster_client(address) as client:
            client.wait_for_workers(workers, timeout=300)
        yield address
    finally:
        for p in reversed(procs):
            os.killpg(p.pid, 15)
        for p in procs:
            p.wait(timeout=30)


def _samples(wh: Path) -> int:
    return sum(pq.ParquetFile(f).metadata.num_rows for f in (wh / "samples.parquet").glob("*/*.parquet"))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--athletes", default="100", help="comma list of cohort sizes")
    ap.add_argument("--weeks", type=int, default=26)
    ap.add_argument("--cache", type=Path, default=Path("/tmp/ts-bench-scale"))
    ap.add_argument("--raw", type=Path, help="benchmark this RAW folder instead of the simulated cohort")
    ap.add_argument("--modes", default="single,dask1,dask2,tcp1,tcp2")
    ap.add_argument("--formats", default="fit,tcx,gpx", help="activity formats of the simulated runs, in turn")
    args = ap.parse_args(argv)
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    rows = []
    # each cohort size in a fresh process: a process's peak never comes down, so in one process a larger cohort's
    # peak also carried what the smaller ones before it left behind (issue 19: 365 MB at 400 athletes after 25 and
    # 100, against 326 MB measured alone)
    spawn = multiprocessing.get_context("spawn")
    for athletes in [int(a) for a in args.athletes.split(",")]:
        with ProcessPoolExecutor(max_workers=1, mp_context=spawn) as fresh:
            rows += fresh.submit(_cohort, args, athletes).result()
    _print(rows)
    return 0


def _cohort(args, athletes: int) -> list[tuple]:
    """Simulate (once) and ingest one cohort size in every mode."""
    formats = tuple(args.formats.split(","))
    tag = "" if formats == ("fit", "tcx", "gpx") else "-" + "-".join(formats)
    raw = args.raw or args.cache / f"raw-{athletes}x{args.weeks}{tag}"
    if not raw.is_dir():
        t0 = time.perf_counter()
        partial = raw.with_name(raw.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        simulate_cohort(
            partial,
            athletes=athletes,
            weeks=args.weeks,
            seed=7,
            truth_dir=args.cache / "truth",
            activity_formats=formats,
        )
        os.replace(partial, raw)
        print(f"simulated into {raw} in {time.perf_counter() - t0:.0f} s")
    files = [p for p in raw.rglob("*") if p.is_file()]
    athletes = sum(1 for d in raw.iterdir() if d.is_dir())
    print(
        f"cohort: {raw} — {athletes} athletes, {len(files):,} files, "
        f"{sum(p.stat().st_size for p in files) / 1e6:.0f} MB on disk"
    )

    rows = []
    for mode in args.modes.split(","):
        wh = args.cache / f"wh-{mode}"
        shutil.rmtree(wh, ignore_errors=True)
        start_s = 0.0
        with ClientPeak() as mem:
            if mode == "single":
                t0 = time.perf_counter()
                report = warehouse.ingest(raw, warehouse=wh, progress=False, workers=1)
                wall = time.perf_counter() - t0
                rerun = None
            else:
                n = int(mode.removeprefix("dask").removeprefix("tcp"))
                t0 = time.perf_counter()
                with contextlib.ExitStack() as stack:
                    scheduler = (
                        stack.enter_context(command_line_cluster(n, args.cache / "logs" / mode))
                        if mode.startswith("tcp")
                        else None
                    )
                    client = stack.enter_context(warehouse_dask.cluster_client(scheduler, workers=n))
                    start_s = time.perf_counter() - t0
                    t0 = time.perf_counter()
                    report = warehouse_dask.ingest(raw, warehouse=wh, client=client, progress=False)
                    wall = time.perf_counter() - t0
                    t1 = time.perf_counter()
                    again = warehouse_dask.ingest(raw, warehouse=wh, client=client, progress=False)
                    rerun = time.perf_counter() - t1
                    assert again.read == []
        n_read, n_samples = len(report.read), _samples(wh)
        runs = len(warehouse.Warehouse(wh).runs)
        rows.append((athletes, mode, n_read, runs, n_samples, wall, start_s, mem.peak, rerun))
        print(f"  {athletes} athletes, {mode}: done in {wall:.0f} s, client peak {mem.peak / 1e6:.0f} MB", flush=True)
    return rows


def _print(rows: list[tuple]) -> None:
    print()
    print(
        "| athletes | mode | files read | runs | samples | ingest s | files/s | samples/s | cluster start s | "
        "client peak MB | re-run s |"
    )
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for athletes, mode, n_read, runs, n_samples, wall, start_s, peak, rerun in rows:
        label = (
            "single process (workers=1)"
            if mode == "single"
            else f"Dask LocalCluster, {mode[4:]} worker(s)"
            if mode.startswith("dask")
            else f"dask scheduler + {mode[3:]} dask worker(s), TCP"
        )
        print(
            f"| {athletes} | {label} | {n_read:,} | {runs:,} | {n_samples:,} | {wall:.1f} | {n_read / wall:.1f} | "
            f"{n_samples / wall:,.0f} | {start_s:.1f} | {peak / 1e6:.0f} | "
            f"{'' if rerun is None else f'{rerun:.2f}'} |"
        )
    single = next((r for r in reversed(rows) if r[1] == "single"), None)
    if single:
        per_file = single[5] / single[2]
        print(
            f"\nper-file cost on one core: {per_file * 1000:.0f} ms → 10,000 files ≈ {per_file * 1e4 / 60:.0f} "
            f"core-minutes; N workers ≈ that ÷ N while the shared filesystem keeps up"
        )


if __name__ == "__main__":
    raise SystemExit(main())
