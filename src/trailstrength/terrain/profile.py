"""From recorded samples to a distance profile: distance, moving time, clean altitude and grade."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy.ndimage import median_filter
from scipy.signal import savgol_filter

from .params import TerrainParams

#: Mean Earth radius (IUGG), m. Good to ~0.3 % against the ellipsoid, far inside GPS error.
EARTH_RADIUS_M: float = 6_371_008.8

#: Columns of the profile returned by :func:`resample_by_distance`, in order.
PROFILE_COLUMNS: tuple[str, ...] = (
    "distance_m", "elapsed_s", "moving_s", "altitude_raw_m", "altitude_m", "grade", "heart_rate",
)
#: Times are used only when the stamped samples span at least this fraction of the track's distance.
MIN_TIMED_FRACTION: float = 0.5


def track_distance(lat: ArrayLike, lon: ArrayLike) -> np.ndarray:
    """Cumulative great-circle (haversine) distance along a track.

    Parameters
    ----------
    lat, lon : array_like
        Latitude and longitude in decimal degrees, one value per sample; NaN where there is no fix.

    Returns
    -------
    numpy.ndarray
        Cumulative horizontal distance in m, starting at 0. A sample without a fix adds no distance; the
        next fix is measured from the last valid one, so gaps are bridged by a straight line. All NaN when
        no sample has a fix.
    """
    lat = np.asarray(lat, dtype=float)
    lon = np.asarray(lon, dtype=float)
    n = lat.size
    valid = np.isfinite(lat) & np.isfinite(lon)
    if n == 0 or not valid.any():
        return np.full(n, np.nan)
    # Carry the last fix forward (and the first one backward) so every step has two positions.
    idx = np.where(valid, np.arange(n), -1)
    idx = np.maximum.accumulate(idx)
    idx[idx < 0] = np.flatnonzero(valid)[0]
    phi = np.radians(lat[idx])
    lam = np.radians(lon[idx])
    a = (np.sin(np.diff(phi) / 2) ** 2
         + np.cos(phi[:-1]) * np.cos(phi[1:]) * np.sin(np.diff(lam) / 2) ** 2)
    step = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
    return np.concatenate(([0.0], np.cumsum(step)))


def _interval_flags(t: np.ndarray, d: np.ndarray, params: TerrainParams) -> tuple[np.ndarray, np.ndarray]:
    """Flag each sample-to-sample interval as a GPS jump or part of a pause.

    Returns two boolean arrays of length ``n - 1`` (interval k runs from sample k to k + 1).
    """
    n = t.size
    known = np.isfinite(t)
    if not known.all():
        # Unknown times at the ends: hold the nearest known time so the search below sees sorted times.
        first, last = np.flatnonzero(known)[[0, -1]]
        t = t.copy()
        t[:first], t[last + 1:] = t[first], t[last]
    dt = np.diff(t)
    dd = np.diff(d)
    with np.errstate(divide="ignore", invalid="ignore"):
        speed = dd / dt
    # A jump: impossible speed for a runner, including movement inside a repeated time stamp. Intervals
    # without a known time cannot be judged and are not jumps.
    jump = (known[:-1] & known[1:]) & ((speed > params.jump_speed_mps) | ((dt <= 0) & (dd > 0)))
    # Distance that does not count: the jump itself must not make a surrounding pause look like motion.
    d_clean = np.concatenate(([0.0], np.cumsum(np.where(jump, 0.0, np.nan_to_num(dd)))))
    # Pause: a window longer than pause_min_s ending at sample i (starting at the last sample j before
    # t_i - pause_min_s) covered at a mean speed below pause_speed_mps. Averaging over the window, rather
    # than testing single 1 s intervals, keeps GPS jitter at a standstill from breaking a stop into bits.
    j = np.searchsorted(t, t - params.pause_min_s, side="left") - 1
    i = np.arange(n)
    ok = j >= 0
    jj = np.where(ok, j, 0)
    slow = ok & ((d_clean - d_clean[jj]) < params.pause_speed_mps * (t - t[jj]))
    # Mark intervals j..i-1 of every slow window: +1 at the first interval, -1 after the last.
    starts, ends = jj[slow], i[slow]
    cover = np.cumsum(np.bincount(starts, minlength=n) - np.bincount(ends, minlength=n))[: n - 1]
    pause = cover > 0
    return jump, pause


def moving_mask(elapsed_s: ArrayLike, distance_m: ArrayLike, params: TerrainParams = TerrainParams()) -> np.ndarray:
    """Which samples were recorded while moving.

    Parameters
    ----------
    elapsed_s : array_like
        Time since the start of the activity, s (non-decreasing; NaN where unknown).
    distance_m : array_like
        Cumulative horizontal distance, m.
    params : TerrainParams
        Uses ``pause_speed_mps``, ``pause_min_s`` and ``jump_speed_mps``.

    Returns
    -------
    numpy.ndarray of bool
        ``mask[k]`` (k ≥ 1) is False when the interval from sample k−1 to k lies inside a pause (mean
        speed below 0.5 m/s over more than 5 s, by default) or is a GPS jump (implied speed above 8 m/s) or has no time;
        ``mask[0]`` copies ``mask[1]``. Moving time is ``sum(diff(elapsed_s)[mask[1:]])``.
    """
    t = np.asarray(elapsed_s, dtype=float)
    d = np.asarray(distance_m, dtype=float)
    n = t.size
    if n < 2:
        return np.ones(n, dtype=bool)
    if np.isfinite(t).sum() < 2:
        return np.zeros(n, dtype=bool)
    # searchsorted needs sorted times; a clock that steps back is treated as standing still.
    t = np.fmax.accumulate(t)
    jump, pause = _interval_flags(t, d, params)
    ok = ~(jump | pause) & np.isfinite(np.diff(t)) & np.isfinite(np.diff(d))
    return np.concatenate((ok[:1], ok))


def _column(samples: pd.DataFrame, name: str) -> np.ndarray:
    if name not in samples.columns:
        return np.full(len(samples), np.nan)
    return samples[name].to_numpy(dtype=float, na_value=np.nan)


def _fill_inside(y: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Linearly interpolate NaNs between valid values of ``y`` over ``x``; leading/trailing NaNs stay."""
    ok = np.isfinite(y)
    if ok.all() or ok.sum() < 2:
        return y
    out = y.copy()
    inside = ~ok & (np.arange(y.size) > np.flatnonzero(ok)[0]) & (np.arange(y.size) < np.flatnonzero(ok)[-1])
    out[inside] = np.interp(x[inside], x[ok], y[ok])
    return out


def _remove_position_spikes(lat, lon, t, params):
    """NaN the fixes that are reached and left at impossible speed (one-sample GPS jumps)."""
    d = track_distance(lat, lon)
    dt = np.diff(t)
    with np.errstate(divide="ignore", invalid="ignore"):
        v = np.diff(d) / dt
    fast = np.nan_to_num(v, nan=0.0) > params.jump_speed_mps
    spike = np.zeros(lat.size, dtype=bool)
    spike[1:-1] = fast[:-1] & fast[1:]
    if spike.any():
        lat, lon = np.where(spike, np.nan, lat), np.where(spike, np.nan, lon)
    return lat, lon


@dataclass
class _Track:
    """Cleaned per-sample arrays of one activity plus the totals that the regular grid truncates."""

    distance_m: np.ndarray
    elapsed_s: np.ndarray
    moving_s: np.ndarray
    altitude_m: np.ndarray
    heart_rate: np.ndarray
    has_time: bool

    @property
    def total_distance_m(self) -> float:
        return float(self.distance_m[-1]) if self.distance_m.size else np.nan

    @property
    def total_moving_s(self) -> float:
        return float(np.nanmax(self.moving_s)) if self.has_time and self.moving_s.size else np.nan


def _clean_track(samples: pd.DataFrame, params: TerrainParams) -> _Track | None:
    """Distance, elapsed and moving time per sample; None when there is no usable distance."""
    t = _column(samples, "elapsed_s")
    n = t.size
    index = np.arange(n, dtype=float)
    has_time = int(np.isfinite(t).sum()) >= 2
    if has_time:
        t = np.fmax.accumulate(_fill_inside(t, index))
    d = _column(samples, "distance_m")
    if int(np.isfinite(d).sum()) >= 2:
        # Device distance (GPS-filtered or foot pod) is preferred: it is what the watch showed.
        d = _fill_inside(d, t if has_time and np.isfinite(t).all() else index)
    else:
        lat, lon = _column(samples, "lat"), _column(samples, "lon")
        if has_time:
            lat, lon = _remove_position_spikes(lat, lon, t, params)
        d = track_distance(lat, lon)
    ok = np.isfinite(d)
    if ok.sum() < 2:
        return None
    # Keep the samples that have a distance; edges without one cannot be placed on the profile.
    keep = slice(np.flatnonzero(ok)[0], np.flatnonzero(ok)[-1] + 1)
    d, t = np.fmax.accumulate(d[keep]), t[keep]
    alt, hr = _column(samples, "altitude_m")[keep], _column(samples, "heart_rate")[keep]
    timed = np.isfinite(t)
    if has_time and timed.sum() >= 2:
        first, last = np.flatnonzero(timed)[[0, -1]]
        span = d[-1] - d[0]
        # Times on a small part of the track (a route with a few stamped points) would give a moving
        # time and speeds for that part only, read as the whole run's: treat such a run as untimed.
        has_time = span > 0 and (d[last] - d[first]) >= MIN_TIMED_FRACTION * span
    else:
        has_time = False
    if has_time:
        jump, pause = _interval_flags(t, d, params)
        dd = np.diff(d)
        # A jump adds neither distance nor time; a pause adds no time.
        d = np.concatenate(([d[0]], d[0] + np.cumsum(np.where(jump, 0.0, dd))))
        dt = np.nan_to_num(np.diff(t), nan=0.0)
        moving = np.concatenate(([0.0], np.cumsum(np.where(jump | pause, 0.0, dt))))
        moving[~timed] = np.nan  # outside the stamped part, moving time is unknown, not zero
    else:
        t = np.full(d.size, np.nan)
        moving = np.full(d.size, np.nan)
    return _Track(d - d[0], t, moving, alt, hr, has_time)


def _centred_mean(y: np.ndarray, half: int) -> np.ndarray:
    """Centred moving mean with a window that shrinks symmetrically at the ends (stays centred)."""
    n = y.size
    i = np.arange(n)
    h = np.minimum(half, np.minimum(i, n - 1 - i))
    c = np.concatenate(([0.0], np.cumsum(y)))
    return (c[i + h + 1] - c[i - h]) / (2 * h + 1)


def _odd_points(width_m: float, step_m: float, n: int) -> int:
    """Odd number of grid points spanning ``width_m``, at most ``n``."""
    k = int(round(width_m / step_m))
    k = k if k % 2 == 1 else k + 1
    if k > n:
        k = n if n % 2 == 1 else n - 1
    return max(k, 1)


def smooth_altitude(altitude_m: ArrayLike, params: TerrainParams = TerrainParams()) -> np.ndarray:
    """Remove spikes (running median) and smooth an altitude profile on a regular distance grid.

    Parameters
    ----------
    altitude_m : array_like
        Altitude in m on the grid of ``params.step_m``; must be free of NaN (NaNs are returned unchanged).
    params : TerrainParams
        Uses ``step_m``, ``spike_window_m``, ``spike_threshold_m``, ``smoothing`` and ``smooth_window_m``.

    Returns
    -------
    numpy.ndarray
        Smoothed altitude, m.
    """
    y = np.asarray(altitude_m, dtype=float)
    n = y.size
    if n < 3 or not np.isfinite(y).all():
        return y.copy()
    k = _odd_points(params.spike_window_m, params.step_m, n)
    if k >= 3:
        # Hampel filter: replace only points far from the running median. A plain median filter would
        # also shave every summit and valley floor by grade × step (1.2 m per summit at 12 % and 10 m),
        # a bias that adds up over a hilly run.
        med = median_filter(y, size=k, mode="nearest")
        dev = np.abs(y - med)
        scale = 1.4826 * median_filter(dev, size=2 * k + 1, mode="nearest")
        y = np.where(dev > np.maximum(params.spike_threshold_m, 3 * scale), med, y)
    k = _odd_points(params.smooth_window_m, params.step_m, n)
    if params.smoothing == "savgol":
        # Quadratic fit: for the smoothed value it equals the cubic one and keeps summits far better than
        # a mean of the same width. Needs at least polyorder + 2 points.
        return savgol_filter(y, k, 2, mode="interp") if k >= 5 else y
    return _centred_mean(y, k // 2)


def grade_from_altitude(distance_m: ArrayLike, altitude_m: ArrayLike,
                        params: TerrainParams = TerrainParams()) -> np.ndarray:
    """Centred grade over ``params.grade_window_m`` of distance, clipped to ±``max_abs_grade``.

    Parameters
    ----------
    distance_m, altitude_m : array_like
        Increasing distance (m) and altitude (m) of a profile.

    Returns
    -------
    numpy.ndarray
        Grade as a fraction: (alt(x + w/2) − alt(x − w/2)) / w with linear interpolation between profile
        points; the window is cut at the ends of the profile and the divisor follows it.
    """
    x = np.asarray(distance_m, dtype=float)
    a = np.asarray(altitude_m, dtype=float)
    if x.size < 2:
        return np.full(x.size, np.nan)
    half = params.grade_window_m / 2
    lo = np.maximum(x - half, x[0])
    hi = np.minimum(x + half, x[-1])
    with np.errstate(divide="ignore", invalid="ignore"):
        g = (np.interp(hi, x, a) - np.interp(lo, x, a)) / (hi - lo)
    if not np.isfinite(a).all():
        g[:] = np.nan
    return np.clip(g, -params.max_abs_grade, params.max_abs_grade)


def _on_grid(grid: np.ndarray, inverse: np.ndarray, du: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Mean of ``y`` per unique distance, then linear interpolation onto the grid (NaN-aware)."""
    ok = np.isfinite(y)
    if not ok.any():
        return np.full(grid.size, np.nan)
    s = np.bincount(inverse, weights=np.where(ok, y, 0.0), minlength=du.size)
    c = np.bincount(inverse, weights=ok.astype(float), minlength=du.size)
    has = c > 0
    return np.interp(grid, du[has], s[has] / c[has])


def _profile_from_track(track: _Track, params: TerrainParams) -> pd.DataFrame:
    d = track.distance_m
    grid = np.arange(int(np.floor(d[-1] / params.step_m + 1e-9)) + 1) * params.step_m
    # Several samples share a distance while standing still: average them, and take the time of arrival.
    du, first, inverse = np.unique(d, return_index=True, return_inverse=True)
    if du.size < 2:
        return pd.DataFrame({c: pd.Series(dtype=float) for c in PROFILE_COLUMNS})
    elapsed = np.interp(grid, du, track.elapsed_s[first]) if track.has_time else np.full(grid.size, np.nan)
    moving = np.interp(grid, du, track.moving_s[first]) if track.has_time else np.full(grid.size, np.nan)
    alt_raw = _on_grid(grid, inverse, du, track.altitude_m)
    alt = smooth_altitude(alt_raw, params)
    return pd.DataFrame({
        "distance_m": grid,
        "elapsed_s": elapsed,
        "moving_s": moving,
        "altitude_raw_m": alt_raw,
        "altitude_m": alt,
        "grade": grade_from_altitude(grid, alt, params),
        "heart_rate": _on_grid(grid, inverse, du, track.heart_rate),
    })


def resample_by_distance(samples: pd.DataFrame, params: TerrainParams = TerrainParams()) -> pd.DataFrame:
    """Put one activity on a regular grid of horizontal distance, with clean altitude and grade.

    Parameters
    ----------
    samples : pandas.DataFrame
        One activity's samples in recording order with columns

        * ``elapsed_s`` — s since the start; all NaN when the file has no times, or partly NaN: gaps are
          interpolated, and time-based values are NaN outside the stamped part (or everywhere when it
          spans less than half the distance);
        * ``distance_m`` — m; when it has fewer than two values, distance is measured from ``lat`` and
          ``lon`` (decimal degrees);
        * ``altitude_m`` (m) and ``heart_rate`` (bpm), either may be NaN.

        Missing columns are treated as all NaN.
    params : TerrainParams
        Pipeline parameters.

    Returns
    -------
    pandas.DataFrame
        One row per ``step_m`` from 0 to the last whole step: ``distance_m`` (m), ``elapsed_s`` (s, time of
        first arrival), ``moving_s`` (cumulative moving time in s, pauses and GPS jumps removed),
        ``altitude_raw_m`` (m, resampled only), ``altitude_m`` (m, spike-removed and smoothed), ``grade``
        (fraction, over ``grade_window_m``) and ``heart_rate`` (bpm). Times are NaN without times, altitude
        and grade NaN without altitude; empty when there is no usable distance.

    Notes
    -----
    Pipeline: times with gaps are interpolated between known ones; one-sample position jumps are dropped
    before distance is measured; intervals faster than ``jump_speed_mps`` contribute neither distance nor
    time; samples at the same distance are averaged; values are linearly interpolated onto the grid; the
    altitude passes a running median of ``spike_window_m`` then the chosen smoother.
    """
    track = _clean_track(samples, params) if len(samples) >= 2 else None
    if track is None:
        return pd.DataFrame({c: pd.Series(dtype=float) for c in PROFILE_COLUMNS})
    return _profile_from_track(track, params)
