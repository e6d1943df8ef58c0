"""Model diagnostics: residuals against fitted values, a normal Q–Q plot, residuals by athlete.

Artists carry a ``gid``: ``"residuals"`` (residual points), ``"qq"`` (Q–Q points), ``"qq_line"`` (the reference
line through the quartiles), ``"by_athlete"`` (the box plot).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from trailstrength.viz._common import no_data as _no_data
from trailstrength.viz.style import COLORS

__all__ = ["residual_diagnostics"]


def residual_diagnostics(fitted, residuals, groups=None, *, axes=None, fitted_label: str = "Fitted value"):
    """Three panels to read before trusting a model's intervals.

    Parameters
    ----------
    fitted, residuals : array-like
        Fitted values and residuals of a fitted model, in the same order and units (e.g. a
        :class:`~trailstrength.models.mixed.MixedFit`'s ``result.fittedvalues`` and ``result.resid``).
    groups : array-like, optional
        The athlete of each residual (same length); without it (or with another length) the third panel
        says so.
    axes : sequence of three Axes, optional
        A row of three new axes when None.
    fitted_label : str
        x label of the first panel (say the outcome, e.g. ``"Fitted DPI"``).

    Returns
    -------
    numpy.ndarray of Axes
        Residuals against fitted (look for a funnel or a curve), normal Q–Q (heavy tails make Wald intervals too
        narrow) and residuals by athlete (one athlete dominating the fit shows here).

    Notes
    -----
    The Q–Q reference line passes through the first and third quartiles of both distributions (R's
    ``qqline``): nothing is fitted, and a few extreme residuals do not tilt it.
    """
    from scipy import stats

    resid = np.asarray(residuals, dtype=float)
    fit = np.asarray(fitted, dtype=float)
    if axes is None:
        import matplotlib.pyplot as plt

        _, axes = plt.subplots(1, 3, figsize=(15, 4))
    axes = np.atleast_1d(np.asarray(axes, dtype=object))
    axes[0].scatter(fit, resid, s=12, color=COLORS["neutral"], gid="residuals")
    axes[0].axhline(0, color="#444444")
    axes[0].set(xlabel=fitted_label, ylabel="Residual")

    ordered = np.sort(resid[np.isfinite(resid)])
    theoretical = stats.norm.ppf((np.arange(1, len(ordered) + 1) - 0.5) / max(len(ordered), 1))
    axes[1].scatter(theoretical, ordered, s=12, color=COLORS["neutral"], gid="qq")
    if len(ordered) >= 4:
        q_sample, q_normal = np.quantile(ordered, [0.25, 0.75]), stats.norm.ppf([0.25, 0.75])
        slope = (q_sample[1] - q_sample[0]) / (q_normal[1] - q_normal[0])
        axes[1].plot(
            theoretical, q_sample[0] + slope * (theoretical - q_normal[0]), color=COLORS["descent"], gid="qq_line"
        )
    axes[1].set(xlabel="Normal quantile", ylabel="Residual quantile")

    if groups is None or len(groups) != len(resid):
        _no_data(axes[2], "No athlete for each residual")
        return axes
    by = pd.DataFrame({"athlete": np.asarray(groups), "residual": resid})
    labels = sorted(by["athlete"].unique())
    box = axes[2].boxplot([by.loc[by["athlete"] == a, "residual"] for a in labels], tick_labels=labels)
    for artist in box["boxes"]:
        artist.set_gid("by_athlete")
    axes[2].set(xlabel="", ylabel="Residual")
    if len(labels) > 4:  # athlete ids side by side run into each other
        axes[2].tick_params(axis="x", labelrotation=45)
    return axes
