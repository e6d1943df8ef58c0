"""Terrain figures: speed against grade with grade-adjustment models, a run's profile, a trimmed route.

Artists carry a ``gid``: ``"points"`` (grade-speed chunks), ``"binned"`` (binned medians),
``"model:<label>"`` (one line per grade-adjustment model), ``"route"``, ``"altitude"`` and
``"descents"`` (profile line and shaded descent segments).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from trailstrength.viz._common import axes as _axes
from trailstrength.viz._common import lighten as _lighten
from trailstrength.viz._common import no_data as _no_data
from trailstrength.viz._common import require as _require
from trailstrength.viz.style import COLORS, PALETTE

__all__ = ["MODEL_LABELS", "descent_profile", "grade_speed", "grade_speed_by_athlete", "route_map"]

#: Legend labels of the named grade-adjustment models.
MODEL_LABELS: dict[str, str] = {
    "strava": "Strava equal-effort curve",
    "minetti": "Minetti energy cost",
}
_MODEL_STYLE = [("#222222", "-"), (PALETTE[4], "--"), (COLORS["hinge"], "-."), (COLORS["knee"], ":")]


def _model_curves(models) -> list[tuple[str, Callable]]:
    from trailstrength.terrain import gap_factor

    if isinstance(models, Mapping):
        items = list(models.items())
    else:
        items = [
            (MODEL_LABELS.get(m, str(m)) if isinstance(m, str) else getattr(m, "label", "empirical"), m) for m in models
        ]
    curves = []
    for label, model in items:
        if isinstance(model, str):
            curves.append((label, lambda g, m=model: gap_factor(g, model=m)))
        elif callable(model):
            curves.append((label, model))
        else:
            raise TypeError(
                f"model {label!r} must be a model name {sorted(MODEL_LABELS)} or a callable "
                f"grade -> factor (e.g. an EmpiricalGap), not {type(model).__name__}"
            )
    return curves


def grade_speed(
    points: pd.DataFrame,
    models: Sequence | Mapping = ("strava", "minetti"),
    ax=None,
    *,
    bin_width: float = 0.02,
    min_weight: float = 200.0,
):
    """Speed relative to flat against grade, with grade-adjustment models overlaid.

    Parameters
    ----------
    points : DataFrame
        One row per stretch of running (e.g. 100 m chunks of a run's profile, or descent and climb
        segments): ``grade`` (fraction, 0.10 = 10 %) and ``relative_speed`` (moving speed ÷ the
        run's flat reference speed, unitless). Optional ``weight`` (e.g. length in m; default 1
        per row) for the binned medians.
    models : sequence or mapping
        Grade-adjustment models to overlay: names understood by
        :func:`trailstrength.terrain.gap_factor` (``"strava"``, ``"minetti"``), callables
        ``grade -> factor`` such as an :class:`~trailstrength.terrain.grade_models.EmpiricalGap`,
        or a mapping ``label -> model``. Empty for none.
    ax : matplotlib Axes, optional
    bin_width : float
        Width of the grade bins for the binned median (fraction).
    min_weight : float
        Bins whose total weight is below this are left out of the binned line (with the default
        ``weight`` = metres, bins with less than 200 m of running).

    Returns
    -------
    ax : matplotlib Axes

    Notes
    -----
    A model's line is the speed at equal effort, ``1 / factor(grade)``: where the runner's
    binned median sits above it, they ran that grade faster than the model's equal-effort pace.
    Minetti's curve is an energy cost: at steep descents it predicts speeds no runner reaches
    (running downhill is limited by control and eccentric load, not by energy), which is why the
    equal-effort curve is the default for descents.
    """
    _require(points, ("grade", "relative_speed"), "points")
    ax = _axes(ax)
    data = points[np.isfinite(points["grade"]) & np.isfinite(points["relative_speed"])]
    curves = _model_curves(models)
    if data.empty and not curves:
        return _no_data(ax, "No moving stretches with a grade to show")
    weight = data["weight"].to_numpy(dtype=float) if "weight" in data else np.ones(len(data))
    grade_pc = data["grade"].to_numpy(dtype=float) * 100
    speed = data["relative_speed"].to_numpy(dtype=float)
    ax.scatter(
        grade_pc,
        speed,
        s=10,
        color=_lighten(COLORS["descent"], 0.55),
        linewidths=0,
        alpha=0.6,
        zorder=2,
        rasterized=len(data) > 5000,
        gid="points",
    )

    lo_g, hi_g = (np.nanmin(grade_pc), np.nanmax(grade_pc)) if len(data) else (-30.0, 30.0)
    binned = _binned_median(data["grade"].to_numpy(dtype=float), speed, weight, bin_width, min_weight)
    if len(binned):
        (line,) = ax.plot(
            binned["grade"] * 100,
            binned["median"],
            color=COLORS["descent"],
            marker="o",
            markersize=6,
            linewidth=2.5,
            zorder=4,
            label="Your runs (binned median)",
        )
        line.set_gid("binned")

    grid = np.linspace(min(lo_g, -5.0) / 100, max(hi_g, 5.0) / 100, 201)
    for (label, curve), (color, style) in zip(curves, _MODEL_STYLE * 3):
        (line,) = ax.plot(
            grid * 100,
            1.0 / np.asarray(curve(grid), dtype=float),
            color=color,
            linestyle=style,
            linewidth=2,
            zorder=3,
            label=label,
        )
        line.set_gid(f"model:{label}")

    top = max(1.6, float(np.nanquantile(speed, 0.99)) * 1.1 if len(speed) else 1.6)
    ax.set_ylim(0, min(top, 2.5))
    ax.axhline(1, color=COLORS["neutral"], linewidth=1, zorder=1).set_gid("flat")
    ax.set_xlabel("Grade (%)")
    ax.set_ylabel("Speed relative to flat")
    ax.legend(loc="upper right", fontsize="x-small", handlelength=2.2)
    return ax


def _binned_median(grade, speed, weight, bin_width, min_weight) -> pd.DataFrame:
    if grade.size == 0:
        return pd.DataFrame(columns=["grade", "median", "weight"])
    idx = np.floor(grade / bin_width + 0.5).astype(int)  # bins centred on multiples of bin_width
    rows = []
    for b in np.unique(idx):
        inside = idx == b
        w = weight[inside]
        if w.sum() < min_weight:
            continue
        order = np.argsort(speed[inside])
        cum = np.cumsum(w[order])
        median = speed[inside][order][np.searchsorted(cum, cum[-1] / 2)]
        rows.append({"grade": b * bin_width, "median": median, "weight": w.sum()})
    return pd.DataFrame(rows, columns=["grade", "median", "weight"])


def route_map(samples: pd.DataFrame, ax=None, *, privacy_zones=(), color=None):
    """A run's route as a line, without coordinates on the axes, trimmed around privacy zones.

    Parameters
    ----------
    samples : DataFrame
        One activity's recorded points with ``lat`` and ``lon`` (degrees).
    ax : matplotlib Axes, optional
    privacy_zones : sequence of (lat, lon, radius_m)
        Points within ``radius_m`` of any zone centre are removed before drawing (see
        :func:`trailstrength.privacy.trim_privacy_zones`), leaving gaps in the line.
    color : colour, optional
        Line colour (default: the descent colour).

    Returns
    -------
    ax : matplotlib Axes

    Notes
    -----
    Drawn in local metres east/north of the route's centre (equirectangular; fine at run scale)
    with equal aspect, no ticks and no base map: the shape of the route without its location.
    Exported figures draw maps only when asked (``write_figure_set(maps=True)``).
    """
    from trailstrength.privacy import trim_privacy_zones

    _require(samples, ("lat", "lon"), "samples")
    ax = _axes(ax)
    kept = trim_privacy_zones(samples, privacy_zones, keep_gaps=True)
    lat, lon = kept["lat"].to_numpy(dtype=float), kept["lon"].to_numpy(dtype=float)
    if not np.isfinite(lat).any():
        return _no_data(ax, "No positions outside the privacy zones")
    lat0, lon0 = np.nanmean(lat), np.nanmean(lon)
    east = (lon - lon0) * 111_320.0 * np.cos(np.radians(lat0))
    north = (lat - lat0) * 110_540.0
    (line,) = ax.plot(east, north, color=color or COLORS["descent"], linewidth=2)
    line.set_gid("route")
    ax.set_aspect("equal", adjustable="datalim")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)
    span = np.nanmax(east) - np.nanmin(east)
    bar = _scale_bar_length(span)
    x0, y0 = np.nanmin(east), np.nanmin(north)
    ax.plot([x0, x0 + bar], [y0, y0], color="#222222", linewidth=3, gid="scale_bar")
    ax.text(
        x0 + bar / 2,
        y0,
        f"{bar / 1000:g} km" if bar >= 1000 else f"{bar:g} m",
        ha="center",
        va="bottom",
        fontsize="x-small",
    )
    return ax


def _scale_bar_length(span_m: float) -> float:
    if not np.isfinite(span_m) or span_m <= 0:
        return 100.0
    target = span_m / 4
    magnitude = 10 ** np.floor(np.log10(target))
    return float(max(m * magnitude for m in (1, 2, 5) if m * magnitude <= target))


def descent_profile(profile: pd.DataFrame, segments: pd.DataFrame | None = None, ax=None):
    """A run's altitude against distance with its descent segments shaded (a map-free view of a run).

    Parameters
    ----------
    profile : DataFrame
        The run's terrain profile (:func:`trailstrength.terrain.analyze_run` ``.profile``):
        ``distance_m`` and ``altitude_m``; ``altitude_raw_m`` (as recorded) is drawn faintly
        behind when present.
    segments : DataFrame, optional
        The run's segments (``kind``, ``start_m``, ``end_m``); descents are shaded, with their
        drop written above them when there are at most 12.
    ax : matplotlib Axes, optional

    Returns
    -------
    ax : matplotlib Axes
    """
    _require(profile, ("distance_m", "altitude_m"), "profile")
    ax = _axes(ax)
    if profile.empty:
        return _no_data(ax, "No altitude profile")
    km = profile["distance_m"] / 1000
    if "altitude_raw_m" in profile:
        ax.plot(
            km,
            profile["altitude_raw_m"],
            color=COLORS["neutral"],
            linewidth=0.8,
            alpha=0.7,
            label="recorded",
            gid="altitude_raw",
        )
    (line,) = ax.plot(km, profile["altitude_m"], color="#222222", linewidth=2, label="smoothed")
    line.set_gid("altitude")
    if segments is not None and len(segments):
        _require(segments, ("kind", "start_m", "end_m"), "segments")
        descents = segments[segments["kind"] == "descent"]
        for seg in descents.itertuples():
            ax.axvspan(
                seg.start_m / 1000, seg.end_m / 1000, color=COLORS["descent"], alpha=0.18, linewidth=0, gid="descents"
            )
            if len(descents) <= 12 and "drop_m" in descents:
                ax.text(
                    (seg.start_m + seg.end_m) / 2000,
                    1.0,
                    f"\u2212{seg.drop_m:.0f} m",
                    transform=ax.get_xaxis_transform(),
                    ha="center",
                    va="bottom",
                    fontsize="xx-small",
                    color=COLORS["descent"],
                )
        ax.axvspan(np.nan, np.nan, color=COLORS["descent"], alpha=0.18, label="descent segments")
    ax.set_xlabel("Distance (km)")
    ax.set_ylabel("Altitude (m)")
    ax.legend(loc="best", fontsize="x-small")
    return ax


def grade_speed_by_athlete(
    points: pd.DataFrame,
    models: Sequence | Mapping = ("strava", "minetti"),
    *,
    own_curves: Mapping | None = None,
    axes=None,
):
    """:func:`grade_speed` once per athlete, side by side on a shared y axis.

    Parameters
    ----------
    points : DataFrame
        As for :func:`grade_speed`, with ``athlete_id`` (and ``activity_id`` for the run counts in the titles).
    models : sequence or mapping
        Grade-adjustment models drawn on every panel (see :func:`grade_speed`).
    own_curves : mapping, optional
        ``athlete_id -> callable grade -> factor`` (e.g. each athlete's
        :func:`~trailstrength.terrain.fit_empirical_gap`), drawn as "Own curve" on that athlete's panel.
    axes : sequence of Axes, optional
        One per athlete (sorted ids); a row of new axes when None.

    Returns
    -------
    numpy.ndarray of Axes
        One per athlete, titled ``"<athlete> (<n> runs)"``.
    """
    _require(points, ("athlete_id", "grade", "relative_speed"), "points")
    athletes = sorted(points["athlete_id"].dropna().unique())
    if axes is None:
        import matplotlib.pyplot as plt

        _, axes = plt.subplots(
            1, max(1, len(athletes)), figsize=(5 * max(1, len(athletes)), 4.5), sharey=True, squeeze=False
        )
        axes = axes[0]
    axes = np.atleast_1d(np.asarray(axes, dtype=object))
    if not athletes:
        _no_data(axes[0], "No moving stretches with a grade to show")
        return axes
    base = dict(models) if isinstance(models, Mapping) else {MODEL_LABELS.get(m, str(m)): m for m in models}
    for i, (ax, athlete) in enumerate(zip(axes, athletes)):
        own = (own_curves or {}).get(athlete)
        mine = points[points["athlete_id"] == athlete]
        grade_speed(mine, models=base | ({"Own curve": own} if own is not None else {}), ax=ax)
        runs = mine["activity_id"].nunique() if "activity_id" in mine else len(mine)
        ax.set_title(f"{athlete} ({runs} runs)")
        if i:
            ax.set_ylabel("")
    return axes
