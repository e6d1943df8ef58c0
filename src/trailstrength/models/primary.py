"""The pre-registered primary models: H1 (descent performance) and H2 (soreness).

Both split ``hinge_sets_28d`` into a within-athlete and a between-athlete part and fit a
linear mixed model with a random intercept per athlete (DESIGN §8).  The reported
effect is the within-athlete coefficient of ``hinge_sets_28d``.  These are observational
associations: the within part removes stable differences between athletes, not
time-varying confounders (a training block that adds both lifting and downhill running,
say), which is why descent exposure is always adjusted for.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from trailstrength.models.bootstrap import bootstrap_inference
from trailstrength.models.mixed import EFFECT_COLUMNS, MixedFit, fit_mixed, numeric_columns, within_between
from trailstrength.models.multiplicity import adjust_effects, holm
from trailstrength.models.units import OUTCOME_UNITS, predictor_unit

__all__ = [
    "DEFAULT_H1_COVARIATES",
    "DEFAULT_H2_COVARIATES",
    "PRIMARY_EXPOSURE",
    "PRIMARY_TERM",
    "TREND_TERM",
    "fit_h1",
    "fit_h2",
    "fit_primary",
    "h2_bootstrap_inference",
    "split_terms",
    "with_season_weeks",
]

PRIMARY_EXPOSURE = "hinge_sets_28d"
PRIMARY_TERM = "hinge_sets_28d_within"

DEFAULT_H1_COVARIATES = ("descent_100m_28d", "run_km_28d", "mean_descent_grade", "duration_h")
DEFAULT_H2_COVARIATES = ("descent_100m", "descent_100m_28d", "hinge_sets_acute", "other_descent_100m_72h")

#: The detrending covariate: weeks since the athlete's first row in the panel, within athlete (a common linear
#: trend over each athlete's season, so a training block that rises with fitness is not read as a hinge effect).
TREND_TERM = "season_weeks_within"


def with_season_weeks(panel: pd.DataFrame) -> pd.DataFrame:
    """Add ``season_weeks``: weeks (float) since the athlete's first ``local_date`` in the panel."""
    if "local_date" not in panel.columns:
        raise KeyError("detrending needs the panel's local_date column")
    date = pd.to_datetime(panel["local_date"])
    first = date.groupby(panel["athlete_id"]).transform("min")
    return panel.assign(season_weeks=(date - first).dt.days / 7.0)


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


def _fit(panel, outcome, outcome_unit, covariates, hypothesis, random_slope, exposure, detrend=False) -> MixedFit:
    primary = f"{exposure}_within"
    if detrend:
        panel = panel if "season_weeks" in panel.columns else with_season_weeks(panel)
        covariates = [*covariates, TREND_TERM]
    terms = list(dict.fromkeys([primary, f"{exposure}_between", *covariates]))
    data = split_terms(panel, outcome, terms, hypothesis)
    units = {t: predictor_unit(outcome_unit, t) for t in terms}
    return fit_mixed(
        data,
        outcome,
        terms,
        group="athlete_id",
        hypothesis=hypothesis,
        units=units,
        primary_terms=(primary,),
        random_slope=primary if random_slope else None,
    )


def fit_h1(
    panel: pd.DataFrame,
    *,
    covariates: Sequence[str] = DEFAULT_H1_COVARIATES,
    random_slope: bool = True,
    exposure: str = PRIMARY_EXPOSURE,
    hypothesis: str = "H1",
    detrend: bool = False,
) -> MixedFit:
    r"""H1: descent performance index vs prior posterior-chain hinge volume.

    Parameters
    ----------
    panel : pandas.DataFrame
        H1 run panel: one row per run with >= 500 m of descent segments, columns
        ``athlete_id, dpi, hinge_sets_28d`` and the covariates.
    covariates : sequence of str, default :data:`DEFAULT_H1_COVARIATES`
        Adjustment terms, in panel units: ``descent_100m_28d`` (100 m/week),
        ``run_km_28d`` (km/week), ``mean_descent_grade`` (fraction, negative),
        ``duration_h`` (h).  Add ``"knee_sets_28d"`` (or ``"knee_sets_28d_within"`` and
        ``"knee_sets_28d_between"``, split automatically) for the competing explanation.
    random_slope : bool, default True
        Try a random slope of ``hinge_sets_28d_within`` per athlete first, keeping it only
        when the fit supports it (DESIGN §8); otherwise the random-intercept model.
    exposure : str, default "hinge_sets_28d"
        The exposure split into within/between parts; the within term is the primary one.
        Secondary hypotheses reuse the model with another exposure column (H4: hinge
        subtypes, H5: eccentric time under tension, H7: unilateral share...).
    hypothesis : str, default "H1"
        Label written to the ``hypothesis`` column.
    detrend : bool, default False
        Add :data:`TREND_TERM` (weeks since the athlete's first panel row, within athlete;
        needs ``local_date``), so a within-athlete rise of exposure that merely tracks the
        season (fitness building while the programme progresses) is not credited to it.

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
    return _fit(panel, "dpi", OUTCOME_UNITS["dpi"], covariates, hypothesis, random_slope, exposure, detrend)


def fit_h2(
    panel: pd.DataFrame,
    *,
    covariates: Sequence[str] = DEFAULT_H2_COVARIATES,
    random_slope: bool = False,
    exposure: str = PRIMARY_EXPOSURE,
    hypothesis: str = "H2",
    detrend: bool = False,
) -> MixedFit:
    r"""H2: peak soreness in the 72 h after a descent vs prior hinge volume.

    Parameters
    ----------
    panel : pandas.DataFrame
        H2 soreness panel: one row per run with >= 500 m descent followed by a soreness
        report within 72 h; columns ``athlete_id, soreness_peak_72h`` (0–10),
        ``hinge_sets_28d`` and the covariates.
    covariates : sequence of str, default :data:`DEFAULT_H2_COVARIATES`
        ``descent_100m`` (this run, 100 m), ``descent_100m_28d`` (repeated-bout
        protection, 100 m/week), ``hinge_sets_acute`` (lifting soreness in the same
        window, sets), ``other_descent_100m_72h`` (100 m).  ``"knee_sets_28d"`` can be
        added as the competing explanation.
    random_slope : bool, default False
        The pre-registered H2 model has a random intercept only.
    exposure, hypothesis, detrend
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
    return _fit(
        panel,
        "soreness_peak_72h",
        OUTCOME_UNITS["soreness_peak_72h"],
        covariates,
        hypothesis,
        random_slope,
        exposure,
        detrend,
    )


H2_BOOTSTRAP_REPLICATES = 1999


def h2_bootstrap_inference(effects: pd.DataFrame, panel: pd.DataFrame, fit: MixedFit) -> pd.DataFrame:
    """Replace the H2 primary row's Wald CI and p by the athlete cluster bootstrap (estimate unchanged).

    Why: neighbouring runs' 72-hour soreness windows overlap, so H2 residuals are correlated within an
    athlete beyond a random intercept. In simulated 12-athlete × 16-week null cohorts the Wald test rejected
    11.75 % of 400 (target ≤ 6 %); the bootstrap (GLS engine, t(G−1) on the bootstrap SE) rejected 5.5 % of
    the same 400 (benchmarks/h2_estimand.py). H1 Wald intervals cover at 95 % and stay.
    """
    row = effects.index[(effects["hypothesis"] == "H2") & effects["primary"]]
    if len(row) != 1:
        return effects
    rows = pd.Series(effects.index.isin(row), index=effects.index)
    return bootstrap_inference(
        effects, panel, fit, [effects.at[row[0], "term"]], n_boot=H2_BOOTSTRAP_REPLICATES, rows=rows
    )[0]


def fit_primary(h1_panel: pd.DataFrame, h2_panel: pd.DataFrame, *, detrend: bool = False) -> tuple[pd.DataFrame, str]:
    r"""Fit H1 and H2 with defaults; Holm-adjust the two primary p-values.

    Parameters
    ----------
    h1_panel, h2_panel : pandas.DataFrame
        The H1 run panel and the H2 soreness panel.
    detrend : bool, default False
        Fit both with the within-athlete season trend (:data:`TREND_TERM`); a departure
        from the pre-registered models, stated in every row's ``note``.

    Returns
    -------
    effects : pandas.DataFrame
        H1 rows then H2 rows, columns :data:`EFFECT_COLUMNS`.  The two primary rows carry
        ``"Holm p = ..."`` (family of two) at the start of their note.
    summary : str
        Both fits' headers, statsmodels summaries and notes as plain text.

    Notes
    -----
    Holm (1979) over the primary family :math:`m = 2`: with ordered
    :math:`p_{(1)} \le p_{(2)}`, :math:`\tilde p_{(1)} = \min(1, 2p_{(1)})` and
    :math:`\tilde p_{(2)} = \min(1, \max(\tilde p_{(1)}, p_{(2)}))`.  A primary p that
    could not be computed counts as 1, so the family size stays two (conservative).

    References
    ----------
    Holm S. (1979). A simple sequentially rejective multiple test procedure.
    Scandinavian Journal of Statistics 6:65–70.
    """
    fits = [fit_h1(h1_panel, detrend=detrend), fit_h2(h2_panel, detrend=detrend)]
    effects = pd.concat([f.effects for f in fits], ignore_index=True)[EFFECT_COLUMNS]
    if detrend:
        effects["note"] = "detrended (within-athlete season trend added to the pre-registered model); " + effects[
            "note"
        ].astype(str)
    effects = h2_bootstrap_inference(effects, h2_panel, fits[1])
    effects = adjust_effects(effects, "holm", rows=effects["primary"], family="H1, H2 primary")
    bar = "=" * 78
    summary = "\n".join(f"{bar}\n{f.summary_text}" for f in fits)
    prim = effects[effects["primary"]]
    p_holm = holm(prim["p_value"].to_numpy(dtype=float))
    listing = "; ".join(
        f"{h}: p = {p:.4g}, Holm p = {adj:.4g}" for h, p, adj in zip(prim["hypothesis"], prim["p_value"], p_holm)
    )
    summary += f"{bar}\nPrimary family (Holm): {listing}\n"
    return effects, summary
