"""Physical units: the constants, the conversions to SI, and quantities as people write them.

Every stage reads its units from here, so a pound or a mile has one definition:

* mass: :data:`LB_KG`; the unit words of strength apps in :data:`WEIGHT_KG` (``"lbs"`` -> kg per unit);
* length: :data:`MILE_M`, :data:`FOOT_M`, :data:`YARD_M`, race distances (:data:`MARATHON_M`,
  :data:`HALF_MARATHON_M`) and the unit words of strength apps in :data:`DISTANCE_M`;
* positions on the Earth: :data:`EARTH_RADIUS_M`, :func:`great_circle_m` and :func:`track_distance` (degrees of
  latitude and longitude -> metres), which readers, terrain and the privacy zones share;
* time as written: :func:`parse_duration_s` (``1h 5m``, ``38min``, ``1:05:00``) and :func:`tempo_eccentric_s`
  (``3-1-1`` -> 3 s of lowering).

This module imports nothing from trailstrength, so every stage (readers first) may use it.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

__all__ = [
    "DISTANCE_M",
    "EARTH_RADIUS_M",
    "FOOT_M",
    "HALF_MARATHON_M",
    "LB_KG",
    "MARATHON_M",
    "MILE_M",
    "WEIGHT_KG",
    "YARD_M",
    "great_circle_m",
    "parse_duration_s",
    "tempo_eccentric_s",
    "track_distance",
]

# ------------------------------------------------------------------------------------------------ mass and length
LB_KG: float = 0.45359237  #: kg per international avoirdupois pound
MILE_M: float = 1609.344  #: m per international mile
FOOT_M: float = 0.3048  #: m per international foot
YARD_M: float = 0.9144  #: m per international yard
MARATHON_M: float = 42195.0  #: m, the marathon distance (World Athletics)
HALF_MARATHON_M: float = 21097.5  #: m

#: Weight unit words as strength apps write them -> kg per unit.
WEIGHT_KG: dict[str, float] = {"kg": 1.0, "kgs": 1.0, "kilograms": 1.0, "lb": LB_KG, "lbs": LB_KG, "pounds": LB_KG}
#: Distance unit words as strength apps write them -> m per unit.
DISTANCE_M: dict[str, float] = {
    "km": 1000.0,
    "kms": 1000.0,
    "m": 1.0,
    "meters": 1.0,
    "metres": 1.0,
    "mi": MILE_M,
    "mi.": MILE_M,
    "mile": MILE_M,
    "miles": MILE_M,
    "ft": FOOT_M,
    "feet": FOOT_M,
    "yd": YARD_M,
    "yards": YARD_M,
}

# ------------------------------------------------------------------------------------------------ the Earth
#: Mean Earth radius (IUGG), m. Good to ~0.3 % against the ellipsoid, far inside GPS error.
EARTH_RADIUS_M: float = 6_371_008.8


def great_circle_m(lat1: ArrayLike, lon1: ArrayLike, lat2: ArrayLike, lon2: ArrayLike) -> np.ndarray:
    """Great-circle (haversine) distance between points, element-wise with broadcasting.

    Parameters
    ----------
    lat1, lon1, lat2, lon2 : array_like
        Latitudes and longitudes in decimal degrees.

    Returns
    -------
    numpy.ndarray
        Distance in m on a sphere of radius :data:`EARTH_RADIUS_M`; NaN where a coordinate is NaN.

    Examples
    --------
    >>> round(float(great_circle_m(46.0, 7.0, 47.0, 7.0)))  # one degree of latitude
    111195
    """
    phi1, phi2 = np.radians(lat1), np.radians(lat2)
    a = (
        np.sin((phi2 - phi1) / 2) ** 2
        + np.cos(phi1) * np.cos(phi2) * np.sin((np.radians(lon2) - np.radians(lon1)) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


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
    if not valid.all():
        # Carry the last fix forward (and the first one backward) so every step has two positions.
        idx = np.maximum.accumulate(np.where(valid, np.arange(n), -1))
        idx[idx < 0] = np.flatnonzero(valid)[0]
        lat, lon = lat[idx], lon[idx]
    step = great_circle_m(lat[:-1], lon[:-1], lat[1:], lon[1:])
    out = np.empty(n)
    out[0] = 0.0
    np.cumsum(step, out=out[1:])
    return out


# ------------------------------------------------------------------------------------------------ time as written
_SPELLED = re.compile(r"^(?:(?P<h>\d+)\s*h)?\s*(?:(?P<m>\d+)\s*m(?:in)?)?\s*(?:(?P<s>\d+)\s*s(?:ec)?)?$")
# h:mm:ss or m:ss (minutes unbounded, e.g. 125:30), seconds may carry a fraction (chip times: 2:45:00.3)
_CLOCK = re.compile(r"^(\d+)(?::(\d{1,2}))?:(\d{1,2}(?:\.\d+)?)$")


def parse_duration_s(values: pd.Series) -> pd.Series:
    """Durations in seconds from the ways apps and results pages write them.

    Spelled units (``1h 5m``, ``38min``, ``53m``, ``45s``, ``2 h 3 min 4 sec``), a clock (``1:05:00`` is h:mm:ss,
    ``0:45`` and ``125:30`` are m:ss; seconds may have a fraction, ``2:45:00.3``) or bare seconds (``3600``,
    ``12.5``). Anything else (blank, ``N/A``, ``fast``, ``inf``) is NaN.

    Parameters
    ----------
    values : Series
        Text (any dtype; converted with ``str``).

    Returns
    -------
    Series of float
        Seconds, on the index of ``values``.

    Examples
    --------
    >>> parse_duration_s(pd.Series(["1h 5m", "0:45", "1:05:00", "90", "N/A"])).tolist()
    [3900.0, 45.0, 3900.0, 90.0, nan]
    """
    text = values.astype("str").str.strip().str.lower()
    parts = text.str.extract(_SPELLED)
    spelled = parts.astype("float64").fillna(0) @ np.array([3600.0, 60.0, 1.0])
    has_unit = parts.notna().any(axis=1) & text.ne("")
    clock = text.str.extract(_CLOCK).astype("float64")
    # with two colons the first number is hours, with one it is minutes
    clocked = np.where(clock[1].notna(), clock[0] * 3600 + clock[1] * 60, clock[0] * 60) + clock[2]
    clocked = np.where(clock[1].fillna(0).lt(60) & clock[2].lt(60), clocked, np.nan)  # "25:99" is no clock
    plain = pd.to_numeric(text, errors="coerce")
    plain = plain.where(np.isfinite(plain))  # "inf" is not a duration
    return (
        pd.Series(np.where(has_unit, spelled, np.nan), index=values.index)
        .fillna(pd.Series(clocked, index=values.index))
        .fillna(plain)
        .astype("float64")
    )


def tempo_eccentric_s(tempo: pd.Series) -> pd.Series:
    """Lowering (eccentric) seconds from a tempo string.

    The first number of ``3-1-1`` / ``4/0/1``, the first digit of the compact ``31X1`` / ``4010`` notation (each
    phase one digit, ``X`` = explosive), a bare ``3`` or ``3 s`` as the lowering time itself; NaN otherwise.

    Examples
    --------
    >>> tempo_eccentric_s(pd.Series(["3-1-1", "31X1", "2.5-0-1", "fast"])).tolist()
    [3.0, 3.0, 2.5, nan]
    """
    text = tempo.astype("str")
    separated = text.str.extract(r"^\s*(\d+(?:\.\d+)?)\s*[-/:,]", expand=False)
    compact = text.str.extract(r"^\s*(\d)[\dxX]{2,3}\s*$", expand=False)
    bare = text.str.extract(r"^\s*(\d+(?:\.\d+)?)\s*s?\s*$", expand=False)
    return pd.to_numeric(separated.fillna(compact).fillna(bare), errors="coerce")
