"""The report's figures as HTML: responsive images (the desktop canvas, the phone canvas for narrow screens), a
short alt attribute and the full alt text in a ``<details>`` under each figure, PNGs made small for the page."""

from __future__ import annotations

import base64
import html
import io
import json
from pathlib import Path

from PIL import Image, PngImagePlugin

from trailstrength.report import words
from trailstrength.report.figures import FigureRecord
from trailstrength.viz.export import CANVASES

__all__ = ["PHONE_MEDIA", "embedded", "figure_html", "figures_section", "records_from"]


def _e(value) -> str:
    return html.escape("" if value is None else str(value))


#: Screens at most this wide (CSS px) get the phone canvas of a figure (a 390 px phone, a small tablet in portrait).
PHONE_MEDIA = "(max-width: 600px)"


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _png_size(png: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(png)) as im:
        return im.size


def figure_html(record: FigureRecord, png: bytes, phone: bytes | None) -> str:
    """One figure: the desktop canvas, the phone canvas for narrow screens, a short alt attribute, the caption and
    the full alt text in a ``<details>`` under it (read on demand instead of screens of scrolling on a phone)."""
    width, height = _png_size(png)
    source = ""
    if phone is not None:
        pw, ph = _png_size(phone)
        source = f'<source media="{PHONE_MEDIA}" srcset="{_data_uri(phone)}" width="{pw}" height="{ph}">'
    short = words.short_alt(record.title, record.alt)
    caption = f"<strong>{_e(record.title)}.</strong> {_e(record.subtitle)}" if record.title else _e(record.subtitle)
    return (
        f'<figure id="fig-{_e(record.name)}"><picture>{source}'
        f'<img src="{_data_uri(png)}" alt="{_e(short)}" width="{width}" height="{height}"></picture>'
        f"<figcaption>{caption}</figcaption>"
        f'<details class="alt"><summary>Full description</summary><p>{_e(record.alt)}</p></details></figure>'
    )


def figures_section(figures) -> str:
    """The figures: ``(record, png, phone png or None)`` (or ``(record, png)``); a figure not drawn says why."""
    figs = ['<section id="figures"><h2>Figures</h2>']
    for record, png, *phone in figures:
        if png is None:
            what = record.title or record.name.replace("_", " ")
            figs.append(f'<p class="skipped">{_e(what)}: not drawn ({_e(record.skipped)}).</p>')
            continue
        figs.append(figure_html(record, png, phone[0] if phone else None))
    figs.append("</section>")
    return "".join(figs)


def embedded(records) -> list[tuple]:
    """(record, desktop PNG, phone PNG or None) for the page, each PNG no wider than its canvas at scale 1."""
    out = []
    for r in records:
        desktop = next((p for p in r.paths if p.suffix == ".png"), None)
        phone = next((p for p in r.phone_paths if p.suffix == ".png"), None)
        out.append(
            (
                r,
                _png_for_web(desktop) if desktop else None,
                _png_for_web(phone, max_width=CANVASES["phone"][0]) if phone else None,
            )
        )
    return out


def records_from(folder: Path) -> list:
    """FigureRecords of a written figure set (PNG paths only)."""
    index = json.loads((folder / "figures.json").read_text(encoding="utf-8"))
    records = []
    for f in index["figures"]:
        pngs = [folder / name for name in f.get("files", []) if name.endswith(".png")]
        phones = [folder / name for name in f.get("phone_files", []) if name.endswith(".png")]
        records.append(
            FigureRecord(
                f["name"],
                f.get("title", ""),
                f.get("subtitle", ""),
                f.get("alt", ""),
                f.get("canvas", "blog"),
                [p for p in pngs if p.is_file()],
                f.get("skipped", ""),
                [p for p in phones if p.is_file()],
            )
        )
    return records


def _png_for_web(path: Path, max_width: int = 1600) -> bytes:
    """The PNG no wider than ``max_width`` px and reduced to 256 colours, keeping its text chunks (alt text).

    Figures are flat colours and antialiased text: a median-cut palette without dithering looks the same
    and makes the report about a third of the size.
    """
    with Image.open(path) as im:
        info = PngImagePlugin.PngInfo()
        for key, value in getattr(im, "text", {}).items():  # PNG text chunks (alt text)
            info.add_text(key, value)
        img = im.convert("RGB")
    if img.width > max_width:
        img = img.resize((max_width, round(img.height * max_width / img.width)), Image.Resampling.LANCZOS)
    img = img.quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    buf = io.BytesIO()
    img.save(buf, format="PNG", pnginfo=info, optimize=True)
    return buf.getvalue()
