"""Latency where users wait (issue 18): per file, per run, at import, and the readers against their peers.

Prints one table, every row measured in this run (so ratios compare like with like under the same load):

- one simulated 3-hour, 1 Hz FIT (10,800 records): ``warehouse.read_file`` in-process (best of several);
- 20 such FITs, ``trailstrength ingest`` (CLI start included), ``TRAILSTRENGTH_WORKERS=1`` and the default;
- the marginal end-to-end cost per FIT, ``(T(20) - T(1)) / 19`` with the default workers, against fitdecode
  merely decoding the same file (iterating its messages, best of several);
- a demo-sized warehouse (``trailstrength demo``'s cohort: 8 athletes x 16 weeks, seed 2026, ~550 files):
  ``trailstrength ingest`` after adding one new 1-hour FIT run, and again with nothing new (CLI start included);
- import time of ``trailstrength`` and ``trailstrength.warehouse`` (``python -X importtime``, best of 3);
- our FIT / TCX readers against fitdecode / tcxreader on every real sample in ``TRAILSTRENGTH_REALDATA``
  (the frames of :mod:`bench_readers`, total time over the files).

Run: ``PYTHONPATH=src python benchmarks/bench_latency.py [--keep DIR] [--profile]`` (needs the ``bench`` extra).
``--keep`` reuses (or creates) the simulated demo cohort and its warehouse there, which saves the cold ingest.
``--profile`` also runs the two demo-warehouse ingests once more under cProfile (imports included, as a user waits
for them) and prints the top 15 functions by cumulative time of each: the fractions are what to read under load,
not the seconds.
"""

from __future__ import annotations

import argparse
import gc
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_readers import REALDATA, best_time, fitdecode_frame, tcxreader_frame, three_hour_track  # noqa: E402

from trailstrength.io import Athlete, FileContext, fit, tcx  # noqa: E402
from trailstrength.simulate.formats import fit_activity  # noqa: E402

_SCRIPT = Path(sys.executable).parent / "trailstrength"  # the installed console script: what a user starts
CLI = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "trailstrength.cli"]
CTX = FileContext("bench/file.fit", "0" * 64, Athlete("bench"))
# the commands timed here cache their bytecode, as an installed package has (PYTHONDONTWRITEBYTECODE would make
# every start compile the package's modules again)
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
ROWS: list[tuple[str, str, str]] = []


def row(what: str, value: str, target: str = "") -> None:
    ROWS.append((what, value, target))
    print(f"  {what:<70} {value:>22}  {target}", flush=True)


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def fit_run(seed: int, start: str, n: int = 10_800) -> bytes:
    """A simulated run of ``n`` seconds at 1 Hz starting at ``start`` (UTC), as a FIT file."""
    track = three_hour_track(n, seed=seed)
    track["time"] = pd.date_range(start, periods=n, freq="s")
    return fit_activity(track)


def timed_cli(args: list[str], env: dict[str, str] | None = None) -> float:
    """Wall time of one ``trailstrength`` command in a fresh interpreter (start-up included)."""
    t0 = time.perf_counter()
    done = subprocess.run([*CLI, *args], env={**os.environ, **(env or {})}, capture_output=True, text=True)
    dt = time.perf_counter() - t0
    if done.returncode:
        raise RuntimeError(f"trailstrength {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return dt


def fitdecode_decode(data: bytes) -> int:
    """fitdecode merely decoding a file: every message read, nothing kept."""
    import fitdecode

    n = 0
    with fitdecode.FitReader(data, check_crc=fitdecode.CrcCheck.DISABLED) as reader:
        for _ in reader:
            n += 1
    return n


# ------------------------------------------------------------------------------------------------ per file
def per_file(tmp: Path) -> None:
    from trailstrength.warehouse import read_file

    data = fit_run(1, "2024-06-01T06:00:00Z")
    path = tmp / "one.fit"
    path.write_bytes(data)
    t_ours = best_time(lambda: read_file(str(path), CTX, str(tmp / "samples")), min_rounds=5)
    row("one 10,800-record FIT: warehouse.read_file in-process", f"{t_ours * 1e3:.0f} ms")
    fitdecode_decode(data)
    t_decode = best_time(lambda: fitdecode_decode(data), min_rounds=3)
    row("  the same file, fitdecode decode-only", f"{t_decode * 1e3:.0f} ms")

    raw1, raw20 = tmp / "raw1" / "ath01", tmp / "raw20" / "ath01"
    for k in range(20):
        day = pd.Timestamp("2024-06-01T06:00:00Z") + pd.Timedelta(days=k)
        fit_bytes = fit_run(100 + k, day.isoformat())
        for folder in (raw20, raw1) if k == 0 else (raw20,):
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"run-{k:02d}.fit").write_bytes(fit_bytes)

    def ingest_time(raw: Path, workers: str | None) -> float:
        best = float("inf")
        for rep in range(2):
            wh = tmp / f"wh-{raw.parent.name}-{workers}-{rep}"
            env = {"TRAILSTRENGTH_WORKERS": workers} if workers else {}
            best = min(best, timed_cli(["ingest", str(raw.parent), "--warehouse", str(wh), "--no-progress"], env))
            shutil.rmtree(wh)
        return best

    t1 = ingest_time(raw1, None)
    t20_serial, t20_default = ingest_time(raw20, "1"), ingest_time(raw20, None)
    row("1 FIT, trailstrength ingest (CLI start included)", f"{t1:.2f} s")
    row("20 FITs, trailstrength ingest, TRAILSTRENGTH_WORKERS=1", f"{t20_serial:.2f} s")
    row(
        f"20 FITs, trailstrength ingest, default workers ({os.cpu_count()} CPUs)",
        f"{t20_default:.2f} s",
        "faster than serial",
    )
    marginal = (min(t20_default, t20_serial) - t1) / 19
    row("marginal end-to-end cost per 3-h FIT, (T20 - T1)/19, faster of the two", f"{marginal * 1e3:.0f} ms")
    row("  fitdecode decode-only / our marginal cost", f"{t_decode / marginal:.1f}×", "≥ 15×")


# ------------------------------------------------------------------------------------------------ crossover
_READ_IN_FRESH_PROCESS = """
import hashlib, pathlib, sys, time
from trailstrength.io import Athlete, FileContext
from trailstrength.warehouse import read_files as rf
rf.PARALLEL_MIN_FILES, rf.PARALLEL_MIN_BYTES = 2, 0  # measure the pool itself, whatever the gate says
paths = sorted(pathlib.Path(sys.argv[1]).glob("*"))[: int(sys.argv[2])]
jobs = [(p, FileContext(p.name, hashlib.sha256(p.name.encode()).hexdigest(), Athlete("ath01"))) for p in paths]
t0 = time.perf_counter()
rf.read_files(jobs, pathlib.Path(sys.argv[3]), workers=int(sys.argv[4]), progress=False)
print(time.perf_counter() - t0)
"""


def crossover(tmp: Path) -> None:
    """``read_files`` on N files in a fresh process (imports excluded, pool start included): serial vs 2 workers."""
    print("  crossover: read_files wall time in a fresh process, serial vs 2 workers (best of 2)")
    for label, seconds in (("3-h FIT", 10_800), ("1-h FIT", 3600)):
        folder = tmp / f"crossover-{seconds}"
        folder.mkdir()
        for k in range(24):
            day = (pd.Timestamp("2024-01-01T06:00:00Z") + pd.Timedelta(days=k)).isoformat()
            (folder / f"run-{k:02d}.fit").write_bytes(fit_run(300 + k, day, seconds))
        size = (folder / "run-00.fit").stat().st_size
        for n in (4, 8, 16, 24):
            t = {}
            for w in (1, 2):
                runs = []
                for rep in range(2):
                    out = tmp / f"samples-{seconds}-{n}-{w}-{rep}"
                    cmd = [sys.executable, "-c", _READ_IN_FRESH_PROCESS, str(folder), str(n), str(out), str(w)]
                    runs.append(float(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout))
                t[w] = min(runs)
            row(
                f"  {n:>2} x {label} ({size / 1e3:.0f} kB each, {n * size / 1e6:.1f} MB): serial / pool",
                f"{t[1]:.2f} / {t[2]:.2f} s",
                f"pool {t[1] / t[2]:.2f}x",
            )


# ------------------------------------------------------------------------------------------------ per run
def demo_warehouse(keep: Path) -> tuple[Path, Path]:
    """The demo cohort's raw folder and warehouse under ``keep`` (simulated and ingested when missing)."""
    from trailstrength import warehouse
    from trailstrength.simulate import simulate_cohort

    raw, wh = keep / "raw", keep / "warehouse"
    if not (keep / "truth.json").is_file():
        shutil.rmtree(raw, ignore_errors=True)
        simulate_cohort(raw, athletes=8, weeks=16, seed=2026, bad_file=True, truth_dir=keep)
    for extra in raw.glob("ath01/runs/bench-new-*.fit"):  # a previous run's added files
        extra.unlink()
    warehouse.ingest(raw, warehouse=wh, progress=False)
    return raw, wh


# frames that only wrap the command (runpy, typer/click dispatch) or the import machinery (summed on its own line)
_WRAPPERS = re.compile(r"runpy|typer/|_click/|^<string>:|<frozen |__import__|builtins\.exec|cProfile|cli\.py:(1|35)\(")


def profiled_cli(args: list[str], out: Path, top: int = 15) -> None:
    """Run one ``trailstrength`` command under cProfile in a fresh interpreter and print where its time goes: the
    ``top`` functions by cumulative time (wrapper frames left out) with their share of the whole, and the imports."""
    import pstats

    cmd = [sys.executable, "-m", "cProfile", "-o", str(out), "-m", "trailstrength.cli", *args]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"profiled trailstrength {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    stats = pstats.Stats(str(out)).stats  # type: ignore[attr-defined]
    rows = []
    for (file, line, func), (_, ncalls, tottime, cumtime, _) in stats.items():
        name = f"{file.replace(str(Path(sys.prefix)), '<venv>')}:{line}({func})"
        rows.append((cumtime, tottime, ncalls, name))
    whole = max(r[0] for r in rows)
    imports = max((r[0] for r in rows if r[3].endswith("(_find_and_load)")), default=0.0)
    print(f"  whole command {whole:.2f} s under cProfile; imports {imports:.2f} s ({imports / whole:.0%}); {uptime()}")
    print(f"  {'cumulative':>10} {'share':>6} {'own':>7} {'calls':>7}  function")
    kept = sorted((r for r in rows if not _WRAPPERS.search(r[3])), reverse=True)[:top]
    for cumtime, tottime, ncalls, name in kept:
        print(f"  {cumtime:>9.2f}s {cumtime / whole:>6.0%} {tottime:>6.2f}s {ncalls:>7}  {name}")


def per_run(keep: Path, profile: bool = False) -> None:
    raw, wh = demo_warehouse(keep)
    files = sum(1 for p in raw.rglob("*") if p.is_file())
    args = ["ingest", str(raw), "--warehouse", str(wh), "--no-progress"]
    one_new, nothing_new = [], []
    for k in range(2):
        (raw / "ath01" / "runs" / f"bench-new-{k}.fit").write_bytes(
            fit_run(900 + k, f"2025-04-{10 + k}T03:00:00Z", 3600)
        )
        one_new.append(timed_cli(args))
        nothing_new.append(timed_cli(args))
    row(f"demo warehouse ({files} files): add one new 1-h FIT run, ingest", f"{min(one_new):.2f} s", "< 1.5 s")
    row("demo warehouse: nothing new, ingest", f"{min(nothing_new):.2f} s", "< 1.0 s")
    if profile:
        (raw / "ath01" / "runs" / "bench-new-2.fit").write_bytes(fit_run(902, "2025-04-12T03:00:00Z", 3600))
        print("\n== profile: demo warehouse, add one new 1-h FIT run, trailstrength ingest")
        profiled_cli(args, keep / "one-new.prof")
        print("\n== profile: demo warehouse, nothing new, trailstrength ingest")
        profiled_cli(args, keep / "nothing-new.prof")


# ------------------------------------------------------------------------------------------------ imports
def import_time(module: str) -> float:
    """Seconds ``python -X importtime`` reports for ``module`` (cumulative, best of 3)."""
    best = float("inf")
    for _ in range(3):
        err = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", f"import {module}"], capture_output=True, text=True
        ).stderr
        m = re.search(rf"\|\s*(\d+) \| {re.escape(module)}\s*$", err, re.M)
        best = min(best, int(m.group(1)) / 1e6 if m else float("nan"))
    return best


def imports() -> None:
    for module in ("trailstrength", "trailstrength.warehouse"):
        row(f"import {module} (-X importtime, cumulative)", f"{import_time(module):.2f} s", "< 0.5 s")
    # what `trailstrength ingest` and every reader process load: the honest cost of using the verb
    row(
        "import trailstrength.warehouse.ingest (the verb's module)",
        f"{import_time('trailstrength.warehouse.ingest'):.2f} s",
    )
    row("  pandas alone, for scale", f"{import_time('pandas'):.2f} s")


# ------------------------------------------------------------------------------------------------ readers
def reader_ratio(fmt: str, ours, peer) -> tuple[int, float]:
    """(files, peer time / our time) summed over every readable real ``fmt`` file."""
    t_ours = t_peer = 0.0
    n = 0
    for p in sorted(REALDATA.rglob(f"*.{fmt}")):
        data = p.read_bytes()
        try:
            if not len(ours(data)):
                continue
        except Exception:  # noqa: BLE001 - files that are not activities are not benchmarked (as bench_readers)
            continue
        if "unexpected-eof" in p.name or "corruptheader" in p.name:
            continue
        gc.collect()
        t_ours += best_time(lambda: ours(data))  # noqa: B023
        t_peer += best_time(lambda: peer(data, p), min_rounds=2)  # noqa: B023
        n += 1
    return n, t_peer / t_ours if t_ours else float("nan")


def readers() -> None:
    if not REALDATA.is_dir():
        row("reader ratios on the real samples", "skipped", f"no {REALDATA}")
        return
    n, r = reader_ratio("fit", lambda d: fit.read(d, CTX).tables["samples"], lambda d, p: fitdecode_frame(d))
    row(f"FIT reader vs fitdecode, {n} real files (total time)", f"{r:.1f}×", "≥ 30×")
    n, r = reader_ratio("tcx", lambda d: tcx.read(d, CTX).tables["samples"], tcxreader_frame)
    row(f"TCX reader vs tcxreader, {n} real files (total time)", f"{r:.1f}×", "≥ 10×")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--keep", type=Path, help="folder for the demo cohort and warehouse (reused when present)")
    ap.add_argument(
        "--only", choices=["file", "run", "import", "readers", "crossover"], action="append", help="some rows only"
    )
    ap.add_argument(
        "--profile", action="store_true", help="cProfile the demo warehouse's one-new and nothing-new ingest"
    )
    args = ap.parse_args(argv)
    only = set(args.only or ["file", "run", "import", "readers"])
    tmp = Path(tempfile.mkdtemp(prefix="ts-latency-"))
    print(f"python {sys.version.split()[0]}, pandas {pd.__version__}, {os.cpu_count()} CPUs")
    print(f"start: {uptime()}")
    try:
        if "import" in only:
            imports()
        if "file" in only:
            per_file(tmp)
        if "readers" in only:
            readers()
        if "crossover" in (args.only or []):  # minutes: only when asked for
            crossover(tmp)
        if "run" in only:
            keep = args.keep or tmp / "demo"
            keep.mkdir(parents=True, exist_ok=True)
            per_run(keep, profile=args.profile)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"end:   {uptime()}")
    print("\n| what | measured | target |\n|---|---|---|")
    for what, value, target in ROWS:
        print(f"| {what.strip()} | {value} | {target} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
