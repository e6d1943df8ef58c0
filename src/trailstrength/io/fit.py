"""FIT activity files (watches, bike computers, apps): samples, one activity per session, strength sets.

Decoding is in :mod:`trailstrength.io.fit_decode` (fitfast, with fitdecode as fallback). This module turns
the decoded content into tables:

* ``activities`` — one row per ``session`` message, so a multisport file (run → transition → bike) gives
  one activity per leg, transitions included (``sport='transition'``); a file without sessions (cut short)
  gives one activity spanning its records. Device totals are kept as reference columns
  (``device_distance_m``, ``device_timer_s``, ``device_ascent_m``, ``device_descent_m``); ``moving_time_s``
  starts as the device's timer time and is replaced by ours where the terrain step can compute it.
* ``samples`` — the contract columns plus ``power_w``, ``temperature_c``, running dynamics
  (``vertical_oscillation_mm``, ``stance_time_ms``, ``step_length_mm``) and named developer fields as
  ``dev_<name>``. ``cadence`` is as recorded (running: strides per minute, one foot) including
  ``fractional_cadence``. Each record belongs to the session whose time window holds it.
* ``strength_sets`` — active ``set`` messages (rest sets dropped): reps, load in kg (the profile's 1/16 kg
  scale is applied by the decoder), duration, and ``exercise_raw`` named from the FIT profile's exercise
  category and subtype (``romanian_deadlift``; ``deadlift/unknown`` when the subtype is missing, so the
  category alone never decides; ``unknown (FIT 65534)`` for an unidentified exercise). Classification is
  the cleaning step's job.

Time stamps: FIT times are UTC. Device-relative times (before a clock fix, raw < 0x10000000) are moved to
wall-clock time with ``activity.local_timestamp`` read in the athlete's zone when that is possible, else
start times are unknown. Files that are not activities (daily monitoring, sleep, settings) are refused.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from trailstrength.io.activity_rows import activities_frame, activity_row, local_day, sport_name
from trailstrength.io.base import FileContext, Format, ReaderError, ReadResult
from trailstrength.io.fit_decode import RELATIVE_BEFORE, FitContent, decode

VERSION = "2"  # 2: records_distance_m, records_elapsed_s (how far the records go, for partial files)
UNKNOWN_EXERCISE = 65534
# record field -> samples column (first present wins)
_SAMPLE_FIELDS = {
    "lat": ("position_lat",),
    "lon": ("position_long",),
    "altitude_m": ("enhanced_altitude", "altitude"),
    "distance_m": ("distance",),
    "speed_mps": ("enhanced_speed", "speed"),
    "heart_rate": ("heart_rate",),
    "power_w": ("power",),
    "temperature_c": ("temperature",),
    "vertical_oscillation_mm": ("vertical_oscillation",),
    "stance_time_ms": ("stance_time",),
    "step_length_mm": ("step_length",),
}
_NON_ACTIVITY_TYPES = {
    "monitoring_a",
    "monitoring_b",
    "monitoring_daily",
    "sleep",
    "settings",
    "device",
    "sport",
    "totals",
    "goals",
    "weight",
    "blood_pressure",
    "schedules",
    "workout",
    "course",
    "activity_summary",
    "segment",
    "segment_list",
    "exd_configuration",
}


def sniff(data: bytes) -> bool:
    return len(data) >= 12 and data[8:12] == b".FIT"


def _profile():
    import fitdecode.profile

    return fitdecode.profile


def _record_field_names() -> set[str]:
    p = _profile().MESSAGE_TYPES[20]
    fields = p.fields.values() if isinstance(p.fields, dict) else p.fields
    return {f.name for f in fields}


_PROFILE_RECORD_FIELDS: set[str] | None = None


def _dev_name(name: str) -> str:
    return "dev_" + "".join(ch if ch.isalnum() else "_" for ch in name.strip().lower()).strip("_")


def device_name(messages: dict[str, list[dict]]) -> str | None:
    """``"<manufacturer> <product>"`` of the recording device (file_id / creator device_info)."""
    cands = [
        *messages.get("file_id", []),
        *[d for d in messages.get("device_info", []) if d.get("device_index") in ("creator", 0)],
    ]
    for d in cands:
        maker = d.get("manufacturer")
        product = d.get("garmin_product") or d.get("product_name") or d.get("product")
        if isinstance(product, (int, float)) and maker in ("garmin", "dynastream", "dynastream_oem"):
            product = _profile().FIELD_TYPES["garmin_product"].enum.get(int(product), product)
        words = [x for x in (maker, product) if isinstance(x, str) and x]
        if words:
            return " ".join(words)
    return None


def _times(content: FitContent, ctx: FileContext, warnings: list[str]) -> tuple[np.ndarray, float]:
    """Record times in Unix seconds (NaN unknown), and the shift applied to every FIT time of the file."""
    t = content.records.get("timestamp", np.array([], dtype=float))
    act = (content.messages.get("activity") or [{}])[-1]
    rel = np.isfinite(t) & (t < RELATIVE_BEFORE)
    if not rel.any():
        return t, 0.0
    local_end, end = act.get("local_timestamp"), act.get("timestamp")
    if local_end and end and local_end >= RELATIVE_BEFORE and end < RELATIVE_BEFORE:
        zone = ctx.athlete.timezone
        local = pd.Timestamp(local_end, unit="s").tz_localize(None)
        utc_end = local.tz_localize(zone, ambiguous="NaT", nonexistent="shift_forward")
        if pd.notna(utc_end):
            shift = utc_end.timestamp() - end
            warnings.append(
                f"device-relative time stamps: placed on the clock with the activity's local end time "
                f"read in zone {zone}"
            )
            return np.where(rel, t + shift, t), shift
    warnings.append("device-relative time stamps and no clock reference: start times unknown")
    return np.where(rel, np.nan, t), np.nan


def _sample_columns(content: FitContent) -> dict[str, np.ndarray]:
    """Record columns under our names (units as in the module docstring), developer fields as ``dev_<name>``."""
    global _PROFILE_RECORD_FIELDS
    rec = content.records
    n = len(rec.get("timestamp", ()))
    cols: dict[str, np.ndarray] = {}
    for col, names in _SAMPLE_FIELDS.items():
        present = [rec[name] for name in names if name in rec]
        vals = present[0] if present else np.full(n, np.nan)
        for more in present[1:]:
            vals = np.where(np.isnan(vals), more, vals)
        cols[col] = vals
    cad = rec.get("cadence", np.full(n, np.nan))
    frac = rec.get("fractional_cadence")
    cols["cadence"] = cad + np.nan_to_num(frac) if frac is not None else cad
    if _PROFILE_RECORD_FIELDS is None:
        _PROFILE_RECORD_FIELDS = _record_field_names()
    for name, vals in rec.items():
        if name not in _PROFILE_RECORD_FIELDS and not name.startswith("unknown_") and np.isfinite(vals).any():
            cols[_dev_name(name)] = vals
    first = ("lat", "lon", "altitude_m", "distance_m", "speed_mps", "heart_rate", "cadence")
    return {**{c: cols[c] for c in first}, **{c: v for c, v in cols.items() if c not in first}}


def _finite_max(values: np.ndarray) -> float:
    """The largest finite value, NaN when there is none."""
    values = np.asarray(values, dtype=float)
    finite = values[np.isfinite(values)]
    return float(finite.max()) if finite.size else np.nan


def _num(d: dict, key: str) -> float:
    v = d.get(key)
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else np.nan


def read(data: bytes, ctx: FileContext) -> ReadResult:
    """Read a FIT activity file (see the module docstring for the tables and conventions)."""
    content = decode(data)
    warnings = list(content.warnings)
    msgs = content.messages
    ftype = (msgs.get("file_id") or [{}])[0].get("type")
    t_all = content.records.get("timestamp", np.array([], dtype=float))
    sessions = msgs.get("session", [])
    if not len(t_all) and not sessions:
        what = f"a FIT {ftype} file" if isinstance(ftype, str) else "a FIT file without records or sessions"
        fault = f" ({warnings[-1]})" if content.decoder == "fitdecode" else ""
        raise ReaderError(f"{what}, not an activity (no records, no sessions){fault}")
    if ftype in _NON_ACTIVITY_TYPES and not sessions:
        raise ReaderError(f"a FIT {ftype} file, not an activity")
    t, shift = _times(content, ctx, warnings)
    cols = _sample_columns(content)
    device = device_name(msgs)
    act = (msgs.get("activity") or [{}])[-1]
    offset = _num(act, "local_timestamp") - _num(act, "timestamp")
    offset = offset if np.isfinite(offset) and _num(act, "timestamp") >= RELATIVE_BEFORE else None

    def fit_time(v):
        v = _num({"v": v}, "v")
        if not np.isfinite(v):
            return np.nan
        return v + shift if v < RELATIVE_BEFORE else v

    if not sessions:
        warnings.append("no session message (file cut short?): one activity spans all records")
        start = np.nanmin(t) if np.isfinite(t).any() else np.nan
        sessions_ = [
            {
                "start_time": start,
                "total_elapsed_time": np.nanmax(t) - start if np.isfinite(start) else np.nan,
                "sport": (msgs.get("sport") or [{}])[0].get("sport"),
                "sub_sport": (msgs.get("sport") or [{}])[0].get("sub_sport"),
            }
        ]
        starts = np.array([start])
    else:
        sessions_ = sorted(sessions, key=lambda s: np.nan_to_num(fit_time(s.get("start_time")), nan=0.0))
        starts = np.array([fit_time(s.get("start_time")) for s in sessions_])
    # each record goes to the last session starting at or before it (records before the first: the first)
    owner = np.clip(np.searchsorted(np.nan_to_num(starts, nan=-np.inf), t, side="right") - 1, 0, len(sessions_) - 1)
    ids = [ctx.activity_id(i) for i in range(len(sessions_))]
    elapsed = np.full(len(t), np.nan)
    has_gps, has_alt = np.isfinite(cols["lat"]), np.isfinite(cols["altitude_m"])
    rows = []
    for i, s in enumerate(sessions_):
        mask = owner == i if len(sessions_) > 1 else slice(None)
        ti = t[mask]
        first = np.nanmin(ti) if np.isfinite(ti).any() else np.nan
        start = starts[i] if np.isfinite(starts[i]) else first
        moved = bool(np.isfinite(first) and first < start)
        if moved:  # a session starts no later than its first record
            start = first
        elapsed[mask] = ti - start
        duration = _num(s, "total_elapsed_time")
        if (moved or not np.isfinite(duration)) and np.isfinite(first):
            duration = max(np.nanmax(ti), np.nan_to_num(fit_time(s.get("timestamp")), nan=0.0)) - start
        sport = sport_name(s.get("sport") if not isinstance(s.get("sport"), int) else None, s.get("sub_sport"))
        rows.append(
            activity_row(
                ctx,
                i,
                source_format="fit",
                sport=sport,
                start=pd.Timestamp(start, unit="s", tz="UTC") if np.isfinite(start) else None,
                duration_s=duration,
                samples=None,
                has_gps=bool(has_gps[mask].any()),
                has_altitude=bool(has_alt[mask].any()),
                device=device,
                file_offset_s=offset,
                moving_time_s=_num(s, "total_timer_time"),
                sub_sport=s.get("sub_sport") if isinstance(s.get("sub_sport"), str) else None,
                device_distance_m=_num(s, "total_distance"),
                device_timer_s=_num(s, "total_timer_time"),
                device_ascent_m=_num(s, "total_ascent"),
                device_descent_m=_num(s, "total_descent"),
                n_laps=int(_num(s, "num_laps")) if np.isfinite(_num(s, "num_laps")) else np.nan,
                decoder=content.decoder,
                # how far and how long the records go (m, s from the start), against the session's totals: records
                # that stop early leave the totals to the session message (warehouse.derive.with_session_totals)
                records_distance_m=_finite_max(cols["distance_m"][mask]),
                records_elapsed_s=_finite_max(ti) - start if np.isfinite(start) else np.nan,
            )
        )
    activities = activities_frame(rows)
    samples = pd.DataFrame(
        {
            "activity_id": np.asarray(ids, dtype=object)[owner] if len(ids) > 1 else ids[0],
            "timestamp": pd.to_datetime(t, unit="s", utc=True).as_unit("ns"),
            "elapsed_s": elapsed,
            **cols,
        }
    )
    tables = {"activities": activities, "samples": samples}
    sets = strength_sets(msgs, ctx, rows, starts, fit_time)
    if len(sets):
        tables["strength_sets"] = sets
    return ReadResult(tables, warnings)


def exercise_name(category, subtype) -> str:
    """FIT exercise category (+ subtype) numbers -> the profile's exercise name (see module docstring)."""
    prof = _profile().FIELD_TYPES
    cat = _first(category)
    sub = _first(subtype)
    if cat is None or cat in (UNKNOWN_EXERCISE, "unknown"):
        return f"unknown (FIT {UNKNOWN_EXERCISE})"
    cat_name = prof["exercise_category"].enum.get(cat) if isinstance(cat, int) else str(cat)
    if cat_name is None:
        return f"unknown (FIT category {cat})"
    names = prof.get(f"{cat_name}_exercise_name")
    if isinstance(sub, int) and sub != UNKNOWN_EXERCISE and names is not None and sub in names.enum:
        return names.enum[sub]
    return f"{cat_name}/unknown"  # the category alone never names the exercise (DESIGN §7)


def _first(v):
    if isinstance(v, (list, tuple)):
        v = next((x for x in v if x is not None), None)
    if isinstance(v, float) and np.isfinite(v):
        v = int(v)
    return v


def strength_sets(msgs: dict, ctx: FileContext, rows: list[dict], starts: np.ndarray, fit_time) -> pd.DataFrame:
    """Active ``set`` messages as raw strength_sets rows (before exercise classification).

    ``rows`` are the file's activity rows: each set belongs to the session it starts in, and takes its local
    date from the same zone as that session.
    """
    active = [s for s in msgs.get("set", []) if s.get("set_type") in ("active", 1)]
    if not active:
        return pd.DataFrame()
    when = np.array([fit_time(s.get("start_time", s.get("timestamp"))) for s in active], dtype=float)
    owner = np.clip(
        np.searchsorted(np.nan_to_num(starts, nan=-np.inf), np.nan_to_num(when, nan=np.inf), side="right") - 1,
        0,
        len(rows) - 1,
    )
    performed, local, session, names, seen, index = [], [], [], [], {}, []
    for s, w, o in zip(active, when, owner):
        act = rows[o]
        at = pd.Timestamp(w, unit="s", tz="UTC") if np.isfinite(w) else pd.NaT
        offset = act["utc_offset_s"] if act["local_date_source"] == "file" else None
        performed.append(at)
        local.append(local_day(at, ctx, offset)[0] if pd.notna(at) else act["local_date"])
        name = exercise_name(s.get("category"), s.get("category_subtype"))
        names.append(name)
        session.append(act["activity_id"])
        index.append(seen.get((act["activity_id"], name), 0))
        seen[(act["activity_id"], name)] = index[-1] + 1
    load = np.array([_num(s, "weight") for s in active])
    return pd.DataFrame(
        {
            "athlete_id": ctx.athlete.athlete_id,
            "performed_at": pd.DatetimeIndex(performed).as_unit("ns").tz_convert("UTC"),
            "local_date": pd.DatetimeIndex(local).as_unit("ns"),
            "session_id": session,
            "exercise_raw": names,
            "fit_category": [
                ",".join(str(x) for x in np.atleast_1d(s.get("category")) if x is not None)
                if s.get("category") is not None
                else None
                for s in active
            ],
            "set_index": np.array(index, dtype=np.int64),
            "set_type": "working",
            "reps": [_num(s, "repetitions") for s in active],
            "load_kg": load,
            "bodyweight": np.isnan(load) | (load == 0),
            "duration_s": [_num(s, "duration") for s in active],
            "rpe": np.nan,
            "rir": np.nan,
            "source": "fit",
            "source_file": ctx.path,
        }
    )


FORMATS = [Format("fit", VERSION, "activity", sniff, read)]
