"""GPX 1.0 / 1.1: tracks (all tracks and segments of a file form one activity) and routes (courses).

Per track point: position, ``<ele>``, ``<time>`` and Garmin TrackPointExtension ``hr`` / ``cad`` (v1 or v2,
any namespace prefix). Samples carry ``segment`` (0, 1, ... across all tracks in file order), because a new
segment means the recording was interrupted.

Robustness, as the real files need it:

* partial or missing times keep the track (``has_time`` false when none; a warning names the share);
  impossible dates (before 1990 / after 2100, e.g. a 1901 clock) are dropped with a warning;
* a file cut off mid-way keeps its complete points, with a warning; no complete point is a reader error;
* a route-only file (``rtept``, no ``trkpt``) is recorded in the ``courses`` table, not as an activity;
* a time stated with a UTC offset (``+02:00``) gives the file's zone for local dates (see activity_rows).

Reading is the byte-level fast path of :mod:`trailstrength.io.xml_points`; documents it cannot vouch for
(several prefixes for one tag, self-closing points, comments) are parsed as an lxml tree — the same output,
slower. Tests check both paths agree on every real file.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
from lxml import etree

from trailstrength.io import xml_points as xp
from trailstrength.io._xml import local_name, parse_tree
from trailstrength.io.activity_rows import activities_frame, activity_row, iso_offset_s, sport_name
from trailstrength.io.base import FileContext, Format, ReaderError, ReadResult, text_head
from trailstrength.units import track_distance

VERSION = "3"  # 3: points in time order (xml_points.in_time_order)
FIELDS = ("ele", "time", "hr", "cad")
_CREATOR = re.compile(rb"<(?:[\w.-]+:)?gpx\b[^>]*?\bcreator\s*=\s*[\"']([^\"']*)")


def sniff(data: bytes) -> bool:
    head = text_head(data, 2048)
    return head.startswith("<") and bool(re.search(r"<(\w+:)?gpx[\s>]", head))


def scan_fast(data: bytes) -> dict:
    """Track points as columns (text values as ``S`` arrays) plus file metadata; raises ``NeedsTree``."""
    ix = xp.TagIndex(data)
    tag = ix.tag("trkpt")
    out = {"creator": _creator(data)}
    if tag is None:
        rte = ix.tag("rtept")
        out["route_points"] = _points(ix, rte, route=True) if rte else None
        return out
    out.update(_points(ix, tag))
    out["truncated"] = xp.truncated(data, "gpx")
    prefix = tag[1 : -len("trkpt")]
    starts = out.pop("starts")
    seg = ix.tag("trkseg")
    seg_starts = ix.lt[ix.starts(seg)] if seg else np.zeros(0, np.int64)
    out["segment"] = (
        np.maximum(np.searchsorted(seg_starts, starts, side="right") - 1, 0)
        if len(seg_starts)
        else np.zeros(len(starts), dtype=np.int64)
    )
    trk = [int(ix.lt[i]) for i in ix.starts(b"<" + prefix + b"trk")[:1]]
    first = int(starts[0]) if len(starts) else len(data)
    out["name"] = xp.first_text(data, b"<" + prefix + b"name", trk[0] if trk else 0, first)
    out["type"] = xp.first_text(data, b"<" + prefix + b"type", trk[0] if trk else 0, first)
    return out


def _points(ix: xp.TagIndex, tag: bytes, route: bool = False) -> dict:
    """Columns of the points opened by ``tag`` (track or route points)."""
    starts, ends = ix.spans(tag)
    attrs = ix.attributes(tag)
    if any(a.rstrip().endswith(b"/") for a in attrs):
        raise xp.NeedsTree("self-closing points")
    attrs = attrs[: len(starts)]
    out = {"lat": xp.attribute(attrs, "lat"), "lon": xp.attribute(attrs, "lon"), "n": len(starts), "starts": starts}
    for name in ("ele",) if route else FIELDS:
        out[name] = ix.values_in(starts, ends, ix.tag(name))
    if route:  # the route's own name (before its first point), else the file's
        rte = ix.tag("rte")
        begin = int(ix.lt[ix.starts(rte)][0]) if rte and len(ix.starts(rte)) else 0
        out["name"] = xp.first_text(
            ix.data, ix.tag("name"), begin, int(starts[0]) if len(starts) else None
        ) or xp.first_text(ix.data, ix.tag("name"))
    return out


def _creator(data: bytes) -> str | None:
    m = _CREATOR.search(data, 0, 4096)
    return m.group(1).decode("utf-8", "replace").strip() or None if m else None


def scan_tree(data: bytes) -> dict:
    """The same as :func:`scan_fast` from an lxml tree (the reference path; recovers from bad markup)."""
    root, cut = parse_tree(data, "GPX", "trkpt")
    out = {"creator": root.get("creator"), "truncated": cut}
    cols = {k: [] for k in ("lat", "lon", *FIELDS, "segment")}
    for k, seg in enumerate(root.iter("{*}trkseg", "trkseg")):
        for pt in seg.iter("{*}trkpt", "trkpt"):
            cols["lat"].append((pt.get("lat") or "").encode())
            cols["lon"].append((pt.get("lon") or "").encode())
            vals = dict.fromkeys(FIELDS, b"")
            for child in pt.iter():
                name = local_name(child.tag)
                if name in vals and not vals[name] and child.text:
                    vals[name] = child.text.encode()
            for name in FIELDS:
                cols[name].append(vals[name])
            cols["segment"].append(k)
    if not cols["lat"]:
        rte = [p for p in root.iter("{*}rtept", "rtept")]
        if rte:
            eles = [next((c.text for c in p if local_name(c.tag) == "ele"), "") or "" for p in rte]
            rte_el = next(root.iter("{*}rte", "rte"), None)
            in_route = rte_el if rte_el is not None else []
            name = next((e.text for e in in_route if local_name(e.tag) == "name"), None) or next(
                (e.text for e in root.iter("{*}name", "name")), None
            )
            out["route_points"] = {
                "lat": np.array([(p.get("lat") or "").encode() for p in rte], dtype="S64"),
                "lon": np.array([(p.get("lon") or "").encode() for p in rte], dtype="S64"),
                "ele": np.array([e.encode() for e in eles], dtype="S64"),
                "name": name,
            }
        else:
            out["route_points"] = None
        return out
    out.update(
        {k: np.array(v, dtype="S64") if k != "segment" else np.array(v, dtype=np.int64) for k, v in cols.items()}
    )
    out["n"] = len(cols["lat"])
    trk = next(root.iter("{*}trk", "trk"), None)
    meta = {
        local_name(c.tag): (c.text or "").strip()
        for c in (trk if trk is not None else [])
        if local_name(c.tag) in ("name", "type")
    }
    out["name"], out["type"] = meta.get("name") or None, meta.get("type") or None
    return out


def scan(data: bytes) -> dict:
    """Fast path, else the tree."""
    try:
        return scan_fast(data)
    except xp.NeedsTree:
        return scan_tree(data)


def read(data: bytes, ctx: FileContext) -> ReadResult:
    """Read a GPX file into one ``activities`` row and its ``samples`` (or one ``courses`` row for a route)."""
    pts = scan(data)
    if not pts.get("n"):
        route = pts.get("route_points")
        if route:
            return ReadResult({"courses": course_row(route, ctx)}, ["route without a track: recorded as a course"])
        if xp.truncated(data, "gpx") or not data.strip():
            raise ReaderError("not well-formed GPX XML: the file ends before </gpx> and holds no complete track point")
        raise ReaderError("GPX has no track points; nothing to ingest as an activity")
    warnings = []
    if pts.get("truncated"):
        warnings.append(f"GPX is cut off before </gpx>: kept the {pts['n']} complete track points before the fault")
    ts, impossible = xp.plausible_times(xp.to_times(pts["time"]))
    if impossible:
        warnings.append(f"{impossible} points have impossible dates; times dropped")
    n_t = int(ts.notna().sum())
    if n_t == 0:
        warnings.append("no usable times: time-based metrics unavailable")
    elif n_t < len(ts):
        warnings.append(f"times on {n_t} of {len(ts)} points only")
    start = ts.min()
    samples = pd.DataFrame(
        {
            "activity_id": ctx.activity_id(),
            "timestamp": ts,
            "elapsed_s": (ts - start).dt.total_seconds() if pd.notna(start) else np.nan,
            "distance_m": np.nan,
            "lat": xp.to_float(pts["lat"]),
            "lon": xp.to_float(pts["lon"]),
            "altitude_m": xp.to_float(pts["ele"]),
            "heart_rate": xp.to_float(pts["hr"]),
            "cadence": xp.to_float(pts["cad"]),
            "speed_mps": np.nan,  # distance and speed come from positions in the cleaning step
            "segment": pts["segment"],
        }
    )
    samples = xp.in_time_order(samples, warnings)
    first_time = next((v for v in pts["time"] if v), b"").decode("ascii", "replace")
    kind = (pts.get("type") or "").strip()
    row = activity_row(
        ctx,
        0,
        source_format="gpx",
        sport=sport_name(kind) if kind else "unknown",
        start=start,
        duration_s=(ts.max() - start).total_seconds() if pd.notna(start) else np.nan,
        samples=samples,
        device=pts.get("creator"),
        file_offset_s=iso_offset_s(first_time),
        name=pts.get("name"),
    )
    return ReadResult({"activities": activities_frame([row]), "samples": samples}, warnings)


def course_row(route: dict, ctx: FileContext) -> pd.DataFrame:
    """One ``courses`` row (a planned route: no times, no activity)."""
    lat, lon, ele = xp.to_float(route["lat"]), xp.to_float(route["lon"]), xp.to_float(route["ele"])
    dist = track_distance(lat, lon)
    dz = np.diff(ele[np.isfinite(ele)])
    return pd.DataFrame(
        {
            "course_id": [ctx.activity_id()],
            "athlete_id": ctx.athlete.athlete_id,
            "source_file": ctx.path,
            "source_format": "gpx",
            "name": route.get("name"),
            "n_points": len(lat),
            "distance_m": float(np.nanmax(dist)) if len(dist) else np.nan,
            "has_altitude": bool(np.isfinite(ele).any()),
            "gain_m": float(dz[dz > 0].sum()) if len(dz) else np.nan,
            "loss_m": float(-dz[dz < 0].sum()) if len(dz) else np.nan,
        }
    )


def read_course(source) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A course GPX (track or route; path or bytes) -> ``(points, waypoints)``, for joining race sections to it.

    ``points`` has ``lat``, ``lon`` (degrees) and ``altitude_m`` per track point (route points when the file
    has no track); ``waypoints`` has ``name``, ``lat`` and ``lon`` of every named ``<wpt>`` in file order. The
    terrain of the course comes later (:func:`trailstrength.terrain.course_profile`).

    Raises
    ------
    ReaderError
        Not well-formed XML, fewer than two points, or no elevation on any point.
    """
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    try:
        root = etree.fromstring(data, parser=etree.XMLParser(huge_tree=True))
    except etree.XMLSyntaxError as err:
        raise ReaderError(f"course GPX: not well-formed XML ({err})") from None
    pts = list(root.iter("{*}trkpt")) or list(root.iter("{*}rtept"))
    if len(pts) < 2:
        raise ReaderError("course GPX: fewer than two track or route points")

    def ele(p):
        e = p.find("{*}ele")
        return float(e.text) if e is not None and e.text else np.nan

    points = pd.DataFrame(
        {
            "lat": [float(p.get("lat")) for p in pts],
            "lon": [float(p.get("lon")) for p in pts],
            "altitude_m": [ele(p) for p in pts],
        },
        dtype=float,
    )
    if points["altitude_m"].isna().all():
        raise ReaderError("course GPX: no elevation; gain, loss and grade need <ele> on the course points")
    named = [
        (name, float(w.get("lat")), float(w.get("lon")))
        for w in root.iter("{*}wpt")
        if (name := (w.findtext("{*}name") or "").strip())
    ]
    return points, pd.DataFrame(named, columns=["name", "lat", "lon"])


FORMATS = [Format("gpx", VERSION, "activity", sniff, read)]
