"""A blog-post draft from an analysis: Markdown with front matter, the results as sentences, figures beside it.

``trailstrength post --out DIR`` writes ``DIR/post.md`` and ``DIR/images/`` (PNG at twice the blog canvas, their alt
text sidecars) for a static-site generator (Hugo, Jekyll, Eleventy read the front matter). Athletes are pseudonymised
like every published output; the text names no athlete at all, only counts.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from trailstrength.report import words
from trailstrength.report.figures import write_figure_set
from trailstrength.report.html import CAVEATS
from trailstrength.report.versions import versions

__all__ = ["POST_FIGURES", "render_post", "write_post"]

#: Figures a post leads with, in the order they appear (a figure the data cannot support is left out, and said so).
POST_FIGURES = (
    "h1_dpi_vs_hinge",
    "h2_soreness_vs_hinge",
    "effects_forest",
    "specification_curve_h1",
    "soreness_time_course",
    "grade_speed",
)

_CREDIT = (
    "Analysis made with trailstrength, which reads exports from Strava, Garmin and strength-training apps; "
    "the question comes from an article claiming that hip-hinge (deadlift-family) training makes trail runners "
    "descend faster and hurt less afterwards."
)


def write_post(
    wh=None,
    out="reports/post",
    *,
    results,
    pseudonymise_athletes: bool = True,
    fast: bool = False,
    date: dt.date | None = None,
) -> Path:
    """Write ``out/post.md`` and its figures in ``out/images``; return the Markdown file's path.

    Parameters
    ----------
    wh : Warehouse or path, optional
        The warehouse the results come from (the descriptive figures read it).
    out : path
        Folder for ``post.md`` and ``images/``.
    results : analysis.Results
        ``trailstrength.analyze(wh)``; nothing is refitted.
    pseudonymise_athletes : bool
        Athletes as ``A1 … An`` in every figure (default True).
    fast : bool
        Fewer runs in the descriptive figures (tests).
    date : date, optional
        The front matter's date (default today).
    """
    out = Path(out)
    records = write_figure_set(
        wh,
        out / "images",
        results=results,
        pseudonymise_athletes=pseudonymise_athletes,
        fast=fast,
        only=list(POST_FIGURES),
        formats=("png",),
    )
    path = out / "post.md"
    path.write_text(render_post(results, records, date=date or dt.date.today()), encoding="utf-8")
    return path


def render_post(results, records, *, date: dt.date) -> str:
    """The Markdown of the post: front matter, question, data, results, figures, caveats, method, credit."""
    drawn = {r.name: r for r in records if not r.skipped}
    skipped = [r for r in records if r.skipped]
    parts = [
        _front_matter(date),
        "## The question\n\nAn article claims two things: "
        + "; ".join(f"{words.HYPOTHESES[h][0][0].lower()}{words.HYPOTHESES[h][0][1:]} ({h})" for h in ("H1", "H2"))
        + ". Do training logs agree?",
        "## The data\n\n" + _data_paragraph(results),
        "## What we found\n\n" + _results_paragraphs(results),
    ]
    figures = [_figure(drawn[name]) for name in POST_FIGURES if name in drawn]
    if skipped:
        figures.append(
            "Figures left out: "
            + "; ".join(f"{r.name.replace('_', ' ')} ({r.skipped})" for r in skipped if r.name in POST_FIGURES)
            + "."
        )
    parts.append("## The figures\n\n" + "\n\n".join(figures))
    parts.append("## Caveats\n\n" + "\n\n".join(f"**{head}.** {text}" for head, text in CAVEATS))
    table = versions()
    parts.append(
        "## Method and versions\n\nMixed models of each run's outcome on the weekly hinge sets of the 28 days "
        "before it, split into the athlete's usual and the deviation from it, adjusted for recent downhill running "
        "and running volume. Software: "
        + ", ".join(f"{p} {v}" for p, v in zip(table["package"], table["version"]))
        + "."
    )
    parts.append("## Source\n\n" + _CREDIT)
    return "\n\n".join(parts) + "\n"


def _front_matter(date: dt.date) -> str:
    return "\n".join(
        [
            "---",
            'title: "Does deadlifting make trail runners better descenders?"',
            f"date: {date:%Y-%m-%d}",
            "draft: true",
            "tags: [trail running, strength training, data]",
            "---",
            "",
            "# Does deadlifting make trail runners better descenders?",
        ]
    )


def _data_paragraph(results) -> str:
    h1, h2 = results.h1_panel, results.h2_panel
    athletes = pd.concat([h1.get("athlete_id", pd.Series(dtype=str)), h2.get("athlete_id", pd.Series(dtype=str))])
    dates = pd.to_datetime(h1["local_date"]) if "local_date" in h1 and len(h1) else pd.Series(dtype="datetime64[ns]")
    span = f" between {dates.min():%B %Y} and {dates.max():%B %Y}" if len(dates) else ""
    return (
        f"{athletes.nunique()} athletes' runs and strength logs{span}: {len(h1)} runs with at least 500 m of "
        f"descent segments and 28 days of training history before them (descent performance), and {len(h2)} long "
        "descents followed by a soreness report within 72 hours (soreness). Hinge volume is the weekly number of "
        "hip-hinge working sets (deadlift family, single-leg RDLs counted too) over the 28 days before each run."
    )


def _results_paragraphs(results) -> str:
    mean_dpi = float(results.h1_panel["dpi"].mean()) if "dpi" in results.h1_panel and len(results.h1_panel) else None
    sentences = []
    for hypothesis in ("H1", "H2"):
        rows = results.primary[results.primary["hypothesis"] == hypothesis]
        row = rows.iloc[0] if len(rows) else None
        mean = mean_dpi if mean_dpi is not None and np.isfinite(mean_dpi) else None
        sentences.append(f"**{hypothesis}.** " + words.effect_sentence(row, outcome_mean=mean))
    return (
        "\n\n".join(sentences)
        + "\n\nThese are associations in training as it happened, not the result of an experiment (see the caveats)."
    )


def _figure(record) -> str:
    png = next(p for p in record.paths if p.suffix == ".png")
    alt = record.alt.replace("[", "(").replace("]", ")").replace("\n", " ")
    caption = record.title + (f". {record.subtitle}" if record.subtitle else "")
    return f"![{alt}](images/{png.name})\n\n*{caption}.*"
