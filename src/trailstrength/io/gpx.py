"""GPX 1.0 / 1.1 tracks (lxml): positions, elevation, time, and Garmin TrackPointExtension hr/cad.

Namespace prefixes differ between writers, so elements are matched by local name. Tracks and segments
are concatenated in file order into one activity; a file with no track points is a reader error.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from lxml import etree

from trailstrength.io.base import FileContext, Format, ReaderError, ReadResult, local_dates, text_head

VERSION = "1"

# GPX <type> values (free text, or Strava's numeric codes) -> our sport names
_SPORTS = {
    "running": "running", "run": "running", "9": "running", "trail_running": "running", "trail running": "running",
    "cycling": "cycling", "biking": "cycling", "ride": "cycling", "1": "cycling",
    "hiking": "hiking", "hike": "hiking", "walking": "walking", "walk": "walking", "10": "walking",
}
# creators known to record barometric altitude (evidence for altitude_source)
_BAROMETRIC = re.compile(r"barometric|fenix|f[eē]nix|forerunner ?9\d\d|epix|enduro|vertix|suunto ?9|ambit|apex pro", re.I)


def sniff(data: bytes) -> bool:
    head = text_head(data, 2048)
    return head.startswith("<") and bool(re.search(r"<(\w+:)?gpx[\s>]", head))


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def read(data: bytes, ctx: FileContext) -> ReadResult:
    """Read a GPX file into one ``activities`` row and its ``samples``."""
    try:
        root = etree.fromstring(data, parser=etree.XMLParser(huge_tree=True, recover=False))
    except etree.XMLSyntaxError as err:
        raise ReaderError(f"not well-formed GPX XML ({err})") from None

    lat, lon, ele, times, hr, cad = [], [], [], [], [], []
    for pt in root.iter("{*}trkpt"):
        try:
            lat.append(float(pt.get("lat")))
            lon.append(float(pt.get("lon")))
        except (TypeError, ValueError):
            raise ReaderError(f"track point on line {pt.sourceline} has no numeric lat/lon") from None
        e = t = h = c = None
        for child in pt.iter():
            name = _local(child.tag) if isinstance(child.tag, str) else ""
            if name == "ele":
                e = child.text
            elif name == "time":
                t = child.text
            elif name == "hr":
                h = child.text
            elif name == "cad":
                c = child.text
        ele.append(e)
        times.append(t)
        hr.append(h)
        cad.append(c)
    if not lat:
        kind = "a route (rtept) without a track" if next(root.iter("{*}rtept"), None) is not None else "no track points"
        raise ReaderError(f"GPX has {kind}; nothing to ingest as an activity")

    ts = pd.to_datetime(pd.Series(times, dtype="str"), utc=True, format="ISO8601", errors="coerce")
    ts = ts.astype("datetime64[ns, UTC]")
    warnings = []
    years = ts.dt.year
    if ((years < 1990) | (years > 2100)).any():
        warnings.append(f"{int(((years < 1990) | (years > 2100)).sum())} points have impossible dates; times dropped")
        ts = ts.where((years >= 1990) & (years <= 2100))

    samples = pd.DataFrame(
        {
            "activity_id": ctx.activity_id(),
            "timestamp": ts,
            "lat": np.asarray(lat),
            "lon": np.asarray(lon),
            "altitude_m": pd.to_numeric(pd.Series(ele, dtype="str"), errors="coerce"),
            "heart_rate": pd.to_numeric(pd.Series(hr, dtype="str"), errors="coerce"),
            "cadence": pd.to_numeric(pd.Series(cad, dtype="str"), errors="coerce"),
        }
    )
    start = ts.min()
    samples["elapsed_s"] = (ts - start).dt.total_seconds() if pd.notna(start) else np.nan
    samples["distance_m"] = np.nan  # filled from positions by the cleaning step
    samples["speed_mps"] = np.nan

    meta = {_local(el.tag): (el.text or "").strip() for el in root.iter("{*}type", "{*}name") if el.text}
    creator = root.get("creator") or ""
    sport = _SPORTS.get(meta.get("type", "").lower(), meta.get("type", "").lower() or "unknown")
    has_alt = bool(samples["altitude_m"].notna().any())
    activity = pd.DataFrame(
        {
            "activity_id": [ctx.activity_id()],
            "athlete_id": ctx.athlete.athlete_id,
            "source_file": ctx.path,
            "source_format": "gpx",
            "sport": sport,
            "name": meta.get("name"),
            "start_time": [start],
            "local_date": local_dates(pd.Series([start]), ctx.athlete.timezone) if pd.notna(start) else [pd.NaT],
            "duration_s": (ts.max() - start).total_seconds() if pd.notna(start) else np.nan,
            # totals are ours, from the terrain step (a GPX file carries none of its own)
            "moving_time_s": np.nan,
            "distance_m": np.nan,
            "ascent_m": np.nan,
            "descent_m": np.nan,
            "has_gps": True,
            "has_altitude": has_alt,
            "altitude_source": ("barometric" if _BAROMETRIC.search(creator) else "gps") if has_alt else "none",
            "device": creator or None,
            "has_time": bool(ts.notna().any()),
        }
    )
    if ts.isna().all():
        warnings.append("no usable times: time-based metrics unavailable")
    return ReadResult({"activities": activity, "samples": samples}, warnings)


FORMATS = [Format("gpx", VERSION, "activity", sniff, read)]
