"""Per-athlete summary of the report: each athlete's typical week over the analysed weeks (issue 17, item 6).

:func:`athlete_weeks` gives one row per athlete-week with running km, vertical descent, weighted hinge sets and mean
soreness, missing (NaN) where that source was not logged; :func:`athlete_summary` turns it into the median and range
per athlete that the report prints ("not logged" when a source has no week at all, never 0 and never "nan"). The
report and the figure set read the warehouse through these; ``viz.training.athlete_panels`` draws the weeks.

The analysed weeks of an athlete are the weeks (Monday to Sunday, local dates) that overlap the periods their
activity log covers (``wh.coverage``, :mod:`trailstrength.features.coverage`): inside them a week without runs
is a week of 0 km. Hinge sets count only in weeks that overlap the strength log's coverage (not logged is not
zero lifting); soreness is the mean of the week's reports, so a week without a report has none.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from trailstrength.features import frames
from trailstrength.features.coverage import coverage_table, in_coverage
from trailstrength.report.words import number

__all__ = ["ATHLETE_MEASURES", "NOT_LOGGED", "athlete_summary", "athlete_weeks"]

#: Weekly measures of the summary: column -> (what a reader sees, unit, coverage source the week must be in).
ATHLETE_MEASURES: dict[str, tuple[str, str, str]] = {
    "run_km": ("Running", "km/week", "activities"),
    "descent_m": ("Vertical descent", "m/week", "activities"),
    "hinge_sets": ("Weighted hinge sets", "sets/week", "strength"),
    "soreness": ("Soreness", "0-10, weekly mean", "wellness"),
}

#: What a summary cell says when the athlete has no logged week of a measure.
NOT_LOGGED = "not logged"

_WEEK = pd.Timedelta(days=7)


def _coverage(wh) -> pd.DataFrame:
    """``wh.coverage`` (declared periods merged in at ingest), else the periods the records themselves cover."""
    try:
        table = wh.coverage
    except (AttributeError, FileNotFoundError, KeyError):
        table = None
    if table is None or not len(table):
        table = coverage_table(strength_sets=wh.strength_sets, wellness=wh.wellness, activities=wh.activities)
    return table


def _weeks_overlapping(periods: pd.DataFrame) -> pd.DataFrame:
    """``athlete_id, week`` (Mondays) of every week that overlaps one of ``periods``."""
    rows = []
    starts, ends = pd.to_datetime(periods["start"]), pd.to_datetime(periods["end"])
    for athlete, start, end in zip(periods["athlete_id"], starts, ends, strict=True):
        first = start - pd.Timedelta(days=start.day_of_week)
        rows += [(athlete, w) for w in pd.date_range(first, end, freq="7D")]
    weeks = pd.DataFrame(rows, columns=["athlete_id", "week"])
    return weeks.drop_duplicates().sort_values(["athlete_id", "week"], ignore_index=True)


def _week_covered(weeks: pd.DataFrame, periods: pd.DataFrame, source: str) -> np.ndarray:
    """Whether any day of each week lies inside the athlete's coverage of ``source``."""
    covered = np.zeros(len(weeks), dtype=bool)
    for offset in range(7):
        covered |= in_coverage(weeks["athlete_id"], weeks["week"] + pd.Timedelta(days=offset), periods, source).values
    return covered


def athlete_weeks(wh, *, mapping: dict | None = None) -> pd.DataFrame:
    """One row per athlete and analysed week, each measure NaN where its source was not logged that week.

    Parameters
    ----------
    wh : Warehouse
        The warehouse (its ``runs``, ``strength_sets``, ``wellness``, ``activities`` and ``coverage``).
    mapping : dict, optional
        Athlete id -> published label (``privacy.athlete_labels``); the ``athlete`` column shows the label
        (the id itself without a mapping).

    Returns
    -------
    DataFrame
        ``athlete_id, athlete, week`` (the week's Monday), ``run_km`` (km), ``descent_m`` (m of smoothed vertical
        descent), ``hinge_sets`` (posterior-chain-weighted hinge working sets) and ``soreness`` (mean of the
        week's reports, 0-10). Sorted by label and week; empty (same columns) without an activity log.
    """
    columns = ["athlete_id", "athlete", "week", *ATHLETE_MEASURES]
    periods = _coverage(wh)
    weeks = _weeks_overlapping(periods[periods["source"] == "activities"])
    if weeks.empty:
        return pd.DataFrame(columns=columns)
    training = frames.weekly_training_frame(wh)
    training = training.assign(week=pd.to_datetime(training["week"]))
    weeks = weeks.merge(training[["athlete_id", "week", "run_km", "descent_m", "hinge_sets"]], how="left")
    for column in ("run_km", "descent_m", "hinge_sets"):
        weeks[column] = weeks[column].astype(float).fillna(0.0)
    weeks.loc[~_week_covered(weeks, periods, "strength"), "hinge_sets"] = np.nan
    well = wh.wellness
    if len(well) and "soreness" in well:
        day = pd.to_datetime(well["local_date"])
        sore = well.assign(week=(day - pd.to_timedelta(day.dt.day_of_week, unit="D")).dt.normalize())
        sore = sore.groupby(["athlete_id", "week"], as_index=False)["soreness"].mean()
        weeks = weeks.merge(sore, how="left")
    else:
        weeks["soreness"] = np.nan
    label = (lambda a: mapping.get(str(a), "A?")) if mapping else str
    weeks["athlete"] = weeks["athlete_id"].map(label)
    return weeks[columns].sort_values(["athlete", "week"], key=_label_order, ignore_index=True)


def _label_order(values: pd.Series) -> pd.Series:
    """Sort key: A2 before A10."""
    if values.name != "athlete":
        return values
    return values.map(lambda s: (s.rstrip("0123456789"), int(s[len(s.rstrip("0123456789")) :] or 0)))


def _median_range(values: pd.Series) -> tuple[str, str]:
    """(median, "low to high") in words, or ``NOT_LOGGED`` twice when no week has a value."""
    logged = values.dropna()
    if logged.empty:
        return NOT_LOGGED, NOT_LOGGED

    def say(v: float) -> str:
        return number(v, 3 if abs(v) >= 100 else 2)

    low, high = logged.min(), logged.max()
    return say(logged.median()), say(low) if low == high else f"{say(low)} to {say(high)}"


def athlete_summary(weeks: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Per athlete label, the table the report prints: one row per measure of :data:`ATHLETE_MEASURES`.

    Parameters
    ----------
    weeks : DataFrame
        :func:`athlete_weeks`.

    Returns
    -------
    dict of str -> DataFrame
        Athlete label -> ``measure`` (with its unit), ``median, range, weeks logged`` (``range`` is "low to
        high"; both say ``"not logged"`` when no analysed week has a value). In the order of ``weeks``.
    """
    tables = {}
    for athlete, sub in weeks.groupby("athlete", sort=False):
        rows = []
        for column, (what, unit, _source) in ATHLETE_MEASURES.items():
            median, span = _median_range(sub[column])
            rows.append(
                {
                    "measure": f"{what} ({unit})",
                    "median": median,
                    "range": span,
                    "weeks logged": f"{int(sub[column].notna().sum())} of {len(sub)}",
                }
            )
        tables[str(athlete)] = pd.DataFrame(rows)
    return tables
