"""A per-athlete grade-adjustment curve fitted from the athlete's own runs (``model=EmpiricalGap``).

The published curves describe an average runner; trail runners differ most where it matters here (how much
they slow on steep climbs, how fast they dare to descend). :func:`fit_empirical_gap` estimates one athlete's
equal-effort curve from their run profiles and returns an :class:`EmpiricalGap` that every function taking a
grade-adjustment model accepts.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable

import numpy as np
import pandas as pd

from trailstrength.errors import NotEnoughTerrainData  # noqa: F401  (re-exported)

from .grade_models import EmpiricalGap
from .run import RunTerrain


def _steps(profile: pd.DataFrame, max_speed_mps: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per profile step: grade (fraction), distance (m) and moving time (s) of the steps that have times."""
    x = profile["distance_m"].to_numpy(dtype=float)
    mov = profile["moving_s"].to_numpy(dtype=float, na_value=np.nan)
    g = profile["grade"].to_numpy(dtype=float, na_value=np.nan)
    dx, dt, gs = np.diff(x), np.diff(mov), (g[:-1] + g[1:]) / 2
    ok = np.isfinite(dt) & (dt > 0) & np.isfinite(gs) & (dx < max_speed_mps * np.where(dt > 0, dt, 1.0))
    return gs[ok], dx[ok], dt[ok]


def _robust_additive_fit(
    log_speed: np.ndarray,
    run: np.ndarray,
    cell: np.ndarray,
    weight: np.ndarray,
    n_runs: int,
    n_bins: int,
    iterations: int = 20,
) -> np.ndarray:
    """Bin effects f of ``log_speed ≈ a[run] + f[cell]`` by weighted least squares with Huber weights.

    The run effect absorbs each day's form and effort, so only differences between grades *within* a run
    shape the curve. Returns f (length ``n_bins``), defined up to a constant.
    """
    a = np.zeros(n_runs)
    f = np.zeros(n_bins)
    w = weight.copy()
    for _it in range(iterations):
        # Alternating weighted means (backfitting) converge to the least-squares solution of the two-way model.
        for _ in range(5):
            f = np.bincount(cell, w * (log_speed - a[run]), n_bins) / np.maximum(np.bincount(cell, w, n_bins), 1e-12)
            a = np.bincount(run, w * (log_speed - f[cell]), n_runs) / np.maximum(np.bincount(run, w, n_runs), 1e-12)
        resid = log_speed - a[run] - f[cell]
        scale = 1.4826 * np.median(np.abs(resid)) + 1e-9
        # Huber weights: cells far off (a hidden stop, a bad GPS stretch) count less.
        w = weight * np.minimum(1.0, 1.345 * scale / np.maximum(np.abs(resid), 1e-12))
    return f


def fit_empirical_gap(
    profiles: Iterable,
    *,
    bin_width: float = 0.02,
    max_abs_grade: float = 0.40,
    min_runs: int = 5,
    min_bin_distance_m: float = 1000.0,
    min_bin_runs: int = 2,
    required_range: tuple[float, float] = (-0.10, 0.10),
    max_speed_mps: float = 8.0,
    fallback: str | None = None,
) -> EmpiricalGap | str:
    """Fit one athlete's equal-effort grade-adjustment curve from their runs.

    Parameters
    ----------
    profiles : iterable of pandas.DataFrame or RunTerrain
        The athlete's runs: profiles from :func:`resample_by_distance` (or :class:`RunTerrain` objects, whose
        ``profile`` is used). Runs without times are skipped.
    bin_width : float
        Width of the grade bins, fraction (centred on 0, so grade 0 has its own bin).
    max_abs_grade : float
        Steps steeper than this (fraction) are left out.
    min_runs : int
        At least this many runs with times are needed.
    min_bin_distance_m, min_bin_runs : float, int
        A grade bin enters the curve when it holds at least this much moving distance (m) from at least this
        many runs. The curve spans the contiguous well-filled bins around grade 0.
    required_range : (float, float)
        The fitted range must reach at least these grades (fraction) on both sides.
    max_speed_mps : float
        Profile steps faster than this (m/s) are left out (GPS errors).
    fallback : {"strava", "minetti"}, optional
        What to return instead of raising when the data are not enough; a :class:`UserWarning` says why.

    Returns
    -------
    EmpiricalGap or str
        The athlete's curve (factor 1 at grade 0), or ``fallback`` when there are too few data.

    Raises
    ------
    NotEnoughTerrainData
        When there are too few runs, no well-filled flat bin, or the fitted range does not reach
        ``required_range``, and no ``fallback`` is given. The message says which and by how much.

    Notes
    -----
    Each profile step (``step_m`` of distance with its moving time) is put in a grade bin. Per run and bin
    the speed is total distance ÷ total time (so slow and fast steps weigh by time, as in a race). The log
    speeds follow a two-way model ``log v[run, bin] = a[run] + f[bin]``, fitted by weighted least squares
    (weight = the cell's moving distance) with Huber down-weighting of outlying cells; ``a`` takes up each
    day's form, so ``f`` is the athlete's speed-vs-grade shape. ``f`` over the well-filled bins is smoothed
    by a penalised cubic spline (weights = bin distance, smoothing chosen by generalised cross-validation;
    :func:`scipy.interpolate.make_smoothing_spline`), and the factor is ``exp(f(0) − f(grade))``: the
    speed at equal effort on the flat ÷ the speed at that grade, 1 at grade 0. Beyond the fitted range the
    curve follows Strava's shape (see :class:`EmpiricalGap`).

    It assumes the athlete runs each run at a roughly even effort: a run that is easy on the climbs and
    raced on the descents bends the curve. Grade is the profile's smoothed grade, so a very short course
    of sharp breaks of slope blurs the curve; the default bins (2 %) are wider than that blur on normal
    trails.
    """
    frames = [p.profile if isinstance(p, RunTerrain) else p for p in profiles]
    parts = []
    for r, prof in enumerate(frames):
        if len(prof) < 2:
            continue
        g, dx, dt = _steps(prof, max_speed_mps)
        keep = np.abs(g) <= max_abs_grade
        if keep.any():
            parts.append((np.full(int(keep.sum()), r), g[keep], dx[keep], dt[keep]))
    n_timed = len(parts)
    problems = []
    if n_timed < min_runs:
        problems.append(f"{n_timed} runs with times and altitude, {min_runs} needed")
    curve = None
    if n_timed:
        run_raw, g, dx, dt = (np.concatenate(c) for c in zip(*parts))
        _, run = np.unique(run_raw, return_inverse=True)
        half = int(np.ceil(max_abs_grade / bin_width))
        b = np.clip(np.rint(g / bin_width).astype(int), -half, half) + half
        n_bins = 2 * half + 1
        # One cell per run and bin: total distance / total time.
        cell_id = run * n_bins + b
        uniq, inv = np.unique(cell_id, return_inverse=True)
        cdx, cdt = np.bincount(inv, dx), np.bincount(inv, dt)
        c_run, c_bin = uniq // n_bins, uniq % n_bins
        bin_dist = np.bincount(c_bin, cdx, n_bins)
        bin_runs = np.bincount(c_bin, minlength=n_bins)
        good = (bin_dist >= min_bin_distance_m) & (bin_runs >= min_bin_runs)
        if not good[half]:
            problems.append(
                f"{bin_dist[half]:.0f} m on the flat (|grade| < {bin_width / 2:.0%}), "
                f"{min_bin_distance_m:.0f} m from {min_bin_runs} runs needed"
            )
        else:
            # the contiguous well-filled bins around grade 0 (at most a few dozen: a loop is clearest)
            lo = hi = half
            while lo > 0 and good[lo - 1]:
                lo -= 1
            while hi < n_bins - 1 and good[hi + 1]:
                hi += 1
            lo_g, hi_g = (lo - half) * bin_width, (hi - half) * bin_width
            if lo_g > required_range[0] + 1e-9 or hi_g < required_range[1] - 1e-9:
                problems.append(
                    f"enough data from {lo_g:+.0%} to {hi_g:+.0%} only, "
                    f"{required_range[0]:+.0%} to {required_range[1]:+.0%} needed "
                    f"({min_bin_distance_m:.0f} m per {bin_width:.0%} bin)"
                )
            if not problems:
                f = _robust_additive_fit(np.log(cdx / cdt), c_run, c_bin, cdx, int(run.max()) + 1, n_bins)
                idx = np.arange(lo, hi + 1)
                centres = (idx - half) * bin_width
                w = bin_dist[idx] / bin_dist[idx].mean()
                from scipy.interpolate import make_smoothing_spline  # here: scipy stays off the ingest path

                spline = make_smoothing_spline(centres, f[idx], w=w)
                factors = np.exp(spline(0.0) - spline(centres))
                factors = factors / np.interp(0.0, centres, factors)
                curve = EmpiricalGap(
                    tuple(centres), tuple(factors), n_runs=n_timed, distance_m=float(bin_dist[idx].sum())
                )
    if curve is not None:
        return curve
    message = "not enough data for an empirical grade-adjustment curve: " + "; ".join(problems)
    if fallback is None:
        raise NotEnoughTerrainData(message + " (pass fallback='strava' to use the published curve instead)")
    warnings.warn(f"{message}; using the {fallback!r} model", UserWarning, stacklevel=2)
    return fallback
