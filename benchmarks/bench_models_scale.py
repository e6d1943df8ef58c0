"""Time and memory of the primary H1/H2 fits as the cohort grows (issue 19, item 3).

Each cohort size runs in its own process (so one size's peak memory is not another's): the panels come from
:func:`trailstrength.simulate.simulate_panels` (the cohort's generative model, no files; ``--weeks`` weeks,
about four runs a week), then the public fit functions are timed one by one:

* ``fit_h1`` / ``fit_h2`` (``version="v2"``): the within/between LMM of each primary hypothesis (H1 with its
  random-slope attempt and the fallbacks of :func:`trailstrength.models.mixed.fit_mixed`);
* ``h2_bootstrap_inference``: the H2 primary row's chosen inference, the athlete cluster bootstrap;
* ``fit_primary``: everything ``analyze`` fits by default (both primaries, their inference, Holm, confounding
  notes and the sensitivity rows).

Wall time depends on what else the machine runs; CPU time (user + system of the process, all its threads) is the
steadier measure of the work. Peak RSS is the process's resident memory sampled every 20 ms during that step
alone; "RSS before" is what the process held when the step started (interpreter, libraries, panels). The fit
functions are called as they are on the branch being benchmarked (``models/primary.py`` changes with the primary
inference).

Run: ``PYTHONPATH=src python benchmarks/bench_models_scale.py [--athletes 100,300,1000 --weeks 26]``
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

import psutil
from bench_scale import ClientPeak  # the same sampler (run as a script, benchmarks/ is on the path)

STEPS = ("fit_h1", "fit_h2", "h2_bootstrap_inference", "fit_primary")


def one_size(athletes: int, weeks: int, seed: int) -> dict:
    """Simulate one cohort and time each step; what it measured, as a dict (printed as JSON by the child)."""
    from trailstrength.models import primary
    from trailstrength.simulate import CohortDesign, simulate_panels

    t0 = time.perf_counter()
    cohort = simulate_panels(CohortDesign(athletes=athletes, weeks=weeks), seed=seed)
    out: dict = {
        "athletes": athletes,
        "weeks": weeks,
        "h1_rows": len(cohort.h1),
        "h2_rows": len(cohort.h2),
        "simulate_s": time.perf_counter() - t0,
    }
    steps = {
        "fit_h1": lambda: primary.fit_h1(cohort.h1, version="v2"),
        "fit_h2": lambda: primary.fit_h2(cohort.h2, version="v2"),
    }
    fits: dict = {}
    for name in STEPS:
        me = psutil.Process()
        before, cpu0 = me.memory_info().rss, sum(me.cpu_times()[:2])
        with ClientPeak(every_s=0.02) as mem:
            t0 = time.perf_counter()
            if name in steps:
                fits[name] = steps[name]()
            elif name == "h2_bootstrap_inference":
                fit = fits["fit_h2"]
                boot = primary.h2_bootstrap_inference(fit.effects, cohort.h2, fit)
                prim = boot[boot["primary"]].iloc[0]
                out["h2_bootstrap_ci"] = [float(prim["ci_low"]), float(prim["ci_high"])]
            else:
                effects, _ = primary.fit_primary(cohort.h1, cohort.h2)
                out["fit_primary_rows"] = len(effects)
            out[f"{name}_s"] = time.perf_counter() - t0
        out[f"{name}_cpu_s"] = sum(me.cpu_times()[:2]) - cpu0
        out[f"{name}_rss_before_mb"] = before / 1e6
        out[f"{name}_peak_mb"] = mem.peak / 1e6
    for name in ("fit_h1", "fit_h2"):
        out[f"{name}_model"] = fits[name].model
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--athletes", default="100,300,1000", help="comma list of cohort sizes")
    ap.add_argument("--weeks", type=int, default=26)
    ap.add_argument("--seed", type=int, default=19)
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)  # child: one size, JSON on stdout
    args = ap.parse_args(argv)
    if args.one:
        print(json.dumps(one_size(args.one, args.weeks, args.seed)))
        return 0
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    rows = []
    for n in [int(a) for a in args.athletes.split(",")]:
        cmd = [sys.executable, __file__, "--one", str(n), "--weeks", str(args.weeks), "--seed", str(args.seed)]
        t0 = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, text=True, check=True)
        rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
        print(f"  {n} athletes done in {time.perf_counter() - t0:.0f} s", flush=True)
    _print(rows)
    return 0


def _print(rows: list[dict]) -> None:
    print()
    print("| athletes × weeks | H1 rows | H2 rows | step | model | wall s | CPU s | RSS before MB | peak RSS MB |")
    print("|---|---:|---:|---|---|---:|---:|---:|---:|")
    for r in rows:
        for name in STEPS:
            print(
                f"| {r['athletes']} × {r['weeks']} | {r['h1_rows']:,} | {r['h2_rows']:,} | {name} | "
                f"{r.get(f'{name}_model', '')} | {r[f'{name}_s']:.1f} | {r[f'{name}_cpu_s']:.1f} | "
                f"{r[f'{name}_rss_before_mb']:.0f} | "
                f"{r[f'{name}_peak_mb']:.0f} |"
            )
    first, last = rows[0], rows[-1]
    if len(rows) > 1:
        for name in STEPS:
            ratio = last[f"{name}_cpu_s"] / max(first[f"{name}_cpu_s"], 1e-9)
            size = last["athletes"] / first["athletes"]
            print(f"{name}: {size:.0f}× the athletes → {ratio:.1f}× the CPU time")


if __name__ == "__main__":
    raise SystemExit(main())
