"""Terrain: distance resampling, altitude smoothing, grade, grade adjustment, descent and climb segments.

Pure functions of one activity's samples (DESIGN §6), so they map over athletes unchanged.

>>> from trailstrength.terrain import analyze_run, TerrainParams
>>> params = TerrainParams.for_altitude_source("gps")   # doctest: +SKIP
>>> run = analyze_run(samples, params)                  # doctest: +SKIP
>>> run.summary["descent_gap_speed_mps"]                # doctest: +SKIP

The defaults suit barometric or DEM altitude; GPS-only altitude needs the wider ``"gps"`` preset (see
``TerrainParams`` and ``benchmarks/validate_terrain.py``). ``trailstrength.simulate.runs`` simulates runs
over courses of known geometry for validation.

Grade adjustment: ``gap_factor(grade, model)`` with ``"strava"`` (default), ``"minetti"``, or an athlete's
own curve:

>>> curve = fit_empirical_gap(run_profiles, fallback="strava")     # doctest: +SKIP
>>> analyze_run(samples, TerrainParams(gap_model=curve))            # doctest: +SKIP

Modules: ``track`` (samples: distance, jumps, pauses, altitude steps), ``profile`` (distance grid,
smoothing, grade), ``segments``, ``run`` (one run's summary), ``grade_models``, ``empirical`` and ``course``
(a race course's terrain on the race sections: :func:`add_course`).
"""

from __future__ import annotations

from .course import add_course, course_profile
from .empirical import NotEnoughTerrainData, fit_empirical_gap
from .grade_models import GAP_MODELS, STRAVA_GAP_FACTORS, EmpiricalGap, gap_factor, minetti_cost
from .params import ALTITUDE_SOURCES, TerrainParams
from .profile import PROFILE_COLUMNS, grade_from_altitude, moving_mask, resample_by_distance, smooth_altitude
from .run import ALTITUDE_QUALITY, SUMMARY_KEYS, RunTerrain, analyze_run
from .segments import SEGMENT_COLUMNS, ascent_descent, find_segments
from .track import remove_altitude_steps, track_distance, vertical_speed

#: Version of the terrain outputs; bump whenever any output changes for the same input. The warehouse
#: rebuilds derived tables (segments, runs) when it changes.
TERRAIN_VERSION: str = "4"

__all__ = [
    "ALTITUDE_QUALITY",
    "ALTITUDE_SOURCES",
    "GAP_MODELS",
    "PROFILE_COLUMNS",
    "SEGMENT_COLUMNS",
    "STRAVA_GAP_FACTORS",
    "SUMMARY_KEYS",
    "TERRAIN_VERSION",
    "EmpiricalGap",
    "NotEnoughTerrainData",
    "RunTerrain",
    "TerrainParams",
    "add_course",
    "analyze_run",
    "ascent_descent",
    "course_profile",
    "find_segments",
    "fit_empirical_gap",
    "gap_factor",
    "grade_from_altitude",
    "minetti_cost",
    "moving_mask",
    "remove_altitude_steps",
    "resample_by_distance",
    "smooth_altitude",
    "track_distance",
    "vertical_speed",
]
