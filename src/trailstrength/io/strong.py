"""The Strong app's CSV export, in every dialect seen in real exports and in the app's languages.

Dialects (sniffed from the header, never assumed):

* **classic** (comma): ``Date,Workout Name,Duration,Exercise Name,Set Order,Weight,Reps,Distance,Seconds,Notes,
  Workout Notes,RPE``. Weight carries no unit: ``strength_unit`` in athlete.toml says which (default kg), and the
  distance unit follows it (km with kg, miles with lb: the app has one metric/imperial setting).
* **unit columns** (semicolon): ``Date;Workout Name;Exercise Name;Set Order;Weight;Weight Unit;Reps;RPE;Distance;
  Distance Unit;Seconds;Notes;Workout Notes;Workout Duration`` (older files lack RPE and the duration).
* **Workout #** (comma or semicolon, often every field quoted): ``Workout #,Date,Workout Name,Duration (sec),
  Exercise Name,Set Order,Weight (kg|lbs),Reps,RPE,Distance (meters|miles),Seconds,Notes,Workout Notes``.
* the oldest files name the weight column by its unit (``lbs`` / ``kg``) and the distance column ``mi.`` / ``km``.

Headers are written in the app's language; :data:`HEADER_NAMES` maps English, French (seen in a real export:
``Nom de l'exercice``, ``Ordre de la série``, ``Réps``, ``Secondes``...), German and Spanish names onto the
canonical ones. ``Set Order`` holds the set number, or a tag: ``W`` warm-up, ``D`` drop set, ``F`` failure.
Anything else there (``Rest Timer``, ``Note``, ``Minuteur de repos``...) is a pseudo-row, not a set: it is
dropped and counted in the warnings. Dates are local wall-clock ``YYYY-MM-DD HH:MM:SS`` (12-hour ``4:46:13 PM``
also read); workout durations like ``1h 5m``, ``38min`` or seconds. One workout = one start time.
"""

from __future__ import annotations

import re

import pandas as pd

from trailstrength.io._csv import csv_header, read_csv_text
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
from trailstrength.units import DISTANCE_M, WEIGHT_KG, parse_duration_s

_NAMES: dict[str, tuple[str, ...]] = {
    # canonical: English, French, German, Spanish header names (folded: lower case, no accents)
    "date": ("date", "datum", "fecha"),
    "workout_no": ("workout #", "entrainement #", "training #", "entrenamiento #"),
    "workout_name": (
        "workout name",
        "nom de l'entrainement",
        "trainingsname",
        "name des trainings",
        "workout-name",
        "nombre del entrenamiento",
        "nombre de entrenamiento",
    ),
    "duration": (
        "duration",
        "workout duration",
        "duree",
        "duree de l'entrainement",
        "dauer",
        "trainingsdauer",
        "duracion",
        "duracion del entrenamiento",
    ),
    "exercise": ("exercise name", "nom de l'exercice", "ubungsname", "name der ubung", "nombre del ejercicio"),
    "set_order": (
        "set order",
        "ordre de la serie",
        "ordre des series",
        "satzreihenfolge",
        "satznummer",
        "orden de la serie",
        "orden de series",
    ),
    "weight": ("weight", "poids", "gewicht", "peso"),
    "weight_unit": ("weight unit", "unite de poids", "gewichtseinheit", "unidad de peso"),
    "reps": ("reps", "repetitions", "wiederholungen", "wdh", "wdh.", "repeticiones", "reps."),
    "distance": ("distance", "distanz", "entfernung", "distancia"),
    "distance_unit": (
        "distance unit",
        "unite de distance",
        "distanzeinheit",
        "entfernungseinheit",
        "unidad de distancia",
    ),
    "seconds": ("seconds", "secondes", "sekunden", "segundos"),
    "notes": ("notes", "notizen", "notas"),
    "workout_notes": (
        "workout notes",
        "notes d'entrainement",
        "notes de l'entrainement",
        "trainingsnotizen",
        "notas del entrenamiento",
        "notas de entrenamiento",
    ),
    "rpe": ("rpe",),
}
HEADER_NAMES: dict[str, str] = {name: canon for canon, names in _NAMES.items() for name in names}
REQUIRED = ("date", "exercise", "set_order", "weight", "reps")
SET_TAGS = {"W": "warmup", "D": "drop", "F": "failure"}
TIME_FORMATS = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %I:%M:%S %p", "%Y-%m-%d %I:%M %p"]
_UNIT_RE = re.compile(r"^(.*?)\s*\(([^)]*)\)$")


def map_headers(columns) -> dict[str, tuple[str, str | None]]:
    """Original header -> (canonical name, unit written in the header or None); unknown headers are left out."""
    out: dict[str, tuple[str, str | None]] = {}
    for col in columns:
        name = fold(col)
        base, unit = name, None
        m = _UNIT_RE.match(name)
        if m and m.group(1) in HEADER_NAMES:
            base, unit = m.group(1), m.group(2).strip()
        if base in HEADER_NAMES:
            out[col] = (HEADER_NAMES[base], unit)
        elif name in WEIGHT_KG:  # oldest exports: the weight column is named by its unit
            out[col] = ("weight", name)
        elif name in DISTANCE_M:
            out[col] = ("distance", name)
    return out


def sniff_strong(data: bytes) -> bool:
    found = {canon for canon, _ in map_headers(csv_header(data)).values()}
    return all(c in found for c in REQUIRED)


def _column(raw: pd.DataFrame, name: str) -> pd.Series:
    return raw[name] if name in raw else pd.Series("", index=raw.index)


def _unit_factor(
    raw: pd.DataFrame, value: str, header_unit: str | None, table: dict[str, float], default: str, warnings: list[str]
) -> pd.Series:
    """Conversion factor per row: from the ``<value>_unit`` column, else the unit in the header, else ``default``.

    A blank unit on a row with a value takes the file's most common unit (and is counted in the warnings).
    """
    if f"{value}_unit" not in raw:
        unit = header_unit or default
        if unit not in table:
            raise ReaderError(
                f"Strong export: unknown {value} unit {unit!r} in the header; expected one of {sorted(table)}"
            )
        return pd.Series(table[unit], index=raw.index)
    low = raw[f"{value}_unit"].str.lower()
    unknown = sorted(set(low[low.ne("") & ~low.isin(table)]))
    if unknown:
        raise ReaderError(
            f"Strong export: unknown {value} unit(s) {unknown} in column {value.title()} Unit; "
            f"expected one of {sorted(table)}"
        )
    known = low[low.ne("")]
    fallback = known.mode().iloc[0] if len(known) else default
    guessed = low.eq("") & to_number(_column(raw, value)).gt(0)
    if guessed.any():
        warnings.append(f"{int(guessed.sum())} rows with a {value} but no unit read as {fallback}")
    return low.where(low.ne(""), fallback).map(table)


NUMBER_COLUMNS = ("reps", "weight", "rpe", "seconds", "distance")  # read with to_number
#: strength_sets field -> the Strong column it is read from (plausibility limits: io._values.PLAUSIBLE)
STRONG_FIELDS = {
    "reps": "reps",
    "load_kg": "weight",
    "duration_s": "seconds",
    "session_duration_s": "duration",
    "distance_m": "distance",
}


def read_strong(data: bytes, ctx: FileContext) -> ReadResult:
    """Read a Strong export (any dialect above) into ``strength_sets`` rows (loads in kg, distances in m)."""
    raw = read_csv_text(data, "Strong export", lower_header=False)
    mapping = map_headers(raw.columns)
    found = {canon for canon, _ in mapping.values()}
    missing = [c for c in REQUIRED if c not in found]
    if missing:
        raise ReaderError(
            f"Strong export: no column for {missing}; found {list(raw.columns)} "
            f"(known header names: {sorted(HEADER_NAMES)})"
        )
    units = {canon: unit for canon, unit in mapping.values()}
    raw = raw.rename(columns={col: canon for col, (canon, _) in mapping.items()})
    raw = raw.loc[:, ~raw.columns.duplicated()]
    warnings: list[str] = []

    when = parse_local_times(raw["date"], TIME_FORMATS)
    order = raw["set_order"]
    set_type = order.str.upper().map(SET_TAGS).where(~order.str.fullmatch(r"\d+"), "working")
    pseudo = set_type.isna()
    if pseudo.any():
        labels = order[pseudo].replace("", "(blank)").value_counts()
        warnings.append("dropped rows that are not sets: " + ", ".join(f"{n} {lab!r}" for lab, n in labels.items()))
    bad = when.isna() & ~pseudo
    if bad.all() and len(raw):
        raise ReaderError(
            f"Strong export: no parsable dates (first value {raw['date'].iloc[0]!r}; expected YYYY-MM-DD HH:MM:SS)"
        )

    sets = ~pseudo & raw["exercise"].ne("")
    log = sets_value_log("Strong export", raw, sets, bad, "date", NUMBER_COLUMNS)
    bad = undated_sets(log, when, sets & ~bad, "date") & ~pseudo
    when = when.where(~bad).astype("datetime64[ns]")
    imperial = ctx.athlete.strength_unit == "lb"
    to_kg = _unit_factor(raw, "weight", units.get("weight"), WEIGHT_KG, ctx.athlete.strength_unit, warnings)
    to_m = _unit_factor(raw, "distance", units.get("distance"), DISTANCE_M, "mi" if imperial else "km", warnings)
    duration = _column(raw, "duration")
    session_s = to_number(duration) if units.get("duration") in ("sec", "s", "seconds") else parse_duration_s(duration)
    df = pd.DataFrame(
        {
            "performed_at": localize(when, ctx.athlete.timezone),
            "local_date": when.dt.normalize().astype("datetime64[ns]"),
            "session_id": session_ids(ctx, "strong", when),
            "exercise_raw": raw["exercise"],
            "set_type": set_type,
            "reps": to_number(raw["reps"]),
            "load_kg": to_number(raw["weight"]) * to_kg,
            "rpe": to_number(_column(raw, "rpe")).where(lambda s: s > 0),
            "duration_s": to_number(_column(raw, "seconds")).where(lambda s: s > 0),
            "session_duration_s": session_s,
            "distance_m": (to_number(_column(raw, "distance")) * to_m).where(lambda s: s > 0),
            "notes": _column(raw, "notes"),
        }
    )
    keep = sets & ~bad
    written = raw["weight"].str.strip().ne("")
    df = plausible_sets(df[keep], log, STRONG_FIELDS, written)
    return log.attach(ReadResult({"strength_sets": finish_sets(df, ctx, "strong")}, warnings))


FORMATS = [Format("strong_csv", "3", "strength", sniff_strong, read_strong)]
