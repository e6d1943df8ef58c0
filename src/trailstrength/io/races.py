"""Race results and section splits -> the ``races`` table (one row per athlete × race × section).

Two inputs, and a course to put terrain on them:

* **results CSV** — one row per finisher: position, bib, names, times, category. The runpandas layout (a
  metadata first line ``race name,dd/mm/yyyy,42k,country`` above
  ``position,bib,firstname,lastname,halftime,guntime,chiptime,category``) is recognised; other files need
  a ``position`` (or ``place``/``rank``) column, a name column and a time column (``chiptime``,
  ``net_time``, ``time`` or ``finish_time``). With a half-way split the runner gets two sections
  (``start–half``, ``half–finish``), otherwise one (``start–finish``). Non-numeric positions (``DNF``,
  ``DNS``, ``DQ``) become ``status`` and the runner's times are missing; a half split outside 30–70 % of
  the finish time (a missed timing mat) is dropped and noted. Namesakes in one file are told apart by bib.
* **section-splits CSV** (trailstrength's template) — ``athlete,race,date,checkpoint,elapsed`` with
  optional ``distance_km`` (checkpoint distance from the start): one row per athlete × checkpoint;
  ``elapsed`` is ``H:MM:SS`` or seconds since the start. Sections run between consecutive checkpoints. An
  example ships as ``trailstrength/datasets/templates/race_splits.csv``.
* **course GPX** — :func:`trailstrength.io.gpx.read_course` reads a course's points and waypoints;
  :func:`trailstrength.terrain.add_course` gives each section its distance, gain, loss and mean grade.

Readers only read: ``athlete_id`` is the runner's **name** as written (namesakes in one file carry their bib,
``"Ailsa Quorn #7"``), with ``name`` and ``bib`` beside it. The warehouse replaces names by keyed ids
(:func:`trailstrength.privacy.hide_runner_names`) before anything is stored; do the same before sharing a table
read here.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from trailstrength.io._csv import read_csv_text
from trailstrength.io.base import FileContext, Format, ReaderError, ReadResult
from trailstrength.privacy import normalise_runner_name
from trailstrength.units import HALF_MARATHON_M, MARATHON_M, MILE_M, parse_duration_s

RACE_COLUMNS = [
    "athlete_id",
    "race",
    "date",
    "section",
    "section_index",
    "from_checkpoint",
    "to_checkpoint",
    "start_m",
    "end_m",
    "distance_m",
    "gain_m",
    "loss_m",
    "mean_grade",
    "time_s",
    "elapsed_s",
    "status",
    "position",
    "category",
    "source",
]
_POSITION = ("position", "pos", "place", "rank", "overall")
_FINISH = ("chiptime", "chip_time", "net_time", "nettime", "time", "finish_time", "finishtime", "guntime", "gun_time")
_HALF = ("halftime", "half_time", "half", "split_half")
_CATEGORY = ("category", "cat", "age_group", "agegroup", "class")
_SPLITS_REQUIRED = ["athlete", "race", "date", "checkpoint", "elapsed"]
#: a half-way split outside this share of the finish time is a timing error (fast first halves are ~0.45)
MIN_HALF_SHARE, MAX_HALF_SHARE = 0.3, 0.7


# ------------------------------------------------------------------------------------------------ helpers
def _seconds(text: pd.Series) -> pd.Series:
    """Times as written (``H:MM:SS``, ``MM:SS``, seconds) -> float seconds; blanks, ``N/A`` and ``00:00:00`` -> NaN."""
    return parse_duration_s(text).where(lambda v: v > 0)


def race_distance_m(text: str | None) -> float:
    """``"42k"``, ``"marathon"``, ``"21.1k"``, ``"half"``, ``"10k"``, ``"5mi"`` -> metres (NaN when unknown)."""
    t = str(text or "").strip().lower().replace(" ", "")
    if t in ("42k", "42.2k", "42.195k", "marathon", "mara"):
        return MARATHON_M
    if t in ("21k", "21.1k", "21.0975k", "half", "halfmarathon"):
        return HALF_MARATHON_M
    m = re.fullmatch(r"(\d+(?:\.\d+)?)(k|km|mi|miles?)", t)
    if not m:
        return np.nan
    return float(m.group(1)) * (1000.0 if m.group(2).startswith("k") else MILE_M)


def _first(columns, names) -> str | None:
    return next((c for c in names if c in columns), None)


def _read(data: bytes, what: str, skiprows: int = 0) -> pd.DataFrame:
    df = read_csv_text(data, what, skiprows=skiprows)
    df.columns = [re.sub(r"[\s\-]+", "_", c) for c in df.columns]
    return df


def _bytes(source) -> bytes:
    return source if isinstance(source, bytes) else Path(source).read_bytes()


def _finish(df: pd.DataFrame) -> pd.DataFrame:
    for c in RACE_COLUMNS:
        if c not in df:
            df[c] = np.nan
    df["date"] = pd.to_datetime(df["date"]).astype("datetime64[ns]")
    df["distance_m"] = df["distance_m"].where(df["distance_m"].notna(), df["end_m"] - df["start_m"])
    return df[RACE_COLUMNS + [c for c in df.columns if c not in RACE_COLUMNS]].reset_index(drop=True)


# ------------------------------------------------------------------------------------------------ results
def _runpandas_meta(data: bytes) -> dict | None:
    """The runpandas metadata line (``name,dd/mm/yyyy,42k,country``) when the file starts with one."""
    lines = data.decode("utf-8-sig", errors="replace").splitlines()[:2]
    if len(lines) < 2:
        return None
    second = [h.strip().lower() for h in lines[1].split(",")]
    first = [f.strip() for f in lines[0].split(",")]
    if not _first(second, _POSITION) or _first([f.lower() for f in first], _POSITION) or len(first) < 2:
        return None
    date = pd.to_datetime(first[1], dayfirst=True, errors="coerce")
    return {
        "race": first[0],
        "date": date,
        "distance": first[2] if len(first) > 2 else None,
        "country": first[3] if len(first) > 3 else None,
    }


def read_results(source, *, race: str | None = None, date=None, distance_m: float | None = None) -> pd.DataFrame:
    """A results CSV (path or bytes) -> ``races`` rows, one per runner and section (see the module doc).

    Parameters
    ----------
    race, date, distance_m
        Race name, race day and race distance (m); taken from the runpandas metadata line when the file has
        one and these are not given.

    Returns
    -------
    DataFrame
        :data:`RACE_COLUMNS` (times in s, distances in m; gain/loss/grade missing until
        :func:`trailstrength.terrain.add_course`), plus ``name`` and ``bib``. ``athlete_id`` is the runner's name
        (with ``#<bib>`` for namesakes): pass the table through :func:`trailstrength.privacy.hide_runner_names`
        before storing or sharing it. Rows are ordered by position, then file order (DNF and DNS last).
    """
    data = _bytes(source)
    meta = _runpandas_meta(data) or {}
    raw = _read(data, "results CSV", skiprows=1 if meta else 0)
    pos_col, finish_col = _first(raw.columns, _POSITION), _first(raw.columns, _FINISH)
    if pos_col is None or finish_col is None:
        raise ReaderError(f"results CSV: need a position and a finish-time column; found {list(raw.columns)}")
    if "firstname" in raw and "lastname" in raw:
        names = (raw["firstname"].str.strip() + " " + raw["lastname"].str.strip()).str.strip()
    elif (name_col := _first(raw.columns, ("name", "runner", "athlete", "full_name"))) is not None:
        names = raw[name_col].str.strip()
    else:
        raise ReaderError(f"results CSV: no runner name column (firstname/lastname or name); found {list(raw.columns)}")
    race = race or meta.get("race") or "race"
    day = pd.Timestamp(date) if date is not None else meta.get("date", pd.NaT)
    total = distance_m if distance_m is not None else race_distance_m(meta.get("distance"))
    position = pd.to_numeric(raw[pos_col], errors="coerce")
    status = np.where(position.notna(), "finished", raw[pos_col].str.strip().str.lower().replace("", "unknown"))
    finish = _seconds(raw[finish_col]).where(position.notna())
    # namesakes within one file are different runners: their ids also carry the bib (or the row)
    twin = names.map(normalise_runner_name).duplicated(keep=False)
    tag = raw["bib"] if "bib" in raw else pd.Series(raw.index.astype(str), index=raw.index)
    who = names.where(~twin, names + " #" + tag)
    runner = pd.DataFrame(
        {
            "athlete_id": who,
            "race": race,
            "date": day,
            "status": status,
            "position": position,
            "category": raw[_first(raw.columns, _CATEGORY)] if _first(raw.columns, _CATEGORY) else None,
            "source": "results_csv",
            "name": names,
            "_row": np.arange(len(raw)),
        }
    )
    if "bib" in raw:
        runner["bib"] = raw["bib"]
    for c in ("guntime", "gun_time"):
        if c in raw and c != finish_col:
            runner["gun_time_s"] = _seconds(raw[c]).where(position.notna())
    half_col = _first(raw.columns, _HALF)
    if half_col is None:
        sections = [
            runner.assign(
                section="start–finish",
                section_index=0,
                from_checkpoint="start",
                to_checkpoint="finish",
                start_m=0.0,
                end_m=total,
                time_s=finish,
                elapsed_s=finish,
            )
        ]
    else:
        half = _seconds(raw[half_col]).where(position.notna())
        # a missed timing mat shows as a half split near 12:00:00 or beyond the finish: not a split
        implausible = half.notna() & ~(half / finish).between(MIN_HALF_SHARE, MAX_HALF_SHARE)
        runner["note"] = np.where(implausible, "implausible half split dropped", None)
        half = half.where(~implausible)
        half_m = total / 2 if np.isfinite(total) else np.nan
        sections = [
            runner.assign(
                section="start–half",
                section_index=0,
                from_checkpoint="start",
                to_checkpoint="half",
                start_m=0.0,
                end_m=half_m,
                time_s=half,
                elapsed_s=half,
            ),
            runner.assign(
                section="half–finish",
                section_index=1,
                from_checkpoint="half",
                to_checkpoint="finish",
                start_m=half_m,
                end_m=total,
                time_s=finish - half,
                elapsed_s=finish,
            ),
        ]
    out = pd.concat(sections, ignore_index=True).sort_values(
        ["position", "_row", "section_index"], na_position="last", kind="stable"
    )
    return _finish(out.drop(columns="_row"))


# ------------------------------------------------------------------------------------------------ splits
def read_splits(source) -> pd.DataFrame:
    """A section-splits CSV (path or bytes; ``athlete,race,date,checkpoint,elapsed[,distance_km]``) -> ``races``
    rows, one per athlete × race × section between consecutive checkpoints (ordered by elapsed time).

    Spellings of one name (``Ona Brisk``, ``ona  brisk``) are one runner; ``athlete_id`` is the name as first
    written (see :func:`read_results` on names)."""
    raw = _read(_bytes(source), "splits CSV")
    missing = [c for c in _SPLITS_REQUIRED if c not in raw]
    if missing:
        raise ReaderError(f"splits CSV: missing column(s) {missing}; found {list(raw.columns)}")
    raw["elapsed_s"] = _seconds(raw["elapsed"])
    raw["at_m"] = pd.to_numeric(raw.get("distance_km"), errors="coerce") * 1000.0 if "distance_km" in raw else np.nan
    bad = raw["elapsed_s"].isna() & ~raw["checkpoint"].str.strip().str.lower().eq("start")
    if bad.any():
        raise ReaderError(f"splits CSV: rows {list(raw.index[bad][:5])} have no elapsed time (H:MM:SS or seconds)")
    runner = raw["athlete"].map(normalise_runner_name)
    raw["athlete_id"] = raw.groupby(runner, sort=False)["athlete"].transform("first")
    rows = []
    for (_, race, day), g in raw.groupby([runner, "race", "date"], sort=False):
        aid = g["athlete_id"].iloc[0]
        g = g[~g["checkpoint"].str.strip().str.lower().eq("start")].sort_values("elapsed_s")
        prev_name, prev_t, prev_m = "start", 0.0, 0.0
        for i, r in enumerate(g.itertuples()):
            rows.append(
                {
                    "athlete_id": aid,
                    "race": race,
                    "date": pd.to_datetime(day),
                    "section_index": i,
                    "section": f"{prev_name}–{r.checkpoint}",
                    "from_checkpoint": prev_name,
                    "to_checkpoint": r.checkpoint,
                    "start_m": prev_m,
                    "end_m": r.at_m,
                    "time_s": r.elapsed_s - prev_t,
                    "elapsed_s": r.elapsed_s,
                    "status": "finished",
                    "source": "splits_csv",
                }
            )
            prev_name, prev_t, prev_m = r.checkpoint, r.elapsed_s, r.at_m
    if not rows:
        raise ReaderError("splits CSV: no checkpoint rows")
    return _finish(pd.DataFrame(rows))


# ------------------------------------------------------------------------------------------------ formats
def sniff_results(data: bytes) -> bool:
    text = data[:4096].decode("utf-8-sig", errors="replace").lower().splitlines()
    heads = [[h.strip() for h in line.split(",")] for line in text[:2]]
    return any(_first(h, _POSITION) and _first(h, _FINISH) and ("lastname" in h or "name" in h) for h in heads)


def read_results_file(data: bytes, ctx: FileContext) -> ReadResult:
    return ReadResult({"races": read_results(data)})


def sniff_splits(data: bytes) -> bool:
    head = data[:2048].decode("utf-8-sig", errors="replace").lower().splitlines()[:1]
    return bool(head) and all(c in [h.strip() for h in head[0].split(",")] for c in _SPLITS_REQUIRED)


def read_splits_file(data: bytes, ctx: FileContext) -> ReadResult:
    return ReadResult({"races": read_splits(data)})


#: Registered in :data:`trailstrength.io.FORMATS`: results and splits files in an athlete folder land in the
#: warehouse's ``races`` table, where ``athlete_id`` is the runner's keyed id (``source_file`` names the folder).
FORMATS = [
    Format("race_results", "1", "race", sniff_results, read_results_file),
    Format("race_splits", "1", "race", sniff_splits, read_splits_file),
]
