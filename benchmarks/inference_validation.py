"""Does the primary inference hold on data that real athletes produce?  (issue 15, Validation)

For each world of :data:`VALIDATION` (trailstrength.simulate.scenarios: planted, null, season trend, AR(1) fitness
drift, outcome feedback, MNAR diary compliance, non-linear descent confounding, 8 and 6 athletes, one athlete x
40 weeks; 12 athletes x 16 weeks unless stated) the panel twin simulates cohorts and the primary models of
:mod:`trailstrength.models.primary` fit them as the package offers them:

* H1 and H2: ``fit_h1`` / ``fit_h2`` with ``version="v2"`` (DESIGN §8 v2: within-athlete season trend, 28-day
  descent as a natural spline, run distance, pre-run lifting and runs), or, where the package predates it, the v2
  covariates linearly with ``detrend=True`` (:func:`_model_options`; the printed header says which).
* inference: the fit's own (Wald z, or the OLS t of a single athlete), every method the fit's ``tests()`` offers
  (Satterthwaite, CR2... when models.mixed has them), and for H2 the athlete cluster bootstrap the package reports
  as H2's primary inference (:func:`trailstrength.models.primary.h2_bootstrap_inference`).
* negative control: the same models with ``upper_sets_28d`` (upper-body sets, no planted effect, lifted in the
  hinge sessions) as the exposure.

Printed per (world, hypothesis, inference): cohorts fitted, planted effect, mean estimate, bias (also as % of the
planted default effect: 0.012 DPI/set, -0.2 points/set), RMSE, 95 % CI coverage and the share with p < 0.05
(power where an effect is planted, false-positive rate where it is not).  Targets (issue 15): false positives
<= 6 %, coverage 93-97 %, |bias| < 10 % of the planted effect, negative control <= 6 %.  Worlds where the
scenario makes the effect unidentifiable are flagged ``unidentifiable`` (scenario_truth says why).

Rounds of one cohort per world run until ``--reps`` rounds or ``--minutes`` of wall time, whichever comes first;
the complete rounds count (the number is printed with the commit the run was at).  Run with one BLAS thread per
worker (``OPENBLAS_NUM_THREADS=1``): the matrices are small and threads only contend for the 2 cores.

``--primary-only`` fits what ``analyze`` fits (:func:`trailstrength.models.primary.primary_fit`, the n-of-1 model
for one athlete) with the package's chosen inference only (``PRIMARY_INFERENCE``, read from models.primary), and
the negative control as the package's sensitivity rows do (upper-body sets added to the v2 model): about 1-2
CPU-s per cohort instead of ~28.  ``--rows`` appends each cohort's rows (stamped with the commit and the load
average) as it finishes, and ``--from-rows`` tables the complete rounds of such a file.

Run:  python benchmarks/inference_validation.py [--minutes 25] [--reps 200] [--workers 2] [--quick] [--out FILE]
      [--rows FILE.csv] [--primary-only] [--from-rows FILE.csv]
"""

from __future__ import annotations

import argparse
import inspect
import os
import subprocess
import time
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
from _mc import finish_report, run_reps, run_until

from trailstrength.models.confounding import NEGATIVE_CONTROL
from trailstrength.models.personal import PERSONAL_MODEL
from trailstrength.models.primary import (
    BOOTSTRAP,
    PRIMARY_INFERENCE,
    PRIMARY_TERM,
    V2_H1_COVARIATES,
    V2_H2_COVARIATES,
    fit_h1,
    fit_h2,
    h2_bootstrap_inference,
    primary_fit,
)
from trailstrength.simulate import CohortDesign, PlantedEffects, panels_from_daily, simulate_daily
from trailstrength.simulate.scenarios import SCENARIOS, scenario_truth

VALIDATION = (
    "planted",
    "null",
    "season_trend",
    "ar1",
    "feedback",
    "mnar",
    "descent_nonlinear",
    "athletes_8",
    "athletes_6",
    "one_athlete_40w",
)
H1_COVARIATES = ("descent_100m_28d", "run_km_28d", "mean_descent_grade", "distance_km")
H2_COVARIATES = ("descent_100m", "descent_100m_28d", "hinge_sets_pre3d", "other_descent_100m_pre72h")
CONTROL = "upper_sets_28d"
PLANTED = PlantedEffects()
SCALE = {"H1": PLANTED.dpi_per_hinge_set, "H2": PLANTED.soreness_per_hinge_set}
DESIGN = CohortDesign(athletes=12, weeks=16)


def _model_options(fit) -> dict:
    """The v2 primary analysis as this package's fit_h1/fit_h2 offer it.

    ``version="v2"`` (DESIGN §8 v2: season trend, descent-exposure spline, distance, pre-run windows) when the
    function takes it; otherwise the v2 covariates that the panels carry, linearly, with ``detrend=True``.
    """
    accepted = inspect.signature(fit).parameters
    if "version" in accepted:
        return {"version": "v2"}
    covariates = H1_COVARIATES if fit is fit_h1 else H2_COVARIATES
    return {"covariates": covariates, "detrend": True}


def _rows(fit, hypothesis: str, label: str, truth: float, term: str) -> list[dict]:
    """One row per inference method for ``term`` of ``fit``."""
    eff = fit.effects.set_index("term")
    if term not in eff.index or not np.isfinite(eff.at[term, "estimate"]):
        return [{"hypothesis": label, "inference": "model", "truth": truth, "estimate": np.nan}]
    r = eff.loc[term]
    out = [dict(inference="model", estimate=r["estimate"], lo=r["ci_low"], hi=r["ci_high"], p=r["p_value"])]
    if hasattr(fit, "tests") and fit.model.startswith("mixedlm"):
        for method in ("satterthwaite", "kenward-roger", "cr2"):
            try:
                t = fit.tests(method).loc[term]
            except (KeyError, ValueError, np.linalg.LinAlgError):
                continue
            out.append(dict(inference=method, estimate=t["estimate"], lo=t["ci_low"], hi=t["ci_high"], p=t["p_value"]))
    return [{"hypothesis": label, "truth": truth, **o} for o in out]


def one_cohort(job: tuple) -> list[dict]:
    """Simulate world ``name`` with ``seed`` and fit H1, H2 and the negative controls."""
    name, seed = job
    scenario = SCENARIOS[name]
    daily = simulate_daily(DESIGN, seed=seed, scenario=scenario)
    h1, h2 = panels_from_daily(daily)
    effects = PlantedEffects.null() if scenario.null else PLANTED
    truth = scenario_truth(scenario, effects)
    rows = []
    f1 = fit_h1(h1, **_model_options(fit_h1))
    rows += _rows(f1, "H1", "H1", truth["H1"]["estimate"], PRIMARY_TERM)
    f2 = fit_h2(h2, **_model_options(fit_h2))
    rows += _rows(f2, "H2", "H2", truth["H2"]["estimate"], PRIMARY_TERM)
    if f2.model.startswith("mixedlm"):
        boot = h2_bootstrap_inference(f2.effects, h2, f2).set_index("term").loc[PRIMARY_TERM]
        est = {"estimate": boot["estimate"], "lo": boot["ci_low"], "hi": boot["ci_high"], "p": boot["p_value"]}
        rows.append({"hypothesis": "H2", "truth": truth["H2"]["estimate"], "inference": "cluster_bootstrap", **est})
    if scenario.null:
        c1 = fit_h1(h1, exposure=CONTROL, hypothesis="H1-NC", **_model_options(fit_h1))
        rows += _rows(c1, "H1", "H1 neg. control", 0.0, f"{CONTROL}_within")
        c2 = fit_h2(h2, exposure=CONTROL, hypothesis="H2-NC", **_model_options(fit_h2))
        rows += _rows(c2, "H2", "H2 neg. control", 0.0, f"{CONTROL}_within")
    for r in rows:
        r.update(world=name, seed=seed)
    return rows


def _primary_row(effects: pd.DataFrame, term: str, label: str, truth: float, inference: str) -> dict:
    """The row of ``term`` in a fit's effects as one benchmark row (estimate NaN when the term is missing)."""
    eff = effects.set_index("term")
    if term not in eff.index or not np.isfinite(eff.at[term, "estimate"]):
        return {"hypothesis": label, "inference": inference, "truth": truth, "estimate": np.nan}
    r = eff.loc[term]
    est = {"estimate": r["estimate"], "lo": r["ci_low"], "hi": r["ci_high"], "p": r["p_value"]}
    return {"hypothesis": label, "inference": inference, "truth": truth, **est}


def _negative_control(panel: pd.DataFrame, hypothesis: str) -> tuple[pd.DataFrame, str, str]:
    """The package's negative-control fit (as :func:`trailstrength.models.sensitivity.sensitivity_effects`: the v2
    primary model with upper-body sets added, within and between athletes; one athlete: the n-of-1 model with the
    sets added); (effects, the control's term, the fit's model)."""
    base = V2_H1_COVARIATES if hypothesis == "H1" else V2_H2_COVARIATES
    one = panel["athlete_id"].nunique() == 1
    extra = (NEGATIVE_CONTROL,) if one else (f"{NEGATIVE_CONTROL}_within", f"{NEGATIVE_CONTROL}_between")
    fit = primary_fit(panel, hypothesis, "v2", False, (*base, *extra))
    return fit.effects, extra[0], fit.model


def primary_cohort(job: tuple) -> list[dict]:
    """World ``name`` with ``seed``: H1, H2 (and in null worlds the negative controls) fitted as ``analyze`` fits
    them, with the package's primary inference only (:data:`~trailstrength.models.primary.PRIMARY_INFERENCE`;
    the n-of-1 model for one athlete), no Kenward-Roger and no bootstrap unless that is the primary inference."""
    name, seed = job
    scenario = SCENARIOS[name]
    h1, h2 = panels_from_daily(simulate_daily(DESIGN, seed=seed, scenario=scenario))
    truth = scenario_truth(scenario, PlantedEffects.null() if scenario.null else PLANTED)
    rows = []
    for hyp, panel in (("H1", h1), ("H2", h2)):
        fit = primary_fit(panel, hyp, "v2", False)
        personal = fit.model == PERSONAL_MODEL
        effects = fit.effects
        if not personal and PRIMARY_INFERENCE[hyp] == BOOTSTRAP:
            effects = h2_bootstrap_inference(effects, panel, fit)
        inference = "personal (n-of-1)" if personal else PRIMARY_INFERENCE[hyp]
        rows.append(_primary_row(effects, PRIMARY_TERM, hyp, truth[hyp]["estimate"], inference))
        if scenario.null:
            nc_effects, term, _ = _negative_control(panel, hyp)
            rows.append(_primary_row(nc_effects, term, f"{hyp} neg. control", 0.0, inference))
    for r in rows:
        r.update(world=name, seed=seed)
    return rows


def summarize(rows: pd.DataFrame) -> pd.DataFrame:
    """Bias, RMSE, coverage and rejection rate per (world, hypothesis, inference)."""
    out = []
    for (world, hyp, inf), g in rows.groupby(["world", "hypothesis", "inference"], sort=False):
        ok = g["estimate"].notna()
        est, truth = g.loc[ok, "estimate"], g.loc[ok, "truth"]
        scale = abs(SCALE[hyp[:2]])
        cover = ((g.loc[ok, "lo"] <= truth) & (truth <= g.loc[ok, "hi"])).mean()
        ident = scenario_truth(SCENARIOS[world], PLANTED)[hyp[:2]]["identifiable"] or "control" in hyp
        out.append(
            {
                "world": world,
                "term": hyp,
                "inference": inf,
                "n": int(ok.sum()),
                "truth": float(truth.mean()) if ok.any() else np.nan,
                "mean_est": float(est.mean()),
                "bias": float((est - truth).mean()),
                "bias_%": 100 * float((est - truth).mean()) / scale,
                "rmse": float(np.sqrt(((est - truth) ** 2).mean())),
                "coverage_%": 100 * float(cover),
                "p<.05_%": 100 * float((g.loc[ok, "p"] < 0.05).mean()),
                "reads_as": "power" if (truth != 0).any() else "false_pos",
                "identifiable": "yes" if ident else "NO",
            }
        )
    return pd.DataFrame(out)


def _commit() -> str:
    """The git commit the benchmark runs at (with ``+dirty`` when the tree has changes), or ``unknown``."""
    here = Path(__file__).resolve().parent
    try:
        head = subprocess.run(["git", "-C", str(here), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
        dirty = subprocess.run(["git", "-C", str(here), "status", "--porcelain"], capture_output=True, text=True)
    except OSError:
        return "unknown"
    return head.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "") if head.returncode == 0 else "unknown"


def _timed(one, job: tuple) -> list[dict]:
    """``one(job)`` with the CPU seconds the cohort took (this process) in every row's ``cpu_s``."""
    t0 = time.process_time()
    rows = one(job)
    cpu = time.process_time() - t0
    return [{**r, "cpu_s": cpu} for r in rows]


class _RowsFile:
    """Stamps each finished cohort's rows with the run's commit and the 1-minute load average at that moment
    (``commit``, ``load_1min``) and appends them to a CSV, so an interrupted run keeps its work."""

    def __init__(self, path: Path | None, commit: str):
        self.path, self.commit = path, commit
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.unlink(missing_ok=True)

    def __call__(self, index: int, rows: list[dict]) -> None:
        load = os.getloadavg()[0]
        for r in rows:
            r.update(commit=self.commit, load_1min=load)
        if self.path is not None and rows:
            pd.DataFrame(rows).to_csv(self.path, mode="a", header=not self.path.is_file(), index=False)


def _load_line(rows: pd.DataFrame) -> str:
    """The load the cohorts ran under (from the rows' ``load_1min``) and their CPU cost."""
    if "load_1min" in rows and rows["load_1min"].notna().any():
        load = rows.groupby(["world", "seed"])["load_1min"].first()
        text = (
            f"load (1-min average as cohorts finished): {load.min():.1f}-{load.max():.1f}, median {load.median():.1f}"
        )
    else:
        text = "load: not recorded"
    return f"{text}; {_cost_line(rows)}"


def complete_rounds(rows: pd.DataFrame, worlds: list[str]) -> tuple[pd.DataFrame, int]:
    """The rows of the longest run of complete rounds from seed 0 (every world has seeds 0 .. k-1), and k."""
    have = rows.groupby("world")["seed"].agg(set)
    rounds = 0
    while all(w in have.index and rounds in have[w] for w in worlds):
        rounds += 1
    keep = rows["world"].isin(worlds) & (rows["seed"] < rounds)
    return rows[keep].reset_index(drop=True), rounds


def read_rows(path: Path) -> pd.DataFrame:
    """Rows written by ``--rows`` ("null" is a world's name, not a missing value)."""
    return pd.read_csv(path, keep_default_na=False, na_values=[""])


def _run(one, worlds: list[str], reps: int, workers: int, minutes: float, rows_file: _RowsFile):
    """Rounds of one cohort per world (seeds 0, 1, ...) until ``reps`` rounds or ``minutes`` of wall time.

    Keeps the longest run of complete rounds from seed 0, so the stopping time cannot pick cohorts by how long
    their fits took.  Returns (rows, rounds kept).
    """
    jobs = [(w, s) for s in range(reps) for w in worlds]
    done = run_until(partial(_timed, one), jobs, workers, minutes * 60, every=10 * len(worlds), on_done=rows_file)
    rows = pd.DataFrame([r for i in sorted(done) for r in done[i]])
    return complete_rounds(rows, worlds)


def _models_line(primary_only: bool) -> str:
    if primary_only:
        return (
            f"models: primary_fit(version='v2') as analyze fits them, inference {PRIMARY_INFERENCE} "
            "(models.primary.PRIMARY_INFERENCE; one athlete: the n-of-1 GLS AR(1) model); negative control: the v2 "
            f"model with {NEGATIVE_CONTROL} within and between athletes added, as the package's sensitivity rows "
            "(null worlds)"
        )
    return (
        f"models: fit_h1 {_model_options(fit_h1)}, fit_h2 {_model_options(fit_h2)}; "
        f"negative control: the same with exposure {CONTROL} (null worlds)"
    )


def _cost_line(rows: pd.DataFrame) -> str:
    """Mean CPU seconds per cohort, overall and per world (from the rows' ``cpu_s``)."""
    if "cpu_s" not in rows:
        return "CPU per cohort: not recorded"
    per = rows.groupby(["world", "seed"], sort=False)["cpu_s"].first().groupby("world", sort=False).mean()
    each = ", ".join(f"{w} {c:.1f}" for w, c in per.items())
    return f"CPU per cohort (s, mean): {per.mean():.1f} over worlds; {each}"


def main(argv=None) -> pd.DataFrame:
    """Run the validation (see the module notes); print the table and return it."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=200, help="most cohorts per world")
    ap.add_argument("--minutes", type=float, default=25.0, help="wall-time budget; whole rounds done by then count")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--quick", action="store_true", help="3 cohorts of 3 worlds (smoke test)")
    ap.add_argument("--primary-only", action="store_true", help="only the package's primary inference per term")
    ap.add_argument("--worlds", nargs="*", default=list(VALIDATION))
    ap.add_argument("--out", type=Path, help="also write the printed table here")
    ap.add_argument("--rows", type=Path, help="write every cohort's rows here (CSV) as each cohort finishes")
    ap.add_argument(
        "--from-rows",
        type=Path,
        help="only summarise the complete rounds of a --rows CSV (with --primary-only if the run had it)",
    )
    args = ap.parse_args(argv)
    worlds = ["planted", "null", "one_athlete_40w"] if args.quick else args.worlds
    one = primary_cohort if args.primary_only else one_cohort
    commit, t1 = _commit(), time.perf_counter()  # the code the workers run: read before anything can change it
    rows_file = _RowsFile(None if args.from_rows else args.rows, commit)
    if args.from_rows:
        rows, reps = complete_rounds(read_rows(args.from_rows), worlds)
        ran = sorted(set(rows["commit"].astype(str))) if "commit" in rows else ["not recorded"]
        run = f"summarised from {args.from_rows.name} (cohorts run at {', '.join(ran)}) at commit {commit}"
    elif args.quick:
        reps = 3
        jobs = [(w, s) for s in range(reps) for w in worlds]
        rows = pd.DataFrame(run_reps(partial(_timed, one), jobs, args.workers))
        if args.rows:
            rows.to_csv(args.rows, index=False)
        run = f"quick, commit {commit}"
    else:
        rows, reps = _run(one, worlds, args.reps, args.workers, args.minutes, rows_file)
        minutes = (time.perf_counter() - t1) / 60
        run = f"run {minutes:.1f} min (budget {args.minutes:g} min, at most {args.reps}), commit {commit}"
    table = summarize(rows)
    lines = [
        f"inference_validation{' --primary-only' if args.primary_only else ''}: {reps} cohorts per world "
        f"({len(worlds)} worlds, {DESIGN.athletes} athletes x {DESIGN.weeks} weeks unless the world says), "
        f"{args.workers} workers, {run}",
        _load_line(rows),
        _models_line(args.primary_only),
        "bias_% is of the planted default effect (H1 0.012 DPI/set, H2 -0.2 points/set); p<.05_% is power where "
        "truth != 0, the false-positive rate where truth = 0",
        "",
        table.to_string(index=False, float_format=lambda x: f"{x:.4g}"),
        "",
        "Unidentifiable (scenario_truth):",
    ]
    for w in worlds:
        for hyp, t in scenario_truth(SCENARIOS[w], PLANTED).items():
            if not t["identifiable"]:
                lines.append(f"  {w} {hyp}: {t['why']}")
    finish_report(lines, table, args.out)
    return table


if __name__ == "__main__":
    main()
