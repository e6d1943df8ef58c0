"""Descent and climb segments of a distance profile, and hysteresis ascent/descent totals."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from .grade_models import gap_factor
from .params import TerrainParams

#: Columns of the frame returned by :func:`find_segments`, in order.
SEGMENT_COLUMNS: tuple[str, ...] = (
    "kind",
    "start_m",
    "end_m",
    "length_m",
    "drop_m",
    "mean_grade",
    "max_grade",
    "steepness",
    "duration_s",
    "speed_mps",
    "gap_speed_mps",
    "vertical_speed_mps",
    "distance_before_m",
    "heart_rate_mean",
)
SEGMENT_KINDS: tuple[str, ...] = ("descent", "climb")
_TEXT_COLUMNS = ("kind", "steepness")
#: Steepness classes by how many of the two class limits a segment's mean grade passes.
_STEEPNESS = np.array(["moderate", "steep", "very_steep"], dtype=object)


@lru_cache(maxsize=1)
def _empty_segments_template() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="str" if c in _TEXT_COLUMNS else float) for c in SEGMENT_COLUMNS})


def empty_segments() -> pd.DataFrame:
    """A segments frame with no rows and the columns and dtypes of :func:`find_segments`."""
    # Building it costs ~1 ms (the str dtype), more than analysing a whole run: copy a cached one.
    return _empty_segments_template().copy()


def ascent_descent(altitude_m: ArrayLike, hysteresis_m: float = 5.0) -> tuple[float, float]:
    """Total ascent and descent with a dead band (zig-zag filter).

    A rise or fall counts only once the altitude has moved ``hysteresis_m`` from the last turning point,
    and then counts in full; swings smaller than the band are ignored.

    Parameters
    ----------
    altitude_m : array_like
        Altitude profile, m (NaNs are dropped).
    hysteresis_m : float
        Dead band, m.

    Returns
    -------
    (float, float)
        Ascent and descent in m, both ≥ 0. NaN, NaN when fewer than two valid altitudes.
    """
    a = np.asarray(altitude_m, dtype=float)
    a = a[np.isfinite(a)]
    if a.size < 2:
        return np.nan, np.nan
    # Only turning points matter to a zig-zag filter: reduce to them (vectorised) before the short loop.
    a = a[np.concatenate(([True], np.diff(a) != 0))]
    if a.size > 2:
        s = np.sign(np.diff(a))
        turn = np.concatenate(([True], s[1:] != s[:-1], [True]))
        a = a[turn]
    h = float(hysteresis_m)
    ascent = descent = 0.0
    lo = hi = last = ext = float(a[0])
    direction = 0
    for x in a[1:].tolist():
        if direction == 0:
            # Before the first confirmed swing, measure from the lowest (highest) point seen so far.
            lo, hi = min(lo, x), max(hi, x)
            if x > lo and x - lo >= h:
                last, ext, direction = lo, x, 1
            elif x < hi and hi - x >= h:
                last, ext, direction = hi, x, -1
        elif direction > 0:
            if x > ext:
                ext = x
            elif ext - x >= h:
                ascent += ext - last
                last, ext, direction = ext, x, -1
        else:
            if x < ext:
                ext = x
            elif x - ext >= h:
                descent += last - ext
                last, ext, direction = ext, x, 1
    if direction > 0:
        ascent += ext - last
    elif direction < 0:
        descent += last - ext
    return ascent, descent


def _runs(inside: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First and last index (inclusive) of every run of True."""
    edges = np.diff(np.concatenate(([0], inside.astype(np.int8), [0])))
    return np.flatnonzero(edges == 1), np.flatnonzero(edges == -1) - 1


def _crossing(
    x: np.ndarray, g: np.ndarray, i0: np.ndarray, i1: np.ndarray, level: float, default: np.ndarray
) -> np.ndarray:
    """Distance where signed grade crosses ``level`` between points i0 and i1 (linear); default if unknown."""
    g0, g1 = g[i0], g[i1]
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = (level - g0) / (g1 - g0)
        pos = x[i0] + frac * (x[i1] - x[i0])
    return np.where(np.isfinite(pos) & (frac >= 0) & (frac <= 1), pos, default)


def _range_reduce(values: np.ndarray, lo: np.ndarray, hi: np.ndarray, ufunc) -> np.ndarray:
    """ufunc.reduce of values[lo:hi] for many non-empty ranges at once."""
    padded = np.concatenate((values, values[-1:]))
    bounds = np.column_stack((lo, hi)).ravel()
    return ufunc.reduceat(padded, bounds)[::2]


def _cumulative(x: np.ndarray, g: np.ndarray, hr: np.ndarray, params: TerrainParams) -> tuple[np.ndarray, ...]:
    """Running integrals along the profile: grade-adjusted distance, HR × distance, distance with HR (m)."""
    dx = np.diff(x)
    g_step = (g[:-1] + g[1:]) / 2
    cum_gad = np.concatenate(([0.0], np.cumsum(gap_factor(g_step, params.gap_model) * dx)))
    hr_step = (hr[:-1] + hr[1:]) / 2
    hr_ok = np.isfinite(hr_step)
    if not hr_ok.any():
        zeros = np.zeros(x.size)
        return cum_gad, zeros, zeros
    cum_hr = np.concatenate(([0.0], np.cumsum(np.where(hr_ok, hr_step, 0.0) * dx)))
    cum_hr_w = np.concatenate(([0.0], np.cumsum(hr_ok * dx)))
    return cum_gad, cum_hr, cum_hr_w


def _candidates(
    x: np.ndarray, g: np.ndarray, alt: np.ndarray, params: TerrainParams, sign: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Start, end (m) and drop (m) of the segments of one direction (sign −1 descents, +1 climbs)."""
    n = x.size
    level = abs(params.descent_grade)
    sg = sign * g  # steepness in the segment's own direction: positive inside the segment
    first, last = _runs(sg >= level)
    if first.size == 0:
        return first.astype(float), first.astype(float), first.astype(float)
    start = _crossing(x, sg, np.maximum(first - 1, 0), first, level, x[first])
    end = _crossing(x, sg, last, np.minimum(last + 1, n - 1), level, x[last])
    # Merge neighbours closer than merge_gap_m: a short easing inside one long descent is still that descent.
    if start.size > 1:
        gap = start[1:] - end[:-1] >= params.merge_gap_m
        start, end = start[np.concatenate(([True], gap))], end[np.concatenate((gap, [True]))]
    drop = np.interp(start, x, alt) - np.interp(end, x, alt)
    keep = (end - start >= params.min_length_m) & (-sign * drop >= params.min_drop_m)
    return start[keep], end[keep], drop[keep]


def segment_arrays(profile, params: TerrainParams, kinds=SEGMENT_KINDS) -> dict[str, np.ndarray] | None:
    """Segments of several kinds merged and ordered by ``start_m``, as arrays; None when there are none.

    ``profile`` is a profile frame or the dict of arrays it is made from.
    """
    x, g, alt, mov, hr = _profile_inputs(profile)
    n = x.size
    if n < 2 or not np.isfinite(alt).all():
        return None
    parts = [(k, *_candidates(x, g, alt, params, -1.0 if k == "descent" else 1.0)) for k in kinds]
    parts = [p for p in parts if p[1].size]
    if not parts:
        return None
    # Both kinds together from here on: one pass of vectorised work instead of one per kind.
    kind = np.concatenate([np.full(p[1].size, p[0], dtype=object) for p in parts])
    start, end, drop = (np.concatenate([p[i] for p in parts]) for i in (1, 2, 3))
    if len(parts) > 1:
        order = np.argsort(start, kind="stable")
        kind, start, end, drop = kind[order], start[order], end[order], drop[order]
    is_descent = kind == "descent"
    sign = np.where(is_descent, -1.0, 1.0)
    length = end - start
    # Clipped like the profile's grade so the schema's ±max_abs_grade holds even for cliffs in bad data.
    mean_grade = np.clip(-drop / length, -params.max_abs_grade, params.max_abs_grade)
    lo = np.minimum(np.searchsorted(x, start, side="left"), n - 1)
    hi = np.minimum(np.maximum(np.searchsorted(x, end, side="right"), lo + 1), n)
    # steepest grade in the segment's own direction
    max_grade = sign * _range_reduce(np.concatenate((-g, g)), lo + n * ~is_descent, hi + n * ~is_descent, np.fmax)
    steep = sign * mean_grade
    steepness = _STEEPNESS[(steep >= -params.steep_grade).astype(np.intp) + (steep >= -params.very_steep_grade)]

    # Cumulative integrals along the profile give every segment's totals by interpolation at its ends.
    cum_gad, cum_hr, cum_hr_w = _cumulative(x, g, hr, params)

    def between(cum):
        return np.interp(end, x, cum) - np.interp(start, x, cum)

    duration = between(mov)  # NaN for a segment reaching into a part without times
    with np.errstate(divide="ignore", invalid="ignore"):
        timed = np.where(duration > 0, duration, np.nan)
        hr_w = between(cum_hr_w)
        return {
            "kind": kind,
            "start_m": start,
            "end_m": end,
            "length_m": length,
            "drop_m": drop,
            "mean_grade": mean_grade,
            "max_grade": max_grade,
            "steepness": steepness,
            "duration_s": duration,
            "speed_mps": length / timed,
            "gap_speed_mps": between(cum_gad) / timed,
            "vertical_speed_mps": np.abs(drop) / timed,
            "distance_before_m": start,
            "heart_rate_mean": np.where(hr_w > 0, between(cum_hr) / hr_w, np.nan),
        }


def _profile_inputs(profile) -> tuple[np.ndarray, ...]:
    """distance, grade, altitude, moving time and heart rate arrays of a profile frame or dict."""

    def col(name):
        if name not in profile:
            return np.full(len(profile["distance_m"]), np.nan)
        v = profile[name]
        return v if isinstance(v, np.ndarray) else v.to_numpy(dtype=float, na_value=np.nan)

    return col("distance_m"), col("grade"), col("altitude_m"), col("moving_s"), col("heart_rate")


def segments_frame(arrays: dict[str, np.ndarray] | None) -> pd.DataFrame:
    """The segments frame of :func:`segment_arrays` output.

    Text columns come as object arrays of str, which pandas stores in its default ``str`` dtype, the same
    as :func:`empty_segments` (an explicit ``astype("str")`` would cost more than the whole analysis).
    """
    if arrays is None:
        return empty_segments()
    return pd.DataFrame({c: arrays[c] for c in SEGMENT_COLUMNS})


def find_segments(
    profile: pd.DataFrame, params: TerrainParams = TerrainParams(), kind: str = "descent"
) -> pd.DataFrame:
    """Descent (or climb) segments of a distance profile.

    Parameters
    ----------
    profile : pandas.DataFrame
        Output of :func:`resample_by_distance` (``distance_m``, ``moving_s``, ``altitude_m``, ``grade``,
        ``heart_rate``).
    params : TerrainParams
        Thresholds (``descent_grade``, ``min_length_m``, ``min_drop_m``, ``merge_gap_m``, class limits)
        and ``gap_model``.
    kind : {"descent", "climb"}
        Climbs mirror descents: grade ≥ −``descent_grade``, gain ≥ ``min_drop_m``.

    Returns
    -------
    pandas.DataFrame
        One row per segment, ordered by ``start_m``, with columns :data:`SEGMENT_COLUMNS`:

        * ``start_m``, ``end_m``, ``length_m`` — where the smoothed grade crosses the threshold
          (interpolated between profile points), and the horizontal length, m;
        * ``drop_m`` — start minus end altitude, m (positive for descents, negative for climbs);
        * ``mean_grade`` = −drop / length (negative for descents); ``max_grade`` — steepest grade over
          ``grade_window_m`` inside the segment; ``steepness`` — "moderate", "steep" or "very_steep" by
          mean grade (limits ``steep_grade`` and ``very_steep_grade``, mirrored for climbs);
        * ``duration_s`` — moving time, s; ``speed_mps`` = length / duration; ``gap_speed_mps`` —
          grade-adjusted distance / duration, i.e. the time-weighted mean of per-step speed × gap factor;
          ``vertical_speed_mps`` = ``|drop|`` / duration (all NaN without times);
        * ``distance_before_m`` = ``start_m`` (distance already run, a fatigue covariate), m;
        * ``heart_rate_mean`` — distance-weighted mean heart rate, bpm.

        An empty frame with these columns when there is none.
    """
    if kind not in SEGMENT_KINDS:
        raise ValueError(f"kind={kind!r}; choose one of {SEGMENT_KINDS}")
    return segments_frame(segment_arrays(profile, params, (kind,)))
