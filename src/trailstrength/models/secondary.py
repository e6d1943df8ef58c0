r"""Secondary and sensitivity models around the primary H1/H2 fits (``analyze --all``).

Everything here is labelled so it cannot be mistaken for the pre-registered result: rows
have ``primary=False``, a ``model`` suffixed with what changed (``"mixedlm_ri+knee"``,
``"mixedlm_ri+descent_x_hinge"``, ``"ordinal_gee"``, ``"rmcorr"``, ``"...+lags"``,
``"...+cluster_bootstrap"``) and a note starting ``"secondary: ..."``.  The exposure rows
(terms about hinge or knee-dominant volume) form one exploratory family, corrected with
Benjamini–Hochberg (:func:`secondary_effects`).

* **Competing explanation** (DESIGN §1, §8): knee-dominant volume
  (``knee_sets_28d``, split within/between) added beside hinge volume and downhill
  exposure, so both explanations are shown side by side.
* **Descent × hinge interaction** (H2): does hinge volume matter more after bigger
  descents?  :func:`fit_h2_interaction`.
* **Ordinal sensitivity** (H2): binned soreness, ordinal GEE
  (:func:`trailstrength.models.ordinal.fit_ordinal_gee`).
* **Cluster bootstrap** of the primary terms (:mod:`trailstrength.models.bootstrap`).
* **Repeated-measures correlation** (:mod:`trailstrength.models.rmcorr`), descriptive.
* **Distributed lags** of daily hinge sets (:mod:`trailstrength.models.lags`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from trailstrength.models.bootstrap import cluster_bootstrap
from trailstrength.models.lags import distributed_lags, fit_lags
from trailstrength.models.mixed import MixedFit, fit_mixed
from trailstrength.models.multiplicity import adjust_effects
from trailstrength.models.ordinal import SORENESS_BINS, fit_ordinal_gee
from trailstrength.models.primary import (
    DEFAULT_H1_COVARIATES,
    DEFAULT_H2_COVARIATES,
    PRIMARY_EXPOSURE,
    fit_h1,
    fit_h2,
    fit_inference,
    split_terms,
)
from trailstrength.models.rmcorr import rmcorr_effects
from trailstrength.models.tidy import EFFECT_COLUMNS
from trailstrength.models.units import OUTCOME_UNITS, predictor_unit

__all__ = [
    "EXPOSURE_TERM_PATTERN",
    "fit_h2_interaction",
    "fit_h2_ordinal",
    "fit_knee_competitor",
    "label",
    "secondary_effects",
]

KNEE_EXPOSURE = "knee_sets_28d"
#: Terms of the secondary family BH adjusts over: the exposure terms (hinge and knee-dominant lifting).
EXPOSURE_TERM_PATTERN = "hinge|knee"
H2_OUTCOME = "soreness_peak_72h"


def label(effects: pd.DataFrame, suffix: str | None, what: str) -> pd.DataFrame:
    """Mark rows as secondary: ``primary=False``, ``model += "+<suffix>"``, note prefixed."""
    out = effects.copy()
    out["primary"] = False
    if suffix:
        out["model"] = out["model"] + f"+{suffix}"
    out["note"] = f"secondary: {what}; " + out["note"]
    return out


def fit_knee_competitor(panel: pd.DataFrame, hypothesis: str) -> MixedFit:
    """H1 or H2 with knee-dominant volume (within/between) added as a competing explanation (CI and p with the
    primary inference of the hypothesis, :data:`~trailstrength.models.primary.PRIMARY_INFERENCE`)."""
    fit, covariates = (fit_h1, DEFAULT_H1_COVARIATES) if hypothesis == "H1" else (fit_h2, DEFAULT_H2_COVARIATES)
    extra = (f"{KNEE_EXPOSURE}_within", f"{KNEE_EXPOSURE}_between")
    return fit(panel, covariates=(*covariates, *extra), random_slope=False, inference=fit_inference(hypothesis, "v2"))


def fit_h2_interaction(
    panel: pd.DataFrame, *, covariates: Sequence[str] = DEFAULT_H2_COVARIATES, exposure: str = PRIMARY_EXPOSURE
) -> MixedFit:
    r"""H2 with a descent × hinge (within athlete) interaction.

    Parameters
    ----------
    panel : pandas.DataFrame
        The H2 panel (``descent_100m`` must be among the columns).
    covariates : sequence of str, default :data:`DEFAULT_H2_COVARIATES`
        As :func:`fit_h2`; ``descent_100m`` is added if missing.
    exposure : str, default "hinge_sets_28d"
        Exposure split within/between.

    Returns
    -------
    MixedFit
        Effects including ``descent_x_<exposure>_within`` (soreness points per weekly
        set per 100 m of descent).

    Notes
    -----
    With :math:`\tilde d_{ij} = d_{ij} - \bar d` (descent, 100 m, centred on the mean of
    the analysis rows) and :math:`w_{ij}` the within part of the exposure,

    .. math::

        S_{ij} = \dots + \beta_D d_{ij} + \beta_W w_{ij} + \beta_{DW}\, \tilde d_{ij} w_{ij}
        + u_i + \varepsilon_{ij},

    so :math:`\beta_W` is the hinge association at an average descent and
    :math:`\beta_{DW}` how much it changes per extra 100 m of descent (negative: more
    protection after bigger descents).  The pre-registered claim (H2) predicts
    :math:`\beta_{DW} < 0`.
    """
    covariates = list(dict.fromkeys(["descent_100m", *covariates]))
    within = f"{exposure}_within"
    inter = f"descent_x_{within}"
    terms = list(dict.fromkeys([within, f"{exposure}_between", *covariates]))
    data = split_terms(panel, H2_OUTCOME, terms, "H2")
    complete = data[[H2_OUTCOME, *terms]].notna().all(axis=1)
    centre = float(data.loc[complete, "descent_100m"].mean())
    data[inter] = (data["descent_100m"] - centre) * data[within]
    units = {t: predictor_unit(OUTCOME_UNITS[H2_OUTCOME], t) for t in terms}
    exposure_unit = predictor_unit("", exposure).removeprefix(" per ")
    units[inter] = f"{OUTCOME_UNITS[H2_OUTCOME]} per {exposure_unit} per 100 m of descent (within athlete)"
    fit = fit_mixed(
        data, H2_OUTCOME, [*terms, inter], hypothesis="H2", units=units, inference=fit_inference("H2", "v2")
    )
    fit.note = f"descent centred at {centre * 100:.0f} m for the interaction; {fit.note}"
    fit.effects["note"] = f"descent centred at {centre * 100:.0f} m for the interaction; " + fit.effects["note"]
    return fit


def fit_h2_ordinal(
    panel: pd.DataFrame,
    *,
    covariates: Sequence[str] = DEFAULT_H2_COVARIATES,
    exposure: str = PRIMARY_EXPOSURE,
    bins=SORENESS_BINS,
):
    """H2 as an ordinal GEE of binned peak soreness (same terms as :func:`fit_h2`)."""
    terms = list(dict.fromkeys([f"{exposure}_within", f"{exposure}_between", *covariates]))
    data = split_terms(panel, H2_OUTCOME, terms, "H2")
    units = {t: predictor_unit("log cumulative odds of a higher soreness category", t) for t in terms}
    return fit_ordinal_gee(data, H2_OUTCOME, terms, hypothesis="H2", units=units, bins=bins)


def _lag_rows(panel, daily, hypothesis, outcome, covariates, acute_lags) -> pd.DataFrame:
    lags = distributed_lags(daily, "hinge_sets", acute_lags=acute_lags)
    fit = fit_lags(
        panel,
        lags,
        outcome,
        "hinge_sets",
        covariates=covariates,
        hypothesis=hypothesis,
        outcome_unit=OUTCOME_UNITS[outcome],
        exposure_unit="hinge set",
        acute_lags=acute_lags,
    )
    return label(
        fit.effects,
        "lags",
        f"distributed lags of daily hinge sets (lags {list(acute_lags)}, 8 weekly blocks after them)",
    )


def secondary_effects(
    h1: pd.DataFrame,
    h2: pd.DataFrame,
    daily: pd.DataFrame | None = None,
    *,
    n_boot: int = 999,
    seed: int = 0,
) -> tuple[pd.DataFrame, str]:
    """Every secondary and sensitivity model that the H1/H2 panels (and daily exposures) allow.

    Parameters
    ----------
    h1, h2 : pandas.DataFrame
        The H1 and H2 panels.
    daily : pandas.DataFrame, optional
        Daily exposures (:func:`trailstrength.features.daily_exposures`) for the
        distributed-lag models; skipped when None.
    n_boot : int, default 999
        Cluster-bootstrap replicates (GLS engine, variance components fixed).
    seed : int, default 0
        Bootstrap seed.

    Returns
    -------
    effects : pandas.DataFrame
        :data:`EFFECT_COLUMNS`, all ``primary=False``; BH q-values over the exposure rows
        in ``note``.
    summary : str
        One line per model: what was fitted and the model's note.
    """
    parts: list[pd.DataFrame] = []
    lines: list[str] = []

    def add(effects: pd.DataFrame, suffix: str | None, what: str) -> None:
        parts.append(label(effects, suffix, what))
        lines.append(f"{what}: {effects['note'].iloc[0] if len(effects) else 'no rows'}")

    for hyp, panel in (("H1", h1), ("H2", h2)):
        add(fit_knee_competitor(panel, hyp).effects, "knee", f"{hyp} with knee-dominant volume as competitor")
    add(fit_h2_interaction(h2).effects, "descent_x_hinge", "H2 descent x hinge interaction")
    add(fit_h2_ordinal(h2).effects, None, "H2 ordinal GEE of binned soreness")
    # H2's primary row already carries the bootstrap CI (models.primary); only H1 needs it as a sensitivity row
    for hyp, panel, fit in (("H1", h1, fit_h1),):
        original = fit(panel)
        try:
            boot = cluster_bootstrap(
                panel,
                fit,
                engine="gls",
                n_boot=n_boot,
                seed=seed,
                original=original,
                terms=[f"{PRIMARY_EXPOSURE}_within"],
            ).effects
            add(boot, None, f"{hyp} primary term, athlete cluster bootstrap CI")
        except ValueError as exc:  # too few athletes or failed replicates: say so, no row
            lines.append(f"{hyp} cluster bootstrap skipped: {exc}")
    add(rmcorr_effects(h1, [(PRIMARY_EXPOSURE, "dpi")], hypothesis="H1"), None, "H1 repeated-measures correlation")
    add(rmcorr_effects(h2, [(PRIMARY_EXPOSURE, H2_OUTCOME)], hypothesis="H2"), None, "H2 repeated-measures correlation")
    if daily is not None:
        parts.append(_lag_rows(h1, daily, "H1", "dpi", list(DEFAULT_H1_COVARIATES), (0, 1, 2, 3)))
        lines.append("H1 distributed lags of daily hinge sets (lags 0-3, weeks 1-8)")
        # soreness after a run on day d is read on d+1..d+3: lifting on d+1, d+2 lands in it (leads)
        covs = ["descent_100m", "descent_100m_28d", "other_descent_100m_72h"]
        parts.append(_lag_rows(h2, daily, "H2", H2_OUTCOME, covs, (-2, -1, 0, 1, 2, 3)))
        lines.append("H2 distributed lags of daily hinge sets (leads 1-2, lags 0-3, weeks 1-8)")
    effects = pd.concat(parts, ignore_index=True)[EFFECT_COLUMNS]
    family = effects["term"].str.contains(EXPOSURE_TERM_PATTERN) & np.isfinite(effects["p_value"])
    effects = adjust_effects(effects, "bh", rows=family, family="secondary exposure terms")
    return effects, "\n".join(lines)
