r"""Confounding checks beside the primary rows: a negative-control exposure, E-values and collinearity.

* **Negative control** (DESIGN §8 v2): upper-body working sets per week (``upper_sets_28d``: push and pull
  patterns of the taxonomy, the same 28-day window) share the training-block confounding of hinge volume (a block
  that adds lifting adds both) but have no plausible route to descent speed or leg soreness.  It is added, split
  within/between, to the primary model (:func:`negative_control_rows`); a non-null within coefficient flags
  confounding the model does not remove (Lipsitch, Tchetgen Tchetgen & Cohen 2010).
* **E-value** (VanderWeele & Ding 2017): how strongly an unmeasured confounder would have to be associated with
  both exposure and outcome (risk-ratio scale) to explain the estimate away (:func:`evalue_note`).
* **Collinearity**: hinge and knee-dominant volume move together within and between athletes; the correlation and
  the variance inflation factor of the primary term are stated in its note (:func:`collinearity_note`).

References
----------
Lipsitch M., Tchetgen Tchetgen E., Cohen T. (2010). Negative controls: a tool for detecting confounding and bias
in observational studies. Epidemiology 21:383–388.

VanderWeele T. J., Ding P. (2017). Sensitivity analysis in observational research: introducing the E-value.
Annals of Internal Medicine 167:268–274.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = [
    "NEGATIVE_CONTROL",
    "NEGATIVE_CONTROL_NOTE",
    "collinearity_note",
    "confounding_notes",
    "evalue",
    "evalue_note",
    "negative_control_rows",
    "vif",
]

#: The negative-control exposure column of the panels (features.panels, simulate.panels).
NEGATIVE_CONTROL = "upper_sets_28d"
NEGATIVE_CONTROL_NOTE = (
    "negative control: upper-body (push/pull) working sets per week added to the primary model; no plausible "
    "mechanism, so a non-null within-athlete coefficient flags confounding (training blocks, season) that the "
    "model does not remove"
)
#: VanderWeele & Ding (2017): a standardized mean difference d is approximately a risk ratio exp(0.91 d).
SMD_TO_LOG_RR = 0.91


def evalue(rr: float) -> float:
    """E-value of a risk ratio: :math:`RR + \\sqrt{RR(RR-1)}` for RR >= 1 (RR < 1 is inverted first)."""
    if not np.isfinite(rr) or rr <= 0:
        return np.nan
    rr = max(rr, 1.0 / rr)
    return float(rr + np.sqrt(rr * (rr - 1.0)))


def evalue_note(row: pd.Series, exposure_sd: float, outcome_sd: float) -> str:
    r"""E-value sentence for one effects row, per one within-athlete SD of the exposure.

    Parameters
    ----------
    row : pandas.Series
        An effects row (``estimate``, ``ci_low``, ``ci_high``).
    exposure_sd : float
        Standard deviation of the within-athlete exposure in the model's rows (e.g. weekly hinge sets).
    outcome_sd : float
        Standard deviation of the outcome in the model's rows.

    Notes
    -----
    The coefficient is converted to a standardized mean difference for a 1-SD change of the exposure,
    :math:`d = \hat\beta\, s_x / s_y`, and to an approximate risk ratio :math:`RR \approx e^{0.91 d}`
    (VanderWeele & Ding 2017, their approximation for continuous outcomes); E-value
    :math:`= RR + \sqrt{RR(RR-1)}` for the estimate and for the CI limit closest to the null (1 when the CI
    includes 0).
    """
    if not (np.isfinite(row["estimate"]) and exposure_sd > 0 and outcome_sd > 0):
        return "E-value not computed (no estimate or no spread)"
    scale = SMD_TO_LOG_RR * exposure_sd / outcome_sd
    point = evalue(float(np.exp(scale * row["estimate"])))
    lo, hi = row["ci_low"], row["ci_high"]
    if not (np.isfinite(lo) and np.isfinite(hi)) or lo <= 0 <= hi:
        limit = 1.0
    else:
        limit = evalue(float(np.exp(scale * (lo if lo > 0 else hi))))
    return (
        f"E-value {point:.2f} (CI limit {limit:.2f}): an unmeasured confounder associated with exposure and outcome "
        f"by a risk ratio of {point:.2f} each could explain the estimate away (per within-athlete SD of exposure; "
        f"d = beta x SD_x / SD_y, RR ~ exp(0.91 d), VanderWeele & Ding 2017)"
    )


def vif(design: np.ndarray, column: int) -> float:
    """Variance inflation factor of one column of a design matrix (with its intercept column): 1 / (1 - R²)."""
    x = np.asarray(design, dtype=float)
    y = x[:, column]
    others = np.delete(x, column, axis=1)
    coef, *_ = np.linalg.lstsq(others, y, rcond=None)
    resid = y - others @ coef
    total = ((y - y.mean()) ** 2).sum()
    if total <= 0:
        return np.nan
    r2 = 1.0 - (resid**2).sum() / total
    return float(1.0 / max(1.0 - r2, 1e-12))


def collinearity_note(panel: pd.DataFrame, fit, term: str, other: str = "knee_sets_28d") -> str:
    """Within/between correlation of the exposure and ``other`` in ``panel``, and the VIF of ``term`` in ``fit``.

    The within correlation is that of the deviations from each athlete's mean, the between correlation that of the
    athlete means (both over rows with both values); the VIF is computed on the fitted model's fixed-effects design.
    """
    base = term.removesuffix("_within")
    parts = []
    if {base, other, "athlete_id"} <= set(panel.columns):
        both = panel[["athlete_id", base, other]].dropna()
        means = both.groupby("athlete_id")[[base, other]].transform("mean")
        dev = both[[base, other]] - means
        r_w = dev[base].corr(dev[other]) if len(both) > 2 else np.nan
        ath = both.groupby("athlete_id")[[base, other]].mean()
        r_b = ath[base].corr(ath[other]) if len(ath) > 2 else np.nan
        within = (
            f"r = {r_w:.2f} within athletes"
            if np.isfinite(r_w)
            else "no within-athlete correlation computable (too few rows or one of them never varies)"
        )
        between = f", {r_b:.2f} between athletes" if np.isfinite(r_b) else ""
        parts.append(f"{base} vs {other}: {within}{between}")
    result = getattr(fit, "result", None)
    names = list(getattr(getattr(result, "model", None), "exog_names", []) or [])
    if term in names:
        v = vif(result.model.exog, names.index(term))
        if np.isfinite(v):
            parts.append(f"VIF of {term} in this model = {v:.2f}")
    return "collinearity: " + "; ".join(parts) if parts else ""


def negative_control_rows(fit, hypothesis: str) -> pd.DataFrame:
    """The negative-control rows of a fit that includes ``upper_sets_28d_within`` / ``_between``, labelled."""
    eff = fit.effects
    rows = eff[eff["term"].isin([f"{NEGATIVE_CONTROL}_within", f"{NEGATIVE_CONTROL}_between"])].copy()
    rows["hypothesis"] = hypothesis
    rows["primary"] = False
    rows["model"] = rows["model"].astype(str) + "+negative_control"
    rows["note"] = NEGATIVE_CONTROL_NOTE + "; " + rows["note"].astype(str)
    return rows


def confounding_notes(effects: pd.DataFrame, fits: dict, panels: dict) -> pd.DataFrame:
    """Append the E-value and the collinearity sentence to each primary row's note."""
    out = effects.copy()
    for i in out.index[out["primary"]]:
        hyp, term = out.at[i, "hypothesis"], out.at[i, "term"]
        fit = fits[hyp]
        names = list(getattr(getattr(fit.result, "model", None), "exog_names", []) or [])
        extra = []
        if term in names:
            x = np.asarray(fit.result.model.exog)[:, names.index(term)]
            y = np.asarray(fit.result.model.endog, dtype=float)
            extra.append(evalue_note(out.loc[i], float(np.std(x, ddof=1)), float(np.std(y, ddof=1))))
        coll = collinearity_note(panels[hyp], fit, term)
        if coll:
            extra.append(coll)
        if extra:
            out.at[i, "note"] = f"{out.at[i, 'note']}; " + "; ".join(extra)
    return out
