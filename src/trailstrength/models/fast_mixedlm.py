r"""statsmodels' MixedLM with its profile REML likelihood, score and GLS step computed from per-athlete sums.

statsmodels evaluates the profile log-likelihood and its score athlete by athlete in Python, building
:math:`V_i^{-1}` products of :math:`n_i`-row blocks at every call; an optimiser makes 50-500 such calls, so a
12-athlete fit took 0.1-0.4 s and the v2 H1 model (two intercept-only and three random-slope fits for the
likelihood-ratio test) about 1.4 s. :class:`FastMixedLM` computes the *same* quantities, with the same formulas and
the same (pseudo-)inverses as statsmodels, from sums over each athlete's rows that do not depend on the parameters
(:math:`Z_i^\top Z_i`, :math:`Z_i^\top X_i`, :math:`Z_i^\top y_i`, :math:`X^\top X`, :math:`X^\top y`) and a few
batched :math:`q \times q` solves (:math:`q` = random effects per athlete, 1 or 2): the v2 primary fits of 12
simulated cohorts took 10.5 s (H1) and 6.2 s (H2) instead of 29.6 s and 14.9 s, run one after the other on a shared
2-core machine (load average 9). The optimiser, its start, its stopping rule, the Hessian and the results object
are statsmodels' own: only the arithmetic order of the sums differs. On 12 simulated 12-athlete x 16-week cohorts
the v2 primary rows (estimate, p, CI, df) of 23 of the 24 fits agreed with plain MixedLM's to 1e-8 relative (median
1.4e-11); in one H2 fit the last-bit differences sent statsmodels' lbfgs to a degenerate point, the fallback chain
took bfgs, and the rows moved by 4.5e-5 relative (two optimiser stops within statsmodels' own tolerance of the same
optimum). ``tests/test_power.py`` pins the agreement of likelihood, score and fits.

With :math:`\Psi` the unscaled random-effects covariance, :math:`M_i = \Psi^{-1} + Z_i^\top Z_i` and the
Woodbury identity :math:`V_i^{-1} = I - Z_i M_i^{-1} Z_i^\top` (statsmodels' ``_smw_solver`` with ``s = 1``),

.. math::

    A^\top V_i^{-1} B = A^\top B - (Z_i^\top A)^\top M_i^{-1} (Z_i^\top B), \qquad
    \log|V_i| = \log|\Psi| + \log|M_i| .

Only models without variance components, penalties or fixed parameters are sped up (what
:func:`~trailstrength.models.mixed.fit_mixed` fits); anything else falls back to statsmodels' code.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np
from statsmodels.regression.mixed_linear_model import MixedLM, MixedLMParams

__all__ = ["FastMixedLM"]


class FastMixedLM(MixedLM):
    """:class:`statsmodels.regression.mixed_linear_model.MixedLM` with vectorised loglike / score / GLS step."""

    @cached_property
    def _sums(self) -> dict:
        """Parameter-free per-athlete sums (athletes in ``group_labels`` order, as statsmodels loops)."""
        zs, xs, ys = self.exog_re_li, self.exog_li, self.endog_li
        indicator = np.zeros((len(xs), self.nobs))
        for g, label in enumerate(self.group_labels):
            indicator[g, self.row_indices[label]] = 1.0
        return {
            "ztz": np.stack([z.T @ z for z in zs]),
            "ztx": np.stack([z.T @ x for z, x in zip(zs, xs)]),
            "zty": np.stack([z.T @ y for z, y in zip(zs, ys)]),
            "xtx": sum(x.T @ x for x in xs),
            "xty": sum(x.T @ y for x, y in zip(xs, ys)),
            "indicator": indicator,
        }

    def _plain(self) -> bool:
        """True when the fast formulas apply: no variance components, penalties or fixed parameters."""
        return (
            self.k_vc == 0
            and self.k_re > 0
            and getattr(self, "cov_pen", None) is None
            and getattr(self, "fe_pen", None) is None
            and getattr(self, "_freepat", None) is None
        )

    def _z_resid(self, resid: np.ndarray) -> np.ndarray:
        """:math:`Z_i^\\top r_i` per athlete, shape (athletes, q)."""
        return self._sums["indicator"] @ (self.exog_re * resid[:, None])

    def _woodbury(self, cov_re_inv: np.ndarray) -> dict:
        """:math:`M_i^{-1}`, :math:`M_i^{-1} Z_i^\\top X_i`, :math:`\\sum_i \\log|M_i|` and :math:`X^\\top V^{-1} X`
        for one :math:`\\Psi^{-1}` (the last one is remembered: the optimiser asks for the likelihood and the score
        at the same point)."""
        key = cov_re_inv.tobytes()
        cached = self.__dict__.get("_woodbury_cache")
        if cached is not None and cached[0] == key:
            return cached[1]
        s = self._sums
        m = cov_re_inv[None] + s["ztz"]
        m_inv = np.linalg.inv(m)
        mzx = m_inv @ s["ztx"]
        g, q, p = s["ztx"].shape
        out = {
            "m_inv": m_inv,
            "mzx": mzx,
            "logdet_m": np.linalg.slogdet(m)[1].sum(),
            "xvx": s["xtx"] - s["ztx"].reshape(g * q, p).T @ mzx.reshape(g * q, p),
        }
        self.__dict__["_woodbury_cache"] = (key, out)
        return out

    def _quad_zr(self, zr: np.ndarray, m_inv: np.ndarray) -> float:
        """:math:`\\sum_i (Z_i^\\top r_i)^\\top M_i^{-1} Z_i^\\top r_i`."""
        return float(np.sum(zr * (m_inv @ zr[:, :, None])[:, :, 0]))

    def score_sqrt(self, params, calc_fe=True):
        """statsmodels' chain rule to the Cholesky parameters, as one matrix product instead of a Python loop."""
        score_fe, score_re, score_vc = self.score_full(params, calc_fe=calc_fe)
        packed = params.get_packed(use_sqrt=True, has_fe=True)
        jacobian = self._chain[0] + 2 * (self._chain[1] @ packed)
        scr = np.concatenate((score_fe, score_re, score_vc)) @ jacobian
        return scr[: self.k_fe], scr[self.k_fe : self.k_fe + self.k_re2], scr[self.k_fe + self.k_re2 :]

    @cached_property
    def _chain(self) -> tuple[np.ndarray, np.ndarray]:
        return np.asarray(self._lin, dtype=float), np.asarray(self._quad, dtype=float)

    def get_fe_params(self, cov_re, vcomp, tol=1e-10):
        if not self._plain() or self.k_fe == 0:
            return super().get_fe_params(cov_re, vcomp, tol)
        key = (np.asarray(cov_re, dtype=float).tobytes(), tol)
        if self.__dict__.get("_fe_cache", (None,))[0] != key:
            self.__dict__["_fe_cache"] = (key, self._gls(cov_re, tol))
        fe, sing = self.__dict__["_fe_cache"][1]
        return fe.copy(), sing

    def _gls(self, cov_re, tol):
        s = self._sums
        w, v = np.linalg.eigh(cov_re)
        sing = bool(w.min() < tol)
        if sing:  # pseudo-inverse, as statsmodels
            keep = np.flatnonzero(w >= tol)
            cov_re_inv = np.zeros_like(cov_re) if len(keep) == 0 else (v[:, keep] / w[keep]) @ v[:, keep].T
        else:
            cov_re_inv = np.linalg.inv(cov_re)
        wood = self._woodbury(cov_re_inv)
        xvy = s["xty"] - np.einsum("gqa,gq->a", wood["mzx"], s["zty"])
        fe = np.linalg.pinv(wood["xvx"]) @ xvy if sing else np.linalg.solve(wood["xvx"], xvy)
        return fe, sing

    @staticmethod
    def _cov_re_inv(cov_re) -> tuple[np.ndarray, bool]:
        try:
            return np.linalg.inv(cov_re), False
        except np.linalg.LinAlgError:
            return np.linalg.pinv(cov_re), True

    def loglike(self, params, profile_fe=True):
        if not self._plain():
            return super().loglike(params, profile_fe)
        if type(params) is not MixedLMParams:
            params = MixedLMParams.from_packed(params, self.k_fe, self.k_re, self.use_sqrt, has_fe=False)
        cov_re = params.cov_re
        if profile_fe:
            fe_params, sing = self.get_fe_params(cov_re, params.vcomp)
            self._cov_sing += bool(sing)
        else:
            fe_params = params.fe_params
        cov_re_inv, sing = self._cov_re_inv(cov_re)
        self._cov_sing += sing
        _, cov_re_logdet = np.linalg.slogdet(cov_re)
        wood = self._woodbury(cov_re_inv)
        resid = self.endog - self.exog @ fe_params
        zr = self._z_resid(resid)
        like = -0.5 * (self.n_groups * cov_re_logdet + wood["logdet_m"])
        qf = resid @ resid - self._quad_zr(zr, wood["m_inv"])
        n = self.n_totobs
        if self.reml:
            dof = n - self.k_fe
            like -= dof * np.log(qf) / 2.0
            like -= np.linalg.slogdet(wood["xvx"])[1] / 2.0
            like += -dof * np.log(2 * np.pi) / 2.0 + dof * np.log(dof) / 2.0 - dof / 2.0
        else:
            like += -n * np.log(qf) / 2.0 - n * np.log(2 * np.pi) / 2.0 + n * np.log(n) / 2.0 - n / 2.0
        return like

    def score_full(self, params, calc_fe):
        if not self._plain():
            return super().score_full(params, calc_fe)
        cov_re_inv, sing = self._cov_re_inv(params.cov_re)
        self._cov_sing += sing
        s = self._sums
        wood = self._woodbury(cov_re_inv)
        m_inv = wood["m_inv"]
        resid = self.endog - self.exog @ params.fe_params if self.k_fe > 0 else self.endog
        zr = self._z_resid(resid)
        ztz = s["ztz"]
        zvz = ztz - ztz @ m_inv @ ztz  # Z_i' V_i^-1 Z_i
        mzr = (m_inv @ zr[:, :, None])[:, :, 0]
        zvr = zr - (ztz @ mzr[:, :, None])[:, :, 0]  # Z_i' V_i^-1 r_i
        xvz = np.swapaxes(s["ztx"] - ztz @ wood["mzx"], 1, 2)  # X_i' V_i^-1 Z_i
        rvir = resid @ resid - float(np.sum(zr * mzr))
        pairs = [(j1, j2) for j1 in range(self.k_re) for j2 in range(j1 + 1)]
        dlv = np.array([zvz[:, a, b].sum() * (1 if a == b else 2) for a, b in pairs])
        rvavr = np.array([(zvr[:, a] * zvr[:, b]).sum() * (1 if a == b else 2) for a, b in pairs])
        score_fe = np.zeros(self.k_fe)
        score_vc = np.zeros(self.k_vc)
        fac = self.n_totobs - (self.k_fe if self.reml else 0)
        if calc_fe and self.k_fe > 0:
            xvr = self.exog.T @ resid - np.einsum("gqa,gq->a", s["ztx"], mzr)
            score_fe += fac * xvr / rvir
        score_re = -0.5 * dlv + 0.5 * fac * rvavr / rvir
        if self.reml:
            xvx_inv = np.linalg.inv(wood["xvx"])
            for j, (a, b) in enumerate(pairs):
                xtax = xvz[:, :, a].T @ xvz[:, :, b]
                if a != b:
                    xtax = xtax + xtax.T
                score_re[j] += 0.5 * np.sum(xvx_inv.T * xtax)
        return score_fe, score_re, score_vc
