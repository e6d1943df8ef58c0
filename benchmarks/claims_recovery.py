"""Monte Carlo check of the secondary claim models H3–H7 (trailstrength.models.claims): bias, coverage, error rates.

Each claim gets its own data-generating model at run level, written here independently of the package's simulator
(as benchmarks/model_recovery.py does for H1/H2): unbalanced athletes (12–20, 8–40 runs each), athlete baselines
confounded with the athlete's mean exposure (so only the within-athlete contrast is unbiased), covariates that move
the outcome, and a small athlete-specific slope.  The panels are fitted with the package's own functions
(:func:`~trailstrength.models.claims.fit_h3` ... ``fit_h7``) and, per claim, scenario and reported term, the
script prints bias (also as % of the planted effect), RMSE, 95 % CI coverage and rejection rate at alpha = 0.05
(power under ``effect``, false-positive rate under ``null``), each with its Monte Carlo SE, for both interval
methods: ``bootstrap`` (the claims' default: athlete cluster bootstrap, GLS engine, 1,999 replicates) and
``wald`` (the mixed model's own).

Planted effects (``effect`` scenario; ``null`` sets every one of them to 0 except where stated):

* H3: climb performance index +0.006 per weekly hinge set (``hinge_sets_28d_within``);
* H4: DPI +0.012 per weekly pure-hinge set and +0.006 per weekly conventional/trap-bar set, so the equality test
  (``pure_minus_conventional_within``) has truth +0.006; under ``null`` both are +0.009 (equal, not zero), which
  makes the equality test's rejection rate its false-positive rate;
* H5: DPI +0.04 per minute/week of hinge eccentric time under tension (``hinge_ecc_tut_min_28d_within``);
* H6: DPI +0.02 / +0.04 / +0.05 for weeks with >0–3 / >3–6 / >6 weekly hinge sets against 0 (a plateau);
* H7: DPI +0.03 per unit of unilateral share (0 → 1) of hinge sets, adjusted for total hinge sets (+0.012 per set
  under both scenarios, so H7's null is "share adds nothing beyond volume").

Targets (issue 7, as for the primary terms): coverage 93–97 %, false-positive rate <= 6 %, |bias| < 10 %.

Run::

    PYTHONPATH=src python benchmarks/claims_recovery.py              # 200 reps x 5 claims x 2 scenarios
    PYTHONPATH=src python benchmarks/claims_recovery.py --reps 20 --claims H4 H7
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
import pandas as pd
from _mc import run_reps

from trailstrength.models.claims import fit_h3, fit_h4, fit_h5, fit_h6, fit_h7

CLAIMS = ("H3", "H4", "H5", "H6", "H7")
SCENARIOS = ("effect", "null")
#: planted within-athlete effects per reported term, by scenario
TRUTH = {
    "H3": {"effect": {"hinge_sets_28d_within": 0.006}},
    "H4": {
        "effect": {
            "pure_hinge_sets_28d_within": 0.012,
            "deadlift_sets_28d_within": 0.006,
            "pure_minus_conventional_within": 0.006,
        },
        "null": {
            "pure_hinge_sets_28d_within": 0.009,
            "deadlift_sets_28d_within": 0.009,
            "pure_minus_conventional_within": 0.0,
        },
    },
    "H5": {"effect": {"hinge_ecc_tut_min_28d_within": 0.04}},
    "H6": {"effect": {"hinge_sets_0_3_within": 0.02, "hinge_sets_3_6_within": 0.04, "hinge_sets_gt6_within": 0.05}},
    "H7": {"effect": {"hinge_unilateral_share_28d_within": 0.03}},
}
SLOPE_SD = 0.25  # athlete-specific slopes: SD as a fraction of the planted effect
BETWEEN_CONFOUND = 0.03  # baseline DPI per unit of the athlete's mean exposure (in units of weekly sets)


def truth(claim: str, scenario: str) -> dict[str, float]:
    """Planted value of every checked term (0 under ``null`` unless H4 states otherwise)."""
    eff = TRUTH[claim]["effect"]
    return TRUTH[claim].get(scenario, {t: 0.0 for t in eff}) if scenario == "null" else eff


def _base(rng):
    """Athletes, runs and the H1 covariates shared by every claim's panel."""
    n_athletes = int(rng.integers(12, 21))
    runs = rng.integers(8, 41, n_athletes)
    athlete = np.repeat([f"a{i:02d}" for i in range(n_athletes)], runs)
    n = athlete.size
    per = lambda v: np.repeat(v, runs)  # noqa: E731 - athlete level to run level
    mean_sets = per(rng.gamma(3, 1.3, n_athletes))  # athlete's usual weekly hinge sets, right-skewed
    sets = np.clip(mean_sets + rng.normal(0, 1.6, n), 0, None)
    descent = per(rng.uniform(4, 16, n_athletes)) + 0.5 * (sets - mean_sets) + rng.normal(0, 2, n)
    frame = pd.DataFrame(
        {
            "athlete_id": athlete,
            "hinge_sets_28d": sets,
            "descent_100m_28d": descent,
            "run_km_28d": per(rng.uniform(25, 70, n_athletes)) + rng.normal(0, 6, n),
            "mean_descent_grade": rng.uniform(-0.3, -0.04, n),
            "duration_h": rng.gamma(4, 0.6, n),
        }
    )
    covariates = (
        0.01 * frame["descent_100m_28d"]
        + 0.002 * frame["run_km_28d"]
        - 0.5 * frame["mean_descent_grade"]
        - 0.02 * frame["duration_h"]
    ).to_numpy()
    baseline = 1.0 + per(rng.normal(0, 0.08, n_athletes)) + covariates + rng.normal(0, 0.05, n)
    return frame, per, runs, baseline, mean_sets


def _slope(rng, per, runs, beta):
    """beta plus an athlete-specific deviation (SD = SLOPE_SD * |beta|)."""
    return beta + per(rng.normal(0, SLOPE_SD * abs(beta), runs.size))


def panel_h3(rng, t):
    frame, per, runs, _, mean_sets = _base(rng)
    n = len(frame)
    frame["mean_climb_grade"] = rng.uniform(0.04, 0.25, n)
    beta = t["hinge_sets_28d_within"]
    frame["climb_performance_index"] = (
        1.0
        + per(rng.normal(0, 0.08, runs.size))
        + _slope(rng, per, runs, beta) * (frame["hinge_sets_28d"] - mean_sets)
        + (beta + BETWEEN_CONFOUND) * mean_sets
        + 0.006 * frame["descent_100m_28d"]
        + 0.003 * frame["run_km_28d"]
        - 0.8 * frame["mean_climb_grade"]
        - 0.03 * frame["duration_h"]
        + rng.normal(0, 0.05, n)
    )
    return frame


def panel_h4(rng, t):
    frame, per, runs, baseline, _ = _base(rng)
    n = len(frame)
    # the athlete's usual split between RDL-type and conventional/trap-bar sets, varying week to week
    share_pure = np.clip(per(rng.uniform(0.2, 0.9, runs.size)) + rng.normal(0, 0.2, n), 0, 1)
    pure, conv = frame["hinge_sets_28d"] * share_pure, frame["hinge_sets_28d"] * (1 - share_pure)
    frame["pure_hinge_sets_28d"], frame["deadlift_sets_28d"] = pure, conv
    athlete_mean = lambda x: x.groupby(frame["athlete_id"]).transform("mean")  # noqa: E731
    bp, bc = t["pure_hinge_sets_28d_within"], t["deadlift_sets_28d_within"]
    frame["dpi"] = (
        baseline
        + _slope(rng, per, runs, bp) * (pure - athlete_mean(pure))
        + _slope(rng, per, runs, bc) * (conv - athlete_mean(conv))
        + (bp + BETWEEN_CONFOUND) * athlete_mean(pure)
        + (bc + BETWEEN_CONFOUND) * athlete_mean(conv)
    )
    return frame


def panel_h5(rng, t):
    frame, per, runs, baseline, _ = _base(rng)
    n = len(frame)
    # seconds/week: sets x reps (6-10) x lowering seconds (2-4 s, athlete's habit), so TUT and sets differ
    tempo = per(rng.uniform(2, 4, runs.size))
    tut_s = frame["hinge_sets_28d"] * rng.uniform(6, 10, n) * tempo
    frame["hinge_ecc_tut_s_28d"] = tut_s
    tut_min = tut_s / 60.0
    mean_min = tut_min.groupby(frame["athlete_id"]).transform("mean")
    beta = t["hinge_ecc_tut_min_28d_within"]
    frame["dpi"] = baseline + _slope(rng, per, runs, beta) * (tut_min - mean_min) + (beta + 0.05) * mean_min
    return frame


def panel_h6(rng, t):
    frame, per, runs, baseline, _ = _base(rng)
    x = frame["hinge_sets_28d"]
    levels = np.select(
        [x > 6, x > 3, x > 0], [t["hinge_sets_gt6_within"], t["hinge_sets_3_6_within"], t["hinge_sets_0_3_within"]], 0.0
    )
    # about a fifth of the 28-day windows hold no hinge set at all (a block off)
    off = rng.uniform(size=len(frame)) < 0.2
    frame.loc[off, "hinge_sets_28d"] = 0.0
    levels[off] = 0.0
    mean_level = pd.Series(levels).groupby(frame["athlete_id"]).transform("mean").to_numpy()
    frame["dpi"] = baseline + levels + BETWEEN_CONFOUND * 10 * mean_level
    return frame


def panel_h7(rng, t):
    frame, per, runs, baseline, mean_sets = _base(rng)
    n = len(frame)
    share = np.clip(per(rng.uniform(0, 0.6, runs.size)) + rng.normal(0, 0.15, n), 0, 1)
    share = np.where(frame["hinge_sets_28d"] > 0, share, np.nan)  # no hinge sets: no share (drops out)
    frame["hinge_unilateral_share_28d"] = share
    mean_share = pd.Series(share).groupby(frame["athlete_id"]).transform("mean").to_numpy()
    beta = t["hinge_unilateral_share_28d_within"]
    frame["dpi"] = (
        baseline
        + 0.012 * frame["hinge_sets_28d"]
        + 0.02 * mean_sets
        + _slope(rng, per, runs, beta) * (np.nan_to_num(share) - mean_share)
        + (beta + 0.05) * mean_share
    )
    return frame


PANELS = {
    "H3": (panel_h3, fit_h3),
    "H4": (panel_h4, fit_h4),
    "H5": (panel_h5, fit_h5),
    "H6": (panel_h6, fit_h6),
    "H7": (panel_h7, fit_h7),
}
INFERENCE = ("bootstrap", "wald")


def one_rep(args) -> list[dict]:
    claim, scenario, seed = args
    rng = np.random.default_rng(seed)
    planted = truth(claim, scenario)
    simulate, fit = PANELS[claim]
    frame = simulate(rng, planted)
    out = []
    for inference in INFERENCE:
        rows = fit(frame, inference=inference).set_index("term")
        for term, value in planted.items():
            r = rows.loc[term]
            out.append(
                {
                    "claim": claim,
                    "scenario": scenario,
                    "term": term,
                    "inference": inference,
                    "truth": value,
                    "estimate": r["estimate"],
                    "ci_low": r["ci_low"],
                    "ci_high": r["ci_high"],
                    "p_value": r["p_value"],
                    "model": r["model"],
                    "n_athletes": r["n_athletes"],
                }
            )
    return out


def summarise(res: pd.DataFrame) -> pd.DataFrame:
    out = []
    for (claim, scen, term, inf), g in res.groupby(["claim", "scenario", "term", "inference"], sort=False):
        n, t = len(g), g["truth"].iloc[0]
        ok = g["estimate"].notna()
        err = g.loc[ok, "estimate"] - t
        cover = ((g["ci_low"] <= t) & (t <= g["ci_high"])).mean()
        reject = (g["p_value"] < 0.05).mean()
        out.append(
            {
                "claim": claim,
                "scenario": scen,
                "term": term,
                "inference": inf,
                "truth": t,
                "reps": n,
                "fitted": int(ok.sum()),
                "bias": err.mean(),
                "bias_mcse": err.std(ddof=1) / np.sqrt(ok.sum()),
                "bias_pct": 100 * err.mean() / abs(t) if t else np.nan,
                "rmse": np.sqrt((err**2).mean()),
                "coverage": cover,
                "cov_mcse": np.sqrt(cover * (1 - cover) / n),
                "reject_05": reject,
                "rej_mcse": np.sqrt(reject * (1 - reject) / n),
                "models": ", ".join(f"{k} {v}" for k, v in g["model"].value_counts().items()),
            }
        )
    return pd.DataFrame(out)


def main(argv=None) -> pd.DataFrame:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=200)
    ap.add_argument("--seed", type=int, default=20261125)
    ap.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    ap.add_argument("--claims", nargs="*", default=list(CLAIMS), choices=CLAIMS)
    ap.add_argument("--scenarios", nargs="*", default=list(SCENARIOS), choices=SCENARIOS)
    a = ap.parse_args(argv)
    seeds = np.random.SeedSequence(a.seed).generate_state(a.reps)
    jobs = [(c, s, int(seed)) for c in a.claims for s in a.scenarios for seed in seeds]
    t0 = time.perf_counter()
    rows = run_reps(one_rep, jobs, a.workers)
    table = summarise(pd.DataFrame(rows))
    with pd.option_context("display.width", 250, "display.max_columns", 30, "display.max_colwidth", 50):
        print(
            f"claims_recovery: {a.reps} reps x {a.claims} x {a.scenarios}, seed {a.seed}, {a.workers} worker(s), "
            f"{time.perf_counter() - t0:.0f} s"
        )
        print(
            "within-athlete terms; reject_05 = power (effect) or false-positive rate (null); *_mcse = Monte Carlo "
            "SE; bias_pct = bias / |truth|; targets: coverage 93-97 %, false positives <= 6 %, |bias| < 10 %"
        )
        print(table.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    return table


if __name__ == "__main__":
    main()
