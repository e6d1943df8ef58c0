"""Terrain of a race course, and of each race section on it.

The race readers (:mod:`trailstrength.io.races`) give each runner's sections between checkpoints;
:func:`add_course` puts the course's terrain on them: distance, gain, loss and mean grade of every section,
from the course GPX smoothed the way runs are (:func:`~trailstrength.terrain.resample_by_distance`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from trailstrength.errors import ReaderError
from trailstrength.io.gpx import read_course
from trailstrength.units import track_distance

from .params import TerrainParams
from .profile import resample_by_distance
from .segments import ascent_descent


def course_profile(source, params: TerrainParams | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A course GPX (track or route, path or bytes) -> (profile, waypoints).

    ``profile`` is :func:`~trailstrength.terrain.resample_by_distance` of the course (``distance_m``, smoothed
    ``altitude_m``); ``waypoints`` has ``name`` and ``at_m`` (distance along the course of the nearest course
    point, taken in course order so an out-and-back finds the right passage).
    """
    points, named = read_course(source)
    lat, lon = points["lat"].to_numpy(float), points["lon"].to_numpy(float)
    samples = points.assign(elapsed_s=np.nan, distance_m=np.nan)
    profile = resample_by_distance(samples, params or TerrainParams())
    along = track_distance(lat, lon)
    wpts, last = [], 0
    for name, wlat, wlon in named.itertuples(index=False):
        dlat = lat[last:] - wlat
        dlon = (lon[last:] - wlon) * np.cos(np.radians(lat[last:]))
        last += int(np.argmin(dlat**2 + dlon**2))
        wpts.append({"name": name, "at_m": float(along[last])})
    return profile, pd.DataFrame(wpts, columns=["name", "at_m"])


def _section_terrain(profile: pd.DataFrame, start: float, end: float) -> tuple[float, float, float]:
    """Gain and loss (m) and mean grade (fraction) of the course between ``start`` and ``end`` (m)."""
    x, a = profile["distance_m"].to_numpy(float), profile["altitude_m"].to_numpy(float)
    if not (np.isfinite(start) and np.isfinite(end)) or end <= start:
        return np.nan, np.nan, np.nan
    inside = (x > start) & (x < end)
    xs = np.concatenate([[start], x[inside], [end]])
    alts = np.interp(xs, x, a)
    gain, loss = ascent_descent(alts)
    return gain, loss, (alts[-1] - alts[0]) / (end - start)


def add_course(
    races: pd.DataFrame, course, *, checkpoints: dict[str, float] | None = None, params: TerrainParams | None = None
) -> pd.DataFrame:
    """Fill each section's ``start_m``/``end_m`` (where missing), ``distance_m``, ``gain_m``, ``loss_m`` (m) and
    ``mean_grade`` (net altitude change ÷ distance, a fraction) from a course GPX.

    Checkpoint positions: the rows' own ``start_m``/``end_m``, else ``checkpoints`` (name → km from the start),
    else GPX waypoints of the same name (case-insensitive); ``start`` is 0 and ``finish`` the course length.

    Raises
    ------
    ReaderError
        A checkpoint is located by none of these (the message names it), or the course GPX is unreadable.
    """
    profile, wpts = course_profile(course, params)
    length = float(profile["distance_m"].iloc[-1])
    where = {"start": 0.0, "finish": length}
    where.update({str(n).strip().lower(): m for n, m in zip(wpts["name"], wpts["at_m"])})
    where.update({str(n).strip().lower(): km * 1000.0 for n, km in (checkpoints or {}).items()})
    out = races.copy()
    for side, col in (("from_checkpoint", "start_m"), ("to_checkpoint", "end_m")):
        located = out[side].astype(str).str.strip().str.lower().map(where)
        out[col] = out[col].where(out[col].notna(), located)
    unresolved = sorted(
        set(out.loc[out["start_m"].isna(), "from_checkpoint"]) | set(out.loc[out["end_m"].isna(), "to_checkpoint"])
    )
    if unresolved:
        raise ReaderError(f"course: checkpoint(s) {unresolved} are not GPX waypoints; give distance_km or checkpoints=")
    terr = [_section_terrain(profile, s, e) for s, e in zip(out["start_m"], out["end_m"])]
    out["distance_m"] = out["end_m"] - out["start_m"]
    out[["gain_m", "loss_m", "mean_grade"]] = np.array(terr, dtype=float).reshape(-1, 3)
    return out
