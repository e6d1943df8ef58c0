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
* **course GPX** — :func:`add_course` gives each section its distance, gain, loss and mean grade from the
  course profile (smoothed as runs are, :mod:`trailstrength.terrain`); checkpoint positions come from
  ``distance_km``, from GPX waypoints named like the checkpoints, or from a ``checkpoints`` mapping.

Runner names are **pseudonymised on reading** unless ``pseudonymise=False``: ``athlete_id`` is an HMAC-SHA256
of the normalised name under a local secret key (argument → ``TRAILSTRENGTH_PSEUDONYM_KEY`` → a random key
kept in ``<interim>/pseudonym.key``, git-ignored), so the same runner gets the same id across races while the
id cannot be recomputed from a list of names without the key. Bib numbers are dropped with the names. Race, position and
time together can still re-identify a runner through the public results page: never publish row-level data.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import os
import re
import secrets
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd
from lxml import etree

from trailstrength import config, terrain
from trailstrength.io.base import FileContext, Format, ReaderError, ReadResult

MARATHON_M, HALF_MARATHON_M, MILE_M = 42195.0, 21097.5, 1609.344
RACE_COLUMNS = ["athlete_id", "race", "date", "section", "section_index", "from_checkpoint", "to_checkpoint",
                "start_m", "end_m", "distance_m", "gain_m", "loss_m", "mean_grade", "time_s", "elapsed_s",
                "status", "position", "category", "source"]
_POSITION = ("position", "pos", "place", "rank", "overall")
_FINISH = ("chiptime", "chip_time", "net_time", "nettime", "time", "finish_time", "finishtime", "guntime", "gun_time")
_HALF = ("halftime", "half_time", "half", "split_half")
_CATEGORY = ("category", "cat", "age_group", "agegroup", "class")
_SPLITS_REQUIRED = ["athlete", "race", "date", "checkpoint", "elapsed"]
KEY_ENV = "TRAILSTRENGTH_PSEUDONYM_KEY"
#: a half-way split outside this share of the finish time is a timing error (fast first halves are ~0.45)
MIN_HALF_SHARE, MAX_HALF_SHARE = 0.3, 0.7


# ------------------------------------------------------------------------------------------------ names
def pseudonym_key(key: str | bytes | None = None) -> bytes:
    """The secret for :func:`pseudonymise`: ``key`` → ``$TRAILSTRENGTH_PSEUDONYM_KEY`` → ``<interim>/pseudonym.key``
    (created with 32 random bytes on first use; keep it to keep ids stable, never commit it)."""
    if key is None:
        key = os.environ.get(KEY_ENV) or None
    if key is None:
        path = config.path("interim") / "pseudonym.key"
        if not path.is_file():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_hex(32))
            path.chmod(0o600)
        key = path.read_text().strip()
    return key.encode() if isinstance(key, str) else key


def normalise_name(name: str) -> str:
    """``"  Élise  MACDONALD "`` -> ``"elise macdonald"`` (accents, case and spacing removed)."""
    plain = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode()
    return re.sub(r"\s+", " ", plain).strip().casefold()


def pseudonymise(names: pd.Series, key: str | bytes | None = None) -> pd.Series:
    """Stable pseudonymous runner ids ``r-<12 hex>``: HMAC-SHA256 of the normalised name under the key."""
    k = pseudonym_key(key)
    return names.map(lambda n: "r-" + hmac.new(k, normalise_name(n).encode(), hashlib.sha256).hexdigest()[:12])


# ------------------------------------------------------------------------------------------------ helpers
def _seconds(text: pd.Series) -> pd.Series:
    """``H:MM:SS`` / ``MM:SS`` / seconds -> float seconds; blanks, ``N/A`` and ``00:00:00`` -> NaN."""
    def one(t) -> float:
        t = str(t).strip()
        if re.fullmatch(r"\d+(\.\d+)?", t):
            v = float(t)
        elif re.fullmatch(r"\d+(:\d{1,2}){1,2}(\.\d+)?", t):
            parts = [float(p) for p in t.split(":")]
            v = sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
        else:
            return np.nan
        return v if v > 0 else np.nan
    return text.map(one).astype(float)


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


def _read(data: bytes, what: str, **kw) -> pd.DataFrame:
    try:
        df = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, encoding="utf-8-sig", **kw)
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as err:
        raise ReaderError(f"{what}: not a readable CSV ({err})") from None
    df.columns = [re.sub(r"[\s\-]+", "_", c.strip().lower()) for c in df.columns]
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
    return {"race": first[0], "date": date, "distance": first[2] if len(first) > 2 else None,
            "country": first[3] if len(first) > 3 else None}


def read_results(source, *, race: str | None = None, date=None, distance_m: float | None = None,
                 pseudonymise_names: bool = True, key: str | bytes | None = None) -> pd.DataFrame:
    """A results CSV (path or bytes) -> ``races`` rows, one per runner and section (see the module doc).

    Parameters
    ----------
    race, date, distance_m
        Race name, race day and race distance (m); taken from the runpandas metadata line when the file has
        one and these are not given.
    pseudonymise_names
        Replace names by :func:`pseudonymise` ids and drop bibs (default). ``False`` keeps ``name`` and
        ``bib`` and uses the name as ``athlete_id``.
    key
        Pseudonymisation secret (see :func:`pseudonym_key`).

    Returns
    -------
    DataFrame
        :data:`RACE_COLUMNS` (times in s, distances in m; gain/loss/grade missing until :func:`add_course`).
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
    # namesakes within one file are different runners: their ids also hash the bib (or the row)
    twin = names.map(normalise_name).duplicated(keep=False)
    tag = raw["bib"].str.strip() if "bib" in raw else pd.Series(raw.index.astype(str), index=raw.index)
    who = names.where(~twin, names + " #" + tag)
    ids = pseudonymise(who, key) if pseudonymise_names else who
    runner = pd.DataFrame({"athlete_id": ids, "race": race, "date": day, "status": status, "position": position,
                           "category": raw[_first(raw.columns, _CATEGORY)] if _first(raw.columns, _CATEGORY) else None,
                           "source": "results_csv"})
    if not pseudonymise_names:
        runner["name"] = names
        if "bib" in raw:
            runner["bib"] = raw["bib"]
    for c in ("guntime", "gun_time"):
        if c in raw and c != finish_col:
            runner["gun_time_s"] = _seconds(raw[c]).where(position.notna())
    half_col = _first(raw.columns, _HALF)
    if half_col is None:
        sections = [runner.assign(section="start–finish", section_index=0, from_checkpoint="start",
                                  to_checkpoint="finish", start_m=0.0, end_m=total, time_s=finish, elapsed_s=finish)]
    else:
        half = _seconds(raw[half_col]).where(position.notna())
        # a missed timing mat shows as a half split near 12:00:00 or beyond the finish: not a split
        implausible = half.notna() & ~(half / finish).between(MIN_HALF_SHARE, MAX_HALF_SHARE)
        runner["note"] = np.where(implausible, "implausible half split dropped", None)
        half = half.where(~implausible)
        half_m = total / 2 if np.isfinite(total) else np.nan
        sections = [
            runner.assign(section="start–half", section_index=0, from_checkpoint="start", to_checkpoint="half",
                          start_m=0.0, end_m=half_m, time_s=half, elapsed_s=half),
            runner.assign(section="half–finish", section_index=1, from_checkpoint="half", to_checkpoint="finish",
                          start_m=half_m, end_m=total, time_s=finish - half, elapsed_s=finish),
        ]
    out = pd.concat(sections, ignore_index=True).sort_values(["position", "athlete_id", "section_index"],
                                                             na_position="last", kind="stable")
    return _finish(out)


# ------------------------------------------------------------------------------------------------ splits
def read_splits(source, *, pseudonymise_names: bool = True, key: str | bytes | None = None) -> pd.DataFrame:
    """A section-splits CSV (path or bytes; ``athlete,race,date,checkpoint,elapsed[,distance_km]``) -> ``races``
    rows, one per athlete × race × section between consecutive checkpoints (ordered by elapsed time)."""
    raw = _read(_bytes(source), "splits CSV")
    missing = [c for c in _SPLITS_REQUIRED if c not in raw]
    if missing:
        raise ReaderError(f"splits CSV: missing column(s) {missing}; found {list(raw.columns)}")
    raw["elapsed_s"] = _seconds(raw["elapsed"])
    raw["at_m"] = pd.to_numeric(raw.get("distance_km"), errors="coerce") * 1000.0 if "distance_km" in raw else np.nan
    bad = raw["elapsed_s"].isna() & ~raw["checkpoint"].str.strip().str.lower().eq("start")
    if bad.any():
        raise ReaderError(f"splits CSV: rows {list(raw.index[bad][:5])} have no elapsed time (H:MM:SS or seconds)")
    raw["athlete_id"] = pseudonymise(raw["athlete"], key) if pseudonymise_names else raw["athlete"].str.strip()
    rows = []
    for (aid, race, day), g in raw.groupby(["athlete_id", "race", "date"], sort=False):
        g = g[~g["checkpoint"].str.strip().str.lower().eq("start")].sort_values("elapsed_s")
        prev_name, prev_t, prev_m = "start", 0.0, 0.0
        for i, r in enumerate(g.itertuples()):
            rows.append({"athlete_id": aid, "race": race, "date": pd.to_datetime(day), "section_index": i,
                         "section": f"{prev_name}–{r.checkpoint}", "from_checkpoint": prev_name,
                         "to_checkpoint": r.checkpoint, "start_m": prev_m, "end_m": r.at_m,
                         "time_s": r.elapsed_s - prev_t, "elapsed_s": r.elapsed_s, "status": "finished",
                         "source": "splits_csv"})
            prev_name, prev_t, prev_m = r.checkpoint, r.elapsed_s, r.at_m
    if not rows:
        raise ReaderError("splits CSV: no checkpoint rows")
    return _finish(pd.DataFrame(rows))


# ------------------------------------------------------------------------------------------------ course
def course_profile(source, params: terrain.TerrainParams | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A course GPX (track or route, path or bytes) -> (profile, waypoints).

    ``profile`` is :func:`trailstrength.terrain.resample_by_distance` of the course (``distance_m``, smoothed
    ``altitude_m``); ``waypoints`` has ``name`` and ``at_m`` (distance along the course of the nearest course
    point, taken in course order so an out-and-back finds the right passage).
    """
    try:
        root = etree.fromstring(_bytes(source), parser=etree.XMLParser(huge_tree=True))
    except etree.XMLSyntaxError as err:
        raise ReaderError(f"course GPX: not well-formed XML ({err})") from None
    pts = list(root.iter("{*}trkpt")) or list(root.iter("{*}rtept"))
    if len(pts) < 2:
        raise ReaderError("course GPX: fewer than two track or route points")

    def ele(p):
        e = p.find("{*}ele")
        return float(e.text) if e is not None and e.text else np.nan

    lat = np.array([float(p.get("lat")) for p in pts])
    lon = np.array([float(p.get("lon")) for p in pts])
    alt = np.array([ele(p) for p in pts])
    if np.isnan(alt).all():
        raise ReaderError("course GPX: no elevation; gain, loss and grade need <ele> on the course points")
    samples = pd.DataFrame({"lat": lat, "lon": lon, "altitude_m": alt, "elapsed_s": np.nan, "distance_m": np.nan})
    profile = terrain.resample_by_distance(samples, params or terrain.TerrainParams())
    along = terrain.track_distance(lat, lon)
    wpts, last = [], 0
    for w in root.iter("{*}wpt"):
        name = (w.findtext("{*}name") or "").strip()
        if not name:
            continue
        dlat = lat[last:] - float(w.get("lat"))
        dlon = (lon[last:] - float(w.get("lon"))) * np.cos(np.radians(lat[last:]))
        d2 = dlat**2 + dlon**2
        last += int(np.argmin(d2))
        wpts.append({"name": name, "at_m": float(along[last])})
    return profile, pd.DataFrame(wpts, columns=["name", "at_m"])


def _section_terrain(profile: pd.DataFrame, start: float, end: float) -> tuple[float, float, float]:
    x, a = profile["distance_m"].to_numpy(float), profile["altitude_m"].to_numpy(float)
    if not (np.isfinite(start) and np.isfinite(end)) or end <= start:
        return np.nan, np.nan, np.nan
    inside = (x > start) & (x < end)
    xs = np.concatenate([[start], x[inside], [end]])
    alts = np.interp(xs, x, a)
    gain, loss = terrain.ascent_descent(alts)
    return gain, loss, (alts[-1] - alts[0]) / (end - start)


def add_course(races: pd.DataFrame, course, *, checkpoints: dict[str, float] | None = None,
               params: terrain.TerrainParams | None = None) -> pd.DataFrame:
    """Fill each section's ``start_m``/``end_m`` (where missing), ``distance_m``, ``gain_m``, ``loss_m`` (m) and
    ``mean_grade`` (net altitude change ÷ distance, a fraction) from a course GPX.

    Checkpoint positions: the rows' own ``start_m``/``end_m``, else ``checkpoints`` (name → km from the start),
    else GPX waypoints of the same name (case-insensitive); ``start`` is 0 and ``finish`` the course length.
    """
    profile, wpts = course_profile(course, params)
    length = float(profile["distance_m"].iloc[-1])
    where = {"start": 0.0, "finish": length}
    where.update({str(n).strip().lower(): m for n, m in zip(wpts["name"], wpts["at_m"])})
    where.update({str(n).strip().lower(): km * 1000.0 for n, km in (checkpoints or {}).items()})
    out = races.copy()
    for side, col in (("from_checkpoint", "start_m"), ("to_checkpoint", "end_m")):
        located = out[side].astype(str).str.strip().str.lower().map(where)
        out[col] = out[col].where(out[col].notna(), located)
    unresolved = sorted(set(out.loc[out["start_m"].isna(), "from_checkpoint"])
                        | set(out.loc[out["end_m"].isna(), "to_checkpoint"]))
    if unresolved:
        raise ReaderError(f"course: checkpoint(s) {unresolved} are not GPX waypoints; give distance_km or checkpoints=")
    terr = [_section_terrain(profile, s, e) for s, e in zip(out["start_m"], out["end_m"])]
    out["distance_m"] = out["end_m"] - out["start_m"]
    out[["gain_m", "loss_m", "mean_grade"]] = np.array(terr, dtype=float).reshape(-1, 3)
    return out


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
#: warehouse's ``races`` table, where ``athlete_id`` is the runner's pseudonym (``source_file`` names the folder).
FORMATS = [
    Format("race_results", "1", "race", sniff_results, read_results_file),
    Format("race_splits", "1", "race", sniff_splits, read_splits_file),
]
