"""PMData's PMSys files (Thambawita et al. 2020): ``wellness.csv``, ``srpe.csv`` and ``injury.csv``.

* ``wellness.csv`` — one row per morning report: ``effective_time_frame`` (UTC), ``fatigue``, ``mood``,
  ``sleep_quality``, ``soreness``, ``stress`` (1–5, McLean et al. 2010 wording: 1 = worst — always tired,
  very sore, very stressed, annoyed, insomnia — and 5 = best), ``readiness`` (0–10, higher = readier),
  ``sleep_duration_h`` (hours) and ``soreness_area`` (a list of SNOMED CT body-structure codes).
  Soreness is therefore the reversed scale ``1-5r``: 1 → 10/10, 5 → 0/10. The data agree: reports that
  name sore areas have *lower* raw soreness than reports that name none.
* ``srpe.csv`` — one row per session: ``end_date_time`` (UTC), ``activity_names`` (a list such as
  ``['individual', 'running']`` or ``['strength']``), ``perceived_exertion`` (Borg CR10, 0–10) and
  ``duration_min``. Every session becomes a session-level ``activities`` row (no distance, no track);
  strength sessions also become one session-level ``strength_sets`` row (exercises were not recorded).
* ``injury.csv`` — ``effective_time_frame`` and ``injuries``, a dict of body part → ``minor`` / ``major``
  (``{}`` = no injury); rows of ``wellness`` with ``report_kind == "injury"``.
"""

from __future__ import annotations

import ast

import numpy as np
import pandas as pd

from trailstrength.io._csv import csv_header, read_csv_text
from trailstrength.io._values import ValueLog
from trailstrength.io.base import FileContext, Format, ReaderError, ReadResult, local_dates
from trailstrength.io.wellness import (
    check_direction,
    normalise_regions,
    region_warnings,
    rescale,
    split_regions,
    to_0_10,
    wellness_frame,
)

WELLNESS_COLUMNS = [
    "effective_time_frame",
    "fatigue",
    "mood",
    "readiness",
    "sleep_duration_h",
    "sleep_quality",
    "soreness",
    "soreness_area",
    "stress",
]
SRPE_COLUMNS = ["end_date_time", "activity_names", "perceived_exertion", "duration_min"]
INJURY_COLUMNS = ["effective_time_frame", "injuries"]
#: words in ``activity_names`` that describe the setting, not the sport
_SETTING_WORDS = {"individual", "team"}
_SPORTS = {
    "running": "running",
    "strength": "strength_training",
    "soccer": "soccer",
    "football": "soccer",
    "endurance": "endurance",
    "cycling": "cycling",
    "walking": "walking",
    "swimming": "swimming",
}
STRENGTH_SESSION_EXERCISE = "strength session (exercises not recorded)"
_SEVERITY_ORDER = ["none", "minor", "moderate", "major"]


def _utc(text: pd.Series) -> pd.Series:
    """ISO times as UTC instants in µs (a year such as 2999 is read, so it can be left out rather than overflow)."""
    return pd.to_datetime(text, utc=True, format="ISO8601", errors="coerce").astype("datetime64[us, UTC]")


def _placed(raw: pd.DataFrame, log: ValueLog, column: str) -> tuple[pd.DataFrame, pd.Series]:
    """The rows with an ISO time in ``column`` inside the plausible window, and those times (ns); rows without
    one, or dated outside the window (io._values), are left out and logged."""
    times = _utc(raw[column])
    ok = log.dated(times.dt.tz_localize(None), column, "no ISO time")
    return raw[ok], times[ok].astype("datetime64[ns, UTC]")


def _require(raw: pd.DataFrame, columns: list[str], what: str) -> None:
    missing = [c for c in columns if c not in raw.columns]
    if missing:
        raise ReaderError(f"{what}: missing column(s) {missing}; found {list(raw.columns)}")


def _literal(text: str, log: ValueLog, column: str, row):
    """A Python literal as PMSys writes lists and dicts (single quotes), e.g. ``['team', 'soccer']``; ``None``
    (noted in ``log``) when unreadable."""
    try:
        return ast.literal_eval(text) if text.strip() else None
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        log.note(pd.Series(log.raw.index == row, index=log.raw.index), column, "not a readable list or dict")
        return None


# ------------------------------------------------------------------------------------------------ wellness
def sniff_wellness(data: bytes) -> bool:
    head = csv_header(data)
    return head[:1] == ["effective_time_frame"] and "soreness" in head and "soreness_area" in head


def read_wellness(data: bytes, ctx: FileContext) -> ReadResult:
    """PMSys ``wellness.csv`` -> ``wellness`` (one row per report, with its UTC time; see the module doc).

    A score outside its scale (1–5; readiness 0–10; sleep 0–24 h) is left empty on its line and noted in the
    ``warnings`` table (:mod:`trailstrength.io._values`); the line's other values are kept. A line without an
    ISO time is left out (and noted); the file is rejected only when no line has one.
    """
    what = "PMData wellness.csv"
    raw = read_csv_text(data, what)
    _require(raw, WELLNESS_COLUMNS, what)
    log = ValueLog(what, raw)
    raw, reported = _placed(raw, log, "effective_time_frame")
    log.raw = raw  # the lines that go on
    num = {c: log.number(c, 1, 5) for c in ("fatigue", "mood", "sleep_quality", "soreness", "stress")}
    num["readiness"] = log.number("readiness", 0, 10)
    num["sleep_duration_h"] = log.number("sleep_duration_h", 0, 24, " h")
    sore = num["soreness"]
    scale = pd.Series(np.where(sore.notna(), "1-5r", None), index=raw.index, dtype="object")
    regions, regions_raw, unknown = normalise_regions(split_regions(raw["soreness_area"]))
    df = wellness_frame(
        ctx,
        local_dates(reported, ctx.athlete.timezone),
        "pmdata_pmsys",
        reported_at=reported,
        soreness=to_0_10(sore, scale.fillna("1-5r")).where(sore.notna()),
        soreness_raw=sore,
        soreness_scale=scale,
        soreness_regions=regions,
        soreness_regions_raw=regions_raw,
        fatigue=rescale(num["fatigue"], 1, 5, reverse=True),
        stress=rescale(num["stress"], 1, 5, reverse=True),
        mood=rescale(num["mood"], 1, 5),
        sleep_quality=rescale(num["sleep_quality"], 1, 5),
        readiness=num["readiness"],
        sleep_h=num["sleep_duration_h"],
        report_kind=["wellness"] * len(raw),
    )
    return log.attach(ReadResult({"wellness": df}, region_warnings(unknown) + check_direction(df)))


# ------------------------------------------------------------------------------------------------ srpe
def sport_of(names: list[str]) -> str:
    """Our sport name for a PMSys ``activity_names`` list (the words other than individual/team)."""
    words = [str(n).strip().lower() for n in names or [] if str(n).strip().lower() not in _SETTING_WORDS]
    if not words:
        return "unknown"
    for w in words:
        if w in _SPORTS:
            return _SPORTS[w]
    return words[-1].replace(" ", "_")


def sniff_srpe(data: bytes) -> bool:
    return csv_header(data)[:4] == SRPE_COLUMNS


def read_srpe(data: bytes, ctx: FileContext) -> ReadResult:
    """PMSys ``srpe.csv`` -> session-level ``activities`` rows, plus a ``strength_sets`` row per strength session.

    ``start_time`` = ``end_date_time`` − ``duration_min``; ``rpe`` is Borg CR10 (0–10) and
    ``session_load_au`` = rpe × minutes (Foster's session-RPE load, arbitrary units).
    """
    what = "PMData srpe.csv"
    raw = read_csv_text(data, what)
    _require(raw, SRPE_COLUMNS, what)
    log = ValueLog(what, raw)
    raw, end = _placed(raw, log, "end_date_time")
    log.raw = raw  # the lines that go on
    minutes = log.number("duration_min", 0, None, " min")
    rpe = log.number("perceived_exertion", 0, 10)
    names = [_literal(t, log, "activity_names", i) or [] for i, t in raw["activity_names"].items()]
    sport = pd.Series([sport_of(n) for n in names], index=raw.index)
    start = (end - pd.to_timedelta(minutes.fillna(0), unit="min")).astype("datetime64[ns, UTC]")
    local = local_dates(start, ctx.athlete.timezone)
    n = len(raw)
    acts = pd.DataFrame(
        {
            "activity_id": [ctx.activity_id(i) for i in range(n)],
            "athlete_id": ctx.athlete.athlete_id,
            "source_file": ctx.path,
            "source_format": "pmdata_srpe",
            "sport": sport,
            "start_time": start,
            "local_date": local,
            "duration_s": minutes * 60.0,
            "moving_time_s": np.nan,
            "distance_m": np.nan,
            "ascent_m": np.nan,
            "descent_m": np.nan,
            "has_gps": False,
            "has_altitude": False,
            "altitude_source": "none",
            "device": "pmsys (self-report)",
            "activity_names": [";".join(map(str, x)) for x in names],
            "rpe": rpe,
            "session_load_au": rpe * minutes,
            "session_level": True,
        }
    )
    tables = {"activities": acts}
    strength = sport.eq("strength_training")
    if strength.any():
        s = acts[strength]
        tables["strength_sets"] = pd.DataFrame(
            {
                "athlete_id": ctx.athlete.athlete_id,
                "performed_at": s["start_time"],
                "local_date": s["local_date"],
                "session_id": ctx.athlete.athlete_id + "-srpe-" + s["start_time"].dt.strftime("%Y%m%dT%H%M%S"),
                "exercise_raw": STRENGTH_SESSION_EXERCISE,
                "set_index": np.zeros(len(s), dtype="int64"),
                "set_type": "working",
                "reps": np.nan,
                "load_kg": np.nan,
                "bodyweight": False,
                "rpe": s["rpe"],
                "rir": np.nan,
                "duration_s": s["duration_s"],
                "tempo": None,
                "notes": None,
                "session_level": True,
                "source": "pmdata_srpe",
                "source_file": ctx.path,
            }
        ).reset_index(drop=True)
    return log.attach(ReadResult(tables))


# ------------------------------------------------------------------------------------------------ injury
def sniff_injury(data: bytes) -> bool:
    return csv_header(data)[:2] == INJURY_COLUMNS


def read_injury(data: bytes, ctx: FileContext) -> ReadResult:
    """PMSys ``injury.csv`` -> ``wellness`` rows with ``report_kind == "injury"``.

    ``injury_severity`` is the worst severity reported (``none`` for ``{}``), ``injury_regions`` the body
    parts as written (``;``-joined).
    """
    what = "PMData injury.csv"
    raw = read_csv_text(data, what)
    _require(raw, INJURY_COLUMNS, what)
    log = ValueLog(what, raw)
    raw, reported = _placed(raw, log, "effective_time_frame")
    log.raw = raw  # the lines that go on
    severity, regions, warnings = [], [], []
    for i, text in raw["injuries"].items():
        injuries = _literal(text, log, "injuries", i) if text.strip() else {}
        if not isinstance(injuries, dict):  # unreadable: the severity is not known (not "none")
            if injuries is not None:
                log.note(pd.Series(raw.index == i, index=raw.index), "injuries", "not a dict of body part -> severity")
            severity.append(None)
            regions.append(None)
            continue
        levels = [str(v).strip().lower() for v in injuries.values()]
        odd = [v for v in levels if v not in _SEVERITY_ORDER]
        if odd:
            warnings.append(f"row {i}: unknown severities {odd} read as 'moderate'")
        ranks = [_SEVERITY_ORDER.index(v) if v in _SEVERITY_ORDER else 2 for v in levels]
        severity.append(_SEVERITY_ORDER[max(ranks)] if ranks else "none")
        regions.append(";".join(str(k).strip().lower() for k in injuries) or None)
    df = wellness_frame(
        ctx,
        local_dates(reported, ctx.athlete.timezone),
        "pmdata_pmsys",
        reported_at=reported,
        injury_severity=severity,
        injury_regions=regions,
        report_kind=["injury"] * len(raw),
    )
    return log.attach(ReadResult({"wellness": df}, warnings))


FORMATS = [
    Format("pmdata_wellness", "2", "wellness", sniff_wellness, read_wellness),
    Format("pmdata_srpe", "2", "activity", sniff_srpe, read_srpe),
    Format("pmdata_injury", "2", "wellness", sniff_injury, read_injury),
]
