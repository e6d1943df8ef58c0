"""The primary models: H1 (descent performance) and H2 (soreness), DESIGN §8 v2 by default, v1 as sensitivity.

Both split ``hinge_sets_28d`` into a within-athlete and a between-athlete part and fit a
linear mixed model with a random intercept per athlete (DESIGN §8).  The reported
effect is the within-athlete coefficient of ``hinge_sets_28d``.  These are observational
associations: the within part removes stable differences between athletes, not
time-varying confounders (a training block that adds both lifting and downhill running,
say), which is why descent exposure is always adjusted for.

``version="v2"`` (DESIGN §8 v2, what :func:`fit_primary` and ``analyze`` fit by default) adds a within-athlete
season trend (:data:`TREND_TERM`), adjusts descent exposure with a natural cubic spline (:data:`SPLINE_DF` df,
:func:`descent_spline`), takes run distance instead of duration (H1) and only pre-run lifting and runs (H2);
``version="v1"`` is the model pre-registered first (:data:`DEFAULT_H1_COVARIATES`, :data:`DEFAULT_H2_COVARIATES`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import patsy

from trailstrength.models.bootstrap import bootstrap_inference
from trailstrength.models.confounding import confounding_notes
from trailstrength.models.mixed import EFFECT_COLUMNS, MixedFit, fit_mixed, numeric_columns, within_between
from trailstrength.models.multiplicity import adjust_effects, holm
from trailstrength.models.personal import PERSONAL_MODEL, fit_personal, personal_terms, runs_needed
from trailstrength.models.units import OUTCOME_UNITS, predictor_unit

__all__ = [
    "BOOTSTRAP",
    "PRIMARY_INFERENCE",
    "DEFAULT_H1_COVARIATES",
    "DEFAULT_H2_COVARIATES",
    "H2_POST_RUN_COVARIATES",
    "SPLINE_COLUMNS",
    "SPLINE_DF",
    "V2_H1_COVARIATES",
    "V2_H2_COVARIATES",
    "VERSIONS",
    "descent_spline",
    "PRIMARY_EXPOSURE",
    "PRIMARY_TERM",
    "TREND_TERM",
    "fit_h1",
    "fit_h2",
    "fit_inference",
    "fit_primary",
    "h2_bootstrap_inference",
    "personal_runs_needed",
    "primary_effects",
    "primary_fit",
    "split_terms",
    "with_season_weeks",
]

PRIMARY_EXPOSURE = "hinge_sets_28d"
PRIMARY_TERM = "hinge_sets_28d_within"

#: v1 (DESIGN §8): the first pre-registered covariates, kept as the sensitivity model.
DEFAULT_H1_COVARIATES = ("descent_100m_28d", "run_km_28d", "mean_descent_grade", "duration_h")
DEFAULT_H2_COVARIATES = ("descent_100m", "descent_100m_28d", "hinge_sets_acute", "other_descent_100m_72h")
#: v2 (DESIGN §8 v2): run distance instead of its duration (which depends on the outcome's speed); lifting and other
#: runs *before* the run only (what follows it is downstream of the soreness).  ``descent_100m_28d`` enters as a
#: natural spline (:func:`descent_spline`).
V2_H1_COVARIATES = ("descent_100m_28d", "run_km_28d", "mean_descent_grade", "distance_km")
V2_H2_COVARIATES = ("descent_100m", "descent_100m_28d", "hinge_sets_pre3d", "other_descent_100m_pre72h")
#: The v2 sensitivity model with lifting and runs after the run (days d ... d+3) added back.
H2_POST_RUN_COVARIATES = (*V2_H2_COVARIATES, "hinge_sets_post3d", "other_descent_100m_72h")
VERSIONS = ("v1", "v2")
#: Column adjusted flexibly in v2, and the degrees of freedom of its natural cubic spline.
SPLINE_COLUMN = "descent_100m_28d"
SPLINE_DF = 3
#: Every column v2 adjusts by a natural spline (:func:`descent_spline`): the 28-day descent exposure (both models)
#: and the run's own descent (H2), since soreness responds to a run's descent with a floor and saturation.  It is
#: the right form, but not what biases H2 in the ``descent_nonlinear`` world (hillier runs in the heavier lifting
#: blocks, null effect): over 50 cohorts (seeds 0-49, ``benchmarks/primary_inference.py h2-descent``) the H2 bias
#: was +199.1 % of the planted effect with the 28-day spline alone and +196.1 % with the run's descent splined
#: too; adding the lifting and runs *after* the run (the post-run sensitivity model) cut it to +77.0 %.  The
#: source is the other runs inside the 72-h window, before and after the run: in heavier lifting blocks they are
#: hillier (within-athlete r 0.42 before, 0.40 after) and their soreness lands in the window; splining the pre-run
#: descent leaves +186 % (20 cohorts per variant, benchmarks/results/primary_inference_h2_descent_halves.txt).
SPLINE_COLUMNS = (SPLINE_COLUMN, "descent_100m")
DETRENDED_NOTE = "detrended (within-athlete season trend added to the pre-registered model, v2 has it anyway); "

#: The detrending covariate: weeks since the athlete's first row in the panel, within athlete (a common linear
#: trend over each athlete's season, so a training block that rises with fitness is not read as a hinge effect).
TREND_TERM = "season_weeks_within"

#: The athlete cluster bootstrap as a primary inference (:func:`h2_bootstrap_inference`, applied by
#: :func:`fit_primary`; the fit itself then reports Wald z).
BOOTSTRAP = "cluster_bootstrap"
#: The CI and p of the v2 primary rows, per hypothesis (one of :data:`~trailstrength.models.mixed.INFERENCE_METHODS`,
#: or :data:`BOOTSTRAP`; chosen by measured false-positive rate and coverage, the numbers in :func:`fit_primary`).
#: v1 keeps Wald z (H2: the bootstrap).
PRIMARY_INFERENCE = {"H1": "satterthwaite", "H2": "cr2"}


def with_season_weeks(panel: pd.DataFrame) -> pd.DataFrame:
    """Add ``season_weeks``: weeks (float) since the athlete's first ``local_date`` in the panel."""
    if "local_date" not in panel.columns:
        raise KeyError("detrending needs the panel's local_date column")
    date = pd.to_datetime(panel["local_date"])
    first = date.groupby(panel["athlete_id"]).transform("min")
    return panel.assign(season_weeks=(date - first).dt.days / 7.0)


def descent_spline(values: pd.Series, df: int = SPLINE_DF, name: str = SPLINE_COLUMN) -> pd.DataFrame:
    """Natural cubic regression spline basis of ``values`` (``df`` centred columns ``<name>_ns1`` ...; NaN stays NaN).

    patsy's ``cr(x, df, constraints="center")``: a cubic spline linear beyond its boundary knots (natural), knots
    at quantiles of the observed values, each column centred so the basis does not alias the intercept. Its
    coefficients adjust for the column; they are not effects to read (a curve, not a slope per unit).
    """
    x = pd.to_numeric(values, errors="coerce").astype(float)
    ok = np.isfinite(x.to_numpy())
    cols = [f"{name}_ns{k + 1}" for k in range(df)]
    out = pd.DataFrame(np.nan, index=values.index, columns=cols)
    if ok.sum() > df + 1 and np.unique(x[ok]).size > df + 1:
        out.loc[ok, cols] = _spline_basis(x[ok].to_numpy(), df)
    return out


_SPLINE_CACHE: dict = {}


def _spline_basis(x: np.ndarray, df: int) -> np.ndarray:
    """patsy's centred ``cr`` basis of ``x``, remembered for the last few inputs: a power simulation fits the same
    exposures at every planted effect (patsy's formula machinery costs more than the fit's arithmetic)."""
    key = (x.tobytes(), df)
    if key not in _SPLINE_CACHE:
        if len(_SPLINE_CACHE) >= 16:
            _SPLINE_CACHE.clear()
        _SPLINE_CACHE[key] = np.asarray(patsy.dmatrix(f"cr(x, df={df}, constraints='center') - 1", {"x": x}))
    return _SPLINE_CACHE[key].copy()


def split_terms(panel: pd.DataFrame, outcome: str, terms: Sequence[str], hypothesis: str) -> pd.DataFrame:
    """Add ``*_within`` / ``*_between`` columns computed on the model's complete rows.

    The athlete means are taken over the rows that enter the model, so the within part
    averages to zero per athlete in the analysis sample (otherwise some between-athlete
    variation would leak into the within coefficient).  Rows that cannot enter the model
    keep NaN and are counted as dropped by :func:`fit_mixed`.
    """
    split = []
    raw = [outcome, "athlete_id"]
    for t in terms:
        base = None
        for suffix in ("_within", "_between"):
            # recompute from the raw column whenever it exists, even over a supplied split
            if t.endswith(suffix) and t.removesuffix(suffix) in panel.columns:
                base = t.removesuffix(suffix)
        if base is None:
            raw.append(t)
        else:
            split.append(base)
            raw.append(base)
    raw = list(dict.fromkeys(raw))
    missing = [c for c in raw if c not in panel.columns]
    if missing:
        raise KeyError(
            f"{hypothesis} panel is missing column(s) {missing}; the panel builder must provide them "
            f"(available: {list(panel.columns)})"
        )
    split = list(dict.fromkeys(split))
    out = panel.copy()
    values = numeric_columns(out, [c for c in raw if c != "athlete_id"], f"{hypothesis} panel")
    complete = np.isfinite(values).all(axis=1) & out["athlete_id"].notna()
    parts = within_between(out.loc[complete, ["athlete_id", *split]], split)
    for base in split:
        for suffix in ("_within", "_between"):
            out[base + suffix] = parts[base + suffix].reindex(out.index)
    return out


def fit_inference(hypothesis: str, version: str) -> str:
    """The fit's inference when none is given: :data:`PRIMARY_INFERENCE` in v2 (Wald under a bootstrap, which
    :func:`fit_primary` applies afterwards), Wald z in v1."""
    chosen = PRIMARY_INFERENCE[hypothesis] if version == "v2" else "wald"
    return "wald" if chosen == BOOTSTRAP else chosen


def _version_defaults(version: str, covariates, v1, v2, detrend) -> tuple[tuple[str, ...], bool, bool]:
    """(covariates, detrend, spline) of a model version; explicit arguments win."""
    if version not in VERSIONS:
        raise ValueError(f"version must be one of {VERSIONS}, got {version!r}")
    v2_on = version == "v2"
    chosen = tuple(covariates) if covariates is not None else (v2 if v2_on else v1)
    return chosen, (v2_on if detrend is None else bool(detrend)), v2_on


def _spline_terms(data, outcome, terms, units, outcome_unit) -> tuple[pd.DataFrame, list, list[str]]:
    """Replace each of :data:`SPLINE_COLUMNS` among ``terms`` by its natural-spline basis (computed on the model's
    complete rows); (data with the basis columns, the new term list, one note per column)."""
    notes = []
    for column in SPLINE_COLUMNS:
        if column not in terms:
            continue
        complete = data[[outcome, *terms]].notna().all(axis=1) & data["athlete_id"].notna()
        basis = descent_spline(data.loc[complete, column], name=column)
        if basis.notna().all(axis=None):
            data = data.join(basis.reindex(data.index))
            k = terms.index(column)
            terms = [*terms[:k], *basis.columns, *terms[k + 1 :]]
            what = f"spline basis of {predictor_unit('', column).removeprefix(' per ')}"
            units.update({c: f"{outcome_unit} per unit of a {what} (adjustment only)" for c in basis.columns})
            notes.append(f"{column} adjusted by a natural cubic spline ({SPLINE_DF} df)")
        else:
            notes.append(f"too few distinct {column} values for a {SPLINE_DF}-df spline: entered linearly")
    return data, terms, notes


def _fit(panel, outcome, covariates, hypothesis, random_slope, exposure, detrend, spline, inference) -> MixedFit:
    primary = f"{exposure}_within"
    outcome_unit = OUTCOME_UNITS[outcome]
    if detrend:
        panel = panel if "season_weeks" in panel.columns else with_season_weeks(panel)
        covariates = [*covariates, TREND_TERM]
    terms = list(dict.fromkeys([primary, f"{exposure}_between", *covariates]))
    data = split_terms(panel, outcome, terms, hypothesis)
    units = {t: predictor_unit(outcome_unit, t) for t in terms}
    spline_notes: list[str] = []
    if spline:
        data, terms, spline_notes = _spline_terms(data, outcome, terms, units, outcome_unit)
    spline_note = "; ".join(spline_notes)
    fit = fit_mixed(
        data,
        outcome,
        terms,
        group="athlete_id",
        hypothesis=hypothesis,
        units=units,
        primary_terms=(primary,),
        random_slope=primary if random_slope else None,
        slope_selection="lrt" if spline else "fit",  # v2 (spline on) keeps a random slope only by the LRT
        inference=inference,
    )
    if spline_note:
        fit.note = f"{spline_note}; {fit.note}"
        fit.effects["note"] = f"{spline_note}; " + fit.effects["note"].astype(str)
    return fit


def fit_h1(
    panel: pd.DataFrame,
    *,
    covariates: Sequence[str] | None = None,
    random_slope: bool = True,
    exposure: str = PRIMARY_EXPOSURE,
    hypothesis: str = "H1",
    detrend: bool | None = None,
    version: str = "v1",
    inference: str | None = None,
) -> MixedFit:
    r"""H1: descent performance index vs prior posterior-chain hinge volume.

    Parameters
    ----------
    panel : pandas.DataFrame
        H1 run panel: one row per run with >= 500 m of descent segments, columns
        ``athlete_id, dpi, hinge_sets_28d`` and the covariates.
    covariates : sequence of str, optional
        Adjustment terms, in panel units; default :data:`DEFAULT_H1_COVARIATES` (v1: ``descent_100m_28d``
        (100 m/week), ``run_km_28d`` (km/week), ``mean_descent_grade`` (fraction, negative), ``duration_h`` (h))
        or :data:`V2_H1_COVARIATES` (v2: ``distance_km``, the run's km, instead of ``duration_h``).  Add
        ``"knee_sets_28d"`` (or ``"knee_sets_28d_within"`` and ``"knee_sets_28d_between"``, split
        automatically) for the competing explanation.
    random_slope : bool, default True
        Try a random slope of ``hinge_sets_28d_within`` per athlete first, keeping it only
        when the fit supports it (DESIGN §8); otherwise the random-intercept model.
    exposure : str, default "hinge_sets_28d"
        The exposure split into within/between parts; the within term is the primary one.
        Secondary hypotheses reuse the model with another exposure column (H4: hinge
        subtypes, H5: eccentric time under tension, H7: unilateral share...).
    hypothesis : str, default "H1"
        Label written to the ``hypothesis`` column.
    detrend : bool, optional
        Add :data:`TREND_TERM` (weeks since the athlete's first panel row, within athlete;
        needs ``local_date``), so a within-athlete rise of exposure that merely tracks the
        season (fitness building while the programme progresses) is not credited to it.
        Default: False in v1, True in v2.
    version : {"v1", "v2"}, default "v1"
        ``"v2"`` (DESIGN §8 v2): v2 covariates, the season trend and ``descent_100m_28d`` as a natural cubic
        spline (:func:`descent_spline`), the run's own descent too (H2), and a random slope only when the REML
        likelihood-ratio test supports it.  :func:`fit_primary` fits v2.
    inference : str, optional
        CI, p and ``df`` of the rows (:data:`~trailstrength.models.mixed.INFERENCE_METHODS`); default
        :data:`PRIMARY_INFERENCE` of the hypothesis in v2 (H1 Satterthwaite, H2 CR2, chosen by measured
        false-positive rate: :func:`fit_primary` gives the numbers), Wald z in v1.

    Returns
    -------
    MixedFit
        Effects with one row per term; ``primary=True`` on ``hinge_sets_28d_within``
        (DPI per weekly hinge set, within athlete).

    Notes
    -----
    .. math::

        \mathrm{DPI}_{ij} = \beta_0 + \beta_W (h_{ij} - \bar h_i) + \beta_B \bar h_i
        + \gamma^\top c_{ij} + u_{0i} + u_{1i}(h_{ij} - \bar h_i) + \varepsilon_{ij}

    where :math:`h_{ij}` is ``hinge_sets_28d`` before run :math:`j` of athlete :math:`i`
    and :math:`\bar h_i` its mean over the athlete's complete rows.  :math:`\beta_W` is the
    pre-registered effect; :math:`\beta_B - \beta_W` measures between-athlete confounding
    (Mundlak contextual effect).  See :func:`trailstrength.models.mixed.fit_mixed` for the
    convergence checks and fallbacks.
    """
    covs, detrend, spline = _version_defaults(version, covariates, DEFAULT_H1_COVARIATES, V2_H1_COVARIATES, detrend)
    inference = inference or fit_inference("H1", version)
    return _fit(panel, "dpi", covs, hypothesis, random_slope, exposure, detrend, spline, inference)


def fit_h2(
    panel: pd.DataFrame,
    *,
    covariates: Sequence[str] | None = None,
    random_slope: bool = False,
    exposure: str = PRIMARY_EXPOSURE,
    hypothesis: str = "H2",
    detrend: bool | None = None,
    version: str = "v1",
    inference: str | None = None,
) -> MixedFit:
    r"""H2: peak soreness in the 72 h after a descent vs prior hinge volume.

    Parameters
    ----------
    panel : pandas.DataFrame
        H2 soreness panel: one row per run with >= 500 m descent followed by a soreness
        report within 72 h; columns ``athlete_id, soreness_peak_72h`` (0–10),
        ``hinge_sets_28d`` and the covariates.
    covariates : sequence of str, optional
        Default :data:`DEFAULT_H2_COVARIATES` (v1): ``descent_100m`` (this run, 100 m), ``descent_100m_28d``
        (repeated-bout protection, 100 m/week), ``hinge_sets_acute`` (lifting soreness in the same
        window d−3 … d+3, sets), ``other_descent_100m_72h`` (other runs on d … d+3, 100 m); or
        :data:`V2_H2_COVARIATES` (v2): ``hinge_sets_pre3d`` (d−3 … d−1) and ``other_descent_100m_pre72h``
        (runs on d−3 … d−1) instead of the two windows that reach past the run.  ``"knee_sets_28d"`` can be
        added as the competing explanation.
    random_slope : bool, default False
        The pre-registered H2 model has a random intercept only.
    exposure, hypothesis, detrend, version, inference
        As in :func:`fit_h1`.

    Returns
    -------
    MixedFit
        Effects with ``primary=True`` on ``hinge_sets_28d_within`` (soreness points per
        weekly hinge set, within athlete).

    Notes
    -----
    .. math::

        S_{ij} = \beta_0 + \beta_D d_{ij} + \beta_W (h_{ij} - \bar h_i) + \beta_B \bar h_i
        + \beta_R D^{28}_{ij} + \beta_A a_{ij} + \beta_O o_{ij} + u_{0i} + \varepsilon_{ij}

    A linear model of a bounded 0–10 score: estimates are mean differences in points; the
    ordinal sensitivity model and the descent × hinge interaction (DESIGN §8) are separate.
    """
    covs, detrend, spline = _version_defaults(version, covariates, DEFAULT_H2_COVARIATES, V2_H2_COVARIATES, detrend)
    inference = inference or fit_inference("H2", version)
    return _fit(panel, "soreness_peak_72h", covs, hypothesis, random_slope, exposure, detrend, spline, inference)


H2_BOOTSTRAP_REPLICATES = 1999


def h2_bootstrap_inference(effects: pd.DataFrame, panel: pd.DataFrame, fit: MixedFit) -> pd.DataFrame:
    """Replace the H2 primary row's Wald CI and p by the athlete cluster bootstrap (estimate unchanged).

    Why (v1): neighbouring runs' 72-hour soreness windows overlap, so H2 residuals are correlated within an
    athlete beyond a random intercept. In simulated 12-athlete × 16-week null cohorts the v1 Wald test rejected
    11.75 % of 400 (target ≤ 6 %); the bootstrap (GLS engine, t(G−1) on the bootstrap SE) rejected 5.5 % of
    the same 400 (benchmarks/h2_estimand.py).  :func:`fit_primary` applies it to the v1 primary model; v2 reports
    CR2 (:data:`PRIMARY_INFERENCE`, which measured the same rates as this bootstrap).
    """
    row = effects.index[(effects["hypothesis"] == "H2") & effects["primary"]]
    if len(row) != 1:
        return effects
    rows = pd.Series(effects.index.isin(row), index=effects.index)
    return bootstrap_inference(
        effects, panel, fit, [effects.at[row[0], "term"]], n_boot=H2_BOOTSTRAP_REPLICATES, rows=rows
    )[0]


def personal_runs_needed(hypothesis: str) -> int:
    """Complete runs one athlete needs for the v2 primary model of ``hypothesis`` (``"H1"`` or ``"H2"``): the
    n-of-1 model's terms + 3 (:func:`~trailstrength.models.personal.runs_needed`).

    >>> personal_runs_needed("H1"), personal_runs_needed("H2")
    (9, 9)
    """
    covariates = V2_H1_COVARIATES if hypothesis == "H1" else V2_H2_COVARIATES
    return runs_needed(len(personal_terms(PRIMARY_EXPOSURE, covariates)))


def primary_fit(panel: pd.DataFrame, hypothesis: str, version: str, detrend: bool, covariates=None) -> MixedFit:
    """The primary model of one hypothesis; one athlete in v2: the n-of-1 time-series model."""
    h1 = hypothesis == "H1"
    if version == "v2" and panel["athlete_id"].nunique() == 1:
        outcome = "dpi" if h1 else "soreness_peak_72h"
        covs = list(covariates or (V2_H1_COVARIATES if h1 else V2_H2_COVARIATES))
        terms = personal_terms(PRIMARY_EXPOSURE, covs)
        units = {t: predictor_unit(OUTCOME_UNITS[outcome], t) for t in terms}
        return fit_personal(panel, outcome, PRIMARY_EXPOSURE, covs, hypothesis=hypothesis, units=units)
    fit = fit_h1 if h1 else fit_h2
    return fit(panel, version=version, detrend=True if detrend else None, covariates=covariates)


def _bootstrapped(fit: MixedFit, hypothesis: str, version: str) -> bool:
    """Whether the primary H2 row's CI and p come from the athlete cluster bootstrap (v1; v2 when
    :data:`PRIMARY_INFERENCE` says so; never for the n-of-1 model)."""
    chosen = version == "v1" or PRIMARY_INFERENCE[hypothesis] == BOOTSTRAP
    return hypothesis == "H2" and fit.model != PERSONAL_MODEL and chosen


def primary_effects(panel: pd.DataFrame, hypothesis: str, version: str = "v2", detrend: bool = False) -> pd.DataFrame:
    """The rows :func:`fit_primary` reports for one hypothesis's primary model, before Holm and the notes it adds.

    :func:`primary_fit`, then the H2 cluster bootstrap where the version's primary inference is the bootstrap.
    :func:`trailstrength.models.power.simulate_power` fits every simulated cohort with it, so power describes the
    test ``analyze`` runs.
    """
    return _reported(primary_fit(panel, hypothesis, version, detrend), panel, hypothesis, version, detrend)


def _reported(fit: MixedFit, panel: pd.DataFrame, hypothesis: str, version: str, detrend: bool) -> pd.DataFrame:
    """One primary fit's rows as reported: the detrending stated in the note, the H2 bootstrap where chosen."""
    effects = fit.effects[EFFECT_COLUMNS]
    if detrend:
        effects = effects.assign(note=DETRENDED_NOTE + effects["note"].astype(str))
    return h2_bootstrap_inference(effects, panel, fit) if _bootstrapped(fit, hypothesis, version) else effects


def fit_primary(
    h1_panel: pd.DataFrame,
    h2_panel: pd.DataFrame,
    *,
    detrend: bool = False,
    version: str = "v2",
    sensitivity: bool = True,
) -> tuple[pd.DataFrame, str]:
    r"""Fit H1 and H2 (DESIGN §8 v2 by default), Holm-adjust the two primary p-values, add the sensitivity rows.

    Parameters
    ----------
    h1_panel, h2_panel : pandas.DataFrame
        The H1 run panel and the H2 soreness panel.
    detrend : bool, default False
        Fit the v1 models (primary with ``version="v1"``, else the v1 sensitivity rows) with the within-athlete
        season trend (:data:`TREND_TERM`; v2 always has it), stated in every row's ``note``.
    version : {"v2", "v1"}, default "v2"
        The primary model (:func:`fit_h1`, :func:`fit_h2`).  With one athlete, v2 fits the n-of-1 time-series
        model (:func:`trailstrength.models.personal.fit_personal`, personal evidence).
    sensitivity : bool, default True
        Also the rows of :func:`trailstrength.models.sensitivity.sensitivity_effects` (v2 only): v1, H2
        post-run, H2 clean window and the negative control, ``primary=False``.

    Returns
    -------
    effects : pandas.DataFrame
        Primary H1 rows then H2 rows, then the sensitivity rows, columns :data:`EFFECT_COLUMNS`.  The two primary
        rows carry ``"Holm p = ..."`` (family of two) at the start of their note, then the fit's note, an E-value
        and the collinearity of hinge and knee-dominant volume (:mod:`trailstrength.models.confounding`).
    summary : str
        Both fits' headers, statsmodels summaries and notes as plain text.

    Notes
    -----
    Inference (:data:`PRIMARY_INFERENCE`, v2; the ``df`` column holds each row's degrees of freedom): **H1**
    Satterthwaite df on the model-based covariance (as lmerTest; tests/test_r_oracle.py), **H2** cluster-robust
    CR2 with Bell–McCaffrey df (as clubSandwich).  Chosen by measured false-positive rate first, then coverage, on
    the v2 fits of the null validation worlds (``benchmarks/primary_inference.py choice``, 12 athletes x 16 weeks,
    6 athletes in ``athletes_6``; 102 cohorts: null 26, athletes_6 26, ar1 25, feedback 25, seeds 0-25;
    benchmarks/results/primary_inference_choice.txt):

    * H1, pooled: Satterthwaite rejected 5.9 % at p < 0.05 with 94.1 % coverage, CR2 6.9 % and 93.1 %,
      Kenward–Roger as Satterthwaite, Wald z 5.9 %; per world Satterthwaite 3.8 % (null), 7.7 % (6 athletes),
      8.0 % (AR(1) drift), 4.0 % (feedback), CR2 3.8, 11.5, 4.0 and 8.0 %.
    * H2, pooled: Satterthwaite 2.9 % with 97.1 % coverage, CR2 1.0 % and 99.0 %, the athlete cluster bootstrap
      1.0 % and 99.0 %; but where sore athletes skip lifts and runs (feedback) Satterthwaite rejected 8.0 % (and
      15.8 % of 19 cohorts in benchmarks/results/inference_validation.txt), CR2 4.0 % (5.3 % of those 19).  CR2
      keeps the false-positive rate at or under 6 % in every world measured, at the price of intervals wider than
      needed elsewhere (coverage 96-100 %): a false "hinge work protects" is the error the analysis must not make.
      CR2 over the bootstrap: the same rates, no resampling noise, and a df to report.

    Shortfalls at these cohort counts (binomial SE about 4-5 points): H1 7.7 % and 8.0 % in two worlds, H2
    over-covers.  ``fit_h1`` / ``fit_h2`` with ``version="v2"`` use these; ``inference=`` overrides.

    Holm (1979) over the primary family :math:`m = 2`: with ordered :math:`p_{(1)} \le p_{(2)}`,
    :math:`\tilde p_{(1)} = \min(1, 2p_{(1)})` and
    :math:`\tilde p_{(2)} = \min(1, \max(\tilde p_{(1)}, p_{(2)}))`.  A primary p that
    could not be computed counts as 1, so the family size stays two (conservative).

    References
    ----------
    Holm S. (1979). A simple sequentially rejective multiple test procedure.
    Scandinavian Journal of Statistics 6:65–70.
    """
    if version not in VERSIONS:
        raise ValueError(f"version must be one of {VERSIONS}, got {version!r}")
    panels = {"H1": h1_panel, "H2": h2_panel}
    fits = {h: primary_fit(p, h, version, detrend) for h, p in panels.items()}
    effects = pd.concat([_reported(f, panels[h], h, version, detrend) for h, f in fits.items()], ignore_index=True)
    effects = adjust_effects(effects, "holm", rows=effects["primary"], family="H1, H2 primary")
    effects = confounding_notes(effects, fits, panels)
    bar = "=" * 78
    summary = "\n".join(f"{bar}\n{f.summary_text}" for f in fits.values())
    prim = effects[effects["primary"]]
    p_holm = holm(prim["p_value"].to_numpy(dtype=float))
    listing = "; ".join(
        f"{h}: p = {p:.4g}, Holm p = {adj:.4g}" for h, p, adj in zip(prim["hypothesis"], prim["p_value"], p_holm)
    )
    summary += f"{bar}\nPrimary family (Holm): {listing}\n"
    if sensitivity and version == "v2":
        from trailstrength.models.sensitivity import sensitivity_effects  # it fits fit_h1 / fit_h2 of this module

        extra, lines = sensitivity_effects(h1_panel, h2_panel, detrend=detrend)
        if detrend:
            extra["note"] = DETRENDED_NOTE + extra["note"].astype(str)
        effects = pd.concat([effects, extra], ignore_index=True)[EFFECT_COLUMNS]
        summary += f"{bar}\nSensitivity models (primary=False):\n" + "\n".join(lines) + "\n"
    return effects, summary
