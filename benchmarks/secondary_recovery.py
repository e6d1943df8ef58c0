"""Monte Carlo checks of the secondary and sensitivity models on known truth.

For each model, panels are simulated with a planted value and with none; the table gives bias (and % of the
planted value), RMSE, 95 % CI coverage and rejection rate at alpha = 0.05 with Monte Carlo SEs:

* ``interaction``: H2 descent x hinge (within) interaction, -0.05 points per weekly set per 100 m (12 athletes);
* ``ordinal_gee``: cumulative-logit slope of binned soreness.  With no athlete effect (``tau=0``) the
  population-averaged slope equals the planted 0.5; with an athlete intercept of SD 1 (``tau=1``) the truth is the
  usual marginal approximation 0.5 / sqrt(1 + 0.346) = 0.431 (Zeger, Liang & Albert 1988), so a few % of bias
  there is the approximation, not the estimator;
* ``rmcorr``: within-athlete correlation 0.3 (10 athletes x 8 observations) with athlete offsets that would bias a
  pooled Pearson r;
* ``lags``: a daily exposure with planted weights at lags 1, 2 and weekly blocks 1, 3 (12 athletes x 140 days, an
  outcome on 40 % of days); each lag term is one row, and the ``zero lags`` row pools the lags planted at 0;
* ``ordinal_gee_twin_null``: the H2 ordinal GEE on null cohorts from the simulate_cohort twin (6 athletes x 12
  weeks): false-positive rate where the data look like the pipeline's.

    PYTHONPATH=src python benchmarks/secondary_recovery.py [--reps 200] [--workers 2]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

from trailstrength.models.ordinal import fit_ordinal_gee
from trailstrength.models.rmcorr import rmcorr
from trailstrength.models.secondary import fit_h2_interaction, fit_h2_ordinal
from trailstrength.simulate import CohortDesign, PlantedEffects, simulate_panels

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from test_lags import TRUE as LAG_TRUTH  # noqa: E402  (the planted lag weights and their panel builder)
from test_lags import _lag_panel  # noqa: E402
from test_ordinal import cluster_panel  # noqa: E402
from test_secondary import h2_panel  # noqa: E402

from trailstrength.models.lags import fit_lags  # noqa: E402

PA_ATTENUATION = (1 + 0.346) ** -0.5


def _ci_row(check, truth, est, lo, hi, p):
    return {"check": check, "truth": truth, "estimate": est, "ci_low": lo, "ci_high": hi, "p_value": p}


def _eff(effects, term):
    r = effects.set_index("term").loc[term]
    return r["estimate"], r["ci_low"], r["ci_high"], r["p_value"]


def one(args):
    check, seed = args
    rng = np.random.default_rng(seed)
    if check.startswith("interaction"):
        truth = -0.05 if check == "interaction" else 0.0
        fit = fit_h2_interaction(h2_panel(seed, interaction=truth, n_athletes=12, runs=20))
        return [_ci_row(check, truth, *_eff(fit.effects, "descent_x_hinge_sets_28d_within"))]
    if check.startswith("ordinal_gee_tau"):
        tau = float(check.split("tau")[1].split("_")[0])
        beta = 0.0 if check.endswith("null") else 0.5
        truth = beta * (PA_ATTENUATION if tau else 1.0)
        fit = fit_ordinal_gee(
            cluster_panel(n_athletes=12, runs=15, beta=beta, tau=tau, seed=seed), "soreness", ["x", "z"]
        )
        return [_ci_row(check, truth, *_eff(fit.effects, "x"))]
    if check.startswith("rmcorr"):
        rho = 0.3 if check == "rmcorr" else 0.0
        k, m = 10, 8
        off = rng.normal(0, 2, k)
        x = np.repeat(off, m) + rng.normal(size=k * m)
        y = np.repeat(-2 * off, m) + rho / np.sqrt(1 - rho**2) * (x - np.repeat(off, m)) + rng.normal(size=k * m)
        s = rmcorr(pd.DataFrame({"athlete_id": np.repeat(np.arange(k), m), "x": x, "y": y}), "x", "y")
        return [_ci_row(check, rho, s["r"], s["ci_low"], s["ci_high"], s["p_value"])]
    if check == "lags":
        panel, lags = _lag_panel(rng)
        eff = fit_lags(panel, lags, "y", "x", hypothesis="HX", outcome_unit="p", exposure_unit="s").effects
        rows = []
        for term, beta in LAG_TRUTH.items():
            name = f"lags {term.removeprefix('x_').removesuffix('_within')}" if beta else "lags: zero lags"
            rows.append(_ci_row(name, beta, *_eff(eff, term)))
        return rows
    if check == "ordinal_gee_twin_null":
        h2 = simulate_panels(CohortDesign(athletes=6, weeks=12), PlantedEffects.null(), seed).h2
        return [_ci_row(check, 0.0, *_eff(fit_h2_ordinal(h2).effects, "hinge_sets_28d_within"))]
    raise ValueError(check)


CHECKS = (
    "interaction",
    "interaction_null",
    "ordinal_gee_tau0",
    "ordinal_gee_tau0_null",
    "ordinal_gee_tau1",
    "ordinal_gee_tau1_null",
    "rmcorr",
    "rmcorr_null",
    "lags",
    "ordinal_gee_twin_null",
)


def summarise(res: pd.DataFrame) -> pd.DataFrame:
    out = []
    for check, g in res.groupby("check", sort=False):
        n = len(g)
        err = g["estimate"] - g["truth"]
        cover = ((g["ci_low"] <= g["truth"]) & (g["truth"] <= g["ci_high"])).mean()
        reject = (g["p_value"] < 0.05).mean()
        truth = g["truth"].iloc[0] if g["truth"].nunique() == 1 else np.nan
        out.append(
            {
                "check": check,
                "truth": truth,
                "reps": n,
                "bias": err.mean(),
                "bias_mcse": err.std(ddof=1) / np.sqrt(n),
                "bias_pct": 100 * err.mean() / abs(truth) if truth else np.nan,
                "rmse": np.sqrt((err**2).mean()),
                "coverage": cover,
                "cov_mcse": np.sqrt(cover * (1 - cover) / n),
                "reject_05": reject,
                "rej_mcse": np.sqrt(reject * (1 - reject) / n),
            }
        )
    return pd.DataFrame(out)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=200)
    ap.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    ap.add_argument("--checks", nargs="*", default=list(CHECKS), choices=CHECKS)
    a = ap.parse_args(argv)
    jobs = [(c, 10_000 + k) for c in a.checks for k in range(a.reps)]
    t0 = time.perf_counter()
    with ProcessPoolExecutor(a.workers) as pool:
        rows = [r for rs in pool.map(one, jobs, chunksize=8) for r in rs]
    table = summarise(pd.DataFrame(rows))
    print(f"secondary_recovery: {a.reps} reps per check, {a.workers} worker(s), {time.perf_counter() - t0:.0f} s")
    print(
        "reject_05 = power (planted) or false-positive rate (truth 0); bias_pct = bias / |truth|; *_mcse = Monte "
        "Carlo SE; 'lags: zero lags' pools lag terms planted at 0 (reps = terms x replicates)"
    )
    with pd.option_context("display.width", 220):
        print(table.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    return table


if __name__ == "__main__":
    main()
