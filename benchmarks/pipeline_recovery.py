"""End-to-end recovery: simulate cohorts as files → ingest → analyze, over many seeds.

Prints, for H1 and H2 under a planted effect and under the null, the mean estimate, bias, 95 % CI coverage and
the rejection rate at α = 0.05 (power under the effect, false-positive rate under the null). Unlike
``model_recovery.py`` (panels simulated directly) this goes through GPX files, terrain and exposure windows, so it
also catches measurement and window-definition bias.

    python benchmarks/pipeline_recovery.py [--seeds 12] [--athletes 6] [--weeks 12] [--workers 2]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pandas as pd

from trailstrength import analysis, warehouse
from trailstrength.simulate import PlantedEffects, simulate_cohort

SCENARIOS = {"effect": PlantedEffects(), "null": PlantedEffects.null()}


def one(args):
    scenario, seed, athletes, weeks = args
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        truth = simulate_cohort(
            tmp / "raw", athletes=athletes, weeks=weeks, seed=seed, effects=SCENARIOS[scenario], truth_dir=tmp
        )
        warehouse.ingest(tmp / "raw", warehouse=tmp / "wh", progress=False)
        res = analysis.analyze(tmp / "wh")
    rows = []
    for r in res.primary.itertuples():
        rows.append(
            {
                "scenario": scenario,
                "seed": seed,
                "hypothesis": r.hypothesis,
                "truth": truth["primary"][r.hypothesis]["estimate"],
                "estimate": r.estimate,
                "ci_low": r.ci_low,
                "ci_high": r.ci_high,
                "p": r.p_value,
                "model": r.model,
                "n_obs": r.n_obs,
            }
        )
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=12)
    ap.add_argument("--athletes", type=int, default=6)
    ap.add_argument("--weeks", type=int, default=12)
    ap.add_argument("--workers", type=int, default=2)
    a = ap.parse_args()
    t0 = time.perf_counter()
    jobs = [(s, 1000 + k, a.athletes, a.weeks) for s in SCENARIOS for k in range(a.seeds)]
    with ProcessPoolExecutor(a.workers) as pool:
        rows = [r for rs in pool.map(one, jobs) for r in rs]
    df = pd.DataFrame(rows)
    df["covered"] = (df["ci_low"] <= df["truth"]) & (df["truth"] <= df["ci_high"])
    df["reject"] = df["p"] < 0.05
    out = df.groupby(["hypothesis", "scenario"]).agg(
        truth=("truth", "first"),
        reps=("seed", "size"),
        mean_est=("estimate", "mean"),
        bias=("estimate", lambda e: e.mean() - df.loc[e.index, "truth"].mean()),
        sd=("estimate", "std"),
        coverage=("covered", "mean"),
        reject_05=("reject", "mean"),
        mean_n_obs=("n_obs", "mean"),
    )
    print(
        f"pipeline_recovery: {a.seeds} seeds × {list(SCENARIOS)}; cohorts {a.athletes} athletes × {a.weeks} weeks; "
        f"{time.perf_counter() - t0:.0f} s on {a.workers} worker(s)"
    )
    print(out.round(4).to_string())
    print("\nper seed:")
    print(df.pivot_table(index="seed", columns=["hypothesis", "scenario"], values="estimate").round(4).to_string())


if __name__ == "__main__":
    main()
