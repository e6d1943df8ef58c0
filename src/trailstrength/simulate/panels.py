r"""Analysis panels simulated directly from the cohort's generative model (no files).

:func:`trailstrength.simulate.simulate_cohort` writes a cohort as GPX, strength logs and
diaries so the whole pipeline can be checked end to end; that takes seconds per athlete.
Power analysis, Monte Carlo checks and the R oracle need thousands of panels, so this
module runs the *same* generative model (:class:`~trailstrength.simulate.PlantedEffects`,
the same hinge schedule, courses and soreness process) day by day in numpy and builds the
H1, H2 and H3 (climb) panels with the window definitions of :mod:`trailstrength.features`:

* ``hinge_sets_28d`` (weighted: the exercise mix of :mod:`trailstrength.simulate.hinge`,
  RDL 1.0, deadlift 0.6, single-leg RDL 1.0), ``pure_hinge_sets_28d``,
  ``deadlift_sets_28d`` (unweighted), ``descent_100m_28d``, ``run_km_28d``,
  ``knee_sets_28d``: sums over days :math:`d-28 \dots d-1` divided by 4 (per week);
* ``hinge_unilateral_share_28d``: weighted single-leg RDL sets / weighted hinge sets over
  the same days (0-1), NaN when the window has no hinge sets (as features.exposures);
* ``hinge_sets_acute``: hinge working sets on days :math:`d-3 \dots d+3`;
* ``soreness_peak_72h``: the highest reported (rounded, clipped 0–10) soreness on days
  :math:`d+1 \dots d+3`; ``other_descent_100m_72h``: descent of the other runs on days
  :math:`d \dots d+3`;
* a run enters a panel when its course has at least 500 m of descent segments and the
  athlete has 28 days of records before it; the climb panel (:func:`climb_panel_from_daily`,
  as :func:`trailstrength.models.claims.climb_panel`) takes runs with at least 500 m of
  climb segments (grade >= +5 %) instead.

What is *not* simulated: GPS / barometric noise and the terrain pipeline.  DPI is the
planted (true) DPI plus ``dpi_measurement_sd`` of noise, the climb performance index the
planted one (``0.97 + cpi_per_hinge_set * hinge_28d``) plus the same noise, and descent
and climb metres are the course's true ones.  ``tests/test_simpanels.py`` checks that these
panels equal the ones :func:`trailstrength.features.h1_panel` /
:func:`~trailstrength.features.h2_panel` / :func:`~trailstrength.models.claims.climb_panel`
build from the same simulated tables.

Random streams: the main generator draws exactly what it drew before the exercise mix
existed; the mix and the climb-index noise come from
:func:`trailstrength.simulate.hinge.aux_generator` of the same seed, and a scenario's extras
(:mod:`trailstrength.simulate.scenarios`) from
:func:`~trailstrength.simulate.scenarios.scenario_generator`.  The daily records are drawn
by :mod:`trailstrength.simulate.daily`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from trailstrength.features.exposures import trailing_sum, window_share
from trailstrength.simulate.cohort import PlantedEffects
from trailstrength.simulate.daily import CohortDesign, simulate_daily

__all__ = [
    "CohortDesign",
    "SimulatedCohort",
    "climb_panel_from_daily",
    "panels_from_daily",
    "simulate_daily",
    "simulate_panels",
]

MIN_DESCENT_LENGTH_M = 500.0


@dataclass
class SimulatedCohort:
    """Daily records and the analysis panels of one simulated cohort (``climb``: the H3 panel)."""

    daily: pd.DataFrame
    h1: pd.DataFrame
    h2: pd.DataFrame
    climb: pd.DataFrame | None = None


def _shifted(x: np.ndarray, k: int) -> np.ndarray:
    """x[t + k] (NaN past the ends) for a 1-d array."""
    out = np.full(x.shape, np.nan)
    if k >= 0:
        out[: x.size - k] = x[k:]
    else:
        out[-k:] = x[: x.size + k]
    return out


def _windows(
    daily: pd.DataFrame, window_days: int, peak: str = "max", acute: tuple[int, int] = (-3, 3)
) -> pd.DataFrame:
    """Every athlete-day with the features.py window columns (calendar from the first record)."""
    out = []
    for _, g in daily.groupby("athlete_id", sort=False):
        g = g.sort_values("local_date").reset_index(drop=True)
        has_record = (g["hinge_sets"] > 0) | g["run"]
        first = int(np.argmax(has_record.to_numpy())) if has_record.any() else len(g)
        g = g.iloc[first:].reset_index(drop=True)  # features' calendar starts at the first record
        if g.empty:
            continue
        hinge = g["hinge_sets"].to_numpy(float)
        # daily sums as features.exposures builds them, then its window
        prior = trailing_sum(
            pd.DataFrame(
                {
                    "hinge_sets": g["hinge_sets"],
                    "pure_hinge_sets": g["rdl_sets"] + g["sl_rdl_sets"],
                    "deadlift_sets": g["deadlift_sets"],
                    "hinge_unilateral_sets": g["hinge_unilateral_sets"],
                    "knee_sets": g["knee_sets"],
                    "upper_sets": g.get("upper_sets", np.nan),  # NaN: not simulated
                    "descent_100m": g["descent_m"] / 100.0,
                    "run_km": g["run_km"],
                }
            ).astype(float),
            window_days,
        )
        per_week = window_days / 7.0
        for c in ("hinge_sets", "pure_hinge_sets", "deadlift_sets"):
            g[f"{c}_28d"] = prior[c] / per_week
        g["hinge_unilateral_share_28d"] = window_share(prior["hinge_unilateral_sets"], prior["hinge_sets"])
        for c in ("knee_sets", "upper_sets", "descent_100m", "run_km"):
            g[f"{c}_28d"] = prior[c] / per_week
        g["history_days"] = np.arange(len(g))
        g["hinge_sets_acute"] = sum(np.nan_to_num(_shifted(hinge, k)) for k in range(acute[0], acute[1] + 1))
        g["hinge_sets_pre3d"] = sum(np.nan_to_num(_shifted(hinge, k)) for k in (-3, -2, -1))
        g["hinge_sets_post3d"] = sum(np.nan_to_num(_shifted(hinge, k)) for k in (0, 1, 2, 3))
        sore = g["soreness"].to_numpy(float)
        ahead = np.column_stack([_shifted(sore, k) for k in (1, 2, 3)])
        with np.errstate(all="ignore"):
            summary = (
                np.nanmax(np.where(np.isnan(ahead), -np.inf, ahead), axis=1)
                if peak == "max"
                else (np.nansum(ahead, axis=1) / (~np.isnan(ahead)).sum(axis=1))
            )
            g["soreness_peak_72h"] = np.where(np.isnan(ahead).all(axis=1), np.nan, summary)
        desc = g["descent_m"].to_numpy(float)
        g["other_descent_100m_72h"] = sum(np.nan_to_num(_shifted(desc, k)) for k in (1, 2, 3)) / 100.0
        g["other_descent_100m_pre72h"] = sum(np.nan_to_num(_shifted(desc, k)) for k in (-3, -2, -1)) / 100.0
        later = np.column_stack([np.nan_to_num(_shifted(desc, k)) for k in (1, 2, 3)]).max(axis=1)
        g["clean_window"] = later < 300.0  # features.panels.CLEAN_WINDOW_DESCENT_M (one run a day here)
        out.append(g)
    days = pd.concat(out, ignore_index=True)
    days["activity_id"] = days["athlete_id"] + "-" + days["local_date"].dt.strftime("%Y%m%d")
    days["duration_h"] = days["moving_time_s"] / 3600.0
    days["distance_km"] = days["run_km"]
    return days


def panels_from_daily(
    daily: pd.DataFrame, window_days: int = 28, peak: str = "max", acute: tuple[int, int] = (-3, 3)
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """H1 and H2 panels from :func:`simulate_daily` output, with the features.py windows.

    Parameters
    ----------
    daily : pandas.DataFrame
        Continuous daily calendar per athlete, as returned by :func:`simulate_daily`.
    window_days : int, default 28
        Window of the ``*_28d`` columns (the names keep ``28d``, as in features.py).
    peak : {"max", "mean"}, default "max"
        ``soreness_peak_72h`` as the highest report on days d+1..d+3 (features.py) or
        their mean (to check what the max costs).
    acute : (int, int), default (-3, 3)
        First and last day, relative to the run, of ``hinge_sets_acute`` (features.py:
        d−3 … d+3).

    Returns
    -------
    h1, h2 : pandas.DataFrame
        The H1 run panel and the H2 soreness panel (columns as in features.py, plus
        ``dpi_true`` in H1 and the H4/H7 exposures ``pure_hinge_sets_28d``,
        ``deadlift_sets_28d``, ``hinge_unilateral_share_28d`` in H1).  Both carry the negative control
        ``upper_sets_28d`` (upper-body sets/week: 3 per hinge session in the default twin, varying
        with the programme in scenario cohorts, :mod:`trailstrength.simulate.scenarios`).
    """
    days = _windows(daily, window_days, peak, acute)
    runs = days[
        days["run"] & (days["descent_length_m"] >= MIN_DESCENT_LENGTH_M) & (days["history_days"] >= window_days)
    ].copy()
    runs["descent_100m"] = runs["descent_m"] / 100.0
    h1_cols = [
        "athlete_id",
        "activity_id",
        "local_date",
        "dpi",
        "hinge_sets_28d",
        "knee_sets_28d",
        "descent_100m_28d",
        "run_km_28d",
        "mean_descent_grade",
        "duration_h",
        "distance_km",
        "upper_sets_28d",
        "descent_m",
        "descent_length_m",
        "dpi_true",
        "pure_hinge_sets_28d",
        "deadlift_sets_28d",
        "hinge_unilateral_share_28d",
    ]
    h2_cols = [
        "athlete_id",
        "activity_id",
        "local_date",
        "soreness_peak_72h",
        "descent_100m",
        "hinge_sets_28d",
        "knee_sets_28d",
        "descent_100m_28d",
        "run_km_28d",
        "hinge_sets_acute",
        "other_descent_100m_72h",
        "hinge_sets_pre3d",
        "hinge_sets_post3d",
        "other_descent_100m_pre72h",
        "clean_window",
        "upper_sets_28d",
    ]
    h1 = runs.loc[runs["dpi"].notna(), h1_cols].reset_index(drop=True)
    h2 = runs.loc[runs["soreness_peak_72h"].notna(), h2_cols].reset_index(drop=True)
    return h1, h2


def climb_panel_from_daily(daily: pd.DataFrame, window_days: int = 28) -> pd.DataFrame:
    """The H3 climb panel (columns of :func:`trailstrength.models.claims.climb_panel`, plus ``cpi_true``).

    Runs with at least 500 m of climb segments and ``window_days`` of record before them;
    ``climb_performance_index`` (climb GAP speed / flat speed), ``mean_climb_grade`` = climb
    gain / climb length (fraction), ``duration_h`` in hours, exposures per week.
    """
    days = _windows(daily, window_days)
    runs = days[
        days["run"] & (days["climb_length_m"] >= MIN_DESCENT_LENGTH_M) & (days["history_days"] >= window_days)
    ].copy()
    runs["mean_climb_grade"] = runs["climb_gain_m"] / runs["climb_length_m"]
    cols = [
        "athlete_id",
        "activity_id",
        "local_date",
        "climb_performance_index",
        "hinge_sets_28d",
        "descent_100m_28d",
        "run_km_28d",
        "mean_climb_grade",
        "duration_h",
        "climb_length_m",
        "climb_gain_m",
        "cpi_true",
    ]
    return runs.loc[runs["climb_performance_index"].notna(), cols].reset_index(drop=True)


def simulate_panels(
    design: CohortDesign | None = None, effects: PlantedEffects | None = None, seed=0, *, scenario=None
) -> SimulatedCohort:
    """Simulate a cohort day by day and build its H1, H2 and climb panels (see the module notes).

    ``scenario`` (a :class:`~trailstrength.simulate.scenarios.Scenario`) simulates one of the harder worlds
    of :mod:`trailstrength.simulate.scenarios`; :func:`~trailstrength.simulate.scenarios.scenario_truth`
    gives what it planted.

    >>> from trailstrength.simulate import CohortDesign, simulate_panels
    >>> cohort = simulate_panels(CohortDesign(athletes=4, weeks=10), seed=1)
    >>> sorted(cohort.h2.columns)[:3]
    ['activity_id', 'athlete_id', 'clean_window']
    """
    design = design or CohortDesign()
    daily = simulate_daily(design, effects, seed, scenario=scenario)
    h1, h2 = panels_from_daily(daily, design.window_days)
    return SimulatedCohort(daily, h1, h2, climb_panel_from_daily(daily, design.window_days))
