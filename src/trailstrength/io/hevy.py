"""The Hevy app's workout export.

``title,start_time,end_time,description,exercise_title,superset_id,exercise_notes,set_index,set_type,weight_kg,
reps,distance_km,duration_seconds,rpe``; imperial accounts write ``weight_lbs`` and ``distance_miles`` instead (the
unit is in the column name, not in a column). ``set_index`` counts from 0 within an exercise; ``set_type`` is
``normal`` / ``warmup`` / ``failure`` / ``dropset``; ``superset_id`` is a small integer unique only within one
workout (kept as ``<session_id>-ss<n>``). Times are the device's local wall clock without a zone or seconds, in a
locale format such as ``9 Apr 2026, 17:18`` or ``02 Jul 2025, 17:56`` (month names in English, German, French or
Spanish are read). One workout = one ``start_time``.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from trailstrength.io._csv import csv_header, read_csv_text
from trailstrength.io._values import ValueLog, plausible_days, window_text
from trailstrength.io.base import FileContext, Format, ReaderError, ReadResult, localize
from trailstrength.io.strength_logs import (
    finish_sets,
    fold,
    parse_local_times,
    plausible_sets,
    session_ids,
    sets_value_log,
    to_number,
    undated_sets,
)
from trailstrength.units import LB_KG, MILE_M

REQUIRED = ["title", "start_time", "exercise_title", "set_index", "set_type", "reps"]
SET_TYPES = {
    "normal": "working",
    "warmup": "warmup",
    "warm_up": "warmup",
    "failure": "failure",
    "dropset": "drop",
    "drop_set": "drop",
    "drop": "drop",
}
TIME_FORMATS = [
    "%d %b %Y, %H:%M",
    "%d %B %Y, %H:%M",
    "%d %b %Y, %I:%M %p",
    "%b %d, %Y, %H:%M",
    "%b %d, %Y, %I:%M %p",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
]
# month names other locales write, folded to English abbreviations (Hevy follows the phone's locale)
_MONTHS = {
    "january": "Jan",
    "february": "Feb",
    "march": "Mar",
    "april": "Apr",
    "june": "Jun",
    "july": "Jul",
    "august": "Aug",
    "sept": "Sep",
    "september": "Sep",
    "october": "Oct",
    "november": "Nov",
    "december": "Dec",
    "januar": "Jan",
    "jan": "Jan",
    "februar": "Feb",
    "feb": "Feb",
    "marz": "Mar",
    "mar": "Mar",
    "mrz": "Mar",
    "apr": "Apr",
    "mai": "May",
    "may": "May",
    "juni": "Jun",
    "jun": "Jun",
    "juli": "Jul",
    "jul": "Jul",
    "aug": "Aug",
    "sep": "Sep",
    "okt": "Oct",
    "oct": "Oct",
    "nov": "Nov",
    "dez": "Dec",
    "dec": "Dec",
    "janv": "Jan",
    "fevr": "Feb",
    "fev": "Feb",
    "mars": "Mar",
    "avr": "Apr",
    "juin": "Jun",
    "juil": "Jul",
    "aout": "Aug",
    "dic": "Dec",
    "ene": "Jan",
    "abr": "Apr",
    "ago": "Aug",
    "set": "Sep",
    "out": "Oct",
}
_WORD_RE = re.compile(r"[^\W\d_]+\.?")


def _english_months(values: pd.Series) -> pd.Series:
    """``9. Apr. 2026, 17:18`` / ``9 avr. 2026`` / ``9 abr 2026`` -> ``9 Apr 2026``."""

    def fix(text: str) -> str:
        def word(m: re.Match) -> str:
            return _MONTHS.get(fold(m.group(0).rstrip(".")), m.group(0))

        text = re.sub(r"^(\d{1,2})\.\s", r"\1 ", text.strip())
        return re.sub(r"\s+de\s+", " ", _WORD_RE.sub(word, text))

    return values.astype("str").map(fix)


def sniff_hevy(data: bytes) -> bool:
    head = csv_header(data)
    return all(c in head for c in REQUIRED) and ("weight_kg" in head or "weight_lbs" in head)


def _weight_kg(raw: pd.DataFrame, log: ValueLog) -> tuple[pd.Series, pd.Series]:
    """Loads in kg (implausible ones left empty and recorded under their column) and the rows that wrote one."""
    loads, written = [], pd.Series(False, index=raw.index)
    for column, factor in (("weight_kg", 1.0), ("weight_lbs", LB_KG)):
        if column in raw:
            loads.append(log.plausible(to_number(raw[column]) * factor, "load_kg", column))
            written |= raw[column].str.strip().ne("")
    return loads[0].fillna(loads[-1]), written


def _distance_m(raw: pd.DataFrame) -> pd.Series:
    km = to_number(raw["distance_km"]) * 1000.0 if "distance_km" in raw else pd.Series(np.nan, index=raw.index)
    mi = to_number(raw["distance_miles"]) * MILE_M if "distance_miles" in raw else pd.Series(np.nan, index=raw.index)
    return km.fillna(mi)


def read_hevy(data: bytes, ctx: FileContext) -> ReadResult:
    """Read a Hevy workout export into ``strength_sets`` rows (loads in kg, distances in m, durations in s)."""
    raw = read_csv_text(data, "Hevy export")
    missing = [c for c in REQUIRED if c not in raw.columns]
    if missing or not ({"weight_kg", "weight_lbs"} & set(raw.columns)):
        raise ReaderError(
            f"Hevy export: missing column(s) {missing or ['weight_kg or weight_lbs']}; found {list(raw.columns)}"
        )
    warnings: list[str] = []
    start = parse_local_times(_english_months(raw["start_time"]), TIME_FORMATS)
    end = (
        parse_local_times(_english_months(raw["end_time"]), TIME_FORMATS)
        if "end_time" in raw
        else pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns]")
    )
    bad = start.isna()
    if bad.all() and len(raw):
        raise ReaderError(
            f"Hevy export: no parsable start_time (first value {raw['start_time'].iloc[0]!r}; "
            "expected like '9 Apr 2026, 17:18')"
        )
    kind = raw["set_type"].str.lower()
    set_type = kind.map(SET_TYPES)
    if set_type.isna().any():
        labels = sorted(set(kind[set_type.isna()]))
        warnings.append(f"unknown set_type(s) {labels} read as working sets")
    named = raw["exercise_title"].ne("")
    numbers = ("reps", "weight_kg", "weight_lbs", "duration_seconds", "rpe", "distance_km", "distance_miles")
    log = sets_value_log("Hevy export", raw, named, bad, "start_time", numbers)
    bad = undated_sets(log, start, named & ~bad, "start_time")
    start = start.where(~bad).astype("datetime64[ns]")
    end = log.null(end, end.notna() & ~plausible_days(end) & ~bad, "end_time", window_text())
    end = end.where(~bad).astype("datetime64[ns]")
    load, written = _weight_kg(raw, log)
    session = session_ids(ctx, "hevy", start)
    superset = raw["superset_id"] if "superset_id" in raw else pd.Series("", index=raw.index)
    optional = {"duration_s": "duration_seconds", "rpe": "rpe"}
    df = pd.DataFrame(
        {
            "performed_at": localize(start, ctx.athlete.timezone),
            "local_date": start.dt.normalize().astype("datetime64[ns]"),
            "session_id": session,
            "exercise_raw": raw["exercise_title"],
            "set_type": set_type.fillna("working"),
            "reps": to_number(raw["reps"]),
            "load_kg": load,
            **{k: to_number(raw[c]) if c in raw else np.nan for k, c in optional.items()},
            "session_duration_s": (end - start).dt.total_seconds().where(lambda s: s >= 0),
            "distance_m": _distance_m(raw),
            "superset_id": (session + "-ss" + superset).where(superset.ne("")),
            "notes": raw.get("exercise_notes", np.nan),
        }
    )
    fields = {"reps": "reps", "duration_s": "duration_seconds", "session_duration_s": "end_time"}
    df = plausible_sets(df[~bad & named], log, {**fields, "distance_m": "distance_km"}, written)
    return log.attach(ReadResult({"strength_sets": finish_sets(df, ctx, "hevy")}, warnings))


FORMATS = [Format("hevy_csv", "2", "strength", sniff_hevy, read_hevy)]
