"""Logging coverage: the periods an athlete's records actually cover, per source (issue 14, item 4).

Not logged is not "did not lift". A strength log that starts in 2022 says nothing about lifting in 2013, so
exposures on days outside an athlete's strength coverage are *missing*, never zero (DESIGN §8 v2).

* :func:`logged_periods` — from the dates of one athlete's records from one source (``strength``,
  ``wellness``, ``activities``): the periods from a first to a last logged date, split wherever the next record
  comes ``gap_days`` (default 21) or more days after the previous one. Inside a period, days without records
  count as logged-and-nothing-done; outside, nothing is known.
* :func:`declared_periods` — periods an athlete declares in ``athlete.toml``::

      [coverage]
      # inclusive local dates; TOML dates or "YYYY-MM-DD" strings; any of strength / wellness / activities
      strength = [[2022-01-01, 2023-06-30], ["2024-01-08", "2024-12-31"]]
      wellness = [["2019-11-01", "2020-03-31"]]

  A declaration says "I logged every session in this period", e.g. through a holiday without lifting that the
  gap rule would cut out.
* :func:`coverage_table` — every athlete and source in one tidy frame (``athlete_id, source, start, end,
  n_days_logged, n_records, origin``), declared periods merged in (``how="union"``: declared and logged periods
  both count, overlapping or adjacent ones joined; ``how="declared"``: where an athlete declares a source, only
  the declared periods count).
* :func:`in_coverage` — for athlete-days (or run days), whether the day (or a window around it) lies inside
  one coverage period: set exposures to NaN where it does not.
* :func:`mask_uncovered_exposures` — the rolling exposure frame with every strength exposure whose window
  reaches outside strength coverage set to NaN (running exposures untouched).
* :func:`is_session_placeholder` / :func:`working_sets` — ``strength_sets`` rows that stand for a whole
  session whose exercises were not recorded (PMData ``srpe.csv`` "strength", Lövdal's strength days) are not
  working sets, and their days are not strength-logged days.

Records that count per source: ``strength`` — strength sets other than session placeholders (warm-ups
included: they show the log was kept); ``wellness`` — reports with a soreness value (the outcome the package
uses; injury-only rows do not show that soreness was being logged); ``activities`` — every activity with a
local date. Dates are ``local_date`` (naive local midnight).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import numpy as np
import pandas as pd

from trailstrength.errors import ReaderError
from trailstrength.features.exposures import (
    ACUTE_LAGS,
    EWM_SPAN_DAYS,
    SHARES,
    WEEKLY,
    WINDOW_DAYS,
    WORKING_SET_TYPES,
)
from trailstrength.io.pmdata import STRENGTH_SESSION_EXERCISE

COVERAGE_GAP_DAYS = 21
SOURCES = ("strength", "wellness", "activities")
COLUMNS = ["athlete_id", "source", "start", "end", "n_days_logged", "n_records", "origin"]
_DAY = np.timedelta64(1, "D")


# ------------------------------------------------------------------------------------------ placeholders
def is_session_placeholder(sets: pd.DataFrame) -> pd.Series:
    """Which ``strength_sets`` rows stand for a whole session rather than a set (bool, aligned to ``sets``).

    A row is a placeholder when the reader marked it ``session_level`` (PMData ``srpe.csv``, Lövdal), when its
    exercise is :data:`trailstrength.io.pmdata.STRENGTH_SESSION_EXERCISE` (a table that lost the flag), or when
    it names no exercise and records neither reps, load nor duration (nothing a set could count).
    """

    def col(name: str) -> pd.Series:
        return sets[name] if name in sets else pd.Series(np.nan, index=sets.index, dtype="object")

    flagged = col("session_level").fillna(False).astype(bool)
    name = col("exercise_raw").astype("string").str.strip()
    marker = name.eq(STRENGTH_SESSION_EXERCISE).fillna(False).astype(bool)
    empty = (name.isna() | name.eq("")).fillna(True).astype(bool)
    nothing = col("reps").isna() & col("load_kg").isna() & col("duration_s").isna()
    return (flagged | marker | (empty & nothing)).rename("session_placeholder")


def working_sets(sets: pd.DataFrame) -> pd.DataFrame:
    """Working sets (``working``, ``failure``, ``drop``) that are real sets, not session placeholders."""
    return sets[sets["set_type"].isin(WORKING_SET_TYPES) & ~is_session_placeholder(sets)]


# ------------------------------------------------------------------------------------------ periods
def _days(dates) -> np.ndarray:
    """Dates (anything pandas reads) -> sorted datetime64[D] days, missing ones dropped (duplicates kept)."""
    days = pd.to_datetime(pd.Series(dates), errors="coerce").dropna()
    if len(days) and getattr(days.dt, "tz", None) is not None:
        days = days.dt.tz_localize(None)
    return np.sort(days.to_numpy().astype("datetime64[D]"))


def _frame(rows: list[dict]) -> pd.DataFrame:
    types = {"start": "datetime64[ns]", "end": "datetime64[ns]", "n_days_logged": "int64", "n_records": "int64"}
    return pd.DataFrame(rows, columns=COLUMNS).astype(types)  # one astype: ingest makes one per athlete (issue 19)


def _count(days: np.ndarray, start, end) -> tuple[int, int]:
    """Records and distinct days of ``days`` (sorted) inside [start, end]."""
    lo, hi = np.searchsorted(days, start, "left"), np.searchsorted(days, end, "right")
    return int(hi - lo), int(np.unique(days[lo:hi]).size)


def logged_periods(dates, *, athlete_id: str, source: str, gap_days: int = COVERAGE_GAP_DAYS) -> pd.DataFrame:
    """The periods one athlete's records from one source cover.

    Parameters
    ----------
    dates : array_like
        The local date of every record (one per record; duplicates count as records; NaT ignored).
    athlete_id, source : str
        Written into every row; ``source`` is one of :data:`SOURCES`.
    gap_days : int
        A record ``gap_days`` or more days after the previous one starts a new period.

    Returns
    -------
    pandas.DataFrame
        One row per period, in order: ``athlete_id``, ``source``, ``start`` / ``end`` (first and last logged
        date, inclusive), ``n_days_logged`` (distinct dates with a record), ``n_records``, ``origin`` =
        ``"logged"``. Consecutive periods are ≥ ``gap_days`` apart (``next start − end``); every record date
        lies in exactly one period.
    """
    if gap_days < 1:
        raise ValueError(f"gap_days must be at least 1 day, not {gap_days}")
    return _frame(_logged_rows(_days(dates), athlete_id, source, gap_days))


def _logged_rows(days: np.ndarray, athlete_id: str, source: str, gap_days: int) -> list[dict]:
    """:func:`logged_periods` of the sorted ``days`` as rows (a frame is built once for many athletes: issue 19)."""
    if not days.size:
        return []
    breaks = np.flatnonzero(np.diff(days) >= gap_days * _DAY) + 1
    bounds = zip(np.r_[0, breaks], np.r_[breaks, days.size], strict=True)
    return [
        {
            "athlete_id": athlete_id,
            "source": source,
            "start": days[lo],
            "end": days[hi - 1],
            "n_days_logged": int(np.unique(days[lo:hi]).size),
            "n_records": int(hi - lo),
            "origin": "logged",
        }
        for lo, hi in bounds
    ]


def _as_day(value, where: str) -> np.datetime64:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return np.datetime64(value, "D")
    try:
        return np.datetime64(dt.date.fromisoformat(str(value).strip()), "D")
    except ValueError:
        raise ReaderError(f"{where}: {value!r} is not a date (write YYYY-MM-DD)") from None


def declared_periods(table: Mapping, athlete_id: str, *, where: str = "athlete.toml [coverage]") -> pd.DataFrame:
    """Periods declared in an ``athlete.toml`` ``[coverage]`` table (shape in the module docstring).

    Raises :class:`~trailstrength.errors.ReaderError` naming the source and the entry for an unknown source, an
    entry that is not a ``[start, end]`` pair, a value that is not a date, or an end before its start. Returns
    the :data:`COLUMNS` frame with ``origin = "declared"`` and zero counts (counts come from the records).
    """
    rows = []
    for source, entries in dict(table or {}).items():
        if source not in SOURCES:
            raise ReaderError(f"{where}: unknown source {source!r}; use {', '.join(SOURCES)}")
        if not isinstance(entries, list | tuple):
            raise ReaderError(
                f"{where}: {source} must be a list of [start, end] pairs, e.g. "
                f'{source} = [["2022-01-01", "2023-06-30"]]'
            )
        for k, pair in enumerate(entries, start=1):
            here = f"{where} {source} entry {k}"
            if not isinstance(pair, list | tuple) or len(pair) != 2:
                raise ReaderError(f"{here}: {pair!r} is not a [start, end] pair")
            start, end = _as_day(pair[0], here), _as_day(pair[1], here)
            if end < start:
                raise ReaderError(f"{here}: ends ({end}) before it starts ({start})")
            rows.append(
                {
                    "athlete_id": athlete_id,
                    "source": source,
                    "start": start,
                    "end": end,
                    "n_days_logged": 0,
                    "n_records": 0,
                    "origin": "declared",
                }
            )
    return _frame(rows)


def _join(intervals: list[tuple[np.datetime64, np.datetime64, str]]) -> list[tuple]:
    """Overlapping or adjacent (next start ≤ end + 1 day) intervals joined; origins combined."""
    out: list[list] = []
    for start, end, origin in sorted(intervals, key=lambda x: (x[0], x[1])):
        if out and start <= out[-1][1] + _DAY:
            out[-1][1] = max(out[-1][1], end)
            out[-1][2] |= {origin}
        else:
            out.append([start, end, {origin}])
    return [(s, e, "+".join(sorted(o))) for s, e, o in out]


def coverage_periods(
    dates,
    *,
    athlete_id: str,
    source: str,
    declared: pd.DataFrame | None = None,
    gap_days: int = COVERAGE_GAP_DAYS,
    how: str = "union",
) -> pd.DataFrame:
    """:func:`logged_periods` of one athlete and source with that athlete's declared periods merged in.

    ``how="union"``: logged and declared periods both count, overlapping or adjacent ones joined (``origin``
    ``logged``, ``declared`` or ``declared+logged``). ``how="declared"``: when the athlete declares periods for
    this source, only those count (records outside them are not covered). Counts are recomputed from ``dates``.
    """
    if how not in ("union", "declared"):
        raise ValueError(f"how must be 'union' or 'declared', not {how!r}")
    mine = (
        declared[(declared["athlete_id"] == athlete_id) & (declared["source"] == source)]
        if declared is not None and len(declared)
        else None
    )
    return _frame(_period_rows(_days(dates), athlete_id, source, mine, gap_days, how))


def _period_rows(
    days: np.ndarray, athlete_id: str, source: str, mine: pd.DataFrame | None, gap_days: int, how: str
) -> list[dict]:
    """:func:`coverage_periods` of the sorted ``days`` as rows, ``mine`` the athlete's declared periods of
    ``source`` (None or empty: none)."""
    logged = _logged_rows(days, athlete_id, source, gap_days)
    if mine is None or mine.empty:
        return logged
    declared = [(np.datetime64(r.start, "D"), np.datetime64(r.end, "D"), str(r.origin)) for r in mine.itertuples()]
    intervals = declared if how == "declared" else [(r["start"], r["end"], r["origin"]) for r in logged] + declared
    rows = []
    for start, end, origin in _join(intervals):
        n_records, n_days = _count(days, start, end)
        rows.append(
            {
                "athlete_id": athlete_id,
                "source": source,
                "start": start,
                "end": end,
                "n_days_logged": n_days,
                "n_records": n_records,
                "origin": origin,
            }
        )
    return rows


def _record_dates(strength_sets, wellness, activities) -> dict[str, pd.DataFrame]:
    """(athlete_id, local_date) of the records that count for each source (see the module docstring)."""
    out = {}
    if strength_sets is not None:
        out["strength"] = strength_sets.loc[~is_session_placeholder(strength_sets), ["athlete_id", "local_date"]]
    if wellness is not None:
        has = wellness["soreness"].notna() if "soreness" in wellness else pd.Series(False, index=wellness.index)
        out["wellness"] = wellness.loc[has, ["athlete_id", "local_date"]]
    if activities is not None:
        out["activities"] = activities[["athlete_id", "local_date"]]
    return out


def coverage_table(
    *,
    strength_sets: pd.DataFrame | None = None,
    wellness: pd.DataFrame | None = None,
    activities: pd.DataFrame | None = None,
    declared: pd.DataFrame | None = None,
    gap_days: int = COVERAGE_GAP_DAYS,
    how: str = "union",
) -> pd.DataFrame:
    """Coverage periods of every athlete and source, as one tidy frame (:data:`COLUMNS`).

    Pass the warehouse tables (``wh.strength_sets``, ``wh.wellness``, ``wh.activities``) and, optionally, the
    declared periods of every athlete (the concatenated :func:`declared_periods` frames). A source left out
    (``None``) gets no rows; an athlete who declares periods for a source without records gets them, with zero
    counts. Sorted by athlete, source and start.
    """
    if gap_days < 1:
        raise ValueError(f"gap_days must be at least 1 day, not {gap_days}")
    if how not in ("union", "declared"):
        raise ValueError(f"how must be 'union' or 'declared', not {how!r}")
    # every athlete's rows gathered first and made a frame once, the declared periods grouped once: a frame per
    # athlete and source, and a filter of the declared periods for each, cost ~15 ms apiece (issue 19)
    mine = dict(tuple(declared.groupby(["athlete_id", "source"]))) if declared is not None and len(declared) else {}
    rows: list[dict] = []
    for source, recs in _record_dates(strength_sets, wellness, activities).items():
        athletes = set(recs["athlete_id"])
        if declared is not None and len(declared):
            athletes |= set(declared.loc[declared["source"] == source, "athlete_id"])
        by_athlete = dict(tuple(recs.groupby("athlete_id")["local_date"]))
        for athlete in sorted(athletes):
            days = _days(by_athlete.get(athlete, []))
            rows += _period_rows(days, athlete, source, mine.get((athlete, source)), gap_days, how)
    if not rows:
        return _frame([])
    return _frame(rows).sort_values(["athlete_id", "source", "start"], ignore_index=True)


# ------------------------------------------------------------------------------------------ days inside
def in_coverage(
    athlete_id,
    local_date,
    periods: pd.DataFrame,
    source: str = "strength",
    *,
    before_days: int = 0,
    after_days: int = 0,
) -> pd.Series:
    """Whether each athlete-day lies inside that athlete's coverage of ``source``.

    Parameters
    ----------
    athlete_id, local_date : array_like or pandas.Series
        One entry per day to check (e.g. the columns of the daily exposure frame or of a run panel).
    periods : pandas.DataFrame
        :func:`coverage_table` (or :func:`logged_periods`) output; periods of one athlete and source must not
        overlap (both functions guarantee it).
    source : str
        Which source's coverage.
    before_days, after_days : int
        Require the whole window from day d − ``before_days`` to day d + ``after_days`` to lie inside one
        period (default: the day itself). The 28-day exposures (d−28 … d−1): ``before_days=28,
        after_days=-1``; H2's acute lifting (d−3 … d−1): ``before_days=3, after_days=-1``. The window must
        not be empty (``before_days + after_days ≥ 0``).

    Returns
    -------
    pandas.Series of bool
        Aligned to ``local_date`` (its index when a Series). False for athletes without periods and for
        missing dates.
    """
    if before_days + after_days < 0:
        raise ValueError(f"empty window: before_days={before_days}, after_days={after_days}")
    dates = pd.Series(local_date)
    ids = pd.Series(np.asarray(athlete_id, dtype=object), index=dates.index)
    day = pd.to_datetime(dates, errors="coerce")
    day = day.dt.tz_localize(None) if getattr(day.dt, "tz", None) is not None else day
    day = day.to_numpy().astype("datetime64[D]")
    lo, hi = day - before_days * _DAY, day + after_days * _DAY
    out = np.zeros(len(dates), dtype=bool)
    mine = periods[periods["source"] == source]
    for athlete, p in mine.groupby("athlete_id"):
        p = p.sort_values("start")
        starts = p["start"].to_numpy().astype("datetime64[D]")
        ends = p["end"].to_numpy().astype("datetime64[D]")
        rows = np.flatnonzero((ids == athlete).to_numpy() & ~np.isnat(day))
        k = np.searchsorted(starts, lo[rows], side="right") - 1
        out[rows] = (k >= 0) & (ends[np.clip(k, 0, None)] >= hi[rows])
    return pd.Series(out, index=dates.index, name=f"in_{source}_coverage")


#: per-day strength columns of :func:`~trailstrength.features.exposures.strength_daily` besides ``WEEKLY``
_DAILY_STRENGTH = ("hinge_unilateral_sets", "lower_sets", "lower_unilateral_sets", "main_hinge_e1rm_kg")


def _strength_windows(window_days: int, ewm_span: int, lags) -> dict[str, tuple[int, int]]:
    """Strength exposure column -> the window (days before, days after) it sums, as ``in_coverage`` takes it."""
    out = {c: (0, 0) for c in (*WEEKLY, *_DAILY_STRENGTH)}
    out.update({f"{c}_28d": (window_days, -1) for c in WEEKLY})
    out.update({f"{name}_28d": (window_days, -1) for name in SHARES})
    out.update(
        {
            "main_hinge_e1rm_28d": (window_days, -1),
            "main_hinge_e1rm_change_28d": (2 * window_days, -1),
            "hinge_sets_acute": (3, 3),
            "hinge_sets_ewm": (ewm_span, -1),
            "knee_sets_ewm": (ewm_span, -1),
        }
    )
    out.update({f"{c}_lag{k}": (k, -k) for c in ("hinge_sets", "knee_sets") for k in lags})
    return out


def mask_uncovered_exposures(
    exposures: pd.DataFrame,
    periods: pd.DataFrame,
    *,
    window_days: int = WINDOW_DAYS,
    ewm_span: int = EWM_SPAN_DAYS,
    lags=ACUTE_LAGS,
) -> pd.DataFrame:
    """Strength exposures set to NaN wherever their window is not inside one strength coverage period.

    ``exposures`` is :func:`~trailstrength.features.exposures.rolling_exposures` output (or
    :func:`~trailstrength.features.exposures.daily_exposures`: only the columns present are touched). Windows:
    a day's own sums need the day; ``*_28d`` the ``window_days`` before it (d−28 … d−1);
    ``main_hinge_e1rm_change_28d`` twice that; ``*_lag{k}`` day d−k; ``hinge_sets_acute`` d−3 … d+3;
    ``*_ewm`` the ``ewm_span`` days before (an EWM's weight beyond its span is small, not zero). Running and
    descent exposures are left alone. Returns a copy; ``attrs`` kept.
    """
    out = exposures.copy()
    cache: dict[tuple[int, int], pd.Series] = {}
    for column, window in _strength_windows(window_days, ewm_span, lags).items():
        if column not in out:
            continue
        if window not in cache:
            cache[window] = in_coverage(
                out["athlete_id"], out["local_date"], periods, "strength", before_days=window[0], after_days=window[1]
            )
        out[column] = out[column].where(cache[window])
    return out
