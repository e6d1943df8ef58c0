"""Strength and running exposures per athlete-day, and their windows (DESIGN §7).

Per set (working sets only: ``working``, ``failure``, ``drop``; warm-ups never count):

* hinge weight :math:`w` = ``posterior_chain_weight`` for pattern ``hinge``, else 0;
* volume-load = :math:`w \\cdot` reps :math:`\\cdot` load (kg); a body-weight set has load 0;
* eccentric time under tension = :math:`w \\cdot` reps :math:`\\cdot e`, with :math:`e` the lowering time: the
  first number of a logged tempo (``3-1-1`` -> 3 s; values outside (0, 10] s are taken as not logged), else
  :data:`ECCENTRIC_EMPHASIS_S` = 3 s for exercises the taxonomy flags ``eccentric_emphasis`` (named tempo
  variants), else :data:`ECCENTRIC_DEFAULT_S` = 2 s, a controlled 2-s lowering being the usual default
  prescription (ACSM 2009 progression models, Med Sci Sports Exerc 41:687). H5 reads 3-4 s as "slow".
* estimated 1RM (kg) of the athlete's main hinge (its most-logged hinge exercise) from sets of 1-10 reps, by
  Epley (1985): :math:`1RM = w (1 + r/30)` or Brzycki (1993, JOPERD 64:88): :math:`1RM = w \\cdot 36/(37-r)`.
  Both are within a few percent of a tested 1RM up to ~10 reps (LeSuer et al. 1997, JSCR 11:211).

Window conventions (all per athlete on a continuous daily calendar of local dates):

* ``*_28d``: mean *per week* over the ``window_days`` before the day (d-28 ... d-1), i.e. the sum / 4
  (:func:`trailing_sum`, which the simulators use too); shares (``*_share_28d``) are ratios of the window's sums,
  NaN when the denominator is 0 (:func:`window_share`);
* ``*_lag0`` ... ``*_lag3``: the value on day d, d-1, d-2, d-3 (acute exposure, for soreness);
* ``hinge_sets_acute``: hinge working sets from d-3 to d+3 (lifting soreness lands in the same window; v1 H2);
* ``hinge_sets_pre3d``: hinge working sets on d-3 ... d-1 only (DESIGN §8 v2: lifting after a run is downstream of
  the soreness it is meant to explain); ``hinge_sets_post3d`` = d ... d+3 (the v2 post-run sensitivity model);
* ``*_ewm``: exponentially weighted mean of the days before d, per week (x 7), with
  ``ewm(span=N, adjust=False)``, i.e. :math:`\\lambda = 2/(N+1)` (Williams et al. 2017 BJSM 51:209); N is
  ``ewm_span`` (default 28) and is kept in ``DataFrame.attrs["ewm_span"]``.

Column suffixes say ``28d`` whatever the window, so a sensitivity run with 14 or 42 days keeps the vocabulary.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from trailstrength.units import tempo_eccentric_s

WORKING_SET_TYPES = ("working", "failure", "drop")  # warm-ups never count as exposure
PURE_HINGE_SUBTYPES = ("rdl_sld", "good_morning", "back_extension")  # H4: hip hinge with (nearly) straight knees
DEADLIFT_SUBTYPES = ("deadlift",)  # conventional, sumo, trap-bar: the knees extend too
LOWER_BODY_PATTERNS = ("hinge", "squat", "lunge_single_leg", "knee_flexion")
#: Upper-body patterns of the negative-control exposure (DESIGN §8 v2): same training blocks, no descent mechanism.
UPPER_BODY_PATTERNS = ("push", "pull")
ECCENTRIC_DEFAULT_S = 2.0
ECCENTRIC_EMPHASIS_S = 3.0
E1RM_MAX_REPS = 10
ACUTE_LAGS = (0, 1, 2, 3)
WINDOW_DAYS = 28
EWM_SPAN_DAYS = 28

# daily sums that get a 28-day weekly mean (name -> unit per week, for the docs)
WEEKLY = (
    "hinge_sets",
    "knee_sets",
    "hinge_volume_kg",
    "knee_volume_kg",
    "hinge_ecc_tut_s",
    "pure_hinge_sets",
    "deadlift_sets",
    "hinge_sessions",
    "strength_sessions",
    "upper_sets",
)
SHARES = {
    "unilateral_share": ("lower_unilateral_sets", "lower_sets"),
    "hinge_unilateral_share": ("hinge_unilateral_sets", "hinge_sets"),
}


def epley_1rm(load_kg, reps):
    """Estimated 1RM (kg) by Epley (1985): load x (1 + reps / 30)."""
    return load_kg * (1.0 + reps / 30.0)


def brzycki_1rm(load_kg, reps):
    """Estimated 1RM (kg) by Brzycki (1993): load x 36 / (37 - reps)."""
    return load_kg * 36.0 / (37.0 - reps)


E1RM_FORMULAS = {"epley": epley_1rm, "brzycki": brzycki_1rm}


def _col(df: pd.DataFrame, name: str, default) -> pd.Series:
    return df[name] if name in df else pd.Series(default, index=df.index)


def eccentric_seconds(sets: pd.DataFrame) -> pd.Series:
    """Lowering time per rep (s): logged tempo, else 3 s for eccentric-emphasis exercises, else 2 s."""
    logged = tempo_eccentric_s(_col(sets, "tempo", np.nan)).where(lambda s: (s > 0) & (s <= 10))
    emphasis = _col(sets, "eccentric_emphasis", False).fillna(False).astype(bool)
    return logged.fillna(pd.Series(np.where(emphasis, ECCENTRIC_EMPHASIS_S, ECCENTRIC_DEFAULT_S), index=sets.index))


def main_hinge(sets: pd.DataFrame) -> pd.Series:
    """Each athlete's main hinge: the hinge exercise with the most working sets (ties: alphabetical)."""
    name = _col(sets, "exercise", np.nan).fillna(_col(sets, "exercise_raw", np.nan))
    hinge = sets[sets["set_type"].isin(WORKING_SET_TYPES) & sets["pattern"].eq("hinge") & name.notna()]
    if hinge.empty:
        return pd.Series(dtype="object", name="main_hinge")
    counts = hinge.assign(_name=name).groupby(["athlete_id", "_name"]).size().rename("n").reset_index()
    counts = counts.sort_values(["athlete_id", "n", "_name"], ascending=[True, False, True])
    return counts.drop_duplicates("athlete_id").set_index("athlete_id")["_name"].rename("main_hinge")


def strength_daily(sets: pd.DataFrame, e1rm: str = "epley") -> pd.DataFrame:
    """Per athlete-day strength exposures (only days with sets), indexed by (athlete_id, local_date).

    Columns: ``hinge_sets`` (posterior-chain-weighted hinge working sets), ``knee_sets`` (knee-dominant working
    sets), ``hinge_volume_kg`` / ``knee_volume_kg`` (sets x reps x kg, hinge ones weighted), ``hinge_ecc_tut_s``
    (weighted reps x lowering s), ``pure_hinge_sets`` / ``deadlift_sets`` (unweighted working sets of the pure
    hinge subtypes / the deadlift subtype, for H4), ``hinge_unilateral_sets`` (weighted), ``lower_sets`` /
    ``lower_unilateral_sets`` (unweighted lower-body working sets / those done one leg at a time, H7),
    ``upper_sets`` (unweighted push and pull working sets: the negative-control exposure of DESIGN §8 v2),
    ``strength_sessions`` and ``hinge_sessions`` (sessions with >= 1 hinge working set), ``main_hinge_e1rm_kg``
    (best estimated 1RM of the athlete's main hinge that day, NaN without one). Rows marked ``duplicate_of`` (the
    extra copy of a workout in two exports) are skipped.
    """
    work = sets[sets["set_type"].isin(WORKING_SET_TYPES) & _col(sets, "duplicate_of", np.nan).isna()].copy()
    if work.empty:
        return pd.DataFrame(
            columns=[*WEEKLY, "hinge_unilateral_sets", "lower_sets", "lower_unilateral_sets", "main_hinge_e1rm_kg"],
            index=pd.MultiIndex.from_tuples([], names=["athlete_id", "local_date"]),
            dtype=float,
        )
    reps = work["reps"].fillna(0).astype(float)
    load = work["load_kg"].fillna(0).astype(float)
    is_hinge = work["pattern"].eq("hinge")
    w = np.where(is_hinge, work["posterior_chain_weight"].fillna(0), 0.0)
    subtype = _col(work, "hinge_subtype", np.nan)
    knee = work["knee_dominant"].fillna(False).astype(bool)
    unilateral = _col(work, "unilateral", False).fillna(False).astype(bool)
    lower = work["pattern"].isin(LOWER_BODY_PATTERNS)
    work = work.assign(
        hinge_sets=w,
        knee_sets=knee.astype(float),
        hinge_volume_kg=w * reps * load,
        knee_volume_kg=np.where(knee, reps * load, 0.0),
        hinge_ecc_tut_s=w * reps * eccentric_seconds(work),
        pure_hinge_sets=(is_hinge & subtype.isin(PURE_HINGE_SUBTYPES)).astype(float),
        deadlift_sets=(is_hinge & subtype.isin(DEADLIFT_SUBTYPES)).astype(float),
        hinge_unilateral_sets=np.where(unilateral, w, 0.0),
        lower_sets=lower.astype(float),
        lower_unilateral_sets=(lower & unilateral).astype(float),
        upper_sets=work["pattern"].isin(UPPER_BODY_PATTERNS).astype(float),
        _hinge_session=work["session_id"].where(is_hinge),
    )
    sums = [
        c
        for c in (*WEEKLY, "hinge_unilateral_sets", "lower_sets", "lower_unilateral_sets")
        if c not in ("hinge_sessions", "strength_sessions")
    ]
    daily = (
        work.groupby(["athlete_id", "local_date"])
        .agg(
            **{c: (c, "sum") for c in sums},
            strength_sessions=("session_id", "nunique"),
            hinge_sessions=("_hinge_session", "nunique"),
        )
        .astype(float)
    )
    daily["main_hinge_e1rm_kg"] = _main_hinge_e1rm(work, E1RM_FORMULAS[e1rm]).reindex(daily.index)
    return daily


def _main_hinge_e1rm(work: pd.DataFrame, formula) -> pd.Series:
    main = main_hinge(work)
    name = _col(work, "exercise", np.nan).fillna(_col(work, "exercise_raw", np.nan))
    ok = name.eq(work["athlete_id"].map(main)) & work["reps"].between(1, E1RM_MAX_REPS) & work["load_kg"].gt(0)
    est = formula(work.loc[ok, "load_kg"].astype(float), work.loc[ok, "reps"].astype(float))
    return est.groupby([work.loc[ok, "athlete_id"], work.loc[ok, "local_date"]]).max()


def daily_exposures(runs: pd.DataFrame, strength_sets: pd.DataFrame, e1rm: str = "epley") -> pd.DataFrame:
    """One row per athlete-day (continuous calendar from each athlete's first to last record).

    The columns of :func:`strength_daily` (0 on days without lifting, except ``main_hinge_e1rm_kg``: NaN) and
    from runs ``run_km``, ``descent_m`` (our smoothed vertical descent, m) and ``runs``.
    """
    lifting = strength_daily(strength_sets, e1rm)
    running = (
        runs.assign(run_km=runs["distance_m"] / 1000.0)
        .groupby(["athlete_id", "local_date"])
        .agg(run_km=("run_km", "sum"), descent_m=("descent_m", "sum"), runs=("activity_id", "size"))
    )
    daily = lifting.join(running, how="outer")
    counts = [c for c in daily.columns if c != "main_hinge_e1rm_kg"]
    daily[counts] = daily[counts].fillna(0.0)
    if daily.empty:
        return daily.reset_index()
    frames = []
    for athlete, grp in daily.groupby(level="athlete_id"):
        g = grp.droplevel("athlete_id")
        idx = pd.date_range(g.index.min(), g.index.max(), freq="D", name="local_date")
        g = g.reindex(idx)
        g[counts] = g[counts].fillna(0.0)
        frames.append(g.assign(athlete_id=athlete))
    return pd.concat(frames).reset_index()[["athlete_id", "local_date", *daily.columns]]


def trailing_sum(daily, window_days: int = WINDOW_DAYS):
    """Sum over the ``window_days`` days before each day (d - window_days ... d - 1): the one window definition
    of the package, used by :func:`rolling_exposures` and the simulators.

    ``daily`` is one row per day of a continuous calendar, in order: a Series or DataFrame (each column summed),
    or a 1-d or 2-d array (returns an array of the same shape, float). Early days sum the days there are; the
    first day, which has none before it, is NaN.
    """
    if isinstance(daily, (pd.Series, pd.DataFrame)):
        return daily.rolling(window_days, min_periods=1).sum().shift(1)
    values = np.asarray(daily, dtype=float)
    frame = pd.DataFrame(values.reshape(len(values), -1))
    return trailing_sum(frame, window_days).to_numpy().reshape(values.shape)


def window_share(part, whole):
    """``part`` / ``whole`` of two window sums (Series or arrays), NaN where ``whole`` is 0 (or NaN)."""
    if isinstance(whole, pd.Series):
        return part / whole.where(whole > 0)
    whole = np.asarray(whole, dtype=float)
    return np.asarray(part, dtype=float) / np.where(whole > 0, whole, np.nan)


def rolling_exposures(
    daily: pd.DataFrame, window_days: int = WINDOW_DAYS, ewm_span: int = EWM_SPAN_DAYS, lags=ACUTE_LAGS
) -> pd.DataFrame:
    """Per athlete-day windows of :func:`daily_exposures` (conventions in the module docstring).

    Adds ``<x>_28d`` for every weekly exposure (hinge_sets, knee_sets, hinge_volume_kg, knee_volume_kg,
    hinge_ecc_tut_s, pure_hinge_sets, deadlift_sets, hinge_sessions, strength_sessions, upper_sets: per week),
    ``descent_100m_28d`` (100s of vertical metres of descent per week), ``run_km_28d`` (km per week),
    ``unilateral_share_28d`` and ``hinge_unilateral_share_28d`` (0-1), ``main_hinge_e1rm_28d`` (best e1RM in the
    window, kg) and ``main_hinge_e1rm_change_28d`` (that minus the best of the 28 days before, kg),
    ``hinge_sets_lag0..3``, ``knee_sets_lag0..3``, ``descent_100m_lag0..3``, ``hinge_sets_acute``,
    ``hinge_sets_pre3d``, ``hinge_sets_post3d``,
    ``hinge_sets_ewm``, ``knee_sets_ewm``, ``descent_100m_ewm`` (per week) and ``history_days`` (days of record
    before the day).
    """
    out = []
    per_week = window_days / 7.0
    for _, g in daily.groupby("athlete_id", sort=False):
        g = g.sort_values("local_date").reset_index(drop=True)
        g["descent_100m"] = g["descent_m"] / 100.0
        weekly = [c for c in (*WEEKLY, "descent_100m", "run_km") if c in g]
        shares = [c for pair in SHARES.values() for c in pair if c in g]
        prior = trailing_sum(g[list(dict.fromkeys(weekly + shares))], window_days)
        new = {f"{c}_28d": prior[c] / per_week for c in weekly}
        for name, (num, den) in SHARES.items():
            if num in prior and den in prior:
                new[f"{name}_28d"] = window_share(prior[num], prior[den])
        if "main_hinge_e1rm_kg" in g:
            best = g["main_hinge_e1rm_kg"].rolling(window_days, min_periods=1).max()
            new["main_hinge_e1rm_28d"] = best.shift(1)
            new["main_hinge_e1rm_change_28d"] = best.shift(1) - best.shift(1 + window_days)
        for c in ("hinge_sets", "knee_sets", "descent_100m"):
            if c in g:
                new.update({f"{c}_lag{k}": g[c].shift(k).fillna(0.0) for k in lags})
                new[f"{c}_ewm"] = g[c].ewm(span=ewm_span, adjust=False).mean().shift(1) * 7.0
        new["history_days"] = np.arange(len(g))
        new["hinge_sets_acute"] = g["hinge_sets"].rolling(7, center=True, min_periods=1).sum()
        new["hinge_sets_pre3d"] = g["hinge_sets"].rolling(3, min_periods=1).sum().shift(1).fillna(0.0)
        new["hinge_sets_post3d"] = new["hinge_sets_acute"] - new["hinge_sets_pre3d"]
        out.append(pd.concat([g.drop(columns="descent_100m"), pd.DataFrame(new, index=g.index)], axis=1))
    result = pd.concat(out, ignore_index=True) if out else daily
    result.attrs["ewm_span"] = ewm_span
    return result
