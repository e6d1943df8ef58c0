"""One run's terrain analysis: profile, segments and the summary the ``runs`` table is built from."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .params import TerrainParams
from .profile import PROFILE_COLUMNS, _frame, _profile_arrays, empty_profile
from .segments import ascent_descent, empty_segments, segment_arrays, segments_frame
from .track import _clean_track, _Track

#: Keys of :attr:`RunTerrain.summary`, in order. Units are in the names; ``altitude_quality`` is text.
SUMMARY_KEYS: tuple[str, ...] = (
    "distance_m",
    "moving_time_s",
    "ascent_m",
    "descent_m",
    "device_ascent_m",
    "device_descent_m",
    "altitude_quality",
    "altitude_step_m",
    "descent_length_m",
    "descent_drop_m",
    "descent_time_s",
    "descent_speed_mps",
    "descent_gap_speed_mps",
    "mean_descent_grade",
    "vertical_descent_rate_m_per_h",
    "descent_length_moderate_m",
    "descent_length_steep_m",
    "descent_length_very_steep_m",
    "flat_speed_mps",
    "flat_length_m",
    "climb_length_m",
    "climb_gain_m",
    "climb_time_s",
    "climb_speed_mps",
    "climb_gap_speed_mps",
    "vertical_climb_rate_m_per_h",
    "climb_index",
    "uphill_pace_s_per_km",
    "downhill_pace_s_per_km",
    "kay_ratio",
)
#: Values of ``summary["altitude_quality"]``, best first.
ALTITUDE_QUALITY: tuple[str, ...] = ("good", "gps_only", "unverified", "corrected", "sparse", "none")


@dataclass
class RunTerrain:
    """Terrain analysis of one run.

    Attributes
    ----------
    profile : pandas.DataFrame
        Regular distance profile (see :func:`resample_by_distance`). Built on first access: a caller that
        needs only segments and summary (the warehouse) does not pay for it.
    segments : pandas.DataFrame
        Descents and climbs together, sorted by ``start_m`` (see :func:`find_segments`).
    summary : dict[str, float | str]
        Run-level metrics, keys :data:`SUMMARY_KEYS` (see :func:`analyze_run`).
    params : TerrainParams
        The parameters that produced it.
    """

    profile_arrays: dict = field(repr=False)
    segments: pd.DataFrame
    summary: dict
    params: TerrainParams = field(default_factory=TerrainParams)
    _profile: pd.DataFrame | None = field(default=None, repr=False, compare=False)

    @property
    def profile(self) -> pd.DataFrame:
        if self._profile is None:
            a = self.profile_arrays
            self._profile = _frame(a, PROFILE_COLUMNS) if a and a["distance_m"].size else empty_profile()
        return self._profile


def _ratio(num: float, den: float, scale: float = 1.0) -> float:
    return float(num / den * scale) if np.isfinite(num) and np.isfinite(den) and den > 0 else np.nan


def _altitude_quality(track: _Track | None, has_alt: bool, params: TerrainParams) -> str:
    if track is None or not has_alt:
        return "none"
    if track.altitude_gap_m > params.min_length_m:
        return "sparse"  # a whole segment could hide between two altitude fixes
    if track.altitude_step_m > 0:
        return "corrected"
    return {"barometric": "good", "dem": "good", "gps": "gps_only"}.get(params.altitude_source, "unverified")


def _reference(reference: Mapping | None, key: str) -> float:
    if reference is None:
        return np.nan
    try:
        value = float(reference.get(key, np.nan))
    except (TypeError, ValueError):
        return np.nan
    return value if np.isfinite(value) else np.nan


def _kind_totals(seg: dict | None, kind: str) -> tuple[float, float, float, float, float, float]:
    """Count-free totals of one kind: length, ``|drop|`` (m), and over timed segments length, time, ``|drop|``, GAD."""
    if seg is None:
        return 0.0, 0.0, 0.0, 0.0, 0.0, 0.0
    m = seg["kind"] == kind
    length, drop, dur = seg["length_m"][m], np.abs(seg["drop_m"][m]), seg["duration_s"][m]
    t = dur > 0
    return (
        float(length.sum()),
        float(drop.sum()),
        float(length[t].sum()),
        float(dur[t].sum()),
        float(drop[t].sum()),
        float((seg["gap_speed_mps"][m][t] * dur[t]).sum()),
    )


def _summary(prof: dict, seg: dict | None, track: _Track, params: TerrainParams, reference: Mapping | None) -> dict:
    s: dict = dict.fromkeys(SUMMARY_KEYS, np.nan)
    s["distance_m"] = track.total_distance_m
    s["moving_time_s"] = track.total_moving_s
    s["device_ascent_m"] = _reference(reference, "device_ascent_m")
    s["device_descent_m"] = _reference(reference, "device_descent_m")
    alt = prof["altitude_m"]
    has_alt = alt.size >= 2 and bool(np.isfinite(alt).all())
    s["altitude_quality"] = _altitude_quality(track, has_alt, params)
    if not has_alt:
        return s  # every other metric needs altitude
    s["altitude_step_m"] = track.altitude_step_m
    s["ascent_m"], s["descent_m"] = ascent_descent(alt, params.hysteresis_m)
    has_time = bool(np.isfinite(track.total_moving_s))

    d_len, d_drop, dl, dd, ddrop, dgad = _kind_totals(seg, "descent")
    c_len, c_gain, cl, cd, cgain, cgad = _kind_totals(seg, "climb")
    s["descent_length_m"], s["descent_drop_m"] = d_len, d_drop
    s["mean_descent_grade"] = _ratio(-d_drop, d_len)
    for cls in ("moderate", "steep", "very_steep"):
        s[f"descent_length_{cls}_m"] = (
            0.0 if seg is None else float(seg["length_m"][(seg["kind"] == "descent") & (seg["steepness"] == cls)].sum())
        )
    s["climb_length_m"], s["climb_gain_m"] = c_len, c_gain

    # Flat reference: profile steps whose mean end-point grade is within ±flat_abs_grade.
    g = prof["grade"]
    dx = np.diff(prof["distance_m"])
    flat = np.abs(g[:-1] + g[1:]) < 2 * params.flat_abs_grade
    s["flat_length_m"] = float(dx[flat].sum())

    if has_time:
        # Time-based values use the segments and steps that have times (all of them unless the file's
        # time stamps start late or stop early); lengths above stay complete.
        n_desc = 0 if seg is None else int((seg["kind"] == "descent").sum())
        n_climb = 0 if seg is None else int((seg["kind"] == "climb").sum())
        s["descent_time_s"] = dd if n_desc == 0 or dd > 0 else np.nan
        s["climb_time_s"] = cd if n_climb == 0 or cd > 0 else np.nan
        s["descent_speed_mps"] = _ratio(dl, dd)
        s["climb_speed_mps"] = _ratio(cl, cd)
        # Segment GAP speeds are grade-adjusted distance / time, so the run value is sum(GAD) / sum(time).
        s["descent_gap_speed_mps"] = _ratio(dgad, dd)
        s["climb_gap_speed_mps"] = _ratio(cgad, cd)
        s["vertical_descent_rate_m_per_h"] = _ratio(ddrop, dd, 3600.0)
        s["vertical_climb_rate_m_per_h"] = _ratio(cgain, cd, 3600.0)
        dmov = np.diff(prof["moving_s"])
        flat_timed = flat & np.isfinite(dmov)
        flat_timed_length = float(dx[flat_timed].sum())
        if flat_timed_length >= params.min_flat_length_m:
            s["flat_speed_mps"] = _ratio(flat_timed_length, float(dmov[flat_timed].sum()))
        s["climb_index"] = _ratio(s["climb_gap_speed_mps"], s["flat_speed_mps"])
        s["uphill_pace_s_per_km"] = _ratio(cd, cl, 1000.0)
        s["downhill_pace_s_per_km"] = _ratio(dd, dl, 1000.0)
        # Kay (2014): uphill pace / downhill pace; higher = relatively better descender.
        s["kay_ratio"] = _ratio(s["uphill_pace_s_per_km"], s["downhill_pace_s_per_km"])
    return s


def analyze_run(
    samples: pd.DataFrame, params: TerrainParams | None = None, *, reference: Mapping | None = None
) -> RunTerrain:
    """Profile, descent and climb segments, and a terrain summary of one run.

    Parameters
    ----------
    samples : pandas.DataFrame
        One activity's samples (columns as for :func:`resample_by_distance`).
    params : TerrainParams, optional
        Defaults to ``TerrainParams()``; ``TerrainParams.for_altitude_source(source)`` picks the preset for
        where the altitude came from and records it for ``altitude_quality``.
    reference : Mapping, optional
        The device's or export's own totals, kept beside ours for comparison: ``device_ascent_m`` and
        ``device_descent_m`` (m), e.g. the activity's row of the ``activities`` table. Missing keys or
        values give NaN.

    Returns
    -------
    RunTerrain
        ``summary`` has the keys :data:`SUMMARY_KEYS`:

        * ``distance_m`` (m, full length, not cut to the grid), ``moving_time_s`` (s);
        * ``ascent_m``, ``descent_m`` — hysteresis totals on the smoothed altitude, m, and
          ``device_ascent_m``, ``device_descent_m`` from ``reference`` (m);
        * ``altitude_quality`` — one of :data:`ALTITUDE_QUALITY`: ``"none"`` (no altitude), ``"sparse"``
          (two altitude fixes more than ``min_length_m`` apart, so segments may be missed), ``"corrected"``
          (an altitude level shift was taken out; ``altitude_step_m`` says how much, m), else by
          ``params.altitude_source``: ``"good"`` (barometric or DEM), ``"gps_only"`` (GPS altitude,
          smoothed harder by the GPS preset: totals and grades are less certain), ``"unverified"`` (unknown);
        * ``descent_length_m``, ``descent_drop_m``, ``descent_time_s`` — sums over descent segments (m, m,
          s); ``descent_speed_mps`` = length / time; ``descent_gap_speed_mps`` — time-weighted
          grade-adjusted speed (the DPI numerator); ``mean_descent_grade`` — length-weighted
          (= −drop / length); ``vertical_descent_rate_m_per_h``; ``descent_length_{moderate,steep,very_steep}_m``;
        * ``flat_speed_mps`` — moving speed on steps with ``|grade|`` < ``flat_abs_grade`` (the DPI
          denominator when the run has one), NaN when they add up to less than ``min_flat_length_m``;
          ``flat_length_m``;
        * ``climb_length_m``, ``climb_gain_m``, ``climb_time_s``, ``climb_speed_mps``,
          ``climb_gap_speed_mps``, ``vertical_climb_rate_m_per_h``, and ``climb_index`` = climb GAP speed ÷
          the run's flat speed (climbing performance, H3);
        * ``uphill_pace_s_per_km``, ``downhill_pace_s_per_km`` on climb and descent segments, and
          ``kay_ratio`` = uphill pace / downhill pace (Kay 2014).

        Missing inputs give NaN, never an exception: without times every time-based value is NaN; without
        altitude everything but distance, moving time, device totals and ``altitude_quality`` is NaN;
        fewer than two samples give NaN and ``"none"``. A run with altitude but no descent has
        ``descent_length_m`` = 0 and NaN speeds. When time stamps cover only part of the track (but at
        least half its distance), times, speeds and paces come from the segments and flat steps inside the
        stamped part, while lengths and drops cover the whole run.

    References
    ----------
    Kay A (2014). Importance of descending skill for performance in fell races: a statistical analysis of
    race results. J Quant Anal Sports 10:173–181.
    """
    params = params or TerrainParams()
    track = _clean_track(samples, params) if len(samples) >= 2 else None
    prof = _profile_arrays(track, params) if track is not None else None
    if prof is None or prof["distance_m"].size == 0:
        summary = dict.fromkeys(SUMMARY_KEYS, np.nan)
        summary.update(
            altitude_quality="none",
            device_ascent_m=_reference(reference, "device_ascent_m"),
            device_descent_m=_reference(reference, "device_descent_m"),
        )
        if track is not None:
            summary.update(distance_m=track.total_distance_m, moving_time_s=track.total_moving_s)
        return RunTerrain({}, empty_segments(), summary, params)
    seg = segment_arrays(prof, params)
    summary = _summary(prof, seg, track, params, reference)
    return RunTerrain(prof, segments_frame(seg), summary, params)
