"""Analysis panels: one row per run for H1 (descent performance) and H2 (soreness after descents).

Runs with at least ``MIN_DESCENT_LENGTH_M`` of descent segments, inside the athlete's strength coverage and with a
full exposure history (``window_days`` of records before them) enter; exposures come from
:func:`~trailstrength.features.exposures.rolling_exposures`, masked outside strength coverage
(:func:`~trailstrength.features.coverage.mask_uncovered_exposures`: not logged is not "did not lift").

Each panel says what it left out in ``panel.attrs["excluded"]``: ``{reason: number of runs}``, every run counted
once, under the first criterion it fails (:data:`EXCLUSION_REASONS`, in the order they are applied).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from trailstrength.features.coverage import coverage_table, in_coverage, mask_uncovered_exposures
from trailstrength.features.exposures import ACUTE_LAGS, WINDOW_DAYS, daily_exposures, rolling_exposures

MIN_DESCENT_LENGTH_M = 500.0
# exposure variants carried beside the primary columns, for H4-H7 and sensitivity models (units: exposures.py)
EXPOSURE_VARIANTS = [
    "pure_hinge_sets_28d",
    "deadlift_sets_28d",
    "hinge_volume_kg_28d",
    "hinge_ecc_tut_s_28d",
    "hinge_sessions_28d",
    "strength_sessions_28d",
    "knee_volume_kg_28d",
    "unilateral_share_28d",
    "hinge_unilateral_share_28d",
    "main_hinge_e1rm_28d",
    "main_hinge_e1rm_change_28d",
    "hinge_sets_ewm",
    "knee_sets_ewm",
    "descent_100m_ewm",
]
#: A run is in the H2 "clean window" when no other run of the athlete with at least this much descent (m) falls in
#: the 72 h after it (days d ... d+3; DESIGN §8 v2 sensitivity).
CLEAN_WINDOW_DESCENT_M = 300.0


UNUSABLE_ALTITUDE = ("sparse", "none")


#: Why a run leaves a panel, in the order the criteria are applied (keys of ``panel.attrs["excluded"]``).
EXCLUSION_REASONS = {
    "descent": f"less than {MIN_DESCENT_LENGTH_M:.0f} m of descent segments",
    "climb": f"less than {MIN_DESCENT_LENGTH_M:.0f} m of climb segments",
    "altitude": "too few altitude fixes to find descents",
    "coverage": "outside the strength log's coverage (not logged is not zero lifting)",
    "history": "less than the exposure window of records before the run",
    "dpi": "no descent performance index (no flat running to compare with)",
    "cpi": "no climb performance index (no flat running to compare with)",
    "soreness": "no soreness report in the 3 days after the run",
}


def strength_coverage(strength_sets: pd.DataFrame, coverage: pd.DataFrame | None = None) -> pd.DataFrame:
    """Strength coverage periods: ``coverage`` when given (e.g. ``wh.coverage``), else from the sets' dates."""
    if coverage is not None:
        return coverage
    return coverage_table(strength_sets=strength_sets)


def covered_exposures(
    runs: pd.DataFrame, strength_sets: pd.DataFrame, window_days: int = WINDOW_DAYS, coverage=None
) -> pd.DataFrame:
    """Rolling exposures with strength exposures NaN outside strength coverage (``in_strength_window`` column:
    whether the whole ``window_days`` before the day lies inside one strength coverage period)."""
    periods = strength_coverage(strength_sets, coverage)
    exp = rolling_exposures(daily_exposures(runs, strength_sets), window_days)
    exp = mask_uncovered_exposures(exp, periods, window_days=window_days)
    exp["in_strength_window"] = in_coverage(
        exp["athlete_id"], exp["local_date"], periods, "strength", before_days=window_days, after_days=-1
    ).to_numpy()
    return exp


def _count(excluded: dict, key: str, drop: pd.Series) -> None:
    excluded[EXCLUSION_REASONS[key]] = excluded.get(EXCLUSION_REASONS[key], 0) + int(drop.sum())


def descent_runs(
    runs: pd.DataFrame, exposures: pd.DataFrame, window_days: int, length_column: str = "descent_length_m"
) -> pd.DataFrame:
    """Runs with enough descent (or climb: ``length_column``), usable altitude, inside strength coverage and a
    full history, merged with ``exposures`` (:func:`covered_exposures`); ``attrs["excluded"]`` counts the rest."""
    excluded: dict[str, int] = {}
    length = runs[length_column] if length_column in runs else pd.Series(np.nan, index=runs.index)
    short = length.fillna(0) < MIN_DESCENT_LENGTH_M
    _count(excluded, "climb" if length_column.startswith("climb") else "descent", short)
    sparse = runs["altitude_quality"].isin(UNUSABLE_ALTITUDE) & ~short if "altitude_quality" in runs else short & False
    _count(excluded, "altitude", sparse)
    exposures = exposures.drop(columns=[c for c in ("descent_m", "run_km", "runs") if c in exposures.columns])
    panel = runs[~short & ~sparse].merge(exposures, on=["athlete_id", "local_date"], how="left")
    outside = ~panel["in_strength_window"].fillna(False).astype(bool)
    _count(excluded, "coverage", outside)
    young = ~outside & ~(panel["history_days"] >= window_days)
    _count(excluded, "history", young)
    panel = panel[~outside & ~young].drop(columns="in_strength_window").reset_index(drop=True)
    panel.attrs["excluded"] = excluded
    return panel


def keep_rows(panel: pd.DataFrame, keep: pd.Series, key: str) -> pd.DataFrame:
    """``panel[keep]`` with the dropped rows counted under ``key``; attrs kept."""
    excluded = dict(panel.attrs.get("excluded", {}))
    _count(excluded, key, ~keep)
    out = panel[keep]
    out.attrs["excluded"] = excluded
    return out


def h1_panel(
    runs: pd.DataFrame,
    strength_sets: pd.DataFrame,
    window_days: int = WINDOW_DAYS,
    variants: bool = False,
    coverage: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """H1 run panel: runs with ≥ 500 m of descent segments, a DPI, and a full exposure history.

    The primary columns (``dpi``, ``hinge_sets_28d`` ...; ``distance_km``, the run's distance, is the v2 covariate
    that replaces ``duration_h``, which depends on the run's own speed; ``upper_sets_28d`` the negative-control
    exposure, push and pull working sets per week); with ``variants=True`` also
    :data:`EXPOSURE_VARIANTS` (H4–H7 and sensitivity exposures). ``coverage``: strength coverage periods
    (:func:`~trailstrength.features.coverage.coverage_table` rows; default computed from ``strength_sets``).
    ``attrs["excluded"]``: runs left out, per reason (module docstring).
    """
    panel = descent_runs(runs, covered_exposures(runs, strength_sets, window_days, coverage), window_days)
    panel["duration_h"] = panel["moving_time_s"] / 3600.0
    panel["distance_km"] = panel["distance_m"] / 1000.0
    panel = keep_rows(panel, panel["dpi"].notna(), "dpi")
    cols = [
        "athlete_id",
        "activity_id",
        "local_date",
        "dpi",
        "hinge_sets_28d",
        "knee_sets_28d",
        "descent_100m_28d",
        "run_km_28d",
        "mean_descent_grade",
        "duration_h",
        "distance_km",
        "upper_sets_28d",
        "descent_m",
        "descent_length_m",
        "flat_reference",
    ]
    return select_columns(panel, cols + (EXPOSURE_VARIANTS if variants else []))


def h2_panel(
    runs: pd.DataFrame,
    strength_sets: pd.DataFrame,
    wellness: pd.DataFrame,
    window_days: int = WINDOW_DAYS,
    variants: bool = False,
    coverage: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """H2 soreness panel: descent runs followed by ≥ 1 soreness report in the 3 days after them.

    ``soreness_peak_72h`` is the highest 0–10 soreness reported on days d+1 … d+3; ``descent_100m`` the run's
    own descent (100 m); ``other_descent_100m_72h`` the descent of the athlete's other runs on days d … d+3 (v1;
    downstream of the soreness, kept for the post-run sensitivity model), ``other_descent_100m_pre72h`` that of
    the runs on days d−3 … d−1 (v2), ``hinge_sets_pre3d`` / ``hinge_sets_post3d`` the hinge sets on d−3 … d−1 / d …
    d+3, ``clean_window`` True when no other run with ≥ :data:`CLEAN_WINDOW_DESCENT_M` of descent falls on d … d+3,
    ``upper_sets_28d`` the negative-control exposure (push and pull working sets per week).
    With ``variants=True`` the primary columns are followed by :data:`EXPOSURE_VARIANTS` and the acute lags
    ``hinge_sets_lag0..3``, ``knee_sets_lag0..3`` and ``descent_100m_lag0..3`` (lag 0 includes this run's own
    descent). ``coverage`` and ``attrs["excluded"]`` as in :func:`h1_panel`.
    """
    panel = descent_runs(runs, covered_exposures(runs, strength_sets, window_days, coverage), window_days)
    sore = wellness.dropna(subset=["soreness"]).groupby(["athlete_id", "local_date"])["soreness"].max()
    by_day = runs.groupby(["athlete_id", "local_date"])["descent_m"]
    run_desc, run_max = by_day.sum(), by_day.max()

    def on_day(daily: pd.Series, k: int) -> np.ndarray:
        """``daily`` (indexed by athlete, date) on day d + k of every panel run; NaN where absent."""
        keys = pd.MultiIndex.from_arrays([panel["athlete_id"], panel["local_date"] + pd.Timedelta(days=k)])
        return daily.reindex(keys).to_numpy(dtype=float)

    ahead = pd.DataFrame({k: on_day(sore, k) for k in (1, 2, 3)}, index=panel.index)
    panel["soreness_peak_72h"] = ahead.max(axis=1)  # NaN only when no report on d+1 ... d+3
    window_descent = sum(np.nan_to_num(on_day(run_desc, k)) for k in (0, 1, 2, 3))
    panel["other_descent_100m_72h"] = np.clip((window_descent - panel["descent_m"]) / 100.0, 0, None)
    panel["other_descent_100m_pre72h"] = sum(np.nan_to_num(on_day(run_desc, -k)) for k in (1, 2, 3)) / 100.0
    same_day_other = np.nan_to_num(on_day(run_desc, 0)) - panel["descent_m"].to_numpy(float)
    later = np.column_stack([np.nan_to_num(on_day(run_max, k)) for k in (1, 2, 3)]).max(axis=1)
    panel["clean_window"] = (same_day_other < CLEAN_WINDOW_DESCENT_M) & (later < CLEAN_WINDOW_DESCENT_M)
    panel["descent_100m"] = panel["descent_m"] / 100.0
    panel = keep_rows(panel, panel["soreness_peak_72h"].notna(), "soreness")
    cols = [
        "athlete_id",
        "activity_id",
        "local_date",
        "soreness_peak_72h",
        "descent_100m",
        "hinge_sets_28d",
        "knee_sets_28d",
        "descent_100m_28d",
        "run_km_28d",
        "hinge_sets_acute",
        "other_descent_100m_72h",
        "hinge_sets_pre3d",
        "hinge_sets_post3d",
        "other_descent_100m_pre72h",
        "clean_window",
        "upper_sets_28d",
    ]
    lags = [f"{c}_lag{k}" for c in ("hinge_sets", "knee_sets", "descent_100m") for k in ACUTE_LAGS]
    return select_columns(panel, cols + (EXPOSURE_VARIANTS + lags if variants else []))


def select_columns(panel: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    out = panel[cols].reset_index(drop=True)
    out.attrs["excluded"] = dict(panel.attrs.get("excluded", {}))
    return out


# ---------------------------------------------------------------------------------------------- out of core
#: Athletes whose tables are read, and whose panels are built, at a time by :func:`warehouse_panels`: every table
#: in the panels is per athlete (windows, coverage, soreness ahead, other runs' descent), so a batch's panels are
#: that batch's rows of the whole cohort's (benchmarks/bench_panels_scale.py chose the engine: pyarrow)
PANEL_BATCH_ATHLETES = 100


def panels_in_batches(
    tables_of,
    athletes: list[str],
    window_days: int = WINDOW_DAYS,
    *,
    variants: bool = False,
    coverage: pd.DataFrame | None = None,
    batch_athletes: int = PANEL_BATCH_ATHLETES,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`h1_panel` and :func:`h2_panel` built ``batch_athletes`` athletes at a time, concatenated in order.

    ``tables_of(batch)`` returns ``(runs, strength_sets, wellness)`` of the athletes in ``batch`` (a list of ids);
    ``coverage`` (strength coverage periods, all athletes) is narrowed to each batch. Only one batch's tables are
    in memory at once; the panels (a few columns per descent run) are what grows with the cohort. The result
    equals the panels of the whole tables, row for row, with ``attrs["excluded"]`` summed over the batches.
    """
    h1_parts, h2_parts = [], []
    for k in range(0, max(len(athletes), 1), batch_athletes):
        batch = athletes[k : k + batch_athletes]
        runs, sets, wellness = tables_of(batch)
        periods = None if coverage is None else coverage[coverage["athlete_id"].isin(batch)]
        h1_parts.append(h1_panel(runs, sets, window_days, variants=variants, coverage=periods))
        h2_parts.append(h2_panel(runs, sets, wellness, window_days, variants=variants, coverage=periods))
    return _concat_panels(h1_parts), _concat_panels(h2_parts)


def _concat_panels(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Panels of several batches as one, ``attrs["excluded"]`` summed (keys in the order they were counted)."""
    excluded: dict[str, int] = {}
    for p in parts:
        for reason, n in p.attrs.get("excluded", {}).items():
            excluded[reason] = excluded.get(reason, 0) + n
    out = parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True)
    out.attrs["excluded"] = excluded
    return out
