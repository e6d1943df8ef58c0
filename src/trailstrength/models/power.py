r"""Power and minimal detectable effect of the primary models, by simulation.

For a planned cohort (athletes × weeks) :func:`simulate_power` simulates cohorts with the
generative model of :mod:`trailstrength.simulate` (via the fast day-by-day twin in
:mod:`trailstrength.simulate.panels`), plants a grid of within-athlete hinge effects,
fits the pre-registered H1 and H2 models and counts how often the primary term is
significant at :math:`\alpha`.  :func:`minimal_detectable_effect` reads off the smallest
planted effect with the target power.

Design choices, stated so the numbers can be judged:

* common random numbers: simulation ``s`` uses the same seed at every grid point, so the
  curve is smooth and monotone up to Monte Carlo error (only the planted effect differs);
  the exposure windows are therefore built once per seed and only the outcome columns are
  taken from each grid point's simulated days (:func:`_grid_panels`; the panels are exactly
  the ones built point by point, ``tests/test_power.py``);
* effect 0 is always in the grid: its rejection rate is the test's size (should be
  about :math:`\alpha`);
* each test is the one ``analyze`` reports: every simulated cohort goes through
  :func:`~trailstrength.models.primary.primary_effects` (what :func:`~trailstrength.models.primary.fit_primary`
  fits, DESIGN §8 v2 by default): the same covariates, season trend and descent splines, the random slope kept
  only by its likelihood-ratio test, and the same inference (:data:`~trailstrength.models.primary.PRIMARY_INFERENCE`:
  H1 Satterthwaite, H2 CR2), so the curves describe the test users actually get (``tests/test_power.py`` checks
  that one cohort fitted both ways gives the same estimate and p);
* speed: the MixedLM fits use :class:`~trailstrength.models.fast_mixedlm.FastMixedLM` (statsmodels' optimiser on
  the same likelihood computed from per-athlete sums), a seed's grid points share one set of random draws
  (:func:`~trailstrength.simulate.daily.simulate_daily_grid`) and its exposure windows are built once.  The v2 path
  fits five MixedLM models per H1 cohort (the slope test) where the v1 path fitted one: with 2 workers on a shared
  machine (load average 9-12) 6 cohorts of the defaults took 44.9 s, the v1 path 33.2 s and this path with plain
  statsmodels MixedLM 80.8 s, about 25 minutes extrapolated to the default 200 cohorts
  (``benchmarks/bench_power.py``, benchmarks/results/bench_power.txt);
* everything else (exposure schedule, run frequency, soreness process, rounding, report
  rate, DPI measurement noise) is as in :class:`~trailstrength.simulate.panels.CohortDesign`
  and :class:`~trailstrength.simulate.PlantedEffects`.  Power depends on them: change
  them to match your cohort.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace

import numpy as np
import pandas as pd

from trailstrength.models.primary import PRIMARY_TERM, VERSIONS, primary_effects
from trailstrength.models.units import PRIMARY_EFFECT_UNITS
from trailstrength.progress import track
from trailstrength.simulate import CohortDesign, PlantedEffects, panels_from_daily
from trailstrength.simulate.daily import simulate_daily_grid

__all__ = ["DEFAULT_GRID", "POWER_COLUMNS", "minimal_detectable_effect", "simulate_power"]

#: Default planted within-athlete effects per weekly hinge set.
DEFAULT_GRID = {
    "H1": (0.0, 0.002, 0.004, 0.006, 0.008, 0.012, 0.016),  # DPI
    "H2": (0.0, -0.04, -0.08, -0.12, -0.16, -0.24, -0.32),  # soreness points
}

POWER_COLUMNS = [
    "hypothesis",
    "effect",
    "unit",
    "power",
    "power_mcse",
    "mean_estimate",
    "coverage",
    "sims",
    "athletes",
    "weeks",
    "mean_runs",
]


#: Columns of the H1 / H2 panels that the planted grid effects change (DPI, and the run's duration through the
#: descent speed; the 72-h soreness peak).  Everything else (exposures, runs, windows) is the same at every grid
#: point of one seed, so :func:`_grid_panels` builds the windows once.
_H1_OUTCOMES = ("dpi", "dpi_true", "duration_h")


def _soreness_peak_72h(daily: pd.DataFrame) -> pd.Series:
    """Highest soreness report on days d+1..d+3 of each athlete-day (NaN without a report), indexed like ``daily``.

    As :func:`trailstrength.simulate.panels.panels_from_daily` (``peak="max"``) computes it on the continuous
    daily calendar; ``tests/test_power.py`` pins that the two agree.
    """
    ordered = daily.sort_values(["athlete_id", "local_date"])
    by_athlete = ordered.groupby("athlete_id", sort=False)["soreness"]
    ahead = pd.concat([by_athlete.shift(-k) for k in (1, 2, 3)], axis=1)
    return ahead.max(axis=1, skipna=True).reindex(daily.index)


def _grid_panels(design: CohortDesign, grid_effects: list[PlantedEffects], seed) -> list[tuple]:
    """(H1, H2) panels of one seed at every grid point, as ``panels_from_daily(simulate_daily(...))`` gives them.

    The windows are built once (from the first grid point); the other grid points take their outcome columns
    from their own simulated days.  When a grid point's reported days differ from the first one's (a report
    process that depends on soreness), it falls back to building its panels in full.
    """
    dailies = simulate_daily_grid(design, grid_effects, seed)  # common random numbers, drawn once
    first = panels_from_daily(dailies[0], design.window_days)
    out = [first]
    key = ["athlete_id", "local_date"]
    for daily in dailies[1:]:
        days = daily.assign(duration_h=daily["moving_time_s"] / 3600.0, soreness_peak_72h=_soreness_peak_72h(daily))
        days = days.set_index(key)
        h1 = first[0].copy()
        at1 = pd.MultiIndex.from_frame(h1[key])
        for c in _H1_OUTCOMES:
            h1[c] = days[c].reindex(at1).to_numpy()
        h2 = first[1].copy()
        h2["soreness_peak_72h"] = days["soreness_peak_72h"].reindex(pd.MultiIndex.from_frame(h2[key])).to_numpy()
        reported = days["soreness"].notna()
        if (
            h1["dpi"].isna().any()
            or h2["soreness_peak_72h"].isna().any()
            or not reported.equals(dailies[0].set_index(key)["soreness"].notna())
        ):
            out.append(panels_from_daily(daily, design.window_days))
        else:
            out.append((h1, h2))
    return out


def _one_sim(args) -> list[dict]:
    """All grid points of one simulation seed (common random numbers across the grid)."""
    design, base, grid, seed, alpha, version = args
    out = []
    n = max(len(grid["H1"]), len(grid["H2"]))
    points = [
        (grid["H1"][k] if k < len(grid["H1"]) else None, grid["H2"][k] if k < len(grid["H2"]) else None)
        for k in range(n)
    ]
    grid_effects = [
        replace(
            base,
            dpi_per_hinge_set=e1 if e1 is not None else base.dpi_per_hinge_set,
            soreness_per_hinge_set=e2 if e2 is not None else base.soreness_per_hinge_set,
        )
        for e1, e2 in points
    ]
    for (e1, e2), (h1, h2) in zip(points, _grid_panels(design, grid_effects, seed)):
        for hyp, effect, panel in (("H1", e1, h1), ("H2", e2, h2)):
            if effect is None:
                continue
            row = primary_effects(panel, hyp, version).set_index("term").loc[PRIMARY_TERM]
            out.append(
                {
                    "hypothesis": hyp,
                    "effect": effect,
                    "estimate": row["estimate"],
                    "reject": bool(row["p_value"] < alpha),
                    "covered": bool(row["ci_low"] <= effect <= row["ci_high"]),
                    "n_obs": row["n_obs"],
                }
            )
    return out


def simulate_power(
    athletes: int,
    weeks: int,
    *,
    grid: dict[str, Sequence[float]] | None = None,
    sims: int = 200,
    alpha: float = 0.05,
    seed: int = 2026,
    workers: int | None = None,
    design: CohortDesign | None = None,
    effects: PlantedEffects | None = None,
    progress: bool = False,
    version: str = "v2",
) -> pd.DataFrame:
    r"""Simulated power of the primary H1 and H2 tests over a grid of planted effects.

    Parameters
    ----------
    athletes, weeks : int
        Planned cohort.
    grid : dict, optional
        ``{"H1": [...], "H2": [...]}`` planted within-athlete effects (DPI / soreness
        points per weekly hinge set); default :data:`DEFAULT_GRID`.  Leave a hypothesis
        out to skip it.
    sims : int, default 200
        Simulated cohorts per grid point.
    alpha : float, default 0.05
        Two-sided significance level of the primary test (unadjusted; with Holm over the
        two primary tests, use ``alpha=0.025`` for the first to be rejected).
    seed : int, default 2026
        Master seed; simulation ``s`` uses ``SeedSequence(seed).spawn`` child ``s``.
    workers : int, optional
        Processes (default: all CPUs, at most 8).
    design : CohortDesign, optional
        Observation process; ``athletes`` and ``weeks`` override its fields.
    effects : PlantedEffects, optional
        Everything planted besides the grid effect (default: the simulator's defaults,
        including between-athlete confounding of DPI).
    progress : bool, default False
        Show a progress bar over the simulated cohorts (:func:`trailstrength.progress.track`).
    version : {"v2", "v1"}, default "v2"
        The primary model whose test is simulated (:func:`~trailstrength.models.primary.fit_primary`'s
        ``version``; ``analyze`` fits v2).

    Returns
    -------
    pandas.DataFrame
        :data:`POWER_COLUMNS`, one row per (hypothesis, effect): rejection rate with
        its binomial Monte Carlo SE, mean estimate and CI coverage of the planted effect.

    Notes
    -----
    Power at effect :math:`\delta` is estimated as :math:`\hat\pi = R/S` over :math:`S`
    simulations with :math:`R` rejections, Monte Carlo SE
    :math:`\sqrt{\hat\pi(1-\hat\pi)/S}` (0.028 at :math:`\hat\pi = 0.8, S = 200`).
    """
    if version not in VERSIONS:
        raise ValueError(f"version must be one of {VERSIONS}, got {version!r}")
    grid = {k: tuple(v) for k, v in (grid or DEFAULT_GRID).items() if k in ("H1", "H2")}
    for hyp in ("H1", "H2"):
        grid.setdefault(hyp, ())
    design = replace(design or CohortDesign(), athletes=athletes, weeks=weeks)
    base = effects or PlantedEffects()
    seeds = np.random.SeedSequence(seed).spawn(sims)
    jobs = [(design, base, grid, s, alpha, version) for s in seeds]
    workers = workers or min(8, os.cpu_count() or 1)
    label = f"power: {athletes} athletes x {weeks} weeks"
    if workers > 1:
        with ProcessPoolExecutor(workers) as pool:  # one cohort per task (seconds each): even load, a live bar
            done = pool.map(_one_sim, jobs)
            rows = [r for rs in track(done, label, show=progress, total=len(jobs)) for r in rs]
    else:
        rows = [r for j in track(jobs, label, show=progress) for r in _one_sim(j)]
    res = pd.DataFrame(rows)
    table = (
        res.groupby(["hypothesis", "effect"], sort=False)
        .agg(
            power=("reject", "mean"),
            mean_estimate=("estimate", "mean"),
            coverage=("covered", "mean"),
            sims=("reject", "size"),
            mean_runs=("n_obs", "mean"),
        )
        .reset_index()
    )
    table["power_mcse"] = np.sqrt(table["power"] * (1 - table["power"]) / table["sims"])
    table["unit"] = table["hypothesis"].map(PRIMARY_EFFECT_UNITS)
    table["athletes"], table["weeks"] = athletes, weeks
    table["abs_effect"] = table["effect"].abs()
    table = table.sort_values(["hypothesis", "abs_effect"]).drop(columns="abs_effect").reset_index(drop=True)
    return table[POWER_COLUMNS]


def minimal_detectable_effect(table: pd.DataFrame, target: float = 0.8, alpha: float = 0.05) -> pd.DataFrame:
    """Smallest planted ``|effect|`` reaching ``target`` power, by linear interpolation on the grid.

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`simulate_power`.
    target : float, default 0.8
        Power to reach.
    alpha : float, default 0.05
        The nominal level the curve was computed at: when the rejection rate at effect 0
        (the test's real size) exceeds it by more than two Monte Carlo SEs, the note says
        that the power is overstated.

    Returns
    -------
    pandas.DataFrame
        ``hypothesis, mde, unit, note``; ``mde`` is NaN (with a note) when no grid point
        reaches the target, and the first grid effect when the smallest non-zero one
        already does (the grid is then too coarse to say more).
    """
    rows = []
    for hyp, g in table.groupby("hypothesis", sort=False):
        g = g.assign(size=g["effect"].abs()).sort_values("size")
        x, y = g["size"].to_numpy(), np.maximum.accumulate(g["power"].to_numpy())  # monotone envelope
        sign = np.sign(g["effect"].to_numpy()[-1]) or 1.0
        above = np.flatnonzero(y >= target)
        if above.size == 0:
            mde, note = np.nan, f"power {g['power'].max():.2f} at the largest effect; below {target:.0%}"
        elif above[0] == 0:
            mde, note = x[0] * sign, "the smallest grid effect already reaches the target"
        else:
            k = above[0]
            frac = (target - y[k - 1]) / (y[k] - y[k - 1])
            mde, note = (
                sign * (x[k - 1] + frac * (x[k] - x[k - 1])),
                f"interpolated between grid effects {sign * x[k - 1]:g} and {sign * x[k]:g}",
            )
        zero = g[g["effect"] == 0]
        if len(zero) and zero["power"].iloc[0] > alpha + 2 * max(zero["power_mcse"].iloc[0], 1e-12):
            note += (
                f"; size at effect 0 is {zero['power'].iloc[0]:.3f} > alpha {alpha:g}: the test rejects "
                "too often in these cohorts, so power is overstated"
            )
        rows.append({"hypothesis": hyp, "mde": mde, "unit": PRIMARY_EFFECT_UNITS.get(hyp, ""), "note": note})
    return pd.DataFrame(rows)
