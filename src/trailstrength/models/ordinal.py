r"""Ordinal models of soreness: the GEE sensitivity model of H2 and a cumulative-logit check.

The primary H2 model treats peak soreness (0–10) as interval-scaled.  Soreness is an
ordinal rating, so DESIGN §8 asks for an ordinal sensitivity model: peak soreness is
binned into ordered categories (:func:`bin_soreness`) and modelled with a cumulative
logit,

.. math::

    \operatorname{logit} P(Y_{ij} > c_k) = \alpha_k + x_{ij}^\top \beta ,

fitted either by GEE with an exchangeable working correlation within athlete
(:func:`fit_ordinal_gee`, statsmodels ``OrdinalGEE``: population-averaged, robust
sandwich standard errors) or by maximum likelihood without athlete effects
(:func:`fit_ordinal_clm`, statsmodels ``OrderedModel``: the same model as
``ordinal::clm`` in R, which ``tests/test_r_oracle.py`` checks it against).

A positive :math:`\beta` means higher soreness categories are more likely; estimates are
log cumulative odds ratios (``exp`` gives the odds ratio) per unit of the term.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.genmod import cov_struct as cs
from statsmodels.genmod.generalized_estimating_equations import OrdinalGEE
from statsmodels.miscmodels.ordinal_model import OrderedModel

from trailstrength.models.tidy import complete_cases, effects_frame, estimable_terms, rows_from_estimates

__all__ = ["SORENESS_BINS", "OrdinalFit", "bin_soreness", "fit_ordinal_clm", "fit_ordinal_gee"]

#: Default soreness categories on the 0–10 scale: (label, lowest, highest), inclusive.
#: 7–10 "severe" and 5–6 "moderate" follow the numeric-rating-scale cut-points of Serlin
#: et al. (1995); the 0–4 "mild" band is split at 2|3 because post-run soreness of
#: recreational runners sits mostly there and a single 0–4 class would hold most reports.
SORENESS_BINS: tuple[tuple[str, float, float], ...] = (
    ("none_minimal", 0, 2),
    ("mild", 3, 4),
    ("moderate", 5, 6),
    ("severe", 7, 10),
)


@dataclass
class OrdinalFit:
    """Outcome of an ordinal fit: tidy effects, the statsmodels result, thresholds and note."""

    effects: pd.DataFrame
    result: object | None
    thresholds: pd.Series
    converged: bool
    note: str
    model: str


def bin_soreness(soreness, bins: Sequence[tuple[str, float, float]] = SORENESS_BINS) -> pd.Series:
    """Bin 0–10 soreness into ordered categories.

    Parameters
    ----------
    soreness : array-like
        Soreness on the 0–10 scale (non-integers are allowed: a bin holds values from its
        lowest value up to, but excluding, the next bin's lowest value).
    bins : sequence of (label, lowest, highest), default :data:`SORENESS_BINS`
        Contiguous, increasing bins covering the scale.

    Returns
    -------
    pandas.Series
        Ordered categorical with the bin labels as categories; NaN stays missing.

    Raises
    ------
    ValueError
        When a value lies outside every bin, naming it.
    """
    s = pd.Series(soreness, dtype="float64") if not isinstance(soreness, pd.Series) else soreness.astype("float64")
    labels = [b[0] for b in bins]
    lows = np.array([b[1] for b in bins], dtype=float)
    if np.any(np.diff(lows) <= 0):
        raise ValueError(f"bins must be increasing; got lowest values {lows.tolist()}")
    top = float(bins[-1][2])
    bad = s.notna() & ((s < lows[0]) | (s > top))
    if bad.any():
        raise ValueError(
            f"soreness value {s[bad].iloc[0]} (row {s[bad].index[0]!r}) is outside the bins {lows[0]:g}–{top:g}"
        )
    codes = np.searchsorted(lows, s.to_numpy(), side="right") - 1
    cat = pd.Categorical.from_codes(np.where(s.notna(), codes, -1), categories=labels, ordered=True)
    return pd.Series(cat, index=s.index, name=s.name)


def _codes(data: pd.DataFrame, outcome: str, bins) -> tuple[np.ndarray, list[str], str]:
    """Integer category codes with empty categories removed (and said so)."""
    cat = bin_soreness(data[outcome], bins)
    present = [c for c in cat.cat.categories if (cat == c).any()]
    note = ""
    if len(present) < len(cat.cat.categories):
        empty = [c for c in cat.cat.categories if c not in present]
        note = f"empty categories dropped: {', '.join(empty)}"
    codes = cat.cat.remove_unused_categories().cat.codes.to_numpy()
    return codes, present, note


def _bins_note(bins) -> str:
    return "categories " + ", ".join(f"{b[0]} {b[1]:g}-{b[2]:g}" for b in bins)


def _finish(
    est,
    se,
    thresholds,
    result,
    *,
    n_athletes,
    n_obs,
    terms,
    aliased,
    dist,
    notes,
    hypothesis,
    outcome,
    units,
    primary_terms,
    model,
    converged,
) -> OrdinalFit:
    note = "; ".join(n for n in notes if n)
    base = {"hypothesis": hypothesis, "outcome": outcome, "n_athletes": n_athletes, "n_obs": n_obs}
    rows = rows_from_estimates(
        est,
        se,
        terms=terms,
        dist=dist,
        base=base,
        units=units,
        primary_terms=primary_terms,
        note=note,
        aliased=aliased,
        outcome=outcome,
    )
    for r in rows:
        r.update(model=model, converged=converged)
    return OrdinalFit(effects_frame(rows), result, thresholds, converged, note, model)


@dataclass
class _Setup:
    data: pd.DataFrame
    kept: list[str]
    aliased: list[str]
    codes: np.ndarray
    present: list[str]
    notes: list[str]
    common: dict

    @property
    def labels(self) -> list[str]:
        return [f"{a}|{b}" for a, b in zip(self.present[:-1], self.present[1:])]


def _setup(panel, outcome, terms, group, hypothesis, units, primary_terms, bins, where) -> _Setup:
    """Complete cases, estimable terms, category codes and the shared part of the effect rows."""
    terms = list(terms)
    data, notes = complete_cases(panel, outcome, terms, group, f"{where} ({hypothesis})")
    kept, aliased = estimable_terms(data, terms)
    codes, present, empty_note = _codes(data, outcome, bins)
    notes += [_bins_note(bins), empty_note]
    if aliased:
        notes.append(f"not estimable (constant or collinear in this sample): {', '.join(aliased)}")
    units = units or {}
    units = {t: units.get(t, f"log cumulative odds of a higher {outcome} category per unit of {t}") for t in terms}
    common = dict(
        n_athletes=int(data[group].nunique()),
        n_obs=len(data),
        terms=terms,
        hypothesis=hypothesis,
        outcome=outcome,
        units=units,
        primary_terms=primary_terms,
    )
    return _Setup(data, kept, aliased, codes, present, notes, common)


def fit_ordinal_gee(
    panel: pd.DataFrame,
    outcome: str,
    terms: Sequence[str],
    *,
    group: str = "athlete_id",
    hypothesis: str = "H2",
    units: Mapping[str, str] | None = None,
    primary_terms: Sequence[str] = (),
    bins: Sequence[tuple[str, float, float]] = SORENESS_BINS,
    cov_type: str = "bias_reduced",
) -> OrdinalFit:
    r"""Ordinal GEE (cumulative logit, exchangeable within athlete) of binned soreness.

    Parameters
    ----------
    panel : pandas.DataFrame
        One row per observation with ``outcome`` (0–10), ``group`` and the terms.
    outcome : str
        Soreness column, binned with ``bins``.
    terms : sequence of str
        Covariates (no intercept: each category boundary has its own).
    group : str, default "athlete_id"
        Cluster of the working correlation and of the sandwich variance.
    hypothesis : str, default "H2"
        Label for the ``hypothesis`` column.
    units : mapping, optional
        Unit per term; default "log cumulative odds of a higher <outcome> category per
        unit of <term>".
    primary_terms : sequence of str, default ()
        Terms flagged ``primary`` (normally none: this is a sensitivity model).
    bins : sequence of (label, lowest, highest), default :data:`SORENESS_BINS`
        Soreness categories; empty ones are dropped with a note.
    cov_type : {"bias_reduced", "robust"}, default "bias_reduced"
        Sandwich variance.  ``"bias_reduced"`` is the Mancl–DeRouen (2001) correction,
        which matters with few athletes; inference then uses t with :math:`G-1` df.

    Returns
    -------
    OrdinalFit
        Effects (model ``"ordinal_gee"``), the statsmodels result and the category
        thresholds :math:`\alpha_k`.

    Notes
    -----
    Each observation is expanded into :math:`K-1` binary indicators
    :math:`I(Y_{ij} > c_k)`, modelled as
    :math:`\operatorname{logit} P(Y_{ij} > c_k) = \alpha_k + x_{ij}^\top\beta`, with
    an exchangeable working correlation among all indicators of one athlete (Liang &
    Zeger 1986; Lipsitz, Kim & Zhao 1994).  :math:`\beta` is a population-averaged log
    cumulative odds ratio.  With :math:`G` athletes, CIs are
    :math:`\hat\beta \pm t_{G-1,\,0.975}\,\widehat{se}` (a Wald z with the plain
    sandwich under-covers when :math:`G` is small).

    References
    ----------
    Liang K.-Y., Zeger S. L. (1986). Longitudinal data analysis using generalized linear
    models. Biometrika 73:13–22.

    Lipsitz S. R., Kim K., Zhao L. (1994). Analysis of repeated categorical data using
    generalized estimating equations. Statistics in Medicine 13:1149–1163.

    Mancl L. A., DeRouen T. A. (2001). A covariance estimator for GEE with improved
    small-sample properties. Biometrics 57:126–134.

    Serlin R. C. et al. (1995). When is cancer pain mild, moderate or severe? Pain
    61:277–284.
    """
    st = _setup(panel, outcome, terms, group, hypothesis, units, primary_terms, bins, "fit_ordinal_gee")
    data, notes, n_groups = st.data, st.notes, st.common["n_athletes"]
    if len(st.present) < 2 or n_groups < 2 or len(data) < len(st.kept) + len(st.present) + 2:
        notes.append("too few categories, athletes or rows to fit; nothing fitted")
        return _finish(
            {},
            {},
            pd.Series(dtype=float),
            None,
            dist=stats.norm,
            notes=notes,
            aliased=st.common["terms"],
            model="not_fitted",
            converged=False,
            **st.common,
        )
    model = OrdinalGEE(
        st.codes.astype(float), data[st.kept], groups=data[group].to_numpy(), cov_struct=cs.Exchangeable()
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = model.fit(maxiter=200, cov_type=cov_type)
    messages = [str(w.message) for w in caught]
    converged = bool(getattr(result, "converged", True)) and not any("did not converge" in m for m in messages)
    converged = converged and np.all(np.isfinite(result.bse))
    rho = float(np.squeeze(model.cov_struct.dep_params))
    df = n_groups - 1
    notes.append(
        f"exchangeable working correlation {rho:.3f}; {cov_type.replace('_', '-')} sandwich SEs, t with {df} df"
    )
    if not converged:
        notes.append("GEE did not converge: " + "; ".join(messages[:2]))
    thresholds = pd.Series(np.asarray(result.params)[: len(st.labels)], index=st.labels)
    return _finish(
        result.params,
        result.bse,
        thresholds,
        result,
        dist=stats.t(df=df),
        notes=notes,
        model="ordinal_gee",
        converged=converged,
        aliased=st.aliased,
        **st.common,
    )


def fit_ordinal_clm(
    panel: pd.DataFrame,
    outcome: str,
    terms: Sequence[str],
    *,
    group: str = "athlete_id",
    hypothesis: str = "H2",
    units: Mapping[str, str] | None = None,
    primary_terms: Sequence[str] = (),
    bins: Sequence[tuple[str, float, float]] = SORENESS_BINS,
    cluster: bool = True,
) -> OrdinalFit:
    r"""Cumulative-logit model by maximum likelihood (``ordinal::clm`` equivalent).

    Parameters
    ----------
    panel, outcome, terms, group, hypothesis, units, primary_terms, bins
        As :func:`fit_ordinal_gee`.
    cluster : bool, default True
        Athlete-clustered sandwich SEs (t with :math:`G-1` df).  ``False`` gives the
        model-based SEs of ``clm`` (runs treated as independent).

    Returns
    -------
    OrdinalFit
        Effects (model ``"ordinal_clm"`` or ``"ordinal_clm_cluster"``) and thresholds.

    Notes
    -----
    :math:`P(Y_{ij} \le c_k) = F(\theta_k - x_{ij}^\top\beta)`, :math:`F` logistic, the
    parameterisation of ``clm``; :math:`\beta` has the same sign and meaning as in
    :func:`fit_ordinal_gee` (:math:`\theta_k = -\alpha_k`), but is a likelihood estimate
    that ignores the athlete clustering (only the SEs account for it).
    """
    st = _setup(panel, outcome, terms, group, hypothesis, units, primary_terms, bins, "fit_ordinal_clm")
    data, notes, n_groups = st.data, st.notes, st.common["n_athletes"]
    endog = pd.Series(pd.Categorical.from_codes(st.codes, categories=st.present, ordered=True), name=outcome)
    model = OrderedModel(endog, data[st.kept], distr="logit")
    fit_kw = dict(method="bfgs", maxiter=2000, disp=False, gtol=1e-8)
    if cluster:
        fit_kw.update(cov_type="cluster", cov_kwds={"groups": pd.factorize(data[group])[0]})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = model.fit(**fit_kw)
    converged = bool(result.mle_retvals.get("converged", True)) and np.all(np.isfinite(result.bse))
    if cluster:
        dist, name = stats.t(df=n_groups - 1), "ordinal_clm_cluster"
        notes.append(f"maximum likelihood; athlete-clustered sandwich SEs, t with {n_groups - 1} df")
    else:
        dist, name = stats.norm, "ordinal_clm"
        notes.append("maximum likelihood; model-based SEs assume independent runs; Wald z")
    if not converged:
        notes.append("optimiser did not converge: " + "; ".join(str(w.message) for w in caught[:2]))
    thresholds = pd.Series(model.transform_threshold_params(result.params)[1:-1], index=st.labels)
    return _finish(
        result.params,
        result.bse,
        thresholds,
        result,
        dist=dist,
        notes=notes,
        model=name,
        converged=converged,
        aliased=st.aliased,
        **st.common,
    )
