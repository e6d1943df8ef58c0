"""Synthetic runs over courses of known geometry: terrain validation runs and the simulated cohort's courses.

Validation runs (:func:`synthetic_run`): a course is a sequence of straight legs ``(horizontal length m, grade
fraction)``. The runner keeps an equal effort on Strava's curve (speed = flat speed / gap factor), so every
segment's true grade-adjusted speed is the flat speed. Altitude noise is an AR(1) process (correlated, as GPS and
barometric errors are) plus optional spikes; pauses and GPS jumps can be planted. Used by ``tests/test_terrain.py``
and ``benchmarks/validate_terrain.py``; :func:`score_segments` scores detected segments against the true ones.

Cohort courses (:class:`Course`, :func:`random_course`, :func:`course_track`): loops of piecewise-constant grades
per metre on a smooth wandering path, run at a planted descent and climb performance index, written as 1-Hz
tracks with GPS and barometric noise by :func:`trailstrength.simulate.simulate_cohort` and summarised (without
noise) by the panel twin :mod:`trailstrength.simulate.panels`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.signal import lfilter

from trailstrength.terrain import EmpiricalGap, TerrainParams, gap_factor
from trailstrength.units import EARTH_RADIUS_M

EARTH_M_PER_DEG = 111_320.0  # metres per degree of latitude, for placing cohort tracks
CLIMB_FACTOR = 0.97  # climb GAP speed / flat speed without hinge training
COURSE_KINDS = ("flat", "hill", "mountain", "rolling", "hill")  # each simulated athlete's five courses, in order


@dataclass(frozen=True)
class Course:
    """A simulated athlete's course: ``grades`` per metre of horizontal distance (fraction) and ``xy`` (n, 2),
    metres east and north at each metre."""

    name: str
    grades: np.ndarray
    xy: np.ndarray

    @property
    def descent_m(self) -> float:
        """True total descent, m."""
        return float(-np.sum(np.minimum(self.grades, 0)))


def random_course(rng: np.random.Generator, kind: str, name: str) -> Course:
    """A loop of piecewise-constant grades (per metre) on a smooth wandering path.

    ``kind`` is ``flat`` (6-11 km), ``hill`` (one climb and descent of 350-650 m), ``mountain`` (two) or
    ``rolling`` (four of 60-120 m); climbs are 6-14 %, descents 7-22 % (rolling: 6-10 %).
    """
    if kind == "flat":
        parts = [(rng.uniform(6000, 11000), 0.0)]
    else:
        n_hills = {"hill": 1, "mountain": 2, "rolling": 4}[kind]
        parts = [(rng.uniform(1000, 2000), 0.0)]
        for _ in range(n_hills):
            up_g = rng.uniform(0.06, 0.14)
            down_g = -rng.uniform(0.07, 0.22) if kind != "rolling" else -rng.uniform(0.06, 0.10)
            gain = rng.uniform(350, 650) if kind != "rolling" else rng.uniform(60, 120)
            parts += [
                (gain / up_g, up_g),
                (rng.uniform(300, 800), 0.0),
                (gain / -down_g, down_g),
                (rng.uniform(500, 1200), 0.0),
            ]
    grades = np.concatenate([np.full(int(length), g) for length, g in parts])
    heading = np.cumsum(rng.normal(0, 0.02, grades.size)) + rng.uniform(0, 2 * np.pi)
    xy = np.cumsum(np.column_stack([np.cos(heading), np.sin(heading)]), axis=0)
    return Course(name, grades, xy)


def course_track(
    rng: np.random.Generator,
    course: Course,
    *,
    flat_speed: float,
    origin: tuple[float, float],
    dpi: float,
    start_utc: pd.Timestamp,
    cpi: float = CLIMB_FACTOR,
) -> pd.DataFrame:
    """Points at 1 Hz along ``course`` for a runner with this day's DPI and climb index; includes 0–2 pauses.

    The runner moves at grade-adjusted speed ``flat`` x ``dpi`` on descents (< -2 %), ``flat`` x ``cpi`` on climbs
    (> +2 %) and ``flat`` elsewhere, ``flat`` being ``flat_speed`` (m/s) x N(1, 0.03), converted to real speed with
    Strava's equal-effort factors. ``origin`` (lat, lon degrees) is where the loop starts. Returns ``time`` (UTC),
    ``lat``, ``lon`` (degrees, with AR(1) GPS error of ~2.5 m), ``ele`` (m, barometric: 0.3 m jitter and a slow
    drift) and ``hr`` (beats/min).
    """
    g = course.grades
    flat = flat_speed * rng.normal(1.0, 0.03)
    gap_target = np.where(g < -0.02, flat * dpi, np.where(g > 0.02, flat * cpi, flat))
    speed = gap_target / gap_factor(g, model="strava")
    t_at = np.concatenate([[0.0], np.cumsum(1.0 / speed)])  # time at each metre mark
    for _ in range(rng.integers(0, 3)):
        at = rng.integers(100, g.size - 100)
        t_at[at:] += rng.uniform(20, 90)
    times = np.arange(0.0, t_at[-1], 1.0)
    dist = np.interp(times, t_at, np.arange(t_at.size, dtype=float))
    xy = np.column_stack([np.interp(dist, np.arange(g.size), course.xy[:, k]) for k in (0, 1)])
    alt = 600 + np.interp(dist, np.arange(g.size), np.cumsum(g))
    # GPS error: slowly wandering (AR(1)), ~2.5 m; barometric: 0.3 m jitter plus slow drift
    noise = np.zeros((times.size, 3))
    for k, (phi, sd) in enumerate([(0.97, 2.5), (0.97, 2.5), (0.99, 0.6)]):
        innov = rng.normal(0, sd * np.sqrt(1 - phi**2), times.size)
        innov[0] = rng.normal(0, sd)
        noise[:, k] = lfilter([1.0], [1.0, -phi], innov)
    lat0, lon0 = origin
    lat = lat0 + (xy[:, 1] + noise[:, 0]) / EARTH_M_PER_DEG
    lon = lon0 + (xy[:, 0] + noise[:, 1]) / (EARTH_M_PER_DEG * np.cos(np.radians(lat0)))
    grade_now = np.interp(dist, np.arange(g.size), g)
    hr = np.clip(135 + 180 * np.clip(grade_now, -0.05, 0.2) + rng.normal(0, 3, times.size), 80, 200).round()
    return pd.DataFrame(
        {
            "time": start_utc + pd.to_timedelta(times, unit="s"),
            "lat": lat,
            "lon": lon,
            "ele": alt + noise[:, 2] + rng.normal(0, 0.3, times.size),
            "hr": hr,
        }
    )


_DEFAULT_PARAMS = TerrainParams()

#: Named courses: tuples of (horizontal length m, grade as a fraction).
COURSES: dict[str, tuple[tuple[float, float], ...]] = {
    # straight grades of every class, incl. a near-threshold descent (−6 %) and a non-descent (−3 %)
    "grades": (
        (600, 0.0),
        (800, 0.08),
        (800, -0.08),
        (500, 0.15),
        (500, -0.15),
        (300, 0.25),
        (300, -0.30),
        (800, -0.03),
        (600, 0.06),
        (600, -0.06),
        (400, 0.0),
        (600, -0.10),
        (600, -0.20),
        (600, 0.0),
    ),
    # repeated sharp summits and valley floors: where smoothing rounds corners off
    "sawtooth": ((400, 0.0),) + ((500, 0.12), (500, -0.12)) * 6 + ((400, 0.0),),
    # a long climb, a flat top, a steep and a gentle descent separated by a flat
    "plateau": ((600, 0.0), (2000, 0.10), (1500, 0.0), (1000, -0.20), (800, 0.0), (1500, -0.08), (800, 0.0)),
}


@dataclass(frozen=True)
class AltitudeNoise:
    """Altitude error model: the sum of a fast and a slow AR(1) process plus optional spikes.

    Attributes
    ----------
    sigma_m, tau_s : float
        Fast component: standard deviation (m) and correlation time (s).
    slow_sigma_m, slow_tau_s : float
        Slow component (drift, satellite geometry, weather): standard deviation (m), correlation time (s).
    spike_rate, spike_m : float
        Spikes of 0.5–1 × ±``spike_m`` (m) lasting 1–3 samples, started at ``spike_rate`` per sample.
    """

    sigma_m: float
    tau_s: float
    slow_sigma_m: float = 0.0
    slow_tau_s: float = 600.0
    spike_rate: float = 0.0
    spike_m: float = 0.0

    @property
    def total_sigma_m(self) -> float:
        """Standard deviation of the continuous part, m."""
        return float(np.hypot(self.sigma_m, self.slow_sigma_m))


#: Altitude noise at 1 Hz of common sources. These are modelling assumptions, not measurements: GPS
#: vertical error is a few metres and wanders over minutes (slow part) with a second-scale jitter on top;
#: a barometric altimeter is good to decimetres over seconds but drifts with the weather over hours.
NOISE_LEVELS: dict[str, AltitudeNoise] = {
    "none": AltitudeNoise(0.0, 1.0),
    "baro": AltitudeNoise(0.4, 5.0, slow_sigma_m=2.0, slow_tau_s=3600.0),
    "gps": AltitudeNoise(1.5, 10.0, slow_sigma_m=4.0, slow_tau_s=300.0),
    "gps_spikes": AltitudeNoise(1.5, 10.0, slow_sigma_m=4.0, slow_tau_s=300.0, spike_rate=0.003, spike_m=30.0),
    # stress test: all of 4 m of error decorrelating within 30 s (≈ 90 m of running), i.e. inside the
    # smoothing window; no smoother can separate it from terrain
    "gps_harsh": AltitudeNoise(4.0, 30.0),
}


def _ar1(rng: np.random.Generator, n: int, sigma: float, tau: float, dt: float) -> np.ndarray:
    if sigma == 0 or n == 0:
        return np.zeros(n)
    rho = np.exp(-dt / tau)
    w = rng.standard_normal(n) * sigma * np.sqrt(1 - rho**2)
    # Start from the stationary distribution so the first samples are as noisy as the rest.
    return lfilter([1.0], [1.0, -rho], w, zi=[rho * sigma * rng.standard_normal()])[0]


@dataclass
class SyntheticRun:
    """A synthetic run and its ground truth.

    Attributes
    ----------
    samples : pandas.DataFrame
        Columns ``elapsed_s, distance_m, lat, lon, altitude_m, heart_rate`` as a reader would give them.
    legs : tuple of (float, float)
        The course, (horizontal length m, grade).
    knots_m, knots_alt_m : numpy.ndarray
        Leg boundaries (m) and the true altitude there (m).
    moving_time_s : float
        True moving time (s): elapsed time minus the planted pause.
    flat_speed_mps : float
        The runner's flat speed, which is also every segment's true grade-adjusted speed (m/s).
    """

    samples: pd.DataFrame
    legs: tuple[tuple[float, float], ...]
    knots_m: np.ndarray
    knots_alt_m: np.ndarray
    moving_time_s: float
    flat_speed_mps: float

    @property
    def distance_m(self) -> float:
        """True horizontal length of the course, m."""
        return float(self.knots_m[-1])

    @property
    def descent_m(self) -> float:
        """True total descent, m."""
        return float(-np.minimum(np.diff(self.knots_alt_m), 0).sum())

    @property
    def ascent_m(self) -> float:
        """True total ascent, m."""
        return float(np.maximum(np.diff(self.knots_alt_m), 0).sum())

    def altitude(self, x) -> np.ndarray:
        """True altitude (m) at distance ``x`` (m)."""
        return np.interp(x, self.knots_m, self.knots_alt_m)

    def grade(self, x) -> np.ndarray:
        """True grade (fraction) at distance ``x`` (m); at a leg boundary, the grade of the next leg."""
        grades = np.array([g for _, g in self.legs] + [self.legs[-1][1]])
        return grades[np.clip(np.searchsorted(self.knots_m, x, side="right") - 1, 0, len(self.legs) - 1)]

    def segments(self, params: TerrainParams = _DEFAULT_PARAMS, kind: str = "descent") -> pd.DataFrame:
        """True segments by the rules of :func:`find_segments` applied to the exact course.

        Returns a frame with ``start_m``, ``end_m``, ``drop_m``.
        """
        sign = -1.0 if kind == "descent" else 1.0
        inside = np.array([sign * g >= abs(params.descent_grade) for _, g in self.legs])
        edges = np.diff(np.concatenate(([0], inside.astype(int), [0])))
        start = self.knots_m[np.flatnonzero(edges == 1)]
        end = self.knots_m[np.flatnonzero(edges == -1)]
        if start.size:
            new = np.concatenate(([True], start[1:] - end[:-1] >= params.merge_gap_m))
            start, end = start[new], end[np.concatenate((new[1:], [True]))]
        drop = self.altitude(start) - self.altitude(end)
        keep = (end - start >= params.min_length_m) & (-sign * drop >= params.min_drop_m)
        return pd.DataFrame({"start_m": start[keep], "end_m": end[keep], "drop_m": drop[keep]})


def synthetic_run(
    legs,
    *,
    noise: str | AltitudeNoise = "none",
    seed: int = 0,
    flat_speed_mps: float = 3.0,
    hz: float = 1.0,
    start_altitude_m: float = 500.0,
    device_distance: bool = True,
    position_noise_m: float = 0.0,
    pause_at_s: float | None = None,
    pause_s: float = 60.0,
    jump_at_s: float | None = None,
    jump_m: float = 300.0,
    max_duration_s: float | None = None,
    gap_model="strava",
) -> SyntheticRun:
    """Simulate one run over a course.

    Parameters
    ----------
    legs : sequence of (float, float) or str
        Course legs (horizontal length m, grade fraction), or a name in :data:`COURSES`.
    noise : str or AltitudeNoise
        Altitude error model or a name in :data:`NOISE_LEVELS`.
    seed : int
        Random seed; the same seed gives the same run.
    flat_speed_mps : float
        Speed on the flat, m/s; elsewhere speed = flat / ``gap_factor(grade, gap_model)`` (equal effort).
    hz : float
        Sampling rate, 1/s.
    device_distance : bool
        If True ``distance_m`` holds the true distance (as a watch reports it); if False it is NaN and the
        pipeline must measure distance from ``lat``/``lon``.
    position_noise_m : float
        Horizontal AR(1) position error per axis, m (30 s correlation).
    pause_at_s, pause_s : float
        Plant a standstill of ``pause_s`` seconds starting ``pause_at_s`` seconds into the run.
    jump_at_s, jump_m : float
        Displace the fix at this time by ``jump_m`` metres east (a one-sample GPS jump).
    max_duration_s : float, optional
        Cut the recording after this elapsed time (s).
    gap_model : str or EmpiricalGap
        The runner's own equal-effort curve (any model :func:`gap_factor` accepts), default Strava's.
    """
    if isinstance(legs, str):
        legs = COURSES[legs]
    legs = tuple((float(length), float(g)) for length, g in legs)
    level = NOISE_LEVELS[noise] if isinstance(noise, str) else noise
    rng = np.random.default_rng(seed)
    lengths = np.array([length for length, _ in legs])
    grades = np.array([g for _, g in legs])
    knots = np.concatenate(([0.0], np.cumsum(lengths)))
    knots_alt = start_altitude_m + np.concatenate(([0.0], np.cumsum(lengths * grades)))

    # Time to reach every point of a fine distance grid at equal-effort speed; then invert by interpolation.
    ds = 0.5
    s_fine = np.arange(0.0, knots[-1] + ds / 2, ds)
    leg = np.clip(np.searchsorted(knots, s_fine[:-1] + ds / 2, side="right") - 1, 0, len(legs) - 1)
    effort = gap_factor(grades[leg], gap_model)
    v = flat_speed_mps / effort
    t_fine = np.concatenate(([0.0], np.cumsum(ds / v)))
    run_time = t_fine[-1]
    pause = pause_s if pause_at_s is not None else 0.0
    elapsed = np.arange(0.0, run_time + pause, 1.0 / hz)
    if max_duration_s is not None:
        elapsed = elapsed[elapsed <= max_duration_s]
    # Running clock: stops during the pause.
    tau = elapsed.copy()
    if pause_at_s is not None:
        tau = np.where(elapsed < pause_at_s, elapsed, np.maximum(pause_at_s, elapsed - pause))
    s = np.interp(tau, t_fine, s_fine)
    n = s.size

    # A gently winding path (heading varies ±0.6 rad) so lat/lon distance is not a straight line.
    heading = 0.6 * np.sin(2 * np.pi * s_fine / 3000.0)
    east = np.concatenate(([0.0], np.cumsum(np.sin(heading[:-1]) * ds)))
    north = np.concatenate(([0.0], np.cumsum(np.cos(heading[:-1]) * ds)))
    e, nn = np.interp(s, s_fine, east), np.interp(s, s_fine, north)
    e = e + _ar1(rng, n, position_noise_m, 30.0, 1.0 / hz)
    nn = nn + _ar1(rng, n, position_noise_m, 30.0, 1.0 / hz)
    if jump_at_s is not None:
        k = int(np.argmin(np.abs(elapsed - jump_at_s)))
        e[k] += jump_m
    lat0, lon0 = 35.47, 139.06
    lat = lat0 + np.degrees(nn / EARTH_RADIUS_M)
    lon = lon0 + np.degrees(e / (EARTH_RADIUS_M * np.cos(np.radians(lat0))))

    alt = (
        np.interp(s, knots, knots_alt)
        + _ar1(rng, n, level.sigma_m, level.tau_s, 1.0 / hz)
        + _ar1(rng, n, level.slow_sigma_m, level.slow_tau_s, 1.0 / hz)
    )
    if level.spike_rate > 0:
        starts = np.flatnonzero(rng.random(n) < level.spike_rate)
        for k in starts:  # few spikes; a loop is clearer than fancy indexing here
            alt[k : k + rng.integers(1, 4)] += level.spike_m * rng.uniform(0.5, 1.0) * rng.choice([-1, 1])
    hr = 140 + 20 * np.interp(s, s_fine[:-1], effort - 1) + rng.normal(0, 2, n)

    samples = pd.DataFrame(
        {
            "elapsed_s": elapsed,
            "distance_m": s if device_distance else np.full(n, np.nan),
            "lat": lat,
            "lon": lon,
            "altitude_m": alt,
            "heart_rate": hr,
        }
    )
    moving = float(np.interp(s[-1], s_fine, t_fine)) if n else 0.0
    return SyntheticRun(samples, legs, knots, knots_alt, moving, flat_speed_mps)


def hiker_curve() -> EmpiricalGap:
    """A known equal-effort curve unlike Strava's average, for testing curve fits.

    Strava's factors × e^(0.8·grade) uphill (hikes the steep climbs: +27 % at 30 %) and × (1 + 0.5·grade)
    downhill (descends well: −10 % at −20 %), knots every 5 % from −30 to +30 %.
    """
    g = np.round(np.arange(-0.30, 0.301, 0.05), 2)
    return EmpiricalGap(tuple(g), tuple(gap_factor(g) * np.where(g > 0, np.exp(0.8 * g), 1 + 0.5 * g)))


def athlete_runs(
    n: int, curve, *, noise: str | AltitudeNoise = "baro", seed: int = 1, grades=None
) -> list[SyntheticRun]:
    """``n`` runs of one athlete pacing by ``curve``, each over shuffled 400–700 m legs of every grade.

    Grades default to −28 … +28 % in 4 % steps; each run starts and ends with 400 m of flat and has its
    own flat speed (2.5–3.5 m/s: the day's form).
    """
    rng = np.random.default_rng(seed)
    grades = np.round(np.arange(-0.28, 0.29, 0.04), 2) if grades is None else np.asarray(grades, dtype=float)
    runs = []
    for k in range(n):
        legs = [(400.0, 0.0)] + [(float(rng.uniform(400, 700)), float(g)) for g in rng.permutation(grades)]
        legs.append((400.0, 0.0))
        runs.append(
            synthetic_run(
                legs, noise=noise, seed=seed * 100 + k, gap_model=curve, flat_speed_mps=float(rng.uniform(2.5, 3.5))
            )
        )
    return runs


def score_segments(detected: pd.DataFrame, truth: pd.DataFrame, min_iou: float = 0.5) -> dict[str, float]:
    """Match detected to true segments by overlap and score the detection.

    A pair matches when intersection / union of their distance ranges ≥ ``min_iou``; each segment matches
    at most once (best overlap first).

    Returns
    -------
    dict
        ``tp, fp, fn, precision, recall, f1``, and over matched pairs the boundary errors in m:
        ``boundary_mae_m`` (mean absolute start and end error) and ``boundary_max_m``.
    """
    ds, de = detected["start_m"].to_numpy(float), detected["end_m"].to_numpy(float)
    ts, te = truth["start_m"].to_numpy(float), truth["end_m"].to_numpy(float)
    inter = np.clip(np.minimum(de[:, None], te[None, :]) - np.maximum(ds[:, None], ts[None, :]), 0, None)
    union = np.maximum(de[:, None], te[None, :]) - np.minimum(ds[:, None], ts[None, :])
    iou = np.where(union > 0, inter / np.where(union > 0, union, 1), 0.0)
    errors: list[float] = []
    tp = 0
    while iou.size and iou.max() >= min_iou:
        i, j = np.unravel_index(np.argmax(iou), iou.shape)
        errors += [abs(ds[i] - ts[j]), abs(de[i] - te[j])]
        iou[i, :], iou[:, j] = -1, -1
        tp += 1
    fp, fn = len(ds) - tp, len(ts) - tp
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "boundary_mae_m": float(np.mean(errors)) if errors else np.nan,
        "boundary_max_m": float(np.max(errors)) if errors else np.nan,
    }
