r"""What :func:`trailstrength.models.mixed.fit_mixed` returns, and the inference it offers on demand.

A :class:`MixedFit` holds the tidy effects, the statsmodels result and the note.  Its effects use one inference
(``MixedFit.inference``, chosen with ``fit_mixed(..., inference=...)``); :meth:`MixedFit.tests` gives any of the
others for the same fit, so callers can compare them without refitting:

``"wald"``
    The fit's own standard errors; normal reference for MixedLM (no small-sample correction), :math:`t` with the
    fit's df for OLS (single athlete: runs − terms; clustered fallback: athletes − 1, CR1).
``"satterthwaite"``, ``"kenward-roger"``
    MixedLM: :mod:`trailstrength.models.smallsample` (lmerTest / pbkrtest).  The clustered OLS fallback gets CR2
    with Bell–McCaffrey df instead (the small-sample analogue for a model without random effects).
``"cr2"``
    Cluster-robust CR2 with Bell–McCaffrey df (:mod:`trailstrength.models.cr2`): for MixedLM with the fitted
    covariance as working model, for the OLS fallback with the identity.

A single athlete's OLS fit has no clusters and no variance components: every inference is its OLS :math:`t`.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd
from scipy import stats

from trailstrength.models.cr2 import cr2_mixed_test, cr2_test
from trailstrength.models.smallsample import REMLGeometry, mixed_contrast_test, t_test_row
from trailstrength.models.tidy import reference_df

__all__ = ["INFERENCE_METHODS", "INFERENCE_NOTES", "MixedFit", "apply_inference"]

#: Inference methods a :class:`MixedFit` can report (see the module docstring).
INFERENCE_METHODS = ("wald", "satterthwaite", "kenward-roger", "cr2")

#: The note's sentence for each non-default inference of a MixedLM fit.
INFERENCE_NOTES = {
    "satterthwaite": "t CI and p with Satterthwaite df per term (as lmerTest; model-based SEs (X'V^-1 X)^-1, "
    "df column)",
    "kenward-roger": "t CI and p with Kenward-Roger adjusted SEs and df per term (as pbkrtest; df column)",
    "cr2": "t CI and p from cluster-robust CR2 SEs (athletes as clusters, fitted covariance as working model) "
    "with Bell-McCaffrey df per term (as clubSandwich; df column)",
}


@dataclass
class MixedFit:
    """Outcome of :func:`~trailstrength.models.mixed.fit_mixed`.

    Attributes
    ----------
    effects : pandas.DataFrame
        One row per fixed term (intercept excluded), columns :data:`EFFECT_COLUMNS`; ``df`` is the degrees of
        freedom of each row's t reference (NaN for a Wald z row).
    result : object or None
        The statsmodels results object of the model finally fitted, or None when nothing
        could be fitted.
    converged : bool
        Whether the model finally fitted is numerically trustworthy.
    note : str
        Sample sizes, rows dropped, every fallback taken and why, random-slope test, inference method.
    model : str
        ``"mixedlm_rs"``, ``"mixedlm_ri"``, ``"ols_cluster"``, ``"ols"`` (single athlete)
        or ``"not_fitted"``.
    header : str
        First lines of :attr:`summary_text`: the model formula and the model fitted.
    athletes : tuple
        Athletes with complete rows, in order of first appearance (the model's clusters).
    dist : scipy distribution
        Reference distribution of the Wald CIs and p-values (normal, or t for the OLS fits).
    inference : str
        The inference the effects use, one of :data:`INFERENCE_METHODS`.
    groups : numpy.ndarray or None
        Athlete of each row the model was fitted on (the clusters of the CR2 tests).
    slope_test : dict or None
        The random-slope likelihood-ratio test when ``fit_mixed(..., slope_selection="lrt")`` ran it:
        ``statistic, p_value, llf_slope, llf_intercept, kept``.
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
    inference: str = "wald"
    groups: np.ndarray | None = None
    slope_test: dict | None = None
    _tests: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def df(self) -> pd.Series:
        """Degrees of freedom of each term's reference distribution under :attr:`inference` (inf for Wald z)."""
        if self.result is None:
            return pd.Series(np.nan, index=self.effects["term"], name="df")
        tests = self.tests(self.inference)
        return tests["df"].reindex(self.effects["term"]).rename("df")

    def tests(self, inference: str | None = None, level: float = 0.95) -> pd.DataFrame:
        """Every fixed term (intercept included) tested with one inference method (default: the fit's).

        Returns a frame indexed by term with ``estimate, se, df, statistic, p_value, ci_low, ci_high``
        (:func:`trailstrength.models.smallsample.t_test_row`); computed once per method and level.
        """
        inference = inference or self.inference
        key = (inference, level)
        if key not in self._tests:
            if self._uses_cr2(inference):
                self._tests[key] = self._cr2({}, level)
            else:
                names = list(self.result.model.exog_names)
                rows = {t: self.contrast_test({t: 1.0}, level=level, inference=inference) for t in names}
                self._tests[key] = pd.DataFrame.from_dict(rows, orient="index").rename_axis("term")
        return self._tests[key]

    def contrast_test(self, weights: Mapping[str, float], level: float = 0.95, inference: str | None = None) -> dict:
        """Test of a linear combination of fixed effects, e.g. ``{"a": 1, "b": -1}``, with its degrees of freedom.

        Returns ``estimate, se, df, statistic, p_value, ci_low, ci_high`` (``df`` inf for a Wald z test).  Raises
        KeyError for a term the model did not estimate (aliased or absent), ValueError for an unknown inference.
        """
        inference = inference or self.inference
        if inference not in INFERENCE_METHODS:
            raise ValueError(f"inference {inference!r} is not one of {INFERENCE_METHODS}")
        if self.result is None:
            raise ValueError(f"{self.header}: nothing was fitted ({self.note})")
        names = list(self.result.model.exog_names)
        missing = [t for t in weights if t not in names]
        if missing:
            raise KeyError(", ".join(missing))
        if inference == "wald" or self.model == "ols":
            return self._wald(weights, names, level)
        if self._uses_cr2(inference):
            return self._cr2({"_c": weights}, level).loc["_c"].to_dict()
        return mixed_contrast_test(self.result, weights, method=inference, level=level, geometry=self._geometry)

    def contrast(self, weights: Mapping[str, float], level: float = 0.95) -> tuple[float, float, float, float]:
        """(estimate, CI low, CI high, p) of a linear combination, with the fit's inference (:meth:`contrast_test`)."""
        out = self.contrast_test(weights, level)
        return out["estimate"], out["ci_low"], out["ci_high"], out["p_value"]

    def _uses_cr2(self, inference: str) -> bool:
        """CR2 answers the request: asked for, or any small-sample request on the clustered OLS fallback."""
        return (
            self.model == "ols_cluster"
            and inference != "wald"
            or (inference == "cr2" and self.model.startswith("mixedlm"))
        )

    def _cr2(self, contrasts: dict, level: float) -> pd.DataFrame:
        if self.model.startswith("mixedlm"):
            return cr2_mixed_test(self.result, contrasts=contrasts, level=level)
        exog = pd.DataFrame(self.result.model.exog, columns=list(self.result.model.exog_names))
        return cr2_test(exog, self.result.model.endog, self.groups, contrasts=contrasts, level=level)

    def _wald(self, weights, names, level) -> dict:
        params = self.result.fe_params if self.model.startswith("mixedlm") else self.result.params
        cov = np.asarray(self.result.cov_params(), dtype=float)[: len(names), : len(names)]
        c = np.array([float(weights.get(t, 0.0)) for t in names])
        est, se = float(c @ np.asarray(params, dtype=float)), float(np.sqrt(c @ cov @ c))
        df = _t_df(self.dist)
        if np.isinf(df):
            q = float(stats.norm.ppf(0.5 + level / 2))
            p = float(2 * stats.norm.sf(abs(est / se))) if se > 0 else np.nan
            return {
                "estimate": est,
                "se": se,
                "df": np.inf,
                "statistic": est / se if se > 0 else np.nan,
                "p_value": p,
                "ci_low": est - q * se,
                "ci_high": est + q * se,
            }
        return t_test_row(est, se, df, level)

    @cached_property
    def _geometry(self) -> REMLGeometry:
        return REMLGeometry.from_result(self.result)

    @cached_property
    def summary_text(self) -> str:
        if self.result is None:
            return f"{self.header}: {self.note}\n"
        with warnings.catch_warnings():
            # the OLS summary's overall F test warns with few clusters; the note covers that
            warnings.simplefilter("ignore")
            body = self.result.summary().as_text()
        return f"{self.header}\n{body}\nNote: {self.note}\n"


def _t_df(dist) -> float:
    """Degrees of freedom of a frozen scipy t distribution; inf for anything else (the normal)."""
    df = reference_df(dist)
    return df if np.isfinite(df) else np.inf


def apply_inference(effects: pd.DataFrame, tests: pd.DataFrame) -> pd.DataFrame:
    """``effects`` with CI and p replaced by ``tests``' (per term) and a ``df`` column appended.

    Aliased terms (absent from ``tests``) keep NaN.  The estimate column is left as it is.
    """
    out = effects.copy()
    aligned = tests.reindex(out["term"])
    for c in ("ci_low", "ci_high", "p_value", "df"):
        out[c] = aligned[c].to_numpy(dtype="float64")
    return out
