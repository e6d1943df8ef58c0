"""Which CI and p should the v2 primary rows report?  And what biases H2 under non-linear descent?  (issue 15)

Three measurements on the panel twin's validation worlds (:data:`trailstrength.simulate.scenarios.SCENARIOS`,
12 athletes x 16 weeks unless the world says; cohort ``s`` of every world is simulated with seed ``s``):

``choice`` (default)
    The v2 primary fits (``fit_h1`` / ``fit_h2`` with ``version="v2"``: season trend, descent splines, random
    slope only by the LRT) of H1 and H2, each tested with every inference the fit offers (Wald z, Satterthwaite,
    Kenward-Roger, CR2 with Bell-McCaffrey df) and for H2 also the athlete cluster bootstrap; per (world,
    hypothesis, inference): bias, coverage of the 95 % CI and the share with p < 0.05 (the false-positive rate
    in null worlds), plus ``no_ci_%``, the share of cohorts whose interval could not be computed (a df of NaN
    when a variance sits on the boundary; counted as not covering and not rejecting).
``one-athlete``
    The one-athlete x 40-week null world through :func:`trailstrength.models.primary.primary_fit` (what
    ``analyze`` fits for one athlete: the n-of-1 model, GLS with AR(1) errors), the same regression with
    Newey-West HAC standard errors, and the plain OLS that ``fit_h1`` / ``fit_h2`` fit for one athlete.
``h2-descent``
    H2's primary estimate in the ``descent_nonlinear`` world (null; descent co-varying with the programme and
    acting non-linearly) and in its two halves (``descent_programme``: the co-variation with linear effects;
    ``descent_nonlinear_only``: the non-linear effects alone) under model variants: the 28-day descent alone as a
    spline (before), the run's own descent as a spline too (v2 now), the pre-run runs' descent splined as well,
    the post-run covariates added (the post-run sensitivity model), v2 on the clean-window runs only, and v2 with
    the soreness the other runs' descent adds on each day of the window (an oracle from the twin,
    :func:`other_runs_soreness`); with the within-athlete correlation of the hinge dose with the run's, the pre-run
    and the post-run descent.

Run:  cd benchmarks && python primary_inference.py [choice|one-athlete|h2-descent] [--reps 100] [--workers 2]
          [--worlds ...] [--rows FOLDER] [--summarize] [--out FILE]
(``--rows`` keeps each cohort's rows, so an interrupted run resumes and ``--summarize`` tables what is there.)
"""

from __future__ import annotations

import argparse
import time
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
from _mc import finish_report, run_reps
from inference_validation import PLANTED, summarize
from scipy import stats
from statsmodels.regression.linear_model import OLS

import trailstrength.models.primary as primary
from trailstrength.features.exposures import trailing_sum
from trailstrength.models.personal import newey_west_lags
from trailstrength.models.primary import PRIMARY_TERM, fit_h1, fit_h2, h2_bootstrap_inference, primary_fit
from trailstrength.models.smallsample import t_test_row
from trailstrength.simulate import CohortDesign, PlantedEffects, panels_from_daily, simulate_daily
from trailstrength.simulate.daily import DESCENT_RESPONSE_LAGS, DESCENT_RESPONSE_MIN_M
from trailstrength.simulate.scenarios import SCENARIOS, descent_terms, scenario_truth

CHOICE_WORLDS = ("planted", "null", "season_trend", "ar1", "feedback", "athletes_8", "athletes_6")
METHODS = ("wald", "satterthwaite", "kenward-roger", "cr2")
DESIGN = CohortDesign(athletes=12, weeks=16)


def _cohort(name: str, seed: int):
    scenario = SCENARIOS[name]
    h1, h2 = panels_from_daily(simulate_daily(DESIGN, seed=seed, scenario=scenario))
    truth = scenario_truth(scenario, PlantedEffects.null() if scenario.null else PLANTED)
    return h1, h2, truth


def _row(hypothesis: str, inference: str, truth: float, test) -> dict:
    return {
        "hypothesis": hypothesis,
        "inference": inference,
        "truth": truth,
        "estimate": test["estimate"],
        "lo": test["ci_low"],
        "hi": test["ci_high"],
        "p": test["p_value"],
    }


def choice_cohort(job: tuple) -> list[dict]:
    """H1 and H2 v2 fits of one cohort, tested with every inference method."""
    name, seed = job
    h1, h2, truth = _cohort(name, seed)
    rows = []
    for hyp, fit in (
        ("H1", fit_h1(h1, version="v2", inference="wald")),
        ("H2", fit_h2(h2, version="v2", inference="wald")),
    ):
        if fit.result is None or PRIMARY_TERM not in fit.tests("wald").index:
            rows.append({"hypothesis": hyp, "inference": "wald", "truth": truth[hyp]["estimate"], "estimate": np.nan})
            continue
        for method in METHODS:
            rows.append(_row(hyp, method, truth[hyp]["estimate"], fit.tests(method).loc[PRIMARY_TERM]))
        if hyp == "H2":
            boot = h2_bootstrap_inference(fit.effects, h2, fit).set_index("term").loc[PRIMARY_TERM]
            rows.append(_row(hyp, "cluster_bootstrap", truth[hyp]["estimate"], boot))
        rows[-1]["model"] = fit.model
    for r in rows:
        r.update(world=name, seed=seed)
    return rows


def one_athlete_cohort(job: tuple) -> list[dict]:
    """One athlete's 40-week null season: the personal model ``analyze`` fits (GLS AR(1)), the same regression
    with Newey-West HAC standard errors, and the plain OLS that fit_h1 / fit_h2 fall back to."""
    name, seed = job
    h1, h2, truth = _cohort(name, seed)
    rows = []
    for hyp, panel in (("H1", h1), ("H2", h2)):
        fit = primary_fit(panel, hyp, "v2", False)
        rows.append(_row(hyp, "personal (analyze)", truth[hyp]["estimate"], fit.tests().loc[PRIMARY_TERM]))
        x, y = fit.result.model.exog, fit.result.model.endog
        names = list(fit.result.model.exog_names)
        hac = OLS(y, x).fit(cov_type="HAC", cov_kwds={"maxlags": newey_west_lags(len(y))})
        k = names.index(PRIMARY_TERM)
        test = t_test_row(float(hac.params[k]), float(hac.bse[k]), float(hac.df_resid), 0.95)
        rows.append(_row(hyp, "Newey-West HAC", truth[hyp]["estimate"], test))
        ols = (fit_h1 if hyp == "H1" else fit_h2)(panel, version="v2", inference="wald")
        rows.append(_row(hyp, "plain OLS", truth[hyp]["estimate"], ols.effects.set_index("term").loc[PRIMARY_TERM]))
    for r in rows:
        r.update(world=name, seed=seed)
    return rows


H2_VARIANTS = {
    "before: 28-day descent spline only": (("descent_100m_28d",), None, False),
    "v2: + run's descent spline": (("descent_100m_28d", "descent_100m"), None, False),
    "v2 + pre-run runs' descent spline": (
        ("descent_100m_28d", "descent_100m", "other_descent_100m_pre72h"),
        None,
        False,
    ),
    "v2 + post-run lifting and runs": (("descent_100m_28d", "descent_100m"), primary.H2_POST_RUN_COVARIATES, False),
    "v2 on clean-window runs": (("descent_100m_28d", "descent_100m"), None, True),
    "v2 + other runs' true soreness by day (oracle)": (
        ("descent_100m_28d", "descent_100m"),
        (*primary.V2_H2_COVARIATES, *(f"others_d{lag}" for lag, _ in DESCENT_RESPONSE_LAGS)),
        False,
    ),
}
#: Within-athlete correlations of the 28-day hinge dose with the descents of the H2 window, per cohort.
WINDOW_DESCENTS = {
    "r_run": "descent_100m",
    "r_pre72h": "other_descent_100m_pre72h",
    "r_post72h": "other_descent_100m_72h",
}


def _within_corr(panel: pd.DataFrame, a: str, b: str) -> float:
    """Correlation of ``a`` and ``b`` after removing each athlete's mean (NaN when either does not vary)."""
    dm = panel[[a, b]] - panel.groupby("athlete_id")[[a, b]].transform("mean")
    return float(dm[a].corr(dm[b]))


def other_runs_soreness(daily: pd.DataFrame, scenario, effects) -> pd.DataFrame:
    """Per athlete-day: ``others_d1`` .. ``others_d3``, the soreness (points) the twin adds on days d+1 .. d+3 from
    the descent of runs *other* than day d's (their lagged, thresholded and, in a non-linear world, non-linear
    response; simulate/daily.py).  An oracle no real panel has: it says which part of the 72-h peak biases H2."""
    parts = []
    for aid, g in daily.groupby("athlete_id", sort=False):
        g = g.sort_values("local_date")
        descent = g["descent_m"].to_numpy(float)
        descent_28d = np.nan_to_num(trailing_sum(descent, 28), nan=0.0) / (28 / 7.0) / 100.0  # as the twin
        terms = descent_terms(scenario, effects, descent, descent_28d)
        response = np.where(
            g["run"].to_numpy(bool) & (descent > DESCENT_RESPONSE_MIN_M), terms["run"] + terms["bout"], 0
        )
        total = np.zeros(len(g))
        for lag, w in DESCENT_RESPONSE_LAGS:
            total[lag:] += w * response[:-lag]
        out = {"athlete_id": aid, "local_date": g["local_date"].to_numpy()}
        for lag, w in DESCENT_RESPONSE_LAGS:
            out[f"others_d{lag}"] = np.r_[total[lag:], np.full(lag, np.nan)] - w * response
        parts.append(pd.DataFrame(out))
    return pd.concat(parts, ignore_index=True)


def h2_descent_cohort(job: tuple) -> list[dict]:
    """H2's estimate in one cohort under each of :data:`H2_VARIANTS` (Wald: only the estimate is compared), with
    the within-athlete correlations of :data:`WINDOW_DESCENTS` on every row."""
    name, seed = job
    scenario = SCENARIOS[name]
    effects = PlantedEffects.null() if scenario.null else PLANTED
    daily = simulate_daily(DESIGN, seed=seed, scenario=scenario)
    _, h2 = panels_from_daily(daily)
    h2 = h2.merge(other_runs_soreness(daily, scenario, effects), on=["athlete_id", "local_date"], how="left")
    truth = scenario_truth(scenario, effects)
    rows = []
    kept = primary.SPLINE_COLUMNS
    try:
        for label, (columns, covariates, clean) in H2_VARIANTS.items():
            primary.SPLINE_COLUMNS = columns
            panel = h2[h2["clean_window"].astype(bool)] if clean else h2
            fit = fit_h2(panel, version="v2", covariates=covariates, inference="wald")
            rows.append(_row("H2", label, truth["H2"]["estimate"], fit.effects.set_index("term").loc[PRIMARY_TERM]))
    finally:
        primary.SPLINE_COLUMNS = kept
    corr = {k: _within_corr(h2, "hinge_sets_28d", c) for k, c in WINDOW_DESCENTS.items()}
    for r in rows:
        r.update(world=name, seed=seed, **corr)
    return rows


MODES = {
    "choice": (choice_cohort, CHOICE_WORLDS),
    "one-athlete": (one_athlete_cohort, ("one_athlete_40w",)),
    "h2-descent": (h2_descent_cohort, ("descent_nonlinear", "descent_programme", "descent_nonlinear_only")),
}


def _saving(one, folder: Path | None):
    """``one`` that also writes each cohort's rows to ``folder/<world>_<seed>.csv`` (a partial run stays usable)."""
    if folder is None:
        return one
    folder.mkdir(parents=True, exist_ok=True)
    return partial(_save_rows, one, folder)


def _read_rows(path: Path) -> pd.DataFrame:
    """A cohort's saved rows ("null" is a world's name, not a missing value)."""
    return pd.read_csv(path, keep_default_na=False, na_values=[""])


def _save_rows(one, folder: Path, job: tuple) -> list[dict]:
    path = folder / f"{job[0]}_{job[1]}.csv"
    if path.is_file():  # a rerun into the same folder resumes
        return _read_rows(path).to_dict("records")
    rows = one(job)
    pd.DataFrame(rows).to_csv(path, index=False)
    return rows


def _null_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """Rows of the null worlds where the primary effect is identifiable (the false-positive worlds)."""
    null = [w for w in rows["world"].unique() if SCENARIOS[w].null]
    return rows[rows["world"].isin(null)]


def _pooled_null(rows: pd.DataFrame) -> pd.DataFrame:
    """:func:`summarize` over every null world's cohorts at once (world ``"all null"``)."""
    null = _null_rows(rows)
    if null["world"].nunique() < 2:
        return pd.DataFrame()
    pooled = summarize(null.assign(world=null["world"].iloc[0]))
    return pooled.assign(world="all null", **{"no_ci_%": np.nan})


def _z2(rows: pd.DataFrame, world: str, hypothesis: str, inference: str) -> float:
    r"""Mean squared normal score of the p-values, :math:`\overline{\Phi^{-1}(1 - p/2)^2}`: 1 when a null world's
    p-values are calibrated, above 1 when intervals are too narrow; a finer measure than the 5 % rejection count
    with few cohorts (its SE is about :math:`\sqrt{2/n}`).  NaN in worlds with an effect."""
    pick = _null_rows(rows) if world == "all null" else rows[rows["world"] == world]
    if world != "all null" and not SCENARIOS[world].null:
        return np.nan
    p = pick.loc[(pick["hypothesis"] == hypothesis) & (pick["inference"] == inference), "p"].dropna()
    return float(np.mean(stats.norm.isf(np.clip(p, 1e-300, 1) / 2) ** 2)) if len(p) else np.nan


def main(argv=None) -> pd.DataFrame:
    """Run one mode (see the module notes); print the table and return it."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("mode", nargs="?", default="choice", choices=list(MODES))
    ap.add_argument("--reps", type=int, default=100, help="cohorts per world (seeds 0 .. reps-1)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--worlds", nargs="*", help="default: the mode's worlds")
    ap.add_argument("--rows", type=Path, help="folder for each cohort's rows (resumes; --summarize reads it)")
    ap.add_argument("--summarize", action="store_true", help="only summarise the cohorts already in --rows")
    ap.add_argument("--out", type=Path, help="also write the printed text here")
    args = ap.parse_args(argv)
    one, worlds = MODES[args.mode]
    worlds = args.worlds or list(worlds)
    t0 = time.perf_counter()
    if args.summarize:
        files = [f for w in worlds for f in sorted(args.rows.glob(f"{w}_*.csv"))]
        rows = pd.concat([_read_rows(f) for f in files], ignore_index=True)
    else:
        jobs = [(w, s) for s in range(args.reps) for w in worlds]
        rows = pd.DataFrame(run_reps(_saving(one, args.rows), jobs, args.workers))
    elapsed = time.perf_counter() - t0
    table = summarize(rows)
    no_ci = rows.groupby(["world", "hypothesis", "inference"], sort=False).apply(
        lambda g: 100 * float((g["estimate"].notna() & ~(np.isfinite(g["lo"]) & np.isfinite(g["hi"]))).mean())
    )
    table["no_ci_%"] = [no_ci.get(k, np.nan) for k in zip(table["world"], table["term"], table["inference"])]
    table = pd.concat([table, _pooled_null(rows)], ignore_index=True)
    table["z2"] = [_z2(rows, w, h, i) for w, h, i in zip(table["world"], table["term"], table["inference"])]
    seeds = rows.groupby("world")["seed"].agg(["min", "max", "nunique"])
    cohorts = "; ".join(f"{w}: {r['nunique']} (seeds {r['min']}-{r['max']})" for w, r in seeds.iterrows())
    lines = [
        f"primary_inference {args.mode}: cohorts per world {cohorts}; {DESIGN.athletes} athletes x "
        f"{DESIGN.weeks} weeks unless the world says; {args.workers} workers, {elapsed / 60:.1f} min",
        "bias_% is of the planted default effect (H1 0.012 DPI/set, H2 -0.2 points/set); p<.05_% is power where "
        "truth != 0, the false-positive rate where truth = 0; no_ci_%: no interval (counted as a miss); z2: mean "
        "squared normal score of p in null worlds (1 = calibrated, SE ~ sqrt(2/n)); 'all null' pools the null worlds",
        "",
        table.to_string(index=False, float_format=lambda x: f"{x:.4g}"),
    ]
    if args.mode == "h2-descent":
        corr = rows.groupby(["world", "seed"])[list(WINDOW_DESCENTS)].first().groupby("world").mean()
        lines += [
            "",
            "Within-athlete correlation of hinge_sets_28d with the window's descents (mean over cohorts): r_run the "
            "run's own, r_pre72h other runs in the 72 h before, r_post72h other runs in the 72 h after",
            corr.to_string(float_format=lambda x: f"{x:.3f}"),
        ]
    finish_report(lines, table, args.out)
    return table


if __name__ == "__main__":
    main()
