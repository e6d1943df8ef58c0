"""Generic linear mixed models with honest convergence handling and tidy effects.

The primary analyses (DESIGN §8) are random-intercept linear mixed models with the
exposure split into a within-athlete and a between-athlete part.  This module holds the
parts that do not know about any hypothesis:

- :func:`within_between` splits a column into an athlete mean and a deviation from it;
- :func:`fit_mixed` fits ``outcome ~ terms`` with a random intercept (optionally a random
  slope) per athlete, walks a documented fallback chain when the fit is not trustworthy,
  and returns one tidy row per fixed term (:data:`EFFECT_COLUMNS`).

Nothing is standardised: every coefficient is in the units of the panel's columns.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.regression.linear_model import OLS
from statsmodels.regression.mixed_linear_model import MixedLM

from trailstrength.models.tidy import (
    EFFECT_COLUMNS,
    complete_cases,
    effects_frame,
    estimable_terms,
    numeric_columns,
    rows_from_estimates,
)

__all__ = [
    "EFFECT_COLUMNS",
    "OPTIMIZERS",
    "BOUNDARY_RATIO",
    "MixedFit",
    "within_between",
    "fit_mixed",
    "numeric_columns",
]


#: Optimisers tried in order for each random-effects structure.
OPTIMIZERS = ("lbfgs", "bfgs", "powell", "nm")

#: A variance component whose share of the residual variance is below this is treated
#: as estimated on the boundary (zero).  Relative, because statsmodels' own warning uses
#: an absolute 0.01 that fires for every outcome with a small scale (DPI, for one).
BOUNDARY_RATIO = 1e-4

_WALD_NOTE = "Wald z CI and p, no small-sample correction"
_Z975 = float(stats.norm.ppf(0.975))


@dataclass
class MixedFit:
    """Outcome of :func:`fit_mixed`.

    Attributes
    ----------
    effects : pandas.DataFrame
        One row per fixed term (intercept excluded), columns :data:`EFFECT_COLUMNS`.
    result : object or None
        The statsmodels results object of the model finally fitted, or None when nothing
        could be fitted.
    converged : bool
        Whether the model finally fitted is numerically trustworthy.
    note : str
        Sample sizes, rows dropped, every fallback taken and why, inference method.
    model : str
        ``"mixedlm_rs"``, ``"mixedlm_ri"``, ``"ols_cluster"``, ``"ols"`` (single athlete)
        or ``"not_fitted"``.
    header : str
        First lines of :attr:`summary_text`: the model formula and the model fitted.
    athletes : tuple
        Athletes with complete rows, in order of first appearance (the model's clusters).
    dist : scipy distribution
        Reference distribution of the Wald CIs and p-values (normal, or t for the OLS fits).
    summary_text : str
        Plain-text header, statsmodels summary and the note (built on first access:
        the statsmodels summary costs as much as the fit, which matters in bootstraps
        and power simulations).
    """

    effects: pd.DataFrame
    result: object | None
    converged: bool
    note: str
    model: str = "not_fitted"
    header: str = ""
    athletes: tuple = ()
    dist: object = stats.norm

    def contrast(self, weights: Mapping[str, float], level: float = 0.95) -> tuple[float, float, float, float]:
        """Wald estimate, CI and p of a linear combination of fixed effects, e.g. ``{"a": 1, "b": -1}``.

        Uses the fit's covariance and reference distribution; raises KeyError for a term the model did not
        estimate (aliased or absent).
        """
        names = list(self.result.model.exog_names)
        missing = [t for t in weights if t not in names]
        if missing:
            raise KeyError(", ".join(missing))
        params = self.result.fe_params if self.model.startswith("mixedlm") else self.result.params
        cov = np.asarray(self.result.cov_params(), dtype=float)[: len(names), : len(names)]
        c = np.zeros(len(names))
        for t, w in weights.items():
            c[names.index(t)] = w
        est, se = float(c @ np.asarray(params, dtype=float)), float(np.sqrt(c @ cov @ c))
        q = float(self.dist.ppf(0.5 + level / 2))
        p = float(2 * self.dist.sf(abs(est / se))) if se > 0 else np.nan
        return est, est - q * se, est + q * se, p

    @cached_property
    def summary_text(self) -> str:
        if self.result is None:
            return f"{self.header}: {self.note}\n"
        with warnings.catch_warnings():
            # the OLS summary's overall F test warns with few clusters; the note covers that
            warnings.simplefilter("ignore")
            body = self.result.summary().as_text()
        return f"{self.header}\n{body}\nNote: {self.note}\n"


def within_between(panel: pd.DataFrame, columns: Sequence[str] | str, group: str = "athlete_id") -> pd.DataFrame:
    r"""Split columns into within-athlete deviations and between-athlete means.

    Parameters
    ----------
    panel : pandas.DataFrame
        One row per observation (run), with a ``group`` column.
    columns : sequence of str or str
        Numeric columns to split.
    group : str, default "athlete_id"
        Column identifying the athlete.

    Returns
    -------
    pandas.DataFrame
        A copy of ``panel`` with ``f"{c}_within"`` and ``f"{c}_between"`` added for each
        column, in the units of ``c``.

    Notes
    -----
    For athlete :math:`i` and run :math:`j`,

    .. math::

        \bar x_i = \frac{1}{n_i} \sum_{j:\,x_{ij}\ \text{observed}} x_{ij}, \qquad
        x^{b}_{ij} = \bar x_i, \qquad x^{w}_{ij} = x_{ij} - \bar x_i .

    Missing values are skipped when averaging; a missing :math:`x_{ij}` gives a missing
    within part but keeps the athlete's between part; an athlete with no observed value
    gets missing for both.  Putting both parts in one model (Mundlak 1978; Bell & Jones
    2015) lets the within coefficient estimate the association of an athlete's
    *changes* in exposure with their outcome, free of stable between-athlete confounders.
    Compute the parts on the rows that enter the model, otherwise the within part does
    not average to zero per athlete in the analysis sample.

    References
    ----------
    Mundlak Y. (1978). On the pooling of time series and cross section data.
    Econometrica 46:69–85.

    Bell A., Jones K. (2015). Explaining fixed effects: random effects modeling of
    time-series cross-sectional and panel data. Political Science Research and Methods
    3:133–153.
    """
    if isinstance(columns, str):
        columns = [columns]
    missing = [c for c in [group, *columns] if c not in panel.columns]
    if missing:
        raise KeyError(f"within_between: panel has no column(s) {missing}; available: {list(panel.columns)}")
    out = panel.copy()
    for c in columns:
        values = numeric_columns(out, [c], "within_between")[c]
        mean = values.groupby(out[group], sort=False, dropna=False).transform("mean")
        out[f"{c}_between"] = mean
        out[f"{c}_within"] = values - mean
    return out


# --------------------------------------------------------------------------- helpers


def _diagnose(result, warns: list[str], slope_var_x: float | None) -> tuple[str, str]:
    """Classify a MixedLM fit: ("ok" | "boundary" | "failed", reason)."""
    if not bool(getattr(result, "converged", False)):
        return "failed", "optimiser did not converge"
    if not np.isfinite(float(getattr(result, "llf", np.nan))):
        # statsmodels' lbfgs can stop at a degenerate point (variance 0, llf = +inf) that is no optimum at all
        return "failed", "non-finite log-likelihood (degenerate optimiser result)"
    fe = np.asarray(result.fe_params, dtype=float)
    bse = np.asarray(result.bse_fe, dtype=float)
    if not (np.all(np.isfinite(fe)) and np.all(np.isfinite(bse))):
        return "failed", "non-finite fixed-effect estimates or standard errors"
    scale = float(result.scale)
    cov_re = np.asarray(result.cov_re, dtype=float)
    if not (np.isfinite(scale) and scale > 0 and np.all(np.isfinite(cov_re))):
        return "failed", "non-finite variance estimates"
    ratio_ri = cov_re[0, 0] / scale
    if ratio_ri < BOUNDARY_RATIO:
        return "boundary", (
            f"random-intercept variance at the boundary (variance / residual = {ratio_ri:.1e} < {BOUNDARY_RATIO:g})"
        )
    if cov_re.shape[0] > 1:
        ratio_rs = cov_re[1, 1] * (slope_var_x or 0.0) / scale
        if ratio_rs < BOUNDARY_RATIO:
            return "boundary", (
                f"random-slope variance at the boundary (slope variance x Var(x) / residual = {ratio_rs:.1e})"
            )
        eig = np.linalg.eigvalsh(cov_re)
        corr = cov_re[0, 1] / np.sqrt(cov_re[0, 0] * cov_re[1, 1])
        if eig.min() <= 1e-8 * eig.max() or abs(corr) > 0.999:
            return "boundary", f"random-effects covariance not positive definite (corr = {corr:.3f})"
    if any("Hessian matrix" in w and "not positive definite" in w for w in warns):
        return "failed", "Hessian not positive definite (standard errors unreliable)"
    return "ok", ""


def _fit_one(endog, exog, groups, exog_re, method: str, reml: bool):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            model = MixedLM(endog, exog, groups=groups, exog_re=exog_re)
            result = model.fit(reml=reml, method=method)
        except (np.linalg.LinAlgError, ValueError, ZeroDivisionError, FloatingPointError) as exc:
            return None, [], f"{type(exc).__name__}: {exc}"
    return result, [str(w.message) for w in caught], ""


def _mixed_chain(endog, exog, groups, data, random_slope, methods, reml):
    """Try random slope (if any) then random intercept, each with every optimiser.

    Returns (result or None, model name, notes describing every rejection).
    """
    notes: list[str] = []
    structures: list[tuple[str, str | None]] = []
    if random_slope is not None:
        structures.append(("mixedlm_rs", random_slope))
    structures.append(("mixedlm_ri", None))
    for name, slope in structures:
        exog_re, slope_var = None, None
        if slope is not None:
            exog_re = pd.concat([pd.Series(1.0, index=data.index, name="Intercept"), data[[slope]]], axis=1)
            slope_var = float(data[slope].var())
        label = f"random slope on {slope}" if slope else "random intercept"
        reasons, boundaries = [], 0
        for method in methods:
            res, warns, err = _fit_one(endog, exog, groups, exog_re, method, reml)
            if res is None:
                reasons.append(f"{method}: {err}")
                continue
            with warnings.catch_warnings():
                # bse of a degenerate fit warns "invalid value in sqrt"; _diagnose reports it
                warnings.simplefilter("ignore")
                status, reason = _diagnose(res, warns, slope_var)
            if status == "ok":
                if reasons:
                    notes.append(f"{label} model: earlier optimisers rejected ({'; '.join(reasons)})")
                notes.append(f"fitted {name} ({'REML' if reml else 'ML'}, {method})")
                return res, name, notes
            reasons.append(f"{method}: {reason}")
            boundaries += status == "boundary"
            if boundaries == 2:
                break  # two optimisers agree that the optimum itself is on the boundary
        notes.append(f"{label} model rejected ({'; '.join(reasons)})")
    return None, "not_fitted", notes


# --------------------------------------------------------------------------- fitting


def fit_mixed(
    panel: pd.DataFrame,
    outcome: str,
    terms: Sequence[str],
    *,
    group: str = "athlete_id",
    hypothesis: str,
    units: Mapping[str, str],
    primary_terms: Sequence[str] = (),
    random_slope: str | None = None,
    reml: bool = True,
    methods: Sequence[str] = OPTIMIZERS,
) -> MixedFit:
    r"""Fit a linear mixed model with an athlete random intercept and tidy the effects.

    Parameters
    ----------
    panel : pandas.DataFrame
        One row per observation, holding ``outcome``, ``group`` and every term.
    outcome : str
        Outcome column.
    terms : sequence of str
        Fixed-effect columns (an intercept is always added and not reported).
    group : str, default "athlete_id"
        Athlete column; one random intercept per level.
    hypothesis : str
        Label written to the ``hypothesis`` column, e.g. ``"H1"``.
    units : mapping of str to str
        Unit of each coefficient, e.g. ``{"hinge_sets_28d_within": "dpi per weekly set"}``;
        a missing term gets ``"<outcome> per unit of <term>"``.
    primary_terms : sequence of str, default ()
        Terms whose row gets ``primary=True``.
    random_slope : str or None, default None
        A term that also gets a random slope per athlete (correlated with the intercept).
    reml : bool, default True
        Restricted maximum likelihood (True) or maximum likelihood.
    methods : sequence of str, default :data:`OPTIMIZERS`
        Optimisers tried in order for each random-effects structure.

    Returns
    -------
    MixedFit
        Tidy effects, the statsmodels result, summary text, convergence flag and note.

    Raises
    ------
    KeyError
        When ``panel`` lacks the outcome, the group or a term column.
    ValueError
        When ``terms`` is empty or has duplicates, or ``random_slope`` /
        ``primary_terms`` name a term not in ``terms``.

    Notes
    -----
    The model for run :math:`j` of athlete :math:`i` is

    .. math::

        y_{ij} = \beta_0 + \sum_k \beta_k x_{k,ij} + u_{0i} + u_{1i} z_{ij}
        + \varepsilon_{ij}, \quad
        (u_{0i}, u_{1i}) \sim N(0, G), \quad \varepsilon_{ij} \sim N(0, \sigma^2),

    with :math:`u_{1i} z_{ij}` present only when ``random_slope`` is given.  Rows with a
    missing or infinite value in any used column are dropped (counted in the note).  A
    term constant or collinear with others in the sample is reported with NaN.

    Trust checks on each MixedLM fit: optimiser convergence; a finite log-likelihood;
    finite fixed effects and standard errors; random-intercept variance not on the boundary
    (:math:`\hat\tau_0^2/\hat\sigma^2 \ge` :data:`BOUNDARY_RATIO`); for a random
    slope, :math:`\hat\tau_1^2 \operatorname{Var}(z)/\hat\sigma^2 \ge`
    :data:`BOUNDARY_RATIO` and :math:`G` positive definite with
    :math:`|\hat\rho| \le 0.999`; a positive-definite Hessian.  Fallback order: the
    next optimiser in ``methods`` (until two of them put the optimum on the boundary:
    statsmodels' lbfgs alone reported zero intercept variance with an infinite
    log-likelihood in 26 of 100 simulated 12-athlete H2 cohorts where bfgs, powell, nm
    and lme4 agree on a clearly positive one), then the random slope is dropped, then OLS with
    athlete-clustered standard errors (CR1, t with :math:`G-1` degrees of freedom).  With a
    single athlete, plain OLS is fitted.  With fewer than ``len(terms) + 3`` complete rows
    the effects are NaN.

    MixedLM intervals are Wald: :math:`\hat\beta \pm z_{0.975}\,\widehat{se}`, p from
    :math:`N(0,1)`, no small-sample (Kenward–Roger / Satterthwaite) correction.
    """
    terms = list(terms)
    if not terms:
        raise ValueError("fit_mixed: terms is empty; give at least one fixed-effect column")
    if len(set(terms)) != len(terms):
        raise ValueError(f"fit_mixed: duplicate terms in {terms}")
    if random_slope is not None and random_slope not in terms:
        raise ValueError(f"fit_mixed: random_slope {random_slope!r} is not one of the terms {terms}")
    bad_primary = [t for t in primary_terms if t not in terms]
    if bad_primary:
        raise ValueError(f"fit_mixed: primary_terms {bad_primary} are not among the terms {terms}")
    data, notes = complete_cases(panel, outcome, terms, group, f"fit_mixed ({hypothesis})")
    n_obs = len(data)
    n_athletes = int(data[group].nunique())

    base = {
        "hypothesis": hypothesis,
        "outcome": outcome,
        "n_athletes": n_athletes,
        "n_obs": n_obs,
    }
    row_kwargs = dict(terms=terms, base=base, units=units, primary_terms=primary_terms, outcome=outcome)

    if n_obs < len(terms) + 3:
        notes.append(f"too few complete rows to fit ({n_obs} < {len(terms) + 3} = terms + 3); nothing fitted")
        note = "; ".join(notes)
        rows = rows_from_estimates({}, {}, dist=stats.norm, note=note, aliased=terms, **row_kwargs)
        for r in rows:  # the per-row "not estimable" suffix would be redundant here
            r.update(note=note, model="not_fitted", converged=False)
        return MixedFit(effects_frame(rows), None, False, note, "not_fitted", hypothesis)

    kept, aliased = estimable_terms(data, terms)
    if aliased:
        notes.append(f"not estimable (constant or collinear in this sample): {', '.join(aliased)}")
    if random_slope in aliased:
        notes.append(f"random slope on {random_slope} impossible: term not estimable")
        random_slope = None

    endog = data[outcome]
    exog = pd.concat([pd.Series(1.0, index=data.index, name="Intercept"), data[kept]], axis=1)
    groups = data[group].to_numpy()

    result = None
    model_name = "not_fitted"
    converged = False
    inference = _WALD_NOTE
    dist = stats.norm

    if n_athletes < 2:
        notes.append(
            "only 1 athlete: fitted OLS on this athlete's runs (no random effects, no "
            "between-athlete inference; SEs assume independent runs)"
        )
        result = OLS(endog, exog).fit()
        model_name, converged = "ols", True
        dist = stats.t(df=result.df_resid)
        inference = f"OLS t CI and p, {int(result.df_resid)} df"
    else:
        result, model_name, chain_notes = _mixed_chain(endog, exog, groups, data, random_slope, methods, reml)
        notes.extend(chain_notes)
        converged = result is not None
        if result is None:
            result = OLS(endog, exog).fit(cov_type="cluster", cov_kwds={"groups": pd.factorize(groups)[0]}, use_t=True)
            model_name, converged = "ols_cluster", True
            df = n_athletes - 1
            dist = stats.t(df=df)
            inference = f"fell back to OLS with athlete-clustered SEs (CR1), t with {df} df"
            if n_athletes < 20:
                inference += f"; only {n_athletes} clusters, cluster-robust SEs may be too small"

    notes.append(inference)
    note = "; ".join(notes)

    if model_name.startswith("mixedlm"):
        est, se = result.fe_params, result.bse_fe
    else:
        est, se = result.params, result.bse
    rows = rows_from_estimates(est, se, dist=dist, note=note, aliased=aliased, **row_kwargs)
    for r in rows:
        r.update(model=model_name, converged=converged)
    effects = effects_frame(rows)

    structure = {
        "mixedlm_rs": f" + (1 + {random_slope} | {group})",
        "mixedlm_ri": f" + (1 | {group})",
        "ols_cluster": f", SEs clustered by {group}",
    }.get(model_name, "")
    header = f"{hypothesis}: {outcome} ~ {' + '.join(terms)}{structure}\nmodel fitted: {model_name}"
    return MixedFit(effects, result, converged, note, model_name, header, tuple(pd.unique(groups)), dist)
