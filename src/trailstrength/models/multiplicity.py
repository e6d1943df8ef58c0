r"""Multiplicity: Holm over the primary family, Benjamini–Hochberg over exploratory grids.

DESIGN §8 fixes the policy: the pre-registered primary family (the within-athlete hinge
terms of H1 and H2) is corrected with Holm's step-down procedure, which controls the
family-wise error rate under any dependence; exploratory grids (secondary hypotheses,
sensitivity and specification-curve rows) with Benjamini–Hochberg, which controls the
false discovery rate under independence or positive regression dependence.

``effects.csv`` keeps its frozen columns (:data:`~trailstrength.models.tidy.EFFECT_COLUMNS`),
so :func:`adjust_effects` writes the adjusted value at the start of each row's ``note``
(``"Holm p = 0.031 (family: ...)"``) and leaves ``p_value`` unadjusted.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = ["adjust_effects", "benjamini_hochberg", "holm"]

_MISSING = ("count", "omit")


def _prepare(p_values, missing: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """(p as floats, an all-NaN output, indices of the finite p in increasing order, family size m)."""
    p = np.asarray(p_values, dtype="float64").ravel()
    if missing not in _MISSING:
        raise ValueError(f"missing must be one of {_MISSING}, got {missing!r}")
    finite = np.isfinite(p)
    if np.any((p[finite] < 0) | (p[finite] > 1)):
        bad = p[finite][(p[finite] < 0) | (p[finite] > 1)][:3]
        raise ValueError(f"p-values must lie in [0, 1]; got e.g. {bad.tolist()}")
    m = p.size if missing == "count" else int(finite.sum())
    idx = np.flatnonzero(finite)
    return p, np.full(p.shape, np.nan), idx[np.argsort(p[idx], kind="stable")], m


def holm(p_values: Sequence[float], *, missing: str = "count") -> np.ndarray:
    r"""Holm (1979) step-down adjusted p-values.

    Parameters
    ----------
    p_values : sequence of float
        Unadjusted p-values of one family; NaN for a test that could not be run.
    missing : {"count", "omit"}, default "count"
        ``"count"``: a NaN p counts towards the family size :math:`m` as if it were 1
        (conservative: a failed fit does not shrink the family); ``"omit"``: NaNs are
        left out of :math:`m`.  Either way a NaN input gives a NaN output.

    Returns
    -------
    numpy.ndarray
        Adjusted p-values in the input order.

    Notes
    -----
    With the observed p-values ordered :math:`p_{(1)} \le \dots \le p_{(k)}` and family
    size :math:`m \ge k`,

    .. math::

        \tilde p_{(i)} = \min\Bigl(1,\ \max_{j \le i} (m - j + 1)\, p_{(j)}\Bigr).

    Rejecting :math:`\tilde p \le \alpha` controls the family-wise error rate at
    :math:`\alpha` under arbitrary dependence.  Ties keep their input order, which does
    not change the adjusted values.

    References
    ----------
    Holm S. (1979). A simple sequentially rejective multiple test procedure.
    Scandinavian Journal of Statistics 6:65–70.
    """
    p, out, order, m = _prepare(p_values, missing)
    if order.size == 0:
        return out
    factors = m - np.arange(order.size)
    out[order] = np.minimum(1.0, np.maximum.accumulate(factors * p[order]))
    return out


def benjamini_hochberg(p_values: Sequence[float], *, missing: str = "omit") -> np.ndarray:
    r"""Benjamini–Hochberg (1995) adjusted p-values (q-values of the step-up procedure).

    Parameters
    ----------
    p_values : sequence of float
        Unadjusted p-values of one exploratory grid; NaN for a cell not fitted.
    missing : {"omit", "count"}, default "omit"
        Whether a NaN counts towards :math:`m` (as a p of 1) or is left out.  Exploratory
        grids leave unfitted cells out by default.

    Returns
    -------
    numpy.ndarray
        Adjusted p-values in the input order (NaN where the input is NaN).

    Notes
    -----
    With :math:`p_{(1)} \le \dots \le p_{(k)}` and family size :math:`m \ge k`,

    .. math::

        \tilde p_{(i)} = \min\Bigl(1,\ \min_{j \ge i} \frac{m\, p_{(j)}}{j}\Bigr).

    Rejecting :math:`\tilde p \le q` controls the false discovery rate at :math:`q` for
    independent or positively dependent (PRDS) tests.  With ``missing="count"`` the
    NaNs take the ranks after every observed p, so the observed ranks are unchanged and
    only :math:`m` grows.

    References
    ----------
    Benjamini Y., Hochberg Y. (1995). Controlling the false discovery rate: a practical
    and powerful approach to multiple testing. JRSS B 57:289–300.
    """
    p, out, order, m = _prepare(p_values, missing)
    if order.size == 0:
        return out
    ranks = np.arange(1, order.size + 1)
    scaled = m * p[order] / ranks
    out[order] = np.minimum(1.0, np.minimum.accumulate(scaled[::-1])[::-1])
    return out


def adjust_effects(
    effects: pd.DataFrame,
    method: str,
    *,
    rows: pd.Series | np.ndarray | None = None,
    family: str,
    missing: str | None = None,
) -> pd.DataFrame:
    """Adjust the p-values of some rows of an effects table; write the result into ``note``.

    Parameters
    ----------
    effects : pandas.DataFrame
        Tidy effects (:data:`~trailstrength.models.tidy.EFFECT_COLUMNS`).
    method : {"holm", "bh"}
        Holm (family-wise error) or Benjamini–Hochberg (false discovery rate).
    rows : boolean array-like, optional
        The family; default every row.
    family : str
        What the family is, written into the note, e.g. ``"H1, H2 primary"``.
    missing : {"count", "omit"}, optional
        Passed to the adjuster; default ``"count"`` for Holm and ``"omit"`` for BH.

    Returns
    -------
    pandas.DataFrame
        A copy with ``"Holm p = ... (family: ...); "`` or ``"BH q = ... (family: ...); "``
        prepended to the note of every row in the family (``"... not available (p
        missing)"`` when the row's p is NaN).  Columns and ``p_value`` are unchanged.
    """
    if method not in ("holm", "bh"):
        raise ValueError(f"method must be 'holm' or 'bh', got {method!r}")
    out = effects.copy()
    mask = np.ones(len(out), bool) if rows is None else np.asarray(rows, dtype=bool)
    if mask.shape != (len(out),):
        raise ValueError(f"rows must be a boolean mask of length {len(out)}, got shape {mask.shape}")
    adjust, label = (holm, "Holm p") if method == "holm" else (benjamini_hochberg, "BH q")
    missing = missing or ("count" if method == "holm" else "omit")
    idx = out.index[mask]
    p_adj = adjust(out.loc[idx, "p_value"].to_numpy(dtype=float), missing=missing)
    for i, adj in zip(idx, p_adj):
        text = f"{label} = {adj:.4g} (family: {family})" if np.isfinite(adj) else f"{label} not available (p missing)"
        out.loc[i, "note"] = f"{text}; {out.loc[i, 'note']}"
    return out
