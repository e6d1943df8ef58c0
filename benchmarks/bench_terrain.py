"""Throughput of the terrain step: resample + smooth + grade + segment + summary, in samples per second.

Run from the repository root::

    PYTHONPATH=src python benchmarks/bench_terrain.py [--athletes 4] [--weeks 8] [--repeats 30] [--profile]

Two workloads, both timed on the terrain step alone (:func:`trailstrength.terrain.analyze_run`, from a
samples frame to the segments frame and the summary: what the warehouse stores; the profile frame is built
on first access, and one line per workload adds that too):

* a simulated 3-hour run at 1 Hz (10,800 samples; GPS-level altitude noise, a pause; the course of
  ``benchmarks/validate_terrain.py``), analysed ``--repeats`` times;
* a simulated cohort (``trailstrength.simulate.simulate_cohort``) written as gzipped GPX, read back with
  ``trailstrength.io.gpx.read`` and ``trailstrength.clean.clean_samples`` (not timed), then every run analysed
  with the parameters the warehouse would use (``TerrainParams.for_altitude_source``), ``--cohort-repeats``
  times.

Times are per call, as the median and the best of the repeats, wall clock and CPU time of this process
(single-threaded: numpy's elementwise work does not use threads, and BLAS threads are pinned to 1 below). On
a shared machine the best and the CPU figures show the code; the median shows the machine. ``--profile``
adds a cProfile of the 3-hour run and a per-stage breakdown.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import cProfile  # noqa: E402
import io  # noqa: E402
import pstats  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))  # runnable without installing

from trailstrength.clean import clean_samples  # noqa: E402
from trailstrength.io import Athlete, FileContext, gpx  # noqa: E402
from trailstrength.simulate import simulate_cohort  # noqa: E402
from trailstrength.simulate.runs import COURSES, synthetic_run  # noqa: E402
from trailstrength.terrain import TerrainParams, analyze_run  # noqa: E402

TARGET_SAMPLES_PER_S = 5e6


def timed(fn, repeats: int) -> dict[str, float]:
    """Median and best wall and CPU seconds of ``fn()`` over ``repeats`` calls (after one warm-up call)."""
    fn()
    wall, cpu = [], []
    for _ in range(repeats):
        w0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - w0)
        cpu.append(time.process_time() - c0)
    return {
        "wall_median": float(np.median(wall)),
        "wall_best": float(np.min(wall)),
        "cpu_median": float(np.median(cpu)),
        "cpu_best": float(np.min(cpu)),
    }


def report(label: str, samples: int, t: dict[str, float]) -> None:
    rate = {k: samples / v / 1e6 for k, v in t.items()}
    print(f"{label}: {samples:,} samples")
    print(
        f"  wall  median {1e3 * t['wall_median']:8.2f} ms  {rate['wall_median']:5.1f} M samples/s   "
        f"best {1e3 * t['wall_best']:8.2f} ms  {rate['wall_best']:5.1f} M samples/s"
    )
    print(
        f"  cpu   median {1e3 * t['cpu_median']:8.2f} ms  {rate['cpu_median']:5.1f} M samples/s   "
        f"best {1e3 * t['cpu_best']:8.2f} ms  {rate['cpu_best']:5.1f} M samples/s"
    )
    verdict = "meets" if rate["cpu_median"] >= TARGET_SAMPLES_PER_S / 1e6 else "MISSES"
    print(f"  {verdict} the target of {TARGET_SAMPLES_PER_S / 1e6:.0f} M samples/s (CPU median)")


def three_hour_run():
    legs = (COURSES["grades"] + COURSES["sawtooth"] + COURSES["plateau"]) * 2
    return synthetic_run(legs, noise="gps", seed=0, pause_at_s=3600.0, max_duration_s=3 * 3600 - 1).samples


def cohort_runs(athletes: int, weeks: int, seed: int):
    """(samples, params) of every run of a simulated cohort, read back through the GPX reader."""
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw"
        simulate_cohort(raw, athletes=athletes, weeks=weeks, seed=seed, truth_dir=Path(tmp))
        out = []
        for path in sorted(raw.glob("*/runs/*.gpx.gz")):
            import gzip

            ctx = FileContext(path.relative_to(raw).as_posix(), "0" * 64, Athlete(path.parts[-3]))
            res = gpx.read(gzip.decompress(path.read_bytes()), ctx)
            source = res.tables["activities"]["altitude_source"].iloc[0]
            out.append((clean_samples(res.tables["samples"]), TerrainParams.for_altitude_source(source)))
    return out


def stages(samples, params: TerrainParams, repeats: int) -> None:
    """Best CPU time of each stage of analyze_run on one run."""
    from trailstrength.terrain.profile import PROFILE_COLUMNS, _frame, _profile_arrays
    from trailstrength.terrain.run import _summary
    from trailstrength.terrain.segments import segment_arrays, segments_frame
    from trailstrength.terrain.track import _clean_track

    track = _clean_track(samples, params)
    prof = _profile_arrays(track, params)
    seg = segment_arrays(prof, params)
    parts = {
        "clean samples (distance, jumps, altitude steps)": lambda: _clean_track(samples, params),
        "grid + smooth + grade + pauses/moving time": lambda: _profile_arrays(_clean_track(samples, params), params),
        "segments (descents and climbs)": lambda: segment_arrays(prof, params),
        "summary": lambda: _summary(prof, seg, track, params, None),
        "segments frame": lambda: segments_frame(seg),
        "profile frame (on first access)": lambda: _frame(prof, PROFILE_COLUMNS),
    }
    print("  stages (best CPU of repeats; the second line includes the first):")
    for label, fn in parts.items():
        print(f"    {label:48s} {1e3 * timed(fn, repeats)['cpu_best']:6.2f} ms")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=30, help="repeats of the 3-hour run")
    ap.add_argument("--athletes", type=int, default=4, help="simulated cohort size")
    ap.add_argument("--weeks", type=int, default=8, help="weeks of simulated training")
    ap.add_argument("--cohort-repeats", type=int, default=5, help="passes over the cohort")
    ap.add_argument("--profile", action="store_true", help="cProfile and per-stage times of the 3-hour run")
    args = ap.parse_args(argv)

    samples = three_hour_run()
    params = TerrainParams.for_altitude_source("gps")
    print(f"terrain throughput, numpy {np.__version__}, one thread\n")
    report("3-hour run at 1 Hz (GPS preset)", len(samples), timed(lambda: analyze_run(samples, params), args.repeats))
    baro = TerrainParams.for_altitude_source("barometric")
    report(
        "3-hour run at 1 Hz (barometric defaults)",
        len(samples),
        timed(lambda: analyze_run(samples, baro), args.repeats),
    )
    report(
        "3-hour run at 1 Hz (GPS preset), with the profile frame",
        len(samples),
        timed(lambda: analyze_run(samples, params).profile, args.repeats),
    )
    if args.profile:
        stages(samples, params, args.repeats)
        prof = cProfile.Profile()
        prof.enable()
        for _ in range(args.repeats):
            analyze_run(samples, params)
        prof.disable()
        buf = io.StringIO()
        pstats.Stats(prof, stream=buf).sort_stats("tottime").print_stats(15)
        print("\n".join(buf.getvalue().splitlines()[:40]))

    t0 = time.perf_counter()
    runs = cohort_runs(args.athletes, args.weeks, seed=0)
    n = sum(len(s) for s, _ in runs)
    print(
        f"\nsimulated cohort: {args.athletes} athletes x {args.weeks} weeks, {len(runs)} runs, "
        f"{n:,} samples (simulate + GPX read + clean, not timed: {time.perf_counter() - t0:.0f} s)"
    )

    def whole_cohort():
        for s, p in runs:
            analyze_run(s, p)

    report("whole cohort, terrain step only", n, timed(whole_cohort, args.cohort_repeats))

    def whole_cohort_with_profiles():
        for s, p in runs:
            analyze_run(s, p).profile  # noqa: B018

    report("whole cohort, with the profile frames", n, timed(whole_cohort_with_profiles, args.cohort_repeats))


if __name__ == "__main__":
    main()
