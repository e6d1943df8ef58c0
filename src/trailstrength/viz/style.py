"""House style: colour palette, ``set_theme`` and the ``theme`` context manager.

The style lives in two matplotlib style files shipped as package data
(``trailstrength-blog.mplstyle``, ``trailstrength-paper.mplstyle``), so it also
works without this module::

    plt.style.use("trailstrength.viz.trailstrength-blog")

``set_theme`` layers the file over a seaborn theme, the way ``seaborn.set_theme``
layers ``rc`` over its own defaults (seaborn : seaborn/rcmod.py).
"""

from __future__ import annotations

import importlib.resources
from collections.abc import Iterator
from contextlib import contextmanager

import matplotlib as mpl

__all__ = ["COLORS", "PALETTE", "VARIANTS", "set_theme", "style_path", "theme"]

#: Colour for each role a figure colours by (Okabe & Ito 2008, colour-blind safe).
COLORS: dict[str, str] = {
    "hinge": "#0072B2",  # blue: hip-hinge / posterior-chain exposure
    "descent": "#D55E00",  # vermillion: descents, DPI
    "soreness": "#CC79A7",  # reddish purple: soreness
    "knee": "#E69F00",  # orange: knee-dominant work (the competing explanation)
    "neutral": "#999999",  # grey: context, reference lines, secondary results
}

#: Categorical palette: the four role colours first, then the rest of Okabe-Ito,
#: then neutral grey. The style files' colour cycle is ``PALETTE[:-1]`` (grey is
#: kept out of the cycle so no category looks de-emphasised by accident).
PALETTE: list[str] = [
    COLORS["hinge"],
    COLORS["descent"],
    COLORS["soreness"],
    COLORS["knee"],
    "#009E73",  # bluish green
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow: weak on white, use for fills rather than thin lines
    COLORS["neutral"],
]

#: Style variants and the seaborn axes style each is layered on.
VARIANTS: dict[str, str] = {"blog": "whitegrid", "paper": "ticks"}


def style_path(variant: str = "blog"):
    """Return the shipped ``.mplstyle`` file of a variant (a ``Traversable``)."""
    _check_variant(variant)
    return importlib.resources.files(__package__) / f"trailstrength-{variant}.mplstyle"


def _check_variant(variant: str) -> None:
    if variant not in VARIANTS:
        raise ValueError(f"unknown theme variant {variant!r}; choose one of {sorted(VARIANTS)}")


def _style_rc(variant: str) -> dict:
    with importlib.resources.as_file(style_path(variant)) as path:
        return dict(mpl.rc_params_from_file(path, use_default_template=False))


def set_theme(variant: str = "blog") -> None:
    """Apply the trailstrength house style globally.

    Parameters
    ----------
    variant : {"blog", "paper"}
        ``"blog"``: 16:9 canvas (8 x 4.5 in) with large type (15 pt body), so the
        figure stays readable when a blog column shrinks it to phone width.
        ``"paper"``: 6.5 x 4 in, 9 pt type, 300 dpi, Type 42 fonts for PDF.

    Notes
    -----
    Applies a seaborn theme (``whitegrid`` for blog, ``ticks`` for paper) with
    :data:`PALETTE` as the colour palette, then every setting of the shipped style
    file on top, so the file has the last word. Use :func:`theme` to apply it only
    inside a ``with`` block.
    """
    _check_variant(variant)
    import seaborn as sns

    sns.set_theme(
        context="notebook",
        style=VARIANTS[variant],
        palette=PALETTE[:-1],
        rc=_style_rc(variant),
    )


@contextmanager
def theme(variant: str = "blog") -> Iterator[None]:
    """Apply the house style inside a ``with`` block, restoring rcParams after.

    Examples
    --------
    >>> with theme("paper"):
    ...     fig, ax = plt.subplots()
    """
    _check_variant(variant)
    with mpl.rc_context():
        set_theme(variant)
        yield
