"""Privacy for published figures: pseudonymous athlete labels and privacy-zone trimming.

Exported figures and the report never show athlete ids (folder names are often real names) unless
asked: :func:`pseudonyms` maps them to ``A1 … An``. Routes are drawn only when asked, and then
with every point inside a privacy zone removed. Zones come from ``athlete.toml``::

    privacy_zones = [[46.5123, 7.9876, 400], [46.6001, 8.0102, 250]]   # lat, lon, radius in m
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["EARTH_RADIUS_M", "pseudonymise", "pseudonyms", "privacy_zones", "trim_privacy_zones"]

EARTH_RADIUS_M = 6_371_008.8


def pseudonyms(athlete_ids: Iterable) -> dict[str, str]:
    """Map athlete ids to ``A1 … An`` in sorted order of the ids (stable for the same set)."""
    ids = sorted({str(a) for a in athlete_ids if pd.notna(a)})
    return {a: f"A{i}" for i, a in enumerate(ids, start=1)}


def pseudonymise(frame: pd.DataFrame, mapping: dict[str, str] | None, column: str = "athlete_id") -> pd.DataFrame:
    """A copy of ``frame`` with ``column`` replaced by its pseudonym (unchanged when ``mapping`` is None)."""
    if mapping is None or column not in frame:
        return frame
    out = frame.copy()
    out[column] = out[column].astype(str).map(lambda a: mapping.get(a, "A?"))
    return out


def privacy_zones(raw, athlete_id: str | None = None) -> dict[str, list[tuple[float, float, float]]]:
    """Privacy zones of every athlete (or one) from ``RAW/<folder>/athlete.toml``.

    Returns
    -------
    dict
        athlete id (the profile's ``athlete_id``, else the folder name) -> list of
        ``(lat, lon, radius_m)``; athletes without zones are left out.

    Raises
    ------
    ValueError
        A ``privacy_zones`` entry that is not ``[lat, lon, radius_m]`` with a positive radius; the
        message names the file.
    """
    zones: dict[str, list[tuple[float, float, float]]] = {}
    root = Path(raw)
    for prof in sorted(root.glob("*/athlete.toml")):
        try:
            data = tomllib.loads(prof.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
            raise ValueError(f"{prof}: not valid TOML ({err})") from None
        aid = str(data.get("athlete_id", prof.parent.name))
        if athlete_id is not None and aid != athlete_id:
            continue
        entries = data.get("privacy_zones", [])
        parsed = []
        for k, entry in enumerate(entries):
            try:
                lat, lon, radius = (float(v) for v in entry)
            except (TypeError, ValueError):
                raise ValueError(f"{prof}: privacy_zones[{k}] must be [lat, lon, radius_m], got {entry!r}") from None
            if not (-90 <= lat <= 90 and -180 <= lon <= 180 and radius > 0):
                raise ValueError(f"{prof}: privacy_zones[{k}] = {entry!r} is out of range "
                                 "(lat −90…90, lon −180…180, radius_m > 0)")
            parsed.append((lat, lon, radius))
        if parsed:
            zones[aid] = parsed
    return zones


def trim_privacy_zones(samples: pd.DataFrame, zones, *, keep_gaps: bool = False) -> pd.DataFrame:
    """Remove the points of a track that lie within any privacy zone.

    Parameters
    ----------
    samples : DataFrame
        Points with ``lat`` and ``lon`` (degrees).
    zones : iterable of (lat, lon, radius_m)
        Zone centres and radii (m).
    keep_gaps : bool
        False: drop the rows. True: keep them with ``lat``/``lon`` set to NaN, so a line drawn
        through the result breaks where the zone was instead of jumping across it.

    Returns
    -------
    DataFrame
        A copy; rows with missing coordinates are kept as they are.
    """
    zones = [tuple(map(float, z)) for z in zones]
    out = samples.copy()
    if not zones or out.empty:
        return out
    lat = np.radians(out["lat"].to_numpy(dtype=float))
    lon = np.radians(out["lon"].to_numpy(dtype=float))
    inside = np.zeros(len(out), dtype=bool)
    for zlat, zlon, radius in zones:
        zl, zo = np.radians(zlat), np.radians(zlon)
        a = np.sin((lat - zl) / 2) ** 2 + np.cos(lat) * np.cos(zl) * np.sin((lon - zo) / 2) ** 2
        dist = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0, 1)))
        with np.errstate(invalid="ignore"):
            inside |= dist <= radius
    if keep_gaps:
        out.loc[inside, ["lat", "lon"]] = np.nan
        return out
    return out[~inside].reset_index(drop=True)
