"""Building the H1/H2 panels of a 1,000-athlete warehouse: whole tables in pandas vs batches of athletes read by
pyarrow, dask.dataframe or DuckDB (issue 19, item 3: the engine is chosen by this measurement).

The warehouse is written once into ``--cache`` from the daily simulator's tables (runs, strength sets, soreness and
declared strength coverage; ``tests/test_panels_scale.py``), in the warehouse layout: ``runs.parquet/`` partitioned
by athlete, the other tables one file each. Every engine runs in its own process (its peak RSS is its own):

* ``pandas``: every table read whole, the panels built at once (what ``analysis.panels`` did before);
* ``pyarrow-B``: :func:`trailstrength.warehouse.batches.warehouse_panels`, B athletes at a time: the batch's runs
  partitions and a filtered scan of the strength and soreness files (``storage.read_table(athletes=...)``);
* ``dask-B``: the same batches read with ``dask.dataframe.read_parquet(filters=...)``;
* ``duckdb-B``: the same batches read with DuckDB SQL over the parquet files (``--duckdb-path`` adds a folder
  holding the ``duckdb`` package to ``sys.path``: it is not a dependency of the package).

Wall time depends on what else the machine runs; CPU time (user + system, the engine's process; dask runs its
synchronous scheduler so that all of its work is counted there) is the fairer comparison. Each row checks its
panels against the whole-table ones (rows, sum of DPI, sum of soreness).

Run: ``PYTHONPATH=src python benchmarks/bench_panels_scale.py [--athletes 1000 --weeks 12
--engines pandas,pyarrow-25,pyarrow-100,pyarrow-250,dask-100,duckdb-100 --duckdb-path DIR]``
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import psutil
from bench_scale import ClientPeak  # the same sampler (run as a script, benchmarks/ is on the path)

TESTS = Path(__file__).resolve().parents[1] / "tests"


def build(root: Path, athletes: int, weeks: int) -> None:
    """Write the simulated warehouse once (``root`` appears only when complete)."""
    if root.is_dir():
        return
    sys.path.insert(0, str(TESTS))
    from test_panels_scale import write_twin_warehouse

    partial = root.with_name(root.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    t0 = time.perf_counter()
    write_twin_warehouse(partial, athletes=athletes, weeks=weeks, seed=19)
    os.replace(partial, root)
    print(f"warehouse written into {root} in {time.perf_counter() - t0:.0f} s", flush=True)


def _tables_of(engine: str, root: Path):
    """``tables_of(batch)`` reading one batch's runs, strength sets and soreness with ``engine``."""
    from trailstrength.warehouse import storage

    files = {n: storage.table_path(root, n) for n in ("runs", "strength_sets", "wellness")}
    if engine == "dask":
        import dask
        import dask.dataframe as dd

        dask.config.set(scheduler="synchronous")  # one core per engine, as the pyarrow path

        def read(name: str, batch: list[str]) -> pd.DataFrame:
            path = str(files[name]) if name != "runs" else str(files[name] / "athlete_id=*" / "*.parquet")
            df = dd.read_parquet(path, filters=[("athlete_id", "in", batch)], dataset={"partitioning": "hive"})
            df = df.compute().reset_index(drop=True)
            return df.astype({"athlete_id": "str"})

    elif engine == "duckdb":
        import duckdb

        con = duckdb.connect()

        def read(name: str, batch: list[str]) -> pd.DataFrame:
            src = (
                f"read_parquet('{files[name]}/*/*.parquet', hive_partitioning=true)"
                if name == "runs"
                else f"read_parquet('{files[name]}')"
            )
            df = con.execute(f"select * from {src} where athlete_id in (select unnest(?))", [batch]).df()
            return df.astype({"athlete_id": "str"})

    else:
        raise ValueError(engine)
    return lambda batch: (read("runs", batch), read("strength_sets", batch), read("wellness", batch))


def one(root: Path, label: str) -> dict:
    """Build the panels with one engine (``pandas`` or ``<engine>-<batch athletes>``); time, peak RSS, checksums."""
    from trailstrength.features import h1_panel, h2_panel, panels
    from trailstrength.warehouse import Warehouse
    from trailstrength.warehouse.batches import run_athletes, warehouse_panels

    engine, _, size = label.partition("-")
    me = psutil.Process()
    before, cpu0 = me.memory_info().rss, sum(me.cpu_times()[:2])
    with ClientPeak(every_s=0.02) as mem:
        t0 = time.perf_counter()
        wh = Warehouse(root)
        coverage = wh.coverage
        if engine == "pandas":
            runs, sets = wh.runs, wh.strength_sets
            h1 = h1_panel(runs, sets, coverage=coverage)
            h2 = h2_panel(runs, sets, wh.wellness, coverage=coverage)
        elif engine == "pyarrow":
            h1, h2 = warehouse_panels(wh, coverage=coverage, batch_athletes=int(size))
        else:
            athletes = run_athletes(root)
            h1, h2 = panels.panels_in_batches(
                _tables_of(engine, root), athletes, coverage=coverage, batch_athletes=int(size)
            )
        wall = time.perf_counter() - t0
    return {
        "engine": label,
        "s": wall,
        "cpu_s": sum(me.cpu_times()[:2]) - cpu0,
        "rss_before_mb": before / 1e6,
        "peak_mb": mem.peak / 1e6,
        "h1_rows": len(h1),
        "h2_rows": len(h2),
        "dpi_sum": float(h1["dpi"].sum()),
        "soreness_sum": float(h2["soreness_peak_72h"].sum()),
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--athletes", type=int, default=1000)
    ap.add_argument("--weeks", type=int, default=12)
    ap.add_argument("--cache", type=Path, default=Path("/tmp/ts-bench-panels"))
    ap.add_argument("--engines", default="pandas,pyarrow-25,pyarrow-100,pyarrow-250,dask-100,duckdb-100")
    ap.add_argument("--duckdb-path", type=Path, help="folder holding the duckdb package (not a dependency)")
    ap.add_argument("--one", help=argparse.SUPPRESS)  # child: one engine, JSON on stdout
    args = ap.parse_args(argv)
    root = args.cache / f"wh-{args.athletes}x{args.weeks}"
    if args.one:
        if args.duckdb_path:
            sys.path.insert(0, str(args.duckdb_path))
        print(json.dumps(one(root, args.one)))
        return 0
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    build(root, args.athletes, args.weeks)
    runs = sum(1 for _ in (root / "runs.parquet").glob("athlete_id=*"))
    print(f"warehouse: {runs} athletes × {args.weeks} weeks, {_rows(root)}", flush=True)
    rows = []
    for label in args.engines.split(","):
        cmd = [sys.executable, __file__, "--one", label, "--athletes", str(args.athletes), "--weeks", str(args.weeks)]
        cmd += ["--cache", str(args.cache)] + (["--duckdb-path", str(args.duckdb_path)] if args.duckdb_path else [])
        done = subprocess.run(cmd, capture_output=True, text=True)
        if done.returncode:
            print(f"  {label}: failed: {done.stderr.strip().splitlines()[-1]}", flush=True)
            continue
        rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
        print(f"  {label}: {rows[-1]['s']:.1f} s, peak {rows[-1]['peak_mb']:.0f} MB", flush=True)
    _print(rows)
    return 0


def _rows(root: Path) -> str:
    import pyarrow.dataset as ds

    n = {
        "runs": ds.dataset(root / "runs.parquet", format="parquet").count_rows(),
        "strength sets": ds.dataset(root / "strength_sets.parquet").count_rows(),
        "soreness rows": ds.dataset(root / "wellness.parquet").count_rows(),
    }
    return ", ".join(f"{v:,} {k}" for k, v in n.items())


def _print(rows: list[dict]) -> None:
    print()
    print("| engine (batch athletes) | wall s | CPU s | RSS before MB | peak RSS MB | H1 rows | H2 rows | same |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    ref = next((r for r in rows if r["engine"] == "pandas"), None)
    for r in rows:
        same = (
            ""
            if ref is None
            else str(
                (r["h1_rows"], r["h2_rows"]) == (ref["h1_rows"], ref["h2_rows"])
                and abs(r["dpi_sum"] - ref["dpi_sum"]) < 1e-6 * max(1.0, abs(ref["dpi_sum"]))
                and abs(r["soreness_sum"] - ref["soreness_sum"]) < 1e-6 * max(1.0, abs(ref["soreness_sum"]))
            )
        )
        print(
            f"| {r['engine']} | {r['s']:.1f} | {r['cpu_s']:.1f} | {r['rss_before_mb']:.0f} | {r['peak_mb']:.0f} | "
            f"{r['h1_rows']:,} | {r['h2_rows']:,} | {same} |"
        )


if __name__ == "__main__":
    raise SystemExit(main())
