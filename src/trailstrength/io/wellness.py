"""Soreness and wellness diaries: trailstrength's soreness template (intervals.icu and PMData come later).

Soreness from any scale is mapped to 0–10 (higher = more sore) with the raw value and scale kept.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd

from trailstrength.io.base import FileContext, Format, ReaderError, ReadResult, csv_header, localize

REGIONS = ("quads", "hamstrings", "glutes", "calves", "lower_back", "other")
# scale name -> (min, max) of the raw scale; mapped linearly onto 0–10
SCALES = {"0-10": (0.0, 10.0), "1-5": (1.0, 5.0), "0-100": (0.0, 100.0), "1-4": (1.0, 4.0), "0-4": (0.0, 4.0)}


def to_0_10(raw: pd.Series, scale: pd.Series) -> pd.Series:
    """Map soreness ``raw`` on per-row ``scale`` (a key of :data:`SCALES`) to 0–10 points."""
    lo = scale.map(lambda s: SCALES[s][0]).astype(float)
    hi = scale.map(lambda s: SCALES[s][1]).astype(float)
    return (raw - lo) / (hi - lo) * 10.0


def sniff_template(data: bytes) -> bool:
    head = csv_header(data)
    return "date" in head and "soreness" in head and "exercise" not in head


def read_template(data: bytes, ctx: FileContext) -> ReadResult:
    """Soreness diary template: ``date,soreness`` + optional ``time`` (local HH:MM), ``regions``
    (semicolon-separated), ``scale`` (``0-10`` default, ``1-5``, ``0-100``)."""
    try:
        raw = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (pd.errors.ParserError, UnicodeDecodeError) as err:
        raise ReaderError(f"soreness diary: not a readable CSV ({err})") from None
    raw.columns = [c.strip().lower() for c in raw.columns]
    n = len(raw)
    day = pd.to_datetime(raw["date"], format="%Y-%m-%d", errors="coerce")
    value = pd.to_numeric(raw["soreness"], errors="coerce")
    scale = raw.get("scale", pd.Series("", index=raw.index)).str.strip().replace("", "0-10")
    problems = []
    if day.isna().any():
        problems.append(f"rows {list(raw.index[day.isna()][:5])} have dates not in YYYY-MM-DD")
    if (~scale.isin(list(SCALES))).any():
        problems.append(f"scale must be one of {list(SCALES)}; rows {list(raw.index[~scale.isin(list(SCALES))][:5])}")
    if problems:
        raise ReaderError("soreness diary: " + "; ".join(problems))
    soreness = to_0_10(value, scale)
    out_of_range = soreness.notna() & ~soreness.between(0, 10)
    if out_of_range.any():
        raise ReaderError(f"soreness diary: rows {list(raw.index[out_of_range][:5])} are outside their scale")
    time = raw.get("time", pd.Series("", index=raw.index)).str.strip()
    has_time = time.str.match(r"^\d{1,2}:\d{2}$")
    reported = localize(day + pd.to_timedelta(time.where(has_time, "00:00") + ":00"), ctx.athlete.timezone)
    regions = raw.get("regions", pd.Series("", index=raw.index)).str.lower().str.replace(" ", "")
    unknown = regions.str.split(";").explode().pipe(lambda s: s[(s != "") & ~s.isin(REGIONS)])
    warnings = [f"unknown soreness regions {sorted(set(unknown))} kept as written"] if len(unknown) else []
    df = pd.DataFrame(
        {
            "athlete_id": ctx.athlete.athlete_id,
            "local_date": day.astype("datetime64[ns]"),
            "reported_at": reported.where(has_time),
            "soreness": soreness,
            "soreness_raw": value,
            "soreness_scale": scale,
            "soreness_regions": regions.replace("", None),
            "fatigue": np.full(n, np.nan),
            "sleep_h": np.full(n, np.nan),
            "source": "template",
            "source_file": ctx.path,
        }
    )
    return ReadResult({"wellness": df}, warnings)


FORMATS = [Format("soreness_template", "1", "wellness", sniff_template, read_template)]
