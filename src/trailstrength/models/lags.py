r"""Distributed lags of daily exposures: acute daily lags and chronic weekly blocks.

DESIGN §7 asks for exposures at two time scales: acute (days 0–3 before an outcome,
where lifting soreness and the repeated-bout effect act) and chronic (weeks, where
training adaptations act).  :func:`distributed_lags` turns a daily exposure frame (one
row per athlete-day, a continuous calendar, e.g.
:func:`trailstrength.features.daily_exposures`) into lag columns; :func:`fit_lags`
joins them to a panel and fits all lags in one mixed model, so each coefficient is the
association of exposure at that lag holding the other lags fixed.

Lag layout for an outcome on day :math:`d`, defaults ``acute_lags=(0, 1, 2, 3)``,
``weeks=8``:

* ``<col>_lag<l>``: exposure on day :math:`d - l`, one column per acute lag (a negative
  lag is a lead: exposure after the day, e.g. lifting the day after a run);
* ``<col>_week<k>``: exposure summed over the 7 days
  :math:`d - L - 7k \dots d - L - 7(k - 1) - 1` with :math:`L = \max(\text{acute lags})`,
  so week 1 is days :math:`d-10 \dots d-4`: the blocks start where the acute lags end and
  do not overlap them; with the defaults, lags and blocks cover days :math:`d-59 \dots d`.

Days before an athlete's first calendar day are unknown, not zero: their lags are NaN.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from trailstrength.models.mixed import MixedFit, fit_mixed

__all__ = ["ACUTE_LAGS", "WEEKS", "distributed_lags", "fit_lags", "lag_columns"]

ACUTE_LAGS = (0, 1, 2, 3)
WEEKS = 8


def lag_columns(column: str, acute_lags: Sequence[int] = ACUTE_LAGS, weeks: int = WEEKS) -> list[str]:
    """Names of the lag columns :func:`distributed_lags` makes for one exposure."""
    return [f"{column}_lag{lag}".replace("lag-", "lead") for lag in acute_lags] + [
        f"{column}_week{k}" for k in range(1, weeks + 1)
    ]


def _shift(values: np.ndarray, lag: int) -> np.ndarray:
    """values[t - lag], NaN where t - lag falls outside the calendar."""
    out = np.full(values.shape, np.nan)
    if lag >= 0:
        out[lag:] = values[: values.size - lag] if lag else values
    else:
        out[:lag] = values[-lag:]
    return out


def distributed_lags(
    daily: pd.DataFrame,
    columns: Sequence[str] | str,
    *,
    group: str = "athlete_id",
    date: str = "local_date",
    acute_lags: Sequence[int] = ACUTE_LAGS,
    weeks: int = WEEKS,
) -> pd.DataFrame:
    r"""Acute daily lags and weekly lag blocks of daily exposures.

    Parameters
    ----------
    daily : pandas.DataFrame
        One row per athlete-day on a continuous calendar per athlete (missing days are
        filled with 0 exposure, since a daily log records what happened).
    columns : sequence of str or str
        Exposure columns (e.g. ``"hinge_sets"``, ``"descent_m"``), in their own units
        per day.
    group, date : str
        Athlete and calendar-day columns.
    acute_lags : sequence of int, default (0, 1, 2, 3)
        Daily lags; negative values are leads (named ``<col>_lead<l>``).
    weeks : int, default 8
        Number of 7-day blocks after the acute lags.

    Returns
    -------
    pandas.DataFrame
        ``group``, ``date`` and :func:`lag_columns` for each exposure; NaN where a lag
        reaches before the athlete's first or after the last calendar day.

    Raises
    ------
    KeyError
        For a missing column.
    ValueError
        When a lag is not an integer or ``weeks`` is negative.

    Notes
    -----
    For exposure :math:`x_{i,t}` of athlete :math:`i` on day :math:`t` and
    :math:`L = \max(\text{acute lags}, 0)`,

    .. math::

        \text{lag}_l(d) = x_{i,d-l}, \qquad
        \text{week}_k(d) = \sum_{t = d - L - 7k}^{d - L - 7(k-1) - 1} x_{i,t}.
    """
    columns = [columns] if isinstance(columns, str) else list(columns)
    missing = [c for c in [group, date, *columns] if c not in daily.columns]
    if missing:
        raise KeyError(f"distributed_lags: daily frame has no column(s) {missing}; available: {list(daily.columns)}")
    if any(int(lag) != lag for lag in acute_lags) or weeks < 0:
        raise ValueError(f"acute_lags must be integers and weeks >= 0; got {list(acute_lags)}, {weeks}")
    top = max(max(acute_lags, default=0), 0)
    frames = []
    for aid, g in daily.groupby(group, sort=False):
        dates = pd.to_datetime(g[date])
        calendar = pd.date_range(dates.min(), dates.max(), freq="D", name=date)
        values = g.assign(**{date: dates}).set_index(date)[columns].astype(float)
        values = values.groupby(level=0).sum().reindex(calendar, fill_value=0.0)
        out = pd.DataFrame({group: aid, date: calendar})
        for c in columns:
            x = values[c].to_numpy()
            csum = np.concatenate([[0.0], np.cumsum(x)])
            t = np.arange(x.size)
            for lag, name in zip(acute_lags, lag_columns(c, acute_lags, 0)):
                out[name] = _shift(x, int(lag))
            for k in range(1, weeks + 1):
                hi = t - top - 1 - 7 * (k - 1)  # last day of the block (inclusive)
                lo = hi - 6
                s = csum[np.clip(hi + 1, 0, x.size)] - csum[np.clip(lo, 0, x.size)]
                out[f"{c}_week{k}"] = np.where(lo >= 0, s, np.nan)
        frames.append(out)
    return pd.concat(frames, ignore_index=True)


def fit_lags(
    panel: pd.DataFrame,
    lags: pd.DataFrame,
    outcome: str,
    exposure: str,
    *,
    covariates: Sequence[str] = (),
    hypothesis: str,
    outcome_unit: str,
    exposure_unit: str,
    group: str = "athlete_id",
    date: str = "local_date",
    acute_lags: Sequence[int] = ACUTE_LAGS,
    weeks: int = WEEKS,
) -> MixedFit:
    r"""Mixed model of an outcome on every lag of one exposure (within athlete).

    Parameters
    ----------
    panel : pandas.DataFrame
        Outcome panel (e.g. the H2 panel) with ``group``, ``date``, ``outcome`` and the
        covariates.
    lags : pandas.DataFrame
        :func:`distributed_lags` output holding ``exposure``'s lag columns.
    outcome, exposure : str
        Outcome column of the panel; exposure name used in ``lags``.
    covariates : sequence of str, default ()
        Further fixed terms from the panel.
    hypothesis, outcome_unit, exposure_unit : str
        Labels for the effects table, e.g. ``"H2"``, ``"soreness points"``, ``"hinge set"``.
    group, date, acute_lags, weeks
        As :func:`distributed_lags`.

    Returns
    -------
    MixedFit
        One row per lag term (``<exposure>_lag<l>_within``, ``<exposure>_week<k>_within``),
        then the covariates and ``<exposure>_total_between``.

    Notes
    -----
    Each lag column is centred on the athlete's mean (within part) so the lag
    coefficients compare an athlete with themselves; one between term, the athlete mean
    of the summed lags, absorbs between-athlete differences in overall dose (athlete
    means of the separate lags are nearly collinear).  Model:
    :math:`y_{ij} = \beta_0 + \sum_l \beta_l \tilde x_{l,ij} + \beta_B \bar x_i +
    \gamma^\top c_{ij} + u_i + \varepsilon_{ij}`, fitted by :func:`fit_mixed` (random
    intercept).  Rows without a full lag history are dropped and counted in the note.
    """
    names = lag_columns(exposure, acute_lags, weeks)
    missing = [c for c in names if c not in lags.columns]
    if missing:
        raise KeyError(f"fit_lags: lags frame has no column(s) {missing}; build it with distributed_lags")
    # a panel may already carry some lag columns (features' h2_panel(variants=True) has *_lag0..3): the lag frame
    # passed in is the one the model is about, so it replaces them
    data = panel.drop(columns=[c for c in names if c in panel.columns]).merge(
        lags[[group, date, *names]], on=[group, date], how="left", validate="many_to_one"
    )
    complete = data[[outcome, *names, *covariates]].notna().all(axis=1)
    sub = data.loc[complete]
    total = sub[names].sum(axis=1)
    data.loc[complete, f"{exposure}_total_between"] = total.groupby(sub[group]).transform("mean")
    for c in names:
        data.loc[complete, f"{c}_within"] = sub[c] - sub.groupby(group)[c].transform("mean")
    terms = [f"{c}_within" for c in names] + list(covariates) + [f"{exposure}_total_between"]
    units = {
        f"{c}_within": f"{outcome_unit} per {exposure_unit} at {c.removeprefix(exposure + '_')} "
        f"({'day' if '_lag' in c or '_lead' in c else '7-day block'}, within athlete)"
        for c in names
    }
    units[f"{exposure}_total_between"] = f"{outcome_unit} per {exposure_unit} of mean summed lags (between athletes)"
    return fit_mixed(data, outcome, terms, group=group, hypothesis=hypothesis, units=units)
