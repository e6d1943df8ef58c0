"""Validate the terrain pipeline on synthetic runs of known geometry and choose its defaults.

Run from the repository root::

    PYTHONPATH=src python benchmarks/validate_terrain.py [--seeds 5] [--quick]

For every altitude noise level × smoother × window it simulates the courses in
``trailstrength.simulate.runs.COURSES`` (straight grades, a sawtooth, a plateau; 1 Hz; equal-effort
pacing) with several seeds, runs :func:`trailstrength.terrain.analyze_run` and prints

* ``grade_rmse`` — RMSE of profile grade against the true grade (fraction; includes the unavoidable
  rounding of every break of slope, so it is not zero without noise);
* ``descent_err_%`` — mean signed error of the descent total (hysteresis on smoothed altitude), and
  ``|err|max_%`` the worst run;
* ``boundary_m`` — mean absolute error of matched descent-segment starts and ends, m;
* ``f1`` — descent-segment detection F1 (pooled; a match needs intersection/union ≥ 0.5).

Table 2 compares the defaults with ``TerrainParams.for_altitude_source("gps")`` on GPS-level noise and the
merge gap that preset relies on; table 3 sweeps the ascent/descent hysteresis at the default smoother.
Table 4 checks moving time on a slow steep hike (0.41 m/s up 30 %) with and without a 2-minute stop, with
the horizontal pause rule alone and with the vertical exemption. Table 5 fits the per-athlete curve
(:func:`fit_empirical_gap`) to runs paced by a known non-Strava curve. Table 6 runs real files from
``../shared/realdata`` (``TRAILSTRENGTH_REALDATA``) through the package's readers, cleaning step and the
parameters the warehouse would choose, and prints our totals beside the device's own (FIT session) and the
raw point-to-point sums. Speed is measured by ``benchmarks/bench_terrain.py``.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))  # runnable without installing

from trailstrength.simulate.runs import (  # noqa: E402
    COURSES,
    NOISE_LEVELS,
    athlete_runs,
    hiker_curve,
    score_segments,
    synthetic_run,
)
from trailstrength.terrain import NotEnoughTerrainData, TerrainParams, analyze_run, fit_empirical_gap, gap_factor  # noqa: E402

REALDATA = Path(os.environ.get("TRAILSTRENGTH_REALDATA", Path(__file__).resolve().parents[2] / "shared" / "realdata"))
REAL_FILES = (
    "trail_analyzer/tanzawa_main_ridge.gpx",
    "python-fitparse/activity-small-fenix2-run.fit",
    "python-fitparse/2013-02-06-12-11-14.fit",
    "python-fitparse/developer-types-sample.fit",
    "runpandas/run.fit",
    "heartandsole/testdata.fit",
    "heartandsole/testdata.gpx",
    "heartandsole/testdata.tcx",
    "tcxreader/cross-country-skiing_activity_1.tcx",
    "runpandas/4383adb2-5170-467c-85b8-2d983c415e5b.gpx",
    "gpxpy/korita-zbevnica.gpx",
    "runpandas/11km.tcx",
)
HIKE = ((400, 0.0), (1500, 0.30), (300, 0.0), (1500, -0.25), (400, 0.0))

NOISES = ("none", "baro", "gps", "gps_spikes", "gps_harsh")
METHODS = ("savgol", "window")
WINDOWS_M = (50.0, 70.0, 100.0, 150.0, 200.0, 300.0)
HYSTERESIS_M = (0.0, 2.0, 5.0, 10.0)


def simulate(seeds: int) -> dict[str, list]:
    """Synthetic runs per noise level (all courses × seeds), generated once and reused for every setting."""
    return {
        noise: [synthetic_run(legs, noise=noise, seed=seed) for legs in COURSES.values() for seed in range(seeds)]
        for noise in NOISES
    }


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
    return {
        "grade_rmse": np.sqrt(sq / npts),
        "descent_err_%": np.mean(errs),
        "|err|max_%": np.max(np.abs(errs)),
        "boundary_m": np.mean(bnd) if bnd else np.nan,
        "f1": f1,
    }


def pause_table(seeds: int) -> pd.DataFrame:
    """Moving-time error (s) on a slow steep hike, with and without a 2-minute stop halfway up."""
    rows = []
    for noise, preset in (("baro", "barometric"), ("gps", "gps")):
        params = TerrainParams.for_altitude_source(preset)
        for stop in (False, True):
            runs = [
                synthetic_run(
                    HIKE,
                    noise=noise,
                    seed=s,
                    flat_speed_mps=1.3,
                    device_distance=False,
                    position_noise_m=0.6,
                    **({"pause_at_s": 2500.0, "pause_s": 120.0} if stop else {}),
                )
                for s in range(seeds)
            ]
            for label, p in (
                ("horizontal speed only", replace(params, pause_vertical_mps=np.inf)),
                (f"{preset} preset", params),
            ):
                err = [analyze_run(r.samples, p).summary["moving_time_s"] - r.moving_time_s for r in runs]
                rows.append(
                    {
                        "altitude": noise,
                        "stop": "120 s" if stop else "none",
                        "rule": label,
                        "true_moving_s": np.mean([r.moving_time_s for r in runs]),
                        "error_mean_s": np.mean(err),
                        "error_worst_s": err[int(np.argmax(np.abs(err)))],
                    }
                )
    return pd.DataFrame(rows)


def empirical_table(n_runs: int) -> pd.DataFrame:
    """Fit the per-athlete curve to runs paced by a known curve; errors against it, %."""
    true = hiker_curve()
    q = np.linspace(-0.26, 0.26, 27)
    rows = []
    for noise, preset in (("baro", "barometric"), ("gps", "gps")):
        params = TerrainParams.for_altitude_source(preset)
        runs = [analyze_run(r.samples, params) for r in athlete_runs(n_runs, true, noise=noise)]
        fit = fit_empirical_gap(runs)
        err = 100 * (fit(q) / true(q) - 1)
        strava = 100 * (gap_factor(q) / true(q) - 1)
        rows.append(
            {
                "altitude": noise,
                "runs": n_runs,
                "fitted_range": f"{fit.grade_range[0]:+.0%}..{fit.grade_range[1]:+.0%}",
                "max_abs_err_%": np.abs(err).max(),
                "rms_err_%": np.sqrt(np.mean(err**2)),
                "strava_max_abs_err_%": np.abs(strava).max(),
            }
        )
    try:
        fit_empirical_gap(runs[:3])
    except NotEnoughTerrainData as err:
        print(f"  3 runs: {err}")
    return pd.DataFrame(rows)


def real_table() -> pd.DataFrame:
    """Real files through readers, cleaning and the warehouse's preset; ours beside device and raw totals."""
    from trailstrength.clean import clean_samples
    from trailstrength.io import FORMATS, Athlete, FileContext, ReaderError, detect, open_bytes

    rows = []
    for rel in REAL_FILES:
        path = REALDATA / rel
        if not path.exists():
            rows.append({"file": rel, "note": "absent"})
            continue
        data, _ = open_bytes(path)
        fmt = detect(data)
        if fmt not in FORMATS:
            rows.append({"file": rel, "note": f"no reader yet ({fmt or 'unknown format'})"})
            continue
        try:
            tables = FORMATS[fmt].read(data, FileContext(f"a1/{path.name}", "0" * 64, Athlete("a1"))).tables
        except ReaderError as err:
            rows.append({"file": rel, "note": f"reader: {err}"})
            continue
        act = tables["activities"].iloc[0]
        samples = clean_samples(tables["samples"])
        samples = samples[samples["activity_id"] == act["activity_id"]]
        s = analyze_run(samples, TerrainParams.for_altitude_source(act["altitude_source"]), reference=act).summary
        d = np.diff(samples["altitude_m"].dropna().to_numpy(float))
        rows.append(
            {
                "file": rel,
                "alt_source": act["altitude_source"],
                "quality": s["altitude_quality"],
                "km": s["distance_m"] / 1000,
                "moving_h": s["moving_time_s"] / 3600,
                "elapsed_h": samples["elapsed_s"].max() / 3600,
                "ascent": s["ascent_m"],
                "dev_asc": s["device_ascent_m"],
                "raw_asc": d[d > 0].sum(),
                "descent": s["descent_m"],
                "dev_desc": s["device_descent_m"],
                "raw_desc": -d[d < 0].sum(),
                "climb_m_h": s["vertical_climb_rate_m_per_h"],
                "note": "",
            }
        )
    return pd.DataFrame(rows)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=5, help="seeds per course and noise level")
    ap.add_argument("--quick", action="store_true", help="2 seeds, 3 windows (smoke run)")
    args = ap.parse_args(argv)
    seeds = 2 if args.quick else args.seeds
    windows = (50.0, 100.0, 200.0) if args.quick else WINDOWS_M
    base = TerrainParams()
    runs = simulate(seeds)

    pd.set_option("display.width", 200)
    print(f"terrain validation: {len(COURSES)} courses x {seeds} seeds per cell, 1 Hz; noise models:")
    for name in NOISES:
        lv = NOISE_LEVELS[name]
        print(
            f"  {name:10s} fast sigma {lv.sigma_m} m / tau {lv.tau_s:g} s, slow sigma {lv.slow_sigma_m} m / "
            f"tau {lv.slow_tau_s:g} s, spikes {lv.spike_rate:g}/sample x {lv.spike_m:g} m"
        )
    rows = []
    for noise in NOISES:
        for method in METHODS:
            for w in windows:
                p = replace(base, smoothing=method, smooth_window_m=w)
                rows.append({"noise": noise, "smoothing": method, "window_m": int(w), **evaluate(runs[noise], p)})
    table = pd.DataFrame(rows)
    fmt = {
        "grade_rmse": "{:.4f}".format,
        "descent_err_%": "{:+.1f}".format,
        "|err|max_%": "{:.1f}".format,
        "boundary_m": "{:.1f}".format,
        "f1": "{:.3f}".format,
    }
    print(
        "\nTable 1. noise x smoother x window "
        f"(hysteresis {base.hysteresis_m:.0f} m, grade window {base.grade_window_m:.0f} m, step {base.step_m:.0f} m)"
    )
    print(table.to_string(index=False, formatters=fmt, na_rep=""))

    gps = TerrainParams.for_altitude_source("gps")
    rows = []
    for noise in ("baro", "gps", "gps_spikes", "gps_harsh"):
        for label, p in (
            ("defaults", base),
            ("defaults, no spike filter", replace(base, spike_window_m=0.0)),
            ("gps preset, merge 50 m", replace(gps, merge_gap_m=50.0)),
            ("gps preset", gps),
            ("gps preset, merge 150 m", replace(gps, merge_gap_m=150.0)),
            ("gps preset, no spike filter", replace(gps, spike_window_m=0.0)),
        ):
            if noise == "baro" and "," in label:
                continue
            rows.append({"noise": noise, "params": label, **evaluate(runs[noise], p)})
    print(f"\nTable 2. GPS preset (savgol {gps.smooth_window_m:.0f} m, merge gap {gps.merge_gap_m:.0f} m) vs defaults")
    print(pd.DataFrame(rows).to_string(index=False, formatters=fmt))

    rows = []
    for noise in NOISES:
        for h in HYSTERESIS_M:
            p = replace(base, hysteresis_m=h)
            r = evaluate(runs[noise], p)
            rows.append(
                {"noise": noise, "hysteresis_m": h, "descent_err_%": r["descent_err_%"], "|err|max_%": r["|err|max_%"]}
            )
    print(f"\nTable 3. descent total vs hysteresis ({base.smoothing} {base.smooth_window_m:.0f} m)")
    print(pd.DataFrame(rows).to_string(index=False, formatters=fmt))

    print(
        "\nTable 4. moving time on a slow steep hike (0.41 m/s up 30 %, 0.6 m position jitter), "
        f"{2 if args.quick else 4} seeds"
    )
    print(pause_table(2 if args.quick else 4).to_string(index=False, float_format="{:.0f}".format))
    print(f"\nTable 5. per-athlete curve fitted to {8} runs paced by a known curve (grades -26..+26 %)")
    print(empirical_table(8).to_string(index=False, float_format="{:.1f}".format))
    print(f"\nTable 6. real files ({REALDATA}): ours beside the device's and the raw point-to-point sums, m")
    print(real_table().to_string(index=False, float_format="{:.1f}".format, na_rep=""))

    print("\nDefaults:  ", base)
    print("GPS preset:", {k: v for k, v in vars(gps).items() if v != getattr(base, k)})


if __name__ == "__main__":
    main()
