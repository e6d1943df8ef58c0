"""Sample-level cleaning of one activity: distance, GPS jumps, pauses, altitude steps, moving time.

Everything here works on the recorded samples, before they are put on the distance grid
(:mod:`trailstrength.terrain.profile`). All arrays are float numpy arrays in SI units.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from trailstrength.units import track_distance  # noqa: F401

from .params import TerrainParams

#: Times are used only when the stamped samples span at least this fraction of the track's distance.
MIN_TIMED_FRACTION: float = 0.5


def _hold_ends(t: np.ndarray) -> np.ndarray:
    """Unknown times before the first and after the last known one take the nearest known time."""
    known = np.isfinite(t)
    if known.all():
        return t
    first, last = np.flatnonzero(known)[[0, -1]]
    t = t.copy()
    t[:first], t[last + 1 :] = t[first], t[last]
    return t


def vertical_speed(
    elapsed_s: ArrayLike, altitude_m: ArrayLike, window_s: float, at: np.ndarray | None = None
) -> np.ndarray:
    """Absolute vertical speed at every sample, from the mean altitudes just before and just after it.

    Parameters
    ----------
    elapsed_s : array_like
        Non-decreasing time, s.
    altitude_m : array_like
        Altitude, m; NaNs are bridged linearly in time (and held at the ends).
    window_s : float
        Full width of the centred window, s: the mean altitude over the ``window_s / 2`` after the sample
        minus the mean over the ``window_s / 2`` before it, divided by the distance in time between the two
        means. Averaging makes the estimate robust to second-scale altimeter jitter.
    at : numpy.ndarray of int, optional
        Only these sample indices (the result then has their length).

    Returns
    -------
    numpy.ndarray
        ``|dh/dt|`` in m/s per sample; 0 where it cannot be estimated (no altitude, a single time).
    """
    t = np.asarray(elapsed_s, dtype=float)
    a = np.asarray(altitude_m, dtype=float)
    n = t.size if at is None else at.size
    ok = np.isfinite(a) & np.isfinite(t)
    if t.size < 2 or ok.sum() < 2 or t[-1] <= t[0]:
        return np.zeros(n)
    if not ok.all():
        a = np.interp(t, t[ok], a[ok])
    if at is not None and at.size:
        # Only the stretch the windows reach is needed (pauses are usually a small part of a run).
        h = window_s / 2
        lo, hi = np.searchsorted(t, [t[at].min() - h, t[at].max() + h])
        lo, hi = max(int(lo) - 1, 0), min(int(hi) + 1, t.size)
        if hi - lo < t.size:
            t, a, at = t[lo:hi], a[lo:hi], at - lo
    # Cumulative integral of altitude over time: window means by differences, at any time.
    cum = np.concatenate(([0.0], np.cumsum((a[1:] + a[:-1]) * 0.5 * np.diff(t))))
    c, tq, aq = (cum, t, a) if at is None else (cum[at], t[at], a[at])
    h = window_s / 2
    lo = np.maximum(tq - h, t[0])
    hi = np.minimum(tq + h, t[-1])
    len_lo, len_hi = tq - lo, hi - tq
    with np.errstate(divide="ignore", invalid="ignore"):
        # At the ends a half-window is empty: the sample's own altitude stands in for its mean.
        mean_lo = np.where(len_lo > 0, (c - np.interp(lo, t, cum)) / len_lo, aq)
        mean_hi = np.where(len_hi > 0, (np.interp(hi, t, cum) - c) / len_hi, aq)
        v = np.abs(mean_hi - mean_lo) / ((len_lo + len_hi) / 2)
    return np.where(np.isfinite(v), v, 0.0)


def stamp_speed(t: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Speed of every sample-to-sample interval over its time stamp, m/s. Length ``n - 1``.

    Samples that share one time stamp (a writer that stamps whole seconds at several points a second, an export
    that rounds) are one group: the group's speed is its distance to the first sample of the next stamp over the
    time to it, and every interval from the group's first sample to the next stamp's first takes it. The last
    group, with no next stamp, is judged with the one before it (its first sample to the last sample). Without
    repeated stamps this is ``diff(d) / diff(t)``. NaN where a time is unknown; ``inf`` where distance was
    covered in no time at all (every sample on one stamp).

    Parameters
    ----------
    t : numpy.ndarray
        Time, s, non-decreasing where known (NaN allowed).
    d : numpy.ndarray
        Cumulative distance, m.
    """
    n = t.size
    if n < 2:
        return np.zeros(0)
    new = np.ones(n, dtype=bool)
    new[1:] = t[1:] != t[:-1]  # NaN != NaN: an unknown time is a group of its own
    first = np.flatnonzero(new)
    group = np.cumsum(new) - 1
    start, end = first.copy(), np.append(first[1:], n - 1)
    if first.size > 1 and end[-1] > start[-1]:
        start[-1] = first[-2]
    with np.errstate(divide="ignore", invalid="ignore"):
        speed = (d[end] - d[start]) / (t[end] - t[start])
    return speed[group[:-1]]


def _jump_flags(t: np.ndarray, d: np.ndarray, params: TerrainParams) -> np.ndarray:
    """Intervals (sample k to k + 1) covered at an impossible speed: GPS jumps. Length ``n - 1``.

    Speed is judged over the time stamp (:func:`stamp_speed`): movement between samples sharing one stamp is no
    jump by itself (ten points per second stamped with whole seconds keep their distance); a stamp group reached
    at an impossible speed is, all of it.
    """
    known = np.isfinite(t)
    with np.errstate(invalid="ignore"):
        fast = stamp_speed(t, d) > params.jump_speed_mps
    # Intervals without a known time cannot be judged and are not jumps.
    return known[:-1] & known[1:] & fast


def _pause_flags(
    t: np.ndarray,
    d: np.ndarray,
    params: TerrainParams,
    altitude_m: np.ndarray | None = None,
    terrain: tuple[np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """Intervals (sample k to k + 1) inside a pause. Length ``n - 1``.

    ``t`` must be non-decreasing (NaN allowed at the ends), ``d`` the distance with jumps taken out. With
    ``altitude_m`` (the altimeter's, per sample) and optionally ``terrain`` (the smoothed profile: distance
    grid and altitude, m), slow stretches that are still climbing or descending are not pauses.
    """
    n = t.size
    t = _hold_ends(t)  # sorted times for the search below
    v = params.pause_speed_mps
    # A window longer than pause_min_s ending at sample i (starting at the last sample j before
    # t_i - pause_min_s) covered at a mean speed below pause_speed_mps. Averaging over the window, rather
    # than testing single 1 s intervals, keeps GPS jitter at a standstill from breaking a stop into bits.
    # A slow window holds at least one slow interval, and the windows holding interval k end at samples
    # k + 1 … (last sample within pause_min_s of t[k + 1]): search only those ends.
    k = np.flatnonzero(np.diff(d) < v * np.diff(t))
    if k.size == 0:
        return np.zeros(n - 1, dtype=bool)
    last = np.searchsorted(t, t[k + 1] + params.pause_min_s, side="right")
    ends = np.flatnonzero(np.cumsum(np.bincount(k + 1, minlength=n + 1) - np.bincount(last, minlength=n + 1))[:n])
    j = np.searchsorted(t, t[ends] - params.pause_min_s, side="left") - 1
    ok = j >= 0
    ends, j = ends[ok], j[ok]
    slow = (d[ends] - d[j]) < v * (t[ends] - t[j])
    if not slow.any():
        return np.zeros(n - 1, dtype=bool)
    # Mark intervals j..i-1 of every slow window: +1 at the first interval, -1 after the last.
    cover = np.cumsum(np.bincount(j[slow], minlength=n) - np.bincount(ends[slow], minlength=n))
    pause = cover[: n - 1] > 0
    if altitude_m is not None and np.isfinite(params.pause_vertical_mps) and pause.any():
        # Slow but still gaining or losing height is steep hiking, not a stop: DESIGN §6's horizontal
        # speed alone fails a 30 % climb at 0.4 m/s. Two witnesses must agree. The altimeter over a
        # window (robust to jitter, but its window reaches into a stop next to a climb, and GPS altitude
        # wanders at a standstill) and the terrain under the distance actually covered (zero at a real
        # stop, but GPS position jitter on steep ground fakes some): half the threshold is asked of it.
        k = np.flatnonzero(pause)
        vz = vertical_speed(t, altitude_m, params.pause_vertical_window_s, np.concatenate((k, k + 1)))
        climbing = (vz[: k.size] + vz[k.size :]) / 2 >= params.pause_vertical_mps / 2
        if terrain is not None:
            # Over ±pause_min_s around each end of the interval: long enough to average 1 Hz position
            # jitter, short enough not to reach far into the motion around a stop.
            x, a = terrain
            w = params.pause_min_s
            ends = np.concatenate((k, k + 1))
            d_hi = np.interp(np.minimum(t[ends] + w, t[-1]), t, d)
            d_lo = np.interp(np.maximum(t[ends] - w, t[0]), t, d)
            with np.errstate(divide="ignore", invalid="ignore"):
                vt = np.abs(np.interp(d_hi, x, a) - np.interp(d_lo, x, a)) / (
                    np.minimum(t[ends] + w, t[-1]) - np.maximum(t[ends] - w, t[0])
                )
            vt = np.nan_to_num(vt)
            climbing &= (vt[: k.size] + vt[k.size :]) / 2 >= params.pause_vertical_mps
        pause[k] = ~climbing
    return pause


def remove_altitude_steps(
    altitude_m: ArrayLike, elapsed_s: ArrayLike, distance_m: ArrayLike, params: TerrainParams = TerrainParams()
) -> tuple[np.ndarray, float]:
    """Take out sudden level shifts of the altitude (altimeter calibration, a GPS/barometer switch).

    A step is a run of consecutive intervals each climbing or falling faster than
    ``params.max_vertical_speed_mps`` (or, without times, steeper than 100 % grade) that together move the
    altitude by at least ``params.altitude_step_m``. Every step is removed by shifting the altitude before
    it; the longest stretch between steps (by distance) keeps its recorded level. Shorter excursions that
    come back (spikes) are left to the spike filter.

    Parameters
    ----------
    altitude_m, elapsed_s, distance_m : array_like
        Per-sample altitude (m, NaN allowed), time (s, NaN allowed) and cumulative distance (m).

    Returns
    -------
    (numpy.ndarray, float)
        Corrected altitude (m, NaN where the input is NaN) and the total absolute size of the removed
        steps (m; 0 when there were none).
    """
    alt = np.asarray(altitude_m, dtype=float)
    ok = np.isfinite(alt)
    if ok.sum() < 2:
        return alt.copy(), 0.0
    a = alt[ok]
    t = np.asarray(elapsed_s, dtype=float)[ok]
    d = np.asarray(distance_m, dtype=float)[ok]
    dh, dt, dd = np.diff(a), np.diff(t), np.diff(d)
    timed = np.isfinite(dt) & (dt > 0)
    fast = np.where(
        timed,
        np.abs(dh) > params.max_vertical_speed_mps * np.where(timed, dt, 1.0),
        np.abs(dh) > np.nan_to_num(dd, nan=0.0),
    )
    if not fast.any():
        return alt.copy(), 0.0
    # Group consecutive fast intervals of the same sign; keep the groups that add up to a real step.
    sgn = np.sign(dh) * fast
    new = np.concatenate(([True], sgn[1:] != sgn[:-1]))
    group = np.cumsum(new) - 1
    total = np.bincount(group, weights=np.where(fast, dh, 0.0))
    is_step = fast & (np.abs(total[group]) >= params.altitude_step_m)
    if not is_step.any():
        return alt.copy(), 0.0
    removed = np.where(is_step, dh, 0.0)
    shift = np.concatenate(([0.0], np.cumsum(removed)))
    # Reference level: the stretch between steps that covers the most distance keeps its altitude.
    piece = np.concatenate(([0], np.cumsum(is_step)))
    span = np.bincount(piece, weights=np.concatenate(([0.0], np.nan_to_num(dd, nan=0.0) * ~is_step)))
    ref = shift[np.flatnonzero(piece == int(np.argmax(span)))[0]]
    out = alt.copy()
    out[ok] = a - shift + ref
    return out, float(np.abs(removed).sum())


def _column(samples: pd.DataFrame, name: str) -> np.ndarray:
    if name not in samples.columns:
        return np.full(len(samples), np.nan)
    col = samples[name]
    if col.dtype == np.float64:
        return col.to_numpy()  # no missing-value conversion needed (and it is read-only use)
    return col.to_numpy(dtype=float, na_value=np.nan)


def _fill_inside(y: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Linearly interpolate NaNs between valid values of ``y`` over ``x``; leading/trailing NaNs stay."""
    ok = np.isfinite(y)
    if ok.all() or ok.sum() < 2:
        return y
    first, last = np.flatnonzero(ok)[[0, -1]]
    out = y.copy()
    inside = ~ok
    inside[:first] = False
    inside[last + 1 :] = False
    out[inside] = np.interp(x[inside], x[ok], y[ok])
    return out


def _remove_position_spikes(
    lat: np.ndarray, lon: np.ndarray, t: np.ndarray, params: TerrainParams
) -> tuple[np.ndarray, np.ndarray]:
    """NaN single fixes reached and left at more than ``jump_speed_mps`` (one-sample GPS jumps).

    Needs times: without them a one-fix jump cannot be told from a hairpin between sparse route points.
    """
    d = track_distance(lat, lon)
    with np.errstate(invalid="ignore"):
        fast = stamp_speed(t, d) > params.jump_speed_mps  # NaN (unknown time) is not fast
    spike = np.zeros(lat.size, dtype=bool)
    spike[1:-1] = fast[:-1] & fast[1:]
    if spike.any():
        lat, lon = np.where(spike, np.nan, lat), np.where(spike, np.nan, lon)
    return lat, lon


@dataclass
class _Track:
    """Cleaned per-sample arrays of one activity plus the totals that the regular grid truncates.

    ``jump`` flags the sample-to-sample intervals that were GPS jumps (their distance is already taken out);
    ``moving_s`` and ``pause`` (intervals inside a pause) are filled by :func:`set_moving_time` once the
    terrain is known. ``altitude_step_m`` is the
    total size of removed altitude steps (m); ``altitude_gap_m`` the longest distance between two samples
    with altitude (m; NaN without altitude).
    """

    distance_m: np.ndarray
    elapsed_s: np.ndarray
    altitude_m: np.ndarray
    heart_rate: np.ndarray
    has_time: bool
    jump: np.ndarray
    altitude_step_m: float = 0.0
    altitude_gap_m: float = np.nan
    moving_s: np.ndarray | None = None
    pause: np.ndarray | None = None

    @property
    def total_distance_m(self) -> float:
        return float(self.distance_m[-1]) if self.distance_m.size else np.nan

    @property
    def total_moving_s(self) -> float:
        if not self.has_time or self.moving_s is None or not self.moving_s.size:
            return np.nan
        return float(np.nanmax(self.moving_s))


def _clean_track(samples: pd.DataFrame, params: TerrainParams) -> _Track | None:
    """Distance (jumps out), time and altitude (steps out) per sample; None when there is no usable distance."""
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
    if not ok.all():
        # Keep the samples that have a distance; edges without one cannot be placed on the profile.
        first, last = np.flatnonzero(ok)[[0, -1]]
        keep = slice(first, last + 1)
        d, t = d[keep], t[keep]
    else:
        keep = slice(None)
    d = np.fmax.accumulate(d)
    alt, hr = _column(samples, "altitude_m")[keep], _column(samples, "heart_rate")[keep]
    timed = np.isfinite(t)
    if has_time and timed.sum() >= 2:
        first, last = np.flatnonzero(timed)[[0, -1]]
        span = d[-1] - d[0]
        # Times on a small part of the track (a route with a few stamped points) would give a moving
        # time and speeds for that part only, read as the whole run's: treat such a run as untimed.
        has_time = (d[last] - d[first]) >= MIN_TIMED_FRACTION * span  # (a standstill: 0 >= 0)
        has_time &= bool(t[last] > t[first])  # every point on one stamp: the times measure nothing
    else:
        has_time = False
    if has_time:
        jump = _jump_flags(t, d, params)
        if jump.any():  # a jump adds no distance (nor, later, time)
            d = np.concatenate(([d[0]], d[0] + np.cumsum(np.where(jump, 0.0, np.diff(d)))))
    else:
        t = np.full(d.size, np.nan)
        jump = np.zeros(d.size - 1, dtype=bool)
    alt, step_m = remove_altitude_steps(alt, t, d, params)
    has_alt = np.isfinite(alt)
    gap = float(np.diff(d[has_alt]).max()) if has_alt.sum() >= 2 else np.nan
    return _Track(d - d[0], t, alt, hr, has_time, jump, step_m, gap)


def set_moving_time(track: _Track, params: TerrainParams, terrain: tuple[np.ndarray, np.ndarray] | None = None) -> None:
    """Fill ``track.moving_s``: cumulative time without pauses and jumps, s (NaN where times are unknown).

    ``terrain`` is the smoothed profile (distance grid and altitude, m), used with the recorded altitude to
    tell steep hiking from pauses. An interval between two samples longer than ``params.recording_gap_s`` is a
    gap in the recording (the device was off, its clock jumped, two recordings were joined) and counts as a
    pause whatever its speed or climb: a one-year jump inside a track adds nothing to moving time.
    """
    if not track.has_time:
        track.moving_s = np.full(track.distance_m.size, np.nan)
        track.pause = np.zeros(track.jump.size, dtype=bool)
        return
    t = track.elapsed_s
    alt = track.altitude_m if np.isfinite(track.altitude_m).sum() >= 2 else None
    pause = _pause_flags(t, track.distance_m, params, alt, terrain if alt is not None else None)
    dt = np.nan_to_num(np.diff(t), nan=0.0)
    pause |= dt > params.recording_gap_s
    moving = np.concatenate(([0.0], np.cumsum(np.where(track.jump | pause, 0.0, dt))))
    moving[~np.isfinite(t)] = np.nan  # outside the stamped part, moving time is unknown, not zero
    track.moving_s, track.pause = moving, pause
