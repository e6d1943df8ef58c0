r"""Cluster (athlete) bootstrap confidence intervals for any fit.

Athletes, not runs, are the independent units: a run-level bootstrap would treat 40 runs of
one athlete as 40 pieces of independent evidence.  :func:`cluster_bootstrap` resamples
whole athletes with replacement (a duplicated athlete becomes a separate cluster) and
recomputes the estimates in one of two ways:

``engine="refit"``
    calls the fit function on every resampled panel: works for any model that returns
    tidy effects (``fit_h1``, ``fit_h2``, ``fit_ordinal_gee``, a ``functools.partial`` of
    them...), at the price of one full fit per replicate (0.1–0.5 s each; use
    ``workers``).
``engine="gls"``
    for a linear mixed model (or OLS) fit: keeps the variance components at their
    full-sample estimates and re-solves the GLS equations
    :math:`\hat\beta^* = (\sum_i m_i X_i^\top \hat V_i^{-1} X_i)^{-1}
    \sum_i m_i X_i^\top \hat V_i^{-1} y_i` for athlete multiplicities :math:`m_i` —
    thousands of replicates in well under a second (an estimating-equation bootstrap,
    Hu & Kalbfleisch 2000).

Interval types (``ci``):

``"t_boot_se"`` (default)
    :math:`\hat\beta \pm t_{G-1,\,0.975}\; s^*\sqrt{G/(G-1)}`, where :math:`s^*` is the
    standard deviation of the bootstrap estimates and :math:`G` the number of athletes.
    The factor undoes the :math:`(G-1)/G` shrinkage of a resampling variance and the
    :math:`t_{G-1}` reference reflects that the variance is learned from :math:`G`
    clusters (as for cluster-robust variances; Cameron & Miller 2015).
``"percentile"``
    the 2.5 and 97.5 % quantiles of the bootstrap estimates (Efron 1979).
``"studentized"``
    bootstrap-t: quantiles of :math:`t^* = (\hat\beta^* - \hat\beta)/\widehat{se}^*` with
    the fit's own standard errors (``refit``) or athlete-clustered sandwich errors of the
    GLS equations (``gls``).

``benchmarks/model_recovery.py`` measures their coverage with 8 athletes, where Wald
intervals under-cover; the default is the one that came out closest to 95 %.

References
----------
Efron B. (1979). Bootstrap methods: another look at the jackknife. Annals of
Statistics 7:1–26.

Field C. A., Welsh A. H. (2007). Bootstrapping clustered data. JRSS B 69:369–390.

Hu F., Kalbfleisch J. D. (2000). The estimating function bootstrap. Canadian Journal
of Statistics 28:449–481.

Cameron A. C., Miller D. L. (2015). A practitioner's guide to cluster-robust
inference. Journal of Human Resources 50:317–372.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from trailstrength.models.tidy import EFFECT_COLUMNS

__all__ = ["CI_METHODS", "BootstrapResult", "bootstrap_inference", "cluster_bootstrap", "resample_athletes"]

CI_METHODS = ("t_boot_se", "percentile", "studentized")
MIN_ATHLETES = 4  # below this, resampling athletes says nothing useful


@dataclass
class BootstrapResult:
    """Cluster-bootstrap effects and the replicate estimates behind them.

    Attributes
    ----------
    effects : pandas.DataFrame
        The original fit's rows (:data:`EFFECT_COLUMNS`) with ``ci_low``, ``ci_high``
        and ``p_value`` from the bootstrap, ``model`` suffixed ``"+cluster_bootstrap"``
        and the method stated in ``note``.
    draws : pandas.DataFrame
        One row per successful replicate, one column per term (estimates).
    se_draws : pandas.DataFrame
        Matching standard errors (used by the studentized interval).
    n_failed : int
        Replicates that failed or gave a non-finite estimate (left out, counted in note).
    n_groups : int
        Athletes resampled (G).
    level : float
        Confidence level of the intervals.
    """

    effects: pd.DataFrame
    draws: pd.DataFrame
    se_draws: pd.DataFrame
    n_failed: int
    n_groups: int = 0
    level: float = 0.95

    def contrast(self, weights: dict[str, float], estimate: float) -> tuple[float, float, float]:
        """``t_boot_se`` CI and p of a linear combination of terms, e.g. ``{"a": 1, "b": -1}`` for a − b.

        ``estimate`` is the combination at the original fit; the replicates give its bootstrap SE.
        """
        draws = sum(w * self.draws[t] for t, w in weights.items())
        return _interval(estimate, np.nan, draws, None, "t_boot_se", self.n_groups, self.level)


def resample_athletes(panel: pd.DataFrame, picks: Sequence, group: str = "athlete_id") -> pd.DataFrame:
    """Concatenate the rows of the picked athletes; the k-th pick is renamed ``"<id>#k"``.

    Renaming keeps a duplicated athlete a separate cluster, as in the bootstrap's
    sampling model (each draw is an independent athlete).
    """
    rows = panel.groupby(group, sort=False).indices
    parts = []
    for k, a in enumerate(picks):
        part = panel.iloc[rows[a]].copy()
        part[group] = f"{a}#{k}"
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def _effects_of(out) -> pd.DataFrame:
    return out.effects if hasattr(out, "effects") else out


def _se_from_effects(eff: pd.DataFrame) -> pd.Series:
    # the CI half-width in units of the 97.5 % normal quantile: a constant multiple of the
    # fit's SE, which is all the studentized interval needs (the constant cancels)
    return (eff["ci_high"] - eff["ci_low"]) / (2 * stats.norm.ppf(0.975))


def _refit_one(args):
    fit, panel, picks, group, terms = args
    try:
        eff = _effects_of(fit(resample_athletes(panel, picks, group))).set_index("term")
        return eff.loc[terms, "estimate"].to_numpy(float), _se_from_effects(eff.loc[terms]).to_numpy(float)
    except (ValueError, KeyError, np.linalg.LinAlgError, FloatingPointError):
        return np.full(len(terms), np.nan), np.full(len(terms), np.nan)


def _gls_pieces(result):
    """Per-athlete X'V^-1X, X'V^-1y and the design column names of a MixedLM/OLS result."""
    model = result.model
    names = list(model.exog_names)
    if hasattr(model, "group_labels"):  # MixedLM
        cov_re, scale = np.asarray(result.cov_re), float(result.scale)
        a, b = [], []
        for g in model.group_labels:
            ix = model.row_indices[g]
            x, y, z = model.exog[ix], model.endog[ix], model.exog_re[ix]
            v = z @ cov_re @ z.T + scale * np.eye(len(ix))
            a.append(x.T @ np.linalg.solve(v, x))
            b.append(x.T @ np.linalg.solve(v, y))
        return np.array(a), np.array(b), names
    groups = result.cov_kwds.get("groups") if getattr(result, "cov_kwds", None) else None
    if groups is None:
        raise ValueError("engine='gls' needs a MixedLM result or an athlete-clustered OLS result")
    x, y = model.exog, model.endog
    labels = np.unique(groups)
    a = np.array([x[groups == g].T @ x[groups == g] for g in labels])
    b = np.array([x[groups == g].T @ y[groups == g] for g in labels])
    return a, b, names


def _gls_draws(result, multiplicities: np.ndarray):
    a, b, names = _gls_pieces(result)
    a_star = np.einsum("bg,gpq->bpq", multiplicities, a)
    b_star = np.einsum("bg,gp->bp", multiplicities, b)
    ok = np.linalg.matrix_rank(a_star) == a.shape[1]
    beta = np.full(b_star.shape, np.nan)
    beta[ok] = np.linalg.solve(a_star[ok], b_star[ok][..., None])[..., 0]
    # athlete-clustered sandwich of the GLS equations at beta*: A*^-1 (sum m_i s_i s_i') A*^-1
    resid = b[None] - np.einsum("gpq,bq->bgp", a, np.nan_to_num(beta))
    meat = np.einsum("bg,bgp,bgq->bpq", multiplicities, resid, resid)
    se = np.full(beta.shape, np.nan)
    inv = np.linalg.inv(a_star[ok])
    se[ok] = np.sqrt(np.einsum("bii->bi", inv @ meat[ok] @ inv))
    return pd.DataFrame(beta, columns=names), pd.DataFrame(se, columns=names)


def _interval(est, se, draws, se_draws, ci, n_groups, level):
    alpha = 1 - level
    d = draws.to_numpy()
    if ci == "t_boot_se":
        s = np.std(d, ddof=1) * np.sqrt(n_groups / (n_groups - 1))
        tdist = stats.t(df=n_groups - 1)
        crit = tdist.ppf(1 - alpha / 2)
        p = 2 * tdist.sf(abs(est / s)) if s > 0 else np.nan
        return est - crit * s, est + crit * s, p
    if ci == "percentile":
        lo, hi = np.quantile(d, [alpha / 2, 1 - alpha / 2])
        # two-sided percentile p: twice the smaller tail share on either side of 0
        p = min(1.0, 2 * min((d <= 0).mean(), (d >= 0).mean()))
        return lo, hi, p
    t_star = (d - est) / se_draws.to_numpy()
    t_star = t_star[np.isfinite(t_star)]
    q_lo, q_hi = np.quantile(t_star, [alpha / 2, 1 - alpha / 2])
    p = float(np.mean(np.abs(t_star) >= abs(est / se))) if se > 0 else np.nan
    return est - q_hi * se, est - q_lo * se, p


def cluster_bootstrap(
    panel: pd.DataFrame,
    fit: Callable[[pd.DataFrame], object],
    *,
    engine: str = "refit",
    ci: str = "t_boot_se",
    n_boot: int = 999,
    group: str = "athlete_id",
    terms: Sequence[str] | None = None,
    level: float = 0.95,
    seed: int | np.random.SeedSequence = 0,
    workers: int = 1,
    original=None,
) -> BootstrapResult:
    r"""Athlete-level bootstrap confidence intervals for the terms of a fit.

    Parameters
    ----------
    panel : pandas.DataFrame
        The panel the fit is run on, with a ``group`` column.
    fit : callable
        ``fit(panel)`` returning a fit with ``.effects`` (e.g. :func:`fit_h2`) or an
        effects DataFrame.  For ``workers > 1`` it must be picklable (a module-level
        function or a ``functools.partial`` of one).
    engine : {"refit", "gls"}, default "refit"
        Refit every replicate, or re-solve the GLS equations with the variance
        components fixed (needs a fit whose ``.result`` is a MixedLM result or an
        athlete-clustered OLS result).  See the module notes.
    ci : {"t_boot_se", "percentile", "studentized"}, default "t_boot_se"
        Interval type (module notes).
    n_boot : int, default 999
        Bootstrap replicates.
    group : str, default "athlete_id"
        Athlete column.
    terms : sequence of str, optional
        Terms to bootstrap; default every term of the original fit.
    level : float, default 0.95
        Confidence level.
    seed : int or numpy.random.SeedSequence, default 0
        The resampling is drawn up front from this seed, so results do not depend on
        ``workers``.
    workers : int, default 1
        Processes for ``engine="refit"``.
    original : fit result, optional
        ``fit(panel)`` when already computed.

    Returns
    -------
    BootstrapResult
        Bootstrap effects rows, the replicate estimates and the failure count.

    Raises
    ------
    ValueError
        For an unknown ``engine`` / ``ci``, fewer than :data:`MIN_ATHLETES` athletes,
        or fewer than 20 successful replicates.

    Notes
    -----
    For :math:`G` athletes, replicate :math:`b` draws athletes
    :math:`i_{b1}, \dots, i_{bG}` uniformly with replacement (multiplicities
    :math:`m_{bi}`), giving :math:`\hat\beta^*_b`.  Point estimates stay those of the
    original fit; only the interval and p-value change.  The p-value matches the
    interval: :math:`2\,t_{G-1}` tail of :math:`\hat\beta / (s^*\sqrt{G/(G-1)})` for
    ``t_boot_se``, twice the smaller share of :math:`\hat\beta^*_b` on either side of 0
    for ``percentile``, and the share of :math:`|t^*_b| \ge |\hat\beta/\widehat{se}|` for
    ``studentized``.
    """
    if engine not in ("refit", "gls"):
        raise ValueError(f"engine must be 'refit' or 'gls', got {engine!r}")
    if ci not in CI_METHODS:
        raise ValueError(f"ci must be one of {CI_METHODS}, got {ci!r}")
    if group not in panel.columns:
        raise KeyError(f"cluster_bootstrap: panel has no column {group!r}")
    original = original if original is not None else fit(panel)
    base = _effects_of(original).copy()
    terms = list(terms) if terms is not None else list(base["term"])
    base = base.set_index("term").loc[terms]
    athletes = pd.unique(panel.loc[panel[group].notna(), group])
    used = tuple(getattr(original, "athletes", ()) or ())
    if engine == "gls" and used:
        athletes = np.array(used, dtype=object)  # the model's clusters only: G and t(G-1) must match the fit
    n_groups = len(athletes)
    if n_groups < MIN_ATHLETES:
        raise ValueError(f"cluster_bootstrap: {n_groups} athletes; resampling needs at least {MIN_ATHLETES}")
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, n_groups, size=(n_boot, n_groups))

    if engine == "gls":
        result = getattr(original, "result", None)
        if result is None:
            raise ValueError("engine='gls' needs the fit object (with .result), not an effects table")
        labels = list(result.model.group_labels) if hasattr(result.model, "group_labels") else list(athletes)
        # multiplicity of each fitted athlete (model order) in each replicate; without the fit's athlete
        # list (a bare result), athletes with no complete rows are drawn like any other and contribute nothing
        index = {a: k for k, a in enumerate(labels)}
        mult = np.zeros((n_boot, len(labels)))
        for col in range(n_groups):
            k = index.get(athletes[col])
            if k is not None:
                mult[:, k] += (picks == col).sum(axis=1)
        draws, se_draws = _gls_draws(result, mult)
        draws, se_draws = draws[terms], se_draws[terms]
    else:
        jobs = [(fit, panel, athletes[p], group, terms) for p in picks]
        if workers > 1:
            with ProcessPoolExecutor(workers) as pool:
                out = list(pool.map(_refit_one, jobs, chunksize=max(1, n_boot // (8 * workers))))
        else:
            out = [_refit_one(j) for j in jobs]
        draws = pd.DataFrame([o[0] for o in out], columns=terms)
        se_draws = pd.DataFrame([o[1] for o in out], columns=terms)

    ok = np.isfinite(draws).all(axis=1)
    n_failed = int((~ok).sum())
    draws, se_draws = draws[ok].reset_index(drop=True), se_draws[ok].reset_index(drop=True)
    if len(draws) < 20:
        raise ValueError(f"cluster_bootstrap: only {len(draws)} of {n_boot} replicates succeeded")

    what = {
        "t_boot_se": f"bootstrap SE x sqrt(G/(G-1)) with t({n_groups - 1})",
        "percentile": "percentile",
        "studentized": "studentized (bootstrap-t)",
    }[ci]
    note = (
        f"athlete cluster bootstrap ({engine}), {len(draws)} replicates"
        f"{f' ({n_failed} failed, left out)' if n_failed else ''}, {what} {level:.0%} CI and p"
    )
    rows = []
    for t in terms:
        r = base.loc[t].to_dict()
        est = r["estimate"]
        se = float(_se_from_effects(base.loc[[t]]).iloc[0]) if ci == "studentized" and engine == "refit" else (np.nan)
        if ci == "studentized" and engine == "gls":
            se = float(_gls_draws(original.result, np.ones((1, len(labels))))[1][t].iloc[0])
        if np.isfinite(est):
            lo, hi, p = _interval(est, se, draws[t], se_draws[t], ci, n_groups, level)
        else:
            lo = hi = p = np.nan
        r.update(
            term=t,
            ci_low=lo,
            ci_high=hi,
            p_value=p,
            df=float(n_groups - 1) if ci == "t_boot_se" and np.isfinite(est) else np.nan,
            model=f"{r['model']}+cluster_bootstrap",
            note=f"{note}; {r['note']}",
        )
        rows.append(r)
    effects = pd.DataFrame(rows)[EFFECT_COLUMNS].astype(_effects_of(original)[EFFECT_COLUMNS].dtypes.to_dict())
    return BootstrapResult(effects, draws, se_draws, n_failed, n_groups, level)


def _inference_name(fit) -> str:
    """How the fit's own CI and p were computed, in words (Wald z, or t with a small-sample df)."""
    inference = getattr(fit, "inference", "wald")
    return "Wald" if inference == "wald" else f"the {inference} t test"


def bootstrap_inference(
    effects: pd.DataFrame,
    panel: pd.DataFrame,
    fit,
    terms: Sequence[str],
    *,
    n_boot: int = 1999,
    seed=0,
    rows: pd.Series | None = None,
) -> tuple[pd.DataFrame, BootstrapResult | None]:
    """Replace the CI and p of ``terms`` in ``effects`` by the athlete cluster bootstrap (estimates unchanged).

    GLS engine (the variance components of ``fit`` stay fixed), ``t_boot_se`` intervals.  The Wald CI and p
    stay readable in each row's ``note``; when the bootstrap is impossible (too few athletes, failed
    replicates) the rows keep their Wald numbers and the note says why.

    Parameters
    ----------
    effects : pandas.DataFrame
        Tidy rows of ``fit`` (:data:`EFFECT_COLUMNS`).
    panel : pandas.DataFrame
        The panel ``fit`` was fitted on (supplies the athletes).
    fit : MixedFit
        The fit object (with ``.result``).
    terms : sequence of str
        Rows to change; terms absent from ``effects`` or with a NaN estimate are skipped.
    n_boot, seed : int
        Replicates and resampling seed.
    rows : boolean Series, optional
        Only these rows of ``effects`` belong to ``fit`` (when ``effects`` holds several fits' rows).

    Returns
    -------
    effects : pandas.DataFrame
        A copy with the bootstrap CI, p and ``model`` (suffix ``+cluster_bootstrap``) in those rows.
    boot : BootstrapResult or None
        The replicates (e.g. for a contrast of two terms), None when nothing was bootstrapped.
    """
    mine = pd.Series(True, index=effects.index) if rows is None else rows.reindex(effects.index, fill_value=False)
    est = effects.loc[mine].set_index("term")["estimate"]
    terms = [t for t in terms if t in est.index and np.isfinite(est[t])]
    mine &= effects["term"].isin(terms)
    out = effects.copy()
    if not terms or getattr(fit, "result", None) is None:
        return out, None
    try:
        boot = cluster_bootstrap(
            panel, lambda _: fit, engine="gls", n_boot=n_boot, seed=seed, terms=terms, original=fit
        )
    except (ValueError, KeyError, np.linalg.LinAlgError) as err:
        out.loc[mine, "note"] = f"Wald CI and p (bootstrap not possible: {err}); " + out.loc[mine, "note"].astype(str)
        return out, None
    by_term = boot.effects.set_index("term")
    for i in out.index[mine]:
        b = by_term.loc[out.at[i, "term"]]
        wald = out.loc[i, ["ci_low", "ci_high", "p_value"]]
        cols = ["ci_low", "ci_high", "p_value", "df", "model"]
        out.loc[i, cols] = [b["ci_low"], b["ci_high"], b["p_value"], b["df"], b["model"]]
        out.at[i, "note"] = (
            f"CI and p from the athlete cluster bootstrap ({len(boot.draws)} replicates, GLS engine; "
            f"{_inference_name(fit)} would give [{wald['ci_low']:.4g}, {wald['ci_high']:.4g}], "
            f"p = {wald['p_value']:.3g}); " + str(effects.at[i, "note"])
        )
    return out, boot
