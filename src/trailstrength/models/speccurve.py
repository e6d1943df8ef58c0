r"""Specification curve: the primary estimate under every reasonable analysis choice.

A single model is one path through many defensible choices (descent threshold, exposure
window, exposure definition, model).  Simonsohn, Simmons & Nelson (2020) ask for all of
them: :func:`run_specs` fits a list of :class:`Spec` and returns one tidy row per
specification, ranked by estimate, with Benjamini–Hochberg q-values over the grid, ready
for the specification-curve figure.

Panels come from a callable ``panel_for(hypothesis, window_days) -> DataFrame`` so the
same runner serves the warehouse (:func:`trailstrength.analysis`), the simulated cohorts
(:func:`trailstrength.simulate.panels.panels_from_daily`) and, later, the H3–H7 panels:
a spec names its exposure and outcome columns instead of assuming them.

References
----------
Simonsohn U., Simmons J. P., Nelson L. D. (2020). Specification curve analysis. Nature
Human Behaviour 4:1208–1214.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from trailstrength.models.bootstrap import bootstrap_inference
from trailstrength.models.multiplicity import benjamini_hochberg
from trailstrength.models.primary import (
    DEFAULT_H1_COVARIATES,
    DEFAULT_H2_COVARIATES,
    H2_BOOTSTRAP_REPLICATES,
    TREND_TERM,
    fit_h1,
    fit_h2,
)
from trailstrength.models.secondary import fit_h2_ordinal

__all__ = [
    "MODELS",
    "SPEC_COLUMNS",
    "Spec",
    "default_specs",
    "mark_duplicates",
    "run_specs",
    "simulated_panel_for",
    "summarize_specs",
]

#: Model choices a spec may name.
MODELS = ("lmm", "lmm_rs", "ordinal_gee")

SPEC_COLUMNS = [
    "spec_id",
    "hypothesis",
    "window_days",
    "exposure",
    "outcome",
    "filter",
    "model_choice",
    "covariates",
    "term",
    "estimate",
    "ci_low",
    "ci_high",
    "p_value",
    "bh_q",
    "n_athletes",
    "n_obs",
    "model",
    "converged",
    "rank",
    "duplicate_of",
    "note",
]
#: Columns whose equality makes two fitted specs the same analysis (same rows, same model, same estimate).
_SAME_FIT = ("hypothesis", "estimate", "ci_low", "ci_high", "p_value", "n_obs", "n_athletes", "model")


@dataclass(frozen=True)
class Spec:
    """One analysis path.

    Attributes
    ----------
    hypothesis : {"H1", "H2"} or another label whose defaults are given explicitly
        Chooses the default outcome, covariates and fit.
    window_days : int, default 28
        Exposure window of the panel (features.py: 14, 28, 42...).
    exposure : str, default "hinge_sets_28d"
        Exposure column split within/between (``*_28d`` keeps its name whatever the
        window, as in features.py).
    model : {"lmm", "lmm_rs", "ordinal_gee"}, default "lmm"
        Random-intercept LMM, LMM trying a random slope first, or (H2) ordinal GEE.
    min_value : tuple of (column, minimum), optional
        Keep only rows with ``column >= minimum``, e.g. ``("descent_length_m", 1000)``.
    covariates : tuple of str, optional
        Default: the hypothesis' pre-registered covariates.
    outcome : str, optional
        Default ``"dpi"`` (H1) or ``"soreness_peak_72h"`` (H2).
    detrend : bool, default False
        Add the within-athlete season trend (:data:`~trailstrength.models.primary.TREND_TERM`).
    """

    hypothesis: str
    window_days: int = 28
    exposure: str = "hinge_sets_28d"
    model: str = "lmm"
    min_value: tuple[str, float] | None = None
    covariates: tuple[str, ...] | None = None
    outcome: str | None = None
    detrend: bool = False

    def resolved(self) -> tuple[str, tuple[str, ...]]:
        if self.hypothesis == "H1":
            return self.outcome or "dpi", self.covariates or DEFAULT_H1_COVARIATES
        if self.hypothesis == "H2":
            return self.outcome or "soreness_peak_72h", self.covariates or DEFAULT_H2_COVARIATES
        if self.outcome is None or self.covariates is None:
            raise ValueError(f"spec for {self.hypothesis!r} must give outcome and covariates explicitly")
        return self.outcome, self.covariates


def default_specs(
    windows: Sequence[int] = (14, 28, 42),
    h1_thresholds: Sequence[float] = (500, 1000, 1500),
    h2_thresholds: Sequence[float] = (0, 5, 8),
    exposures: Sequence[str] = ("hinge_sets_28d",),
) -> list[Spec]:
    """The pre-registered grid: windows × descent thresholds × exposures × models.

    H1: descent-segment length ≥ 500 / 1000 / 1500 m, LMM with and without a random
    slope.  H2: the run's descent ≥ 0 / 500 / 800 m (``descent_100m``), random-intercept
    LMM and ordinal GEE.  Per window and exposure, the lowest-threshold LMM once more with a
    within-athlete linear season trend (``detrend``).  Exposure definitions beyond weighted hinge sets (volume-load,
    eccentric TUT, EWMA) plug in through ``exposures`` once the panels carry them.
    """
    specs = []
    for w in windows:
        for e in exposures:
            for t in h1_thresholds:
                for m in ("lmm", "lmm_rs"):
                    specs.append(Spec("H1", w, e, m, ("descent_length_m", float(t))))
            for t in h2_thresholds:
                for m in ("lmm", "ordinal_gee"):
                    specs.append(Spec("H2", w, e, m, ("descent_100m", float(t))))
            # the season-trend check: the default thresholds with a within-athlete linear trend
            specs.append(Spec("H1", w, e, "lmm", ("descent_length_m", float(h1_thresholds[0])), detrend=True))
            specs.append(Spec("H2", w, e, "lmm", ("descent_100m", float(h2_thresholds[0])), detrend=True))
    return specs


def _fit_spec(spec: Spec, panel: pd.DataFrame) -> dict:
    outcome, covariates = spec.resolved()
    if spec.min_value is not None:
        col, lo = spec.min_value
        if col not in panel.columns:
            raise KeyError(f"spec filter column {col!r} not in the {spec.hypothesis} panel")
        panel = panel[panel[col] >= lo]
    if spec.model not in MODELS:
        raise ValueError(f"spec model must be one of {MODELS}, got {spec.model!r}")
    if spec.model == "ordinal_gee":
        fit = fit_h2_ordinal(panel, covariates=covariates, exposure=spec.exposure)
    else:
        base = fit_h1 if spec.hypothesis == "H1" else fit_h2
        if outcome != ("dpi" if spec.hypothesis == "H1" else "soreness_peak_72h"):
            panel = panel.rename(columns={outcome: "dpi" if spec.hypothesis == "H1" else "soreness_peak_72h"})
        fit = base(
            panel,
            covariates=covariates,
            random_slope=spec.model == "lmm_rs",
            exposure=spec.exposure,
            hypothesis=spec.hypothesis,
            detrend=spec.detrend,
        )
    effects = fit.effects
    if spec.hypothesis == "H2" and spec.model != "ordinal_gee":
        # H2 inference wherever H2 is shown: the athlete cluster bootstrap of the primary model (models.primary)
        effects = bootstrap_inference(effects, panel, fit, [f"{spec.exposure}_within"], n_boot=H2_BOOTSTRAP_REPLICATES)[
            0
        ]
    row = effects.set_index("term").loc[f"{spec.exposure}_within"]
    return {
        "term": f"{spec.exposure}_within",
        **{
            k: row[k]
            for k in ("estimate", "ci_low", "ci_high", "p_value", "n_athletes", "n_obs", "model", "converged", "note")
        },
    }


def _one(args) -> dict:
    k, spec, panel = args
    outcome, covariates = spec.resolved()
    out = {
        "spec_id": k,
        "hypothesis": spec.hypothesis,
        "window_days": spec.window_days,
        "exposure": spec.exposure,
        "outcome": outcome,
        "filter": "" if spec.min_value is None else f"{spec.min_value[0]} >= {spec.min_value[1]:g}",
        "model_choice": spec.model,
        "covariates": ", ".join([*covariates, *([TREND_TERM] if spec.detrend else [])]),
    }
    try:
        out.update(_fit_spec(spec, panel))
    except (KeyError, ValueError, np.linalg.LinAlgError) as exc:
        out.update(
            term=f"{spec.exposure}_within",
            estimate=np.nan,
            ci_low=np.nan,
            ci_high=np.nan,
            p_value=np.nan,
            n_athletes=0,
            n_obs=0,
            model="not_fitted",
            converged=False,
            note=f"{type(exc).__name__}: {exc}",
        )
    return out


def run_specs(
    specs: Iterable[Spec],
    panel_for: Callable[[str, int], pd.DataFrame],
    *,
    workers: int = 1,
) -> pd.DataFrame:
    r"""Fit every specification and return the specification-curve table.

    Parameters
    ----------
    specs : iterable of Spec
        The grid (:func:`default_specs`, or your own).
    panel_for : callable
        ``panel_for(hypothesis, window_days)`` returning that panel; called once per
        distinct (hypothesis, window) pair.
    workers : int, default 1
        Processes for the fits.

    Returns
    -------
    pandas.DataFrame
        :data:`SPEC_COLUMNS`: one row per spec with the within-athlete exposure estimate,
        its CI and p, the BH q-value over the specs of the same hypothesis, and
        ``rank`` (1 = smallest estimate within the hypothesis) for plotting.

    Notes
    -----
    A failing spec (missing column, nothing fitted) keeps its row with NaN and the
    reason in ``note``; BH counts only fitted specs, and only the first of identical fits
    (:func:`mark_duplicates`; the others keep NaN ``bh_q`` and rank 0).  Specs of one hypothesis share data,
    so their tests are positively dependent, the case BH still controls (Benjamini &
    Yekutieli 2001).
    """
    specs = list(specs)
    panels: dict[tuple[str, int], pd.DataFrame] = {}
    for s in specs:
        key = (s.hypothesis, s.window_days)
        if key not in panels:
            panels[key] = panel_for(*key)
    jobs = [(k, s, panels[(s.hypothesis, s.window_days)]) for k, s in enumerate(specs)]
    if workers > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(workers) as pool:
            rows = list(pool.map(_one, jobs))
    else:
        rows = [_one(j) for j in jobs]
    table = mark_duplicates(pd.DataFrame(rows))
    table["bh_q"] = np.nan
    table["rank"] = 0
    unique = table["duplicate_of"].isna()
    for _, idx in table[unique].groupby("hypothesis").groups.items():
        table.loc[idx, "bh_q"] = benjamini_hochberg(table.loc[idx, "p_value"].to_numpy(float))
        table.loc[idx, "rank"] = table.loc[idx, "estimate"].rank(method="first").fillna(0).astype(int).to_numpy()
    return table[SPEC_COLUMNS]


def mark_duplicates(table: pd.DataFrame) -> pd.DataFrame:
    """``duplicate_of``: the first ``spec_id`` with the same fit (:data:`_SAME_FIT`), NaN for the first of each.

    Two specs are duplicates when their filters select the same runs and the model is the same (an H2 threshold of
    0 and of 500 m when every panel run has >= 500 m of descent, say): they are one analysis, so the curve counts it
    once and BH adjusts over the distinct fits only.  Unfitted specs (NaN estimate) are never duplicates.
    """
    out = table.copy()
    out["duplicate_of"] = np.nan
    fitted = out["estimate"].notna()
    if not fitted.any():  # nothing fitted (thin real data): no duplicates; agg on no rows gives a frame, not keys
        return out
    # pandas >= 3 keeps NaN through astype(str) (a CI not computed), so each value is spelled out by repr
    key = out.loc[fitted, list(_SAME_FIT)].map(repr).agg("|".join, axis=1)
    first = out.loc[fitted, "spec_id"].groupby(key).transform("first")
    dup = first != out.loc[fitted, "spec_id"]
    out.loc[dup[dup].index, "duplicate_of"] = first[dup]
    return out


def summarize_specs(curve: pd.DataFrame, q: float = 0.05) -> pd.DataFrame:
    """One row per hypothesis of a specification curve: how many specs were fitted and the spread of estimates.

    Parameters
    ----------
    curve : pandas.DataFrame
        Output of :func:`run_specs`.
    q : float, default 0.05
        BH q-value below which a spec counts in ``significant``.

    Returns
    -------
    pandas.DataFrame
        ``hypothesis, specs, estimate_min, estimate_median, estimate_max, significant`` over the distinct fitted
        specs (those with an estimate, duplicates counted once), in the estimate's unit (per weekly hinge set, or
        the spec's exposure unit).
    """
    fitted = curve.dropna(subset=["estimate"])
    if "duplicate_of" in fitted:
        fitted = fitted[fitted["duplicate_of"].isna()]  # identical fits count once
    table = fitted.groupby("hypothesis").agg(
        specs=("estimate", "size"),
        estimate_min=("estimate", "min"),
        estimate_median=("estimate", "median"),
        estimate_max=("estimate", "max"),
        significant=("bh_q", lambda v: int((v < q).sum())),
    )
    return table.reset_index()


def simulated_panel_for(daily: pd.DataFrame) -> Callable[[str, int], pd.DataFrame]:
    """``panel_for`` over a simulated cohort's daily records (for tests and benchmarks)."""
    from trailstrength.simulate.panels import panels_from_daily

    def get(hypothesis: str, window: int) -> pd.DataFrame:
        h1, h2 = panels_from_daily(daily, window)
        return h1 if hypothesis == "H1" else h2

    return get
