"""Per-athlete small multiple: one panel per athlete of one weekly measure, weeks not logged shaded.

Artists carry a ``gid``: ``"weeks:<athlete>"`` (each bar of one athlete's logged weeks) and
``"not_logged:<athlete>"`` (the shaded weeks whose source was not logged).
"""

from __future__ import annotations

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.patches import Patch

from trailstrength.viz._common import axes as _axes
from trailstrength.viz._common import no_data as _no_data
from trailstrength.viz._common import require as _require
from trailstrength.viz.effects import _split_axes
from trailstrength.viz.style import COLORS

__all__ = ["athlete_panels"]

_NOT_LOGGED = "#EEEEEE"


def athlete_panels(
    weeks: pd.DataFrame,
    ax=None,
    *,
    column: str = "hinge_sets",
    label: str = "Hinge sets per week",
    role: str = "hinge",
    ncols: int | None = None,
):
    """One small panel per athlete: a weekly measure as bars, the weeks it was not logged shaded grey.

    Parameters
    ----------
    weeks : DataFrame
        One row per athlete-week: ``athlete`` (the label to show, e.g. ``A1``), ``week`` (the week's Monday) and
        ``column`` (NaN where not logged: shaded, never drawn as 0).
        :func:`trailstrength.report.athletes.athlete_weeks` builds it.
    ax : matplotlib Axes, optional
        Its area is split into the panels (a new figure if None); the first panel is ``ax``.
    column, label : str
        The measure drawn and the label of the shared y scale (with its unit; drawn once, beside the panels).
    role : str
        Colour role of :data:`trailstrength.viz.style.COLORS`.
    ncols : int, optional
        Panels per row (default: up to 4; 1 or 2 suit a phone canvas).

    Returns
    -------
    ax : matplotlib Axes
        The first panel; ``ax.figure.axes`` holds them all. All panels share one y scale, so athletes compare.
    """
    _require(weeks, ("athlete", "week", column), "weeks")
    ax = _axes(ax)
    athletes = list(dict.fromkeys(weeks["athlete"]))
    if not athletes:
        return _no_data(ax, "No analysed weeks to show")
    ncols = min(4, len(athletes)) if ncols is None else max(1, min(int(ncols), len(athletes)))
    panels = _split_axes(ax, len(athletes), ncols)
    top = float(np.nanmax(weeks[column].to_numpy(dtype=float), initial=0.0)) or 1.0
    any_gap = False
    for i, (panel, athlete) in enumerate(zip(panels, athletes, strict=True)):
        sub = weeks[weeks["athlete"] == athlete].sort_values("week")
        when = pd.to_datetime(sub["week"]) + pd.Timedelta(days=3)  # the bar sits on the middle of its week
        values = sub[column].to_numpy(dtype=float)
        logged = ~np.isnan(values)
        bars = panel.bar(when[logged], values[logged], width=6, color=COLORS.get(role, COLORS["hinge"]))
        for bar in bars:
            bar.set_gid(f"weeks:{athlete}")
        for day in when[~logged]:
            span = panel.axvspan(day - pd.Timedelta(days=3.5), day + pd.Timedelta(days=3.5), color=_NOT_LOGGED, lw=0)
            span.set_gid(f"not_logged:{athlete}")
            any_gap = True
        if logged.any() and not values[logged].any():
            panel.text(0.5, 0.5, "none in the logged weeks", transform=panel.transAxes, ha="center", va="center",
                       color="#555555", fontsize="small", gid=f"none:{athlete}")  # fmt: skip
        panel.set_ylim(0, top * 1.08)
        panel.set_title(str(athlete), loc="left", fontsize="medium", fontweight="bold")
        locator = mdates.AutoDateLocator(minticks=2, maxticks=3)
        panel.xaxis.set_major_locator(locator)
        panel.xaxis.set_major_formatter(mdates.DateFormatter("%b\n%Y"))
        panel.grid(axis="x", visible=False)
        if i % ncols:
            panel.tick_params(labelleft=False)
    # one label for the shared scale, not one per panel (they crowd a phone canvas)
    panels[0].figure.supylabel(label, fontsize=panels[0].yaxis.label.get_fontsize())
    if any_gap:
        panels[0].figure.legend(
            handles=[Patch(color=_NOT_LOGGED, label="not logged")], loc="outside lower right", frameon=False
        )
    return ax
