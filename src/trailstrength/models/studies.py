r"""Partial analyses of the public datasets (PMData, Lövdal et al. 2021): the models, fitted on shaped panels.

:mod:`trailstrength.datasets` loads each dataset and shapes the panel (``pmdata_study.session_day_panel``,
``lovdal_study.recovery_panel``, ``Lovdal.events``); the functions here fit them and return tidy effects
(:data:`~trailstrength.models.tidy.EFFECT_COLUMNS`), none primary.  Neither dataset records hinge exercises or
descents, so these answer neighbouring questions only (see the dataset cards):

* :func:`soreness_after_sessions` (PMData, partial H2): next-morning soreness after strength vs running days;
* :func:`recovery_after_strength` (Lövdal, partial H2): next-day perceived recovery after strength days;
* :func:`injury_odds` (Lövdal, H6): odds of an injury vs strength sessions in the 7 days before.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats

from trailstrength.models.mixed import MixedFit, fit_mixed, within_between
from trailstrength.models.tidy import EFFECT_COLUMNS

__all__ = [
    "MIN_ATHLETES_FOR_BETWEEN",
    "SESSION_KINDS",
    "injury_odds",
    "recovery_after_strength",
    "soreness_after_sessions",
]

#: Session kinds of the PMData day panel: one 0/1 column ``<kind>_session`` each.
SESSION_KINDS = ("strength", "running", "other")
#: below this many athletes the between-athlete means would use up the athlete-level degrees of freedom (and
#: leave the random-intercept variance unidentifiable); the within-centred terms alone are still within-athlete
MIN_ATHLETES_FOR_BETWEEN = 10


def _difference(fit: MixedFit, a: str, b: str) -> tuple[float, float, float, float]:
    """Estimate, 95 % CI and p of coefficient ``a`` − ``b`` (:meth:`MixedFit.contrast`); NaN when not estimable."""
    if fit.result is None:
        return (np.nan,) * 4
    try:
        return fit.contrast({a: 1.0, b: -1.0})
    except KeyError:  # a or b not estimated (no such sessions, or aliased)
        return (np.nan,) * 4


def soreness_after_sessions(panel: pd.DataFrame) -> pd.DataFrame:
    r"""Next-morning soreness after strength vs running sessions, within athletes (PMData, partial H2).

    Parameters
    ----------
    panel : pandas.DataFrame
        One row per athlete-day (``trailstrength.datasets.pmdata_study.session_day_panel``): ``athlete_id``,
        ``soreness_today`` and ``soreness_next`` (0–10), and a 0/1 column ``<kind>_session`` per
        :data:`SESSION_KINDS`.

    Returns
    -------
    pandas.DataFrame
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
    independent (no serial correlation). The contrast is a Wald test from the fit's covariance
    (:meth:`~trailstrength.models.mixed.MixedFit.contrast`). Observational: athletes choose their sessions,
    and soreness may steer them.
    """
    kinds = [f"{k}_session" for k in SESSION_KINDS]
    panel = within_between(panel, kinds)
    terms = [f"{k}_within" for k in kinds] + ["soreness_today"]
    if panel["athlete_id"].nunique() >= MIN_ATHLETES_FOR_BETWEEN:
        terms += [f"{k}_between" for k in kinds]
    units = {
        f"{k}_within": f"soreness points (0–10) next morning, {k.split('_')[0]} day vs no-session day (within athlete)"
        for k in kinds
    }
    units["soreness_today"] = "soreness points next morning per point today"
    fit = fit_mixed(panel, "soreness_next", terms, hypothesis="H2", units=units)
    eff = fit.effects
    eff = eff[~eff["term"].str.endswith("_between")].copy()
    counts = {k: int(panel[f"{k}_session"].sum()) for k in SESSION_KINDS}
    prefix = (
        f"PMData partial analysis (no hinge or descent data); session days: "
        f"strength {counts['strength']}, running {counts['running']}, other {counts['other']}"
    )
    eff["note"] = prefix + "; " + eff["note"]
    b, lo, hi, p = _difference(fit, "strength_session_within", "running_session_within")
    why = (
        ""
        if np.isfinite(b)
        else (
            "; not estimable: no strength sessions in these data"
            if counts["strength"] == 0
            else "; not estimable: no running sessions in these data"
            if counts["running"] == 0
            else "; not estimable"
        )
    )
    contrast = {
        "hypothesis": "H2",
        "outcome": "soreness_next",
        "term": "strength_vs_running",
        "estimate": b,
        "ci_low": lo,
        "ci_high": hi,
        "p_value": p,
        "unit": "soreness points (0–10) next morning, strength day minus running day (within athlete)",
        "n_athletes": int(eff["n_athletes"].iloc[0]),
        "n_obs": int(eff["n_obs"].iloc[0]),
        "model": fit.model,
        "converged": bool(fit.converged),
        "primary": False,
        "note": prefix + "; " + fit.note + why,
    }
    out = pd.concat([eff, pd.DataFrame([contrast])], ignore_index=True)
    return out[EFFECT_COLUMNS].reset_index(drop=True)


def recovery_after_strength(panel: pd.DataFrame) -> pd.DataFrame:
    r"""Next-day perceived recovery after a strength-training day, within athletes (Lövdal; tidy effects).

    Parameters
    ----------
    panel : pandas.DataFrame
        Athlete-days with the next day's recovery (``trailstrength.datasets.lovdal_study.recovery_panel``):
        ``athlete_id``, ``recovery_next`` (published rescaled units), ``strength_day`` (0/1), ``total_km``,
        ``km_z3_4``, ``km_z5_t1_t2`` (km) and ``hours_alternative`` (h).

    Returns
    -------
    pandas.DataFrame
        Tidy effects, ``hypothesis == "H2"``, none primary.

    Notes
    -----
    :math:`R_{i,d+1} = \beta_0 + \beta_w (s_{id} - \bar s_i) + \beta_b \bar s_i + \gamma' z_{id} + u_i +
    \varepsilon_{id}` with :math:`s` the strength-training indicator, :math:`z` the day's running km, km in
    zones 3–4 and 5–T2, and hours of alternative training, :math:`u_i` an athlete random intercept
    (:func:`trailstrength.models.fit_mixed`). Reported: :math:`\beta_w` in the published rescaled recovery
    units (higher = better recovered). Only days followed by a session carry a recovery score.
    """
    panel = within_between(panel, "strength_day")
    terms = ["strength_day_within", "total_km", "km_z3_4", "km_z5_t1_t2", "hours_alternative"]
    if panel["athlete_id"].nunique() >= MIN_ATHLETES_FOR_BETWEEN:
        terms.insert(1, "strength_day_between")
    units = {
        "strength_day_within": "perceived recovery next day (published rescaled units), strength day vs not "
        "(within athlete)",
        "strength_day_between": "perceived recovery per unit share of strength days (between athletes)",
        "total_km": "perceived recovery next day per km run",
        "km_z3_4": "per km in zones 3–4",
        "km_z5_t1_t2": "per km in zone 5 / T1 / T2",
        "hours_alternative": "per hour of alternative training",
    }
    fit = fit_mixed(panel, "recovery_next", terms, hypothesis="H2", units=units, primary_terms=())
    eff = fit.effects.copy()
    eff["note"] = "Lövdal et al. 2021 partial analysis (no exercise names, no descents); " + eff["note"]
    return eff[EFFECT_COLUMNS]


_INJURY_UNITS = {
    "strength_training_7d_within": "odds ratio per strength session in the 7 days before (within athlete)",
    "strength_training_7d_between": "odds ratio per unit of the athlete's mean weekly strength sessions",
    "run_10km_7d": "odds ratio per 10 km run in the 7 days before",
    "km_z5_t1_t2_7d": "odds ratio per km in zone 5 / T1 / T2 in the 7 days before",
    "sessions_7d": "odds ratio per session in the 7 days before",
}


def injury_odds(events: pd.DataFrame) -> pd.DataFrame:
    r"""Odds of an injury on a day vs strength sessions in the 7 days before it, within athletes (tidy effects).

    Parameters
    ----------
    events : pandas.DataFrame
        One row per athlete-day (``Lovdal.events``): ``athlete_id``, ``injury`` (1/0) and the 7-day sums
        ``strength_training_7d`` (sessions), ``total_km_7d``, ``km_z5_t1_t2_7d`` (km) and ``sessions_7d``.

    Returns
    -------
    pandas.DataFrame
        Tidy effects labelled H6 (strength-training dose and frequency), estimates as odds ratios; ``not_fitted``
        rows with NaN and the reason when there are fewer than 5 injury days or 2 athletes.

    Notes
    -----
    Logistic GEE with athlete clusters (independence working correlation, robust sandwich SEs):
    :math:`\operatorname{logit} P(\text{injury}_{id}) = \beta_0 + \beta_w (n_{id} - \bar n_i) + \beta_b \bar n_i
    + \gamma' z_{id}`, with :math:`n` the strength sessions in days d−7 … d−1 and :math:`z` the 7-day running
    km (per 10 km), km in zones 5–T2 and number of sessions. Estimates are odds ratios
    (:math:`e^{\beta}`, Wald CI from the robust SE, z test).
    """
    import statsmodels.api as sm

    ev = within_between(events.assign(run_10km_7d=events["total_km_7d"] / 10.0), "strength_training_7d")
    terms = [
        "strength_training_7d_within",
        "strength_training_7d_between",
        "run_10km_7d",
        "km_z5_t1_t2_7d",
        "sessions_7d",
    ]
    n_athletes = ev["athlete_id"].nunique()
    if n_athletes < 2:
        terms.remove("strength_training_7d_between")
    ev = ev.dropna(subset=[*terms, "injury"])
    base = {"hypothesis": "H6", "outcome": "injury", "n_athletes": n_athletes, "n_obs": len(ev), "primary": False}
    n_events = int(ev["injury"].sum())
    note = (
        f"Lövdal et al. 2021 partial analysis; {n_events} injury days in {len(ev)} athlete-days; logistic GEE, "
        f"athlete clusters ({n_athletes}), independence working correlation, robust SEs, Wald z"
    )
    rows = []
    if n_events < 5 or n_athletes < 2:
        why = f"not fitted: {n_events} injury days and {n_athletes} athletes (need >= 5 and >= 2)"
        for t in terms:
            rows.append(
                {
                    **base,
                    "term": t,
                    "estimate": np.nan,
                    "ci_low": np.nan,
                    "ci_high": np.nan,
                    "p_value": np.nan,
                    "unit": _INJURY_UNITS[t],
                    "model": "not_fitted",
                    "converged": False,
                    "note": f"{note}; {why}",
                }
            )
        return pd.DataFrame(rows, columns=EFFECT_COLUMNS)
    exog = sm.add_constant(ev[terms].astype(float))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = sm.GEE(
            ev["injury"].astype(float),
            exog,
            groups=ev["athlete_id"],
            family=sm.families.Binomial(),
            cov_struct=sm.cov_struct.Independence(),
        ).fit()
    converged = not any("converge" in str(w.message).lower() for w in caught)
    crit = float(stats.norm.ppf(0.975))
    for t in terms:
        b, se = float(res.params[t]), float(res.bse[t])
        rows.append(
            {
                **base,
                "term": t,
                "estimate": np.exp(b),
                "ci_low": np.exp(b - crit * se),
                "ci_high": np.exp(b + crit * se),
                "p_value": float(res.pvalues[t]),
                "unit": _INJURY_UNITS[t],
                "model": "gee_logit",
                "converged": converged,
                "note": note,
            }
        )
    return pd.DataFrame(rows, columns=EFFECT_COLUMNS)
