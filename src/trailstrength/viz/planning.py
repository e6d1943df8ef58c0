"""Dose and design figures: dose–response curve, power curve, power by planted effect.

Artists carry a ``gid``: ``"curve"`` and ``"curve_ci"`` (dose–response estimate and band, or
``"curve_points"`` and ``"curve_errorbars"`` for categorical doses), ``"observed"`` (raw points),
``"power:<group>"`` (one power line per group), ``"power_ci:<group>"``, ``"target"``, ``"mde"``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from trailstrength.viz._common import axes as _axes
from trailstrength.viz._common import lighten as _lighten
from trailstrength.viz._common import no_data as _no_data
from trailstrength.viz._common import require as _require
from trailstrength.viz.style import COLORS, PALETTE

__all__ = ["dose_response", "power_by_effect", "power_curve", "save_power_figure"]


def dose_response(
    curve: pd.DataFrame,
    ax=None,
    *,
    observed: pd.DataFrame | None = None,
    dose: str = "dose",
    dose_label: str = "Hinge sets per week",
    outcome_label: str = "Outcome",
    color: str | None = None,
    reference: float | None = None,
):
    """Dose–response: the outcome (or its difference from a reference dose) across weekly doses.

    Parameters
    ----------
    curve : DataFrame
        One row per dose: the ``dose`` column (numeric: drawn as a line with a CI band; strings or
        categories, e.g. ``"0"``, ``"1-2"``, ``"3+"``: drawn as points with error bars),
        ``estimate``, ``ci_low``, ``ci_high`` (95 % CI). Optional ``n`` (observations per dose)
        is written under each categorical dose.
    ax : matplotlib Axes, optional
    observed : DataFrame, optional
        Raw points to show behind the curve: the ``dose`` column and ``outcome``.
    dose, dose_label, outcome_label : str
        Dose column name and axis labels.
    color : colour, optional
        Curve colour (default: the hinge colour).
    reference : float, optional
        Dose the curve is expressed against (a dashed vertical line), when the estimate is a
        difference from it.

    Returns
    -------
    ax : matplotlib Axes

    Notes
    -----
    DESIGN §8 (H6): 1–2 sessions a week of 3–4 × 6–8 is what the article recommends; a flat curve
    across doses says the data show no dose–response, not that the exercise does nothing.
    """
    _require(curve, (dose, "estimate", "ci_low", "ci_high"), "curve")
    ax = _axes(ax)
    color = color or COLORS["hinge"]
    if curve.empty:
        return _no_data(ax, "No doses to show")
    numeric = pd.api.types.is_numeric_dtype(curve[dose]) and not isinstance(curve[dose].dtype, pd.CategoricalDtype)
    if numeric:
        data = curve.sort_values(dose)
        x = data[dose].to_numpy(dtype=float)
    else:
        data = curve.reset_index(drop=True)
        x = np.arange(len(data), dtype=float)
    if observed is not None:
        _require(observed, (dose, "outcome"), "observed")
        if numeric:
            ox = observed[dose].to_numpy(dtype=float)
        else:
            pos = {str(v): i for i, v in enumerate(data[dose].astype(str))}
            jitter = np.random.default_rng(0).uniform(-0.15, 0.15, len(observed))
            ox = observed[dose].astype(str).map(pos).to_numpy(dtype=float) + jitter
        ax.scatter(ox, observed["outcome"], s=14, color=_lighten(color, 0.6), linewidths=0, zorder=1, gid="observed")
    est = data["estimate"].to_numpy(dtype=float)
    lo, hi = data["ci_low"].to_numpy(dtype=float), data["ci_high"].to_numpy(dtype=float)
    if numeric:
        ax.fill_between(x, lo, hi, color=color, alpha=0.2, linewidth=0, zorder=2, gid="curve_ci")
        ax.plot(x, est, color=color, linewidth=3, zorder=3, gid="curve")
    else:
        ax.errorbar(
            x,
            est,
            yerr=[est - lo, hi - est],
            fmt="none",
            ecolor=color,
            elinewidth=2.5,
            capsize=0,
            zorder=2,
            gid="curve_errorbars",
        )
        ax.scatter(x, est, s=80, color=color, zorder=3, gid="curve_points")
        labels = data[dose].astype(str)
        if "n" in data:  # under the tick, where it cannot hide a point
            labels = [f"{d}\n(n = {n})" for d, n in zip(labels, data["n"])]
        ax.set_xticks(x, labels)
    if reference is not None:
        ax.axvline(reference, color=COLORS["neutral"], linestyle="--", linewidth=1.2, gid="reference")
    ax.axhline(0, color="#444444", linewidth=1, zorder=0).set_gid("zero")
    ax.set_xlabel(dose_label)
    ax.set_ylabel(outcome_label)
    return ax


def power_curve(
    power: pd.DataFrame,
    ax=None,
    *,
    x: str = "n_athletes",
    group: str | None = None,
    target: float = 0.8,
    x_label: str | None = None,
):
    """Power (chance of detecting the effect) against study size, one line per effect size or design.

    Parameters
    ----------
    power : DataFrame
        One row per design point: the ``x`` column (athletes, weeks, …), ``power`` (0–1, the
        share of simulated studies whose 95 % CI excluded zero) and optionally ``ci_low``,
        ``ci_high`` (Monte Carlo uncertainty of that share) and the ``group`` column (e.g. the
        planted effect).
    ax : matplotlib Axes, optional
    x : str
        Column on the x axis.
    group : str, optional
        Column that splits the lines (legend title = the column name).
    target : float
        Power to aim for (dashed line; 0.8 by convention). None for no line.
    x_label : str, optional
        Default: from ``x`` (``n_athletes`` → "Athletes").

    Returns
    -------
    ax : matplotlib Axes
    """
    _require(power, (x, "power") + ((group,) if group else ()), "power")
    ax = _axes(ax)
    if power.empty:
        return _no_data(ax, "No power estimates to show")
    groups = [(None, power)] if group is None else list(power.groupby(group, sort=True))
    for (name, sub), color in zip(groups, PALETTE[:-1] * 3):
        sub = sub.sort_values(x)
        xs = sub[x].to_numpy(dtype=float)
        label = None if name is None else f"{name}"
        (line,) = ax.plot(xs, sub["power"] * 100, marker="o", color=color, linewidth=2.5, label=label, zorder=3)
        line.set_gid(f"power:{name}")
        if {"ci_low", "ci_high"} <= set(sub.columns):
            band = ax.fill_between(
                xs, sub["ci_low"] * 100, sub["ci_high"] * 100, color=color, alpha=0.18, linewidth=0, zorder=2
            )
            band.set_gid(f"power_ci:{name}")
    if target is not None:
        ax.axhline(target * 100, color=COLORS["neutral"], linestyle="--", linewidth=1.2, zorder=1).set_gid("target")
        ax.text(
            1.0,
            target * 100,
            f"{target:.0%} ",
            transform=ax.get_yaxis_transform(),
            ha="right",
            va="bottom",
            fontsize="x-small",
            color="#555555",
        )
    ax.set_ylim(0, 100)
    ax.set_ylabel("Power (%)")
    ax.set_xlabel(x_label or {"n_athletes": "Athletes", "weeks": "Weeks of data"}.get(x, x.replace("_", " ")))
    if group is not None:
        ax.legend(title=group.replace("_", " "), fontsize="x-small", title_fontsize="x-small", loc="lower right")
    return ax


#: Short axis labels of the planted effect, for two panels side by side (the full unit is in the table's ``unit``).
_SHORT_UNITS = {"H1": "DPI per weekly set", "H2": "points per weekly set"}
_POWER_TITLES = {"H1": "H1: descents", "H2": "H2: soreness"}


def power_by_effect(table: pd.DataFrame, mde: pd.DataFrame | None = None, *, target: float = 0.8, axes=None):
    """Simulated power against the planted effect, one panel per hypothesis, with Monte Carlo error bars.

    Parameters
    ----------
    table : DataFrame
        Output of :func:`trailstrength.models.power.simulate_power`: ``hypothesis``, ``effect`` (planted
        within-athlete effect per weekly hinge set; drawn as its absolute value), ``power`` (0–1), ``power_mcse``
        (its Monte Carlo SE; the bars are ±1.96 SE kept inside 0–1) and ``unit``.
    mde : DataFrame, optional
        Output of :func:`trailstrength.models.power.minimal_detectable_effect`: a vertical line at each
        hypothesis's minimal detectable ``|effect|``.
    target : float
        Power to aim for (dashed line); the dotted line is 0.05, the size of a 5 % test.
    axes : sequence of matplotlib Axes, optional
        One per hypothesis (default: a new figure with one row of panels).

    Returns
    -------
    axes : sequence of matplotlib Axes
    """
    import matplotlib.pyplot as plt

    _require(table, ("hypothesis", "effect", "power", "power_mcse"), "table")
    hyps = list(dict.fromkeys(table["hypothesis"]))
    if axes is None:
        _, axes = plt.subplots(1, len(hyps), squeeze=False)
        axes = axes[0]
    colors = {"H1": COLORS["descent"], "H2": COLORS["soreness"]}
    units = table.drop_duplicates("hypothesis").set_index("hypothesis")["unit"] if "unit" in table else {}
    for k, (ax, hyp) in enumerate(zip(axes, hyps)):
        g = table[table["hypothesis"] == hyp]
        half = 1.96 * g["power_mcse"].to_numpy()
        p = g["power"].to_numpy()
        yerr = np.vstack([np.minimum(half, p), np.minimum(half, 1 - p)])  # keep the bars inside 0-1
        ax.errorbar(
            g["effect"].abs(),
            p,
            yerr=yerr,
            marker="o",
            color=colors.get(hyp, COLORS["hinge"]),
            capsize=2,
            gid=f"power:{hyp}",
        )
        ax.axhline(target, color=COLORS["neutral"], ls="--", lw=1, gid="target")
        ax.axhline(0.05, color=COLORS["neutral"], ls=":", lw=1)
        if mde is not None and hyp in set(mde["hypothesis"]):
            m = float(mde.set_index("hypothesis").loc[hyp, "mde"])
            if np.isfinite(m):
                ax.axvline(abs(m), color=COLORS["neutral"], lw=1, gid="mde")
                ax.annotate(f"MDE {abs(m):.3g}", (abs(m), 0.12), xytext=(4, 0), textcoords="offset points", fontsize=9)
        ax.set_ylim(0, 1.02)
        ax.set_xlabel(f"|planted effect|\n{_SHORT_UNITS.get(hyp, units.get(hyp, ''))}")
        ax.set_ylabel("power" if k == 0 else "")
        ax.set_title(_POWER_TITLES.get(hyp, hyp))
    return axes


def save_power_figure(table: pd.DataFrame, mde: pd.DataFrame | None, stem, *, target: float = 0.8) -> list[Path]:
    """Draw :func:`power_by_effect` (H1 left, H2 right) and export it with :func:`~trailstrength.viz.save`.

    The planned cohort (``athletes``, ``weeks``) and the simulated cohorts per point (``sims``) are read from the
    table's columns for the alt text and subtitle.  Returns the paths written (PNG, SVG and the alt-text sidecar
    as :func:`~trailstrength.viz.save` writes them).
    """
    import matplotlib.pyplot as plt

    from trailstrength.viz.export import save
    from trailstrength.viz.style import set_theme

    athletes, weeks, sims = (int(table[c].iloc[0]) for c in ("athletes", "weeks", "sims"))
    set_theme()
    fig, axes = plt.subplots(1, 2)
    power_by_effect(table, mde, target=target, axes=axes)
    alt = (
        f"Simulated power of the primary tests for {athletes} athletes over {weeks} weeks against the planted "
        "within-athlete hinge effect, H1 (descent performance) left and H2 (soreness) right, with Monte Carlo "
        f"error bars, the {target * 100:g} % target and the minimal detectable effect marked."
    )
    paths = save(
        fig,
        stem,
        alt=alt,
        title="How big an effect could this cohort detect?",
        subtitle=f"{athletes} athletes x {weeks} weeks, {sims} simulated cohorts per point",
        source="trailstrength power (simulated cohorts)",
    )
    plt.close(fig)
    return paths
