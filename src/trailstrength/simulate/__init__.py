"""Simulators: synthetic cohorts, runs and panels with known, planted effects.

- :mod:`~trailstrength.simulate.cohort`: :func:`simulate_cohort` writes a cohort as real files (GPX/FIT/TCX runs,
  strength logs, soreness diaries) with the effects of :class:`PlantedEffects`, for checking the pipeline end to
  end;
- :mod:`~trailstrength.simulate.panels`: the same generative model day by day in numpy, straight to the H1, H2
  and climb panels (:func:`simulate_panels`), for power analysis and Monte Carlo checks;
- :mod:`~trailstrength.simulate.daily`: the twin's daily records (:func:`simulate_daily`);
- :mod:`~trailstrength.simulate.scenarios`: harder worlds for the twin (:data:`SCENARIOS`: season trends, fitness
  drift, outcome feedback, diary compliance, non-linear descent confounding, few athletes, one athlete) and what
  each planted (:func:`scenario_truth`);
- :mod:`~trailstrength.simulate.hinge`: the hinge schedule and exercise mix both share;
- :mod:`~trailstrength.simulate.runs`: courses and tracks (the cohort's, and terrain validation runs);
- :mod:`~trailstrength.simulate.formats`: writers of the real file formats;
- :mod:`~trailstrength.simulate.truth`: ``truth.json`` and the recovered-vs-planted comparison.

Windows are those of :mod:`trailstrength.features.exposures`, so the planted exposures are what the pipeline
measures.
"""

from trailstrength.simulate.cohort import PlantedEffects, simulate_cohort
from trailstrength.simulate.formats import write_activity
from trailstrength.simulate.hinge import HINGE_EXERCISES, HINGE_NAMES
from trailstrength.simulate.panels import (
    CohortDesign,
    SimulatedCohort,
    climb_panel_from_daily,
    panels_from_daily,
    simulate_daily,
    simulate_panels,
)
from trailstrength.simulate.runs import COURSES, SyntheticRun, synthetic_run
from trailstrength.simulate.scenarios import SCENARIOS, Scenario, scenario_truth
from trailstrength.simulate.truth import read_truth, recovered_vs_planted

__all__ = [
    "COURSES",
    "SCENARIOS",
    "HINGE_EXERCISES",
    "HINGE_NAMES",
    "CohortDesign",
    "PlantedEffects",
    "Scenario",
    "SimulatedCohort",
    "SyntheticRun",
    "climb_panel_from_daily",
    "panels_from_daily",
    "read_truth",
    "recovered_vs_planted",
    "scenario_truth",
    "simulate_cohort",
    "simulate_daily",
    "simulate_panels",
    "synthetic_run",
    "write_activity",
]
