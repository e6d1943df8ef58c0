"""Write docs/gallery.rst from a figure set (the demo's ``figures/figures.json``): every figure, its title and alt text.

Usage: ``python tools/gallery.py reports/demo/figures docs`` (``make docs`` runs it after ``make demo``).
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path


def write_gallery(figures: Path, docs: Path) -> int:
    meta = json.loads((figures / "figures.json").read_text())
    target = docs / "_generated_gallery"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    lines = [
        "Gallery",
        "=======",
        "",
        "The figure set ``trailstrength figures`` writes, here for the simulated demo cohort (``make demo``).",
        "Each figure is saved as PNG and SVG with its alt text in the files and a sidecar.",
        "",
    ]
    shown = 0
    for fig in meta["figures"]:
        png = next((f for f in fig.get("files", []) if f.endswith(".png")), None)
        if fig.get("skipped") or png is None:
            continue
        shutil.copy2(figures / png, target / png)
        title = fig.get("title") or fig["name"]
        lines += [
            title,
            "-" * len(title),
            "",
            fig.get("subtitle", ""),
            "",
            f".. image:: _generated_gallery/{png}",
            f"   :alt: {fig.get('alt', '')}",
            "   :width: 90%",
            "",
            f"*Alt text:* {fig.get('alt', '')}",
            "",
        ]
        shown += 1
    (docs / "gallery.rst").write_text("\n".join(lines))
    return shown


if __name__ == "__main__":
    n = write_gallery(Path(sys.argv[1]), Path(sys.argv[2]))
    print(f"gallery: {n} figures")
