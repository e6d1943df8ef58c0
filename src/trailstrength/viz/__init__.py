"""trailstrength.viz: house style, export helper and analysis figures.

>>> import trailstrength.viz as tv
>>> tv.set_theme()                       # or: with tv.theme("paper"): ...
>>> ax = tv.dpi_vs_hinge(panel, effects)
>>> tv.save(ax.figure, "figures/h1", alt="...", title="...", source="...")

Figure functions take tidy frames and ``ax=None`` and return the ``ax`` they drew on; the frames
they take are built from a warehouse by :mod:`trailstrength.viz.frames`, and
:func:`write_figure_set` writes the whole set (pseudonymised) for a warehouse.
"""

from trailstrength.viz import frames
from trailstrength.viz.effects import dpi_vs_hinge, effects_forest, soreness_vs_hinge, specification_curve
from trailstrength.viz.export import CANVASES, save
from trailstrength.viz.planning import dose_response, power_by_effect, power_curve, save_power_figure
from trailstrength.viz.style import COLORS, PALETTE, set_theme, theme
from trailstrength.viz.terrain import descent_profile, grade_speed, route_map
from trailstrength.viz.training import soreness_time_course, training_calendar

__all__ = [
    "CANVASES",
    "COLORS",
    "PALETTE",
    "descent_profile",
    "dose_response",
    "dpi_vs_hinge",
    "effects_forest",
    "frames",
    "grade_speed",
    "power_by_effect",
    "power_curve",
    "route_map",
    "save",
    "save_power_figure",
    "set_theme",
    "soreness_time_course",
    "soreness_vs_hinge",
    "specification_curve",
    "theme",
    "training_calendar",
    "write_figure_set",
]


def __getattr__(name):
    # the figure set pulls in the analysis (statsmodels): import it only when asked for
    if name in ("write_figure_set", "figure_set"):
        from trailstrength.viz import figureset

        return getattr(figureset, name)
    raise AttributeError(f"module 'trailstrength.viz' has no attribute {name!r}")
