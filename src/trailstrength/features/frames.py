"""Tidy frames for the figures, built from a warehouse (data preparation only: nothing here fits a model).

Each function returns the frame one figure function takes, so a notebook can look at (and filter)
the numbers before drawing them::

    from trailstrength.features import frames

    points = frames.grade_speed_frame(wh)            # -> viz.grade_speed(points)
    course = frames.soreness_course_frame(wh)        # -> viz.soreness_time_course(course)
    weeks = frames.weekly_training_frame(wh)         # -> viz.training_calendar(weeks[weeks.athlete_id == a])
    curve, obs = frames.binned_dose_response(panel, "dpi")   # -> viz.dose_response(curve, observed=obs)

``wh`` is an open warehouse (:func:`trailstrength.open_warehouse`), or anything with its reader API
(``runs``, ``activities``, ``strength_sets``, ``wellness``, ``samples(activity_ids=...)``). The specification
curve's frame comes from the fitted results, not from here: :func:`trailstrength.report.specification_table`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from trailstrength import features

__all__ = [
    "TERTILES",
    "binned_dose_response",
    "grade_speed_frame",
    "run_terrains",
    "soreness_course_frame",
    "weekly_training_frame",
]

TERTILES = ("low", "middle", "high")
#: What a warehouse reader offers that the frames read.
_READER_API = ("runs", "activities", "strength_sets", "wellness", "samples")


def _reader(wh):
    """``wh`` itself when it reads like a warehouse; a path gets a TypeError saying how to open it."""
    if all(hasattr(wh, name) for name in _READER_API):
        return wh
    raise TypeError(
        f"expected an open warehouse, got {type(wh).__name__} {wh!r}: open it first with "
        "trailstrength.open_warehouse(path)"
    )


def _select(frame: pd.DataFrame, athletes=None, start=None, end=None) -> pd.DataFrame:
    """Rows of the listed athletes between two local dates (inclusive); None keeps everything."""
    keep = pd.Series(True, index=frame.index)
    if athletes is not None:
        keep &= frame["athlete_id"].isin([athletes] if isinstance(athletes, str) else list(athletes))
    if start is not None:
        keep &= frame["local_date"] >= pd.Timestamp(start)
    if end is not None:
        keep &= frame["local_date"] <= pd.Timestamp(end)
    return frame[keep]


def run_terrains(wh, athletes=None, *, start=None, end=None, max_runs: int | None = None) -> dict:
    """Terrain analyses (profile, segments, summary) of runs, most descent first.

    Parameters
    ----------
    wh : Warehouse
    athletes, start, end : optional
        Athlete id(s) and local-date range to keep.
    max_runs : int, optional
        At most this many runs (those with most descent), to bound the time it takes.

    Returns
    -------
    dict
        ``activity_id -> RunTerrain`` (see :func:`trailstrength.terrain.analyze_run`), each analysed with
        the parameter preset of its altitude source, as the warehouse does.
    """
    from trailstrength import terrain

    wh = _reader(wh)
    runs = _select(wh.runs, athletes, start, end).sort_values("descent_m", ascending=False)
    if max_runs is not None:
        # the runs with most *measured* descent: a run without altitude (NaN descent) is never "the biggest"
        runs = runs[np.isfinite(pd.to_numeric(runs["descent_m"], errors="coerce"))].head(max_runs)
    if runs.empty:
        return {}
    sources = wh.activities.set_index("activity_id")["altitude_source"]
    samples = wh.samples(activity_ids=runs["activity_id"].tolist())
    by_run = dict(tuple(samples.groupby("activity_id", sort=False)))
    out = {}
    for aid in runs["activity_id"]:
        if aid in by_run:
            params = terrain.TerrainParams.for_altitude_source(sources.get(aid))
            out[aid] = terrain.analyze_run(by_run[aid], params)
    return out


def grade_speed_frame(
    wh,
    athletes=None,
    *,
    start=None,
    end=None,
    chunk_m: float = 100.0,
    max_runs: int | None = None,
    terrains: dict | None = None,
) -> pd.DataFrame:
    """Moving speed against grade in ``chunk_m`` stretches of every run's terrain profile.

    Parameters
    ----------
    wh : Warehouse
    athletes, start, end : optional
        Athlete id(s) and local-date range to keep.
    chunk_m : float
        Length of the stretches, m (grade over ≥ 50 m, DESIGN §6, so keep it ≥ 50).
    max_runs : int, optional
        Use only the runs with most descent, at most this many (notebooks' fast mode).
    terrains : dict, optional
        Already computed :func:`run_terrains` to reuse (then ``max_runs`` is not applied again).

    Returns
    -------
    DataFrame
        ``athlete_id, activity_id, grade`` (fraction), ``speed_mps`` (moving speed),
        ``relative_speed`` (÷ the run's flat reference speed) and ``weight`` (stretch length, m).
        Stretches with no moving time, or implausibly fast (relative speed > 3), are left out.
    """
    wh = _reader(wh)
    columns = ["athlete_id", "activity_id", "grade", "speed_mps", "relative_speed", "weight"]
    runs = _select(wh.runs, athletes, start, end)
    runs = runs[runs["flat_reference_mps"].notna()].set_index("activity_id")
    if terrains is None:
        terrains = run_terrains(wh, athletes, start=start, end=end, max_runs=max_runs)
    parts = []
    for aid, rt in terrains.items():
        prof = rt.profile
        if aid not in runs.index or len(prof) < 3:
            continue
        step = max(1, int(round(chunk_m / rt.params.step_m)))
        cut = prof.iloc[::step]
        dist = np.diff(cut["distance_m"].to_numpy(float))
        rise = np.diff(cut["altitude_m"].to_numpy(float))
        moving = np.diff(cut["moving_s"].to_numpy(float))
        with np.errstate(divide="ignore", invalid="ignore"):
            speed = np.where(moving > 0, dist / moving, np.nan)
            grade = rise / dist
        run = runs.loc[aid]
        parts.append(
            pd.DataFrame(
                {
                    "athlete_id": run["athlete_id"],
                    "activity_id": aid,
                    "grade": grade,
                    "speed_mps": speed,
                    "relative_speed": speed / run["flat_reference_mps"],
                    "weight": dist,
                }
            )
        )
    if not parts:  # typed, so that plotting an empty frame does not meet object columns
        return pd.DataFrame({c: pd.Series(dtype=object if c.endswith("_id") else float) for c in columns})
    out = pd.concat(parts, ignore_index=True)
    good = np.isfinite(out["relative_speed"].astype(float)) & (out["relative_speed"].astype(float) <= 3)
    return out[good].reset_index(drop=True)[columns]


def _run_exposures(runs: pd.DataFrame, sets: pd.DataFrame, window_days: int) -> pd.DataFrame:
    """``hinge_sets_28d`` and ``history_days`` of every athlete-day (the panels' definitions)."""
    exp = features.rolling_exposures(features.daily_exposures(runs, sets), window_days)
    return exp[["athlete_id", "local_date", "hinge_sets_28d", "history_days"]]


def soreness_course_frame(
    wh,
    athletes=None,
    *,
    start=None,
    end=None,
    min_descent_length_m: float = features.MIN_DESCENT_LENGTH_M,
    before_h: float = 24.0,
    after_h: float = 72.0,
    tertiles: str = "within",
    window_days: int = features.WINDOW_DAYS,
) -> pd.DataFrame:
    """Soreness reports around long-descent runs, with each run's prior hinge volume and its tertile.

    Parameters
    ----------
    wh : Warehouse
    athletes, start, end : optional
        Athlete id(s) and local-date range of the runs.
    min_descent_length_m : float
        Runs with at least this much descent-segment length count (the H2 panel's 500 m).
    before_h, after_h : float
        Reports from ``before_h`` hours before to ``after_h`` hours after the run's end.
    tertiles : {"within", "pooled"}
        ``"within"`` (default): each athlete's runs are split into their own low / middle / high
        thirds of ``hinge_sets_28d`` (the within-athlete comparison of the H2 model; athletes with
        fewer than three runs get no tertile). ``"pooled"``: thirds over all runs.
    window_days : int
        Exposure window of ``hinge_sets_28d``; runs without that much history are left out.

    Returns
    -------
    DataFrame
        One row per (run, report): ``athlete_id, activity_id, local_date, descent_m,
        hinge_sets_28d, hinge_tertile`` (ordered categorical), ``hours_after`` (report time minus
        run end, h), ``soreness`` (0–10), ``soreness_regions``.

    Notes
    -----
    Reports without a time of day are placed at 08:00 UTC of their date (diaries are usually
    filled in in the morning). Runs end at ``start_time + duration_s``.
    """
    if tertiles not in ("within", "pooled"):
        raise ValueError(f"tertiles must be 'within' or 'pooled', not {tertiles!r}")
    wh = _reader(wh)
    all_runs = wh.runs
    runs = _select(all_runs, athletes, start, end)
    runs = runs[runs["descent_length_m"].fillna(0) >= min_descent_length_m]
    exp = _run_exposures(all_runs, wh.strength_sets, window_days)
    runs = runs.merge(exp, on=["athlete_id", "local_date"], how="left")
    runs = runs[runs["history_days"] >= window_days].copy()
    runs["run_end"] = runs["start_time"] + pd.to_timedelta(runs["duration_s"].fillna(0), unit="s")
    if tertiles == "within":
        runs["hinge_tertile"] = runs.groupby("athlete_id")["hinge_sets_28d"].transform(_tertile)
    else:
        runs["hinge_tertile"] = _tertile(runs["hinge_sets_28d"])
    runs["hinge_tertile"] = pd.Categorical(runs["hinge_tertile"], categories=TERTILES, ordered=True)

    well = wh.wellness.dropna(subset=["soreness"])
    well = well[well.get("report_kind", pd.Series("wellness", index=well.index)).fillna("wellness") == "wellness"]
    when = well["reported_at"] if "reported_at" in well else pd.Series(pd.NaT, index=well.index)
    fallback = pd.to_datetime(well["local_date"]).dt.tz_localize("UTC") + pd.Timedelta(hours=8)
    well = well.assign(report_time=when.fillna(fallback))
    regions = "soreness_regions" if "soreness_regions" in well else None
    cols = ["athlete_id", "report_time", "soreness"] + ([regions] if regions else [])
    pairs = runs[
        ["athlete_id", "activity_id", "local_date", "descent_m", "hinge_sets_28d", "hinge_tertile", "run_end"]
    ].merge(well[cols], on="athlete_id")
    pairs["hours_after"] = (pairs["report_time"] - pairs["run_end"]).dt.total_seconds() / 3600.0
    pairs = pairs[pairs["hours_after"].between(-before_h, after_h)]
    if regions is None:
        pairs["soreness_regions"] = pd.NA
    out = [
        "athlete_id",
        "activity_id",
        "local_date",
        "descent_m",
        "hinge_sets_28d",
        "hinge_tertile",
        "hours_after",
        "soreness",
        "soreness_regions",
    ]
    return pairs.sort_values(["athlete_id", "local_date", "hours_after"]).reset_index(drop=True)[out]


def _tertile(values: pd.Series) -> pd.Series:
    values = pd.Series(values)
    ok = values.notna()
    out = pd.Series(pd.NA, index=values.index, dtype="object")
    if ok.sum() >= 3:
        # rank first so ties (many weeks with the same set count) still split into thirds
        out[ok] = pd.qcut(values[ok].rank(method="first"), 3, labels=list(TERTILES)).astype(str)
    return out


def weekly_training_frame(wh, athletes=None, *, start=None, end=None) -> pd.DataFrame:
    """Weekly training per athlete: running km, vertical descent, hinge and knee-dominant sets.

    Returns
    -------
    DataFrame
        One row per athlete-week (weeks start on Monday, local dates): ``athlete_id, week, run_km,
        descent_m`` (smoothed vertical descent, m), ``hinge_sets`` (posterior-chain-weighted hinge
        working sets), ``knee_sets``, ``strength_sessions``, ``runs``.
    """
    wh = _reader(wh)
    daily = features.daily_exposures(wh.runs, wh.strength_sets)
    columns = ["athlete_id", "week", "run_km", "descent_m", "hinge_sets", "knee_sets", "strength_sessions", "runs"]
    if daily.empty:
        return pd.DataFrame(columns=columns)
    daily = _select(daily, athletes, start, end)
    daily = daily.assign(week=daily["local_date"] - pd.to_timedelta(daily["local_date"].dt.day_of_week, unit="D"))
    weekly = daily.groupby(["athlete_id", "week"], as_index=False)[columns[2:]].sum()
    return weekly[columns]


def binned_dose_response(
    panel: pd.DataFrame, outcome: str, exposure: str = "hinge_sets_28d", edges=(0, 1, 2, 3, 4, np.inf)
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A descriptive dose–response: the within-athlete outcome by bins of weekly hinge sets.

    Parameters
    ----------
    panel : DataFrame
        An analysis panel (e.g. the H1 or H2 panel) with ``athlete_id``, ``outcome`` and ``exposure``.
    outcome, exposure : str
        Column names.
    edges : sequence of float
        Bin edges of the exposure (left-closed): ``(0, 1, 2, 3, 4, inf)`` gives 0–1 … 4+.

    Returns
    -------
    curve : DataFrame
        One row per non-empty bin: ``dose`` (label), ``estimate`` (mean of the outcome minus the
        athlete's own mean), ``ci_low``, ``ci_high`` (mean ± 1.96 SE), ``n`` (runs).
    observed : DataFrame
        ``dose`` and ``outcome`` (the centred outcome) per run, for the points behind the curve.

    Notes
    -----
    Unadjusted and descriptive: centring removes stable differences between athletes only. The
    H6 dose–response model (when fitted) adjusts for the covariates of DESIGN §8.
    """
    data = panel[["athlete_id", outcome, exposure]].dropna()
    centred = data[outcome] - data.groupby("athlete_id")[outcome].transform("mean")
    labels = [f"{lo:g}+" if np.isinf(hi) else f"{lo:g}\u2013{hi:g}" for lo, hi in zip(edges[:-1], edges[1:])]
    dose = pd.cut(data[exposure], bins=list(edges), right=False, labels=labels)
    observed = pd.DataFrame({"dose": dose.astype(str), "outcome": centred}).dropna()
    grouped = pd.DataFrame({"dose": dose, "y": centred}).groupby("dose", observed=True)["y"]
    stats = grouped.agg(["mean", "std", "count"]).reset_index()
    se = stats["std"] / np.sqrt(stats["count"])
    curve = pd.DataFrame(
        {
            "dose": stats["dose"].astype(str),
            "estimate": stats["mean"],
            "ci_low": stats["mean"] - 1.96 * se,
            "ci_high": stats["mean"] + 1.96 * se,
            "n": stats["count"].astype(int),
        }
    )
    return curve.reset_index(drop=True), observed.reset_index(drop=True)
