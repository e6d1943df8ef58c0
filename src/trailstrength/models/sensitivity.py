"""Sensitivity rows beside the v2 primary ones (DESIGN §8 v2), all ``primary=False`` with ``model`` suffixed.

* ``+v1``: the first pre-registered model (no season trend, linear descent exposure; H1 with run duration, H2 with
  lifting d−3 … d+3 and other runs d … d+3);
* ``+post_run`` (H2): v2 with lifting and runs after the run (d … d+3) added back: they are downstream of the
  soreness, so this is a check of how much they change the estimate, not a better model;
* ``+clean_window`` (H2): v2 on runs not followed by another run with >= 300 m of descent within 72 h;
* ``+negative_control``: upper-body working sets added to the v2 model (:mod:`trailstrength.models.confounding`).

Only the exposure rows are kept.  Every row takes the primary inference of its hypothesis
(:data:`~trailstrength.models.primary.PRIMARY_INFERENCE`, the v1 rows included), so a sensitivity row and the
primary row differ by their model, not by how their intervals were computed.
"""

from __future__ import annotations

import pandas as pd

from trailstrength.models.bootstrap import bootstrap_inference
from trailstrength.models.confounding import NEGATIVE_CONTROL, NEGATIVE_CONTROL_NOTE, negative_control_rows
from trailstrength.models.mixed import MixedFit
from trailstrength.models.primary import (
    BOOTSTRAP,
    H2_BOOTSTRAP_REPLICATES,
    H2_POST_RUN_COVARIATES,
    PRIMARY_EXPOSURE,
    PRIMARY_INFERENCE,
    PRIMARY_TERM,
    V2_H1_COVARIATES,
    V2_H2_COVARIATES,
    fit_h1,
    fit_h2,
    fit_inference,
    primary_fit,
)
from trailstrength.models.tidy import EFFECT_COLUMNS

__all__ = ["sensitivity_effects"]


def _label(effects: pd.DataFrame, suffix: str, what: str, terms=None) -> pd.DataFrame:
    rows = effects if terms is None else effects[effects["term"].isin(terms)]
    rows = rows.copy()
    rows["primary"] = False
    rows["model"] = rows["model"].astype(str) + f"+{suffix}"
    rows["note"] = f"sensitivity: {what}; " + rows["note"].astype(str)
    return rows


def _h2_rows(effects: pd.DataFrame, panel: pd.DataFrame, fit: MixedFit) -> pd.DataFrame:
    """The H2 within-athlete hinge row with the cluster-bootstrap CI and p when that is H2's primary inference
    (:data:`~trailstrength.models.primary.PRIMARY_INFERENCE`; the H2 inference wherever H2 is shown)."""
    if fit.model == "not_fitted" or fit.result is None or PRIMARY_INFERENCE["H2"] != BOOTSTRAP:
        return effects
    out = bootstrap_inference(effects, panel, fit, [PRIMARY_TERM], n_boot=H2_BOOTSTRAP_REPLICATES)[0]
    booted = out["model"] != effects["model"]
    out.loc[booted, "model"] = effects.loc[booted, "model"] + "+cluster_bootstrap"  # keep which model it was
    return out


def sensitivity_effects(
    h1_panel: pd.DataFrame, h2_panel: pd.DataFrame, *, detrend: bool = False
) -> tuple[pd.DataFrame, list[str]]:
    """Rows beside the v2 primary ones (``primary=False``, ``model`` suffixed): v1, H2 post-run, H2 clean window,
    and the negative control (:mod:`trailstrength.models.confounding`).  Only the exposure rows are kept."""
    hinge = [PRIMARY_TERM, f"{PRIMARY_EXPOSURE}_between"]
    parts, lines = [], []
    for hyp, panel in (("H1", h1_panel), ("H2", h2_panel)):
        if panel["athlete_id"].nunique() < 2:
            lines.append(f"{hyp}: one athlete, no cohort sensitivity models")
            continue
        fits = [
            (
                "v1",
                "v1 model (DESIGN §8 v1: no season trend, linear descent exposure, "
                + ("run duration)" if hyp == "H1" else "lifting d-3..d+3 and other runs d..d+3)"),
                None,
                panel,
            )
        ]
        if hyp == "H2":
            fits.append(
                (
                    "post_run",
                    "v2 with lifting and runs after the run (d..d+3) added back",
                    H2_POST_RUN_COVARIATES,
                    panel,
                )
            )
            if "clean_window" in panel:
                clean = panel[panel["clean_window"].astype(bool)]
                fits.append(
                    ("clean_window", "v2 on runs not followed by another >= 300 m descent within 72 h", None, clean)
                )
        for suffix, what, covs, data in fits:
            version = "v1" if suffix == "v1" else "v2"
            trend = True if detrend else None  # the v1 rows with the season trend when asked (v2 has it)
            fit = (fit_h1 if hyp == "H1" else fit_h2)(
                data, version=version, covariates=covs, detrend=trend, inference=fit_inference(hyp, "v2")
            )
            eff = _label(fit.effects, suffix, what, hinge)
            parts.append(_h2_rows(eff, data, fit) if hyp == "H2" else eff)
            lines.append(f"{hyp} {suffix}: {fit.note}")
    for hyp, panel in (("H1", h1_panel), ("H2", h2_panel)):
        if NEGATIVE_CONTROL not in panel or panel[NEGATIVE_CONTROL].nunique(dropna=True) < 2:
            lines.append(f"{hyp} negative control: no {NEGATIVE_CONTROL} variation in the panel; not fitted")
            continue
        base = V2_H1_COVARIATES if hyp == "H1" else V2_H2_COVARIATES
        if panel["athlete_id"].nunique() == 1:
            fit = primary_fit(panel, hyp, "v2", False, (*base, NEGATIVE_CONTROL))
            rows = fit.effects[fit.effects["term"] == NEGATIVE_CONTROL].assign(primary=False)
            rows["model"] = rows["model"] + "+negative_control"
            rows["note"] = NEGATIVE_CONTROL_NOTE + "; " + rows["note"]
        else:
            nc = (f"{NEGATIVE_CONTROL}_within", f"{NEGATIVE_CONTROL}_between")
            fit = primary_fit(panel, hyp, "v2", False, (*base, *nc))
            rows = negative_control_rows(fit, hyp)
        parts.append(rows)
        lines.append(f"{hyp} negative control: {fit.note}")
    effects = pd.concat(parts, ignore_index=True)[EFFECT_COLUMNS] if parts else pd.DataFrame(columns=EFFECT_COLUMNS)
    return effects, lines
