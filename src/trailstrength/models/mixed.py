"""Generic linear mixed models with honest convergence handling and tidy effects.

The primary analyses (DESIGN §8) are random-intercept linear mixed models with the
exposure split into a within-athlete and a between-athlete part.  This module holds the
parts that do not know about any hypothesis:

- :func:`within_between` (from :mod:`~trailstrength.models.within_between`) splits a column into an athlete
  mean and a deviation from it;
- :func:`fit_mixed` fits ``outcome ~ terms`` with a random intercept (optionally a random
  slope, kept by its fit or by a likelihood-ratio test) per athlete, walks a documented fallback chain when the
  fit is not trustworthy, and returns one tidy row per fixed term (:data:`EFFECT_COLUMNS`) in a
  :class:`~trailstrength.models.mixed_result.MixedFit`, with Wald z or small-sample inference.

Nothing is standardised: every coefficient is in the units of the panel's columns.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.regression.linear_model import OLS
from statsmodels.regression.mixed_linear_model import MixedLMParams

from trailstrength.models.fast_mixedlm import FastMixedLM
from trailstrength.models.mixed_result import INFERENCE_METHODS, INFERENCE_NOTES, MixedFit, apply_inference
from trailstrength.models.tidy import (
    EFFECT_COLUMNS,
    complete_cases,
    effects_frame,
    estimable_terms,
    numeric_columns,
    rows_from_estimates,
)
from trailstrength.models.within_between import within_between

__all__ = [
    "EFFECT_COLUMNS",
    "OPTIMIZERS",
    "BOUNDARY_RATIO",
    "INFERENCE_METHODS",
    "SLOPE_SELECTIONS",
    "SLOPE_TEST_ALPHA",
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

#: How a requested random slope is kept: ``"fit"`` whenever its fit passes the trust checks (v1), ``"lrt"`` only
#: when a boundary-corrected REML likelihood-ratio test against the intercept-only model supports it.
SLOPE_SELECTIONS = ("fit", "lrt")

#: Level of the random-slope likelihood-ratio test (``slope_selection="lrt"``).
SLOPE_TEST_ALPHA = 0.05

#: ``2 (logL_slope - logL_intercept)`` below this (a slope fit under the nested model's optimum) is an
#: optimiser failure, not a likelihood ratio.
_LLF_TOLERANCE = 1e-4

_WALD_NOTE = "Wald z CI and p, no small-sample correction"


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


def _fit_one(endog, exog, groups, exog_re, method: str, reml: bool, start=None):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            model = FastMixedLM(endog, exog, groups=groups, exog_re=exog_re)
            result = model.fit(reml=reml, method=method, start_params=start)
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


def _candidates(endog, exog, groups, exog_re, slope_var, tries, reml, label):
    """Fit every (optimiser, start) in ``tries``; (best usable fit or None, its status, notes).

    A fit is usable when :func:`_diagnose` does not call it failed; among usable fits the highest REML
    log-likelihood wins (an optimiser that stopped early is not preferred just because it came first).
    """
    best, best_status, reasons = None, "failed", []
    for method, start, start_label in tries:
        res, warns, err = _fit_one(endog, exog, groups, exog_re, method, reml, start)
        if res is None:
            reasons.append(f"{method}{start_label}: {err}")
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # bse of a degenerate fit warns "invalid value in sqrt"
            status, reason = _diagnose(res, warns, slope_var)
        if status == "failed":
            reasons.append(f"{method}{start_label}: {reason}")
        elif best is None or res.llf > best.llf:
            best, best_status = res, status
            if status == "boundary":
                reasons.append(f"{method}{start_label}: {reason}")
    notes = [f"{label}: rejected fits ({'; '.join(reasons)})"] if reasons else []
    return best, best_status, notes


def _slope_start(ri, n_fe: int, slope_var: float):
    """Start the slope model at the intercept-only optimum plus a slope variance of 10 % of the residual's."""
    cov = np.zeros((2, 2))
    cov[0, 0] = float(np.asarray(ri.cov_re)[0, 0]) / ri.scale
    cov[1, 1] = 0.1 / slope_var if slope_var > 0 else 0.1
    return MixedLMParams.from_components(fe_params=np.zeros(n_fe), cov_re=cov)


def _slope_by_lrt(endog, exog, groups, data, slope, methods, reml, alpha=SLOPE_TEST_ALPHA):
    r"""Random slope kept only when a boundary-corrected REML likelihood-ratio test supports it.

    Returns (result or None, model name, notes, test dict); ``None`` when neither structure is usable, so the
    caller falls back to OLS as the v1 chain does.
    """
    two = [(m, None, "") for m in list(methods)[:2]]
    ri, ri_status, notes = _candidates(endog, exog, groups, None, None, two, reml, "random intercept model")
    exog_re = pd.concat([pd.Series(1.0, index=data.index, name="Intercept"), data[[slope]]], axis=1)
    slope_var = float(data[slope].var())
    tries = list(two)
    if ri is not None:
        tries.append((two[0][0], _slope_start(ri, exog.shape[1], slope_var), " from the intercept-only optimum"))
    rs, rs_status, rs_notes = _candidates(
        endog, exog, groups, exog_re, slope_var, tries, reml, f"random slope on {slope} model"
    )
    notes += rs_notes
    test = {
        "statistic": np.nan,
        "p_value": np.nan,
        "llf_slope": float(rs.llf) if rs is not None else np.nan,
        "llf_intercept": float(ri.llf) if ri is not None else np.nan,
        "kept": False,
    }
    label = f"random slope on {slope}"
    if ri is None:
        keep = rs is not None and rs_status == "ok"
        notes.append(
            f"{label}: no usable intercept-only fit to test against; slope "
            f"{'kept (its fit passed every check)' if keep else 'not kept'}"
        )
    elif rs is None or rs.llf < ri.llf - _LLF_TOLERANCE / 2:
        keep = False
        below = "" if rs is None else f" (best slope logL {rs.llf:.4f} < intercept-only {ri.llf:.4f}: not the optimum)"
        notes.append(f"{label}: no slope fit at or above the intercept-only log-likelihood{below}; not kept")
        test.update(statistic=0.0, p_value=1.0)
    else:
        stat = max(0.0, 2 * float(rs.llf - ri.llf))
        p = float(0.5 * stats.chi2.sf(stat, 1) + 0.5 * stats.chi2.sf(stat, 2))
        keep = p < alpha and rs_status == "ok"
        test.update(statistic=stat, p_value=p)
        why = "kept" if keep else ("not kept" if p >= alpha else f"not kept (slope fit {rs_status})")
        notes.append(
            f"{label}: REML LRT vs intercept-only 2dlogL = {stat:.3f}, p = {p:.3g} "
            f"(50:50 chi2(1):chi2(2)); {why} at {alpha:g}"
        )
    test["kept"] = keep
    if keep:
        notes.append(f"fitted mixedlm_rs ({'REML' if reml else 'ML'}, best of {len(tries)} fits)")
        return rs, "mixedlm_rs", notes, test
    if ri is not None and ri_status == "ok":
        notes.append(f"fitted mixedlm_ri ({'REML' if reml else 'ML'}, best of {len(two)} fits)")
        return ri, "mixedlm_ri", notes, test
    # the intercept-only model is on the boundary or failed with two optimisers: the v1 chain's remaining ones
    res, name, chain_notes = _mixed_chain(endog, exog, groups, data, None, list(methods)[2:], reml)
    return res, name, notes + chain_notes, test


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
    slope_selection: str = "fit",
    inference: str = "wald",
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
    slope_selection : {"fit", "lrt"}, default "fit"
        How a ``random_slope`` is kept (:data:`SLOPE_SELECTIONS`): ``"fit"`` (v1) whenever its first trusted fit
        passes the checks; ``"lrt"`` only when the REML likelihood-ratio test against the intercept-only model,
        both fitted with two optimisers (and the slope model also from the intercept-only optimum), rejects at
        :data:`SLOPE_TEST_ALPHA` (see Notes).
    inference : {"wald", "satterthwaite", "kenward-roger", "cr2"}, default "wald"
        CI and p of the effects (:data:`INFERENCE_METHODS`, described in :mod:`trailstrength.models.mixed_result`).
        The ``df`` column holds each row's degrees of freedom (empty for Wald z); :meth:`MixedFit.tests` gives the
        other methods for the same fit.

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

    With ``inference="wald"`` MixedLM intervals are Wald: :math:`\hat\beta \pm z_{0.975}\,\widehat{se}`, p
    from :math:`N(0,1)`, no small-sample correction; the other choices use :math:`t_\nu` with per-term
    :math:`\nu` (Satterthwaite, Kenward–Roger or Bell–McCaffrey).

    Random-slope test (``slope_selection="lrt"``): :math:`T = 2(\ell_{RS} - \ell_{RI})` of the REML fits (same
    fixed effects, so REML log-likelihoods compare), referred to the 50:50 mixture of :math:`\chi^2_1` and
    :math:`\chi^2_2`: under the null the slope variance sits on the boundary of its space and the covariance is
    unidentified (Self & Liang 1987; Stram & Lee 1994), so :math:`p = \tfrac12 P(\chi^2_1 > T) +
    \tfrac12 P(\chi^2_2 > T)`.  The best log-likelihood over the optimisers and starts counts; a slope fit below
    the intercept-only optimum is an optimiser failure and never kept.  The note and :attr:`MixedFit.slope_test`
    carry :math:`T` and p.

    References
    ----------
    Stram D. O., Lee J. W. (1994). Variance components testing in the longitudinal mixed effects model.
    Biometrics 50:1171–1177.

    Self S. G., Liang K.-Y. (1987). Asymptotic properties of maximum likelihood estimators and likelihood ratio
    tests under nonstandard conditions. JASA 82:605–610.
    """
    terms = list(terms)
    _check_arguments(terms, random_slope, primary_terms, slope_selection, inference)
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
        effects = effects_frame(rows)
        return MixedFit(effects, None, False, note, "not_fitted", hypothesis, inference=inference)

    kept, aliased = estimable_terms(data, terms)
    if aliased:
        notes.append(f"not estimable (constant or collinear in this sample): {', '.join(aliased)}")
    if random_slope in aliased:
        notes.append(f"random slope on {random_slope} impossible: term not estimable")
        random_slope = None

    endog = data[outcome]
    exog = pd.concat([pd.Series(1.0, index=data.index, name="Intercept"), data[kept]], axis=1)
    groups = data[group].to_numpy()
    result, model_name, dist, slope_test, fit_notes = _fit_structure(
        endog, exog, groups, data, random_slope, methods, reml, slope_selection, inference
    )
    notes.extend(fit_notes)
    note = "; ".join(notes)

    if model_name.startswith("mixedlm"):
        est, se = result.fe_params, result.bse_fe
    else:
        est, se = result.params, result.bse
    rows = rows_from_estimates(est, se, dist=dist, note=note, aliased=aliased, **row_kwargs)
    for r in rows:
        r.update(model=model_name, converged=result is not None)
    structure = {
        "mixedlm_rs": f" + (1 + {random_slope} | {group})",
        "mixedlm_ri": f" + (1 | {group})",
        "ols_cluster": f", SEs clustered by {group}",
    }.get(model_name, "")
    header = f"{hypothesis}: {outcome} ~ {' + '.join(terms)}{structure}\nmodel fitted: {model_name}"
    fit = MixedFit(
        effects_frame(rows),
        result,
        True,
        note,
        model_name,
        header,
        tuple(pd.unique(groups)),
        dist,
        inference=inference,
        groups=groups,
        slope_test=slope_test,
    )
    if inference != "wald":
        fit.effects = apply_inference(fit.effects, fit.tests(inference))
    return fit


def _check_arguments(terms, random_slope, primary_terms, slope_selection, inference) -> None:
    if not terms:
        raise ValueError("fit_mixed: terms is empty; give at least one fixed-effect column")
    if len(set(terms)) != len(terms):
        raise ValueError(f"fit_mixed: duplicate terms in {terms}")
    if random_slope is not None and random_slope not in terms:
        raise ValueError(f"fit_mixed: random_slope {random_slope!r} is not one of the terms {terms}")
    bad_primary = [t for t in primary_terms if t not in terms]
    if bad_primary:
        raise ValueError(f"fit_mixed: primary_terms {bad_primary} are not among the terms {terms}")
    if slope_selection not in SLOPE_SELECTIONS:
        raise ValueError(f"fit_mixed: slope_selection {slope_selection!r} is not one of {SLOPE_SELECTIONS}")
    if inference not in INFERENCE_METHODS:
        raise ValueError(f"fit_mixed: inference {inference!r} is not one of {INFERENCE_METHODS}")


def _fit_structure(endog, exog, groups, data, random_slope, methods, reml, slope_selection, inference):
    """Fit the chosen structure with its fallbacks; (result, model name, Wald dist, slope test, notes)."""
    notes: list[str] = []
    slope_test = None
    n_athletes = len(pd.unique(groups))
    if n_athletes < 2:
        notes.append(
            "only 1 athlete: fitted OLS on this athlete's runs (no random effects, no "
            "between-athlete inference; SEs assume independent runs)"
        )
        result = OLS(endog, exog).fit()
        notes.append(f"OLS t CI and p, {int(result.df_resid)} df")
        return result, "ols", stats.t(df=result.df_resid), slope_test, notes
    if random_slope is not None and slope_selection == "lrt":
        result, model_name, chain_notes, slope_test = _slope_by_lrt(
            endog, exog, groups, data, random_slope, methods, reml
        )
    else:
        result, model_name, chain_notes = _mixed_chain(endog, exog, groups, data, random_slope, methods, reml)
    notes.extend(chain_notes)
    if result is not None:
        notes.append(_WALD_NOTE if inference == "wald" else INFERENCE_NOTES[inference])
        return result, model_name, stats.norm, slope_test, notes
    result = OLS(endog, exog).fit(cov_type="cluster", cov_kwds={"groups": pd.factorize(groups)[0]}, use_t=True)
    df = n_athletes - 1
    if inference == "wald":
        inference_note = f"fell back to OLS with athlete-clustered SEs (CR1), t with {df} df"
        if n_athletes < 20:
            inference_note += f"; only {n_athletes} clusters, cluster-robust SEs may be too small"
    else:
        inference_note = "fell back to OLS with athlete-clustered CR2 SEs and Bell-McCaffrey df per term (df column)"
    notes.append(inference_note)
    return result, "ols_cluster", stats.t(df=df), slope_test, notes
