r"""Repeated-measures correlation (Bakdash & Marusich 2017), our own OLS implementation.

A descriptive check beside the mixed models (DESIGN §8): the common within-athlete
association of two measures, e.g. "in weeks when an athlete lifts more, is their DPI
higher?", free of between-athlete differences.  It is the ANCOVA of Bland & Altman (1995):
parallel lines, one intercept per athlete, a common slope.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from trailstrength.models.tidy import complete_cases, effects_frame

__all__ = ["rmcorr", "rmcorr_effects", "rmcorr_inference"]

RMCORR_COLUMNS = ["x", "y", "r", "df", "p_value", "ci_low", "ci_high", "slope", "n_athletes", "n_obs"]


def rmcorr_inference(r: float, df: int, level: float = 0.95) -> tuple[float, float, float]:
    r"""p-value and confidence interval of a repeated-measures correlation.

    Parameters
    ----------
    r : float
        Repeated-measures correlation.
    df : int
        Its residual degrees of freedom :math:`N - k - 1`.
    level : float, default 0.95
        Confidence level.

    Returns
    -------
    p_value, ci_low, ci_high : float

    Notes
    -----
    :math:`t = r\sqrt{\nu / (1 - r^2)}` on :math:`\nu` df (the ANCOVA slope's t test), and
    the Fisher-z interval :math:`\tanh(\operatorname{atanh} r \pm z_{1-\alpha/2} /
    \sqrt{\nu - 1})`, as in Bakdash & Marusich (2017).  With their example
    (Bland & Altman 1995 data: :math:`r = -0.5067697`, :math:`\nu = 38`) this gives
    p = 0.000847 and CI (−0.7067, −0.2319), the published values.
    """
    if df < 2 or not np.isfinite(r):
        return np.nan, np.nan, np.nan
    if abs(r) >= 1:
        return 0.0, float(r), float(r)
    t = r * np.sqrt(df / (1 - r * r))
    p = float(2 * stats.t.sf(abs(t), df))
    half = stats.norm.ppf(0.5 + level / 2) / np.sqrt(df - 1)
    return p, float(np.tanh(np.arctanh(r) - half)), float(np.tanh(np.arctanh(r) + half))


def rmcorr(data: pd.DataFrame, x: str, y: str, *, group: str = "athlete_id", level: float = 0.95) -> pd.Series:
    r"""Repeated-measures correlation of ``x`` and ``y`` within athletes.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per paired observation, with ``x``, ``y`` and ``group``.
    x, y : str
        The two measures (order matters only for ``slope``, the change in ``y`` per unit
        of ``x``).
    group : str, default "athlete_id"
        Athlete column.
    level : float, default 0.95
        Confidence level.

    Returns
    -------
    pandas.Series
        ``x, y, r, df, p_value, ci_low, ci_high, slope, n_athletes, n_obs``.  Athletes with
        a single complete observation carry no within information and are dropped
        (they are not counted in :math:`k`).

    Notes
    -----
    With athlete means :math:`\bar x_i, \bar y_i` and deviations
    :math:`\tilde x_{ij} = x_{ij} - \bar x_i`, :math:`\tilde y_{ij} = y_{ij} - \bar y_i`,
    the ANCOVA :math:`y_{ij} = \alpha_i + \beta x_{ij} + \varepsilon_{ij}` has
    :math:`\hat\beta = \sum \tilde x \tilde y / \sum \tilde x^2`, model sum of squares
    :math:`SS_x = \hat\beta^2 \sum \tilde x^2` and residual sum of squares
    :math:`SS_e = \sum (\tilde y - \hat\beta \tilde x)^2`, and

    .. math::

        r_{rm} = \operatorname{sign}(\hat\beta) \sqrt{\frac{SS_x}{SS_x + SS_e}}
        = \frac{\sum \tilde x \tilde y}{\sqrt{\sum \tilde x^2 \sum \tilde y^2}},
        \qquad \nu = N - k - 1,

    for :math:`N` observations of :math:`k` athletes.  Inference: :func:`rmcorr_inference`.

    References
    ----------
    Bakdash J. Z., Marusich L. R. (2017). Repeated measures correlation. Frontiers in
    Psychology 8:456.

    Bland J. M., Altman D. G. (1995). Calculating correlation coefficients with repeated
    observations: Part 1 — correlation within subjects. BMJ 310:446.
    """
    d, _ = complete_cases(data, y, [x], group, "rmcorr")
    sizes = d.groupby(group)[x].transform("size")
    d = d[sizes >= 2]
    xw = d[x] - d.groupby(group)[x].transform("mean")
    yw = d[y] - d.groupby(group)[y].transform("mean")
    n, k = len(d), int(d[group].nunique())
    sxx, syy, sxy = float((xw * xw).sum()), float((yw * yw).sum()), float((xw * yw).sum())
    df = n - k - 1
    if sxx <= 0 or syy <= 0 or df < 2:
        r = slope = np.nan
    else:
        r, slope = sxy / np.sqrt(sxx * syy), sxy / sxx
    p, lo, hi = rmcorr_inference(r, df, level)
    return pd.Series(
        {
            "x": x,
            "y": y,
            "r": r,
            "df": df,
            "p_value": p,
            "ci_low": lo,
            "ci_high": hi,
            "slope": slope,
            "n_athletes": k,
            "n_obs": n,
        }
    )


def rmcorr_effects(
    data: pd.DataFrame, pairs: Sequence[tuple[str, str]], *, hypothesis: str, group: str = "athlete_id"
) -> pd.DataFrame:
    """Repeated-measures correlations as rows of the tidy effects table.

    Parameters
    ----------
    data : pandas.DataFrame
        Panel holding every column named in ``pairs``.
    pairs : sequence of (exposure, outcome)
        Each pair becomes one row: ``term`` = exposure, ``outcome`` = outcome,
        ``estimate`` = :math:`r_{rm}` (dimensionless).
    hypothesis : str
        Label for the ``hypothesis`` column.
    group : str, default "athlete_id"
        Athlete column.

    Returns
    -------
    pandas.DataFrame
        :data:`~trailstrength.models.tidy.EFFECT_COLUMNS`, model ``"rmcorr"``.
    """
    rows = []
    for x, y in pairs:
        s = rmcorr(data, x, y, group=group)
        rows.append(
            {
                "hypothesis": hypothesis,
                "outcome": y,
                "term": x,
                "estimate": s["r"],
                "ci_low": s["ci_low"],
                "ci_high": s["ci_high"],
                "p_value": s["p_value"],
                "unit": "repeated-measures correlation (-1 to 1)",
                "n_athletes": int(s["n_athletes"]),
                "n_obs": int(s["n_obs"]),
                "model": "rmcorr",
                "converged": bool(np.isfinite(s["r"])),
                "primary": False,
                "note": (
                    f"descriptive: common within-athlete correlation, df = {int(s['df'])}, Fisher-z CI; "
                    f"within slope {s['slope']:.4g} {y} per unit of {x}"
                ),
            }
        )
    return effects_frame(rows)
