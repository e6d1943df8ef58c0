"""From cleaned samples to a distance profile: regular grid, clean altitude and grade."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import ArrayLike

from .params import TerrainParams
from .track import (
    _clean_track,
    _hold_ends,
    _jump_flags,
    _Track,
    remove_altitude_steps,
    set_moving_time,
)

__all__ = ["PROFILE_COLUMNS", "grade_from_altitude", "moving_mask", "resample_by_distance", "smooth_altitude"]

#: Columns of the profile returned by :func:`resample_by_distance`, in order.
PROFILE_COLUMNS: tuple[str, ...] = (
    "distance_m",
    "elapsed_s",
    "moving_s",
    "altitude_raw_m",
    "altitude_m",
    "grade",
    "heart_rate",
)


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


def _running_median(y: np.ndarray, k: int) -> np.ndarray:
    """Centred running median of odd width ``k``, edges padded with the end values.

    Equals ``scipy.ndimage.median_filter(y, size=k, mode="nearest")`` exactly (numpy only, so the per-file path
    does not import scipy: 0.9 s of ``import trailstrength.warehouse``, issue 18).
    """
    return np.median(sliding_window_view(np.pad(y, k // 2, mode="edge"), k), axis=1)


@lru_cache(maxsize=64)
def _savgol_kernels(k: int, order: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """Savitzky–Golay smoothing coefficients and the edge matrix of ``mode="interp"`` for width ``k``.

    The edge matrix maps the first ``k`` points to the fitted values at the first ``k // 2`` of them (the
    least-squares polynomial of the window evaluated there), exactly as ``scipy.signal.savgol_filter`` does.
    """
    vander = np.vander(np.arange(k, dtype=float), order + 1, increasing=True)
    hat = vander @ np.linalg.pinv(vander)
    return hat[k // 2].copy(), hat[: k // 2]  # the centre row is scipy's savgol_coeffs(k, order) (symmetric)


def _savgol(y: np.ndarray, k: int) -> np.ndarray:
    """Quadratic Savitzky–Golay filter of odd width ``k`` ≤ ``y.size`` (equals ``savgol_filter(mode="interp")``)."""
    coeffs, edge = _savgol_kernels(k)
    out = np.convolve(y, coeffs, mode="same")
    half = k // 2
    out[:half] = edge @ y[:k]
    out[-half:] = (edge @ y[::-1][:k])[::-1]
    return out


def smooth_altitude(altitude_m: ArrayLike, params: TerrainParams = TerrainParams()) -> np.ndarray:
    """Remove spikes (Hampel filter) and smooth an altitude profile on a regular distance grid.

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
        med = _running_median(y, k)
        dev = np.abs(y - med)
        limit = np.maximum(params.spike_threshold_m, 3 * 1.4826 * _running_median(dev, 2 * k + 1))
        y = np.where(dev > limit, med, y)
    k = _odd_points(params.smooth_window_m, params.step_m, n)
    if params.smoothing == "savgol":
        # Quadratic fit: for the smoothed value it equals the cubic one and keeps summits far better than
        # a mean of the same width. Needs at least polyorder + 2 points.
        return _savgol(y, k) if k >= 5 else y
    return _centred_mean(y, k // 2)


def grade_from_altitude(
    distance_m: ArrayLike, altitude_m: ArrayLike, params: TerrainParams = TerrainParams()
) -> np.ndarray:
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
    if not np.isfinite(a).all():
        return np.full(x.size, np.nan)
    half = params.grade_window_m / 2
    lo = np.maximum(x - half, x[0])
    hi = np.minimum(x + half, x[-1])
    with np.errstate(divide="ignore", invalid="ignore"):
        g = (np.interp(hi, x, a) - np.interp(lo, x, a)) / (hi - lo)
    return np.clip(g, -params.max_abs_grade, params.max_abs_grade)


def _grade_on_grid(x: np.ndarray, a: np.ndarray, params: TerrainParams) -> np.ndarray:
    """:func:`grade_from_altitude` on a regular grid of ``params.step_m`` (by index shifts when it can)."""
    h = params.grade_window_m / 2 / params.step_m
    n = a.size
    if n < 2 or abs(h - round(h)) > 1e-9 or not np.isfinite(a).all():
        return grade_from_altitude(x, a, params)
    i = np.arange(n)
    lo, hi = np.maximum(i - round(h), 0), np.minimum(i + round(h), n - 1)
    return np.clip((a[hi] - a[lo]) / (x[hi] - x[lo]), -params.max_abs_grade, params.max_abs_grade)


def _on_grid(grid: np.ndarray, first: np.ndarray, du: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Mean of ``y`` per unique distance (runs starting at ``first``), then linear interpolation onto the
    grid (NaN-aware)."""
    ok = np.isfinite(y)
    if ok.all():
        if du.size == y.size:
            return np.interp(grid, du, y)  # every sample at its own distance
        return np.interp(grid, du, np.add.reduceat(y, first) / np.diff(first, append=y.size))
    if not ok.any():
        return np.full(grid.size, np.nan)
    s = np.add.reduceat(np.where(ok, y, 0.0), first)
    c = np.add.reduceat(ok, first, dtype=np.intp)
    has = c > 0
    return np.interp(grid, du[has], s[has] / c[has])


def _profile_arrays(track: _Track, params: TerrainParams) -> dict[str, np.ndarray]:
    """The profile as a dict of equal-length arrays (keys :data:`PROFILE_COLUMNS`); fills ``track.moving_s``."""
    d = track.distance_m
    grid = np.arange(int(np.floor(d[-1] / params.step_m + 1e-9)) + 1) * params.step_m
    # Several samples share a distance while standing still: average them, and take the time of arrival.
    # Distance is non-decreasing, so unique values are found without sorting.
    new = np.empty(d.size, dtype=bool)
    new[0] = True
    np.greater(d[1:], d[:-1], out=new[1:])
    first = np.flatnonzero(new)
    if first.size < 2:  # no distance covered: no profile, but still a moving time (zero, or the jumps')
        set_moving_time(track, params)
        return {c: np.empty(0) for c in PROFILE_COLUMNS}
    du = d[first]
    alt_raw = _on_grid(grid, first, du, track.altitude_m)
    alt = smooth_altitude(alt_raw, params)
    grade = _grade_on_grid(grid, alt, params)
    terrain = None
    if np.isfinite(alt).all():
        # the grid stops at the last whole step: carry the terrain on to the end of the track at its grade
        tail = du[-1] - grid[-1]
        terrain = (np.append(grid, du[-1] + 1e-9 * (tail == 0)), np.append(alt, alt[-1] + grade[-1] * tail))
    set_moving_time(track, params, terrain)
    if track.has_time:
        elapsed = np.interp(grid, du, track.elapsed_s[first])
        moving = np.interp(grid, du, track.moving_s[first])
    else:
        elapsed = moving = np.full(grid.size, np.nan)
    return {
        "distance_m": grid,
        "elapsed_s": elapsed,
        "moving_s": moving,
        "altitude_raw_m": alt_raw,
        "altitude_m": alt,
        "grade": grade,
        "heart_rate": _on_grid(grid, first, du, track.heart_rate),
    }


def _frame(columns: dict[str, np.ndarray], names: tuple[str, ...]) -> pd.DataFrame:
    """A DataFrame of freshly made arrays, without copying them again."""
    return pd.DataFrame({c: columns[c] for c in names}, copy=False)


def empty_profile() -> pd.DataFrame:
    """A profile frame with no rows and the columns of :func:`resample_by_distance`."""
    return pd.DataFrame({c: pd.Series(dtype=float) for c in PROFILE_COLUMNS})


def moving_mask(
    elapsed_s: ArrayLike,
    distance_m: ArrayLike,
    params: TerrainParams = TerrainParams(),
    altitude_m: ArrayLike | None = None,
) -> np.ndarray:
    """Which samples were recorded while moving.

    Parameters
    ----------
    elapsed_s : array_like
        Time since the start of the activity, s (non-decreasing; NaN where unknown).
    distance_m : array_like
        Cumulative horizontal distance, m.
    params : TerrainParams
        Uses ``pause_speed_mps``, ``pause_min_s``, ``jump_speed_mps`` and, with altitude,
        ``pause_vertical_mps``, ``pause_vertical_window_s`` and the smoothing parameters.
    altitude_m : array_like, optional
        Altitude, m. When given, slow stretches that still climb or descend (at ``pause_vertical_mps`` or
        more by the altitude over time, and at half that by the smoothed terrain under the distance
        covered) are moving — steep hiking — not pauses.

    Returns
    -------
    numpy.ndarray of bool
        ``mask[k]`` (k ≥ 1) is False when the interval from sample k−1 to k lies inside a pause (mean
        horizontal speed below 0.5 m/s over more than 5 s, by default, and not climbing or descending) or is
        a GPS jump (implied speed above 8 m/s) or has no time; ``mask[0]`` copies ``mask[1]``. Moving time
        is ``sum(diff(elapsed_s)[mask[1:]])``.
    """
    t = np.asarray(elapsed_s, dtype=float)
    d = np.asarray(distance_m, dtype=float)
    n = t.size
    if n < 2:
        return np.ones(n, dtype=bool)
    if np.isfinite(t).sum() < 2:
        return np.zeros(n, dtype=bool)
    # searchsorted needs sorted times; a clock that steps back is treated as standing still.
    t = np.fmax.accumulate(_hold_ends(t))
    jump = _jump_flags(t, d, params)
    # Distance that does not count: the jump itself must not make a surrounding pause look like motion.
    d_clean = np.concatenate(([0.0], np.cumsum(np.where(jump, 0.0, np.nan_to_num(np.diff(d))))))
    alt = np.full(n, np.nan)
    if altitude_m is not None:
        alt, _ = remove_altitude_steps(altitude_m, t, d_clean, params)
    track = _Track(d_clean, t, alt, np.full(n, np.nan), True, jump)
    if _profile_arrays(track, params)["distance_m"].size == 0:  # it judges pauses on the terrain it finds
        set_moving_time(track, params)
    ok = ~(jump | track.pause) & np.isfinite(np.diff(np.asarray(elapsed_s, dtype=float))) & np.isfinite(np.diff(d))
    return np.concatenate((ok[:1], ok))


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
        ``altitude_raw_m`` (m, resampled only, altitude steps removed), ``altitude_m`` (m, spike-removed
        and smoothed), ``grade`` (fraction, over ``grade_window_m``) and ``heart_rate`` (bpm). Times are
        NaN without times, altitude and grade NaN without altitude; empty when there is no usable distance.

    Notes
    -----
    Pipeline: times with gaps are interpolated between known ones; one-sample position jumps are dropped
    before distance is measured; intervals faster than ``jump_speed_mps`` contribute neither distance nor
    time; pauses contribute no moving time; altitude level shifts (calibration steps) are removed; samples
    at the same distance are averaged; values are linearly interpolated onto the grid; the altitude passes
    a Hampel filter over ``spike_window_m`` then the chosen smoother.
    """
    track = _clean_track(samples, params) if len(samples) >= 2 else None
    if track is None:
        return empty_profile()
    cols = _profile_arrays(track, params)
    return _frame(cols, PROFILE_COLUMNS) if cols["distance_m"].size else empty_profile()
