"""Validate the terrain pipeline on synthetic runs of known geometry and choose its defaults.

Run from the repository root::

    PYTHONPATH=src python benchmarks/validate_terrain.py [--seeds 5] [--quick]

For every altitude noise level × smoother × window it simulates the courses in
``trailstrength.terrain.synthetic.COURSES`` (straight grades, a sawtooth, a plateau; 1 Hz; equal-effort
pacing) with several seeds, runs :func:`trailstrength.terrain.analyze_run` and prints

* ``grade_rmse`` — RMSE of profile grade against the true grade (fraction; includes the unavoidable
  rounding of every break of slope, so it is not zero without noise);
* ``descent_err_%`` — mean signed error of the descent total (hysteresis on smoothed altitude), and
  ``|err|max_%`` the worst run;
* ``boundary_m`` — mean absolute error of matched descent-segment starts and ends, m;
* ``f1`` — descent-segment detection F1 (pooled; a match needs intersection/union ≥ 0.5);
* ``ms_3h`` — wall time of ``analyze_run`` on a 3-hour 1 Hz run (10,800 samples), median of repeats.

Table 2 compares the defaults with ``TerrainParams.for_altitude_source("gps")`` on GPS-level noise and the
merge gap that preset relies on; table 3 sweeps the ascent/descent hysteresis at the default smoother.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))  # runnable without installing

from trailstrength.terrain import TerrainParams, analyze_run  # noqa: E402
from trailstrength.terrain.synthetic import COURSES, NOISE_LEVELS, score_segments, synthetic_run  # noqa: E402

NOISES = ("none", "baro", "gps", "gps_spikes", "gps_harsh")
METHODS = ("savgol", "window")
WINDOWS_M = (50.0, 70.0, 100.0, 150.0, 200.0, 300.0)
HYSTERESIS_M = (0.0, 2.0, 5.0, 10.0)


def simulate(seeds: int) -> dict[str, list]:
    """Synthetic runs per noise level (all courses × seeds), generated once and reused for every setting."""
    return {noise: [synthetic_run(legs, noise=noise, seed=seed)
                    for legs in COURSES.values() for seed in range(seeds)] for noise in NOISES}


def evaluate(runs, params: TerrainParams) -> dict[str, float]:
    sq, npts, errs, bnd = 0.0, 0, [], []
    tp = fp = fn = 0
    for run in runs:
        res = analyze_run(run.samples, params)
        x = res.profile["distance_m"].to_numpy()
        g = res.profile["grade"].to_numpy()
        sq += float(np.sum((g - run.grade(x)) ** 2))
        npts += x.size
        errs.append(100 * (res.summary["descent_m"] / run.descent_m - 1))
        sc = score_segments(res.segments[res.segments["kind"] == "descent"], run.segments(params, "descent"))
        tp, fp, fn = tp + sc["tp"], fp + sc["fp"], fn + sc["fn"]
        if np.isfinite(sc["boundary_mae_m"]):
            bnd += [sc["boundary_mae_m"]] * (2 * sc["tp"])
    f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 1.0
    return {"grade_rmse": np.sqrt(sq / npts), "descent_err_%": np.mean(errs),
            "|err|max_%": np.max(np.abs(errs)), "boundary_m": np.mean(bnd) if bnd else np.nan, "f1": f1}


def three_hour_run(noise: str):
    legs = (COURSES["grades"] + COURSES["sawtooth"] + COURSES["plateau"]) * 2
    return synthetic_run(legs, noise=noise, seed=0, pause_at_s=3600.0, max_duration_s=3 * 3600.0 - 1)


def time_ms(samples: pd.DataFrame, params: TerrainParams, repeats: int) -> float:
    analyze_run(samples, params)  # warm caches and imports
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        analyze_run(samples, params)
        times.append(time.perf_counter() - t0)
    return 1000 * float(np.median(times))


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=5, help="seeds per course and noise level")
    ap.add_argument("--quick", action="store_true", help="2 seeds, 3 windows (smoke run)")
    args = ap.parse_args(argv)
    seeds = 2 if args.quick else args.seeds
    windows = (50.0, 100.0, 200.0) if args.quick else WINDOWS_M
    base = TerrainParams()
    runs = simulate(seeds)
    long_run = {noise: three_hour_run(noise).samples for noise in ("baro", "gps")}
    assert len(long_run["gps"]) >= 10_000, "the timing run should be ~3 h at 1 Hz"

    pd.set_option("display.width", 200)
    print(f"terrain validation: {len(COURSES)} courses x {seeds} seeds per cell, 1 Hz; noise models:")
    for name in NOISES:
        lv = NOISE_LEVELS[name]
        print(f"  {name:10s} fast sigma {lv.sigma_m} m / tau {lv.tau_s:g} s, slow sigma {lv.slow_sigma_m} m / "
              f"tau {lv.slow_tau_s:g} s, spikes {lv.spike_rate:g}/sample x {lv.spike_m:g} m")
    rows = []
    for noise in NOISES:
        for method in METHODS:
            for w in windows:
                p = replace(base, smoothing=method, smooth_window_m=w)
                row = {"noise": noise, "smoothing": method, "window_m": int(w), **evaluate(runs[noise], p)}
                if noise in long_run:
                    row["ms_3h"] = time_ms(long_run[noise], p, 5 if args.quick else 15)
                rows.append(row)
    table = pd.DataFrame(rows)
    fmt = {"grade_rmse": "{:.4f}".format, "descent_err_%": "{:+.1f}".format, "|err|max_%": "{:.1f}".format,
           "boundary_m": "{:.1f}".format, "f1": "{:.3f}".format, "ms_3h": "{:.1f}".format}
    print("\nTable 1. noise x smoother x window (hysteresis %.0f m, grade window %.0f m, step %.0f m)"
          % (base.hysteresis_m, base.grade_window_m, base.step_m))
    print(table.to_string(index=False, formatters=fmt, na_rep=""))

    gps = TerrainParams.for_altitude_source("gps")
    rows = []
    for noise in ("baro", "gps", "gps_spikes", "gps_harsh"):
        for label, p in (("defaults", base),
                         ("defaults, no spike filter", replace(base, spike_window_m=0.0)),
                         ("gps preset, merge 50 m", replace(gps, merge_gap_m=50.0)),
                         ("gps preset", gps),
                         ("gps preset, merge 150 m", replace(gps, merge_gap_m=150.0)),
                         ("gps preset, no spike filter", replace(gps, spike_window_m=0.0))):
            if noise == "baro" and "," in label:
                continue
            rows.append({"noise": noise, "params": label, **evaluate(runs[noise], p)})
    print(f"\nTable 2. GPS preset (savgol {gps.smooth_window_m:.0f} m, merge gap {gps.merge_gap_m:.0f} m) "
          "vs defaults")
    print(pd.DataFrame(rows).to_string(index=False, formatters=fmt))

    rows = []
    for noise in NOISES:
        for h in HYSTERESIS_M:
            p = replace(base, hysteresis_m=h)
            r = evaluate(runs[noise], p)
            rows.append({"noise": noise, "hysteresis_m": h, "descent_err_%": r["descent_err_%"],
                         "|err|max_%": r["|err|max_%"]})
    print(f"\nTable 3. descent total vs hysteresis ({base.smoothing} {base.smooth_window_m:.0f} m)")
    print(pd.DataFrame(rows).to_string(index=False, formatters=fmt))

    print("\nDefaults:  ", base)
    print("GPS preset:", {k: v for k, v in vars(gps).items() if v != getattr(base, k)})


if __name__ == "__main__":
    main()
