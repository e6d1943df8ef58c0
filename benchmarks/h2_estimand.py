"""What the H2 model estimates in the simulated cohorts, and which part of the soreness process moves it.

Runs the simulate_cohort generative model through its day-by-day twin (trailstrength.simulate.panels), so
terrain measurement is out of the picture, and fits the pre-registered H2 model to each cohort.  Variants switch
one ingredient at a time:

* ``per-run response (old)``: simulate_cohort before the fix: the hinge effect is part of each descent run's
  soreness response (weights 1, 0.6, 0.3 over days 1-3), so where the windows of several runs overlap it is added
  several times; reports rounded and clipped to 0-10, peak = max over days d+1..d+3, acute lifting on d-3..d+3;
* ``old, ...`` with one change: no rounding/clipping, mean not max, acute window d-1..d+2 (the lifting days whose
  soreness lands on d+1..d+3), lifting soreness x5 (to expose any leak through the acute window);
* ``post-descent level (simulate_cohort)``: simulate_cohort now: the hinge effect as a level shift of beta *
  hinge_28d (of the most recent descent run) on the 3 days after a descent run, counted once.

Prints, per variant and planted effect: mean estimate, bias (and as % of the planted effect), its Monte Carlo SE,
95 % CI coverage and rejection rate of the Wald test, and (``*_boot``) of the athlete cluster bootstrap that the
primary analysis reports, on the same cohorts.

    PYTHONPATH=src python benchmarks/h2_estimand.py [--sims 200] [--athletes 6] [--weeks 12] [--workers 2]
"""

from __future__ import annotations

import argparse
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace

import numpy as np
import pandas as pd

from trailstrength.models import fit_h2
from trailstrength.models.primary import h2_bootstrap_inference
from trailstrength.simulate import CohortDesign, PlantedEffects, panels_from_daily, simulate_daily

BASE = PlantedEffects()
PER_RUN = {"hinge_soreness": "per_run"}  # simulate_cohort before the estimand fix
VARIANTS = {
    "per-run response (old)": (PER_RUN, {}, {}),
    "old, no rounding/clipping": ({**PER_RUN, "round_reports": False}, {}, {}),
    "old, mean not max": (PER_RUN, {"peak": "mean"}, {}),
    "old, acute window d-1..d+2": (PER_RUN, {"acute": (-1, 2)}, {}),
    "old, lifting soreness x5": (PER_RUN, {}, {"soreness_per_acute_hinge_set": 5 * BASE.soreness_per_acute_hinge_set}),
    "old, lifting x5, acute d-1..d+2": (
        PER_RUN,
        {"acute": (-1, 2)},
        {"soreness_per_acute_hinge_set": 5 * BASE.soreness_per_acute_hinge_set},
    ),
    "post-descent level (simulate_cohort)": ({}, {}, {}),
    "post-descent, no rounding": ({"round_reports": False}, {}, {}),
    "post-descent, lifting x5": ({}, {}, {"soreness_per_acute_hinge_set": 5 * BASE.soreness_per_acute_hinge_set}),
}


def one(args):
    variant, beta, seed, athletes, weeks = args
    design_kw, panel_kw, effect_kw = VARIANTS[variant]
    design = CohortDesign(athletes=athletes, weeks=weeks, **design_kw)
    effects = replace(BASE, soreness_per_hinge_set=beta, **effect_kw)
    _, h2 = panels_from_daily(simulate_daily(design, effects, seed), **panel_kw)
    fit = fit_h2(h2)
    r = fit.effects.set_index("term").loc["hinge_sets_28d_within"]
    # the same cohort with the primary analysis's H2 inference (athlete cluster bootstrap CI and p)
    b = h2_bootstrap_inference(fit.effects, h2, fit).set_index("term").loc["hinge_sets_28d_within"]
    return {
        "variant": variant,
        "planted": beta,
        "estimate": r["estimate"],
        "covered": r["ci_low"] <= beta <= r["ci_high"],
        "reject": r["p_value"] < 0.05,
        "covered_boot": b["ci_low"] <= beta <= b["ci_high"],
        "reject_boot": b["p_value"] < 0.05,
    }


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sims", type=int, default=200)
    ap.add_argument("--athletes", type=int, default=6)
    ap.add_argument("--weeks", type=int, default=12)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--variants", nargs="*", default=list(VARIANTS))
    ap.add_argument("--effects", nargs="*", type=float, default=[BASE.soreness_per_hinge_set, 0.0])
    a = ap.parse_args(argv)
    seeds = range(a.sims)  # the same cohorts in every variant (common random numbers)
    jobs = [(v, b, s, a.athletes, a.weeks) for v in a.variants for b in a.effects for s in seeds]
    t0 = time.perf_counter()
    with ProcessPoolExecutor(a.workers) as pool:
        res = pd.DataFrame(list(pool.map(one, jobs, chunksize=16)))
    out = (
        res.groupby(["variant", "planted"], sort=False)
        .agg(
            mean_est=("estimate", "mean"),
            sd=("estimate", "std"),
            coverage=("covered", "mean"),
            reject_05=("reject", "mean"),
            coverage_boot=("covered_boot", "mean"),
            reject_boot=("reject_boot", "mean"),
            sims=("estimate", "size"),
        )
        .reset_index()
    )
    out["bias"] = out["mean_est"] - out["planted"]
    out["bias_mcse"] = out["sd"] / np.sqrt(out["sims"])
    out["bias_pct"] = np.where(out["planted"] != 0, 100 * out["bias"] / out["planted"].abs(), np.nan)
    cols = [
        "variant",
        "planted",
        "mean_est",
        "bias",
        "bias_mcse",
        "bias_pct",
        "sd",
        "coverage",
        "reject_05",
        "coverage_boot",
        "reject_boot",
        "sims",
    ]
    print(
        f"h2_estimand: {a.sims} cohorts of {a.athletes} athletes x {a.weeks} weeks per row; "
        f"{time.perf_counter() - t0:.0f} s on {a.workers} workers"
    )
    with pd.option_context("display.width", 200):
        print(out[cols].to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    return out


if __name__ == "__main__":
    main()
