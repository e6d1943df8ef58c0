"""Within-athlete / between-athlete split of an exposure (the Mundlak decomposition the mixed models use)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from trailstrength.models.tidy import numeric_columns

__all__ = ["within_between"]


def within_between(panel: pd.DataFrame, columns: Sequence[str] | str, group: str = "athlete_id") -> pd.DataFrame:
    r"""Split columns into within-athlete deviations and between-athlete means.

    Parameters
    ----------
    panel : pandas.DataFrame
        One row per observation (run), with a ``group`` column.
    columns : sequence of str or str
        Numeric columns to split.
    group : str, default "athlete_id"
        Column identifying the athlete.

    Returns
    -------
    pandas.DataFrame
        A copy of ``panel`` with ``f"{c}_within"`` and ``f"{c}_between"`` added for each
        column, in the units of ``c``.

    Notes
    -----
    For athlete :math:`i` and run :math:`j`,

    .. math::

        \bar x_i = \frac{1}{n_i} \sum_{j:\,x_{ij}\ \text{observed}} x_{ij}, \qquad
        x^{b}_{ij} = \bar x_i, \qquad x^{w}_{ij} = x_{ij} - \bar x_i .

    Missing values are skipped when averaging; a missing :math:`x_{ij}` gives a missing
    within part but keeps the athlete's between part; an athlete with no observed value
    gets missing for both.  Putting both parts in one model (Mundlak 1978; Bell & Jones
    2015) lets the within coefficient estimate the association of an athlete's
    *changes* in exposure with their outcome, free of stable between-athlete confounders.
    Compute the parts on the rows that enter the model, otherwise the within part does
    not average to zero per athlete in the analysis sample.

    References
    ----------
    Mundlak Y. (1978). On the pooling of time series and cross section data.
    Econometrica 46:69–85.

    Bell A., Jones K. (2015). Explaining fixed effects: random effects modeling of
    time-series cross-sectional and panel data. Political Science Research and Methods
    3:133–153.
    """
    if isinstance(columns, str):
        columns = [columns]
    missing = [c for c in [group, *columns] if c not in panel.columns]
    if missing:
        raise KeyError(f"within_between: panel has no column(s) {missing}; available: {list(panel.columns)}")
    out = panel.copy()
    for c in columns:
        values = numeric_columns(out, [c], "within_between")[c]
        mean = values.groupby(out[group], sort=False, dropna=False).transform("mean")
        out[f"{c}_between"] = mean
        out[f"{c}_within"] = values - mean
    return out
