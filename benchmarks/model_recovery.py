"""Monte Carlo check of the primary H1/H2 models: bias, RMSE, CI coverage, error rates.

Simulates panels with a known within-athlete effect of ``hinge_sets_28d`` (and a null
one), with between-athlete confounding, unbalanced runs per athlete and 8–20 athletes,
fits them with :func:`trailstrength.models.fit_h1` / :func:`fit_h2` exactly as the
pipeline does, and prints, per hypothesis and scenario: bias, RMSE, 95 % CI coverage,
rejection rate at alpha = 0.05 (power, or false-positive rate under the null), each with
its Monte Carlo standard error, and which model the fallback chain ended on.

The data-generating model differs on purpose from the one in tests/test_models.py:
unbalanced panels, soreness rounded to whole points and clipped to 0–10, and a small
true random slope in H1.

Run::

    PYTHONPATH=src python benchmarks/model_recovery.py            # 200 reps, ~1–2 min on 2 cores
    PYTHONPATH=src python benchmarks/model_recovery.py --reps 50 --workers 1
"""

from __future__ import annotations

import argparse
import os
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pandas as pd

from trailstrength.models import fit_h1, fit_h2

TRUTH = {"H1": 0.008, "H2": -0.15}  # dpi / soreness points per weekly hinge set (within)
CONFOUNDING = {"H1": 0.04, "H2": -0.6}  # added to the between-athlete slope


def _athletes(rng, runs_lo, runs_hi):
    n_athletes = int(rng.integers(8, 21))
    runs = rng.integers(runs_lo, runs_hi + 1, n_athletes)
    athlete = np.repeat([f"a{i:02d}" for i in range(n_athletes)], runs)
    return n_athletes, runs, athlete


def simulate_h1(rng, beta_within):
    n_athletes, runs, athlete = _athletes(rng, 8, 40)
    n = len(athlete)
    per = lambda values: np.repeat(values, runs)  # noqa: E731 - athlete-level to run-level
    mean_hinge = per(rng.gamma(4, 0.8, n_athletes))  # right-skewed, like real volumes
    hinge = np.clip(mean_hinge + rng.normal(0, 1.0, n), 0, None)
    descent = per(rng.uniform(4, 16, n_athletes)) + 0.8 * (hinge - mean_hinge) + rng.normal(0, 2, n)
    km = per(rng.uniform(25, 70, n_athletes)) + rng.normal(0, 6, n)
    grade = rng.uniform(-0.3, -0.04, n)
    duration = rng.gamma(4, 0.6, n)
    slope_dev = per(rng.normal(0, 0.005, n_athletes))  # small true random slope
    dpi = (
        1.0 + (beta_within + slope_dev) * (hinge - mean_hinge)
        + (beta_within + CONFOUNDING["H1"]) * mean_hinge
        + 0.01 * descent + 0.002 * km - 0.5 * grade - 0.02 * duration
        + per(rng.normal(0, 0.08, n_athletes)) + rng.normal(0, 0.05, n)
    )
    return pd.DataFrame(
        {
            "athlete_id": athlete, "dpi": dpi, "hinge_sets_28d": hinge,
            "descent_100m_28d": descent, "run_km_28d": km,
            "mean_descent_grade": grade, "duration_h": duration,
        }
    )


def simulate_h2(rng, beta_within):
    n_athletes, runs, athlete = _athletes(rng, 5, 20)
    n = len(athlete)
    per = lambda values: np.repeat(values, runs)  # noqa: E731
    mean_hinge = per(rng.gamma(3, 1.0, n_athletes))
    hinge = np.clip(mean_hinge + rng.normal(0, 1.2, n), 0, None)
    descent = rng.uniform(5, 20, n)
    descent_28d = per(rng.uniform(4, 16, n_athletes)) + rng.normal(0, 2, n)
    acute = rng.poisson(np.clip(hinge, 0.1, None) / 2)
    other = rng.exponential(2, n)
    latent = (
        3.0 + 0.2 * descent + beta_within * (hinge - mean_hinge)
        + (beta_within + CONFOUNDING["H2"]) * mean_hinge - 0.08 * descent_28d
        + 0.15 * acute + 0.1 * other + per(rng.normal(0, 1.0, n_athletes)) + rng.normal(0, 1.0, n)
    )
    soreness = np.clip(np.round(latent), 0, 10)  # diaries record whole points
    return pd.DataFrame(
        {
            "athlete_id": athlete, "soreness_peak_72h": soreness, "descent_100m": descent,
            "hinge_sets_28d": hinge, "descent_100m_28d": descent_28d,
            "hinge_sets_acute": acute.astype(float), "other_descent_100m_72h": other,
        }
    )


def one_rep(args):
    hyp, scenario, seed = args
    rng = np.random.default_rng(seed)
    beta = TRUTH[hyp] if scenario == "effect" else 0.0
    panel = simulate_h1(rng, beta) if hyp == "H1" else simulate_h2(rng, beta)
    fit = fit_h1(panel) if hyp == "H1" else fit_h2(panel)
    r = fit.effects.loc[fit.effects["primary"]].iloc[0]
    return {
        "hypothesis": hyp, "scenario": scenario, "truth": beta, "estimate": r["estimate"],
        "ci_low": r["ci_low"], "ci_high": r["ci_high"], "p_value": r["p_value"],
        "model": r["model"], "n_athletes": r["n_athletes"], "n_obs": r["n_obs"],
    }


def summarise(res: pd.DataFrame) -> pd.DataFrame:
    out = []
    for (hyp, scen), g in res.groupby(["hypothesis", "scenario"], sort=False):
        n = len(g)
        err = g["estimate"] - g["truth"]
        cover = ((g["ci_low"] <= g["truth"]) & (g["truth"] <= g["ci_high"])).mean()
        reject = (g["p_value"] < 0.05).mean()
        models = g["model"].value_counts()
        out.append(
            {
                "hyp": hyp, "scenario": scen, "truth": g["truth"].iloc[0], "reps": n,
                "bias": err.mean(), "bias_mcse": err.std(ddof=1) / np.sqrt(n),
                "rmse": np.sqrt((err**2).mean()),
                "coverage": cover, "cov_mcse": np.sqrt(cover * (1 - cover) / n),
                "reject_05": reject, "rej_mcse": np.sqrt(reject * (1 - reject) / n),
                "models": ", ".join(f"{k} {v}" for k, v in models.items()),
            }
        )
    return pd.DataFrame(out)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    args = parser.parse_args(argv)

    seeds = np.random.SeedSequence(args.seed).generate_state(args.reps)
    jobs = [(h, s, int(seed)) for h in ("H1", "H2") for s in ("effect", "null") for seed in seeds]
    t0 = time.perf_counter()
    if args.workers > 1:
        with ProcessPoolExecutor(args.workers) as pool:
            rows = list(pool.map(one_rep, jobs, chunksize=8))
    else:
        rows = [one_rep(j) for j in jobs]
    elapsed = time.perf_counter() - t0
    res = pd.DataFrame(rows)
    table = summarise(res)
    with pd.option_context("display.width", 200, "display.max_columns", 20, "display.max_colwidth", 60):
        print(f"model_recovery: {args.reps} reps x (H1, H2) x (effect, null), seed {args.seed}, "
              f"{args.workers} worker(s), {elapsed:.0f} s")
        print(f"athletes per panel {res['n_athletes'].min()}-{res['n_athletes'].max()}, "
              f"rows (runs) per panel {res['n_obs'].min()}-{res['n_obs'].max()}")
        print("within-athlete hinge_sets_28d coefficient; reject_05 = power (effect) or "
              "false-positive rate (null); *_mcse = Monte Carlo SE")
        print(table.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    return table


if __name__ == "__main__":
    main()
