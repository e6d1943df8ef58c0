"""The sport of an activity whose file names none, inferred from the movement itself (issue 14, item 3).

Many GPX exports (Garmin Connect's among them) carry no sport; the reader then says ``unknown`` and the
activity would drop out of every running analysis. :func:`infer_sport` reads one activity's samples (the
``samples`` table's columns) and answers ``running``, ``hiking``, ``walking``, ``cycling``, ``other`` or
``unknown``, with a confidence and a one-line evidence string. The caller stores ``sport_source =
"inferred"``; ``untyped_sport`` in ``athlete.toml`` still wins (:func:`infer_activity_sport` leaves such rows
alone).

How it decides (every threshold is a field of :class:`SportRules`):

1. **Usable times.** Only samples with a time stamp are used. Fewer than 5 minutes of stamped recording, or no
   distance or positions, cannot be inferred: ``unknown``, and the evidence says why. Stamped, but moving for
   less than 5 minutes or 500 m: ``other`` (stationary).
2. **Pace for the grade.** The track is put on the terrain step's 10-m distance grid (pauses out, jumps only
   above 25 m/s so rides keep their speed) and each step's speed is divided by Tobler's (1993) hiking speed on
   its grade, ``6·exp(−3.5·|g + 0.05|)`` km/h (5.0 km/h on the flat, 2.1 km/h up 25 %, 3.0 km/h down 25 %). A
   step at ≥ 1.4 × that is *at running pace*: 2.0 m/s on the flat, the walk–run transition speed (Hreljac 1993,
   J Biomech 26:63: 2.0–2.1 m/s). Dividing by the grade's hiking speed is what lets a mountain run with walked
   climbs count as a run: what matters is how much faster than a hiker it went, uphill and down.
3. **Cadence**, when it covers ≥ 50 % of the moving time. FIT, TCX and GPX store running cadence per foot
   (strides/min, 70–100 when running, 45–65 when walking) and cycling cadence as crank rpm (60–110); a median
   above 130 is read as steps/min and halved. The *cycle length* speed ÷ (cadence/60) separates the gaits:
   about 1–2.6 m per stride when running or walking, ≥ 3.5 m per crank turn when riding, and 2.2–4 m at
   cadences under 60 when gliding (cross-country skiing, skating).
4. **Decision**, first match wins:

   * glide cadence (median < 60, cycle length ≥ 2.2 m, < 25 % of the time at ≥ 70 strides/min) → ``other``;
   * median speed ≥ 4.5 m/s or 90th percentile ≥ 7.5 m/s (faster than the 10-km world record pace of
     6.3 m/s for a tenth of the time), or pedalling cycle length → ``cycling``;
   * ≥ 5 % of the moving time above 5.5 m/s (19.8 km/h) but not a ride → ``other`` (mixed: part of it in a
     vehicle or on a bike);
   * with cadence: ≥ 25 % of the time at ≥ 70 strides/min → ``running``; without: ≥ 25 % of the time at
     running pace for the grade → ``running``. Run–walk intervals and trail runs that hike the climbs stay
     above a quarter; hikes stay far below (the real hike in ``realdata`` has 2 %);
   * mountain effort: climbing ≥ 700 m/h or descending ≥ 1,000 m/h over ≥ 10 minutes of ≥ 10 % grades (a
     hiker by Tobler climbs ~500 m/h and descends ~700 m/h on such grades) → ``running``;
   * otherwise on foot: ``hiking`` when the track climbs ≥ 25 m per km, else ``walking``.

**Confidence** is ``0.5 + 0.5·tanh(|x − threshold| / scale)`` of the feature that decided (scale 0.1 for
shares, 1 m/s for speeds, 0.5 m for cycle lengths, 200 m/h for vertical rates, 250 m for distance): 0.5 on the
threshold, → 1 far from it. When cadence and pace disagree (cadence decides), the margin is halved. ``unknown``
has confidence 0.

Validated on every real activity file in ``../shared/realdata`` whose sport is known:
``benchmarks/validate_sport_inference.py`` prints the confusion table (19 of 19 inferred activities right, 9
too short or without times left ``unknown``). Limits it shows: from positions and times alone (no cadence),
cross-country skiing at 2.2 m/s is indistinguishable from running, and slow pedalling below 60 rpm from
gliding; a recording under 5 minutes is never inferred.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from trailstrength import clean, terrain

UNKNOWN = "unknown"
#: sports the reader writes for a file that names none (the only ones inferred)
UNTYPED_SPORTS = (UNKNOWN,)
ON_FOOT = ("running", "hiking", "walking")


@dataclass(frozen=True)
class SportRules:
    """Thresholds of :func:`infer_sport` (SI units; shares are of the moving time). See the module docstring."""

    min_recording_s: float = 300.0
    min_moving_s: float = 300.0
    min_distance_m: float = 500.0
    jump_speed_mps: float = 25.0  # above this a sample interval is a GPS jump (the terrain default 8 m/s cuts rides)
    run_pace_ratio: float = 1.4  # x Tobler's hiking speed on the grade
    run_share: float = 0.25
    cadence_coverage: float = 0.5
    steps_per_min_above: float = 130.0  # a median cadence above this is steps/min: halved
    run_cadence: float = 70.0  # strides (per foot) per minute
    glide_cadence: float = 60.0
    glide_cycle_m: float = 2.2
    pedal_cycle_m: float = 3.5
    pedal_min_speed_mps: float = 3.0
    cycling_median_mps: float = 4.5
    cycling_p90_mps: float = 7.5
    vehicle_speed_mps: float = 5.5
    vehicle_share: float = 0.05
    steep_grade: float = 0.10
    min_steep_s: float = 600.0
    run_climb_m_per_h: float = 700.0
    run_descent_m_per_h: float = 1000.0
    hilly_m_per_km: float = 25.0


@dataclass(frozen=True)
class SportGuess:
    """What :func:`infer_sport` concluded: the sport, a confidence in [0, 1], the evidence and the features."""

    sport: str
    confidence: float
    evidence: str
    features: dict = field(default_factory=dict, compare=False)


def tobler_speed_mps(grade) -> np.ndarray:
    """Tobler's (1993) hiking speed on a grade (fraction), m/s: ``6·exp(−3.5·|g + 0.05|)`` km/h."""
    return 6.0 / 3.6 * np.exp(-3.5 * np.abs(np.asarray(grade, dtype=float) + 0.05))


def _quantile(x: np.ndarray, w: np.ndarray, q: float) -> float:
    """Weighted quantile (the value below which a share ``q`` of the weight lies); NaN without weight."""
    ok = np.isfinite(x) & (w > 0)
    if not ok.any():
        return np.nan
    order = np.argsort(x[ok])
    xs, cw = x[ok][order], np.cumsum(w[ok][order])
    return float(xs[min(np.searchsorted(cw, q * cw[-1]), xs.size - 1)])


def _margin(x: float, threshold: float, scale: float) -> float:
    return float(0.5 + 0.5 * np.tanh(abs(x - threshold) / scale)) if np.isfinite(x) else 0.5


def _share(mask: np.ndarray, w: np.ndarray) -> float:
    total = w.sum()
    return float(w[mask].sum() / total) if total > 0 else np.nan


def _grid_features(timed: pd.DataFrame, params: terrain.TerrainParams, rules: SportRules) -> dict:
    """Speed, pace-for-the-grade and vertical features on the terrain step's distance grid."""
    prof = terrain.resample_by_distance(timed, params)
    out = {"moving_s": 0.0, "distance_m": 0.0}
    if len(prof) < 2 or prof["moving_s"].isna().all():
        return out
    dt = np.diff(prof["moving_s"].to_numpy(float))
    dx = np.diff(prof["distance_m"].to_numpy(float))
    grade = prof["grade"].to_numpy(float)[1:]
    dh = np.diff(prof["altitude_m"].to_numpy(float))
    w = np.where(np.isfinite(dt) & (dt > 0), dt, 0.0)
    v = np.divide(dx, dt, out=np.full(dx.size, np.nan), where=w > 0)
    pace_ratio = v / tobler_speed_mps(np.nan_to_num(grade))  # no altitude: judged as flat
    up, down = grade >= rules.steep_grade, grade <= -rules.steep_grade
    ascent, _ = terrain.ascent_descent(prof["altitude_m"].to_numpy(float))
    out.update(
        moving_s=float(w.sum()),
        distance_m=float(dx[w > 0].sum()),
        speed_p50_mps=_quantile(v, w, 0.5),
        speed_p90_mps=_quantile(v, w, 0.9),
        run_pace_share=_share(pace_ratio >= rules.run_pace_ratio, w),
        vehicle_share=_share(v >= rules.vehicle_speed_mps, w),
        steep_up_s=float(w[up].sum()),
        steep_down_s=float(w[down].sum()),
        climb_m_per_h=float(np.nansum(dh[up & (w > 0)]) / w[up].sum() * 3600) if w[up].sum() > 0 else np.nan,
        descent_m_per_h=float(-np.nansum(dh[down & (w > 0)]) / w[down].sum() * 3600) if w[down].sum() > 0 else np.nan,
        ascent_m_per_km=float(ascent / (prof["distance_m"].iloc[-1] / 1000.0)) if np.isfinite(ascent) else np.nan,
    )
    return out


def _cadence_features(timed: pd.DataFrame, params: terrain.TerrainParams, rules: SportRules) -> dict:
    """Cadence coverage, median, cycle length and share at running cadence, over the moving samples."""
    t = timed["elapsed_s"].to_numpy(float)
    dist = timed["distance_m"].to_numpy(float)
    moving = terrain.moving_mask(t, dist, params, timed["altitude_m"].to_numpy(float))
    dt = np.diff(t, append=np.nan)
    # the interval after each sample, while moving; long gaps (a stopped recording) carry no weight
    w = np.where(np.isfinite(dt) & (dt > 0) & (dt <= 60) & moving, dt, 0.0)
    cad = timed["cadence"].to_numpy(float) if "cadence" in timed else np.full(t.size, np.nan)
    has = np.isfinite(cad) & (cad > 0) & (w > 0)
    out = {"cadence_coverage": _share(has, w) if w.sum() > 0 else 0.0}
    if not has.any():
        return out
    median = _quantile(cad[has], w[has], 0.5)
    halved = median > rules.steps_per_min_above
    cad = cad / 2.0 if halved else cad
    speed = timed["speed_mps"].to_numpy(float)
    cycle = np.divide(speed * 60.0, cad, out=np.full(t.size, np.nan), where=has)
    out.update(
        cadence_p50=median / 2.0 if halved else median,
        cadence_halved=bool(halved),
        cycle_length_p50_m=_quantile(cycle[has], w[has], 0.5),
        run_gait_share=_share(cad[has] >= rules.run_cadence, w[has]),
    )
    return out


def movement_features(
    samples: pd.DataFrame, *, altitude_source: str | None = None, rules: SportRules = SportRules()
) -> dict:
    """The features :func:`infer_sport` decides on, from one activity's samples (see the module docstring).

    Keys: ``n_points``, ``n_timed``, ``recording_s`` (span of the stamped samples, s), ``moving_s`` (s),
    ``distance_m`` (m, moving), ``speed_p50_mps`` / ``speed_p90_mps`` (time-weighted, m/s),
    ``run_pace_share`` and ``vehicle_share`` (0–1 of the moving time), ``steep_up_s`` / ``steep_down_s`` (s on
    grades ≥ 10 % / ≤ −10 %), ``climb_m_per_h`` / ``descent_m_per_h`` (vertical rate there), ``ascent_m_per_km``,
    and with cadence ``cadence_coverage`` (0–1), ``cadence_p50`` (per foot or crank rpm), ``cycle_length_p50_m``
    and ``run_gait_share`` (0–1). Missing values are NaN.
    """
    part = clean.clean_samples(samples.reset_index(drop=True))
    t = part["elapsed_s"].to_numpy(float)
    timed = part[np.isfinite(t)].reset_index(drop=True)
    feats = {
        "n_points": len(part),
        "n_timed": len(timed),
        "recording_s": float(np.ptp(timed["elapsed_s"])) if len(timed) >= 2 else 0.0,
        "has_distance": bool(part["distance_m"].notna().sum() >= 2),
    }
    if len(timed) < 2 or not feats["has_distance"]:
        return feats
    params = terrain.TerrainParams.for_altitude_source(altitude_source, jump_speed_mps=rules.jump_speed_mps)
    feats.update(_grid_features(timed, params, rules))
    feats.update(_cadence_features(timed, params, rules))
    return feats


def _pct(x: float) -> str:
    return f"{100 * x:.0f} %"


def _describe(f: dict, rules: SportRules) -> str:
    """The common tail of the evidence: how long, how fast, how steep."""
    parts = [
        f"{f['moving_s'] / 60:.0f} min moving, {f['distance_m'] / 1000:.1f} km, median {f['speed_p50_mps']:.2f} m/s"
    ]
    if f.get("steep_up_s", 0) >= rules.min_steep_s:
        parts.append(f"climbs {f['climb_m_per_h']:,.0f} m/h")
    if f.get("steep_down_s", 0) >= rules.min_steep_s:
        parts.append(f"descents {f['descent_m_per_h']:,.0f} m/h")
    if f.get("cadence_coverage", 0) > 0 and np.isfinite(f.get("cadence_p50", np.nan)):
        parts.append(f"cadence {f['cadence_p50']:.0f}/min" + (" (steps, halved)" if f.get("cadence_halved") else ""))
    return "; ".join(parts)


def _not_inferable(f: dict, rules: SportRules) -> SportGuess | None:
    """``unknown`` / stationary ``other`` before any movement rule applies."""
    if f["n_timed"] < 2 or f["recording_s"] < rules.min_recording_s:
        span = f"{f['recording_s'] / 60:.1f} min"
        why = (
            f"no usable times: {f['n_timed']} of {f['n_points']} points have a time ({span})"
            if f["n_timed"] < 2 or f["n_timed"] < f["n_points"] / 2
            else f"too short to tell: {span} recorded"
        )
        return SportGuess(UNKNOWN, 0.0, why, f)
    if not f["has_distance"]:
        return SportGuess(UNKNOWN, 0.0, "no positions, distance or speed recorded", f)
    if f["moving_s"] < rules.min_moving_s or f["distance_m"] < rules.min_distance_m:
        return SportGuess(
            "other",
            _margin(f["distance_m"], rules.min_distance_m, 250.0),
            f"stationary: moved {f['distance_m']:.0f} m in {f['moving_s'] / 60:.1f} min "
            f"of {f['recording_s'] / 60:.0f} min recorded",
            f,
        )
    return None


def _decide(f: dict, r: SportRules) -> tuple[str, float, str]:
    """Sport, confidence and the deciding evidence for a moving activity (rules in the module docstring)."""
    cad = f.get("cadence_coverage", 0.0) >= r.cadence_coverage and np.isfinite(f.get("cycle_length_p50_m", np.nan))
    cycle, gait = f.get("cycle_length_p50_m", np.nan), f.get("run_gait_share", np.nan)
    if cad and f["cadence_p50"] < r.glide_cadence and cycle >= r.glide_cycle_m and gait < r.run_share:
        return (
            "other",
            _margin(cycle, r.glide_cycle_m, 0.5),
            (f"gliding: {cycle:.1f} m per cycle at {f['cadence_p50']:.0f}/min (skiing or skating, not a gait)"),
        )
    if cad and cycle >= r.pedal_cycle_m and f["speed_p50_mps"] >= r.pedal_min_speed_mps:
        return "cycling", _margin(cycle, r.pedal_cycle_m, 0.5), f"pedalling: {cycle:.1f} m per crank turn"
    fast = f["speed_p50_mps"] >= r.cycling_median_mps or f["speed_p90_mps"] >= r.cycling_p90_mps
    if fast and not (cad and gait >= r.run_share):
        conf = max(
            _margin(f["speed_p50_mps"], r.cycling_median_mps, 1.0), _margin(f["speed_p90_mps"], r.cycling_p90_mps, 1.0)
        )
        return (
            "cycling",
            conf,
            (f"ride speeds: median {f['speed_p50_mps']:.1f} m/s, 90th percentile {f['speed_p90_mps']:.1f} m/s"),
        )
    if f["vehicle_share"] >= r.vehicle_share:
        return (
            "other",
            _margin(f["vehicle_share"], r.vehicle_share, 0.1),
            (
                f"mixed: {_pct(f['vehicle_share'])} of the moving time faster than {r.vehicle_speed_mps * 3.6:.0f} km/h "  # noqa: E501
                "(a vehicle or a bike) beside slow stretches"
            ),
        )
    pace = f["run_pace_share"]
    pace_says_run = pace >= r.run_share
    if cad:
        says_run = gait >= r.run_share
        conf = _margin(gait, r.run_share, 0.1)
        conf = conf if says_run == pace_says_run else 0.5 + (conf - 0.5) / 2
        why = f"{_pct(gait)} of the time at ≥ {r.run_cadence:.0f} strides/min (running pace for the grade {_pct(pace)})"
    else:
        says_run, conf = pace_says_run, _margin(pace, r.run_share, 0.1)
        why = f"{_pct(pace)} of the time at running pace for the grade (≥ {r.run_pace_ratio} × Tobler hiking speed)"
    if says_run:
        return "running", conf, why
    climb = f["climb_m_per_h"] if f["steep_up_s"] >= r.min_steep_s else np.nan
    descent = f["descent_m_per_h"] if f["steep_down_s"] >= r.min_steep_s else np.nan
    if climb >= r.run_climb_m_per_h or descent >= r.run_descent_m_per_h:
        conf = max(
            _margin(climb, r.run_climb_m_per_h, 200.0) if climb >= r.run_climb_m_per_h else 0.5,
            _margin(descent, r.run_descent_m_per_h, 200.0) if descent >= r.run_descent_m_per_h else 0.5,
        )
        return "running", conf, f"mountain running effort ({why}, but steep grades at race pace)"
    hilly = f.get("ascent_m_per_km", np.nan) >= r.hilly_m_per_km
    return (
        ("hiking" if hilly else "walking"),
        conf,
        why
        + (f"; ascent {f['ascent_m_per_km']:.0f} m per km" if np.isfinite(f.get("ascent_m_per_km", np.nan)) else ""),
    )


def infer_sport(
    samples: pd.DataFrame, *, altitude_source: str | None = None, rules: SportRules = SportRules()
) -> SportGuess:
    """Infer one activity's sport from its samples.

    Parameters
    ----------
    samples : pandas.DataFrame
        One activity's samples in recording order (columns of the ``samples`` table: ``elapsed_s`` s,
        ``distance_m`` m, ``lat``/``lon`` degrees, ``altitude_m`` m, ``cadence`` per foot or rpm,
        ``speed_mps`` m/s; missing columns are read as empty). Raw reader output or stored samples.
    altitude_source : str, optional
        ``activities.altitude_source``; ``"gps"`` selects the terrain step's GPS smoothing.
    rules : SportRules
        Thresholds.

    Returns
    -------
    SportGuess
        ``sport`` (``running``, ``hiking``, ``walking``, ``cycling``, ``other`` or ``unknown``),
        ``confidence`` (0–1; 0 for unknown), ``evidence`` (one line, e.g. ``"running: 54 % of the time at
        running pace for the grade ...; 300 min moving, 23.4 km ..."``) and the ``features``.

    Examples
    --------
    >>> from trailstrength.simulate.runs import synthetic_run
    >>> infer_sport(synthetic_run("plateau", flat_speed_mps=3.0).samples).sport
    'running'
    """
    cols = ["elapsed_s", "distance_m", "lat", "lon", "altitude_m", "heart_rate", "cadence", "speed_mps"]
    samples = samples.reindex(columns=list(dict.fromkeys([*samples.columns, *cols])))
    f = movement_features(samples, altitude_source=altitude_source, rules=rules)
    early = _not_inferable(f, rules)
    if early is not None:
        return early
    sport, conf, why = _decide(f, rules)
    return SportGuess(sport, round(conf, 3), f"{sport}: {why}; {_describe(f, rules)}", f)


def infer_activity_sport(activity: Mapping, samples: pd.DataFrame, *, rules: SportRules = SportRules()) -> dict:
    """Columns to update on one ``activities`` row whose file named no sport; ``{}`` for any other row.

    A row is inferred when its ``sport`` is in :data:`UNTYPED_SPORTS` and its ``sport_source`` is ``"file"``
    (``athlete.toml``'s ``untyped_sport`` has already set the sport otherwise, and wins). Returns ``sport`` (the
    guess; stays ``unknown`` when nothing can be inferred), ``sport_source`` (``"inferred"`` when a sport was
    found), ``sport_confidence`` (0–1) and ``sport_evidence`` (one line).
    """
    if activity.get("sport") not in UNTYPED_SPORTS or activity.get("sport_source", "file") != "file":
        return {}
    guess = infer_sport(samples, altitude_source=activity.get("altitude_source"), rules=rules)
    return {
        "sport": guess.sport,
        "sport_source": "inferred" if guess.sport != UNKNOWN else "file",
        "sport_confidence": guess.confidence,
        "sport_evidence": guess.evidence,
    }


__all__ = [
    "ON_FOOT",
    "UNKNOWN",
    "UNTYPED_SPORTS",
    "SportGuess",
    "SportRules",
    "infer_activity_sport",
    "infer_sport",
    "movement_features",
    "tobler_speed_mps",
]
