"""One export helper for blog and social figures.

``save`` puts a figure on a fixed pixel canvas, adds a title band at the top and
a source band at the bottom, and writes PNG + SVG with the alt text in their
metadata and in a ``<stem>.alt.txt`` sidecar (after mplsoccer :
examples/pitch_plots/plot_twitter_powerpoint.py).
"""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Iterable
from pathlib import Path
from xml.sax.saxutils import escape

import matplotlib as mpl
import numpy as np
from matplotlib.layout_engine import ConstrainedLayoutEngine, TightLayoutEngine

__all__ = ["BASE_DPI", "CANVASES", "FORMATS", "PHONE_WIDTH_PX", "save"]

#: Canvas sizes in CSS pixels (width, height): 16:9, 16:9 small, 7:8, and the 4:5 phone portrait.
CANVASES: dict[str, tuple[int, int]] = {
    "blog": (1600, 900),
    "social": (1200, 675),
    "social_tall": (1050, 1200),
    "phone": (1080, 1350),
}

#: The width a phone shows an image at (CSS px): a 1080 px canvas there is drawn at 390/1080 of its size.
PHONE_WIDTH_PX = 390

#: Canvas pixels per figure inch. The blog canvas is 8 x 4.5 in, the size the
#: blog style draws at, so text sized in points keeps its meaning on export.
BASE_DPI = 200

#: Formats ``save`` writes, and the metadata keys that carry title and alt text.
FORMATS = ("png", "svg", "pdf")

BAND_GID = "trailstrength-band"
_MARGIN_PX = 28  # canvas px between the bands' text and the canvas edge
_GAP_PX = 8  # canvas px between title and subtitle
_TITLE_PT, _SUBTITLE_PT, _SOURCE_PT = 22, 15, 11
_SUBTLE = "#555555"


def save(
    fig,
    path_stem,
    *,
    alt: str,
    title: str | None = None,
    subtitle: str | None = None,
    source: str | None = None,
    canvas: str | tuple[int, int] = "blog",
    formats: Iterable[str] = ("png", "svg"),
    scale: float = 2,
) -> list[Path]:
    """Export a figure for the web on a fixed canvas, with required alt text.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure; it is resized to the canvas and relaid out in place (its axes
        are fitted between the bands, with constrained layout unless the figure
        already uses tight layout).
    path_stem : str or Path
        Output path without extension, e.g. ``"figures/h1_descent"``; a trailing
        ``.png``/``.svg``/``.pdf`` is dropped. Parent folders are created.
    alt : str
        Alt text: what the figure shows and what to take from it. Required.
    title, subtitle : str, optional
        Text of the band at the top (title bold, subtitle below it).
    source : str, optional
        Text of the band at the bottom, e.g. ``"Data: 12 athletes, 2023-2025"``.
    canvas : {"blog", "social", "social_tall", "phone"} or (width, height)
        Canvas in CSS pixels; see :data:`CANVASES`. ``"phone"`` is portrait 1080 x 1350 (4:5): text keeps its
        point size (:data:`BASE_DPI` px per inch), so on a canvas 1080 px wide it is 1.5 times larger relative to
        the figure than on the 1600 px blog canvas; shown 390 px wide the 13 pt tick labels are 13 px tall
        (9 px from the blog canvas).
    formats : iterable of {"png", "svg", "pdf"}
        Files to write.
    scale : float
        Pixel density of the PNG: a 1600 x 900 canvas at ``scale=2`` is a
        3200 x 1800 px file (sharp on retina screens). ``canvas * scale`` must be
        whole pixels.

    Returns
    -------
    list of Path
        The files written, in ``formats`` order, then ``<stem>.alt.txt``.

    Raises
    ------
    ValueError
        Empty or whitespace-only ``alt``; unknown canvas or format; a scale that
        gives fractional pixels.

    Notes
    -----
    PNG: ``Title`` and ``Description`` (alt) text chunks. SVG: ``<title>`` (the
    title, else the alt text), ``<desc>`` (alt) and Dublin Core
    ``dc:description``; no date, fixed id salt, so reruns write identical files.
    PDF: ``Title`` and ``Subject`` (alt). Calling ``save`` again on the same figure
    replaces the bands rather than stacking them.

    Examples
    --------
    A tiny figure saved to a temporary folder: PNG at twice the blog canvas, SVG, and the
    alt text beside them.

    >>> import tempfile
    >>> from pathlib import Path
    >>> import matplotlib.pyplot as plt
    >>> from PIL import Image
    >>> from trailstrength.viz import save
    >>> fig, ax = plt.subplots()
    >>> _ = ax.plot([1, 2, 3], [0.98, 1.00, 1.03])
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     paths = save(fig, Path(tmp) / "dpi", alt="DPI rose from 0.98 to 1.03 over three runs.",
    ...                  title="Descent performance", source="Data: one athlete")
    ...     print([p.name for p in paths])
    ...     with Image.open(paths[0]) as png:
    ...         print(png.size)
    ...     print(paths[-1].read_text(encoding="utf-8").strip())
    ['dpi.png', 'dpi.svg', 'dpi.alt.txt']
    (3200, 1800)
    DPI rose from 0.98 to 1.03 over three runs.
    >>> plt.close(fig)
    """
    alt = _check_alt(alt)
    width_px, height_px = _canvas_px(canvas)
    formats = _check_formats(formats)
    out_w, out_h = _check_scale(width_px, height_px, scale)

    stem = Path(path_stem)
    if stem.suffix.lower().lstrip(".") in FORMATS:
        stem = stem.with_suffix("")
    stem.parent.mkdir(parents=True, exist_ok=True)

    out_dpi = BASE_DPI * scale
    fig.set_size_inches(_inches_for(width_px, out_w, out_dpi), _inches_for(height_px, out_h, out_dpi))
    _add_bands(fig, width_px, height_px, title=title, subtitle=subtitle, source=source)

    written = []
    rc = {"savefig.bbox": "standard", "savefig.transparent": False, "svg.hashsalt": "trailstrength"}
    with mpl.rc_context(rc):
        for fmt in formats:
            path = stem.parent / f"{stem.name}.{fmt}"
            if fmt == "png":
                meta = {"Description": alt} | ({"Title": title} if title else {})
                fig.savefig(path, format="png", dpi=out_dpi, metadata=meta)
                _check_png_size(path, out_w, out_h)
            elif fmt == "svg":
                meta = {"Title": title or alt, "Description": alt, "Date": None}
                fig.savefig(path, format="svg", metadata=meta)
                _finish_svg(path, alt, width_px, height_px)
            else:  # pdf
                meta = {"Subject": alt, "CreationDate": None} | ({"Title": title} if title else {})
                fig.savefig(path, format="pdf", metadata=meta)
            written.append(path)

    alt_path = stem.parent / f"{stem.name}.alt.txt"
    alt_path.write_text(alt + "\n", encoding="utf-8")
    written.append(alt_path)
    return written


# --- checks ------------------------------------------------------------------


def _check_alt(alt) -> str:
    if not isinstance(alt, str) or not alt.strip():
        raise ValueError(
            "alt text is required: describe what the figure shows and its takeaway, "
            "e.g. alt='Scatter of within-athlete descent performance against hinge sets "
            "per week; the fitted slope is near zero.'"
        )
    return alt.strip()


def _canvas_px(canvas) -> tuple[int, int]:
    if isinstance(canvas, str):
        if canvas not in CANVASES:
            raise ValueError(f"unknown canvas {canvas!r}; choose one of {sorted(CANVASES)} or pass (width, height) px")
        return CANVASES[canvas]
    try:
        width, height = (int(v) for v in canvas)
    except (TypeError, ValueError):
        raise ValueError(f"canvas must be a name in {sorted(CANVASES)} or (width, height) px, got {canvas!r}") from None
    if width <= 0 or height <= 0:
        raise ValueError(f"canvas size must be positive, got {canvas!r}")
    return width, height


def _check_formats(formats) -> tuple[str, ...]:
    if isinstance(formats, str):
        formats = (formats,)
    formats = tuple(f.lower().lstrip(".") for f in formats)
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise ValueError(f"formats must be a non-empty subset of {FORMATS}, got {formats!r}")
    return formats


def _check_scale(width_px: int, height_px: int, scale) -> tuple[int, int]:
    out_w, out_h = width_px * scale, height_px * scale
    if not (scale > 0 and math.isclose(out_w, round(out_w)) and math.isclose(out_h, round(out_h))):
        raise ValueError(
            f"scale={scale!r} gives a {out_w} x {out_h} px PNG; pick a positive scale that gives whole pixels"
        )
    return round(out_w), round(out_h)


def _inches_for(canvas_px: int, out_px: int, out_dpi: float) -> float:
    # Agg truncates width * dpi to an int, so nudge the size up until the PNG has
    # exactly the pixels asked for (577 / 200 * 600 = 1730.9999...). matplotlib
    # 3.11 also rounds such near-integers up itself; older releases do not, and
    # _check_png_size catches anything that still slips through.
    inches = canvas_px / BASE_DPI
    while int(inches * out_dpi) < out_px:
        inches = float(np.nextafter(inches, np.inf))
    return inches


def _check_png_size(path: Path, width: int, height: int) -> None:
    from PIL import Image

    with Image.open(path) as im:
        if im.size != (width, height):
            raise RuntimeError(f"{path}: wrote {im.size[0]} x {im.size[1]} px, expected {width} x {height} px")


# --- bands ---------------------------------------------------------------------


def _add_bands(fig, width_px, height_px, *, title, subtitle, source) -> None:
    """Draw title/subtitle and source texts; fit the axes between them."""
    for text in [t for t in fig.texts if t.get_gid() == BAND_GID]:
        text.remove()

    renderer = fig.canvas.get_renderer()
    to_fig = fig.transFigure.inverted()
    margin_x, margin_y, gap = _MARGIN_PX / width_px, _MARGIN_PX / height_px, _GAP_PX / height_px
    max_width = fig.bbox.width * (1 - 2 * margin_x)

    top = 1.0
    y = 1 - margin_y
    header = ((title, _TITLE_PT, "bold", None), (subtitle, _SUBTITLE_PT, "normal", _SUBTLE))
    for text, size, weight, color in header:
        if not text:
            continue
        artist = fig.text(
            margin_x,
            y,
            text,
            ha="left",
            va="top",
            fontsize=size,
            fontweight=weight,
            color=color or mpl.rcParams["text.color"],
            gid=BAND_GID,
        )
        _wrap_to_width(artist, max_width, renderer)
        y = to_fig.transform(artist.get_window_extent(renderer))[0, 1] - gap
        top = y + gap - margin_y / 2

    bottom = 0.0
    if source:
        artist = fig.text(
            margin_x, margin_y * 0.6, source, ha="left", va="bottom", fontsize=_SOURCE_PT, color=_SUBTLE, gid=BAND_GID
        )
        _wrap_to_width(artist, max_width, renderer)
        bottom = to_fig.transform(artist.get_window_extent(renderer))[1, 1] + margin_y / 2

    for artist in fig.texts:
        if artist.get_gid() == BAND_GID:
            artist.set_in_layout(False)
    _fit_axes(fig, left=margin_x / 2, bottom=bottom, right=1 - margin_x / 2, top=top)
    _fit_axis_labels(fig, margin_x / 2 * fig.bbox.width, margin_y / 2 * fig.bbox.height)


def _wrap_to_width(artist, max_width_px: float, renderer, *, vertical: bool = False) -> None:
    """Re-wrap a text artist's lines until it is no longer than ``max_width_px``
    along its reading direction (its height if ``vertical``: rotated 90 degrees)."""

    def length():
        box = artist.get_window_extent(renderer)
        return box.height if vertical else box.width

    original = artist.get_text()
    current = length()
    chars = max(len(line) for line in original.splitlines() or [""])
    while current > max_width_px and chars > 10:
        chars = int(chars * min(0.95, max_width_px / current))
        artist.set_text("\n".join(textwrap.fill(line, chars) for line in original.splitlines()))
        current = length()


def _fit_axis_labels(fig, margin_x: float, margin_y: float) -> None:
    """Wrap axis labels that run off the canvas (long labels on the narrow 7:8
    canvas, rotated labels on the short 16:9 social one). Margins in display px."""
    width, height = fig.bbox.width, fig.bbox.height
    for _ in range(2):  # wrapping changes the layout, which moves the labels
        fig.draw_without_rendering()
        renderer = fig.canvas.get_renderer()
        changed = False
        for ax in fig.axes:
            for label in (ax.xaxis.label, ax.yaxis.label):
                if not label.get_visible() or not label.get_text():
                    continue
                box = label.get_window_extent(renderer)
                vertical = abs(label.get_rotation() % 180 - 90) < 1
                if vertical:
                    lo, hi, end, margin = box.y0, box.y1, height, margin_y
                else:
                    lo, hi, end, margin = box.x0, box.x1, width, margin_x
                if lo >= margin - 0.5 and hi <= end - margin + 0.5:
                    continue
                if lo < margin and hi > end - margin:
                    room = end - 2 * margin
                elif lo < margin:
                    room = hi - margin
                else:
                    room = end - margin - lo
                _wrap_to_width(label, max(room, 0.2 * end), renderer, vertical=vertical)
                changed = True
        if not changed:
            return


def _fit_axes(fig, *, left, bottom, right, top) -> None:
    engine = fig.get_layout_engine()
    if isinstance(engine, ConstrainedLayoutEngine):
        engine.set(rect=(left, bottom, right - left, top - bottom))
    elif isinstance(engine, TightLayoutEngine):
        engine.set(rect=(left, bottom, right, top))
    else:
        try:
            fig.set_layout_engine(ConstrainedLayoutEngine(rect=(left, bottom, right - left, top - bottom)))
        except RuntimeError:  # e.g. colorbars made without a layout engine
            fig.subplots_adjust(left=max(left, 0.08), bottom=max(bottom, 0.1), right=right, top=top)


# --- SVG -------------------------------------------------------------------------


def _finish_svg(path: Path, alt: str, width_px: int, height_px: int) -> None:
    """Insert ``<desc>`` (alt text) after ``<title>`` and size the SVG in canvas px.

    matplotlib writes only the title as an element and puts Description in RDF
    metadata, which screen readers do not read. Its width/height are in pt
    (576 x 324 pt for the blog canvas); stating the canvas px instead makes the
    SVG's natural size equal the PNG's at scale 1. The viewBox is unchanged.
    """
    svg = path.read_text(encoding="utf-8")
    start = svg.find("<svg")
    end = svg.find(">", start) + 1
    root = re.sub(r'\bwidth="[^"]*"', f'width="{width_px}"', svg[start:end], count=1)
    root = re.sub(r'\bheight="[^"]*"', f'height="{height_px}"', root, count=1)
    svg = svg[:start] + root + svg[end:]
    end_title = svg.find("</title>")
    cut = end_title + len("</title>") if end_title >= 0 else start + len(root)
    svg = svg[:cut] + f"\n <desc>{escape(alt)}</desc>" + svg[cut:]
    path.write_text(svg, encoding="utf-8")
