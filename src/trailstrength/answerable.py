"""What the data can answer: per athlete and claim H1–H7, the runs that are usable and why the rest are not.

:func:`check` (``trailstrength check``, ``ts.check(wh)``) is a funnel: every run of an athlete is counted once per
claim, as ``usable`` or under the first criterion it fails, in the order the panel builders apply them
(:data:`trailstrength.features.panels.EXCLUSION_REASONS`): enough descent (climb for H3) segments, usable
altitude, inside the strength log's coverage, a full exposure window of records before the run, then the
claim's outcome (a descent / climb performance index, or a soreness report in the 3 days after). The counts of
one athlete and claim add up to that athlete's runs. When nothing is usable, ``next_step`` says what would make
the claim answerable; for H1 and H2 also when fewer runs are usable than the athlete's own model needs (the v2
one-athlete model's terms + 3, :func:`~trailstrength.models.primary.personal_runs_needed`), with the number
computed: H1 "N more runs with at least 500 m of descent segments while logging strength"; H2, when runs inside
strength coverage lack only the soreness report, "log soreness after long descents for N more weeks", N = the
runs missing divided by the athlete's rate of such runs per week in which a run could count (inside strength
coverage, after each period's first ``window_days``, between the first and last run). The same
panels feed ``analyze``, so what ``check`` calls usable is what the models see.

Claims and the panel they need (DESIGN §1): H1, H4, H6, H7 descent performance (the H1 panel); H2 soreness after
descents (the H2 panel); H3 climbing (the climb panel); H5 eccentric time under tension (both; the H1 panel
counted here, its soreness half is H2's).
"""

from __future__ import annotations

import math

import pandas as pd

from trailstrength.features.coverage import coverage_table
from trailstrength.features.exposures import WINDOW_DAYS
from trailstrength.features.panels import EXCLUSION_REASONS, MIN_DESCENT_LENGTH_M, h1_panel, h2_panel
from trailstrength.models.primary import personal_runs_needed

CLAIMS = {
    "H1": "descent performance",
    "H2": "soreness after descents",
    "H3": "climbing performance",
    "H4": "hinge purity (RDL vs deadlift)",
    "H5": "eccentric time under tension",
    "H6": "dose-response of weekly hinge sets",
    "H7": "unilateral share",
}
PANEL_OF_CLAIM = {"H1": "h1", "H2": "h2", "H3": "climb", "H4": "h1", "H5": "h1", "H6": "h1", "H7": "h1"}
COLUMNS = ["athlete_id", "claim", "status", "count", "reason", "next_step"]


def _panel(kind: str, runs, sets, wellness, window_days, coverage) -> pd.DataFrame:
    if kind == "h1":
        return h1_panel(runs, sets, window_days, coverage=coverage)
    if kind == "h2":
        return h2_panel(runs, sets, wellness, window_days, coverage=coverage)
    from trailstrength.models.claims import climb_panel  # the climb panel lives with its model (H3)

    return climb_panel(runs, sets, window_days, coverage)


def _activities(n: int) -> str:
    return f"{n} activit{'y' if n == 1 else 'ies'}"


def _day(value) -> str:
    return pd.Timestamp(value).strftime("%Y-%m-%d")


def _span(dates: pd.Series) -> str:
    dates = pd.to_datetime(dates).dropna()
    return f"{_day(dates.min())} to {_day(dates.max())}" if len(dates) else "none"


def _next_step(reason: str, runs: pd.DataFrame, sets: pd.DataFrame, n_untyped: int) -> str:
    """What would turn the runs excluded for ``reason`` (mostly) into usable ones."""
    if reason in (EXCLUSION_REASONS["descent"], EXCLUSION_REASONS["climb"]):
        step = f"record runs with at least {MIN_DESCENT_LENGTH_M:.0f} m of hilly segments, with GPS and altitude"
        return step + (
            f"; set untyped_sport in athlete.toml ({_activities(n_untyped)} name no sport)" if n_untyped else ""
        )
    if reason == EXCLUSION_REASONS["altitude"]:
        return "record with a barometric altimeter or GPS altitude at every fix"
    if reason == EXCLUSION_REASONS["coverage"]:
        if sets.empty:
            return "ingest a strength log (Strong, Hevy, FitNotes, FIT strength sessions) covering the run period"
        first, last = pd.to_datetime(sets["local_date"]).min(), pd.to_datetime(runs["local_date"]).max()
        if first > last:
            return (
                f"strength log starts after the last run ({_day(first)} > {_day(last)}): keep logging strength "
                "while you run, or declare [coverage] strength in athlete.toml for periods you logged"
            )
        return "log every strength session while you run (gaps of 21+ days end a logged period), or declare [coverage]"
    if reason == EXCLUSION_REASONS["history"]:
        return "keep logging: each run needs the 28 days before it on record"
    if reason == EXCLUSION_REASONS["soreness"]:
        return "log soreness (0-10) on the 3 days after each descent run"
    return "log flat running too, so each run has a flat-speed reference"


def _runs(n: int) -> str:
    return f"{n} run{'s' * (n != 1)}"


def _strength_weeks(runs: pd.DataFrame, coverage: pd.DataFrame | None, window_days: int = WINDOW_DAYS) -> float:
    """Weeks in which a run of the athlete could enter a panel: their strength coverage periods without each
    period's first ``window_days`` (a run needs that many covered days before it), between their first and last
    run; at least 1."""
    if coverage is None or coverage.empty or not len(runs):
        return 1.0
    dates = pd.to_datetime(runs["local_date"]).dropna()
    first, last = dates.min(), dates.max()
    start = pd.to_datetime(coverage["start"]) + pd.Timedelta(days=window_days)
    end = pd.to_datetime(coverage["end"])
    start, end = start.where(start > first, first), end.where(end < last, last)
    days = ((end - start).dt.days + 1).clip(lower=0).sum()
    return max(float(days) / 7.0, 1.0)


def _more_runs(claim: str, usable: int, excluded: dict, runs, coverage, window_days: int = WINDOW_DAYS) -> str:
    """How many more runs H1 or H2 needs before one athlete's model can be fitted, from the model's own threshold
    (:func:`~trailstrength.models.primary.personal_runs_needed`) and the athlete's usable runs; "" when enough.

    H2 whose descent runs inside strength coverage lack only the soreness report: in weeks, at the athlete's own
    rate of such runs (per week in which a run could enter the panel, :func:`_strength_weeks`)."""
    needed = personal_runs_needed(claim)
    missing = needed - usable
    if missing <= 0:
        return ""
    model = f"the one-athlete model needs {_runs(needed)}, {usable} usable"
    long_run = f"with at least {MIN_DESCENT_LENGTH_M:.0f} m of descent segments"
    if claim == "H1":
        return f"{missing} more {'run' if missing == 1 else 'runs'} {long_run} while logging strength ({model})"
    eligible = usable + excluded.get(EXCLUSION_REASONS["soreness"], 0)
    if not eligible:
        return (
            f"{missing} more {'run' if missing == 1 else 'runs'} {long_run} while logging strength, each with "
            f"soreness logged on the 3 days after it ({model})"
        )
    weeks = _strength_weeks(runs, coverage, window_days)
    per_week = eligible / weeks
    more = math.ceil(missing / per_week)
    return (
        f"log soreness after long descents for {more} more week{'s' * (more != 1)}: {model}; you ran "
        f"{_runs(eligible)} {long_run} in {weeks:.0f} week{'s' * (round(weeks) != 1)} with strength logged in the "
        f"{window_days} days before ({per_week:.2g} a week), so {missing} more take about {more} "
        f"week{'s' * (more != 1)}"
    )


def _athlete_rows(athlete, claim, panel, runs, sets, n_untyped, coverage=None, window_days=WINDOW_DAYS) -> list[dict]:
    excluded = {r: n for r, n in panel.attrs.get("excluded", {}).items() if n}
    usable = len(panel)
    base = {"athlete_id": athlete, "claim": claim}
    rows = [{**base, "status": "usable", "count": usable, "reason": "", "next_step": ""}]
    for reason, n in excluded.items():
        rows.append({**base, "status": "excluded", "count": n, "reason": reason, "next_step": ""})
    more = (
        _more_runs(claim, usable, excluded, runs, coverage, window_days) if claim in ("H1", "H2") and len(runs) else ""
    )
    if not len(runs):
        step = "ingest running activities" + (
            f"; set untyped_sport in athlete.toml ({_activities(n_untyped)} name no sport)" if n_untyped else ""
        )
        rows.append({**base, "status": "excluded", "count": 0, "reason": "no runs", "next_step": step})
    elif usable == 0 or more:
        last = max(excluded, key=lambda r: list(EXCLUSION_REASONS.values()).index(r)) if excluded else ""
        soreness_only = last == EXCLUSION_REASONS["soreness"] and more
        step = "" if not last or soreness_only else _next_step(last, runs, sets, n_untyped)
        step = "; then ".join(s for s in (step, more) if s)
        for row in rows:
            if row["reason"] == last:
                row["next_step"] = step
    if len(runs) and not sets.empty:
        span = f"runs {_span(runs['local_date'])}; strength log {_span(sets['local_date'])}"
        for row in rows:
            if row["reason"] == EXCLUSION_REASONS["coverage"]:
                row["reason"] = f"{row['reason']}: {span}"
    return rows


def _of(coverage: pd.DataFrame, athlete: str) -> pd.DataFrame:
    """The athlete's strength coverage periods."""
    mine = coverage[coverage["athlete_id"] == athlete]
    return mine[mine["source"] == "strength"] if "source" in mine else mine


def check_tables(
    runs: pd.DataFrame,
    strength_sets: pd.DataFrame,
    wellness: pd.DataFrame,
    activities: pd.DataFrame | None = None,
    *,
    window_days: int = WINDOW_DAYS,
    coverage: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """:func:`check` on the warehouse tables (``wh.runs``, ``wh.strength_sets``, ``wh.wellness``,
    ``wh.activities``); ``coverage``: strength coverage periods (default from ``strength_sets``)."""
    coverage = coverage if coverage is not None else coverage_table(strength_sets=strength_sets)
    frames = [runs, strength_sets, wellness] + ([activities] if activities is not None else [])
    athletes = sorted(set().union(*(set(f["athlete_id"]) for f in frames)))
    rows = []
    for athlete in athletes:
        mine = [f[f["athlete_id"] == athlete] for f in (runs, strength_sets, wellness)]
        n_untyped = 0
        if activities is not None and "sport" in activities:
            n_untyped = int(((activities["athlete_id"] == athlete) & (activities["sport"] == "unknown")).sum())
        panels = {kind: _panel(kind, *mine, window_days, coverage) for kind in sorted(set(PANEL_OF_CLAIM.values()))}
        for claim in CLAIMS:
            panel = panels[PANEL_OF_CLAIM[claim]]
            rows += _athlete_rows(
                athlete, claim, panel, mine[0], mine[1], n_untyped, _of(coverage, athlete), window_days
            )
    table = pd.DataFrame(rows, columns=COLUMNS)
    return table.astype({"count": "int64"})


def check(warehouse=None, *, window_days: int = WINDOW_DAYS) -> pd.DataFrame:
    """What the data can answer, per athlete and claim H1–H7 (module docstring).

    Parameters
    ----------
    warehouse : Warehouse, str or Path, optional
        An open warehouse (or a view of one), or its folder; default ``config.path("warehouse")``.
    window_days : int, default 28
        Exposure window (days of records a run needs before it).

    Returns
    -------
    pandas.DataFrame
        One row per athlete × claim × line, columns ``athlete_id``, ``claim`` (``"H1"`` … ``"H7"``), ``status``
        (``"usable"`` or ``"excluded"``), ``count`` (runs), ``reason`` (why excluded; empty on usable rows) and
        ``next_step`` (on the last-failing exclusion when nothing is usable, or for H1 and H2 when fewer runs are
        usable than the one-athlete model needs; module docstring). Per athlete and claim the counts add up to
        the athlete's runs.

    Examples
    --------
    A simulated athlete whose strength log covers the running season:

    >>> import tempfile
    >>> from pathlib import Path
    >>> import trailstrength as ts
    >>> folder = tempfile.TemporaryDirectory()
    >>> tmp = Path(folder.name)
    >>> truth = ts.simulate_cohort(tmp / "raw", athletes=1, weeks=8, seed=3)
    >>> report = ts.ingest(tmp / "raw", warehouse=tmp / "warehouse", progress=False, workers=1)
    >>> table = ts.check(tmp / "warehouse")
    >>> list(table.columns)
    ['athlete_id', 'claim', 'status', 'count', 'reason', 'next_step']
    >>> sorted(table["claim"].unique())
    ['H1', 'H2', 'H3', 'H4', 'H5', 'H6', 'H7']
    >>> h1 = table[table["claim"] == "H1"]
    >>> int(h1["count"].sum()) == len(ts.open_warehouse(tmp / "warehouse").runs)
    True
    >>> folder.cleanup()
    """
    from trailstrength.warehouse import Warehouse

    wh = warehouse if isinstance(warehouse, Warehouse) else Warehouse(warehouse)
    return check_tables(
        wh.runs, wh.strength_sets, wh.wellness, wh.activities, window_days=window_days, coverage=strength_periods(wh)
    )


def strength_periods(wh) -> pd.DataFrame | None:
    """The warehouse's strength coverage (``wh.coverage``, declared periods included) when it has one, else None
    (the panels then compute it from the strength sets)."""
    try:
        coverage = wh.coverage
    except (AttributeError, KeyError, FileNotFoundError):
        return None
    if not isinstance(coverage, pd.DataFrame) or coverage.empty or "source" not in coverage:
        return None
    return coverage[coverage["source"] == "strength"]
