"""The FitNotes app's CSV export, both header versions.

* newer (Android): ``Date,Exercise,Category,Weight,Weight Unit,Reps,Distance,Distance Unit,Time,Comment`` - the
  weight unit (``kgs`` / ``lbs``) on every row;
* older: ``Date,Exercise,Category,Weight (kgs),Reps,Distance,Distance Unit,Time`` (``Weight (lbs)`` on imperial
  accounts, sometimes ``,Comment`` appended) - the unit in the weight column's name;
* FitNotes 2 (iOS): ``Date,Exercise,Category,Weight (kg),Weight (lbs),Reps,Distance,Distance Unit,Time,Notes,Kind``
  - one weight column per unit, the kg one preferred when both are filled.

Rows carry a date only (``YYYY-MM-DD``, local): all sets of one day form one session, ``performed_at`` is NaT.
FitNotes has no warm-up marker, so every set is a working set. ``Time`` is a set duration (``0:01:00``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from trailstrength.io._csv import csv_header, read_csv_text
from trailstrength.io._values import ValueLog
from trailstrength.io.base import FileContext, Format, ReaderError, ReadResult
from trailstrength.io.strength_logs import (
    finish_sets,
    plausible_sets,
    session_ids,
    sets_value_log,
    to_number,
    undated_sets,
)
from trailstrength.units import DISTANCE_M, LB_KG, WEIGHT_KG, parse_duration_s

REQUIRED = ["date", "exercise", "category", "reps"]
KG_COLUMNS = ("weight (kg)", "weight (kgs)")


def _weight_layout(head: list[str]) -> str | None:
    if "weight" in head and "weight unit" in head:
        return "unit_column"
    if "weight (lbs)" in head or any(c in head for c in KG_COLUMNS):
        return "unit_headers"
    return None


def sniff_fitnotes(data: bytes) -> bool:
    head = csv_header(data)
    return all(c in head for c in REQUIRED) and _weight_layout(head) is not None


def _load_kg(raw: pd.DataFrame, layout: str, log: ValueLog) -> tuple[pd.Series, pd.Series]:
    """Loads in kg (implausible ones left empty and recorded under their column) and the rows that wrote one."""
    if layout == "unit_column":
        unit = raw["weight unit"].str.lower()
        unknown = sorted(set(unit[unit.ne("") & ~unit.isin(WEIGHT_KG)]))
        if unknown:
            raise ReaderError(f"FitNotes export: unknown Weight Unit value(s) {unknown}; expected kgs or lbs")
        load = log.plausible(to_number(raw["weight"]) * unit.map(WEIGHT_KG), "load_kg", "weight")
        return load, raw["weight"].str.strip().ne("")
    kg_col = next((c for c in KG_COLUMNS if c in raw), None)
    kg, lbs = pd.Series(np.nan, index=raw.index), pd.Series(np.nan, index=raw.index)
    written = pd.Series(False, index=raw.index)
    if kg_col:
        kg = log.plausible(to_number(raw[kg_col]), "load_kg", kg_col)
        written |= raw[kg_col].str.strip().ne("")
    if "weight (lbs)" in raw:
        lbs = log.plausible(to_number(raw["weight (lbs)"]) * LB_KG, "load_kg", "weight (lbs)")
        written |= raw["weight (lbs)"].str.strip().ne("")
    return kg.fillna(lbs), written


def read_fitnotes(data: bytes, ctx: FileContext) -> ReadResult:
    """Read a FitNotes export into ``strength_sets`` rows (loads in kg, distances in m, set durations in s)."""
    raw = read_csv_text(data, "FitNotes export")
    layout = _weight_layout(list(raw.columns))
    missing = [c for c in REQUIRED if c not in raw.columns]
    if missing or layout is None:
        raise ReaderError(
            f"FitNotes export: missing column(s) {missing or ['Weight + Weight Unit']}; found {list(raw.columns)}"
        )
    day = pd.to_datetime(raw["date"], format="%Y-%m-%d", errors="coerce")
    bad = day.isna()
    if bad.all() and len(raw):
        raise ReaderError(f"FitNotes export: no dates in YYYY-MM-DD (first value {raw['date'].iloc[0]!r})")
    warnings: list[str] = []
    unit = raw["distance unit"] if "distance unit" in raw else pd.Series("", index=raw.index)
    unit = unit.str.lower().str.rstrip(".")
    numbers = ("reps", "weight", *KG_COLUMNS, "weight (lbs)", "distance")
    named = raw["exercise"].ne("")
    log = sets_value_log("FitNotes export", raw, named, bad, "date", numbers)
    bad = undated_sets(log, day, named & ~bad, "date")
    load, written = _load_kg(raw, layout, log)
    distance = to_number(raw["distance"]) * unit.map(DISTANCE_M) if "distance" in raw else np.nan
    notes = next((raw[c] for c in ("comment", "notes") if c in raw), np.nan)
    df = pd.DataFrame(
        {
            "performed_at": pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns, UTC]"),
            "local_date": day.astype("datetime64[ns]"),
            "session_id": session_ids(ctx, "fitnotes", day),
            "exercise_raw": raw["exercise"],
            "set_type": "working",
            "reps": to_number(raw["reps"]),
            "load_kg": load,
            "duration_s": _set_duration_s(raw, log),
            "distance_m": pd.Series(distance, index=raw.index).where(lambda s: s > 0),
            "notes": notes,
        }
    )
    keep = ~bad & named
    df = plausible_sets(df[keep], log, {"reps": "reps", "distance_m": "distance", "duration_s": "time"}, written)
    return log.attach(ReadResult({"strength_sets": finish_sets(df, ctx, "fitnotes")}, warnings))


def _set_duration_s(raw: pd.DataFrame, log: ValueLog) -> pd.Series:
    """The ``Time`` column in s; text that is no duration (``25:99``: 99 is no seconds count) left empty, recorded."""
    if "time" not in raw:
        return pd.Series(np.nan, index=raw.index)
    seconds = parse_duration_s(raw["time"])
    return log.null(seconds, seconds.isna() & raw["time"].str.strip().ne(""), "time", "not a duration").where(
        lambda s: s > 0
    )


FORMATS = [Format("fitnotes_csv", "2", "strength", sniff_fitnotes, read_fitnotes)]
