r"""One athlete (n-of-1): a time-series model of one athlete's runs, labelled as personal evidence.

With a single athlete there is no between-athlete comparison and no random effect to estimate; what is left is a
regression of the athlete's outcomes on their own exposure changes over the season.  Successive runs share slow
fitness drift and overlapping soreness windows, so their residuals are autocorrelated and ordinary OLS standard
errors are too small.  :func:`fit_personal` fits OLS with a linear season trend (weeks since the first run) and
heteroscedasticity-and-autocorrelation-consistent (Newey–West) standard errors over the runs in date order, with a
t reference on the residual degrees of freedom (DESIGN §8 v2, "one athlete").  The result describes this athlete's
season; it is not an estimate for runners in general.

References
----------
Newey W. K., West K. D. (1987). A simple, positive semi-definite, heteroskedasticity and autocorrelation
consistent covariance matrix. Econometrica 55:703–708.

Newey W. K., West K. D. (1994). Automatic lag selection in covariance matrix estimation. Review of Economic
Studies 61:631–653 (the lag rule :math:`\lfloor 4 (n/100)^{2/9} \rfloor`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.regression.linear_model import OLS

from trailstrength.models.mixed import MixedFit
from trailstrength.models.tidy import complete_cases, effects_frame, estimable_terms, rows_from_estimates

__all__ = ["PERSONAL_MODEL", "PERSONAL_NOTE", "fit_personal", "newey_west_lags", "personal_terms", "runs_needed"]

PERSONAL_MODEL = "ols_hac_personal"
PERSONAL_NOTE = "personal evidence (one athlete): describes this athlete's season, not runners in general"


def newey_west_lags(n: int) -> int:
    """Newey & West (1994) lag rule: floor(4 (n / 100)^(2/9)), at least 1."""
    return max(1, int(np.floor(4.0 * (n / 100.0) ** (2.0 / 9.0))))


def personal_terms(exposure: str, covariates: Sequence[str]) -> list[str]:
    """The terms of :func:`fit_personal`: the centred exposure, the covariates and the season trend."""
    return list(dict.fromkeys([f"{exposure}_within", *covariates, "season_weeks"]))


def runs_needed(n_terms: int) -> int:
    """Complete runs :func:`fit_personal` needs for ``n_terms`` terms: one per term, the intercept, 2 residual df."""
    return n_terms + 3


def fit_personal(
    panel: pd.DataFrame,
    outcome: str,
    exposure: str,
    covariates: Sequence[str],
    *,
    hypothesis: str,
    units: Mapping[str, str],
) -> MixedFit:
    r"""OLS of one athlete's runs with a season trend and Newey–West standard errors.

    Parameters
    ----------
    panel : pandas.DataFrame
        One athlete's panel rows (``athlete_id``, ``local_date``, ``outcome``, ``exposure``, covariates).
    outcome, exposure : str
        Outcome and exposure columns; the exposure enters centred on the athlete's mean and is reported as
        ``<exposure>_within`` (the same term as the cohort models, so it is the primary row).
    covariates : sequence of str
        Adjustment columns (linear); ``season_weeks`` (weeks since the first row) is always added.
    hypothesis : str
        Label of the rows.
    units : mapping
        Unit per term.

    Returns
    -------
    MixedFit
        ``model = "ols_hac_personal"``, note saying it is personal evidence, with the HAC lag and the df.

    Notes
    -----
    :math:`y_t = \beta_0 + \beta_W (h_t - \bar h) + \gamma^\top c_t + \tau\, w_t + \varepsilon_t` over the runs
    :math:`t` in date order, :math:`w_t` weeks since the first run; the covariance of :math:`\hat\beta` is the
    Bartlett-kernel HAC estimator with :func:`newey_west_lags` lags (in runs, not days: runs are irregularly spaced,
    so the lag is a count of neighbouring runs), CIs and p from :math:`t_{n-k}`.
    """
    if panel["athlete_id"].nunique() != 1:
        raise ValueError(f"fit_personal: one athlete expected, got {panel['athlete_id'].nunique()}")
    within = f"{exposure}_within"
    date = pd.to_datetime(panel["local_date"])
    data = panel.assign(season_weeks=(date - date.min()).dt.days / 7.0, _order=date)
    data[within] = data[exposure] - data[exposure].mean()
    terms = personal_terms(exposure, covariates)
    data = data.sort_values("_order", kind="stable")
    used, notes = complete_cases(data, outcome, terms, "athlete_id", f"fit_personal ({hypothesis})")
    used[within] = used[within] - used[within].mean()
    base = {"hypothesis": hypothesis, "outcome": outcome, "n_athletes": 1, "n_obs": len(used)}
    row_kwargs = dict(terms=terms, base=base, units=units, primary_terms=(within,), outcome=outcome)
    if len(used) < runs_needed(len(terms)):
        note = f"{PERSONAL_NOTE}; too few runs ({len(used)} < {runs_needed(len(terms))}); nothing fitted"
        rows = rows_from_estimates({}, {}, dist=stats.norm, note=note, aliased=terms, **row_kwargs)
        for r in rows:
            r.update(model="not_fitted", converged=False)
        return MixedFit(effects_frame(rows), None, False, note, "not_fitted", hypothesis)
    kept, aliased = estimable_terms(used, terms)
    exog = pd.concat([pd.Series(1.0, index=used.index, name="Intercept"), used[kept]], axis=1)
    lags = newey_west_lags(len(used))
    result = OLS(used[outcome], exog).fit(cov_type="HAC", cov_kwds={"maxlags": lags}, use_t=True)
    dist = stats.t(df=result.df_resid)
    notes.append(
        f"{PERSONAL_NOTE}; OLS with a season trend (season_weeks), Newey-West HAC SEs over the runs in date order "
        f"({lags} lag{'s' if lags > 1 else ''}), t with {int(result.df_resid)} df"
    )
    if aliased:
        notes.append(f"not estimable (constant or collinear): {', '.join(aliased)}")
    note = "; ".join(notes)
    rows = rows_from_estimates(result.params, result.bse, dist=dist, note=note, aliased=aliased, **row_kwargs)
    for r in rows:
        r.update(model=PERSONAL_MODEL, converged=True)
    header = f"{hypothesis}: {outcome} ~ {' + '.join(terms)} (one athlete, HAC)\nmodel fitted: {PERSONAL_MODEL}"
    athletes = tuple(pd.unique(used["athlete_id"]))
    return MixedFit(effects_frame(rows), result, True, note, PERSONAL_MODEL, header, athletes, dist)
