"""report.post: the Markdown draft of a blog post (front matter, results as sentences, figures with alt text).

The figure set itself is tested in test_viz_figures.py; here the draft is rendered from results and figure records
(no warehouse), so it runs in a second."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from trailstrength.analysis import Results
from trailstrength.report.figures import FigureRecord
from trailstrength.report.post import POST_FIGURES, render_post


def _results(h1_ci=(0.0085, 0.0167)):
    base = {"outcome": "dpi", "unit": "dpi per weekly hinge set (within athlete)", "p_value": 0.01, "n_athletes": 8}
    effects = pd.DataFrame(
        [
            {**base, "hypothesis": "H1", "term": "hinge_sets_28d_within", "estimate": 0.0126, "ci_low": h1_ci[0],
             "ci_high": h1_ci[1], "n_obs": 330, "model": "mixedlm_ri", "converged": True, "primary": True, "note": ""},
            {**base, "hypothesis": "H2", "outcome": "soreness_peak_72h", "term": "hinge_sets_28d_within",
             "estimate": -0.31, "ci_low": -0.46, "ci_high": -0.15, "n_obs": 323, "model": "mixedlm_ri",
             "converged": True, "primary": True, "note": ""},
        ]
    )  # fmt: skip
    dates = pd.date_range("2025-03-01", periods=10, freq="7D")
    h1 = pd.DataFrame({"athlete_id": ["a", "b"] * 5, "local_date": dates, "dpi": np.linspace(0.9, 1.1, 10)})
    h2 = pd.DataFrame({"athlete_id": ["a", "c"] * 4})
    return Results(effects, h1, h2, "")


def _records(tmp_path: Path):
    records = []
    for name in POST_FIGURES[:-1]:
        png = tmp_path / f"{name}.png"
        png.write_bytes(b"png")
        records.append(FigureRecord(name, f"Title {name}", "Sub", f"Alt text of {name} [with brackets]", "blog", [png]))
    records.append(FigureRecord(POST_FIGURES[-1], skipped="no runs with an altitude profile"))
    return records


def test_post_has_front_matter_sentences_and_every_figure_with_alt(tmp_path):
    text = render_post(_results(), _records(tmp_path), date=dt.date(2026, 12, 3))
    assert text.startswith("---\ntitle: ") and "\ndate: 2026-12-03\n" in text and "draft: true" in text
    for heading in ("The question", "The data", "What we found", "The figures", "Caveats", "Method and versions"):
        assert f"## {heading}" in text
    assert "3 athletes' runs" in text and "10 runs" in text and "8 long descents" in text
    assert "descents 3.8% faster (95% CI 2.6% to 5%)" in text  # 100 * 3 * [0.0126, 0.0085, 0.0167] / mean DPI 1.0
    assert "0.93 points lower" in text
    images = re.findall(r"!\[([^\]]+)\]\(images/([^)]+)\)", text)
    assert [name for _, name in images] == [f"{n}.png" for n in POST_FIGURES[:-1]]
    assert all(alt.startswith("Alt text of") and "(with brackets)" in alt for alt, _ in images)
    assert "no runs with an altitude profile" in text  # a left-out figure says why
    assert not re.search(r"\bnan\b", text, re.IGNORECASE) and "_within" not in text and "hinge_sets" not in text


def test_post_does_not_state_a_result_without_interval(tmp_path):
    text = render_post(_results(h1_ci=(np.nan, np.nan)), _records(tmp_path), date=dt.date(2026, 12, 3))
    assert "**H1.** Not stated: H1 hinge sets per week (within athlete): no 95% interval could be computed" in text


# --- issue 17 "done when", end to end on the small simulated cohort ---------------------------------------------

#: A raw column name (snake_case, not a file name) or "nan" in text a reader sees.
RAW = re.compile(r"\b[A-Za-z0-9]+(?:_[A-Za-z0-9]+)+\b(?!\.[a-z]{2,4}\b)|\bnan\b", re.IGNORECASE)


@pytest.mark.slow
def test_post_and_export_on_the_simulated_cohort(tmp_path):
    """`post` writes a draft whose every image exists and has alt text, `export` writes the tables, and neither the
    draft, the alt texts nor the tables contain a raw column name or "nan"."""
    from small_cohort import small_cohort
    from typer.testing import CliRunner

    from trailstrength.cli import app
    from trailstrength.report.tables import EXPORT_TABLES

    _, wh = small_cohort()
    runner = CliRunner()
    result = runner.invoke(app, ["post", "--warehouse", str(wh), "--out", str(tmp_path / "post")])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "post" / "post.md").read_text(encoding="utf-8")
    images = re.findall(r"!\[([^\]]*)\]\(([^)]+)\)", text)
    assert len(images) >= 3
    for alt, src in images:
        assert len(alt) > 20 and (tmp_path / "post" / src).is_file(), (alt, src)
        assert (tmp_path / "post" / src).with_suffix(".alt.txt").read_text(encoding="utf-8").strip()
    assert RAW.findall(text) == []

    result = runner.invoke(
        app,
        ["export", "--warehouse", str(wh), "--out", str(tmp_path / "tables"), "--results", str(tmp_path / "none")],
    )
    assert result.exit_code == 0, result.output
    tables = {name: pd.read_csv(tmp_path / "tables" / f"{name}.csv", encoding="utf-8-sig") for name in EXPORT_TABLES}
    assert len(tables["athlete_weeks"]) == 24 and tables["athlete_weeks"]["athlete"].unique().tolist() == [
        "A1",
        "A2",
        "A3",
    ]  # 3 athletes x 8 weeks, pseudonymised
    assert "vertical descent (m/week)" in tables["athlete_weeks"] and "distance (km)" in tables["runs"]
    assert len(tables["soreness_windows"]) > 10 and len(tables["effects"]) > 10
    assert "peak soreness in the 72 h after (0-10)" in tables["soreness_windows"]
    for name in EXPORT_TABLES:
        raw = (tmp_path / "tables" / f"{name}.csv").read_text(encoding="utf-8-sig")
        assert RAW.findall(raw) == [], name
        assert "ath0" not in raw  # no athlete id


def test_export_refuses_an_unknown_format(tmp_path):
    from trailstrength.report.tables import export_tables

    with pytest.raises(ValueError, match="'csv' or 'xlsx'"):
        export_tables(None, tmp_path, results=None, format="ods")
