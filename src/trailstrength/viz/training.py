"""Training figures: soreness time course after descents, weekly training calendar.

Artists carry a ``gid``: ``"course:<group>"`` (mean soreness line of a group) and
``"course_ci:<group>"`` (its 95 % CI error bars), ``"run"`` (the run's time, a vertical line),
``"cells:<measure>"`` (one calendar row), ``"cell_text"`` (calendar numbers).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.colors import BoundaryNorm, ListedColormap

from trailstrength.viz._common import axes as _axes
from trailstrength.viz._common import lighten as _lighten
from trailstrength.viz._common import no_data as _no_data
from trailstrength.viz._common import require as _require
from trailstrength.viz.style import COLORS, PALETTE

__all__ = [
    "CALENDAR_BINS",
    "CALENDAR_MEASURES",
    "calendar_number",
    "dpi_over_time",
    "soreness_time_course",
    "training_calendar",
]

#: Calendar rows: column -> (label, colour role). Order is top to bottom.
CALENDAR_MEASURES: dict[str, tuple[str, str]] = {
    "run_km": ("Running (km)", "neutral"),
    "descent_m": ("Descent (m)", "descent"),
    "hinge_sets": ("Hinge sets", "hinge"),
}


def soreness_time_course(course: pd.DataFrame, ax=None, *, group: str = "hinge_tertile", bin_hours: float = 24.0):
    """Soreness in the hours before and after long descents, one line per group (hinge tertile).

    Parameters
    ----------
    course : DataFrame
        One row per (run, soreness report): ``hours_after`` (report time minus the run's end, h;
        negative = before the run), ``soreness`` (0–10) and the ``group`` column, e.g.
        ``hinge_tertile`` (prior hinge volume: low / middle / high, an ordered categorical keeps
        its order). Optional ``activity_id`` (counted in the legend).
        :func:`trailstrength.features.frames.soreness_course_frame` builds it from a warehouse.
    ax : matplotlib Axes, optional
    group : str
        Column that splits the lines.
    bin_hours : float
        Width of the time bins (default a day: most diaries are filled in once a day); each point
        is the mean soreness of the reports in a bin, drawn at the bin's centre, with a
        normal-approximation 95 % CI (mean ± 1.96 SE) as an error bar; groups are dodged sideways.

    Returns
    -------
    ax : matplotlib Axes

    Notes
    -----
    A descriptive picture, not the H2 model: the groups also differ in whatever goes with
    lifting more (training phase, downhill running), and reports from one run are not independent.
    Diaries reported once a day put all of a run's reports at about 24 h intervals.
    """
    _require(course, ("hours_after", "soreness", group), "course")
    ax = _axes(ax)
    data = course.dropna(subset=["hours_after", "soreness", group])
    if data.empty:
        return _no_data(ax, "No soreness reports around long descents")
    groups = (
        list(data[group].cat.categories)
        if isinstance(data[group].dtype, pd.CategoricalDtype)
        else sorted(data[group].unique())
    )
    groups = [g for g in groups if (data[group] == g).any()]
    shades = _sequential(COLORS["hinge"], len(groups))
    # bins start at the run's end, so "the first day after" is one bin
    lo = np.floor(data["hours_after"].min() / bin_hours) * bin_hours
    hi = max(np.ceil(data["hours_after"].max() / bin_hours) * bin_hours, lo + bin_hours)
    edges = np.arange(lo, hi + bin_hours / 2, bin_hours)
    if edges.size < 2:
        edges = np.array([lo, lo + bin_hours])
    # groups side by side within a bin (dodged), so their error bars do not hide each other
    dodge = np.linspace(-1, 1, len(groups)) * bin_hours * 0.08 if len(groups) > 1 else [0.0]
    for g, color, shift in zip(groups, shades, dodge):
        sub = data[data[group] == g]
        stats = _binned_mean(sub["hours_after"].to_numpy(float), sub["soreness"].to_numpy(float), edges)
        n_runs = sub["activity_id"].nunique() if "activity_id" in sub else len(sub)
        label = f"{g} ({n_runs} run{'s' if n_runs != 1 else ''})"
        x = stats["centre"] + shift
        bars = ax.errorbar(
            x,
            stats["mean"],
            yerr=[stats["mean"] - stats["low"], stats["high"] - stats["mean"]],
            fmt="none",
            ecolor=color,
            elinewidth=2,
            capsize=0,
            zorder=2,
        )
        bars.lines[2][0].set_gid(f"course_ci:{g}")
        (line,) = ax.plot(x, stats["mean"], marker="o", color=color, linewidth=2.5, label=label, zorder=3)
        line.set_gid(f"course:{g}")
    ax.axvline(0, color="#444444", linewidth=1, zorder=1).set_gid("run")
    ax.text(
        0,
        1.0,
        " run ends",
        transform=ax.get_xaxis_transform(),
        ha="left",
        va="top",
        fontsize="x-small",
        color="#444444",
    )
    ax.set_xticks(np.arange(np.ceil(lo / 24) * 24, hi + 1, 24))
    ax.set_ylim(bottom=0)
    ax.set_xlabel("Hours after the run")
    ax.set_ylabel("Soreness (0\u201310)")
    title = group.replace("_", " ").replace("hinge tertile", "Prior hinge volume")
    ax.legend(title=title, loc="best", fontsize="x-small", title_fontsize="x-small")
    return ax


def _binned_mean(x, y, edges) -> pd.DataFrame:
    idx = np.clip(np.digitize(x, edges) - 1, 0, edges.size - 2)
    rows = []
    for b in np.unique(idx):
        vals = y[idx == b]
        mean = vals.mean()
        se = vals.std(ddof=1) / np.sqrt(vals.size) if vals.size > 1 else np.nan
        rows.append(
            {
                "centre": (edges[b] + edges[b + 1]) / 2,
                "mean": mean,
                "low": mean - 1.96 * se,
                "high": mean + 1.96 * se,
                "n": vals.size,
            }
        )
    return pd.DataFrame(rows)


def _sequential(color, n: int) -> list:
    """``n`` shades of ``color`` from light to full (low to high exposure)."""
    if n <= 1:
        return [color]
    return [_lighten(color, 0.6 * (1 - i / (n - 1))) for i in range(n)]


#: Colour classes of a calendar row (plus white for zero weeks).
CALENDAR_BINS = 5


def training_calendar(
    weekly: pd.DataFrame,
    ax=None,
    *,
    measures=None,
    annotate: bool | None = None,
    last_weeks: int | None = 26,
    date_labels: int = 8,
):
    """Weekly training calendar: one row per measure (running km, descent, hinge sets), one column per week.

    Parameters
    ----------
    weekly : DataFrame
        One athlete's weeks: ``week`` (the week's Monday, a date) and the measure columns (default
        :data:`CALENDAR_MEASURES`: ``run_km``, ``descent_m``, ``hinge_sets`` — weekly sums).
        :func:`trailstrength.features.frames.weekly_training_frame` builds it.
    ax : matplotlib Axes, optional
    measures : dict, optional
        ``column -> (label, colour role)`` to show instead of the default rows.
    annotate : bool, optional
        Write each week's value in its cell, thousands abbreviated (``1.2k``); default: when at most 26 weeks
        are drawn.
    last_weeks : int or None
        Draw the last this many weeks (default 26, half a year); None draws every week.
    date_labels : int
        At most this many week labels on the x axis (default 8; 4 fit the width of a phone canvas).

    Returns
    -------
    ax : matplotlib Axes

    Notes
    -----
    Each row has its own colour scale, so rows in different units can share one calendar; compare weeks within a
    row, not across rows. A cell's colour is chosen from the number printed in it (:func:`calendar_number`), binned
    into :data:`CALENDAR_BINS` equal classes from 0 to the row's largest printed number, so two cells that print the
    same number always have the same shade; weeks of 0 are white. Date labels carry the year on the first week and
    wherever the year changes.
    """
    measures = measures or CALENDAR_MEASURES
    _require(weekly, ("week", *measures), "weekly")
    if "athlete_id" in weekly and weekly["athlete_id"].nunique() > 1:
        raise ValueError(
            "training_calendar draws one athlete; filter weekly to one athlete_id first "
            f"(it has {weekly['athlete_id'].nunique()})"
        )
    ax = _axes(ax)
    data = weekly.sort_values("week").reset_index(drop=True)
    if last_weeks is not None:
        data = data.iloc[-int(last_weeks) :].reset_index(drop=True)
    if data.empty:
        return _no_data(ax, "No training weeks to show")
    n = len(data)
    annotate = n <= 26 if annotate is None else annotate
    x_edges = np.arange(n + 1) - 0.5
    for row, (column, (_label, role)) in enumerate(measures.items()):
        values = data[column].to_numpy(dtype=float)
        texts = [calendar_number(v) for v in values]
        shown = np.array([_number_value(t) for t in texts])
        classes = _colour_classes(shown)
        colors = _sequential_bins(COLORS.get(role, PALETTE[0]), CALENDAR_BINS)
        cmap = ListedColormap(["#FFFFFF", *colors])
        mesh = ax.pcolormesh(
            x_edges,
            [row - 0.5, row + 0.5],
            classes[None, :],
            cmap=cmap,
            norm=BoundaryNorm(np.arange(-0.5, CALENDAR_BINS + 1), cmap.N),
            edgecolors="white",
            linewidth=1.5 if n <= 30 else 0.0,  # thin cells are all edge: long spans went blank
        )
        mesh.set_gid(f"cells:{column}")
        mesh.shown_values = shown
        if annotate:
            for i, (text, cls) in enumerate(zip(texts, classes)):
                if text:
                    ax.text(
                        i,
                        row,
                        text,
                        ha="center",
                        va="center",
                        fontsize="x-small",
                        color="white" if cls >= CALENDAR_BINS - 1 else "#222222",
                        gid="cell_text",
                    )
    ax.set_yticks(range(len(measures)), [label for label, _ in measures.values()])
    ax.set_ylim(len(measures) - 0.5, -0.5)
    weeks = pd.to_datetime(data["week"])
    step = max(1, int(np.ceil(n / max(1, date_labels))))
    ticks = list(range(0, n, step))
    ax.set_xticks(ticks, _week_labels(weeks.iloc[ticks]))
    ax.set_xlim(-0.5, n - 0.5)
    ax.grid(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)
    ax.tick_params(length=0)
    ax.set_xlabel("Week starting")
    return ax


def calendar_number(value: float) -> str:
    """A week's number as a calendar cell prints it: ``""`` when missing, whole numbers below 1000, ``1.2k`` and
    ``12k`` above (a four-digit descent crowded its cell)."""
    if not np.isfinite(value):
        return ""
    if abs(value) >= 9999.5:
        return f"{value / 1000:.0f}k"
    if abs(value) >= 999.5:
        return f"{value / 1000:.1f}k"
    return f"{value:.0f}"


def _number_value(text: str) -> float:
    if not text:
        return np.nan
    return float(text[:-1]) * 1000 if text.endswith("k") else float(text)


def _colour_classes(shown: np.ndarray) -> np.ndarray:
    """0 for weeks printed as 0 (or missing), else 1..CALENDAR_BINS: equal classes up to the row's largest."""
    top = np.nanmax(shown) if np.isfinite(shown).any() else 0.0
    if top <= 0:
        return np.zeros(shown.size)
    classes = np.ceil(np.nan_to_num(shown, nan=0.0) / top * CALENDAR_BINS)
    return np.clip(classes, 0, CALENDAR_BINS)


def _sequential_bins(color, n: int) -> list:
    """``n`` shades of ``color``, light to full, none of them white (white means a week of 0)."""
    return [_lighten(color, 0.8 * (1 - i / (n - 1))) for i in range(n)]


def _week_labels(weeks: pd.Series) -> list[str]:
    """``"3 Mar 2025"`` on the first label and where the year changes, ``"17 Mar"`` otherwise."""
    labels, year = [], None
    for w in weeks:
        labels.append(f"{w.day} {w:%b}" + (f"\n{w.year}" if w.year != year else ""))
        year = w.year
    return labels


def dpi_over_time(panel: pd.DataFrame, athletes=None, *, axes=None):
    """Descent performance of each run over time, beside the athlete's weekly hinge sets: one row per athlete.

    Parameters
    ----------
    panel : DataFrame
        The H1 run panel: ``athlete_id``, ``local_date``, ``dpi`` (descent performance index, unitless) and
        ``hinge_sets_28d`` (weighted hinge working sets per week over the previous 28 days).
    athletes : list of str, optional
        Athletes to draw, top to bottom (default: every athlete in the panel, sorted).
    axes : sequence of Axes, optional
        One per athlete; a column of new axes with a shared date axis when None.

    Returns
    -------
    numpy.ndarray of Axes
        One per athlete: DPI as dots (``gid="dpi"``) on the left axis, hinge sets per week as a line
        (``gid="hinge_sets"``) on a twin right axis (``ax.hinge_axis``).
    """
    _require(panel, ("athlete_id", "local_date", "dpi", "hinge_sets_28d"), "panel")
    athletes = sorted(panel["athlete_id"].dropna().unique()) if athletes is None else list(athletes)
    if axes is None:
        import matplotlib.pyplot as plt

        n = max(1, len(athletes))
        fig, axes = plt.subplots(n, 1, figsize=(10, 2.8 * n), sharex=True, squeeze=False)
        axes = axes[:, 0]
    axes = np.atleast_1d(np.asarray(axes, dtype=object))
    if not athletes:
        _no_data(axes[0], "No runs in the panel")
        return axes
    for ax, athlete in zip(axes, athletes):
        runs = panel[panel["athlete_id"] == athlete].sort_values("local_date")
        ax.scatter(runs["local_date"], runs["dpi"], color=COLORS["descent"], s=18, gid="dpi")
        ax.set_ylabel(f"{athlete}\nDPI")
        twin = ax.twinx()
        twin.plot(runs["local_date"], runs["hinge_sets_28d"], color=COLORS["hinge"], lw=2, gid="hinge_sets")
        twin.set_ylabel("hinge sets/wk", color=COLORS["hinge"])
        twin.grid(False)
        ax.hinge_axis = twin
    axes[0].figure.autofmt_xdate()
    return axes
