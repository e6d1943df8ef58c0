"""trailstrength.viz: house style, export helper and analysis figures.

>>> import trailstrength.viz as tv
>>> tv.set_theme()                       # or: with tv.theme("paper"): ...
>>> ax = tv.dpi_vs_hinge(panel, effects)
>>> tv.save(ax.figure, "figures/h1", alt="...", title="...", source="...")
"""

from trailstrength.viz.export import CANVASES, save
from trailstrength.viz.figures import dpi_vs_hinge, effects_forest, soreness_vs_hinge
from trailstrength.viz.style import COLORS, PALETTE, set_theme, theme

__all__ = [
    "CANVASES",
    "COLORS",
    "PALETTE",
    "dpi_vs_hinge",
    "effects_forest",
    "save",
    "set_theme",
    "soreness_vs_hinge",
    "theme",
]
