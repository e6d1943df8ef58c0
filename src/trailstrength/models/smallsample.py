r"""Small-sample degrees of freedom for the fixed effects of a linear mixed model.

A MixedLM fit by REML reports Wald z statistics: the fixed-effect covariance is treated as known.  With 6–12
athletes it is not, and intervals from :math:`N(0,1)` are too narrow.  This module computes, for any linear
combination :math:`c^\top\beta` of the fixed effects of a statsmodels ``MixedLMResults``,

- the **Satterthwaite** degrees of freedom as R's lmerTest reports them (``summary(lmer(...))``), and
- the **Kenward–Roger** degrees of freedom and adjusted covariance as R's pbkrtest computes them
  (``lmerTest``'s ``ddf = "Kenward-Roger"``),

from the REML variance estimates alone, with closed-form derivatives (no finite differences).  The numbers agree
with lmerTest and pbkrtest on the pinned panels of ``tests/test_r_oracle.py`` (tolerances stated there).

Only random-effects structures of the form ``(1 + z | athlete)`` (statsmodels' ``exog_re``, any number of
columns) are handled; statsmodels' extra variance components (``exog_vc``) are not used by the package.
"""

from __future__ import annotations

import contextlib
import weakref
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["DF_METHODS", "REMLGeometry", "mixed_contrast_test", "mixed_term_tests", "t_test_row"]

#: Small-sample methods for mixed-model fixed effects.
DF_METHODS = ("satterthwaite", "kenward-roger")

#: REMLGeometry.from_result per fitted result and Newton budget: Satterthwaite, Kenward–Roger and CR2 of one fit
#: share it (the results are not modified after fitting; entries go when the result is garbage-collected).
_GEOMETRIES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class REMLGeometry:
    r"""The pieces of the REML likelihood's geometry at the estimates, for a linear covariance structure.

    With :math:`V_i = Z_i G Z_i^\top + \sigma^2 I` for athlete :math:`i` and variance parameters
    :math:`\theta = (\operatorname{vech} G, \sigma^2)` (lower triangle of :math:`G` row by row, then the
    residual variance), :math:`\partial V/\partial\theta_k = D_k` is constant, and

    Attributes
    ----------
    names : list of str
        Fixed-effect names (the columns of :math:`X`).
    beta : numpy.ndarray
        GLS fixed effects :math:`\hat\beta` at the variance estimates (equals the REML fit's).
    phi : numpy.ndarray
        :math:`\Phi = (X^\top V^{-1} X)^{-1}`, the model-based covariance of :math:`\hat\beta` (what lme4's
        ``vcov`` reports).
    k : numpy.ndarray, shape (m, p, p)
        :math:`K_k = X^\top V^{-1} D_k V^{-1} X`, so that :math:`\partial\Phi/\partial\theta_k = \Phi K_k \Phi`.
    q : numpy.ndarray, shape (m, m, p, p)
        :math:`Q_{kl} = X^\top V^{-1} D_k V^{-1} D_l V^{-1} X` (Kenward–Roger's bias term).
    expected_info, observed_info : numpy.ndarray, shape (m, m)
        Expected and observed REML information of :math:`\theta`.
    score : numpy.ndarray, shape (m,)
        REML score :math:`\partial \ell_R/\partial\theta` (zero at the optimum).
    theta : numpy.ndarray, shape (m,)
        The variance parameters the geometry was computed at.
    newton_steps : int
        Newton steps taken from the fit's estimates to the REML optimum (:meth:`from_result`).
    """

    names: list
    beta: np.ndarray
    phi: np.ndarray
    k: np.ndarray
    q: np.ndarray
    expected_info: np.ndarray
    observed_info: np.ndarray
    score: np.ndarray
    theta: np.ndarray
    newton_steps: int = 0

    @property
    def cov_re(self) -> np.ndarray:
        """:math:`G`, the random-effects covariance at :attr:`theta`."""
        n_re = int(round((np.sqrt(8 * (len(self.theta) - 1) + 1) - 1) / 2))  # len(vech G) = n (n + 1) / 2
        return _unpack(self.theta, n_re)

    @property
    def scale(self) -> float:
        """:math:`\\sigma^2`, the residual variance at :attr:`theta`."""
        return float(self.theta[-1])

    @classmethod
    def from_result(cls, result, *, max_newton: int = 6) -> REMLGeometry:
        r"""Build from a statsmodels ``MixedLMResults`` (REML; ``exog_re`` random effects only).

        statsmodels stops its optimiser with a REML score of order 0.1–1 in the variance parameters (steps of
        ~1e-7 left), which moves the Satterthwaite df by up to ~7e-4 relative; up to ``max_newton`` Newton steps
        :math:`\theta \leftarrow \theta + I_O^{-1} s(\theta)` finish the job (kept only while the score
        shrinks and :math:`G` stays positive semi-definite), after which lmerTest's df are matched to ~1e-5.
        """
        try:
            return _GEOMETRIES[result][max_newton]
        except (KeyError, TypeError):
            pass
        geo = cls._finish_newton(result, max_newton)
        with contextlib.suppress(TypeError):  # not weak-referenceable: no cache
            _GEOMETRIES.setdefault(result, {})[max_newton] = geo
        return geo

    @classmethod
    def _finish_newton(cls, result, max_newton: int) -> REMLGeometry:
        """:meth:`from_result` without the cache."""
        model = result.model
        if getattr(model, "k_vc", 0):
            raise ValueError("small-sample df: variance components (exog_vc) are not supported")
        if not getattr(result, "reml", True):
            raise ValueError("small-sample df need a REML fit (Satterthwaite / Kenward–Roger are REML methods)")
        cov_re = np.atleast_2d(np.asarray(result.cov_re, dtype=float))
        x_all, y_all = np.asarray(model.exog, float), np.asarray(model.endog, float)
        z_all = np.asarray(model.exog_re, float)
        blocks = [(x_all[ix], z_all[ix], y_all[ix]) for ix in (model.row_indices[g] for g in model.group_labels)]
        names = list(model.exog_names)
        tril = np.tril_indices(cov_re.shape[0])
        geo = cls.compute(blocks, np.r_[cov_re[tril], float(result.scale)], names)
        for step in range(1, max_newton + 1):
            try:
                theta = geo.theta + np.linalg.solve(geo.observed_info, geo.score)
            except np.linalg.LinAlgError:
                break
            if theta[-1] <= 0 or np.linalg.eigvalsh(_unpack(theta, cov_re.shape[0]))[0] < 0:
                break
            trial = cls.compute(blocks, theta, names, newton_steps=step)
            if not np.abs(trial.score).max() < np.abs(geo.score).max():
                break
            geo = trial
        return geo

    @classmethod
    def compute(cls, blocks, theta: np.ndarray, names: list, newton_steps: int = 0) -> REMLGeometry:
        """``blocks``: one ``(X_i, Z_i, y_i)`` per athlete; ``theta`` = (lower triangle of :math:`G`, :math:`\\sigma^2`)."""  # noqa: E501
        n_re = blocks[0][1].shape[1]
        cov_re, scale = _unpack(theta, n_re), float(theta[-1])
        pairs = list(zip(*np.tril_indices(n_re)))
        m, p = len(pairs) + 1, blocks[0][0].shape[1]
        vinv, derivs = [], []
        info = np.zeros((p, p))
        xy = np.zeros(p)
        for x, z, y in blocks:
            vi = np.linalg.inv(z @ cov_re @ z.T + scale * np.eye(len(y)))
            vinv.append(vi)
            info += x.T @ vi @ x
            xy += x.T @ vi @ y
            d = [np.outer(z[:, a], z[:, b]) + (np.outer(z[:, b], z[:, a]) if a != b else 0.0) for a, b in pairs]
            derivs.append([*d, np.eye(len(y))])
        phi = np.linalg.inv(info)
        beta = phi @ xy
        k = np.zeros((m, p, p))
        q = np.zeros((m, m, p, p))
        trace_vv = np.zeros((m, m))  # sum_i tr(V^-1 D_k V^-1 D_l)
        resid_quad = np.zeros((m, m))  # sum_i r~' D_k V^-1 D_l r~, r~ = V^-1 (y - X beta)
        s = np.zeros((m, p))  # X' V^-1 D_k r~
        score = np.zeros(m)
        for (x, _, y), vi, d in zip(blocks, vinv, derivs):
            vx = vi @ x
            rt = vi @ (y - x @ beta)
            vd = [vi @ dk for dk in d]  # V^-1 D_k
            dr = [dk @ rt for dk in d]
            for a in range(m):
                k[a] += vx.T @ d[a] @ vx
                s[a] += vx.T @ dr[a]
                score[a] += 0.5 * (rt @ dr[a] - np.trace(vd[a]))
                for b in range(m):
                    q[a, b] += vx.T @ d[a] @ vd[b] @ vx
                    trace_vv[a, b] += np.sum(vd[a] * vd[b].T)
                    resid_quad[a, b] += dr[a] @ vi @ dr[b]
        tr_pp = np.empty((m, m))  # tr(P D_k P D_l), P the REML projection
        for a in range(m):
            for b in range(m):
                tr_pp[a, b] = trace_vv[a, b] - 2 * np.trace(phi @ q[a, b]) + np.trace(phi @ k[a] @ phi @ k[b])
        expected = 0.5 * tr_pp
        observed = -0.5 * tr_pp + resid_quad - s @ phi @ s.T
        score += 0.5 * np.einsum("ij,aji->a", phi, k)  # + tr(Phi K_k) / 2: the REML term of tr(P D_k)
        return cls(names, beta, phi, k, q, expected, observed, score, np.asarray(theta, float), newton_steps)

    def kenward_roger_phi(self) -> np.ndarray:
        r""":math:`\Phi_A = \Phi + 2\Phi\{\sum_{kl} W_{kl}(Q_{kl} - K_k\Phi K_l)\}\Phi`, :math:`W` the inverse expected
        information (Kenward & Roger 1997, eq. 2 with a linear covariance structure, so :math:`R_{kl} = 0`)."""
        w = np.linalg.inv(self.expected_info)
        inner = np.einsum("ab,abij->ij", w, self.q) - np.einsum("ab,aij,jk,bkl->il", w, self.k, self.phi, self.k)
        return self.phi + 2 * self.phi @ inner @ self.phi

    def contrast_df(self, c: np.ndarray, method: str) -> tuple[float, float]:
        r"""(standard error, degrees of freedom) of :math:`c^\top\hat\beta`."""
        var = float(c @ self.phi @ c)
        grad = np.array([c @ self.phi @ kk @ self.phi @ c for kk in self.k])  # d var / d theta
        if method == "satterthwaite":
            acov, se = _inverse_or_nan(self.observed_info), np.sqrt(var)
        elif method == "kenward-roger":
            acov, se = _inverse_or_nan(self.expected_info), np.sqrt(float(c @ self.kenward_roger_phi() @ c))
        else:
            raise ValueError(f"small-sample method {method!r} is not one of {DF_METHODS}")
        denom = float(grad @ acov @ grad)
        df = 2 * var**2 / denom if np.isfinite(denom) and denom > 0 else np.nan
        return float(se), float(df)


def _unpack(theta: np.ndarray, n_re: int) -> np.ndarray:
    """:math:`G` from the lower triangle stored row by row in ``theta[:-1]``."""
    lower = np.zeros((n_re, n_re))
    lower[np.tril_indices(n_re)] = theta[:-1]
    return lower + lower.T - np.diag(np.diag(lower))


def _inverse_or_nan(a: np.ndarray) -> np.ndarray:
    """Inverse of a positive-definite information matrix; all NaN when it is not (boundary, flat likelihood)."""
    try:
        np.linalg.cholesky(a)
    except np.linalg.LinAlgError:
        return np.full_like(a, np.nan)
    return np.linalg.inv(a)


def mixed_contrast_test(
    result,
    weights: Mapping[str, float],
    *,
    method: str = "satterthwaite",
    level: float = 0.95,
    geometry: REMLGeometry | None = None,
) -> dict:
    r"""t test of a linear combination of fixed effects with small-sample degrees of freedom.

    Parameters
    ----------
    result : statsmodels MixedLMResults
        A REML fit with random effects given by ``exog_re``.
    weights : mapping of str to float
        The combination :math:`c`, e.g. ``{"a": 1, "b": -1}``; terms absent from the mapping get 0.
    method : {"satterthwaite", "kenward-roger"}
        Degrees-of-freedom method (and, for Kenward–Roger, the adjusted covariance).
    level : float, default 0.95
        Confidence level of the interval.
    geometry : REMLGeometry, optional
        Precomputed :meth:`REMLGeometry.from_result` (saves the per-athlete algebra when testing many combinations).

    Returns
    -------
    dict
        ``estimate, se, df, statistic, p_value, ci_low, ci_high`` in the units of the combination.

    Raises
    ------
    KeyError
        For a term that is not a fixed effect of ``result``.

    Notes
    -----
    With :math:`\Phi(\theta) = (X^\top V(\theta)^{-1} X)^{-1}` and :math:`\hat\theta` the REML variance parameters,

    .. math::

        \nu = \frac{2\,(c^\top\Phi c)^2}{g^\top A\, g}, \qquad
        g_k = \frac{\partial\, c^\top\Phi c}{\partial\theta_k} = c^\top\Phi K_k\Phi c ,

    where :math:`A` estimates :math:`\operatorname{Var}(\hat\theta)`.  **Satterthwaite** (1946), as lmerTest
    (Kuznetsova et al. 2017): :math:`A` = inverse *observed* REML information, SE :math:`\sqrt{c^\top\Phi c}`
    (lme4's model-based covariance, not statsmodels' ``bse_fe``, which inverts the joint information and is
    0–3 % larger).  lmerTest differentiates numerically in the (relative Cholesky, :math:`\sigma`) scale; at an
    interior optimum :math:`\nu` does not depend on the parameterisation, so the closed form here gives the same
    number.  **Kenward–Roger** (1997), as pbkrtest (Halekoh & Højsgaard 2014): :math:`A` = inverse *expected*
    information, SE from the bias-adjusted :math:`\Phi_A` (:meth:`REMLGeometry.kenward_roger_phi`); for one
    contrast the KR scale factor :math:`\lambda` is exactly 1 and the KR denominator df reduce to :math:`\nu`.
    The p-value is two-sided from :math:`t_\nu`.  ``df`` is NaN when the information matrix is not positive
    definite (a variance on the boundary).

    References
    ----------
    Satterthwaite F. E. (1946). An approximate distribution of estimates of variance components. Biometrics
    Bulletin 2:110–114.

    Kuznetsova A., Brockhoff P. B., Christensen R. H. B. (2017). lmerTest package: tests in linear mixed effects
    models. Journal of Statistical Software 82(13):1–26.

    Kenward M. G., Roger J. H. (1997). Small sample inference for fixed effects from restricted maximum
    likelihood. Biometrics 53:983–997.

    Halekoh U., Højsgaard S. (2014). A Kenward–Roger approximation and parametric bootstrap methods for tests in
    linear mixed models — the R package pbkrtest. Journal of Statistical Software 59(9):1–32.
    """
    geo = geometry if geometry is not None else REMLGeometry.from_result(result)
    missing = [t for t in weights if t not in geo.names]
    if missing:
        raise KeyError(", ".join(missing))
    c = np.array([float(weights.get(t, 0.0)) for t in geo.names])
    est = float(c @ np.asarray(result.fe_params, dtype=float))
    se, df = geo.contrast_df(c, method)
    return t_test_row(est, se, df, level)


def t_test_row(est: float, se: float, df: float, level: float) -> dict:
    """One test row: ``estimate, se, df, statistic, p_value, ci_low, ci_high`` from :math:`t_{df}` (NaN if df is)."""
    stat = est / se if se > 0 else np.nan
    if np.isfinite(df) and df > 0 and np.isfinite(stat):
        p, q = float(2 * stats.t.sf(abs(stat), df)), float(stats.t.ppf(0.5 + level / 2, df))
    else:
        p = q = np.nan
    return {
        "estimate": est,
        "se": se,
        "df": df,
        "statistic": stat,
        "p_value": p,
        "ci_low": est - q * se,
        "ci_high": est + q * se,
    }


def mixed_term_tests(result, *, method: str = "satterthwaite", level: float = 0.95) -> pd.DataFrame:
    """:func:`mixed_contrast_test` for every fixed effect of ``result``: one row per term (index ``term``)."""
    geo = REMLGeometry.from_result(result)
    rows = {t: mixed_contrast_test(result, {t: 1.0}, method=method, level=level, geometry=geo) for t in geo.names}
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("term")
