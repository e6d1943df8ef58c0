"""PMData (Thambawita et al. 2020): load the PMSys files of every participant, and its partial H2 analysis.

The partial analysis asks the question PMData can answer: *within an athlete, is next-morning soreness
higher after a strength session than after a running session?* It cannot say anything about hinge
exercises or descents (PMData records neither; see the dataset card).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from trailstrength import clean, schemas
from trailstrength.io import Athlete, FileContext, pmdata
from trailstrength.models import EFFECT_COLUMNS, fit_mixed, within_between

SESSION_KINDS = ("strength", "running", "other")
#: below this many athletes the between-athlete means would use up the athlete-level degrees of freedom (and
#: leave the random-intercept variance unidentifiable); the within-centred terms alone are still within-athlete
MIN_ATHLETES_FOR_BETWEEN = 10
_READERS = {"wellness.csv": pmdata.read_wellness, "srpe.csv": pmdata.read_srpe, "injury.csv": pmdata.read_injury}


@dataclass
class PMData:
    """PMData as tidy tables (plain DataFrames), one athlete per participant (``p01`` … ``p16``).

    Attributes
    ----------
    wellness
        Morning reports (soreness 0–10, 10 = most sore; ``report_kind == "wellness"``) and injury reports
        (``report_kind == "injury"``), both with their UTC time.
    activities
        One session-level row per sRPE session (sport, start, duration, ``rpe`` 0–10, ``session_load_au``).
    strength_sets
        One session-level row per strength session (exercises were not recorded).
    participants
        The participant ids loaded; ``root`` the folder they came from; ``warnings`` the readers' warnings.
    """

    wellness: pd.DataFrame
    activities: pd.DataFrame
    strength_sets: pd.DataFrame
    participants: list[str]
    root: Path
    warnings: dict[str, list[str]] = field(default_factory=dict)

    def __repr__(self) -> str:
        return (f"PMData({len(self.participants)} participants from {self.root}: {len(self.wellness)} wellness rows, "
                f"{len(self.activities)} sessions, {len(self.strength_sets)} strength sessions)")


def load(root, participants=None, timezone: str = "Europe/Oslo") -> PMData:
    """Read ``<root>/pXX/pmsys/{wellness,srpe,injury}.csv`` for every (or the listed) participant.

    Parameters
    ----------
    root
        The folder that holds ``p01/``, ``p02/`` …
    participants
        Ids to load (default: every ``p*`` folder with a ``pmsys`` folder).
    timezone
        Local time zone of the participants (Norway), for ``local_date``.
    """
    root = Path(root).expanduser()
    folders = sorted(p for p in root.glob("p*") if (p / "pmsys").is_dir())
    if participants is not None:
        wanted = set(participants)
        folders = [p for p in folders if p.name in wanted]
    if not folders:
        raise FileNotFoundError(f"no PMData participant folders (pXX/pmsys/) under {root}")
    tables: dict[str, list[pd.DataFrame]] = {"wellness": [], "activities": [], "strength_sets": []}
    warnings: dict[str, list[str]] = {}
    for folder in folders:
        athlete = Athlete(folder.name, timezone=timezone, timezone_known=True)
        for fname, reader in _READERS.items():
            f = folder / "pmsys" / fname
            if not f.is_file():
                continue
            data = f.read_bytes()
            ctx = FileContext(f.relative_to(root).as_posix(), hashlib.sha256(data).hexdigest(), athlete)
            res = reader(data, ctx)
            if res.warnings:
                warnings[ctx.path] = res.warnings
            for name, df in res.tables.items():
                tables[name].append(df)
    out = {}
    for name, parts in tables.items():
        df = pd.concat(parts, ignore_index=True) if parts else schemas.empty(name)
        if name == "strength_sets" and len(df):
            df = clean.classify_strength(df)
        out[name] = schemas.validate(name, df) if len(df) else df
    return PMData(out["wellness"], out["activities"], out["strength_sets"], [f.name for f in folders], root, warnings)


# ------------------------------------------------------------------------------------------------ analysis
def session_day_panel(data: PMData) -> pd.DataFrame:
    """One row per athlete-day with a soreness report that day *and* the next morning.

    Columns: ``athlete_id``, ``local_date``, ``soreness_today`` and ``soreness_next`` (the first report of day
    d and of day d+1, 0–10), ``strength_session``, ``running_session``, ``other_session`` (1 when a session of
    that kind was done on day d, else 0) and ``session_load_au`` (sum of RPE × minutes on day d).
    """
    w = data.wellness
    w = w[(w["report_kind"] != "injury") & w["soreness"].notna()]
    first = (w.sort_values("reported_at").groupby(["athlete_id", "local_date"], as_index=False)["soreness"].first())
    acts = data.activities.assign(
        kind=np.select([data.activities["sport"].eq("strength_training"), data.activities["sport"].eq("running")],
                       ["strength", "running"], "other"))
    flags = (pd.crosstab([acts["athlete_id"], acts["local_date"]], acts["kind"]).clip(upper=1)
             .reindex(columns=list(SESSION_KINDS), fill_value=0).add_suffix("_session"))
    load = acts.groupby(["athlete_id", "local_date"])["session_load_au"].sum().rename("session_load_au")
    nxt = (first.assign(local_date=first["local_date"] - pd.Timedelta(days=1))
           .rename(columns={"soreness": "soreness_next"}))
    panel = (first.rename(columns={"soreness": "soreness_today"})
             .merge(nxt, on=["athlete_id", "local_date"], how="inner")
             .merge(flags.join(load, how="outer").reset_index(), on=["athlete_id", "local_date"], how="left"))
    fill = [f"{k}_session" for k in SESSION_KINDS] + ["session_load_au"]
    panel[fill] = panel[fill].fillna(0.0).astype(float)
    return panel.sort_values(["athlete_id", "local_date"]).reset_index(drop=True)


def _contrast(fit, a: str, b: str) -> tuple[float, float, float, float]:
    """Estimate, CI and p of coefficient ``a`` − ``b`` from a :class:`MixedFit` (Wald z for MixedLM, else t)."""
    res = fit.result
    if res is None:
        return (np.nan,) * 4
    est = res.fe_params if fit.model.startswith("mixedlm") else res.params
    names = list(est.index)
    if a not in names or b not in names:
        return (np.nan,) * 4
    cov = res.cov_params().loc[names, names]
    b_hat = float(est[a] - est[b])
    se = float(np.sqrt(cov.loc[a, a] + cov.loc[b, b] - 2 * cov.loc[a, b]))
    if fit.model.startswith("mixedlm"):
        dist = stats.norm
    elif fit.model == "ols_cluster":  # as fit_mixed: t with (athletes − 1) df
        dist = stats.t(df=max(int(fit.effects["n_athletes"].iloc[0]) - 1, 1))
    else:
        dist = stats.t(df=max(int(res.df_resid), 1))
    crit = float(dist.ppf(0.975))
    p = float(2 * dist.sf(abs(b_hat / se))) if se > 0 else np.nan
    return b_hat, b_hat - crit * se, b_hat + crit * se, p


def soreness_after_sessions(data: PMData | pd.DataFrame) -> pd.DataFrame:
    r"""Next-morning soreness after strength vs running sessions, within athletes (PMData, partial H2).

    Parameters
    ----------
    data
        A :class:`PMData`, or a panel from :func:`session_day_panel`.

    Returns
    -------
    DataFrame
        Tidy effects (:data:`trailstrength.models.EFFECT_COLUMNS`), ``hypothesis == "H2"``, none primary:
        ``strength_session_within`` and ``running_session_within`` (soreness points, 0–10, the next morning
        after a day with that session vs a day without any session, same athlete), ``other_session_within``,
        ``soreness_today`` (carry-over per point), and the contrast ``strength_vs_running``.

    Notes
    -----
    For athlete :math:`i` and day :math:`d`,

    .. math::

        S_{i,d+1} = \beta_0 + \sum_k \beta_k (x_{k,id} - \bar x_{k,i}) + \sum_k \gamma_k \bar x_{k,i}
        + \rho S_{i,d} + u_i + \varepsilon_{id},

    with :math:`x_k` the day's strength / running / other session indicators and :math:`u_i` an athlete
    random intercept (:func:`trailstrength.models.fit_mixed`; plain OLS for a single athlete). The
    between-athlete means enter only with at least :data:`MIN_ATHLETES_FOR_BETWEEN` athletes; the centred
    terms are orthogonal to athlete means, so :math:`\beta` stays a within-athlete contrast without them.
    Adjusting for the same day's report makes :math:`\beta` a change in soreness; that report is usually
    the morning before the session, but PMSys does not guarantee it. Standard errors treat days as
    independent (no serial correlation). Observational: athletes choose their sessions, and soreness may
    steer them.
    """
    panel = data if isinstance(data, pd.DataFrame) else session_day_panel(data)
    kinds = [f"{k}_session" for k in SESSION_KINDS]
    panel = within_between(panel, kinds)
    terms = [f"{k}_within" for k in kinds] + ["soreness_today"]
    if panel["athlete_id"].nunique() >= MIN_ATHLETES_FOR_BETWEEN:
        terms += [f"{k}_between" for k in kinds]
    units = {f"{k}_within": f"soreness points (0–10) next morning, {k.split('_')[0]} day vs no-session day "
                            "(within athlete)" for k in kinds}
    units["soreness_today"] = "soreness points next morning per point today"
    fit = fit_mixed(panel, "soreness_next", terms, hypothesis="H2", units=units)
    eff = fit.effects
    eff = eff[~eff["term"].str.endswith("_between")].copy()
    counts = {k: int(panel[f"{k}_session"].sum()) for k in SESSION_KINDS}
    prefix = (f"PMData partial analysis (no hinge or descent data); session days: "
              f"strength {counts['strength']}, running {counts['running']}, other {counts['other']}")
    eff["note"] = prefix + "; " + eff["note"]
    b, lo, hi, p = _contrast(fit, "strength_session_within", "running_session_within")
    why = "" if np.isfinite(b) else ("; not estimable: no strength sessions in these data" if counts["strength"] == 0
                                     else "; not estimable: no running sessions in these data"
                                     if counts["running"] == 0 else "; not estimable")
    contrast = {"hypothesis": "H2", "outcome": "soreness_next", "term": "strength_vs_running", "estimate": b,
                "ci_low": lo, "ci_high": hi, "p_value": p,
                "unit": "soreness points (0–10) next morning, strength day minus running day (within athlete)",
                "n_athletes": int(eff["n_athletes"].iloc[0]), "n_obs": int(eff["n_obs"].iloc[0]),
                "model": fit.model, "converged": bool(fit.converged), "primary": False,
                "note": prefix + "; " + fit.note + why}
    out = pd.concat([eff, pd.DataFrame([contrast])], ignore_index=True)
    return out[EFFECT_COLUMNS].reset_index(drop=True)
