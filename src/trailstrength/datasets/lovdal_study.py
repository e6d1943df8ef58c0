"""Lövdal, den Hartigh & Azzopardi (2021): competitive runners' daily training, perceptions and injuries.

The published *day approach* file has one row per athlete-day ``Date`` (an integer day index; real dates are
masked) holding the 10 daily features of each of the 7 days before it — block suffixes ``""``, ``.1`` …
``.6`` — then ``Athlete ID``, ``injury`` (1 = an injury on ``Date``) and ``Date``. Consecutive rows shift by
one block (row d's block k+1 equals row d+1's block k), so block k is day ``Date − 7 + k`` and ``.6`` the day
before ``Date``. The *week approach* file holds 22 weekly aggregates for each of the 3 weeks before ``Date``,
unsuffixed = the most recent week, ``.1`` and ``.2`` the two before, plus ``rel total kms week 0_1`` etc.

Perceived exertion, training success and recovery were rescaled by the authors (−0.01 = no session that
day; read as missing here); their units are the published ones, so only within-athlete contrasts are
interpreted. The partial analyses (:mod:`trailstrength.models.studies`): strength-training days vs next-day
perceived recovery (on :func:`recovery_panel`), and strength sessions in the 7 days before a day vs the odds of an
injury on it (on :attr:`Lovdal.events`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from trailstrength import clean, schemas
from trailstrength.io.pmdata import STRENGTH_SESSION_EXERCISE

DAY_FEATURES = {
    "nr. sessions": "sessions",
    "total km": "total_km",
    "km Z3-4": "km_z3_4",
    "km Z5-T1-T2": "km_z5_t1_t2",
    "km sprinting": "km_sprinting",
    "strength training": "strength_training",
    "hours alternative": "hours_alternative",
    "perceived exertion": "perceived_exertion",
    "perceived trainingSuccess": "perceived_training_success",
    "perceived recovery": "perceived_recovery",
}
WEEK_FEATURES = {
    "nr. sessions": "sessions",
    "nr. rest days": "rest_days",
    "total kms": "total_km",
    "max km one day": "max_km_day",
    "total km Z3-Z4-Z5-T1-T2": "km_z3_to_t2",
    "nr. tough sessions (effort in Z5, T1 or T2)": "tough_sessions",
    "nr. days with interval session": "interval_days",
    "total km Z3-4": "km_z3_4",
    "max km Z3-4 one day": "max_km_z3_4_day",
    "total km Z5-T1-T2": "km_z5_t1_t2",
    "max km Z5-T1-T2 one day": "max_km_z5_t1_t2_day",
    "total hours alternative training": "hours_alternative",
    "nr. strength trainings": "strength_sessions",
    "avg exertion": "exertion_mean",
    "min exertion": "exertion_min",
    "max exertion": "exertion_max",
    "avg training success": "training_success_mean",
    "min training success": "training_success_min",
    "max training success": "training_success_max",
    "avg recovery": "recovery_mean",
    "min recovery": "recovery_min",
    "max recovery": "recovery_max",
}
PERCEIVED = ("perceived_exertion", "perceived_training_success", "perceived_recovery")
DAY_FILE, WEEK_FILE = "day_approach_maskedID_timeseries", "week_approach_maskedID_timeseries"
N_DAYS, N_WEEKS = 7, 3
NO_SESSION = -0.01  # the published code for "no session that day" in the perceived scores
#: dates are masked: day index 0 is shown as this (synthetic) calendar day
DAY_ZERO = pd.Timestamp("2000-01-01")


@dataclass
class Lovdal:
    """The Lövdal et al. files as frames.

    Attributes
    ----------
    days
        One row per athlete-day rebuilt from the 7-day blocks: ``athlete_id``, ``day`` (index), ``local_date``
        (synthetic: :data:`DAY_ZERO` + day), the 10 daily features in snake_case (km, hours, session counts;
        perceived scores in the published rescaled units, NaN on days without a session) and ``injury`` (1/0 on
        days that have a row of their own, NaN before an athlete's first row).
    events
        The published rows: ``athlete_id``, ``day``, ``injury`` and 7-day sums (``*_7d``) of the daily
        features before that day, incl. ``strength_sessions_7d`` and ``strength_days_7d``.
    weeks
        The weekly file (or None): features suffixed ``_w0`` (most recent week), ``_w1``, ``_w2``.
    activities, strength_sets
        The tidy-table mapping: one day-level activity per training day, one session-level strength row
        per strength session (exercises not recorded).
    conflicts
        How many athlete-days had different values in different rows' blocks (the last row's copy is kept).
    """

    days: pd.DataFrame
    events: pd.DataFrame
    weeks: pd.DataFrame | None
    activities: pd.DataFrame
    strength_sets: pd.DataFrame
    conflicts: int = 0

    def __repr__(self) -> str:
        weekly = "yes" if self.weeks is not None else "no"
        return (
            f"Lovdal({self.events['athlete_id'].nunique()} athletes, {len(self.events)} athlete-day rows, "
            f"{int(self.events['injury'].sum())} injury days; weekly file: {weekly})"
        )


def _athlete(ids: pd.Series) -> pd.Series:
    return "lovdal_" + pd.to_numeric(ids, errors="raise").astype(int).astype(str).str.zfill(3)


def _require(df: pd.DataFrame, columns: list[str], path) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(
            f"{path}: not the published Lövdal layout; missing column(s) {missing[:8]}"
            + (f" and {len(missing) - 8} more" if len(missing) > 8 else "")
        )


def read_day_file(path) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """The day-approach CSV -> (days, events, conflicts); see :class:`Lovdal`."""
    raw = pd.read_csv(path)
    blocks = [{f"{src}{'' if k == 0 else f'.{k}'}": dst for src, dst in DAY_FEATURES.items()} for k in range(N_DAYS)]
    _require(raw, [c for b in blocks for c in b] + ["Athlete ID", "injury", "Date"], path)
    athlete, date = _athlete(raw["Athlete ID"]), raw["Date"].astype(int)
    long = []
    for k, mapping in enumerate(blocks):
        part = raw[list(mapping)].rename(columns=mapping)
        part.insert(0, "day", date - N_DAYS + k)
        part.insert(0, "athlete_id", athlete)
        part["_row"] = np.arange(len(raw))
        long.append(part)
    long = pd.concat(long, ignore_index=True)
    long[list(PERCEIVED)] = long[list(PERCEIVED)].mask(np.isclose(long[list(PERCEIVED)], NO_SESSION))
    values = list(DAY_FEATURES.values())
    spread = long.groupby(["athlete_id", "day"])[values].nunique(dropna=False).max(axis=1)
    days = long.sort_values("_row").drop_duplicates(["athlete_id", "day"], keep="last").drop(columns="_row")
    events = pd.DataFrame({"athlete_id": athlete, "day": date, "injury": raw["injury"].astype(int)})
    days = days.merge(events, on=["athlete_id", "day"], how="left").sort_values(["athlete_id", "day"])
    days.insert(2, "local_date", DAY_ZERO + pd.to_timedelta(days["day"], unit="D"))

    def week_of(feature: str) -> pd.DataFrame:  # the 7 daily columns of one feature
        return raw[[src for b in blocks for src, dst in b.items() if dst == feature]]

    for dst in (
        "sessions",
        "total_km",
        "km_z3_4",
        "km_z5_t1_t2",
        "km_sprinting",
        "strength_training",
        "hours_alternative",
    ):
        events[f"{dst}_7d"] = week_of(dst).sum(axis=1).to_numpy(float)
    events["strength_days_7d"] = (week_of("strength_training") > 0).sum(axis=1).to_numpy(int)
    return days.reset_index(drop=True), events, int((spread > 1).sum())


def read_week_file(path) -> pd.DataFrame:
    """The week-approach CSV -> one row per athlete-day with ``<feature>_w0|w1|w2`` (w0 = most recent week)."""
    raw = pd.read_csv(path)
    rename = {
        f"{src}{'' if w == 0 else f'.{w}'}": f"{dst}_w{w}" for w in range(N_WEEKS) for src, dst in WEEK_FEATURES.items()
    }
    rel = {
        "rel total kms week 0_1": "rel_total_km_w0_w1",
        "rel total kms week 0_2": "rel_total_km_w0_w2",
        "rel total kms week 1_2": "rel_total_km_w1_w2",
    }
    _require(raw, [*rename, *rel, "Athlete ID", "injury", "Date"], path)
    out = raw.rename(columns={**rename, **rel})
    out.insert(0, "athlete_id", _athlete(raw["Athlete ID"]))
    out.insert(1, "day", raw["Date"].astype(int))
    return out.drop(columns=["Athlete ID", "Date"])[["athlete_id", "day", "injury", *rename.values(), *rel.values()]]


def _tidy_tables(days: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    trained = days[(days["sessions"] > 0) | (days["strength_training"] > 0) | (days["hours_alternative"] > 0)]
    sport = np.select(
        [trained["total_km"] > 0, trained["strength_training"] > 0, trained["hours_alternative"] > 0],
        ["running", "strength_training", "cross_training"],
        "unknown",
    )
    ids = trained["athlete_id"] + "-d" + trained["day"].astype(str)
    acts = pd.DataFrame(
        {
            "activity_id": ids,
            "athlete_id": trained["athlete_id"],
            "source_file": DAY_FILE + ".csv",
            "source_format": "lovdal_day",
            "sport": sport,
            "start_time": pd.NaT,
            "local_date": trained["local_date"],
            "duration_s": np.nan,
            "moving_time_s": np.nan,
            "distance_m": (trained["total_km"] * 1000.0).where(trained["total_km"] > 0),
            "ascent_m": np.nan,
            "descent_m": np.nan,
            "has_gps": False,
            "has_altitude": False,
            "altitude_source": "none",
            "device": None,
            "sessions": trained["sessions"],
            "day_level": True,
        }
    ).reset_index(drop=True)
    st = days[days["strength_training"] > 0]
    st = st.loc[st.index.repeat(st["strength_training"].round().clip(lower=1).astype(int))]
    n = st.groupby(["athlete_id", "day"]).cumcount().astype(str)
    sets = pd.DataFrame(
        {
            "athlete_id": st["athlete_id"],
            "performed_at": pd.NaT,
            "local_date": st["local_date"],
            "session_id": st["athlete_id"] + "-d" + st["day"].astype(str) + "-s" + n,
            "exercise_raw": STRENGTH_SESSION_EXERCISE,
            "set_index": 0,
            "set_type": "working",
            "reps": np.nan,
            "load_kg": np.nan,
            "rpe": np.nan,
            "rir": np.nan,
            "duration_s": np.nan,
            "session_level": True,
            "source": "lovdal_day",
        }
    ).reset_index(drop=True)
    acts["start_time"] = pd.Series(pd.NaT, index=acts.index, dtype="datetime64[ns, UTC]")  # dates are masked
    sets["performed_at"] = pd.Series(pd.NaT, index=sets.index, dtype="datetime64[ns, UTC]")
    if len(sets):
        sets = clean.classify_strength(sets)
    return (
        schemas.validate("activities", acts) if len(acts) else acts,
        schemas.validate("strength_sets", sets) if len(sets) else sets,
    )


def load(path) -> Lovdal:
    """Load a local copy: ``path`` is the day-approach CSV or the folder holding it (and the weekly CSV)."""
    path = Path(path).expanduser()
    folder = path.parent if path.is_file() else path
    day_file = path if path.is_file() else next(iter(sorted(folder.glob(f"{DAY_FILE}*.csv"))), None)
    if day_file is None:
        raise FileNotFoundError(f"no {DAY_FILE}.csv in {folder}")
    days, events, conflicts = read_day_file(day_file)
    week_file = next(iter(sorted(folder.glob(f"{WEEK_FILE}*.csv"))), None)
    weeks = read_week_file(week_file) if week_file is not None else None
    acts, sets = _tidy_tables(days)
    return Lovdal(days, events, weeks, acts, sets, conflicts)


# ------------------------------------------------------------------------------------------------ panel
def recovery_panel(data: Lovdal) -> pd.DataFrame:
    """Athlete-days d with the next day's perceived recovery (``recovery_next``; NaN without a session on d+1)."""
    d = data.days.sort_values(["athlete_id", "day"])
    nxt = d[["athlete_id", "day", "perceived_recovery"]].assign(day=d["day"] - 1)
    panel = d.merge(nxt.rename(columns={"perceived_recovery": "recovery_next"}), on=["athlete_id", "day"], how="left")
    panel["strength_day"] = (panel["strength_training"] > 0).astype(float)
    return panel.dropna(subset=["recovery_next"]).reset_index(drop=True)
