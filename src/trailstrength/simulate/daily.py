"""The panel twin's daily records: the cohort's generative model day by day in numpy.

:func:`simulate_daily` draws what :func:`trailstrength.simulate.simulate_cohort` would write as files (lifting,
runs on the athlete's courses, true and measured DPI, soreness reports), with the planted effects of
:class:`~trailstrength.simulate.PlantedEffects`; :mod:`trailstrength.simulate.panels` builds the analysis panels
from them (its notes describe what is and is not simulated, and the random streams), and
:mod:`trailstrength.simulate.scenarios` the harder worlds a ``scenario`` switches on.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from trailstrength.features.exposures import trailing_sum
from trailstrength.simulate.cohort import PlantedEffects
from trailstrength.simulate.hinge import aux_generator, hinge_schedule, planted_exposures, split_hinge_sets
from trailstrength.simulate.runs import CLIMB_FACTOR, COURSE_KINDS, random_course
from trailstrength.simulate.scenarios import (
    Scenario,
    athlete_draws,
    descent_terms,
    report_probability,
    scenario_generator,
    season_ramp,
    tilted_pick,
)
from trailstrength.terrain import gap_factor

__all__ = ["CohortDesign", "simulate_daily", "simulate_daily_grid"]

#: A run with more descent than this (m) makes the legs sore; its response lands on days d+1..d+3 with these weights.
DESCENT_RESPONSE_MIN_M = 200.0
DESCENT_RESPONSE_LAGS = ((1, 1.0), (2, 0.6), (3, 0.3))
DESCENT_GRADE = -0.05  # a descent segment is grade <= -5 % (DESIGN §6); a climb segment >= +5 %


@dataclass(frozen=True)
class CohortDesign:
    """Size and observation process of a simulated cohort.

    Attributes
    ----------
    athletes, weeks : int
        Cohort size and length.
    run_probability : float
        Chance of a run on any day (simulate_cohort: 4/7, about four runs a week).
    report_probability : float
        Chance that a daily soreness report exists (simulate_cohort: 0.9).
    dpi_measurement_sd : float
        Noise added to the planted DPI, standing in for GPS/terrain measurement error
        (the pipeline's measured DPI correlates > 0.8 with the planted one).
    window_days : int
        Exposure window of the ``*_28d`` columns.
    round_reports : bool
        Round reports to whole points and clip to 0–10, as diaries do (simulate_cohort:
        True).  False keeps the latent soreness (for checking what rounding costs).
    hinge_soreness : {"per_run", "post_descent"}
        How the planted ``soreness_per_hinge_set`` acts.  ``"per_run"`` (simulate_cohort
        before the H2 estimand fix): it is part of every descent run's soreness response,
        so overlapping responses of several runs add it several times and the H2 model
        estimates about 1.25x the planted value.  ``"post_descent"`` (simulate_cohort): a level shift of
        :math:`\beta h_{28}` (the 28-day hinge exposure of the most recent descent run)
        on each of the 3 days after a descent run, counted once however many runs
        overlap (see benchmarks/h2_estimand.py).
    hinge_mix : bool
        Split hinge sets among RDL, deadlift and single-leg RDL (simulate_cohort: True).
        False keeps every set an RDL, the model the R oracle's pinned panels were written
        with (tests/r/make_panels.py).
    """

    athletes: int = 8
    weeks: int = 16
    run_probability: float = 4 / 7
    report_probability: float = 0.9
    dpi_measurement_sd: float = 0.02
    window_days: int = 28
    round_reports: bool = True
    hinge_soreness: str = "post_descent"
    hinge_mix: bool = True


def _course_stats(course) -> dict:
    g = course.grades
    desc = g <= DESCENT_GRADE
    climb = g >= -DESCENT_GRADE
    f = gap_factor(g, model="strava")
    return {
        "descent_m": course.descent_m,
        "descent_length_m": float(desc.sum()),
        "mean_descent_grade": float(g[desc].mean()) if desc.any() else np.nan,
        "climb_length_m": float(climb.sum()),
        "climb_gain_m": float(g[climb].sum()),
        "distance_km": g.size / 1000.0,
        # moving time = (a_desc / dpi + a_climb / cpi + a_flat) / flat_speed, as in runs.course_track
        "a_desc": float(f[g < -0.02].sum()),
        "a_climb": float(f[g > 0.02].sum()),
        "a_flat": float(f[np.abs(g) <= 0.02].sum()),
    }


def _athlete_days(rng, aux, aid, grid, design, start, scenario: Scenario, xrng) -> list[pd.DataFrame]:
    """One athlete's days under each of ``grid``'s planted effects, from one set of random draws (the draws use
    only the fields :data:`_DRAW_FIELDS`, which every grid point must share)."""
    effects = grid[0]
    n = design.weeks * 7
    mean_dose = rng.uniform(0, 9)
    flat_speed = rng.normal(3.1, 0.25)
    dpi_base = rng.normal(1.0, 0.05) + effects.between_confound * (mean_dose - 4.5)
    soreness_base = rng.uniform(1.0, 2.5)
    courses = [_course_stats(random_course(rng, k, f"{k}-{j}")) for j, k in enumerate(COURSE_KINDS)]
    table = pd.DataFrame(courses)

    raw = hinge_schedule(rng, mean_dose, n)
    if scenario.progression != (1.0, 1.0):
        raw = np.rint(raw * season_ramp(scenario, n)).astype(np.int64)
    knee = np.where(raw > 0, rng.integers(0, 4, n), 0)  # squat working sets in each session
    mix = split_hinge_sets(aux, raw) if design.hinge_mix else np.column_stack([raw, 0 * raw, 0 * raw])
    # the main stream's per-day draws, in the order the default twin has always drawn them
    draws = {
        "run_u": rng.uniform(size=n),
        "pick": rng.integers(0, len(courses), n),
        "dpi_e": rng.normal(0, effects.dpi_noise, n),
        "flat_today": flat_speed * rng.normal(1.0, 0.03, n),
        "sore_e": rng.normal(0, effects.soreness_noise, n),
        "report_u": rng.uniform(size=n),
        "meas_e": rng.normal(0, design.dpi_measurement_sd, n),
        "climb_e": aux.normal(0, design.dpi_measurement_sd, n),
        **athlete_draws(scenario, xrng, n),
    }
    base = {"dpi": dpi_base, "soreness": soreness_base}
    return [
        _one_effect(effects, design, scenario, table, base, draws, (mix, raw, knee), aid, start) for effects in grid
    ]


def _one_effect(effects, design, scenario, table, base, draws, lifting, aid, start) -> pd.DataFrame:
    """One athlete's days under ``effects`` given the random draws."""
    mix, raw, knee = lifting
    n = raw.size
    skip = np.zeros(n, dtype=bool)
    day = _outcomes(effects, design, scenario, table, base, draws, mix, raw, skip)
    if scenario.feedback:  # sore days (as they would be without feedback) are skipped: one pass
        excess = day["latent_soreness"] - base["soreness"] - 1.0
        skip = draws["skip_u"] < np.clip(scenario.feedback * excess, 0.0, 1.0)
        day = _outcomes(effects, design, scenario, table, base, draws, mix, raw, skip)
    runs, c, mix = day.pop("runs"), day.pop("course"), day.pop("mix")
    day.pop("latent_soreness")
    out = {
        "athlete_id": aid,
        "local_date": start + pd.to_timedelta(np.arange(n), unit="D"),
        "hinge_sets": day.pop("hinge_sets"),
        "rdl_sets": mix[:, 0].astype(float),
        "deadlift_sets": mix[:, 1].astype(float),
        "sl_rdl_sets": mix[:, 2].astype(float),
        "hinge_unilateral_sets": day.pop("hinge_unilateral_sets"),
        "knee_sets": np.where(skip, 0, knee).astype(float),
        "upper_sets": _upper_sets(scenario, draws, np.where(skip, 0, raw)),
        "run": runs,
        "descent_m": day.pop("descent_m"),
        "descent_length_m": np.where(runs, c["descent_length_m"], 0.0),
        "mean_descent_grade": c["mean_descent_grade"].to_numpy(),
        "run_km": np.where(runs, c["distance_km"], 0.0),
        **day,
        "climb_length_m": np.where(runs, c["climb_length_m"], 0.0),
        "climb_gain_m": np.where(runs, c["climb_gain_m"], 0.0),
    }
    out["dpi"] = np.where(runs, out["dpi_true"] + draws["meas_e"], np.nan)
    out["climb_performance_index"] = np.where(runs, out["cpi_true"] + draws["climb_e"], np.nan)
    return pd.DataFrame(out)[_DAILY_COLUMNS]


def _upper_sets(scenario: Scenario, draws: dict, raw: np.ndarray) -> np.ndarray:
    """Upper-body working sets per day: 3 per hinge session (simulate_cohort's push), or the scenario's."""
    if not scenario.upper_body:
        return np.where(raw > 0, 3.0, 0.0)
    return np.where(raw > 0, np.rint(draws["upper_per_hinge"] * raw) + draws["upper_sets"], 0.0)


_DAILY_COLUMNS = [
    "athlete_id",
    "local_date",
    "hinge_sets",
    "rdl_sets",
    "deadlift_sets",
    "sl_rdl_sets",
    "hinge_unilateral_sets",
    "knee_sets",
    "upper_sets",
    "run",
    "descent_m",
    "descent_length_m",
    "mean_descent_grade",
    "run_km",
    "moving_time_s",
    "dpi_true",
    "dpi",
    "soreness",
    "climb_length_m",
    "climb_gain_m",
    "cpi_true",
    "climb_performance_index",
]


def _outcomes(effects, design, scenario, table, base, draws, mix, raw, skip) -> dict:
    """Exposures, runs, DPI and soreness of one athlete given the days skipped (``skip``, bool per day)."""
    n = raw.size
    mix = np.where(skip[:, None], 0, mix)
    raw = np.where(skip, 0, raw)
    ex = planted_exposures(mix, 28)  # the planted effects always use 28 days
    hinge, hinge_28d = ex["hinge_sets"], ex["hinge_28d"]
    runs = (draws["run_u"] < design.run_probability) & ~skip
    pick = tilted_pick(
        draws["pick"], hinge_28d, table["descent_m"].to_numpy(), scenario.descent_programme, draws["pick_u"]
    )
    c = table.iloc[pick].reset_index(drop=True)
    c = c.where(np.broadcast_to(runs[:, None], c.shape))
    descent = np.where(runs, c["descent_m"].to_numpy(), 0.0)
    descent_28d = np.nan_to_num(trailing_sum(descent, 28), nan=0.0) / (28 / 7.0) / 100.0  # as simulate_cohort
    terms = descent_terms(scenario, effects, descent, descent_28d)
    dpi_true = (
        base["dpi"]
        + (effects.dpi_per_hinge_set + draws["dpi_slope"]) * hinge_28d
        + effects.dpi_per_unilateral_share * ex["unilateral_term"]
        + terms["dpi"]
        + draws["dpi_e"]
    )
    if scenario.skill_per_week or scenario.ar1_sd:
        dpi_true = dpi_true + scenario.skill_per_week * np.arange(n) / 7.0 + draws["dpi_drift"]
    cpi_true = CLIMB_FACTOR + effects.cpi_per_hinge_set * hinge_28d
    moving_s = (c["a_desc"] / dpi_true + c["a_climb"] / cpi_true + c["a_flat"]).to_numpy() / draws["flat_today"]

    # soreness: baseline + noise, lifting soreness (lags 1, 2), descent response (lags 1-3)
    beta = effects.soreness_per_hinge_set + draws["soreness_slope"]
    sore = base["soreness"] + draws["sore_e"] + draws["soreness_drift"]
    lift = effects.soreness_per_acute_hinge_set * np.where(raw > 0, hinge + 1, 0)  # + the RDL warm-up set
    descent_run = runs & (descent > DESCENT_RESPONSE_MIN_M)
    per_run = design.hinge_soreness == "per_run"
    response = np.where(descent_run, terms["run"] + (beta * hinge_28d if per_run else 0.0) + terms["bout"], 0.0)
    for lag, w in ((1, 1.0), (2, 0.5)):
        sore[lag:] += w * lift[:-lag]
    for lag, w in DESCENT_RESPONSE_LAGS:
        sore[lag:] += w * response[:-lag]
    if not per_run:
        # days 1-3 after a descent run are shifted by beta * hinge_28d of the most recent such run, once
        shift = np.zeros(n)
        for d in np.flatnonzero(descent_run):  # chronological: a later run overwrites the days it covers
            shift[d + 1 : d + 4] = beta * hinge_28d[d]
        sore += shift
    p_report = report_probability(scenario, design.report_probability, draws["report_level"], sore - base["soreness"])
    latent = np.clip(np.round(sore), 0, 10) if design.round_reports else sore
    return {
        "runs": runs,
        "course": c,
        "mix": mix,
        "latent_soreness": sore,
        "hinge_sets": hinge,
        "hinge_unilateral_sets": ex["hinge_unilateral_sets"],
        "descent_m": descent,
        "moving_time_s": moving_s,
        "dpi_true": np.where(runs, dpi_true, np.nan),
        "soreness": np.where(draws["report_u"] < p_report, latent, np.nan),
        "cpi_true": np.where(runs, cpi_true, np.nan),
    }


def simulate_daily(
    design: CohortDesign, effects: PlantedEffects | None = None, seed=0, *, scenario: Scenario | None = None
) -> pd.DataFrame:
    """One row per athlete-day of a simulated cohort (runs, lifting, soreness reports).

    Parameters
    ----------
    design : CohortDesign
        Cohort size and observation process.
    effects : PlantedEffects, optional
        Planted effects (default: the simulator's defaults; ``PlantedEffects.null()`` for a scenario with
        ``null=True``; given effects win over the scenario's ``null``).
    seed : int or numpy.random.SeedSequence
        Everything is deterministic given the seed.
    scenario : Scenario, optional
        A harder world (:mod:`trailstrength.simulate.scenarios`: season trends, fitness drift, feedback,
        compliance, non-linear descent confounding); its ``athletes`` / ``weeks`` override ``design``'s.  None
        (default) is the default twin, column for column.

    Returns
    -------
    pandas.DataFrame
        ``athlete_id, local_date, hinge_sets`` (weighted), ``rdl_sets, deadlift_sets,
        sl_rdl_sets`` (working sets of each exercise), ``hinge_unilateral_sets`` (weighted),
        ``knee_sets, upper_sets`` (3 per hinge session unless a scenario varies them), ``run, descent_m,
        descent_length_m, mean_descent_grade, run_km,
        moving_time_s, dpi_true, dpi, soreness, climb_length_m, climb_gain_m, cpi_true,
        climb_performance_index`` (NaN where no run / no report).  At most one run per day,
        as in simulate_cohort.
    """
    if scenario is None:
        scenario = Scenario(upper_body=False)
    effects = effects or (PlantedEffects.null() if scenario.null else PlantedEffects())
    return simulate_daily_grid(design, [effects], seed, scenario=scenario)[0]


#: The PlantedEffects fields the random draws use: the grid points of :func:`simulate_daily_grid` must share them.
_DRAW_FIELDS = ("between_confound", "dpi_noise", "soreness_noise")


def simulate_daily_grid(
    design: CohortDesign, grid: list[PlantedEffects], seed=0, *, scenario: Scenario | None = None
) -> list[pd.DataFrame]:
    """:func:`simulate_daily` at several planted effects with common random numbers, drawing them once.

    Element ``k`` equals ``simulate_daily(design, grid[k], seed, scenario=scenario)`` column for column (the same
    draws, so only what the planted effects change differs); the draws, the courses and the lifting schedule are
    made once instead of once per grid point.  Raises ValueError when the grid points differ in a field the
    draws use (``between_confound``, ``dpi_noise``, ``soreness_noise``).
    """
    if scenario is None:
        scenario = Scenario(upper_body=False)
    for name in _DRAW_FIELDS:
        if len({getattr(e, name) for e in grid}) > 1:
            raise ValueError(f"simulate_daily_grid: the grid points must share {name} (the draws use it)")
    design = replace(design, athletes=scenario.athletes or design.athletes, weeks=scenario.weeks or design.weeks)
    rng = np.random.default_rng(seed)
    aux = aux_generator(seed)
    xrng = scenario_generator(seed)
    start = pd.Timestamp("2025-03-03")
    athletes = [
        _athlete_days(rng, aux, f"ath{i + 1:02d}", grid, design, start, scenario, xrng) for i in range(design.athletes)
    ]
    return [pd.concat([days[k] for days in athletes], ignore_index=True) for k in range(len(grid))]
