"""trailstrength.report: what an analysis found, for readers — the figure set and a self-contained HTML report::

    import trailstrength as ts
    from trailstrength import report

    res = ts.analyze(wh)                                   # fit once ...
    report.write_figure_set(wh, "figures", results=res)    # ... then draw: nothing here refits
    report.build_report(wh, "report.html", results=res, figure_dir="figures")

Modules: :mod:`~trailstrength.report.figures` (the figure set, and the specification-curve table it draws),
:mod:`~trailstrength.report.html` (the report page), :mod:`~trailstrength.report.words` (every sentence written from
numbers: claims table, verdicts, alt text) and :mod:`~trailstrength.report.versions`.
"""

from trailstrength.report.figures import FigureRecord, figure_set, specification_table, write_figure_set
from trailstrength.report.html import CAVEATS, REPORT_FIGURES, build_report, render_report
from trailstrength.report.versions import VERSION_PACKAGES, versions
from trailstrength.report.words import (
    HYPOTHESES,
    claims_table,
    hypothesis_table,
    interval_verdict,
    not_answerable_lines,
    verdict,
    verdicts,
)

__all__ = [
    "CAVEATS",
    "HYPOTHESES",
    "REPORT_FIGURES",
    "VERSION_PACKAGES",
    "FigureRecord",
    "build_report",
    "figure_set",
    "hypothesis_table",
    "claims_table",
    "not_answerable_lines",
    "interval_verdict",
    "render_report",
    "specification_table",
    "verdict",
    "verdicts",
    "versions",
    "write_figure_set",
]
