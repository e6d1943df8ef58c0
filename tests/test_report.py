"""The self-contained HTML report: structure by plain HTML parsing (always), the real thing end to end on a
small cohort (slow), and a headless Chromium screenshot (when ``chromium`` is installed)."""

from __future__ import annotations

import io
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from trailstrength import report
from trailstrength.report import FigureRecord

SECTIONS = ("summary", "data", "results", "figures", "caveats", "versions")


class _Page(HTMLParser):
    """Collects what the tests look at: images, external references, section ids, tables, text."""

    def __init__(self):
        super().__init__()
        self.images, self.external, self.ids, self.tables, self.text = [], [], set(), 0, []
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "img":
            self.images.append(attrs)
        if tag == "table":
            self.tables += 1
        if tag == "title":
            self._in_title = True
        for key in ("src", "href"):
            value = attrs.get(key) or ""
            if value.startswith(("http:", "https:", "//", "file:")):
                self.external.append((tag, value))
        if tag == "link" or (tag == "script" and "src" in attrs):
            self.external.append((tag, attrs))

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data
        self.text.append(data)


def _parse(text: str) -> _Page:
    page = _Page()
    page.feed(text)
    page.close()
    return page


def _png(color=(0, 114, 178)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (40, 20), color).save(buf, format="PNG")
    return buf.getvalue()


@pytest.fixture
def stub():
    """A warehouse-like object and results with just the columns the report reads."""
    acts = pd.DataFrame(
        {
            "athlete_id": ["jane-doe", "jane-doe", "bob"],
            "local_date": pd.to_datetime(["2025-03-01", "2025-03-08", "2025-03-02"]),
        }
    )
    runs = pd.DataFrame(
        {
            "athlete_id": ["jane-doe", "jane-doe", "bob"],
            "descent_length_m": [800.0, 100.0, 600.0],
            "distance_m": [12000.0, 8000.0, 15000.0],
        }
    )
    sets = pd.DataFrame(
        {
            "athlete_id": ["jane-doe", "bob", "bob"],
            "set_type": ["working", "working", "warmup"],
            "pattern": ["hinge", "squat", "hinge"],
            "posterior_chain_weight": [1.0, 0.0, 1.0],
        }
    )
    well = pd.DataFrame({"athlete_id": ["jane-doe", "bob"], "soreness": [3.0, np.nan]})
    manifest = pd.DataFrame(
        {
            "path": ["jane-doe/runs/a.gpx", "jane-doe/runs/broken.gpx", "notes.txt"],
            "athlete_id": ["jane-doe", "jane-doe", None],
            "format": ["gpx", "gpx", "unknown"],
            "state": ["ingested", "quarantined", "quarantined"],
            "reason": [None, "not valid XML <trkpt>", "not inside an athlete folder"],
        }
    )
    wh = SimpleNamespace(
        activities=acts, runs=runs, strength_sets=sets, wellness=well, manifest=manifest, meta={"terrain_version": "2"}
    )
    effects = pd.DataFrame(
        [
            {
                "hypothesis": "H1",
                "outcome": "dpi",
                "term": "hinge_sets_28d_within",
                "estimate": 0.011,
                "ci_low": 0.002,
                "ci_high": 0.02,
                "p_value": 0.02,
                "unit": "DPI per weekly hinge set",
                "n_athletes": 2,
                "n_obs": 2,
                "model": "mixedlm_ri",
                "converged": True,
                "primary": True,
                "note": "Holm p = 0.04 & <checked>",
            },
            {
                "hypothesis": "H2",
                "outcome": "soreness_peak_72h",
                "term": "hinge_sets_28d_within",
                "estimate": -0.1,
                "ci_low": -0.4,
                "ci_high": 0.2,
                "p_value": 0.5,
                "unit": "soreness points per weekly hinge set",
                "n_athletes": 2,
                "n_obs": 2,
                "model": "ols_cluster",
                "converged": False,
                "primary": True,
                "note": "",
            },
        ]
    )
    figures = [
        (FigureRecord("h1_dpi_vs_hinge", "Hinge volume and descents", "H1", 'Scatter of 2 runs "quoted"'), _png()),
        (FigureRecord("grade_speed", skipped="no runs with an altitude profile"), None),
    ]
    return wh, SimpleNamespace(effects=effects), figures


def test_rendered_report_is_self_contained_and_complete(stub):
    wh, results, figures = stub
    mapping = {"bob": "A1", "jane-doe": "A2"}
    text = report.render_report(wh, results, figures, title="Test report", generated="today", mapping=mapping)
    page = _parse(text)
    assert page.title == "Test report"
    assert set(SECTIONS) <= page.ids
    assert page.external == []  # nothing loaded from the network or the disk
    assert len(page.images) == 1
    img = page.images[0]
    assert img["src"].startswith("data:image/png;base64,") and img["alt"] == 'Scatter of 2 runs "quoted"'
    body = " ".join(page.text)
    assert "jane-doe" not in text and "bob" not in text  # pseudonymised, paths too
    assert "A2/runs/broken.gpx" in body and "notes.txt" in body
    assert "grade_speed: not drawn (no runs with an altitude profile)" in body
    for hid in ("H1", "H2", "H3", "H4", "H5", "H6", "H7"):
        assert hid in body
    # claims the results hold no rows for say which command estimates them (issue 14 item 7: analyze --all does)
    assert "not estimated by this analysis (trailstrength analyze --all estimates it)" in body
    assert "0.002 to 0.02" in body  # CI in the estimates table
    assert "Holm p = 0.04 & <checked>" in body  # notes escaped, not markup
    assert "(not converged)" in body
    assert "repeated-bout" in body and "Observational" in body and "too narrow with few athletes" in body
    assert "pandas" in body and "warehouse terrain version" in body
    assert page.tables >= 5


def test_rendered_report_keeps_ids_when_asked(stub):
    wh, results, figures = stub
    text = report.render_report(wh, results, figures, title="t", generated="g", mapping=None)
    assert "jane-doe/runs/broken.gpx" in text


def test_hypothesis_table_verdicts(stub):
    _, results, _ = stub
    table = report.hypothesis_table(results.effects).set_index("id")
    assert "excludes zero" in table.loc["H1", "result"]
    assert "includes zero" in table.loc["H2", "result"]
    assert table.loc["H5", "result"].startswith("not estimated")


def test_verdicts_are_written_from_the_numbers(stub):
    _, results, _ = stub
    primary = results.effects
    specs = pd.DataFrame({"hypothesis": ["H1", "H1", "H1", "H1"], "estimate": [0.01, 0.02, -0.01, 0.005]})
    competitor = pd.DataFrame(
        {
            "hypothesis": ["H1", "H1"],
            "term": ["hinge_sets_28d_within"] * 2,
            "model_set": ["primary", "+ knee-dominant sets"],
            "estimate": [0.011, 0.0055],
        }
    )
    h1 = report.verdict("H1", primary, specs=specs, competitor=competitor)
    assert h1.startswith(
        "**H1**: +0.011 DPI per weekly hinge set (95% CI 0.002 to 0.02; 2 athletes, 2 runs), in "
        "the direction the article claims; interval excludes zero"
    )
    assert "75% of 4 specifications agree in sign" in h1 and "changes it by -50%" in h1
    assert "fewer than 12 athletes" in h1
    h2 = report.verdict("H2", primary)
    assert "in the direction the article claims; interval includes zero: no clear association" in h2
    assert "specifications" not in h2 and "knee" not in h2  # nothing said without the numbers behind it
    assert report.verdict("H1", primary.iloc[:0]) == "**H1**: no estimate (too few runs in the panel)."
    against = primary.assign(estimate=-primary["estimate"], ci_low=-primary["ci_high"], ci_high=-primary["ci_low"])
    assert "against the article's direction" in report.verdict("H1", against)
    text = report.verdicts(primary, specs=specs, competitor=competitor)
    assert text.startswith(h1) and h2 in text and "H3–H7" in text
    # the claims table and the verdict judge an interval in the same words
    assert report.interval_verdict(0.002, 0.02) in report.hypothesis_table(primary).set_index("id").loc["H1", "result"]


def test_verdict_text_has_one_home():
    """Notebook 4.0 writes its verdict with report.verdicts, not a copy of the logic."""
    import jupytext

    nb = jupytext.read(Path(__file__).resolve().parents[1] / "notebooks" / "4.0-what-the-article-claims.py")
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    # claims_table is hypothesis_table with "not answerable with these data: <reason>" (issue 14 item 6)
    assert "report.verdicts(" in code and "report.claims_table(" in code
    assert "def verdict" not in code and "no clear association" not in code


def test_report_reads_results_and_fits_nothing():
    """report/ imports no notebook code and calls neither analyze nor a model fit; viz/ and features/frames.py stay
    upstream of the analysis."""
    import ast

    import trailstrength

    src = Path(trailstrength.__file__).parent
    forbidden = {
        "report": ({"trailstrength.notebooks"}, {"analyze", "fit_h1", "fit_h2", "fit_primary", "run_specs"}),
        "viz": (
            {"trailstrength.analysis", "trailstrength.warehouse", "trailstrength.models", "trailstrength.report"},
            {"analyze", "fit_h1", "fit_h2", "run_specs"},
        ),
        "features/frames.py": (
            {"trailstrength.models", "trailstrength.warehouse", "trailstrength.analysis"},
            {"fit_h1", "fit_h2", "run_specs"},
        ),
    }
    for where, (modules, calls) in forbidden.items():
        files = [src / where] if where.endswith(".py") else sorted((src / where).glob("*.py"))
        assert files
        for path in files:
            tree = ast.parse(path.read_text(encoding="utf-8"))
            imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module} | {
                a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names
            }
            called = {
                getattr(n.func, "attr", getattr(n.func, "id", "")) for n in ast.walk(tree) if isinstance(n, ast.Call)
            }
            assert not {m for m in imported if any(m == f or m.startswith(f + ".") for f in modules)}, path
            assert not called & calls, (path, called & calls)


# --- end to end on the small simulated cohort -----------------------------------------------------


@pytest.fixture(scope="module")
def built_report(tmp_path_factory):
    from small_cohort import small_cohort

    import trailstrength as ts

    _, wh = small_cohort()
    out = tmp_path_factory.mktemp("report") / "report.html"
    return report.build_report(wh, out, results=ts.analyze(wh), fast=True)


@pytest.mark.slow
def test_build_report_embeds_every_report_figure_with_alt_text(built_report):
    text = built_report.read_text(encoding="utf-8")
    page = _parse(text)
    assert page.external == [] and set(SECTIONS) <= page.ids
    assert len(page.images) >= 6
    for img in page.images:
        assert img["src"].startswith("data:image/png;base64,") and len(img["alt"]) > 40
        with Image.open(io.BytesIO(__import__("base64").b64decode(img["src"].split(",", 1)[1]))) as im:
            assert im.size == (1600, 900) or im.size == (1050, 1200)
    for athlete in ("ath01", "ath02", "ath03"):
        assert athlete not in text


@pytest.mark.slow
@pytest.mark.skipif(
    shutil.which("chromium") is None, reason="headless Chromium not installed (apt-get install -y chromium)"
)
def test_report_renders_in_headless_chromium(built_report, tmp_path):
    chromium = shutil.which("chromium")
    url = built_report.resolve().as_uri()
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--virtual-time-budget=5000"]
    dom = subprocess.run([chromium, *flags, "--dump-dom", url], capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    page = _parse(dom.stdout)
    assert set(SECTIONS) <= page.ids
    # set by the page's load handler once every embedded image has decoded
    assert 'data-images="ok"' in dom.stdout, "an embedded image did not decode in Chromium"

    shot = tmp_path / "report.png"
    run = subprocess.run(
        [chromium, *flags, "--window-size=1280,6000", f"--screenshot={shot}", url],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0 and shot.is_file(), run.stderr[-2000:]
    with Image.open(shot) as im:
        pixels = np.asarray(im.convert("RGB"), dtype=int)
    assert pixels.shape[:2] == (6000, 1280)
    assert pixels.std() > 20  # not a blank page
    # the figures drew: the hinge blue (#0072B2) of the house palette is on screen
    blue = (np.abs(pixels - np.array([0, 114, 178])).sum(axis=2) < 30).sum()
    assert blue > 300  # drawn, not blank: 492 px on this branch (df column, small-sample intervals)
    Path(built_report.with_suffix(".png")).write_bytes(shot.read_bytes())  # kept beside the report to look at


@pytest.mark.slow
def test_report_reuses_a_written_figure_set(tmp_path):
    from small_cohort import small_cohort

    import trailstrength as ts
    from trailstrength.report import write_figure_set

    _, wh = small_cohort()
    res = ts.analyze(wh)
    records = write_figure_set(wh, tmp_path / "figures", results=res, fast=True, only=["h1_", "grade_speed"])
    out = report.build_report(wh, tmp_path / "report.html", results=res, figure_dir=tmp_path / "figures")
    page = _parse(out.read_text(encoding="utf-8"))
    assert [img["alt"] for img in page.images] == [r.alt for r in records]  # REPORT_FIGURES order: h1, grade
    for img in page.images:
        png = __import__("base64").b64decode(img["src"].split(",", 1)[1])
        with Image.open(io.BytesIO(png)) as im:
            assert im.width == 1600  # the 2x export, halved for the page
            assert im.text["Description"] == img["alt"]


@pytest.mark.slow
def test_figures_and_report_commands(tmp_path):
    from small_cohort import small_cohort
    from typer.testing import CliRunner

    from trailstrength.cli import app

    _, wh = small_cohort()
    runner = CliRunner()
    result = runner.invoke(app, ["figures", "--warehouse", str(wh), "--out", str(tmp_path / "figs"), "--fast"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "figs" / "figures.json").is_file() and (tmp_path / "figs" / "h1_dpi_vs_hinge.svg").is_file()
    assert not list((tmp_path / "figs").glob("route_*"))  # no maps unless asked
    result = runner.invoke(app, ["report", "--warehouse", str(wh), "--out", str(tmp_path / "r.html")])
    assert result.exit_code == 0, result.output
    assert _parse((tmp_path / "r.html").read_text(encoding="utf-8")).images
    result = runner.invoke(app, ["report", "--warehouse", str(tmp_path / "nowhere"), "--out", str(tmp_path / "x.html")])
    assert result.exit_code == 1 and "error" in result.output
