"""What the activity readers (FIT, TCX, GPX, Strava CSV) share: sport names, local dates, activity rows.

Local dates follow one rule everywhere (DESIGN §4): the athlete's zone from ``athlete.toml`` when it names one,
else the zone the file itself states (FIT ``activity.local_timestamp``, an explicit UTC offset on GPX / TCX
times), else the default zone (UTC unless ``TRAILSTRENGTH_DEFAULT_TZ``). ``local_date_source`` records which
(``athlete`` / ``file`` / ``default``) so the warehouse can warn once per athlete.
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd

from trailstrength.io.base import FileContext, local_dates

# sport names across formats -> our vocabulary (FIT profile names pass through unchanged)
SPORTS = {
    "run": "running",
    "running": "running",
    "trail run": "running",
    "trailrun": "running",
    "trail_running": "running",
    "trail running": "running",
    "virtual run": "running",
    "virtualrun": "running",
    "treadmill": "running",
    "9": "running",
    "lauf": "running",
    "traillauf": "running",
    "ride": "cycling",
    "biking": "cycling",
    "cycling": "cycling",
    "bike": "cycling",
    "virtual ride": "cycling",
    "gravel ride": "cycling",
    "mountain bike ride": "cycling",
    "e-bike ride": "cycling",
    "1": "cycling",
    "radfahrt": "cycling",
    "hike": "hiking",
    "hiking": "hiking",
    "wanderung": "hiking",
    "walk": "walking",
    "walking": "walking",
    "spaziergang": "walking",
    "10": "walking",
    "weight training": "strength_training",
    "weighttraining": "strength_training",
    "krafttraining": "strength_training",
    "strength_training": "strength_training",
    "strength training": "strength_training",
    "swim": "swimming",
    "swimming": "swimming",
    "other": "other",
}
# device names whose altitude comes from a barometric altimeter (evidence for ``altitude_source``)
BAROMETRIC_DEVICES = re.compile(
    r"barometric|f[eē]nix|epix|enduro|tactix|quatix|marq|descent|instinct|forerunner ?9\d\d|\bfr9\d\d|"
    r"forerunner ?(?:745|955|965|255|265)|\bfr(?:745|955|965|255|265)|edge ?(?:5\d\d|8\d\d|1000|1030|1040|explore)|"
    r"\bedge_?(?:5\d\d|8\d\d|1000|1030|1040|explore)|v[ií]voactive[ _]?(?:hr|[345])|venu|suunto ?9|ambit|"
    r"vertical|apex ?pro|vertix|polar ?(?:v800|vantage v|grit)",
    re.I,
)


def sport_name(value, sub_sport=None) -> str:
    """A sport label from any source mapped to our vocabulary (unknown labels are kept, snake_cased)."""
    text = str(value).strip() if value is not None and not (isinstance(value, float) and np.isnan(value)) else ""
    if not text:
        return "unknown"
    if text == "training" and sub_sport == "strength_training":
        return "strength_training"
    key = text.lower()
    return SPORTS.get(key, SPORTS.get(key.replace("_", " "), re.sub(r"[^0-9a-z]+", "_", key).strip("_") or "unknown"))


def altitude_source(has_altitude: bool, device: str | None) -> str:
    """``barometric`` when the device is known to carry an altimeter, else ``gps``; ``none`` without altitude."""
    if not has_altitude:
        return "none"
    return "barometric" if device and BAROMETRIC_DEVICES.search(device) else "gps"


def offset_zone(offset_s: float | None) -> dt.timezone | None:
    """A fixed-offset zone from a UTC offset in seconds (rounded to 15 min); None when unknown or implausible."""
    if offset_s is None or not np.isfinite(offset_s):
        return None
    q = int(round(offset_s / 900.0)) * 900
    if abs(q) > 14 * 3600:
        return None
    return dt.timezone(dt.timedelta(seconds=q))


def local_day(start: pd.Timestamp, ctx: FileContext, file_offset_s: float | None) -> tuple[pd.Timestamp, str]:
    """The local date (naive midnight) of one UTC instant and which zone produced it (see the module docstring)."""
    if ctx.athlete.timezone_known:
        zone, source = ctx.athlete.tz, "athlete"
    else:
        zone = offset_zone(file_offset_s)
        zone, source = (zone, "file") if zone is not None else (ctx.athlete.tz, "default")
    local = start.to_pydatetime().astimezone(zone)
    return pd.Timestamp(local.year, local.month, local.day), source


def local_date_of(start: pd.Series, ctx: FileContext, file_offset_s: float | None) -> tuple[pd.Series, str]:
    """Local dates (naive midnight) of UTC instants and which zone produced them (see module docstring)."""
    start = pd.Series(start).astype("datetime64[ns, UTC]")
    if ctx.athlete.timezone_known:
        return local_dates(start, ctx.athlete.timezone), "athlete"
    zone = offset_zone(file_offset_s)
    if zone is not None:
        return start.dt.tz_convert(zone).dt.tz_localize(None).dt.normalize().astype("datetime64[ns]"), "file"
    return local_dates(start, ctx.athlete.timezone), "default"


def iso_offset_s(text: str | None) -> float | None:
    """UTC offset in seconds stated by an ISO 8601 time (``+02:00``; ``Z`` = 0 is not a zone statement)."""
    if not text:
        return None
    m = re.search(r"([+-])(\d\d):?(\d\d)\s*$", text.strip())
    if not m or not re.search(r"T\d", text):
        return None
    sign = -1.0 if m.group(1) == "-" else 1.0
    return sign * (int(m.group(2)) * 3600 + int(m.group(3)) * 60)


def activity_row(
    ctx: FileContext,
    index: int,
    *,
    source_format: str,
    sport: str,
    start,
    duration_s: float,
    samples: pd.DataFrame | None,
    device: str | None,
    file_offset_s: float | None = None,
    has_gps: bool | None = None,
    has_altitude: bool | None = None,
    **extra,
) -> dict:
    """One ``activities`` row; totals left NaN are filled by the terrain step (or stay unknown).

    ``has_gps`` / ``has_altitude`` default to what ``samples`` hold. ``extra`` adds source-specific columns
    (``moving_time_s``, ``device_distance_m`` ...); units in the names.
    """
    start = pd.Timestamp(start) if start is not None and pd.notna(start) else pd.NaT
    if start is not pd.NaT:
        start = start.tz_localize("UTC") if start.tzinfo is None else start.tz_convert("UTC")
    if has_gps is None:
        has_gps = bool(samples is not None and len(samples) and samples["lat"].notna().any())
    has_alt = (
        has_altitude
        if has_altitude is not None
        else bool(samples is not None and len(samples) and samples["altitude_m"].notna().any())
    )
    local_date, source = local_day(start, ctx, file_offset_s) if pd.notna(start) else (pd.NaT, "none")
    sport_source = "file"
    if sport == "unknown" and ctx.athlete.untyped_sport:
        sport, sport_source = sport_name(ctx.athlete.untyped_sport), "athlete.toml"
    row = {
        "activity_id": ctx.activity_id(index),
        "athlete_id": ctx.athlete.athlete_id,
        "source_file": ctx.path,
        "source_format": source_format,
        "sport": sport,
        "sport_source": sport_source,
        "start_time": start,
        "local_date": local_date,
        "duration_s": float(duration_s) if duration_s is not None and np.isfinite(duration_s) else np.nan,
        "moving_time_s": np.nan,
        "distance_m": np.nan,
        "ascent_m": np.nan,
        "descent_m": np.nan,
        "has_gps": has_gps,
        "has_altitude": has_alt,
        "altitude_source": altitude_source(has_alt, device),
        "device": device or None,
        "has_time": bool(pd.notna(start)),
        "local_date_source": source,
        "utc_offset_s": float(offset_zone(file_offset_s).utcoffset(None).total_seconds())
        if offset_zone(file_offset_s) is not None
        else np.nan,
    }
    row.update(extra)
    return row


def activities_frame(rows: list[dict]) -> pd.DataFrame:
    """Activity rows -> a frame with the contract's dtypes for the time columns."""
    cols = {k: [r.get(k) for r in rows] for k in rows[0]}
    cols["start_time"] = pd.DatetimeIndex(cols["start_time"]).as_unit("ns")
    cols["local_date"] = pd.DatetimeIndex(cols["local_date"]).as_unit("ns")
    return pd.DataFrame(cols)
