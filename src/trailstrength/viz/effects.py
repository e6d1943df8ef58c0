"""Effect figures: within-athlete scatters with the model slope, forest plot, specification curve.

Tidy frames in, ``ax`` in (or made), ``ax`` out. Artists that tests and callers may want to find
carry a ``gid``: ``"points"`` (scatter of runs), ``"effect_line"`` and ``"effect_ci"`` (model slope
and its 95 % CI band), ``"estimates"`` and ``"ci"`` (forest plot and specification curve),
``"zero"`` (reference line at no effect), ``"choices"`` (specification-curve dashboard marks).
"""

from __future__ import annotations

import textwrap

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator

from trailstrength.viz._common import axes as _axes
from trailstrength.viz._common import bool_column as _bool_column
from trailstrength.viz._common import fmt as _fmt
from trailstrength.viz._common import lighten as _lighten
from trailstrength.viz._common import no_data as _no_data
from trailstrength.viz._common import require as _require
from trailstrength.viz.style import COLORS, PALETTE

__all__ = ["dpi_vs_hinge", "effects_forest", "soreness_vs_hinge", "specification_curve"]

EXPOSURE = "hinge_sets_28d"
EXPOSURE_WITHIN = "hinge_sets_28d_within"
X_LABEL = "Hinge sets per week, vs athlete's usual"
EFFECT_COLUMNS = ("hypothesis", "term", "estimate", "ci_low", "ci_high")


def dpi_vs_hinge(panel: pd.DataFrame, effects: pd.DataFrame | None = None, ax=None):
    """H1: within-athlete descent performance against within-athlete hinge volume.

    Parameters
    ----------
    panel : DataFrame
        H1 run panel, one row per run: ``athlete_id``, ``dpi`` (descent
        performance index, a ratio to flat speed, unitless) and
        ``hinge_sets_28d_within`` (weighted hinge working sets per week over the
        28 days before the run, minus the athlete's mean). If the within column
        is absent it is computed from ``hinge_sets_28d`` over the plotted rows.
        Rows missing the outcome or the exposure are not drawn.
    effects : DataFrame, optional
        Tidy model results; the row with ``hypothesis == "H1"`` and
        ``term == "hinge_sets_28d_within"`` (the primary one if several) gives the
        slope line. A single row as a Series also works.
    ax : matplotlib Axes, optional
        Axes to draw on; a new figure is made if None.

    Returns
    -------
    ax : matplotlib Axes

    Notes
    -----
    y is DPI minus the athlete's mean DPI over the plotted runs: between-athlete
    differences are removed, covariates are **not** (these are not true partial
    residuals), so the cloud can tilt differently from the adjusted model slope.
    The line is ``y = estimate * x`` through the origin, since both axes are
    centred within athlete. The band spans ``ci_low * x`` to ``ci_high * x``: it
    shows the uncertainty of the slope only, so it pinches to zero width at the
    athlete's usual volume (x = 0); it is not a prediction interval.
    """
    return _within_athlete_scatter(
        panel,
        effects,
        ax,
        outcome="dpi",
        hypothesis="H1",
        color=COLORS["descent"],
        y_label="Descent performance index,\nvs athlete's usual",
    )


def soreness_vs_hinge(panel: pd.DataFrame, effects: pd.DataFrame | None = None, ax=None):
    """H2: within-athlete peak soreness after a run against within-athlete hinge volume.

    Parameters
    ----------
    panel : DataFrame
        H2 run panel: ``athlete_id``, ``soreness_peak_72h`` (peak soreness, 0-10,
        in the 72 h after the run) and ``hinge_sets_28d_within`` (or
        ``hinge_sets_28d``, centred here per athlete).
    effects : DataFrame, optional
        Tidy model results; row ``hypothesis == "H2"``,
        ``term == "hinge_sets_28d_within"`` gives the slope (soreness points per
        weekly set).
    ax : matplotlib Axes, optional

    Returns
    -------
    ax : matplotlib Axes

    Notes
    -----
    As :func:`dpi_vs_hinge`: y is centred within athlete but not adjusted for the
    model's covariates (descent metres, prior downhill running, acute lifting);
    the band is the slope's 95 % CI drawn through the origin.
    """
    return _within_athlete_scatter(
        panel,
        effects,
        ax,
        outcome="soreness_peak_72h",
        hypothesis="H2",
        color=COLORS["soreness"],
        y_label="Peak soreness in 72 h (0\u201310),\nvs athlete's usual",
    )


def effects_forest(effects: pd.DataFrame, ax=None, *, ncols: int | None = None):
    """Forest plot of model results: estimate and 95 % CI per row, one panel per scale, each on its own axis.

    Parameters
    ----------
    effects : DataFrame
        Tidy results with ``hypothesis, term, estimate, ci_low, ci_high`` and optionally ``label`` (the row's text,
        e.g. from :func:`trailstrength.models.units.term_label`; default ``"hypothesis: term"``), ``panel`` (rows
        with the same value share one panel and one x axis, titled with it; default: rows sharing a ``unit``),
        ``primary`` (bool: drawn large, in colour, bold label; others small and grey), ``unit`` (the x label of
        its panel), ``model`` (in the default label when a hypothesis:term pair appears more than once) and
        ``converged`` (False rows get a hollow marker and "not converged").
    ax : matplotlib Axes, optional
        Axes to draw on; a new figure is made if None. With more than one panel, its area is split into side by
        side panels (``ax`` becomes the first).

    Returns
    -------
    ax : matplotlib Axes
        The first panel; ``ax.panels`` lists every panel's axes, left to right.

    Notes
    -----
    Estimates in different units (DPI per set, soreness points per set) never share an axis: a DPI interval of
    ±0.004 on a soreness axis of ±0.5 would be invisible. Rows keep their order within a panel; panels appear in
    the order of their first row. Each row's label is written above its CI line, not as a y tick label, so the
    panels keep their width on a phone-sized canvas. Rows with a missing CI are drawn as a point only.
    """
    _require(effects, EFFECT_COLUMNS, "effects")
    rows = effects.reset_index(drop=True)
    if "panel" in rows:
        keys = rows["panel"].astype(str)
    elif "unit" in rows:
        keys = rows["unit"].fillna("").astype(str)
    else:
        keys = pd.Series("", index=rows.index)
    panels = list(pd.unique(keys))
    ax = _axes(ax)
    ncols = len(panels) if ncols is None else max(1, min(int(ncols), len(panels)))
    axes = _split_axes(ax, len(panels), ncols)
    labels = _forest_labels(rows, _bool_column(rows, "converged", default=True), single_unit=len(panels) == 1)
    for panel_ax, key in zip(axes, panels):
        keep = (keys == key).to_numpy()
        # side by side panels are half as wide: wrap the labels to them (a label is left out of the layout)
        panel_labels = [_wrap(t, 44 if ncols > 1 else 80) for t, k in zip(labels, keep) if k]
        _forest_panel(panel_ax, rows[keep].reset_index(drop=True), panel_labels)
        if "panel" in rows:
            panel_ax.set_title(key, loc="left", fontsize="medium", fontweight="bold")
    ax.panels = axes
    return ax


def _split_axes(ax, n: int, ncols: int) -> list:
    """``ax`` and ``n - 1`` new axes in a grid of ``ncols`` columns, in the area ``ax`` had."""
    if n <= 1:
        return [ax]
    nrows = -(-n // ncols)
    spec = ax.get_subplotspec()
    if spec is None:  # an axes placed by hand: tile its box
        x0, y0, w, h = ax.get_position().bounds
        boxes = [
            (x0 + (i % ncols) * w / ncols, y0 + (nrows - 1 - i // ncols) * h / nrows, w / ncols * 0.9, h / nrows * 0.8)
            for i in range(n)
        ]
        ax.set_position(boxes[0])
        return [ax] + [ax.figure.add_axes(box) for box in boxes[1:]]
    grid = spec.subgridspec(nrows, ncols, wspace=0.15)
    ax.set_subplotspec(grid[0, 0])
    return [ax] + [ax.figure.add_subplot(grid[i // ncols, i % ncols]) for i in range(1, n)]


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.fill(line, width) for line in text.splitlines())


def _forest_panel(ax, rows, labels) -> None:
    n = len(rows)
    primary = _bool_column(rows, "primary", default=False)
    converged = _bool_column(rows, "converged", default=True)
    y = np.arange(n)[::-1].astype(float)  # first row at the top
    colors = np.where(primary, COLORS["hinge"], COLORS["neutral"])
    ci = rows[["ci_low", "ci_high"]].to_numpy(dtype=float)
    has_ci = ~np.isnan(ci).any(axis=1)

    ax.axvline(0, color="#444444", linewidth=1, zorder=1).set_gid("zero")
    lines = ax.hlines(
        y[has_ci],
        ci[has_ci, 0],
        ci[has_ci, 1],
        colors=colors[has_ci],
        linewidths=np.where(primary[has_ci], 3.0, 1.8),
        zorder=2,
    )
    lines.set_gid("ci")
    points = ax.scatter(
        rows["estimate"].to_numpy(dtype=float),
        y,
        s=np.where(primary, 110, 45),
        c=list(colors),
        edgecolors=list(colors),
        linewidths=1.5,
        zorder=3,
    )
    points.set_facecolors([c if ok else "white" for c, ok in zip(colors, converged)])
    points.set_gid("estimates")
    for y_row, label, is_primary in zip(y, labels, primary):
        ax.text(
            0.0,
            y_row + 0.16,
            label,
            transform=ax.get_yaxis_transform(),
            ha="left",
            va="bottom",
            fontweight="bold" if is_primary else "normal",
            fontsize="x-small",
            color=mpl.rcParams["text.color"],
            gid="row_label",
            in_layout=False,
            zorder=1.5,
            bbox=dict(facecolor=ax.get_facecolor(), edgecolor="none", alpha=0.8, pad=1),
        )
    ax.xaxis.set_major_locator(MaxNLocator(nbins=5))  # a half-width or phone panel fits five numbers
    ax.set_yticks([])
    ax.set_ylim(-0.5, n - 0.1)
    ax.grid(False, axis="y")
    ax.spines["left"].set_visible(False)
    units = rows["unit"].dropna().astype(str).unique() if "unit" in rows else []
    ax.set_xlabel(_wrap(units[0], 26) if len(units) == 1 else "Estimate")


def _forest_labels(rows, converged, *, single_unit: bool) -> list[str]:
    if "label" in rows:
        labels = rows["label"].astype(str).tolist()
    else:
        labels = (rows["hypothesis"].astype(str) + ": " + rows["term"].astype(str)).tolist()
    details = [[] for _ in labels]
    if "model" in rows and "label" not in rows:
        duplicated = pd.Series(labels).duplicated(keep=False)
        for i in np.flatnonzero(duplicated):
            details[i].append(str(rows.at[i, "model"]))
    if single_unit and "unit" in rows and rows["unit"].dropna().nunique() > 1:
        for i, unit in enumerate(rows["unit"]):
            details[i].append(str(unit) if pd.notna(unit) else "unit?")
    for i in np.flatnonzero(~converged):
        details[i].append("not converged")
    return [label + (f" ({', '.join(d)})" if d else "") for label, d in zip(labels, details)]


#: Columns of a specification table that are results, not analytic choices.
RESULT_COLUMNS = (
    "hypothesis",
    "outcome",
    "term",
    "estimate",
    "ci_low",
    "ci_high",
    "p_value",
    "unit",
    "n_athletes",
    "n_obs",
    "model",
    "converged",
    "note",
    "primary",
    "se",
    "p_holm",
    "p_bh",
    "bh_q",
    "spec_id",
    "rank",
)


def specification_curve(specs: pd.DataFrame, choices=None, ax=None, dashboard_ax=None):
    """Specification curve: one estimate per analysis specification, ranked, with the choices below.

    Parameters
    ----------
    specs : DataFrame
        One row per specification of the same effect (say H1's within-athlete hinge term under
        every window, exposure and covariate set): ``estimate``, ``ci_low``, ``ci_high`` (95 % CI,
        in the effect's unit) and a column per analytic choice. Optional ``primary`` (bool) marks
        the pre-registered specification. Say the effect's unit in the figure's subtitle.
    choices : list of str, optional
        The choice columns to show in the dashboard, top to bottom. Default: every column that
        is not a result column (:data:`RESULT_COLUMNS`) and takes more than one value.
    ax : matplotlib Axes, optional
        Axes for the estimates. When None a figure is made with a second, shorter axes below
        for the dashboard (shared x).
    dashboard_ax : matplotlib Axes, optional
        Axes for the dashboard when ``ax`` is given; without it no dashboard is drawn.

    Returns
    -------
    ax : matplotlib Axes
        The estimates axes (the dashboard, when drawn, is ``ax.dashboard``).

    Notes
    -----
    Specifications are sorted by estimate (ties keep their order); the dashboard lists each
    choice's levels in the order they first appear in ``specs`` (a categorical's own order). A CI that excludes zero is
    drawn in the hinge colour, others grey: read the curve for how much the conclusion depends
    on defensible choices (Simonsohn, Simmons & Nelson 2020, Nat Hum Behav 4:1208), not as
    many independent tests. The dashed line is the median estimate. The y axis shows zero and the
    bulk of the estimates with their typical interval; a degenerate fit far outside (beyond 5 IQR)
    stays off-scale instead of flattening the rest.
    """
    _require(specs, ("estimate", "ci_low", "ci_high"), "specs")
    rows = specs.reset_index(drop=True)
    if choices is None:
        choices = [c for c in rows.columns if c not in RESULT_COLUMNS and rows[c].nunique(dropna=False) > 1]
    _require(rows, choices, "specs")
    if ax is None:
        import matplotlib.pyplot as plt

        n_levels = sum(rows[c].nunique(dropna=False) for c in choices)
        if choices:
            fig, (ax, dashboard_ax) = plt.subplots(
                2, 1, sharex=True, gridspec_kw={"height_ratios": [3, max(1.0, 0.45 * n_levels)]}
            )
        else:
            fig, ax = plt.subplots()
    if rows.empty:
        return _no_data(ax, "No specifications to show")

    # levels in the order the caller listed them (or a categorical's order), not the ranked order
    levels = {
        c: list(rows[c].cat.categories) if isinstance(rows[c].dtype, pd.CategoricalDtype) else list(pd.unique(rows[c]))
        for c in choices
    }
    order = np.argsort(rows["estimate"].to_numpy(dtype=float), kind="stable")
    rows = rows.iloc[order].reset_index(drop=True)
    x = np.arange(1, len(rows) + 1, dtype=float)
    est = rows["estimate"].to_numpy(dtype=float)
    lo, hi = rows["ci_low"].to_numpy(dtype=float), rows["ci_high"].to_numpy(dtype=float)
    excludes_zero = (lo > 0) | (hi < 0)
    colors = np.where(excludes_zero, COLORS["hinge"], COLORS["neutral"])
    primary = _bool_column(rows, "primary", default=False)

    ax.axhline(0, color="#444444", linewidth=1, zorder=1).set_gid("zero")
    finite = np.isfinite(lo) & np.isfinite(hi)
    ax.vlines(x[finite], lo[finite], hi[finite], colors=colors[finite], linewidth=1.6, zorder=2).set_gid("ci")
    points = ax.scatter(
        x,
        est,
        c=list(colors),
        s=np.where(primary, 90, 30),
        zorder=3,
        edgecolors=np.where(primary, "#222222", "none").tolist(),
        linewidths=1.5,
    )
    points.set_gid("estimates")
    median = float(np.nanmedian(est))
    ax.axhline(median, color=COLORS["neutral"], linestyle="--", linewidth=1.2, zorder=1).set_gid("median")
    if primary.any():
        # In the margin above the axes, never beside a point: a label next to the marked estimate ran into its
        # neighbours' error bars. The legend's marker is the primary point's own (large, dark edge).
        from matplotlib.lines import Line2D

        marker = Line2D(
            [],
            [],
            linestyle="none",
            marker="o",
            markersize=9,
            markerfacecolor=colors[primary][0],
            markeredgecolor="#222222",
        )
        legend = ax.legend(
            [marker],
            ["pre-registered specification"],
            loc="lower right",
            bbox_to_anchor=(1.0, 1.0),
            frameon=False,
            fontsize="x-small",
            borderaxespad=0.1,
            handletextpad=0.3,
        )
        legend.set_gid("primary_label")
    ax.set_xlim(0.5, len(rows) + 0.5)
    ax.set_ylim(*_robust_limits(est, lo, hi))
    ax.grid(False, axis="x")
    # short: a long y label runs into the dashboard's labels; the unit belongs in the subtitle
    ax.set_ylabel("Estimate")
    ax.dashboard = None
    if dashboard_ax is not None and choices:
        _dashboard(dashboard_ax, rows, levels, x, colors, primary)
        ax.tick_params(labelbottom=False)
        ax.dashboard = dashboard_ax
    else:
        ax.set_xlabel("Specifications, ranked by estimate")
        ax.set_xticks([])
    return ax


def _robust_limits(est, lo, hi) -> tuple[float, float]:
    """y limits that show zero and the bulk of the estimates with their typical CI, ignoring wild ones.

    A degenerate fit (an estimate 1e14, a CI spanning ±1e15) would otherwise squash every other
    specification into a flat line; estimates beyond 5 IQR of the rest are left off-scale.
    """
    ok = np.isfinite(est)
    if not ok.any():
        return -1.0, 1.0
    q1, q3 = np.percentile(est[ok], [25, 75])
    spread = max(q3 - q1, 1e-12 + 1e-6 * max(abs(q1), abs(q3)))
    tame = ok & (est >= q1 - 5 * spread) & (est <= q3 + 5 * spread)
    half = np.nanmedian((hi - lo)[tame]) / 2 if np.isfinite(hi - lo)[tame].any() else 0.0
    low = min(0.0, np.nanmin(est[tame]) - 1.5 * half)
    high = max(0.0, np.nanmax(est[tame]) + 1.5 * half)
    pad = 0.05 * (high - low or 1.0)
    return low - pad, high + pad


def _dashboard(ax, rows, levels, x, colors, primary):
    labels, y = [], 0
    marks_x, marks_y, marks_c = [], [], []
    for choice, choice_levels in levels.items():
        for level in choice_levels:
            used = (rows[choice] == level).to_numpy() if pd.notna(level) else rows[choice].isna().to_numpy()
            marks_x += list(x[used])
            marks_y += [y] * int(used.sum())
            marks_c += list(colors[used])
            labels.append(f"{choice.replace('_', ' ')}: {level}")
            y += 1
    ax.scatter(marks_x, marks_y, c=marks_c, marker="|", s=120, linewidths=2.5, gid="choices")
    for xi in x[primary]:
        ax.axvspan(xi - 0.5, xi + 0.5, color=COLORS["neutral"], alpha=0.15, linewidth=0, zorder=0)
    ax.set_yticks(range(len(labels)), labels, fontsize="x-small")
    ax.set_ylim(len(labels) - 0.5, -0.5)
    ax.set_xticks([])
    ax.grid(False)
    ax.spines["left"].set_visible(False)
    ax.set_xlabel("Specifications, ranked by estimate")


# --- helpers ---------------------------------------------------------------------


def _within_athlete_scatter(panel, effects, ax, *, outcome, hypothesis, color, y_label):
    _require(panel, ("athlete_id", outcome), "panel")
    if EXPOSURE_WITHIN not in panel and EXPOSURE not in panel:
        raise KeyError(
            f"panel has neither {EXPOSURE_WITHIN!r} nor {EXPOSURE!r}; build it with "
            "trailstrength.features (columns: " + ", ".join(map(str, panel.columns)) + ")"
        )
    ax = _axes(ax)
    x_col = EXPOSURE_WITHIN if EXPOSURE_WITHIN in panel else EXPOSURE
    data = panel[["athlete_id", outcome, x_col]].dropna()
    by_athlete = data.groupby("athlete_id", sort=True, observed=True)
    x = data[x_col]
    if x_col == EXPOSURE:
        x = x - by_athlete[x_col].transform("mean")
    y = data[outcome] - by_athlete[outcome].transform("mean")

    athletes = pd.Index(data["athlete_id"].unique()).sort_values()
    muted = [_lighten(c, 0.45) for c in PALETTE[:-1]]
    color_of = {a: muted[i % len(muted)] for i, a in enumerate(athletes)}
    points = ax.scatter(x, y, c=[color_of[a] for a in data["athlete_id"]], s=28, alpha=0.8, linewidths=0, zorder=2)
    points.set_gid("points")

    ax.axhline(0, color=COLORS["neutral"], linewidth=1, zorder=1).set_gid("zero")
    row = _effect_row(effects, hypothesis) if effects is not None else None
    if row is not None and len(x):
        _draw_slope(ax, row, x, color)
    ax.set_xlabel(X_LABEL)
    ax.set_ylabel(y_label)
    return ax


def _draw_slope(ax, row, x, color):
    estimate = float(row["estimate"])
    grid = np.linspace(min(x.min(), 0.0), max(x.max(), 0.0), 101)
    # Short, two lines, no unit (the axis labels carry it): fits a 7:8 canvas too.
    label = f"Model slope {_fmt(estimate, sign=True)}"
    low, high = float(row["ci_low"]), float(row["ci_high"])
    if np.isfinite(low) and np.isfinite(high):
        label += f"\n95% CI {_fmt(low)} to {_fmt(high)}"
        band = ax.fill_between(
            grid,
            np.minimum(low * grid, high * grid),
            np.maximum(low * grid, high * grid),
            color=color,
            alpha=0.2,
            linewidth=0,
            zorder=3,
        )
        band.set_gid("effect_ci")
    if "converged" in row and pd.notna(row["converged"]) and not bool(row["converged"]):
        label += ", not converged"
    (line,) = ax.plot(grid, estimate * grid, color=color, linewidth=3, zorder=4, label=label)
    line.set_gid("effect_line")
    # Inside the axes where it hides fewest runs ("best" avoids scatter points):
    # above the axes it would fight the y label for width on narrow canvases.
    ax.legend(
        loc="best", handlelength=1.5, frameon=True, framealpha=0.85, edgecolor="none", facecolor=ax.get_facecolor()
    )


def _effect_row(effects, hypothesis) -> pd.Series | None:
    """The effects row for ``hypothesis`` and the within-athlete hinge term."""
    if isinstance(effects, pd.Series):
        return effects
    _require(effects, EFFECT_COLUMNS, "effects")
    rows = effects[(effects["hypothesis"] == hypothesis) & (effects["term"] == EXPOSURE_WITHIN)]
    if "primary" in rows and rows["primary"].fillna(False).astype(bool).any():
        rows = rows[rows["primary"].fillna(False).astype(bool)]
    return rows.iloc[0] if len(rows) else None
