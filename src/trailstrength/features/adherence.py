"""How closely each athlete followed the article's hinge prescription (H6, descriptive).

The prescription: **1–2 hinge sessions per week, 3–4 working sets of 6–8 reps, conservative progression**. Per
athlete-week (Monday-based local weeks, from the athlete's first to last strength record):

* ``hinge_sessions`` — sessions with at least one working hinge set;
* ``sets_per_session`` — median working hinge sets per hinge session;
* ``reps_median`` — median reps of the working hinge sets;
* ``top_load_kg`` — heaviest working load of the athlete's most-logged hinge exercise that week.

Per athlete, the shares of weeks / sessions / sets inside the prescription, and of week-to-week changes in
``top_load_kg`` that are conservative (an increase of at most ``PROGRESSION_LIMIT``, 10 %, over the previous
loaded week; decreases count as conservative). ``adherent_weeks_share`` is the share of weeks meeting the
session, sets and reps rules at once.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from trailstrength.features.exposures import WORKING_SET_TYPES

SESSIONS_PER_WEEK = (1, 2)
SETS_PER_SESSION = (3, 4)
REPS = (6, 8)
PROGRESSION_LIMIT = 0.10  # at most +10 % top load per week counts as conservative

ATHLETE_COLUMNS = [
    "athlete_id",
    "weeks",
    "hinge_weeks",
    "sessions_share",
    "sets_share",
    "reps_share",
    "progression_share",
    "adherent_weeks_share",
    "hinge_sessions_per_week",
]


def _hinge_work(sets: pd.DataFrame) -> pd.DataFrame:
    work = sets[sets["set_type"].isin(WORKING_SET_TYPES) & sets["pattern"].eq("hinge")]
    if "duplicate_of" in work:
        work = work[work["duplicate_of"].isna()]
    return work.assign(week=work["local_date"].dt.to_period("W-SUN").dt.start_time)


def weekly_adherence(strength_sets: pd.DataFrame) -> pd.DataFrame:
    """One row per athlete-week: hinge sessions, sets per session, median reps, top load, and the rule checks."""
    work = _hinge_work(strength_sets)
    if work.empty:
        return pd.DataFrame(
            columns=[
                "athlete_id",
                "week",
                "hinge_sessions",
                "sets_per_session",
                "reps_median",
                "top_load_kg",
                "sessions_ok",
                "sets_ok",
                "reps_ok",
                "adherent",
            ]
        )
    per_session = work.groupby(["athlete_id", "week", "session_id"]).size().rename("sets").reset_index()
    weekly = per_session.groupby(["athlete_id", "week"]).agg(
        hinge_sessions=("session_id", "nunique"), sets_per_session=("sets", "median")
    )
    weekly["reps_median"] = work.groupby(["athlete_id", "week"])["reps"].median()
    main = work.groupby("athlete_id")["exercise"].agg(lambda s: s.value_counts().idxmax())
    is_main = work["exercise"].eq(work["athlete_id"].map(main))
    weekly["top_load_kg"] = work[is_main].groupby(["athlete_id", "week"])["load_kg"].max()
    # every calendar week between an athlete's first and last strength record, including weeks without hinges
    every = strength_sets.assign(week=strength_sets["local_date"].dt.to_period("W-SUN").dt.start_time)
    span = every.groupby("athlete_id")["week"].agg(["min", "max"])
    index = pd.MultiIndex.from_tuples(
        [(a, w) for a, r in span.iterrows() for w in pd.date_range(r["min"], r["max"], freq="7D")],
        names=["athlete_id", "week"],
    )
    weekly = weekly.reindex(index)
    weekly["hinge_sessions"] = weekly["hinge_sessions"].fillna(0).astype(int)
    weekly["sessions_ok"] = weekly["hinge_sessions"].between(*SESSIONS_PER_WEEK)
    weekly["sets_ok"] = weekly["sets_per_session"].between(*SETS_PER_SESSION)
    weekly["reps_ok"] = weekly["reps_median"].between(*REPS)
    weekly["adherent"] = weekly["sessions_ok"] & weekly["sets_ok"] & weekly["reps_ok"]
    return weekly.reset_index()


def programme_adherence(strength_sets: pd.DataFrame) -> pd.DataFrame:
    """Per athlete: shares of weeks, sessions and sets inside the prescription (see the module notes)."""
    weekly = weekly_adherence(strength_sets)
    work = _hinge_work(strength_sets)
    rows = []
    for athlete, w in weekly.groupby("athlete_id"):
        hinge_weeks = w[w["hinge_sessions"] > 0]
        sessions = work[work["athlete_id"] == athlete].groupby("session_id").size()
        reps = work.loc[work["athlete_id"] == athlete, "reps"].dropna()
        loads = hinge_weeks["top_load_kg"].dropna()
        change = loads.pct_change().dropna()
        rows.append(
            {
                "athlete_id": athlete,
                "weeks": len(w),
                "hinge_weeks": len(hinge_weeks),
                "sessions_share": w["sessions_ok"].mean(),
                "sets_share": sessions.between(*SETS_PER_SESSION).mean() if len(sessions) else np.nan,
                "reps_share": reps.between(*REPS).mean() if len(reps) else np.nan,
                "progression_share": (change <= PROGRESSION_LIMIT).mean() if len(change) else np.nan,
                "adherent_weeks_share": w["adherent"].mean(),
                "hinge_sessions_per_week": w["hinge_sessions"].mean(),
            }
        )
    return pd.DataFrame(rows, columns=ATHLETE_COLUMNS)
