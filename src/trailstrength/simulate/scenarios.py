r"""Harder worlds for the panel twin: what real training data do to the primary inference (issue 15).

:func:`trailstrength.simulate.simulate_daily` draws the default cohort of
:mod:`trailstrength.simulate.panels`; given a :class:`Scenario` it bends that cohort in the ways real athletes
do.  Every departure is off by default, and a scenario's extra draws come from their own generator
(:func:`scenario_generator`), so ``Scenario()`` reproduces the default cohort's columns exactly and two scenarios
with one seed share their lifting schedules, courses and noise wherever they do not differ.

Parameters of :class:`Scenario` (units as in the analysis panels):

* ``progression = (a, b)``: a *progressive programme*: each day's hinge working sets (and upper-body sets) are
  multiplied by a factor rising linearly from ``a`` on the first day to ``b`` on the last, rounded to whole sets
  (issue 15: 0.5 -> 1.5).
* ``skill_per_week``: *descent skill improving by itself*: true DPI rises by this much per week of the season
  (issue 15: +0.003 DPI/week), whatever the athlete lifts.  With a progressive programme this is season
  confounding: the within-athlete hinge contrast and DPI both rise with time.  A within-athlete linear trend
  (``detrend=True``) removes it because both trends are linear.
* ``ar1_phi``, ``ar1_sd``: *slow fitness drift*: true DPI carries an AR(1) process
  :math:`u_t = \phi u_{t-1} + e_t` over days, stationary SD ``ar1_sd`` (DPI); ``ar1_soreness_sd`` adds one of the
  same :math:`\phi` to daily soreness (points).  Exogenous to lifting: estimates stay unbiased, residuals are
  serially correlated, so model-based SEs are too small.
* ``slope_sd_dpi``, ``slope_sd_soreness``: *heterogeneous athletes*: each athlete's hinge effect is the planted
  one plus N(0, sd) (DPI per weekly set; soreness points per weekly set).  The truth is the population mean, the
  planted value.
* ``feedback``: *outcome feedback*: on a day whose soreness (as it would be without feedback) is ``s`` points
  above the athlete's baseline, the athlete skips both the lift and the run with probability
  ``min(1, feedback · max(0, s - 1))``.  One pass, not recursive: a skipped session does not lower the later
  soreness used for later decisions.  The exposures then depend on past outcomes.
* ``compliance``: diary compliance: ``"fixed"`` (the design's ``report_probability``), ``"random"`` (each
  athlete's own probability ~ U(0.5, 0.9), at random) or ``"mnar"`` (the same per-athlete level on the logit
  scale, minus ``mnar_slope`` per point of the day's soreness above the athlete's baseline: sore days go
  unreported; missing not at random).
* ``descent_programme``: *descent exposure co-varying with the programme*: on each run day the course is drawn
  with weights :math:`\exp(k z_d r_c)`, :math:`z_d` the standardised 28-day hinge dose of the athlete and
  :math:`r_c` the standardised descent of course :math:`c`, :math:`k` = ``descent_programme``; heavy lifting
  blocks come with hillier running.
* ``descent_nonlinear``: the descent effects act *non-linearly* (floors, saturation): a run's soreness response
  is ``1.5 · soreness_per_descent_100m · clip(descent_100m - 3, 0, 7)`` (nothing below 300 m, flat above 1000 m)
  and the repeated-bout term ``soreness_per_descent_100m_week · 12 · (1 - exp(-max(0, D - 10) / 12))`` of the
  28-day descent ``D`` (100 m/week: a floor at 10, saturating); DPI's descent-exposure term becomes
  ``dpi_per_descent_100m_week · 12 · (1 - exp(-D / 12))``.  A linear adjustment of ``D`` then leaves residual
  confounding when ``descent_programme`` ties ``D`` to the hinge programme.
* ``upper_body``: a *negative-control* exposure: upper-body (push/pull) working sets lifted in the hinge sessions
  (3 +- 1 per hinge session in 4-week blocks, with the same progression), with no effect on anything; the panels
  get ``upper_sets_28d`` (sets per week, days d-28..d-1).

:data:`SCENARIOS` names the validation worlds (benchmarks/inference_validation.py); :func:`scenario_truth`
returns what each planted and whether the primary within-athlete effects are identifiable from the panels.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

__all__ = ["SCENARIOS", "Scenario", "scenario_generator", "scenario_truth"]

SCENARIO_SPAWN_KEY = 0x5343454E  # "SCEN": spawn key of the scenario stream (far from hinge's AUX key and 0, 1, ...)


@dataclass(frozen=True)
class Scenario:
    """How a simulated cohort departs from the default twin (see the module notes; all off by default)."""

    name: str = "default"
    athletes: int | None = None  # overrides CohortDesign.athletes when set
    weeks: int | None = None  # overrides CohortDesign.weeks when set
    null: bool = False  # plant no hinge effect (PlantedEffects.null())
    progression: tuple[float, float] = (1.0, 1.0)
    skill_per_week: float = 0.0
    ar1_phi: float = 0.0
    ar1_sd: float = 0.0
    ar1_soreness_sd: float = 0.0
    slope_sd_dpi: float = 0.0
    slope_sd_soreness: float = 0.0
    feedback: float = 0.0
    compliance: str = "fixed"
    mnar_slope: float = 0.6
    descent_programme: float = 0.0
    descent_nonlinear: bool = False
    upper_body: bool = True


_NULL = Scenario(null=True)

#: The validation worlds of issue 15 (null versions: the hinge effects are 0; 12 athletes x 16 weeks unless set).
SCENARIOS: dict[str, Scenario] = {
    "planted": Scenario(name="planted"),
    "null": replace(_NULL, name="null"),
    "season_trend": replace(_NULL, name="season_trend", progression=(0.5, 1.5), skill_per_week=0.003),
    "ar1": replace(_NULL, name="ar1", ar1_phi=0.98, ar1_sd=0.03, ar1_soreness_sd=0.4),
    "heterogeneous": Scenario(name="heterogeneous", slope_sd_dpi=0.006, slope_sd_soreness=0.1),
    "feedback": replace(_NULL, name="feedback", feedback=0.4),
    "mnar": replace(_NULL, name="mnar", compliance="mnar"),
    "random_compliance": replace(_NULL, name="random_compliance", compliance="random"),
    "descent_nonlinear": replace(_NULL, name="descent_nonlinear", descent_programme=1.0, descent_nonlinear=True),
    # its two halves, to tell which one biases H2 (benchmarks/primary_inference.py h2-descent)
    "descent_programme": replace(_NULL, name="descent_programme", descent_programme=1.0),
    "descent_nonlinear_only": replace(_NULL, name="descent_nonlinear_only", descent_nonlinear=True),
    "athletes_8": replace(_NULL, name="athletes_8", athletes=8),
    "athletes_6": replace(_NULL, name="athletes_6", athletes=6),
    "athletes_4": replace(_NULL, name="athletes_4", athletes=4),
    "one_athlete_40w": replace(_NULL, name="one_athlete_40w", athletes=1, weeks=40),
}


def scenario_generator(seed) -> np.random.Generator:
    """The scenario's own generator for ``seed`` (int or SeedSequence), independent of the twin's streams."""
    ss = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    return np.random.default_rng(np.random.SeedSequence(ss.entropy, spawn_key=(*ss.spawn_key, SCENARIO_SPAWN_KEY)))


def scenario_truth(scenario: Scenario, effects) -> dict:
    """What the scenario planted for the primary terms, and whether the panels identify it.

    Parameters
    ----------
    scenario : Scenario
    effects : PlantedEffects
        The effects the cohort was simulated with.

    Returns
    -------
    dict
        ``{"H1": {...}, "H2": {...}, "negative_control": {...}}``; each has ``term``, ``estimate`` (the planted
        within-athlete effect: DPI or soreness points per weekly weighted hinge set; the population mean when
        slopes vary), ``identifiable`` (bool) and ``why`` (what the model must do to recover it, or why it
        cannot).
    """
    h1 = {"term": "hinge_sets_28d_within", "estimate": effects.dpi_per_hinge_set, "identifiable": True}
    h2 = {"term": "hinge_sets_28d_within", "estimate": effects.soreness_per_hinge_set, "identifiable": True}
    why = ["within-athlete contrast, descent exposure adjusted"]
    if scenario.progression != (1.0, 1.0) or scenario.skill_per_week:
        why.append("needs a within-athlete linear season trend (the planted trends are linear in time)")
    if scenario.ar1_phi:
        why.append("unbiased, but serially correlated residuals: model-based SEs too small")
    if scenario.descent_nonlinear:
        why.append("needs a flexible adjustment of descent exposure and the run's descent (non-linear effects)")
    if scenario.feedback:
        why.append("exposures follow past soreness; identified given the past descent and lifting adjusted for")
    h1["why"] = h2["why"] = "; ".join(why)
    if scenario.descent_programme:
        h2["why"] += (
            "; the 72-h peak also carries the soreness of other runs in the window, hillier in heavier lifting "
            "blocks: H2 needs their contribution adjusted, which the v2 model does not (post-run runs are left out "
            "on purpose; benchmarks/primary_inference.py h2-descent)"
        )
    if scenario.compliance == "mnar":
        h2["identifiable"] = False
        h2["why"] = (
            "not identifiable from the reports: sore days go unreported (missing not at random), so the observed "
            "72-h peak is biased towards low values wherever soreness is high; needs a model of the missingness"
        )
    if scenario.athletes == 1:
        note = "one athlete: only the within-athlete (time-series) effect; no between-athlete term or random effects"
        h1["why"] = f"{h1['why']}; {note}"
        h2["why"] = f"{h2['why']}; {note}"
    control = {
        "term": "upper_sets_28d_within",
        "estimate": 0.0,
        "identifiable": scenario.upper_body,
        "why": "upper-body sets have no planted effect; a non-null estimate flags confounding",
    }
    return {"H1": h1, "H2": h2, "negative_control": control}


def season_ramp(scenario: Scenario, n_days: int) -> np.ndarray:
    """The programme's dose factor on each day (``progression[0]`` on day 0 to ``progression[1]`` on the last)."""
    a, b = scenario.progression
    return np.linspace(a, b, n_days) if n_days > 1 else np.full(n_days, a)


def _ar1(rng: np.random.Generator, phi: float, sd: float, n: int) -> np.ndarray:
    """A stationary AR(1) series of ``n`` days with coefficient ``phi`` and marginal SD ``sd``."""
    if not sd or not phi:
        return np.zeros(n)
    e = rng.normal(0, sd * np.sqrt(1 - phi**2), n)
    u = np.empty(n)
    u[0] = rng.normal(0, sd)
    for t in range(1, n):
        u[t] = phi * u[t - 1] + e[t]
    return u


def athlete_draws(scenario: Scenario, xrng: np.random.Generator, n: int) -> dict:
    """One athlete's scenario draws (from the scenario stream, in a fixed order whatever is switched on)."""
    return {
        "dpi_slope": xrng.normal(0, 1) * scenario.slope_sd_dpi,
        "soreness_slope": xrng.normal(0, 1) * scenario.slope_sd_soreness,
        "report_level": xrng.uniform(0.5, 0.9),
        "dpi_drift": _ar1(xrng, scenario.ar1_phi, scenario.ar1_sd, n),
        "soreness_drift": _ar1(xrng, scenario.ar1_phi, scenario.ar1_soreness_sd, n),
        "skip_u": xrng.uniform(size=n),
        "pick_u": xrng.uniform(size=n),
        "upper_sets": xrng.poisson(1.0, n),
        "upper_per_hinge": xrng.uniform(0.3, 0.9),
    }


def tilted_pick(pick: np.ndarray, dose_28d: np.ndarray, course_descent: np.ndarray, k: float, u: np.ndarray):
    """Course index of each day, drawn with weights exp(k · z(dose) · z(course descent)) (``pick`` when k = 0)."""
    if not k:
        return pick
    sd = dose_28d.std()
    z = (dose_28d - dose_28d.mean()) / (sd if sd > 0 else 1.0)
    r = (course_descent - course_descent.mean()) / (course_descent.std() or 1.0)
    w = np.exp(k * z[:, None] * r[None, :])
    cum = np.cumsum(w / w.sum(axis=1, keepdims=True), axis=1)
    return np.minimum((u[:, None] > cum).sum(axis=1), len(course_descent) - 1)


def descent_terms(scenario: Scenario, effects, descent_m: np.ndarray, descent_28d: np.ndarray) -> dict:
    """The run's soreness response to its descent (m), the repeated-bout term and DPI's descent-exposure term."""
    if not scenario.descent_nonlinear:
        return {
            "run": effects.soreness_per_descent_100m * descent_m / 100.0,
            "bout": effects.soreness_per_descent_100m_week * descent_28d,
            "dpi": effects.dpi_per_descent_100m_week * descent_28d,
        }
    return {
        "run": 1.5 * effects.soreness_per_descent_100m * np.clip(descent_m / 100.0 - 3.0, 0.0, 7.0),
        "bout": effects.soreness_per_descent_100m_week * 12.0 * (1 - np.exp(-np.maximum(0.0, descent_28d - 10) / 12)),
        "dpi": effects.dpi_per_descent_100m_week * 12.0 * (1 - np.exp(-descent_28d / 12.0)),
    }


def report_probability(scenario: Scenario, design_p: float, level: float, excess: np.ndarray) -> np.ndarray:
    """Chance that each day's diary report exists (``excess``: soreness above the athlete's baseline, points)."""
    if scenario.compliance == "fixed":
        return np.full(excess.shape, design_p)
    if scenario.compliance == "random":
        return np.full(excess.shape, level)
    if scenario.compliance == "mnar":
        logit = np.log(level / (1 - level)) - scenario.mnar_slope * excess
        return 1.0 / (1.0 + np.exp(-logit))
    raise ValueError(f"compliance must be 'fixed', 'random' or 'mnar', not {scenario.compliance!r}")
