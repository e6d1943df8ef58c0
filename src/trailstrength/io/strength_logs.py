"""Strength-training logs: the Strong app's classic CSV export and trailstrength's strength template.

Both return a ``strength_sets`` frame *before* exercise classification (the cleaning step adds the taxonomy
columns). Loads are stored in kg (1 lb = 0.45359237 kg); a load of 0 or missing is body weight.
"""

from __future__ import annotations

import io
import re

import numpy as np
import pandas as pd

from trailstrength.io.base import FileContext, Format, ReaderError, ReadResult, csv_header, local_dates, localize

LB_KG = 0.45359237
STRONG_COLUMNS = ["date", "workout name", "exercise name", "set order", "weight", "reps"]
TEMPLATE_REQUIRED = ["date", "exercise", "set", "reps", "load", "unit"]
SET_TYPES = {"working", "warmup", "failure", "drop"}
_STRONG_SET_ORDER = {"W": "warmup", "D": "drop", "F": "failure"}


def _read_csv(data: bytes, **kw) -> pd.DataFrame:
    try:
        return pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", **kw)
    except (pd.errors.ParserError, UnicodeDecodeError) as err:
        raise ReaderError(f"not a readable CSV ({err})") from None


def _require(df: pd.DataFrame, columns: list[str], what: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ReaderError(f"{what}: missing column(s) {missing}; found {list(df.columns)}")


def _finish(df: pd.DataFrame, ctx: FileContext, source: str) -> pd.DataFrame:
    """Common tail: UTC instants, local dates, per-exercise set numbering within a session."""
    df["athlete_id"] = ctx.athlete.athlete_id
    df["source"] = source
    df["source_file"] = ctx.path
    df["bodyweight"] = df["load_kg"].fillna(0).eq(0)
    df["set_index"] = df.groupby(["session_id", "exercise_raw"], sort=False).cumcount().astype("int64")
    cols = ["athlete_id", "performed_at", "local_date", "session_id", "exercise_raw", "set_index", "set_type",
            "reps", "load_kg", "bodyweight", "rpe", "rir", "duration_s", "tempo", "notes", "source", "source_file"]
    for c in cols:
        if c not in df.columns:
            df[c] = np.nan
    return df[cols].reset_index(drop=True)


def sniff_strong(data: bytes) -> bool:
    head = csv_header(data)
    return all(c in head for c in STRONG_COLUMNS) and "workout #" not in head


def read_strong(data: bytes, ctx: FileContext) -> ReadResult:
    """Strong's classic comma export: ``Date,Workout Name,Duration,Exercise Name,Set Order,Weight,Reps,...``.

    Weight carries no unit in this dialect: ``strength_unit`` in athlete.toml says which (default kg).
    """
    raw = _read_csv(data, dtype=str, keep_default_na=False)
    raw.columns = [c.strip().lower() for c in raw.columns]
    _require(raw, STRONG_COLUMNS, "Strong export")
    when = pd.to_datetime(raw["date"], format="mixed", errors="coerce")
    bad = when.isna()
    if bad.all():
        raise ReaderError(f"Strong export: no parsable dates (first value {raw['date'].iloc[0]!r})")
    order = raw["set order"].str.strip().str.upper()
    to_kg = LB_KG if ctx.athlete.strength_unit == "lb" else 1.0
    df = pd.DataFrame(
        {
            "performed_at": localize(when, ctx.athlete.timezone),
            "exercise_raw": raw["exercise name"].str.strip(),
            "set_type": order.map(_STRONG_SET_ORDER).fillna("working"),
            "reps": pd.to_numeric(raw["reps"], errors="coerce"),
            "load_kg": pd.to_numeric(raw["weight"], errors="coerce") * to_kg,
            "rpe": pd.to_numeric(raw.get("rpe"), errors="coerce") if "rpe" in raw else np.nan,
            "duration_s": pd.to_numeric(raw.get("seconds"), errors="coerce") if "seconds" in raw else np.nan,
            "notes": raw.get("notes"),
        }
    )
    df["local_date"] = when.dt.normalize().astype("datetime64[ns]")
    # a workout is identified by its start time (all its sets share Strong's Date column)
    df["session_id"] = ctx.athlete.athlete_id + "-strong-" + when.dt.strftime("%Y%m%dT%H%M%S")
    warnings = [f"{int(bad.sum())} rows with unparsable dates skipped"] if bad.any() else []
    df = df[~bad & df["exercise_raw"].ne("")]
    return ReadResult({"strength_sets": _finish(df, ctx, "strong")}, warnings)


def sniff_template(data: bytes) -> bool:
    head = csv_header(data)
    return all(c in head for c in TEMPLATE_REQUIRED)


def _tempo_eccentric_s(tempo: pd.Series) -> pd.Series:
    """Lowering (eccentric) seconds from a tempo string like ``3-1-1`` or ``31X1`` (first digit)."""
    first = tempo.astype("str").str.extract(r"^\s*(\d+(?:\.\d+)?)", expand=False)
    return pd.to_numeric(first, errors="coerce")


def read_template(data: bytes, ctx: FileContext) -> ReadResult:
    """trailstrength's strength log template (see README): ``date,exercise,set,reps,load,unit`` + optional
    ``time, set_type, rpe, rir, tempo, notes``. Dates are local (``YYYY-MM-DD``), times local ``HH:MM``."""
    raw = _read_csv(data, dtype=str, keep_default_na=False)
    raw.columns = [c.strip().lower() for c in raw.columns]
    _require(raw, TEMPLATE_REQUIRED, "strength template")
    problems = []
    day = pd.to_datetime(raw["date"], format="%Y-%m-%d", errors="coerce")
    if day.isna().any():
        problems.append(f"rows {list(raw.index[day.isna()][:5])} have dates not in YYYY-MM-DD")
    unit = raw["unit"].str.strip().str.lower().replace({"lbs": "lb", "kgs": "kg"})
    if (~unit.isin(["kg", "lb"])).any():
        problems.append(f"rows {list(raw.index[~unit.isin(['kg', 'lb'])][:5])} have a unit other than kg/lb")
    set_type = raw.get("set_type", pd.Series("", index=raw.index)).str.strip().str.lower().replace("", "working")
    if (~set_type.isin(SET_TYPES)).any():
        problems.append(f"set_type must be one of {sorted(SET_TYPES)}; rows {list(raw.index[~set_type.isin(SET_TYPES)][:5])}")
    if problems:
        raise ReaderError("strength template: " + "; ".join(problems))
    time = raw.get("time", pd.Series("", index=raw.index)).str.strip()
    has_time = time.str.match(r"^\d{1,2}:\d{2}$")
    local = day + pd.to_timedelta(time.where(has_time, "00:00") + ":00")
    performed = localize(local, ctx.athlete.timezone).where(has_time)
    load = pd.to_numeric(raw["load"], errors="coerce") * np.where(unit.eq("lb"), LB_KG, 1.0)
    df = pd.DataFrame(
        {
            "performed_at": performed,
            "local_date": day.astype("datetime64[ns]"),
            "exercise_raw": raw["exercise"].str.strip(),
            "set_type": set_type,
            "reps": pd.to_numeric(raw["reps"], errors="coerce"),
            "load_kg": load,
            "rpe": pd.to_numeric(raw.get("rpe"), errors="coerce") if "rpe" in raw else np.nan,
            "rir": pd.to_numeric(raw.get("rir"), errors="coerce") if "rir" in raw else np.nan,
            "tempo": raw.get("tempo"),
            "notes": raw.get("notes"),
        }
    )
    df["session_id"] = ctx.athlete.athlete_id + "-log-" + day.dt.strftime("%Y%m%d") + time.where(has_time, "").str.replace(":", "")
    return ReadResult({"strength_sets": _finish(df, ctx, "template")})


FORMATS = [
    Format("strong_csv", "1", "strength", sniff_strong, read_strong),
    Format("strength_template", "1", "strength", sniff_template, read_template),
]
