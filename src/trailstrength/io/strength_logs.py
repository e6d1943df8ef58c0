"""Strength-training logs: what every strength reader shares, and trailstrength's own strength template.

The app readers live beside this module (:mod:`~trailstrength.io.strong`, :mod:`~trailstrength.io.hevy`,
:mod:`~trailstrength.io.fitnotes`). Each returns a ``strength_sets`` frame *before* exercise classification (the
cleaning step adds the taxonomy columns) with the columns of :data:`SET_COLUMNS`:

* loads in kg (:data:`trailstrength.units.LB_KG` per pound); a body-weight set has ``load_kg`` 0 and
  ``bodyweight`` True;
* ``performed_at`` the session start as a UTC instant (NaT when the log has dates only), ``local_date`` the
  athlete's local calendar day;
* ``session_id`` one id per workout, ``set_index`` 0-based within a session and exercise, ``set_type`` one of
  :data:`SET_TYPES`;
* ``duration_s`` the set's own duration (timed sets, s), ``session_duration_s`` the workout's (s), ``distance_m``;
* ``exercise_raw`` the name as written, ``source`` the app, ``source_file`` the file.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd

from trailstrength.io._csv import csv_header, read_csv_text
from trailstrength.io._values import ROW_LEFT_OUT, ValueLog, clock_times, plausible_days, window_text
from trailstrength.io.base import FileContext, Format, ReaderError, ReadResult, localize
from trailstrength.units import WEIGHT_KG

SET_TYPES = ("working", "warmup", "failure", "drop")
SET_COLUMNS = [
    "athlete_id",
    "performed_at",
    "local_date",
    "session_id",
    "exercise_raw",
    "set_index",
    "set_type",
    "reps",
    "load_kg",
    "bodyweight",
    "rpe",
    "rir",
    "duration_s",
    "session_duration_s",
    "distance_m",
    "tempo",
    "superset_id",
    "notes",
    "source",
    "source_file",
]
TEMPLATE_REQUIRED = ["date", "exercise", "set", "reps", "load", "unit"]

# ---------------------------------------------------------------------------------------------- shared helpers


def fold(text: str) -> str:
    """Casefold, strip accents, BOM, quotes and surrounding space; collapse inner whitespace."""
    text = unicodedata.normalize("NFKD", str(text).replace("\ufeff", ""))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = text.replace("’", "'").strip().strip('"').strip()
    return re.sub(r"\s+", " ", text)


def to_number(values: pd.Series) -> pd.Series:
    """Numbers as written by apps in any locale: ``82.5``, ``82,5`` (decimal comma), blanks -> NaN."""
    text = values.astype("str").str.strip()
    text = text.where(~text.str.fullmatch(r"-?\d+,\d+"), text.str.replace(",", ".", regex=False))
    return pd.to_numeric(text, errors="coerce").astype("float64")


_AMPM = [(re.compile(r"\s*a\.?\s?m\.?$", re.I), " AM"), (re.compile(r"\s*p\.?\s?m\.?$", re.I), " PM")]


def parse_local_times(values: pd.Series, formats: list[str]) -> pd.Series:
    """Naive local wall-clock times from strings, trying ``formats`` in order (12-hour ``a.m.``/``PM`` too).

    Rows no format accepts are NaT. The unit is µs (``datetime64[us]``), so a year such as 2999 is read, not an
    overflow: the reader leaves such a line out (:func:`undated_sets`) before converting to ns.
    """
    text = values.astype("str").str.strip()
    for pattern, marker in _AMPM:
        text = text.str.replace(pattern, marker, regex=True)
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[us]")
    for fmt in formats:
        missing = out.isna()
        if not missing.any():
            break
        out[missing] = pd.to_datetime(text[missing], format=fmt, errors="coerce").astype("datetime64[us]")
    return out


def sets_value_log(
    what: str, raw: pd.DataFrame, sets: pd.Series, undated: pd.Series, date_column: str, numbers
) -> ValueLog:
    """The values an app export's reader could not use, line by line (io._values; issue 14, item 2).

    ``sets``: the rows that are sets (not notes, rest timers, empty names); ``undated``: the sets left out for a
    date that could not be read (recorded under ``date_column``); ``numbers``: the columns read with
    :func:`to_number`, whose non-empty cells that are no number were left empty (recorded as such).
    """
    log = ValueLog(what, raw)
    log.note(sets & undated, date_column, ROW_LEFT_OUT + "not a date in the export's format")
    for column in numbers:
        if column in raw:
            text = raw[column].astype("str").str.strip()
            log.note(sets & ~undated & text.ne("") & to_number(raw[column]).isna(), column, "not a number")
    return log


def undated_sets(log: ValueLog, when: pd.Series, sets: pd.Series, column: str) -> pd.Series:
    """The sets whose date could not be read, or lies outside the plausible window (those recorded here)."""
    outside = when.notna() & ~plausible_days(when)
    log.note(sets & outside, column, ROW_LEFT_OUT + window_text())
    return when.isna() | outside


def plausible_sets(df: pd.DataFrame, log: ValueLog, columns: dict[str, str], written: pd.Series) -> pd.DataFrame:
    """``df`` with values outside :data:`trailstrength.io._values.PLAUSIBLE` left empty and recorded.

    ``columns``: field -> the raw column it was read from (named in the record); ``written``: the rows whose load
    cell held something. A load written but left empty (``NaN``, ``inf``, 1e6 kg) stays empty in
    :func:`finish_sets` instead of reading as a body-weight set.
    """
    df = df.copy()
    for field, column in columns.items():
        df[field] = log.plausible(df[field], field, column)
    df["_load_written"] = written.reindex(df.index, fill_value=False).astype(bool)
    return df


def finish_sets(df: pd.DataFrame, ctx: FileContext, source: str) -> pd.DataFrame:
    """Common tail: ids, body-weight flag, per-exercise set numbering within a session, the column contract.

    An empty load is a body-weight set (0 kg), except a load that was written but left empty as implausible
    (:func:`plausible_sets`): that one stays empty and is no body-weight set.
    """
    df = df.copy()
    df["athlete_id"] = ctx.athlete.athlete_id
    df["source"] = source
    df["source_file"] = ctx.path
    written = df.pop("_load_written") if "_load_written" in df else pd.Series(False, index=df.index)
    unweighed = df["load_kg"].isna() & written.astype(bool)
    df["bodyweight"] = df["load_kg"].fillna(0).eq(0) & ~unweighed
    df["load_kg"] = df["load_kg"].where(unweighed, df["load_kg"].fillna(0.0))
    df["set_index"] = df.groupby(["session_id", "exercise_raw"], sort=False).cumcount().astype("int64")
    for c in SET_COLUMNS:
        if c not in df.columns:
            df[c] = np.nan
    for c in ("tempo", "superset_id", "notes"):
        df[c] = df[c].astype("object").where(df[c].notna() & df[c].astype("str").ne(""))
    df["tempo"] = df["tempo"].fillna(tempo_in_notes(df["notes"]))
    return df[SET_COLUMNS].reset_index(drop=True)


_TEMPO_NOTE_RE = re.compile(r"(?i)(?:tempo\W{0,3}(\d(?:[-/]?[\dx]){2,3})\b|\b(\d(?:-[\dx]){2,3})\W{0,3}tempo)")


def tempo_in_notes(notes: pd.Series) -> pd.Series:
    """A tempo written in a set note next to the word "tempo" (``tempo 3-1-1``, ``31X1 tempo``), else NaN.

    The word is required: a bare ``5-3-1`` is more often a programme than a tempo.
    """
    found = notes.astype("str").str.extract(_TEMPO_NOTE_RE)
    return found[0].fillna(found[1]).where(notes.notna())


EXPORT_SOURCES = ("strong", "hevy", "fitnotes")  # apps whose exports overlap when re-exported


def mark_repeated_sessions(sets: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    """Mark the extra copies of a workout that several app exports hold (a full history exported twice overlaps).

    A workout is ``(athlete_id, session_id)``; app session ids carry the app and the start time, so only exports
    of the same app can collide. The copy that counts is the file holding most sets of it (ties: the path sorting
    last, e.g. the newer dated export). Template logs and watch files are never marked. Rows are kept, not
    dropped, so the marks can be recomputed when a file changes or disappears; exposures skip marked rows.

    Returns
    -------
    (DataFrame, dict)
        ``sets`` with ``duplicate_of`` (the file whose copy counts; NaN for rows that count), and per file with
        marked workouts a one-line note.
    """
    out = sets.drop(columns="duplicate_of", errors="ignore")
    out["duplicate_of"] = pd.Series(np.nan, index=out.index, dtype="object")
    if out.empty or not {"athlete_id", "session_id", "source_file", "source"} <= set(out.columns):
        return out, {}
    key = ["athlete_id", "session_id"]
    per = out[out["source"].isin(EXPORT_SOURCES)].groupby([*key, "source_file"]).size().rename("n").reset_index()
    per = per[per.groupby(key)["source_file"].transform("size") > 1]
    if per.empty:
        return out, {}
    per = per.sort_values([*key, "n", "source_file"], ascending=[True, True, False, False])
    kept = per.drop_duplicates(key).rename(columns={"source_file": "kept_in"})[[*key, "kept_in"]]
    lost = per.merge(kept, on=key)
    lost = lost[lost["source_file"] != lost["kept_in"]]
    marks = out[[*key, "source_file"]].merge(lost, on=[*key, "source_file"], how="left")["kept_in"]
    out["duplicate_of"] = marks.to_numpy(dtype="object")
    notes = {
        f: f"{len(g)} workout(s) ({int(g['n'].sum())} sets) also in {', '.join(sorted(set(g['kept_in'])))} "
        f"count once, from there"
        for f, g in lost.groupby("source_file")
    }
    return out, notes


def session_ids(ctx: FileContext, source: str, start: pd.Series) -> pd.Series:
    """``<athlete>-<source>-<local start YYYYmmddTHHMMSS>`` (or ``...-<YYYYmmdd>`` for date-only logs)."""
    fmt = "%Y%m%dT%H%M%S" if start.dt.normalize().ne(start).any() else "%Y%m%d"
    return ctx.athlete.athlete_id + f"-{source}-" + start.dt.strftime(fmt)


# ---------------------------------------------------------------------------------------------- template


def sniff_template(data: bytes) -> bool:
    head = csv_header(data)
    return all(c in head for c in TEMPLATE_REQUIRED)


def read_template(data: bytes, ctx: FileContext) -> ReadResult:
    """trailstrength's strength log template (see README): ``date,exercise,set,reps,load,unit`` + optional
    ``time, set_type, rpe, rir, tempo, notes``. Dates are local (``YYYY-MM-DD``), times local ``HH:MM``; ``unit``
    is ``kg`` or ``lb`` per row; ``tempo`` like ``3-1-1`` (its first number is the lowering time in s)."""
    raw = read_csv_text(data, "strength template")
    missing = [c for c in TEMPLATE_REQUIRED if c not in raw.columns]
    if missing:
        raise ReaderError(f"strength template: missing column(s) {missing}; found {list(raw.columns)}")
    # a set that cannot be placed or weighed (date, unit, set type) is left out; a bad number is left empty
    # (io._values): the rest of the file counts, and every problem is recorded with its line
    log = ValueLog("strength template", raw)
    day = pd.to_datetime(raw["date"], format="%Y-%m-%d", errors="coerce")
    unit = raw["unit"].str.lower().replace({"lbs": "lb", "kgs": "kg"})
    set_type = raw.get("set_type", pd.Series("", index=raw.index)).str.lower().replace("", "working")
    ok = log.dated(day, "date", "not a YYYY-MM-DD date")
    ok &= log.keep_rows(unit.isin(["kg", "lb"]) | ~ok, "unit", "not kg or lb")
    ok &= log.keep_rows(set_type.isin(SET_TYPES) | ~ok, "set_type", f"not one of {', '.join(SET_TYPES)}")
    if not ok.any():
        raise ReaderError("strength template: no usable set (see the dates, units and set types)")
    raw, day, unit, set_type = raw[ok], day[ok], unit[ok], set_type[ok]
    log.raw = raw  # the lines that go on
    time, has_time = clock_times(log, "time")
    local = day + pd.to_timedelta(time + ":00")
    optional = {c: log.number(c, 0, 10) if c in raw else np.nan for c in ("rpe", "rir")}
    df = pd.DataFrame(
        {
            "performed_at": localize(local, ctx.athlete.timezone).where(has_time),
            "local_date": day.astype("datetime64[ns]"),
            "exercise_raw": raw["exercise"],
            "set_type": set_type,
            "reps": log.plausible(log.number("reps", 0), "reps", "reps"),
            "load_kg": log.plausible(log.number("load", 0) * unit.map(WEIGHT_KG), "load_kg", "load"),
            **optional,
            "tempo": raw.get("tempo"),
            "notes": raw.get("notes"),
        }
    )
    df["session_id"] = (
        ctx.athlete.athlete_id + "-log-" + day.dt.strftime("%Y%m%d") + time.where(has_time, "").str.replace(":", "")
    )
    df["_load_written"] = raw["load"].str.strip().ne("")
    return log.attach(ReadResult({"strength_sets": finish_sets(df, ctx, "template")}))


FORMATS = [Format("strength_template", "3", "strength", sniff_template, read_template)]
