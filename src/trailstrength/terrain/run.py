"""One run's terrain analysis: profile, segments and the summary the ``runs`` table is built from."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .params import TerrainParams
from .profile import PROFILE_COLUMNS, _clean_track, _profile_from_track
from .segments import ascent_descent, empty_segments, find_segments

#: Keys of :attr:`RunTerrain.summary`, in order. Units are in the names.
SUMMARY_KEYS: tuple[str, ...] = (
    "distance_m", "moving_time_s", "ascent_m", "descent_m",
    "descent_length_m", "descent_drop_m", "descent_time_s", "descent_speed_mps", "descent_gap_speed_mps",
    "mean_descent_grade", "vertical_descent_rate_m_per_h",
    "descent_length_moderate_m", "descent_length_steep_m", "descent_length_very_steep_m",
    "flat_speed_mps", "flat_length_m",
    "climb_length_m", "climb_time_s", "climb_gap_speed_mps",
    "uphill_pace_s_per_km", "downhill_pace_s_per_km", "kay_ratio",
)


@dataclass
class RunTerrain:
    """Terrain analysis of one run.

    Attributes
    ----------
    profile : pandas.DataFrame
        Regular distance profile (see :func:`resample_by_distance`).
    segments : pandas.DataFrame
        Descents and climbs together, sorted by ``start_m`` (see :func:`find_segments`).
    summary : dict[str, float]
        Run-level metrics, keys :data:`SUMMARY_KEYS` (see :func:`analyze_run`).
    params : TerrainParams
        The parameters that produced it.
    """

    profile: pd.DataFrame
    segments: pd.DataFrame
    summary: dict[str, float]
    params: TerrainParams = field(default_factory=TerrainParams)


def _ratio(num: float, den: float, scale: float = 1.0) -> float:
    return float(num / den * scale) if np.isfinite(num) and np.isfinite(den) and den > 0 else np.nan


def _timed(seg: pd.DataFrame) -> tuple[float, float, float, float]:
    """Length (m), duration (s), |drop| (m) and grade-adjusted distance (m) of segments that have times."""
    t = seg[seg["duration_s"] > 0]
    return (float(t["length_m"].sum()), float(t["duration_s"].sum()), float(t["drop_m"].abs().sum()),
            float((t["gap_speed_mps"] * t["duration_s"]).sum()))


def _summary(profile: pd.DataFrame, segments: pd.DataFrame, total_distance: float, total_moving: float,
             params: TerrainParams) -> dict[str, float]:
    s = dict.fromkeys(SUMMARY_KEYS, np.nan)
    s["distance_m"] = total_distance
    s["moving_time_s"] = total_moving
    alt = profile["altitude_m"].to_numpy(dtype=float)
    has_alt = alt.size >= 2 and np.isfinite(alt).all()
    if not has_alt:
        return s  # every other metric needs altitude
    s["ascent_m"], s["descent_m"] = ascent_descent(alt, params.hysteresis_m)
    has_time = bool(np.isfinite(total_moving))

    d = segments[segments["kind"] == "descent"]
    c = segments[segments["kind"] == "climb"]
    s["descent_length_m"] = float(d["length_m"].sum())
    s["descent_drop_m"] = float(d["drop_m"].sum())
    s["mean_descent_grade"] = _ratio(-s["descent_drop_m"], s["descent_length_m"])
    for cls in ("moderate", "steep", "very_steep"):
        s[f"descent_length_{cls}_m"] = float(d.loc[d["steepness"] == cls, "length_m"].sum())
    s["climb_length_m"] = float(c["length_m"].sum())

    # Flat reference: profile steps whose mean end-point grade is within ±flat_abs_grade.
    x = profile["distance_m"].to_numpy(dtype=float)
    g = profile["grade"].to_numpy(dtype=float)
    flat = np.abs((g[:-1] + g[1:]) / 2) < params.flat_abs_grade
    s["flat_length_m"] = float(np.diff(x)[flat].sum())

    if has_time:
        # Time-based values use the segments and steps that have times (all of them unless the file's
        # time stamps start late or stop early); lengths above stay complete.
        dl, dd, ddrop, dgad = _timed(d)
        cl, cd, _, cgad = _timed(c)
        s["descent_time_s"] = dd if len(d) == 0 or dd > 0 else np.nan
        s["climb_time_s"] = cd if len(c) == 0 or cd > 0 else np.nan
        s["descent_speed_mps"] = _ratio(dl, dd)
        # Segment GAP speeds are grade-adjusted distance / time, so the run value is sum(GAD) / sum(time).
        s["descent_gap_speed_mps"] = _ratio(dgad, dd)
        s["climb_gap_speed_mps"] = _ratio(cgad, cd)
        s["vertical_descent_rate_m_per_h"] = _ratio(ddrop, dd, 3600.0)
        dmov = np.diff(profile["moving_s"].to_numpy(dtype=float))
        flat_timed = flat & np.isfinite(dmov)
        flat_timed_length = float(np.diff(x)[flat_timed].sum())
        if flat_timed_length >= params.min_flat_length_m:
            s["flat_speed_mps"] = _ratio(flat_timed_length, float(dmov[flat_timed].sum()))
        s["uphill_pace_s_per_km"] = _ratio(cd, cl, 1000.0)
        s["downhill_pace_s_per_km"] = _ratio(dd, dl, 1000.0)
        # Kay (2014): uphill pace / downhill pace; higher = relatively better descender.
        s["kay_ratio"] = _ratio(s["uphill_pace_s_per_km"], s["downhill_pace_s_per_km"])
    return s


def analyze_run(samples: pd.DataFrame, params: TerrainParams | None = None) -> RunTerrain:
    """Profile, descent and climb segments, and a terrain summary of one run.

    Parameters
    ----------
    samples : pandas.DataFrame
        One activity's samples (columns as for :func:`resample_by_distance`).
    params : TerrainParams, optional
        Defaults to ``TerrainParams()``.

    Returns
    -------
    RunTerrain
        ``summary`` has the keys :data:`SUMMARY_KEYS`:

        * ``distance_m`` (m, full length, not cut to the grid), ``moving_time_s`` (s);
        * ``ascent_m``, ``descent_m`` — hysteresis totals on the smoothed altitude, m;
        * ``descent_length_m``, ``descent_drop_m``, ``descent_time_s`` — sums over descent segments (m, m,
          s); ``descent_speed_mps`` = length / time; ``descent_gap_speed_mps`` — time-weighted
          grade-adjusted speed; ``mean_descent_grade`` — length-weighted (= −drop / length);
          ``vertical_descent_rate_m_per_h``; ``descent_length_{moderate,steep,very_steep}_m``;
        * ``flat_speed_mps`` — moving speed on steps with |grade| < ``flat_abs_grade``, NaN when they add up
          to less than ``min_flat_length_m``; ``flat_length_m``;
        * ``climb_length_m``, ``climb_time_s``, ``climb_gap_speed_mps``;
        * ``uphill_pace_s_per_km``, ``downhill_pace_s_per_km`` on climb and descent segments, and
          ``kay_ratio`` = uphill pace / downhill pace (Kay 2014).

        Missing inputs give NaN, never an exception: without times every time-based value is NaN; without
        altitude everything but distance and moving time is NaN; fewer than two samples give all NaN.
        A run with altitude but no descent has ``descent_length_m`` = 0 and NaN speeds. When time stamps
        cover only part of the track (but at least half its distance), times, speeds and paces come from
        the segments and flat steps inside the stamped part, while lengths and drops cover the whole run.

    References
    ----------
    Kay A (2014). Importance of descending skill for performance in fell races: a statistical analysis of
    race results. J Quant Anal Sports 10:173–181.
    """
    params = params or TerrainParams()
    track = _clean_track(samples, params) if len(samples) >= 2 else None
    if track is None:
        profile = pd.DataFrame({c: pd.Series(dtype=float) for c in PROFILE_COLUMNS})
        return RunTerrain(profile, empty_segments(), dict.fromkeys(SUMMARY_KEYS, np.nan), params)
    profile = _profile_from_track(track, params)
    parts = [p for p in (find_segments(profile, params, "descent"), find_segments(profile, params, "climb"))
             if len(p)]
    segments = (pd.concat(parts, ignore_index=True).sort_values("start_m", kind="stable", ignore_index=True)
                if parts else empty_segments())
    summary = _summary(profile, segments, track.total_distance_m, track.total_moving_s, params)
    return RunTerrain(profile, segments, summary, params)
