"""trailstrength.viz: house style, export helper and analysis figures. It draws; it fits nothing.

::

    import trailstrength.viz as tv

    tv.set_theme()                       # or: with tv.theme("paper"): ...
    ax = tv.dpi_vs_hinge(panel, effects)
    tv.save(ax.figure, "figures/h1", alt="...", title="...", source="...")

Figure functions take tidy frames and ``ax=None`` and return the ``ax`` they drew on. The frames they take are
built from a warehouse by :mod:`trailstrength.features.frames` or come from the analysis' results;
:func:`trailstrength.report.write_figure_set` writes the whole set (pseudonymised) for an analysis.
"""

from trailstrength.viz.athletes import athlete_panels
from trailstrength.viz.diagnostics import residual_diagnostics
from trailstrength.viz.effects import dpi_vs_hinge, effects_forest, soreness_vs_hinge, specification_curve
from trailstrength.viz.export import CANVASES, save
from trailstrength.viz.planning import dose_response, power_by_effect, power_curve, save_power_figure
from trailstrength.viz.style import COLORS, PALETTE, set_theme, theme
from trailstrength.viz.terrain import descent_profile, grade_speed, grade_speed_by_athlete, route_map
from trailstrength.viz.training import dpi_over_time, soreness_time_course, training_calendar

__all__ = [
    "CANVASES",
    "COLORS",
    "PALETTE",
    "athlete_panels",
    "descent_profile",
    "dose_response",
    "dpi_over_time",
    "dpi_vs_hinge",
    "effects_forest",
    "grade_speed",
    "grade_speed_by_athlete",
    "power_by_effect",
    "power_curve",
    "residual_diagnostics",
    "route_map",
    "save",
    "save_power_figure",
    "set_theme",
    "soreness_time_course",
    "soreness_vs_hinge",
    "specification_curve",
    "theme",
    "training_calendar",
]
