"""TCX (Garmin Training Center XML): Garmin, Polar, TomTom and Strava dialects; one activity per ``<Activity>``.

Per trackpoint: ``Time``, ``Position`` (degrees), ``AltitudeMeters``, ``DistanceMeters``, ``HeartRateBpm/Value``,
``Cadence`` (or the extension's ``RunCadence``), and the extension's ``Speed`` (m/s) and ``Watts``. Missing
values stay missing (TomTom files have no heart rate; trackpoints without a fix have no position).

Per activity: ``Sport`` (Running / Biking / Other -> running / cycling / other), ``Id`` (the start), the
creator device, and the laps' own totals as reference columns (``device_timer_s`` = sum of lap
``TotalTimeSeconds``, which excludes pauses; ``device_distance_m``; ``n_laps``). An activity with laps but
no trackpoints (a manual entry) is kept, without samples. Times of an impossible year (a reset clock's 1901; see
:data:`~trailstrength.io.xml_points.PLAUSIBLE_YEARS`), in trackpoints or the ``Id``, are dropped with a warning, as
in GPX: an activity left without a usable time keeps its geometry, with no date and no time-based metrics.

Strava's TCX starts with whitespace before the XML declaration; the sniffer and both parsing paths accept
it. Parsing is the byte-level fast path of :mod:`trailstrength.io.xml_points` with an lxml tree as
fallback and reference (tests check that both agree on every real file).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from trailstrength.io import xml_points as xp
from trailstrength.io._xml import local_name, parse_tree
from trailstrength.io.activity_rows import activities_frame, activity_row, iso_offset_s, sport_name
from trailstrength.io.base import FileContext, Format, ReaderError, ReadResult, text_head

VERSION = "3"  # 2: times of an impossible year dropped; 3: points in time order (in_time_order)
# sample column -> TCX element (local name); first present wins for cadence
POINT_FIELDS = {
    "time": "Time",
    "lat": "LatitudeDegrees",
    "lon": "LongitudeDegrees",
    "altitude_m": "AltitudeMeters",
    "distance_m": "DistanceMeters",
    "cadence": "Cadence",
    "run_cadence": "RunCadence",
    "speed_mps": "Speed",
    "power_w": "Watts",
}


def sniff(data: bytes) -> bool:
    head = text_head(data, 2048)
    return head.startswith("<") and bool(re.search(r"<(\w+:)?TrainingCenterDatabase[\s>]", head))


def scan_fast(data: bytes) -> list[dict]:
    """Activities with their point columns (text values as ``S`` arrays); raises ``xml_points.NeedsTree``."""
    ix = xp.TagIndex(data)
    act_tag = ix.tag("Activity")
    if act_tag is None:
        return []
    act_starts, act_ends = ix.spans(act_tag, open_end=True)
    act_attrs = [data[p : data.find(b">", p)] for p in act_starts]
    tp = ix.tag("Trackpoint")
    starts, ends = ix.spans(tp) if tp else (np.zeros(0, np.int64), np.zeros(0, np.int64))
    cols = {col: ix.values_in(starts, ends, ix.tag(local)) for col, local in POINT_FIELDS.items()}
    cols["heart_rate"] = ix.values_in(starts, ends, ix.tag("Value"))  # a trackpoint's only <Value> is its HR
    owner = xp.inside(act_starts, act_ends, starts)
    laps, lap_t, lap_d = _lap_totals(ix, starts, ends)
    creator = ix.tag("Creator")
    creators = ix.lt[ix.starts(creator)] if creator else np.zeros(0, np.int64)
    out = []
    for k, attr in enumerate(act_attrs):
        a, b = int(act_starts[k]), int(act_ends[k])
        sport = re.search(rb"Sport\s*=\s*[\"']([^\"']*)", attr)
        inside_act = creators[(creators >= a) & (creators < b)]
        cpos = int(inside_act[0]) if len(inside_act) else -1
        in_act = (laps >= a) & (laps < b)
        sel = owner == k
        out.append(
            {
                **{c: v[sel] for c, v in cols.items()},
                "sport": sport.group(1).decode() if sport else None,
                "id": xp.first_text(data, ix.tag("Id"), a, b),
                "device": xp.first_text(data, ix.tag("Name"), cpos, b) if cpos >= 0 else None,
                "n_laps": int(in_act.sum()),
                "lap_time_s": _sum(lap_t[in_act]),
                "lap_distance_m": _sum(lap_d[in_act]),
            }
        )
    return out


def _sum(values: np.ndarray) -> float:
    return float(np.nansum(values)) if np.isfinite(values).any() else np.nan


def _lap_totals(ix: xp.TagIndex, starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Lap start offsets with each lap's own ``TotalTimeSeconds`` and ``DistanceMeters`` (NaN when absent).

    A lap's totals are its first such children before its track, outside trackpoints and extensions.
    """
    lap_tag = ix.tag("Lap")
    if lap_tag is None:
        return np.zeros(0, np.int64), np.zeros(0), np.zeros(0)
    laps = ix.lt[ix.starts(lap_tag)]
    track = ix.tag("Track")
    limits = np.sort(np.concatenate([laps[1:], ix.lt[ix.starts(track)] if track else [], [len(ix.data)]]))
    lap_end = limits[np.searchsorted(limits, laps, side="right")]
    out = []
    for local in ("TotalTimeSeconds", "DistanceMeters"):
        tag = ix.tag(local)
        pos, vals = ix.text(tag) if tag else (np.zeros(0, np.int64), np.zeros(0, dtype="S1"))
        keep = xp.inside(starts, ends, pos) < 0
        pos, vals = pos[keep], xp.to_float(vals[keep])
        if not len(pos):
            out.append(np.full(len(laps), np.nan))
            continue
        j = np.minimum(np.searchsorted(pos, laps, side="left"), len(pos) - 1)
        out.append(np.where((pos[j] >= laps) & (pos[j] < lap_end), vals[j], np.nan))
    return laps, out[0], out[1]


def scan_tree(data: bytes) -> list[dict]:
    """The same as :func:`scan_fast` from an lxml tree (reference path; keeps points before broken markup)."""
    root, _ = parse_tree(data, "TCX", "Trackpoint")
    out = []
    for act in root.iter("{*}Activity", "Activity"):
        cols = {c: [] for c in (*POINT_FIELDS, "heart_rate")}
        for pt in act.iter("{*}Trackpoint", "Trackpoint"):
            vals = dict.fromkeys(cols, b"")
            for el in pt.iter():
                name = local_name(el.tag)
                col = next((c for c, local in POINT_FIELDS.items() if local == name), None)
                if name == "Value" and local_name(el.getparent().tag) == "HeartRateBpm":
                    col = "heart_rate"
                if col and not vals[col] and el.text:
                    vals[col] = el.text.encode()
            for c in cols:
                cols[c].append(vals[c])
        laps = [lap for lap in act if local_name(lap.tag) == "Lap"]

        def lap_total(local):
            vals = [next((c.text for c in lap if local_name(c.tag) == local), None) for lap in laps]  # noqa: B023
            vals = [float(v) for v in vals if v]
            return float(sum(vals)) if vals else np.nan

        creator = next((c for c in act if local_name(c.tag) == "Creator"), None)
        out.append(
            {
                **{c: np.array(v, dtype="S64") for c, v in cols.items()},
                "sport": act.get("Sport"),
                "id": next(((c.text or "").strip() for c in act if local_name(c.tag) == "Id"), None),
                "device": next(((c.text or "").strip() for c in creator if local_name(c.tag) == "Name"), None)
                if creator is not None
                else None,
                "n_laps": len(laps),
                "lap_time_s": lap_total("TotalTimeSeconds"),
                "lap_distance_m": lap_total("DistanceMeters"),
            }
        )
    return out


def scan(data: bytes) -> tuple[list[dict], bool]:
    """Fast path, else the tree; also whether the document was cut off."""
    cut = xp.truncated(data, "TrainingCenterDatabase")
    try:
        return scan_fast(data), cut
    except xp.NeedsTree:
        return scan_tree(data), cut


def read(data: bytes, ctx: FileContext) -> ReadResult:
    """Read a TCX file: one ``activities`` row per ``<Activity>`` and their ``samples``."""
    acts, cut = scan(data)
    if not acts:
        if cut:
            raise ReaderError("not well-formed TCX XML: the file ends early and holds no complete activity")
        what = "a course" if re.search(rb"<(?:[\w.-]+:)?Course[\s>]", data) else "no activity"
        raise ReaderError(f"TCX holds {what}; nothing to ingest as an activity")
    warnings, rows, parts = [], [], []
    for i, act in enumerate(acts):
        times, impossible = xp.plausible_times(xp.to_times(act["time"]))
        if impossible:
            warnings.append(f"activity {i}: {impossible} trackpoints have impossible dates; times dropped")
        t = times.array.asi8  # ns since 1970; NaT = int64 min
        ok = t != np.iinfo(np.int64).min
        id_time = _timestamp(act.get("id"))
        first = [int(t[ok].min())] if ok.any() else []
        start_ns = min(first + ([id_time.value] if id_time is not None else []), default=None)
        cad = xp.to_float(act["cadence"])
        cols = {
            "distance_m": xp.to_float(act["distance_m"]),
            "lat": xp.to_float(act["lat"]),
            "lon": xp.to_float(act["lon"]),
            "altitude_m": xp.to_float(act["altitude_m"]),
            "heart_rate": xp.to_float(act["heart_rate"]),
            "cadence": np.where(np.isnan(cad), xp.to_float(act["run_cadence"]), cad),
            "speed_mps": xp.to_float(act["speed_mps"]),
            "power_w": xp.to_float(act["power_w"]),
        }
        samples = pd.DataFrame(
            {
                "activity_id": ctx.activity_id(i),
                "timestamp": pd.DatetimeIndex(t.view("datetime64[ns]")).tz_localize("UTC"),
                "elapsed_s": np.where(ok, (t - (start_ns or 0)) / 1e9, np.nan) if start_ns is not None else np.nan,
                **cols,
            }
        )
        samples = xp.in_time_order(samples, warnings, f"activity {i}: ")
        if len(t) and not ok.any():
            warnings.append(f"activity {i}: no usable trackpoint times")
        if not len(t):
            warnings.append(f"activity {i}: laps without trackpoints (a manual entry): kept without samples")
        end_ns = (
            int(t[ok].max())
            if ok.any()
            else (
                start_ns + int(act["lap_time_s"] * 1e9)
                if start_ns is not None and np.isfinite(act["lap_time_s"])
                else None
            )
        )
        first_time = next((bytes(v) for v in act["time"] if v), (act.get("id") or "").encode()).decode(
            "ascii", "replace"
        )
        rows.append(
            activity_row(
                ctx,
                i,
                source_format="tcx",
                sport=sport_name(act.get("sport")),
                start=pd.Timestamp(start_ns, tz="UTC") if start_ns is not None else None,
                duration_s=(end_ns - start_ns) / 1e9 if start_ns is not None and end_ns is not None else np.nan,
                samples=None,
                has_gps=bool(np.isfinite(cols["lat"]).any()),
                has_altitude=bool(np.isfinite(cols["altitude_m"]).any()),
                device=act.get("device"),
                file_offset_s=iso_offset_s(first_time),
                moving_time_s=act["lap_time_s"],
                device_timer_s=act["lap_time_s"],
                device_distance_m=act["lap_distance_m"],
                n_laps=act["n_laps"],
            )
        )
        parts.append(samples)
    if cut:
        warnings.append(
            f"TCX is cut off before </TrainingCenterDatabase>: kept the {sum(map(len, parts))} "
            "complete trackpoints before the fault"
        )
    samples = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    return ReadResult({"activities": activities_frame(rows), "samples": samples}, warnings)


def _timestamp(text: str | None) -> pd.Timestamp | None:
    """An ISO 8601 time (the activity ``Id``) as a UTC timestamp; None when absent, not a time or of an impossible
    year (:data:`~trailstrength.io.xml_points.PLAUSIBLE_YEARS`)."""
    try:
        ts = pd.Timestamp(text.strip()) if text else None
    except ValueError:
        return None
    if ts is None or pd.isna(ts) or not xp.PLAUSIBLE_YEARS[0] <= ts.year <= xp.PLAUSIBLE_YEARS[1]:
        return None
    return (ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")).as_unit("ns")


FORMATS = [Format("tcx", VERSION, "activity", sniff, read)]
