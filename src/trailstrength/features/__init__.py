"""From tidy tables to analysis panels: runs with DPI, daily exposures, rolling windows, H1 / H2 panels.

Modules: :mod:`~trailstrength.features.runs` (the ``runs`` table and its DPI),
:mod:`~trailstrength.features.exposures` (strength and running exposures per athlete-day and their windows; the
conventions are in its docstring) and :mod:`~trailstrength.features.panels` (the H1 and H2 run panels).

Window conventions in brief (DESIGN §7–8), all per athlete on a daily calendar in the athlete's local dates:

* ``*_28d``: mean *per week* over the 28 days before the run's day (days d−28 … d−1), i.e. the 28-day sum ÷ 4.
* ``hinge_sets_acute``: hinge working sets from 3 days before to 3 days after the run (d−3 … d+3), a plain sum;
  ``*_lag0`` … ``*_lag3``: the value on day d … d−3.
* ``*_ewm``: ``ewm(span=N, adjust=False)`` of the days before, per week.
* soreness window: reports dated d+1 … d+3 (the 72 h after a run, at day resolution).

Runs in an athlete's first 28 days of records are left out of the panels (no full exposure history).
"""

from trailstrength.features.exposures import (
    ACUTE_LAGS,
    ECCENTRIC_DEFAULT_S,
    ECCENTRIC_EMPHASIS_S,
    EWM_SPAN_DAYS,
    WINDOW_DAYS,
    WORKING_SET_TYPES,
    brzycki_1rm,
    daily_exposures,
    eccentric_seconds,
    epley_1rm,
    main_hinge,
    rolling_exposures,
    strength_daily,
)
from trailstrength.features.panels import EXPOSURE_VARIANTS, MIN_DESCENT_LENGTH_M, h1_panel, h2_panel
from trailstrength.features.runs import FLAT_REFERENCE_DAYS, RUN_SPORTS, build_runs

__all__ = [
    "ACUTE_LAGS",
    "ECCENTRIC_DEFAULT_S",
    "ECCENTRIC_EMPHASIS_S",
    "EWM_SPAN_DAYS",
    "EXPOSURE_VARIANTS",
    "FLAT_REFERENCE_DAYS",
    "MIN_DESCENT_LENGTH_M",
    "RUN_SPORTS",
    "WINDOW_DAYS",
    "WORKING_SET_TYPES",
    "brzycki_1rm",
    "build_runs",
    "daily_exposures",
    "eccentric_seconds",
    "epley_1rm",
    "h1_panel",
    "h2_panel",
    "main_hinge",
    "rolling_exposures",
    "strength_daily",
]
