"""Soreness and wellness diaries: trailstrength's soreness template and the intervals.icu wellness CSV.

PMData's PMSys files live in :mod:`trailstrength.io.pmdata`; this module holds what every wellness reader
shares: the soreness scales, the 0–10 mapping, region normalisation, the direction check and the frame
builder.

Soreness from any scale is mapped to 0–10 (0 = none, 10 = worst) with the raw value and the scale kept:

==========  ============  =====================================================================
scale       raw range     meaning of a higher raw value
==========  ============  =====================================================================
``0-10``    0–10          more sore (numeric rating scale; the template's default)
``0-100``   0–100 mm      more sore (visual analogue scale)
``1-5``     1–5           more sore
``1-5r``    1–5           *less* sore (PMSys / McLean 2010: 1 = very sore, 5 = feeling good)
``1-4``     1–4           more sore (intervals.icu: 1 low, 2 average, 3 high, 4 extreme)
``0-4``     0–4           more sore (intervals.icu files that use 0 for "none")
``1-7``     1–7           more sore (Hooper index)
==========  ============  =====================================================================
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from trailstrength.io._csv import csv_header, read_csv_text
from trailstrength.io._values import ValueLog, clock_times
from trailstrength.io.base import BODY_MASS_KG, FileContext, Format, ReaderError, ReadResult, localize

REGIONS = ("quads", "hamstrings", "glutes", "calves", "lower_back", "other")
#: scale name -> (lowest raw value, highest raw value, True when a higher raw value means *less* sore)
SCALES: dict[str, tuple[float, float, bool]] = {
    "0-10": (0.0, 10.0, False),
    "0-100": (0.0, 100.0, False),
    "1-5": (1.0, 5.0, False),
    "1-5r": (1.0, 5.0, True),
    "1-4": (1.0, 4.0, False),
    "0-4": (0.0, 4.0, False),
    "1-7": (1.0, 7.0, False),
}

# region words, body-part names and the SNOMED CT body-structure codes PMSys writes -> our regions.
# SNOMED 48979004 / 32696007 are the left / right *lower leg*: mapped to calves (the lower leg's muscles).
_REGION_ALIASES = {
    **dict.fromkeys(
        [
            "quads",
            "quad",
            "quadriceps",
            "quadricep",
            "front_thigh",
            "thigh_front",
            "anterior_thigh",
            "front_of_thigh",
            "knee_extensors",
        ],
        "quads",
    ),
    **dict.fromkeys(
        ["hamstrings", "hamstring", "hams", "back_thigh", "thigh_back", "posterior_thigh", "back_of_thigh"],
        "hamstrings",
    ),
    **dict.fromkeys(["glutes", "glute", "gluteal", "gluteus", "buttocks", "buttock", "bum", "butt"], "glutes"),
    **dict.fromkeys(
        ["calves", "calf", "soleus", "gastrocnemius", "gastroc", "lower_leg", "48979004", "32696007"], "calves"
    ),
    **dict.fromkeys(["lower_back", "low_back", "lowerback", "lumbar", "lumbar_spine", "37822005"], "lower_back"),
}
_SIDE = re.compile(r"^(left|right|l|r)_")
#: names of the SNOMED CT body-structure codes seen in PMSys files (for messages; the codes stay as written)
SNOMED_NAMES = {
    "12921003": "pelvis",
    "22943007": "trunk",
    "368208006": "left upper arm",
    "368209003": "right upper arm",
    "48979004": "left lower leg",
    "32696007": "right lower leg",
    "37822005": "lower back",
    "61396006": "left thigh",
    "11207009": "right thigh",
}

WELLNESS_COLUMNS = [
    "athlete_id",
    "local_date",
    "reported_at",
    "soreness",
    "soreness_raw",
    "soreness_scale",
    "soreness_regions",
    "soreness_regions_raw",
    "fatigue",
    "stress",
    "mood",
    "readiness",
    "motivation",
    "sleep_quality",
    "sleep_h",
    "resting_hr_bpm",
    "hrv_ms",
    "body_mass_kg",
    "injury_severity",
    "injury_regions",
    "report_kind",
    "source",
    "source_file",
]
_TEXT_COLUMNS = {
    "soreness_scale",
    "soreness_regions",
    "soreness_regions_raw",
    "injury_severity",
    "injury_regions",
    "report_kind",
}


def to_0_10(raw: pd.Series, scale: pd.Series) -> pd.Series:
    """Map soreness ``raw`` on per-row ``scale`` (a key of :data:`SCALES`) to 0–10 points (10 = most sore)."""
    lo = scale.map(lambda s: SCALES[s][0]).astype(float)
    hi = scale.map(lambda s: SCALES[s][1]).astype(float)
    rev = scale.map(lambda s: SCALES[s][2]).astype(bool)
    frac = (raw.astype(float) - lo) / (hi - lo)
    return frac.where(~rev, 1.0 - frac) * 10.0


def rescale(raw: pd.Series, lo: float, hi: float, *, reverse: bool = False) -> pd.Series:
    """Linear map of ``raw`` on ``lo``–``hi`` to 0–10 (reversed when a higher raw value means a lower score)."""
    frac = (pd.to_numeric(raw, errors="coerce").astype(float) - lo) / (hi - lo)
    return (1.0 - frac if reverse else frac) * 10.0


def normalise_regions(tokens: pd.Series) -> tuple[pd.Series, pd.Series, set[str]]:
    """Normalise soreness regions.

    Parameters
    ----------
    tokens
        Per report, a list of region names or codes as written (empty list = none reported).

    Returns
    -------
    (normalised, raw, unknown)
        ``;``-joined regions from :data:`REGIONS` in that order (None when none), the ``;``-joined raw
        tokens (None when none), and the raw tokens that fell to ``other``. A side prefix (``left_calf``)
        is ignored.
    """
    unknown: set[str] = set()

    def one(items) -> str | None:
        found = set()
        for item in items:
            key = _SIDE.sub("", re.sub(r"[\s\-]+", "_", str(item).strip().lower()))
            region = _REGION_ALIASES.get(key, "other" if key not in REGIONS else key)
            if region == "other" and key != "other":
                unknown.add(str(item).strip())
            found.add(region)
        return ";".join(r for r in REGIONS if r in found) or None

    normalised = tokens.map(one).astype("object")
    raw = tokens.map(lambda items: ";".join(str(i).strip() for i in items) or None).astype("object")
    return normalised, raw, unknown


def split_regions(text: pd.Series) -> pd.Series:
    """``"quads; left calf"`` / ``"[12921003, 48979004]"`` -> lists of tokens (separators ``; , |``)."""
    return (
        text.fillna("")
        .astype(str)
        .str.strip("[]\"' ")
        .map(lambda s: [t.strip().strip("'\"") for t in re.split(r"[;,|]", s) if t.strip().strip("'\"")])
    )


def check_direction(df: pd.DataFrame, min_reports: int = 5) -> list[str]:
    """Warn when mapped soreness is *lower* on reports that name sore regions than on reports that name none.

    A scale read the wrong way round shows up as exactly that; the check needs ``min_reports`` reports in
    each group and a gap of more than 0.5 points.
    """
    s = df.dropna(subset=["soreness"])
    named = s["soreness_regions"].notna()
    if named.sum() < min_reports or (~named).sum() < min_reports:
        return []
    with_regions, without = s.loc[named, "soreness"].mean(), s.loc[~named, "soreness"].mean()
    if with_regions < without - 0.5:
        return [
            f"soreness direction looks reversed: reports naming sore regions average {with_regions:.1f}/10, "
            f"reports naming none {without:.1f}/10; check the scale"
        ]
    return []


def wellness_frame(ctx: FileContext, local_date: pd.Series, source: str, **columns) -> pd.DataFrame:
    """A ``wellness`` frame with every column of :data:`WELLNESS_COLUMNS` (absent ones all-missing)."""
    n = len(local_date)
    out = {
        "athlete_id": pd.Series(ctx.athlete.athlete_id, index=range(n), dtype="str"),
        "local_date": pd.Series(np.asarray(local_date, dtype="datetime64[ns]")),
    }
    for c in WELLNESS_COLUMNS[2:]:
        if c in ("source", "source_file"):
            continue
        v = columns.pop(c, None)
        if v is None:
            v = [pd.NaT] * n if c == "reported_at" else [None] * n if c in _TEXT_COLUMNS else np.full(n, np.nan)
        out[c] = pd.Series(np.asarray(v, dtype=object) if c in _TEXT_COLUMNS else v).reset_index(drop=True)
    if columns:
        raise TypeError(f"wellness_frame: unknown columns {sorted(columns)}")
    out["reported_at"] = pd.to_datetime(out["reported_at"], utc=True).astype("datetime64[ns, UTC]")
    out["source"], out["source_file"] = source, ctx.path
    return pd.DataFrame(out)[WELLNESS_COLUMNS]


def region_warnings(unknown: set[str]) -> list[str]:
    if not unknown:
        return []
    named = [f"{u} ({SNOMED_NAMES[u]})" if u in SNOMED_NAMES else u for u in sorted(unknown)]
    return [f"soreness regions {named} counted as 'other' (as written in soreness_regions_raw)"]


# ------------------------------------------------------------------------------------------------ template
# codes only intervals.icu writes; their presence means "not the template"
_INTERVALS_ONLY = {
    "restinghr",
    "hrv",
    "hrvsdnn",
    "sleepsecs",
    "sleepscore",
    "sleepquality",
    "motivation",
    "injury",
    "ctl",
    "atl",
    "ramprate",
    "kcalconsumed",
    "spo2",
    "avgsleepinghr",
    "weight",
    "menstrualphase",
}


def sniff_template(data: bytes) -> bool:
    head = csv_header(data)
    return "date" in head and "soreness" in head and "exercise" not in head and not _INTERVALS_ONLY & set(head)


def read_template(data: bytes, ctx: FileContext) -> ReadResult:
    """Soreness diary template: ``date,soreness`` + optional ``time`` (local HH:MM; several reports a day are
    kept), ``regions`` (``;``-separated), ``scale`` (a key of :data:`SCALES`, default ``0-10``), ``fatigue``
    (0–10, higher = more tired) and ``sleep_h`` (hours, 0–24).

    A value it cannot use (soreness outside its scale or on an unknown scale, fatigue outside 0–10, sleep outside
    0–24 h, text that is no number) is left empty on its line and recorded in the ``warnings`` table
    (:mod:`trailstrength.io._values`); a line without a date is left out; the file is rejected only when no
    value is left."""
    raw = read_csv_text(data, "soreness diary")
    # a line without a date is left out; a soreness outside its scale, or on an unknown scale, is left empty and
    # the line's other values kept (io._values; every problem recorded with its line)
    log = ValueLog("soreness diary", raw)
    day = pd.to_datetime(raw["date"], format="%Y-%m-%d", errors="coerce")
    ok = log.dated(day, "date", "not a YYYY-MM-DD date")
    raw, day = raw[ok], day[ok]
    log.raw = raw  # the lines that go on
    scale = raw.get("scale", pd.Series("", index=raw.index)).str.strip().replace("", "0-10")
    value = log.number("soreness")
    value = log.null(value, ~scale.isin(list(SCALES)) & value.notna(), "scale", f"not one of {', '.join(SCALES)}")
    scale = scale.where(scale.isin(list(SCALES)), "0-10")
    soreness = to_0_10(value, scale)
    out_of_range = soreness.notna() & ~soreness.between(0, 10)
    value = log.null(value, out_of_range, "soreness", "outside its scale")
    soreness = soreness.where(~out_of_range)
    time, has_time = clock_times(log, "time")
    reported = localize(day + pd.to_timedelta(time.where(has_time, "00:00") + ":00"), ctx.athlete.timezone)
    regions, regions_raw, unknown = normalise_regions(split_regions(raw.get("regions", pd.Series("", index=raw.index))))
    df = wellness_frame(
        ctx,
        day,
        "template",
        reported_at=reported.where(has_time),
        soreness=soreness,
        soreness_raw=value,
        soreness_scale=scale,
        soreness_regions=regions,
        soreness_regions_raw=regions_raw,
        report_kind=["wellness"] * len(raw),
        fatigue=log.number("fatigue", 0, 10) if "fatigue" in raw else None,
        sleep_h=log.number("sleep_h", 0, 24, " h") if "sleep_h" in raw else None,
    )
    if not df.reindex(columns=["soreness", "fatigue", "sleep_h"]).notna().any().any():
        raise ReaderError("soreness diary: no usable value left (" + "; ".join(log.summary()) + ")")
    return log.attach(ReadResult({"wellness": df}, region_warnings(unknown) + check_direction(df)))


# ------------------------------------------------------------------------------------------------ intervals.icu
# intervals.icu's subjective fields are 1–4 with 1 the best: soreness/fatigue/stress 1 low … 4 extreme,
# mood 1 great … 4 grumpy, motivation 1 extreme … 4 low, sleepQuality 1 great … 4 poor,
# injury 1 none … 4 injured
_ICU_WORSE_IS_HIGHER = {"fatigue": "fatigue", "stress": "stress"}
_ICU_BETTER_IS_LOWER = {"mood": "mood", "motivation": "motivation", "sleepquality": "sleep_quality"}
_ICU_INJURY = {1: "none", 2: "minor", 3: "moderate", 4: "major"}
_ICU_SUBJECTIVE = ["soreness", "fatigue", "stress", "mood", "motivation", "sleepquality", "injury"]
#: plausible ranges of the measured values (outside: left empty and recorded). Resting HR: the wellness schema
#: allows up to 250 bpm; below 25 bpm is a sensor or typing error even in endurance athletes. hrv is rMSSD:
#: 0 means "not measured", values above 300 ms are artefacts.
RESTING_HR_BPM = (25.0, 250.0)
HRV_MS = (1.0, 300.0)


def sniff_intervals(data: bytes) -> bool:
    """``date``/``id`` first, at least two intervals.icu field codes, and nothing of a strength log or diary."""
    head = csv_header(data)
    codes = (_INTERVALS_ONLY | {"soreness", "fatigue", "stress", "mood"}) & set(head)
    foreign = any(h.startswith(("exercise", "reps", "set", "workout")) or h in ("regions", "scale") for h in head)
    return bool(head) and head[0] in ("date", "id") and len(codes) >= 2 and not foreign


def _intervals_scores(log: ValueLog) -> tuple[dict[str, pd.Series], float]:
    """The 1–4 subjective scores of an intervals.icu file (absent codes all-missing) and the scale's lowest value.

    0 anywhere among them means the file writes 0 for "none": every score is then read on 0–4. A score outside
    the scale is left empty on its line and recorded in ``log``.
    """
    scores = {
        c: log.number(c) if c in log.raw else pd.Series(np.nan, index=log.raw.index, dtype="float64")
        for c in _ICU_SUBJECTIVE
    }
    lo = 0.0 if any(v.eq(0).any() for v in scores.values()) else 1.0
    for c, v in scores.items():
        scores[c] = log.null(v, v.lt(lo) | v.gt(4), c, f"outside {lo:g}–4")
    return scores, lo


def read_intervals(data: bytes, ctx: FileContext) -> ReadResult:
    """intervals.icu wellness CSV: ``date`` (or ``id``) then field codes, one row per day.

    Mapped: soreness (1–4, higher worse; scale ``1-4``, or ``0-4`` when the file uses 0), fatigue and
    stress (0–10, higher = worse), mood, motivation and sleepQuality (0–10, higher = better), injury
    (severity none / minor (niggle) / moderate (poor) / major (injured)), sleepSecs (→ hours), restingHR
    (bpm), hrv (rMSSD, ms), weight (kg). Days with none of these are skipped.

    A value outside its range (a score outside 1–4, sleep outside 0–24 h, resting HR outside
    :data:`RESTING_HR_BPM`, hrv outside :data:`HRV_MS`, weight outside the plausible body mass) or no number is
    left empty on its line and recorded in the ``warnings`` table (:mod:`trailstrength.io._values`); the day's
    other values are kept. A line without a YYYY-MM-DD date is left out (and recorded); the file is rejected only
    when no day keeps a value.
    """
    what = "intervals.icu wellness"
    raw = read_csv_text(data, what)
    log = ValueLog(what, raw)
    date_col = raw.columns[0]
    day = pd.to_datetime(raw[date_col].str.slice(0, 10), format="%Y-%m-%d", errors="coerce")
    ok = log.dated(day, date_col, "not a YYYY-MM-DD date")
    raw, day = raw[ok], day[ok]
    log.raw = raw  # the lines that go on
    scores, lo = _intervals_scores(log)

    def num(code: str, low: float, high: float, unit: str) -> pd.Series:
        if code not in raw:
            return pd.Series(np.nan, index=raw.index, dtype="float64")
        return log.number(code, low, high, unit)

    warnings = ["scores include 0: read as 0–4 scales (0 = none)"] if lo == 0 else []
    cols: dict = {}
    sore = scores["soreness"]
    cols["soreness_raw"] = sore
    cols["soreness_scale"] = np.where(sore.notna(), "0-4" if lo == 0 else "1-4", None)
    cols["soreness"] = rescale(sore, lo, 4.0)
    for code, name in _ICU_WORSE_IS_HIGHER.items():
        cols[name] = rescale(scores[code], lo, 4.0)
    for code, name in _ICU_BETTER_IS_LOWER.items():
        cols[name] = rescale(scores[code], lo, 4.0, reverse=True)
    cols["injury_severity"] = scores["injury"].map(lambda v: None if pd.isna(v) else _ICU_INJURY.get(int(max(v, 1))))
    cols["sleep_h"] = num("sleepsecs", 0, 24 * 3600, " s") / 3600.0
    cols["resting_hr_bpm"] = num("restinghr", *RESTING_HR_BPM, " bpm")
    cols["hrv_ms"] = num("hrv", *HRV_MS, " ms")
    cols["body_mass_kg"] = num("weight", *BODY_MASS_KG, " kg")
    cols["report_kind"] = ["wellness"] * len(raw)
    df = wellness_frame(ctx, day, "intervals_icu", **cols)
    values = ["soreness", "fatigue", "stress", "mood", "motivation", "sleep_quality", "sleep_h"]
    keep = df[[*values, "resting_hr_bpm", "hrv_ms", "body_mass_kg"]].notna().any(axis=1) | df["injury_severity"].notna()
    if not keep.any():
        left = "; ".join(log.summary())
        raise ReaderError(f"{what}: no day has any wellness value" + (f" ({left})" if left else ""))
    if (~keep).any():
        warnings.append(f"{int((~keep).sum())} days without any wellness value skipped")
    return log.attach(ReadResult({"wellness": df[keep].reset_index(drop=True)}, warnings))


FORMATS = [
    Format("intervals_wellness", "2", "wellness", sniff_intervals, read_intervals),
    Format("soreness_template", "4", "wellness", sniff_template, read_template),
]
