"""Monte Carlo check of the primary H1/H2 models: bias, RMSE, CI coverage, error rates.

Simulates panels with a known within-athlete effect of ``hinge_sets_28d``, with between-athlete confounding and
unbalanced runs per athlete, fits them with :func:`trailstrength.models.fit_h1` / :func:`fit_h2` exactly as the
pipeline does, and prints, per hypothesis, scenario and interval method: bias (also as % of the effect), RMSE,
95 % CI coverage and rejection rate at alpha = 0.05 (power, or false-positive rate under the null), each with its
Monte Carlo standard error, and which model the fallback chain ended on.

Scenarios (issue 7):

* ``effect`` / ``null``: 12-20 athletes, planted within-athlete effect or none.  Targets: coverage 93-97 %,
  false-positive rate <= 6 %, |bias| < 10 % of the effect.
* ``confounded``: hinge volume rises with downhill running inside athletes (a training block adds both), and
  downhill running itself moves the outcome.  The pre-registered model adjusts for ``descent_100m_28d`` and must
  stay unbiased; the ``naive`` row drops that covariate and must not.
* ``trend`` (H1 only): runs spread over a 20-week season in which the hinge programme progresses (+0.25 weekly
  sets per week) while fitness builds (+0.004 DPI per week) unmeasured; the pre-registered model credits the
  season to the hinge work, the ``detrended`` row (``fit_h1(..., detrend=True)``) must not;
* ``few``: 8 athletes whose responses to hinge volume differ (athlete-specific slopes, SD about 1.5x the mean
  effect).  Wald intervals ignore part of that and under-cover; the athlete cluster bootstrap
  (:func:`trailstrength.models.bootstrap.cluster_bootstrap`, GLS engine, 999 replicates) is shown with its three
  interval types (``boot_t_se`` is the default).

H2 rows come twice: ``wald`` (the mixed model's own CI) and ``primary_boot`` (what
:func:`trailstrength.models.fit_primary` reports: the same estimate with the athlete cluster bootstrap CI and p).
Because soreness is reported in whole points clipped to 0-10, a linear model of the report recovers the planted
latent effect only where no report sits at the floor; ``truth_rep``, ``bias_rep_pct`` and ``coverage_rep``
compare H2 with the effect on the reported scale: the same model fitted to the panel's noise-free expected
reports (:func:`expected_report`), i.e. the coefficient the model converges to on the reported scale.

The data-generating model differs on purpose from the one in tests/test_models.py: unbalanced panels, soreness
rounded to whole points and clipped to 0-10, and a small true random slope in H1.

Run::

    PYTHONPATH=src python benchmarks/model_recovery.py            # 200 reps per scenario, ~10 min on 2 cores
    PYTHONPATH=src python benchmarks/model_recovery.py --reps 50 --workers 1
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
import pandas as pd
from _mc import run_reps
from scipy import stats

from trailstrength.models import fit_h1, fit_h2
from trailstrength.models.bootstrap import cluster_bootstrap
from trailstrength.models.primary import h2_bootstrap_inference

TRUTH = {"H1": 0.008, "H2": -0.15}  # dpi / soreness points per weekly hinge set (within)
CONFOUNDING = {"H1": 0.04, "H2": -0.6}  # added to the between-athlete slope
SCENARIOS = ("effect", "null", "confounded", "few", "trend")
#: (athletes low, high), within-athlete slope SD, within-athlete rise of descent exposure per weekly hinge set
SETUP = {
    "effect": ((12, 20), {"H1": 0.004, "H2": 0.0}, 0.8),
    "null": ((12, 20), {"H1": 0.004, "H2": 0.0}, 0.8),
    "confounded": ((12, 20), {"H1": 0.004, "H2": 0.0}, 2.5),
    "few": ((8, 8), {"H1": 0.012, "H2": 0.2}, 0.8),
    "trend": ((12, 20), {"H1": 0.004, "H2": 0.0}, 0.8),
}
SEASON_WEEKS = 20
HINGE_RISE_PER_WEEK = 0.25  # trend scenario: weekly hinge sets added per week of the season (progressive plan)
FITNESS_PER_WEEK = 0.004  # trend scenario: DPI gained per week of the season, not measured by any covariate
BOOT_CIS = ("t_boot_se", "percentile", "studentized")


def _athletes(rng, n_range, runs_lo, runs_hi):
    n_athletes = int(rng.integers(n_range[0], n_range[1] + 1))
    runs = rng.integers(runs_lo, runs_hi + 1, n_athletes)
    athlete = np.repeat([f"a{i:02d}" for i in range(n_athletes)], runs)
    return n_athletes, runs, athlete


def simulate_h1(rng, beta_within, n_range=(12, 20), slope_sd=0.004, descent_rise=0.8):
    n_athletes, runs, athlete = _athletes(rng, n_range, 8, 40)
    n = len(athlete)
    per = lambda values: np.repeat(values, runs)  # noqa: E731 - athlete-level to run-level
    mean_hinge = per(rng.gamma(4, 0.8, n_athletes))  # right-skewed, like real volumes
    hinge = np.clip(mean_hinge + rng.normal(0, 1.0, n), 0, None)
    descent = per(rng.uniform(4, 16, n_athletes)) + descent_rise * (hinge - mean_hinge) + rng.normal(0, 2, n)
    km = per(rng.uniform(25, 70, n_athletes)) + rng.normal(0, 6, n)
    grade = rng.uniform(-0.3, -0.04, n)
    duration = rng.gamma(4, 0.6, n)
    slope_dev = per(rng.normal(0, slope_sd, n_athletes))  # athletes respond differently
    dpi = (
        1.0
        + (beta_within + slope_dev) * (hinge - mean_hinge)
        + (beta_within + CONFOUNDING["H1"]) * mean_hinge
        + 0.01 * descent
        + 0.002 * km
        - 0.5 * grade
        - 0.02 * duration
        + per(rng.normal(0, 0.08, n_athletes))
        + rng.normal(0, 0.05, n)
    )
    return pd.DataFrame(
        {
            "athlete_id": athlete,
            "dpi": dpi,
            "hinge_sets_28d": hinge,
            "descent_100m_28d": descent,
            "run_km_28d": km,
            "mean_descent_grade": grade,
            "duration_h": duration,
        }
    )


def simulate_h2(rng, beta_within, n_range=(12, 20), slope_sd=0.0, descent_rise=0.8):
    n_athletes, runs, athlete = _athletes(rng, n_range, 5, 20)
    n = len(athlete)
    per = lambda values: np.repeat(values, runs)  # noqa: E731
    mean_hinge = per(rng.gamma(3, 1.0, n_athletes))
    hinge = np.clip(mean_hinge + rng.normal(0, 1.2, n), 0, None)
    descent = rng.uniform(5, 20, n)
    descent_28d = per(rng.uniform(4, 16, n_athletes)) + descent_rise * (hinge - mean_hinge) + rng.normal(0, 2, n)
    acute = rng.poisson(np.clip(hinge, 0.1, None) / 2)
    other = rng.exponential(2, n)
    slope_dev = per(rng.normal(0, slope_sd, n_athletes))
    latent = (
        3.0
        + 0.2 * descent
        + (beta_within + slope_dev) * (hinge - mean_hinge)
        + (beta_within + CONFOUNDING["H2"]) * mean_hinge
        - 0.08 * descent_28d
        + 0.15 * acute
        + 0.1 * other
        + per(rng.normal(0, 1.0, n_athletes))
    )  # the mean given the athlete; the residual is added below
    residual_sd = 1.0
    noise = rng.normal(0, residual_sd, n)
    soreness = np.clip(np.round(latent + noise), 0, 10)  # diaries record whole points
    panel = pd.DataFrame(
        {
            "athlete_id": athlete,
            "soreness_peak_72h": soreness,
            "descent_100m": descent,
            "hinge_sets_28d": hinge,
            "descent_100m_28d": descent_28d,
            "hinge_sets_acute": acute.astype(float),
            "other_descent_100m_72h": other,
        }
    )
    panel.attrs["expected_report"] = expected_report(latent, residual_sd)
    return panel


def expected_report(mean: np.ndarray, sd: float) -> np.ndarray:
    r"""Expected *reported* (rounded, clipped 0–10) score of each row given its latent mean.

    A report is :math:`Y = \min(10, \max(0, \mathrm{round}(\mu + e)))`, :math:`e \sim N(0, \sigma^2)`, i.e. the
    number of thresholds :math:`0.5, 1.5, \dots, 9.5` that :math:`\mu + e` exceeds, so
    :math:`E[Y \mid \mu] = \sum_{k=0}^{9} \Phi((\mu - k - 0.5)/\sigma)`.  The H2 model fitted to these
    noise-free expected reports gives the coefficient it estimates from the noisy ones (the reported-scale
    truth): near the floor at 0 it is smaller in size than the latent effect.
    """
    return stats.norm.cdf((mean[:, None] - (np.arange(10) + 0.5)[None, :]) / sd).sum(axis=1)


def _row(hyp, scenario, estimator, beta, r, model=None, reported=np.nan):
    return {
        "hypothesis": hyp,
        "scenario": scenario,
        "estimator": estimator,
        "truth": beta,
        "truth_reported": reported,
        "estimate": r["estimate"],
        "ci_low": r["ci_low"],
        "ci_high": r["ci_high"],
        "p_value": r["p_value"],
        "model": model or r["model"],
        "n_athletes": r["n_athletes"],
        "n_obs": r["n_obs"],
    }


def add_season(rng, panel: pd.DataFrame, beta: float) -> pd.DataFrame:
    """Spread each athlete's runs over a season; hinge volume and (unmeasured) fitness both rise with it (H1)."""
    out = panel.copy()
    day = rng.uniform(0, 7 * SEASON_WEEKS, len(out))
    out["local_date"] = pd.Timestamp("2025-03-03") + pd.to_timedelta(np.floor(day), unit="D")
    weeks = np.floor(day) / 7.0
    added = (
        np.clip(out["hinge_sets_28d"] + HINGE_RISE_PER_WEEK * (weeks - SEASON_WEEKS / 2), 0, None)
        - out["hinge_sets_28d"]
    )
    out["hinge_sets_28d"] += added
    out["dpi"] += beta * added + FITNESS_PER_WEEK * weeks
    return out


def one_rep(args):
    hyp, scenario, seed = args
    if scenario == "trend" and hyp != "H1":
        return []
    rng = np.random.default_rng(seed)
    beta = 0.0 if scenario == "null" else TRUTH[hyp]
    n_range, slope_sd, rise = SETUP[scenario]
    sim, fit = (simulate_h1, fit_h1) if hyp == "H1" else (simulate_h2, fit_h2)
    panel = sim(rng, beta, n_range, slope_sd[hyp], rise)
    if scenario == "trend":
        panel = add_season(rng, panel, beta)
    original = fit(panel)
    r = original.effects.loc[original.effects["primary"]].iloc[0]
    reported = np.nan
    if "expected_report" in panel.attrs:  # the same model on the noise-free expected reports
        exact = fit(panel.assign(soreness_peak_72h=panel.attrs["expected_report"])).effects
        reported = float(exact.loc[exact["primary"], "estimate"].iloc[0])
    rows = [_row(hyp, scenario, "wald", beta, r, reported=reported)]
    if hyp == "H2":  # what fit_primary reports for H2: the same estimate, cluster-bootstrap CI and p
        boot = h2_bootstrap_inference(original.effects, panel, original)
        rows.append(_row(hyp, scenario, "primary_boot", beta, boot.loc[boot["primary"]].iloc[0], reported=reported))
    if scenario == "confounded":  # the same model without the downhill-exposure covariate
        from trailstrength.models.primary import DEFAULT_H1_COVARIATES, DEFAULT_H2_COVARIATES

        covs = [c for c in (DEFAULT_H1_COVARIATES if hyp == "H1" else DEFAULT_H2_COVARIATES) if c != "descent_100m_28d"]
        naive = fit(panel, covariates=covs).effects
        rows.append(_row(hyp, scenario, "naive", beta, naive.loc[naive["primary"]].iloc[0]))
    if scenario == "trend":  # the same model with the within-athlete season trend (detrend=True)
        flat = fit(panel, detrend=True).effects
        rows.append(_row(hyp, scenario, "detrended", beta, flat.loc[flat["primary"]].iloc[0]))
    if scenario == "few":
        for ci in BOOT_CIS:
            b = cluster_bootstrap(
                panel, fit, engine="gls", ci=ci, n_boot=999, seed=seed, original=original, terms=[r["term"]]
            ).effects.iloc[0]
            rows.append(_row(hyp, scenario, f"boot_{ci}", beta, b, model=r["model"], reported=reported))
    return rows


def summarise(res: pd.DataFrame) -> pd.DataFrame:
    out = []
    for (hyp, scen, est), g in res.groupby(["hypothesis", "scenario", "estimator"], sort=False):
        n = len(g)
        truth = g["truth"].iloc[0]
        err = g["estimate"] - truth
        cover = ((g["ci_low"] <= truth) & (truth <= g["ci_high"])).mean()
        reject = (g["p_value"] < 0.05).mean()
        models = g["model"].value_counts()
        rep = g["truth_reported"].astype(float)
        rep_err = g["estimate"] - rep
        rep_cover = ((g["ci_low"] <= rep) & (rep <= g["ci_high"])).mean() if rep.notna().all() else np.nan
        out.append(
            {
                "hyp": hyp,
                "scenario": scen,
                "estimator": est,
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
                "truth_rep": rep.mean(),
                "bias_rep_pct": 100 * rep_err.mean() / abs(rep.mean()) if truth and rep.notna().all() else np.nan,
                "coverage_rep": rep_cover,
                "models": ", ".join(f"{k} {v}" for k, v in models.items()),
            }
        )
    return pd.DataFrame(out)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--scenarios", nargs="*", default=list(SCENARIOS), choices=SCENARIOS)
    parser.add_argument("--hypotheses", nargs="*", default=["H1", "H2"], choices=["H1", "H2"])
    args = parser.parse_args(argv)

    seeds = np.random.SeedSequence(args.seed).generate_state(args.reps)
    jobs = [(h, s, int(seed)) for h in args.hypotheses for s in args.scenarios for seed in seeds]
    t0 = time.perf_counter()
    rows = run_reps(one_rep, jobs, args.workers)
    elapsed = time.perf_counter() - t0
    res = pd.DataFrame(rows)
    table = summarise(res)
    with pd.option_context("display.width", 250, "display.max_columns", 30, "display.max_colwidth", 60):
        print(
            f"model_recovery: {args.reps} reps x {args.hypotheses} x {args.scenarios}, seed {args.seed}, "
            f"{args.workers} worker(s), {elapsed:.0f} s"
        )
        for scen, g in res.groupby("scenario", sort=False):
            print(
                f"  {scen}: athletes per panel {g['n_athletes'].min()}-{g['n_athletes'].max()}, "
                f"rows (runs) per panel {g['n_obs'].min()}-{g['n_obs'].max()}"
            )
        print(
            "within-athlete hinge_sets_28d coefficient; reject_05 = power (effect) or false-positive rate (null); "
            "*_mcse = Monte Carlo SE; bias_pct = bias / |truth|"
        )
        print(
            "H2 soreness is reported in whole points clipped to 0-10: truth_rep / bias_rep_pct / coverage_rep "
            "compare with the effect on that reported scale (the H2 model fitted to the noise-free expected "
            "reports, expected_report)"
        )
        print(table.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    return table


if __name__ == "__main__":
    main()
