r"""Cluster-robust CR2 standard errors with Bell–McCaffrey (Satterthwaite) degrees of freedom.

With few athletes the usual cluster-robust covariance (CR1, what statsmodels' ``cov_type="cluster"`` gives) is
biased downwards and :math:`t_{G-1}` intervals cover too little.  The bias-reduced linearisation CR2 of Bell &
McCaffrey (2002), generalised to weighted and GLS fits by Pustejovsky & Tipton (2018), corrects the residuals of
each athlete so the covariance is unbiased under a working model, and pairs it with a Satterthwaite degrees of
freedom per coefficient.  This is what R's clubSandwich computes with ``coef_test(fit, vcov = "CR2", cluster = ...,
test = "Satterthwaite")``; ``tests/test_r_oracle.py`` pins that agreement for OLS, WLS and a random-intercept fit.

- :func:`cr2_test`: OLS or WLS of ``outcome ~ terms`` clustered by athlete;
- :func:`cr2_mixed_test`: the GLS fixed effects of a statsmodels MixedLM fit, with the fitted marginal covariance
  as the working model (clubSandwich on an ``lmer`` fit).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from trailstrength.models.smallsample import REMLGeometry, t_test_row

__all__ = ["cr2_mixed_test", "cr2_test"]

_PINV_TOL = 1e-12  # relative eigenvalue below which B_i counts as singular (Moore–Penrose square root)


def cr2_test(
    exog: pd.DataFrame,
    endog: Sequence[float],
    groups: Sequence,
    *,
    weights: Sequence[float] | None = None,
    inverse_var: bool = False,
    contrasts: Mapping[str, Mapping[str, float]] | None = None,
    level: float = 0.95,
) -> pd.DataFrame:
    r"""OLS / WLS coefficients with CR2 standard errors and Bell–McCaffrey degrees of freedom.

    Parameters
    ----------
    exog : pandas.DataFrame
        Design matrix :math:`X` (include the intercept column yourself); column names name the coefficients.
    endog : sequence of float
        Outcome, same rows.
    groups : sequence
        Athlete of each row (the clusters).
    weights : sequence of float, optional
        WLS weights :math:`w_j > 0` (as R's ``lm(weights = )``); None for OLS.
    inverse_var : bool, default False
        Whether the weights are inverse variances, i.e. the working model is :math:`\Phi = W^{-1}` rather than
        the identity (clubSandwich's ``inverse_var``; its default for an ``lm`` fit is False).  Irrelevant for OLS.
    contrasts : mapping of str to mapping, optional
        Named linear combinations to test as well, e.g. ``{"within_minus_between": {"a": 1, "b": -1}}``.
    level : float, default 0.95
        Confidence level.

    Returns
    -------
    pandas.DataFrame
        Index ``term`` (coefficients, then contrasts); columns ``estimate, se, df, statistic, p_value, ci_low,
        ci_high`` in the outcome's units per unit of the term; p and CI from :math:`t_{\nu}`.

    Notes
    -----
    For athlete :math:`i` with rows :math:`X_i`, weights :math:`W_i`, working covariance :math:`\Phi_i` (identity,
    or :math:`W_i^{-1}` with ``inverse_var``), :math:`M = (X^\top W X)^{-1}`, :math:`H = X M X^\top W` and
    residuals :math:`e_i`,

    .. math::

        V^{CR2} = M \Big[\sum_i X_i^\top W_i A_i e_i e_i^\top A_i W_i X_i\Big] M, \qquad
        A_i = D_i^\top B_i^{+1/2} D_i, \quad B_i = D_i (I - H)_{i\cdot}\, \Phi\, (I - H)_{i\cdot}^\top D_i^\top ,

    with :math:`\Phi_i = D_i^\top D_i` (Cholesky) and :math:`B^{+1/2}` the symmetric square root of the
    Moore–Penrose inverse, so that :math:`E[V^{CR2}]` is the working model's covariance of the estimator when the
    working model holds (for OLS, :math:`A_i = (I - H_{ii})^{-1/2}`, Bell & McCaffrey 2002).  For a combination :math:`c`,
    :math:`c^\top V^{CR2} c = \sum_i (p_i^\top \varepsilon)^2` is a quadratic form in the errors, with
    :math:`p_i = (I - H)_{i\cdot}^\top A_i W_i X_i M c` and :math:`H = X M X^\top W`; its Satterthwaite degrees of
    freedom under the working model are

    .. math::

        \nu = \frac{2\,E[c^\top V c]^2}{\operatorname{Var}(c^\top V c)}
            = \frac{\big(\sum_i p_i^\top \Phi p_i\big)^2}{\sum_{i,k} (p_i^\top \Phi p_k)^2}

    (Bell & McCaffrey 2002, section 3; Pustejovsky & Tipton 2018, eq. 11).

    References
    ----------
    Bell R. M., McCaffrey D. F. (2002). Bias reduction in standard errors for linear regression with multi-stage
    samples. Survey Methodology 28(2):169–181.

    Pustejovsky J. E., Tipton E. (2018). Small-sample methods for cluster-robust variance estimation and
    hypothesis testing in fixed effects models. Journal of Business & Economic Statistics 36(4):672–683.
    """  # noqa: E501
    x = np.asarray(exog, dtype=float)
    y = np.asarray(endog, dtype=float)
    w = np.ones(len(y)) if weights is None else np.asarray(weights, dtype=float)
    if not (x.shape[0] == len(y) == len(w) == len(groups)):
        raise ValueError("cr2_test: exog, endog, groups and weights must have the same number of rows")
    if np.any(~np.isfinite(w)) or np.any(w <= 0):
        raise ValueError("cr2_test: weights must be finite and positive")
    codes = pd.factorize(pd.Series(list(groups)))[0]
    blocks = []
    for g in range(codes.max() + 1):
        wg = w[codes == g]
        blocks.append((x[codes == g], y[codes == g], np.diag(wg), np.diag(1 / wg if inverse_var else np.ones_like(wg))))
    return _cr2_table(blocks, list(exog.columns), None, contrasts, level)


def cr2_mixed_test(
    result, *, contrasts: Mapping[str, Mapping[str, float]] | None = None, level: float = 0.95
) -> pd.DataFrame:
    r"""CR2 / Bell–McCaffrey test of the fixed effects of a statsmodels MixedLM fit, clustered by its groups.

    The working model is the fit's marginal covariance :math:`\hat V_i = Z_i\hat G Z_i^\top + \hat\sigma^2 I`, the
    estimator its GLS fixed effects (:math:`W_i = \hat V_i^{-1}`); otherwise as :func:`cr2_test`, whose Notes
    give the formulas.  The variance estimates are the fit's, finished to the REML optimum by
    :meth:`~trailstrength.models.smallsample.REMLGeometry.from_result`; the estimates stay the fit's.  This is clubSandwich's ``coef_test(lmer_fit, vcov = "CR2", test = "Satterthwaite")``.
    """  # noqa: E501
    model = result.model
    geo = REMLGeometry.from_result(result)
    cov_re, scale = geo.cov_re, geo.scale
    x, y, z = (np.asarray(a, dtype=float) for a in (model.exog, model.endog, model.exog_re))
    blocks = []
    for g in model.group_labels:
        ix = model.row_indices[g]
        v = z[ix] @ cov_re @ z[ix].T + scale * np.eye(len(ix))
        blocks.append((x[ix], y[ix], np.linalg.inv(v), v))
    return _cr2_table(blocks, list(model.exog_names), np.asarray(result.fe_params, dtype=float), contrasts, level)


def _inverse_sqrt(b: np.ndarray) -> np.ndarray:
    """Symmetric square root of the Moore–Penrose inverse of a symmetric positive semi-definite matrix."""
    vals, vecs = np.linalg.eigh((b + b.T) / 2)
    keep = vals > _PINV_TOL * max(vals.max(), 0.0)
    inv_sqrt = np.zeros_like(vals)
    inv_sqrt[keep] = 1.0 / np.sqrt(vals[keep])
    return (vecs * inv_sqrt) @ vecs.T


def _cr2_table(blocks, names, beta, contrasts, level) -> pd.DataFrame:
    r"""``blocks``: one ``(X_i, y_i, W_i, Phi_i)`` per athlete; ``beta`` None = the weighted least-squares fit.

    Everything is assembled from per-athlete blocks and :math:`p \times p` sums, never the :math:`N \times N`
    residual maker: with :math:`M` the bread and :math:`S = \sum_k X_k^\top W_k \Phi_k W_k X_k`,

    .. math::

        (I - H)_{i\cdot}\,\Phi\,(I - H)_{k\cdot}^\top = \delta_{ik}\Phi_i - \Phi_i W_i X_i M X_k^\top
        - X_i M X_k^\top W_k \Phi_k + X_i M S M X_k^\top ,

    which gives :math:`B_i` (:math:`k = i`) and the Bell–McCaffrey :math:`\Omega_{ik} = p_i^\top\Phi p_k`
    (:func:`_bell_mccaffrey_df`) in :math:`O(G p^2 + \sum_i n_i^3)` instead of :math:`O(G N^2)`.
    """
    wx = [wi @ xi for xi, _, wi, _ in blocks]  # W_i X_i
    bread = np.linalg.inv(sum(xi.T @ wxi for (xi, _, _, _), wxi in zip(blocks, wx)))
    if beta is None:
        beta = bread @ sum(wxi.T @ yi for (_, yi, _, _), wxi in zip(blocks, wx))
    resid = [yi - xi @ beta for xi, yi, _, _ in blocks]
    phi_wx = [phi @ wxi for (_, _, _, phi), wxi in zip(blocks, wx)]  # Phi_i W_i X_i
    meat = bread @ sum(wxi.T @ pwx for wxi, pwx in zip(wx, phi_wx)) @ bread  # M S M
    adjust = []
    for (xi, _, _, phi), pwx in zip(blocks, phi_wx):
        xm = xi @ bread
        b = phi - pwx @ xm.T - xm @ pwx.T + xi @ meat @ xi.T  # (I - H)_i. Phi (I - H)_i.'
        d = np.linalg.cholesky(phi).T  # upper: phi = d' d
        adjust.append(d.T @ _inverse_sqrt(d @ b @ d.T) @ d)
    tests = {t: {t: 1.0} for t in names}
    tests.update(contrasts or {})
    rows = {}
    for label, combo in tests.items():
        missing = [t for t in combo if t not in names]
        if missing:
            raise KeyError(f"CR2 test {label!r}: {', '.join(missing)} not among the coefficients {names}")
        c = np.array([float(combo.get(t, 0.0)) for t in names])
        q = [a @ (wxi @ (bread @ c)) for a, wxi in zip(adjust, wx)]  # A_i W_i X_i M c
        var = float(sum((qi @ ei) ** 2 for qi, ei in zip(q, resid)))
        df = _bell_mccaffrey_df(blocks, q, phi_wx, bread, meat)
        rows[label] = t_test_row(float(c @ beta), np.sqrt(var), df, level)
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("term")


def _bell_mccaffrey_df(blocks, q, phi_wx, bread, meat) -> float:
    r""":math:`\nu = (\operatorname{tr}\Omega)^2 / \sum_{ik}\Omega_{ik}^2` with
    :math:`\Omega_{ik} = q_i^\top (I - H)_{i\cdot}\Phi(I - H)_{k\cdot}^\top q_k`
    (see :func:`_cr2_table`), from :math:`u_i = X_i^\top q_i` and :math:`v_i = X_i^\top W_i\Phi_i q_i`."""
    u = np.array([xi.T @ qi for (xi, _, _, _), qi in zip(blocks, q)])
    v = np.array([pwx.T @ qi for pwx, qi in zip(phi_wx, q)])
    own = np.array([qi @ phi @ qi for (_, _, _, phi), qi in zip(blocks, q)])
    cross = v @ bread @ u.T
    omega = np.diag(own) - cross - cross.T + u @ meat @ u.T
    return float(np.trace(omega) ** 2 / np.sum(omega**2))
