"""Writers of simulated data in the real file formats the package reads.

Activities (:func:`write_activity`): a small FIT encoder, TCX and GPX writers. Strength logs
(:func:`write_strength_log`: Strong's classic CSV export or the strength template) and soreness diaries
(:func:`write_soreness_diary`, the wellness template).

The activity writers exist so tests and benchmarks can build realistic FIT / TCX files (multisport sessions,
strength ``set`` messages, big-endian definitions, truncation) without shipping third-party files. Field numbers,
base types, scales and offsets are looked up by name in fitdecode's copy of the FIT profile, so the encoder writes
exactly what the profile says and a decoder test is a real round trip.

:func:`encode_fit` takes messages in file order as ``(message_name, rows)``; ``rows`` is a dict of columns
(arrays or scalars) in *our* units — Unix seconds for times, degrees for positions, m, m/s, kg — which are
converted to the profile's raw integers. A list / array value is a column (one entry per row), anything else
is the same in every row. NaN / None become the base type's invalid value. Enum fields accept profile names
(``"running"``) or numbers; array fields (``set.category``) take a list per row (``[[8, 65534]]``).
"""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pandas as pd

from trailstrength.io.fit_decode import FIT_EPOCH_S, crc16
from trailstrength.units import track_distance

_INVALID = {
    "B": 0xFF,
    "b": 0x7F,
    "H": 0xFFFF,
    "h": 0x7FFF,
    "I": 0xFFFFFFFF,
    "i": 0x7FFFFFFF,
    "Q": 0xFFFFFFFFFFFFFFFF,
    "q": 0x7FFFFFFFFFFFFFFF,
}
_NUMPY = {"B": "u1", "b": "i1", "H": "u2", "h": "i2", "I": "u4", "i": "i4", "Q": "u8", "q": "i8"}


def _profile_message(name: str):
    import fitdecode.profile as prof

    for num, m in prof.MESSAGE_TYPES.items():
        if m.name == name:
            fields = m.fields.values() if isinstance(m.fields, dict) else m.fields
            return num, {f.name: f for f in fields}
    raise KeyError(f"no FIT message named {name!r}")


def _raw(field, values: np.ndarray) -> np.ndarray:
    """Our units -> the field's raw integers (NaN stays NaN)."""
    ftype = field.type
    enum = getattr(ftype, "enum", None) if not getattr(field, "is_base_type", True) else None
    if enum and values.dtype == object:
        by_name = {v: k for k, v in enum.items()}
        values = np.array([by_name.get(v, v) if isinstance(v, str) else v for v in values], dtype=float)
    values = np.asarray(values, dtype=float)
    if getattr(ftype, "name", "") in ("date_time", "local_date_time"):
        values = values - FIT_EPOCH_S
    if field.units == "semicircles":
        values = values * (2**31 / 180.0)
    scale = field.scale if isinstance(field.scale, (int, float)) and field.scale else 1
    offset = field.offset if isinstance(field.offset, (int, float)) else 0
    return np.round((values + offset) * scale)


def _message_bytes(local: int, name: str, rows: dict, big_endian: bool) -> bytes:
    """One definition message and its data messages for ``rows`` (columns of equal length or scalars)."""
    num, fields = _profile_message(name)
    n = max((len(v) for v in rows.values() if isinstance(v, (list, tuple, np.ndarray, pd.Series))), default=1)
    order = ">" if big_endian else "<"
    dtype, cols, defs = [("header", "u1")], {}, []
    for key, value in rows.items():
        field = fields[key]
        bt = field.base_type
        fmt = bt.fmt
        col = list(value) if isinstance(value, (list, tuple, np.ndarray, pd.Series)) else [value] * n
        if len(col) != n:
            raise ValueError(f"{name}.{key}: {len(col)} values for {n} rows")
        is_array = any(isinstance(v, (list, tuple)) for v in col)
        if fmt == "s":
            enc = [(v or "").encode() + b"\0" for v in col]
            width = max(len(e) for e in enc)
            dtype.append((key, f"S{width}"))
            cols[key] = np.array(enc, dtype=f"S{width}")
            defs.append((field.def_num, width, bt.identifier))
            continue
        width = max(len(v) for v in col) if is_array else 1
        raw = np.full((n, width), np.nan)
        for i, v in enumerate(col):
            vals = list(v) if is_array else [v]
            vals = [np.nan if x is None else x for x in vals]
            named = any(isinstance(x, str) for x in vals)
            raw[i, : len(vals)] = _raw(field, np.array(vals, dtype=object if named else float))
        invalid = 0 if bt.name.endswith("z") else _INVALID[fmt]
        ints = np.where(np.isnan(raw), invalid, raw).astype(order + _NUMPY[fmt])
        shape = (width,) if is_array else ()
        dtype.append((key, order + _NUMPY[fmt], shape))
        cols[key] = ints if is_array else ints[:, 0]
        defs.append((field.def_num, bt.size * width, bt.identifier))
    arr = np.zeros(n, dtype=dtype)
    arr["header"] = local
    for key, col in cols.items():
        arr[key] = col
    definition = bytes([0x40 | local, 0, 1 if big_endian else 0]) + num.to_bytes(2, "big" if big_endian else "little")
    definition += bytes([len(defs)]) + b"".join(bytes([d, s, t]) for d, s, t in defs)
    return definition + arr.tobytes()


def encode_fit(
    messages: list[tuple[str, dict]], *, big_endian: bool = False, protocol: int = 0x20, profile: int = 2132
) -> bytes:
    """A complete FIT file (14-byte header with CRC, messages, file CRC); see the module docstring."""
    locals_: dict[str, int] = {}
    body = []
    for name, rows in messages:
        local = locals_.setdefault(name, len(locals_) % 16)
        body.append(_message_bytes(local, name, rows, big_endian))
    data = b"".join(body)
    header = bytearray([14, protocol]) + profile.to_bytes(2, "little") + len(data).to_bytes(4, "little") + b".FIT"
    header += crc16(bytes(header)).to_bytes(2, "little")
    out = bytes(header) + data
    return out + crc16(out).to_bytes(2, "little")


def track_columns(track: pd.DataFrame) -> dict:
    """A simulated track (``time`` UTC, lat, lon, ele, hr) -> FIT record columns with cumulative distance."""
    t = track["time"].astype("datetime64[ns, UTC]").astype("int64").to_numpy() / 1e9
    lat, lon = track["lat"].to_numpy(float), track["lon"].to_numpy(float)
    dist = track_distance(lat, lon)
    speed = np.concatenate([[0.0], np.diff(dist) / np.maximum(np.diff(t), 1e-9)])
    return {
        "timestamp": np.floor(t),
        "position_lat": lat,
        "position_long": lon,
        "enhanced_altitude": track["ele"].to_numpy(float),
        "distance": dist,
        "enhanced_speed": speed,
        "heart_rate": track["hr"].to_numpy(float),
    }


def fit_activity(
    track: pd.DataFrame,
    *,
    sport: str = "running",
    product: int = 1967,
    utc_offset_s: int | None = None,
    sets: list[dict] | None = None,
) -> bytes:
    """A one-session FIT activity of a simulated track (default device: Garmin fenix 2, a barometric watch)."""
    rec = track_columns(track)
    t0, t1 = float(rec["timestamp"][0]), float(rec["timestamp"][-1])
    total = float(rec["distance"][-1])
    msgs = [
        (
            "file_id",
            {
                "type": "activity",
                "manufacturer": "garmin",
                "product": product,
                "serial_number": 12345,
                "time_created": t0,
            },
        ),
        ("event", {"timestamp": t0, "event": "timer", "event_type": "start"}),
        ("record", rec),
        ("event", {"timestamp": t1, "event": "timer", "event_type": "stop_all"}),
    ]
    if sets:
        msgs.append(("set", {k: [s.get(k) for s in sets] for k in sets[0]}))
    msgs += [
        (
            "lap",
            {
                "timestamp": t1,
                "start_time": t0,
                "total_elapsed_time": t1 - t0,
                "total_timer_time": t1 - t0,
                "total_distance": total,
                "event": "lap",
                "event_type": "stop",
                "message_index": 0,
            },
        ),
        (
            "session",
            {
                "timestamp": t1,
                "start_time": t0,
                "total_elapsed_time": t1 - t0,
                "total_timer_time": t1 - t0,
                "total_distance": total,
                "sport": sport,
                "sub_sport": "generic",
                "event": "session",
                "event_type": "stop",
                "num_laps": 1,
                "message_index": 0,
            },
        ),
        (
            "activity",
            {
                "timestamp": t1,
                "total_timer_time": t1 - t0,
                "num_sessions": 1,
                "type": "manual",
                "event": "activity",
                "event_type": "stop",
                **({"local_timestamp": t1 + utc_offset_s} if utc_offset_s is not None else {}),
            },
        ),
    ]
    return encode_fit(msgs)


def tcx_activity(
    track: pd.DataFrame, *, sport: str = "Running", device: str = "Forerunner 935", leading_whitespace: bool = False
) -> str:
    """A Garmin-dialect TCX document of a simulated track (one lap), as text."""
    stamps = track["time"].dt.strftime("%Y-%m-%dT%H:%M:%S.000Z").to_numpy()
    dist = track_columns(track)["distance"]
    points = "".join(
        f"<Trackpoint><Time>{t}</Time><Position><LatitudeDegrees>{la:.7f}</LatitudeDegrees><LongitudeDegrees>"
        f"{lo:.7f}</LongitudeDegrees></Position><AltitudeMeters>{el:.1f}</AltitudeMeters><DistanceMeters>{d:.1f}"
        f"</DistanceMeters><HeartRateBpm><Value>{int(h)}</Value></HeartRateBpm></Trackpoint>\n"
        for t, la, lo, el, d, h in zip(stamps, track["lat"], track["lon"], track["ele"], dist, track["hr"])
    )
    total_s = (track["time"].iloc[-1] - track["time"].iloc[0]).total_seconds()
    doc = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2">\n'
        f'<Activities><Activity Sport="{sport}"><Id>{stamps[0]}</Id><Lap StartTime="{stamps[0]}">'
        f"<TotalTimeSeconds>{total_s:.1f}</TotalTimeSeconds><DistanceMeters>{dist[-1]:.1f}</DistanceMeters>"
        f"<Calories>0</Calories><Intensity>Active</Intensity><TriggerMethod>Manual</TriggerMethod>\n<Track>\n{points}"
        f'</Track></Lap><Creator xsi:type="Device_t" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<Name>{device}</Name></Creator></Activity></Activities></TrainingCenterDatabase>\n"
    )
    return ("\n   " + doc) if leading_whitespace else doc


def gpx_activity(track: pd.DataFrame, name: str = "Run") -> str:
    """A GPX 1.1 document of a simulated track with Garmin TrackPointExtension heart rate, as text."""
    stamps = track["time"].dt.strftime("%Y-%m-%dT%H:%M:%SZ").to_numpy()
    pts = "".join(
        f'<trkpt lat="{la:.7f}" lon="{lo:.7f}"><ele>{el:.1f}</ele><time>{t}</time><extensions>'
        f"<gpxtpx:TrackPointExtension><gpxtpx:hr>{int(h)}</gpxtpx:hr></gpxtpx:TrackPointExtension></extensions></trkpt>\n"
        for la, lo, el, t, h in zip(track["lat"], track["lon"], track["ele"], stamps, track["hr"])
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<gpx version="1.1" creator="trailstrength simulate (barometric '
        'altimeter)" xmlns="http://www.topografix.com/GPX/1/1" '
        'xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">\n'
        f"<trk><name>{name}</name><type>running</type><trkseg>\n{pts}</trkseg></trk></gpx>\n"
    )


def write_activity(path: Path, track: pd.DataFrame, fmt: str, name: str = "Run") -> Path:
    """Write a simulated track as ``fit`` (``.fit``), ``tcx`` (``.tcx.gz``) or ``gpx`` (``.gpx.gz``).

    ``path`` is the file name without its format suffix; returns the path written.
    """
    path = Path(path)
    if fmt == "fit":
        out = path.with_name(path.name + ".fit")
        out.write_bytes(fit_activity(track))
        return out
    if fmt not in ("tcx", "gpx"):
        raise ValueError(f"unknown simulated activity format {fmt!r} (fit, tcx or gpx)")
    out = path.with_name(path.name + f".{fmt}.gz")
    with gzip.open(out, "wt", encoding="utf-8", compresslevel=4) as fh:
        fh.write(tcx_activity(track) if fmt == "tcx" else gpx_activity(track, name))
    return out


def write_strength_log(folder: Path, sets: list[dict], style: str) -> Path | None:
    """Write strength sets as Strong's CSV export (``style="strong"``: ``strong_export.csv``, warm-ups as set "W")
    or the strength template (``strength_log.csv``, ``set_type`` column); nothing when there are no sets.

    ``sets`` has one dict per set: ``start`` (local session start, Timestamp), ``exercise`` (name as logged),
    ``kind`` (``working`` or ``warmup``), ``set`` (number within the exercise), ``reps`` and ``load`` (kg).
    """
    if not sets:
        return None
    df = pd.DataFrame(sets)
    if style == "strong":
        number = df.groupby(["start", "exercise", "kind"]).cumcount().add(1).astype(str)
        order = np.where(df["kind"].eq("warmup"), "W", number)
        out = pd.DataFrame(
            {
                "Date": df["start"].dt.strftime("%Y-%m-%d %H:%M:%S"),
                "Workout Name": "Legs",
                "Duration": "1h 5m",
                "Exercise Name": df["exercise"],
                "Set Order": order,
                "Weight": df["load"].round(1),
                "Reps": df["reps"],
                "Distance": 0,
                "Seconds": 0,
                "Notes": "",
                "Workout Notes": "",
                "RPE": "",
            }
        )
        path = Path(folder) / "strong_export.csv"
    else:
        out = pd.DataFrame(
            {
                "date": df["start"].dt.strftime("%Y-%m-%d"),
                "time": df["start"].dt.strftime("%H:%M"),
                "exercise": df["exercise"],
                "set": df["set"],
                "reps": df["reps"],
                "load": df["load"].round(1),
                "unit": "kg",
                "set_type": df["kind"],
                "rpe": "",
                "tempo": "3-1-1",
            }
        )
        path = Path(folder) / "strength_log.csv"
    out.to_csv(path, index=False)
    return path


def write_soreness_diary(path: Path, days: pd.DatetimeIndex, soreness, reported) -> Path:
    """Write the wellness template: one morning report (07:30, region quads) per day where ``reported`` is true,
    ``soreness`` rounded to whole points and clipped to 0-10."""
    diary = pd.DataFrame(
        {
            "date": days.strftime("%Y-%m-%d"),
            "time": "07:30",
            "soreness": soreness.round().clip(0, 10).astype(int),
            "regions": "quads",
        }
    )[reported]
    diary.to_csv(path, index=False)
    return path
