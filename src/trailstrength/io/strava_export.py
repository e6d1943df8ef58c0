"""Strava bulk export: ``activities.csv`` (the activity list; files under ``activities/`` are read by their own
format readers and linked to their row by the warehouse).

The CSV changes over time (about 87 to 103 columns), repeats some headers — the first ``Distance`` is in km
(with a decimal comma in German exports), the second in m; ``Elapsed Time``, ``Max Heart Rate``, ``Relative
Effort`` and ``Commute`` appear twice — and is localised (German headers exist). Columns are therefore read
by name and occurrence, never by position. Dates such as ``May 29, 2022, 3:53:35 PM`` (German
``29.05.2022, 15:53:35``) are UTC.

Every row becomes an ``activities`` row (``source_format='strava_csv'``) without samples; reference columns
keep the export's own numbers under ``strava_*`` names (name, type, gear, elevation loss, grade-adjusted
speed — Strava's "Average Grade Adjusted Pace" is in m/s — and grade-adjusted distance). ``strava_file``
is the listed file as a path relative to the raw folder (empty ``Filename`` = a manual entry). The warehouse
links each row to the activity read from that file (the file wins, the row's reference columns are copied
onto it); rows whose file is absent stay as activities without samples.
"""

from __future__ import annotations

import csv
import io
import posixpath

import numpy as np
import pandas as pd

from trailstrength.io._csv import csv_header
from trailstrength.io.activity_rows import local_date_of, sport_name
from trailstrength.io.base import FileContext, Format, ReaderError, ReadResult

VERSION = "1"
# canonical key -> header names (English, German); a header listed twice maps to key, key_2
HEADERS = {
    "strava_id": ("Activity ID", "Aktivitäts-ID"),
    "date": ("Activity Date", "Aktivitätsdatum"),
    "name": ("Activity Name", "Name der Aktivität"),
    "type": ("Activity Type", "Aktivitätsart"),
    "description": ("Activity Description", "Aktivitätsbeschreibung"),
    "elapsed": ("Elapsed Time", "Verstrichene Zeit"),
    "distance": ("Distance", "Distanz"),
    "max_hr": ("Max Heart Rate", "Max. Herzfrequenz"),
    "relative_effort": ("Relative Effort", "Relative Leistung"),
    "commute": ("Commute", "Pendeln"),
    "gear": ("Activity Gear", "Aktivitätsausrüstung"),
    "filename": ("Filename", "Dateiname"),
    "moving": ("Moving Time", "Bewegungszeit"),
    "elevation_gain": ("Elevation Gain", "Höhenzunahme"),
    "elevation_loss": ("Elevation Loss", "Höhenunterschied"),
    "avg_hr": ("Average Heart Rate", "Durchschnittliche Herzfrequenz"),
    "gap_speed": ("Average Grade Adjusted Pace", "Durchschnittliches auf Steigung angepasstes Tempo"),
    "gap_distance": ("Grade Adjusted Distance", "Auf Steigung angepasste Distanz"),
}
_BY_HEADER = {h.lower(): key for key, names in HEADERS.items() for h in names}
_DATE_FORMATS = (
    "%b %d, %Y, %I:%M:%S %p",
    "%d.%m.%Y, %H:%M:%S",
    "%b %d, %Y, %H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%d %b %Y, %H:%M:%S",
)
_GERMAN_MONTHS = {
    "jan": "Jan",
    "feb": "Feb",
    "mär": "Mar",
    "märz": "Mar",
    "apr": "Apr",
    "mai": "May",
    "jun": "Jun",
    "juni": "Jun",
    "jul": "Jul",
    "juli": "Jul",
    "aug": "Aug",
    "sep": "Sep",
    "sept": "Sep",
    "okt": "Oct",
    "nov": "Nov",
    "dez": "Dec",
}


def sniff(data: bytes) -> bool:
    head = csv_header(data)
    return ("activity id" in head and "activity date" in head) or (
        "aktivitäts-id" in head and "aktivitätsdatum" in head
    )


def _columns(header: list[str]) -> dict[str, int]:
    """Canonical key (``distance``, ``distance_2`` ...) -> column position, by name and occurrence."""
    seen: dict[str, int] = {}
    out = {}
    for pos, name in enumerate(header):
        key = _BY_HEADER.get(name.strip().lower())
        if key is None:
            continue
        seen[key] = seen.get(key, 0) + 1
        out[key if seen[key] == 1 else f"{key}_{seen[key]}"] = pos
    return out


def _number(values: pd.Series, comma_decimal: bool) -> pd.Series:
    text = values.fillna("").astype(str).str.strip()
    if comma_decimal:
        text = text.where(
            ~text.str.contains(","), text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
        )
    return pd.to_numeric(text.replace("", np.nan), errors="coerce")


def parse_dates(values: pd.Series) -> pd.Series:
    """Strava's export dates (English or German spelling) -> UTC instants (NaT when unparsable)."""
    text = values.fillna("").astype(str).str.strip()
    # "29. Mai 2022, 15:53:35" -> "29 May 2022, 15:53:35"
    text = text.str.replace(
        r"^(\d{1,2})\.\s*([A-Za-zä]+)\.?\s+(\d{4})",
        lambda m: f"{m.group(1)} {_GERMAN_MONTHS.get(m.group(2).lower(), m.group(2))} {m.group(3)}",
        regex=True,
    )
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    todo = text != ""
    for fmt in _DATE_FORMATS:
        if not todo.any():
            break
        parsed = pd.to_datetime(text[todo], format=fmt, errors="coerce")
        out[parsed.dropna().index] = parsed.dropna()
        todo &= out.isna()
    if todo.any():
        out[todo] = pd.to_datetime(text[todo], errors="coerce", dayfirst=True)
    return out.dt.tz_localize("UTC").astype("datetime64[ns, UTC]")


def read(data: bytes, ctx: FileContext) -> ReadResult:
    """Read a Strava ``activities.csv`` into ``activities`` rows (see the module docstring)."""
    try:
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    except (UnicodeDecodeError, csv.Error) as err:
        raise ReaderError(f"Strava activities.csv: not readable CSV ({err})") from None
    if len(rows) < 2:
        raise ReaderError("Strava activities.csv without activity rows")
    header, body = rows[0], [r for r in rows[1:] if any(c.strip() for c in r)]
    cols = _columns(header)
    missing = [k for k in ("strava_id", "date") if k not in cols]
    if missing:
        raise ReaderError(f"Strava activities.csv: no {missing} column (headers {header[:6]}...)")
    german = header[cols["date"]].strip().lower() == "aktivitätsdatum"
    width = len(header)
    table = pd.DataFrame([r + [""] * (width - len(r)) for r in body]).iloc[:, :width]
    get = lambda key: table[cols[key]] if key in cols else pd.Series("", index=table.index)  # noqa: E731
    num = lambda key: _number(get(key), german)  # noqa: E731
    start = parse_dates(get("date"))
    warnings = []
    if start.isna().any():
        warnings.append(
            f"{int(start.isna().sum())} rows with unparsable dates (first {get('date')[start.isna()].iloc[0]!r})"
        )
    # the second Distance is in m; the first in km (older layouts have only the first)
    distance = num("distance_2").where(num("distance_2").notna(), num("distance") * 1000.0)
    elapsed = num("elapsed_2").where(num("elapsed_2").notna(), num("elapsed"))
    folder = posixpath.dirname(ctx.path)
    files = get("filename").fillna("").astype(str).str.strip()
    kinds = get("type").fillna("").astype(str).str.strip()
    names = get("name").fillna("").astype(str).str.strip()
    n = len(table)
    local, source = local_date_of(start, ctx, None)
    loss = num("elevation_loss")
    acts = pd.DataFrame(
        {
            "activity_id": [ctx.activity_id(i) for i in range(n)],
            "athlete_id": ctx.athlete.athlete_id,
            "source_file": ctx.path,
            "source_format": "strava_csv",
            "sport": [sport_name(k) if k else "unknown" for k in kinds],
            "start_time": start,
            "local_date": local,
            "duration_s": elapsed,
            "moving_time_s": num("moving"),
            "distance_m": distance,
            "ascent_m": num("elevation_gain").where(num("elevation_gain") >= 0),
            "descent_m": loss.where(loss >= 0),  # the export has a few negative losses: unknown, raw value kept below
            "has_gps": False,
            "has_altitude": False,
            "altitude_source": "none",
            "device": None,
            "has_time": start.notna(),
            "local_date_source": np.where(start.notna(), source, "none"),
            "utc_offset_s": np.nan,
            "sub_sport": np.where(kinds.str.contains("trail", case=False), "trail", None),
            "name": names.replace("", None),
            "strava_id": get("strava_id").astype(str).str.strip(),
            "strava_name": names.replace("", None),
            "strava_type": kinds.replace("", None),
            "strava_gear": get("gear").fillna("").astype(str).str.strip().replace("", None),
            "strava_file": files.map(lambda f: posixpath.normpath(posixpath.join(folder, f)) if f else None),
            "manual_entry": files.eq(""),
            "strava_elevation_loss_m": loss,
            "strava_gap_speed_mps": num("gap_speed"),
            "strava_grade_adjusted_distance_m": num("gap_distance"),
            "strava_relative_effort": num("relative_effort"),
        }
    )
    if not ctx.athlete.timezone_known:
        warnings.append("Strava's export times are UTC and name no zone: local dates use the default zone")
    return ReadResult({"activities": acts}, warnings)


FORMATS = [Format("strava_activities_csv", VERSION, "activity", sniff, read)]
