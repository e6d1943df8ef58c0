"""The self-contained HTML report: structure by plain HTML parsing (always), the real thing end to end on a
small cohort (slow), and a headless Chromium screenshot (when ``chromium`` is installed)."""

from __future__ import annotations

import html
import io
import re
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


#: A snake_case name (a raw column name) in published text; file names (``truth_runs.csv``) are not one.
SNAKE = re.compile(r"\b[A-Za-z0-9]+(?:_[A-Za-z0-9]+)+\b(?!\.[a-z]{2,4}\b)")
NAN = re.compile(r"\bnan\b", re.IGNORECASE)


def _published_problems(text: str) -> list[str]:
    """Raw column names and "nan" in text a reader sees (markup, scripts, styles and embedded images removed)."""
    text = re.sub(r"<(script|style)>.*?</\1>", " ", text, flags=re.S)
    text = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", " ", text)
    text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    return sorted(set(SNAKE.findall(text)) | set(NAN.findall(text)))


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
    assert img["src"].startswith("data:image/png;base64,") and img["alt"] == 'Scatter of 2 runs "quoted".'
    assert "Full description</summary><p>Scatter of 2 runs &quot;quoted&quot;</p></details>" in text
    body = " ".join(page.text)
    assert "jane-doe" not in text and "bob" not in text  # pseudonymised, paths too
    assert "A2/runs/broken.gpx" in body and "notes.txt" in body
    assert "grade speed: not drawn (no runs with an altitude profile)" in body
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


def _png_of(size) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (0, 114, 178)).save(buf, format="PNG")
    return buf.getvalue()


def test_figures_are_responsive_with_a_short_alt_and_the_full_description_below(stub):
    """Issue 17: a narrow screen gets the phone canvas (<picture><source media>), the alt attribute is short and the
    full alt text sits in a <details> under the figure; a figure without a phone render is still shown."""
    wh, results, _ = stub
    long_alt = (
        "Scatter of 330 runs from 8 athletes: descent performance index (grade-adjusted descent speed relative to "
        "flat speed) against weekly hinge sets over the previous 28 days, both relative to each athlete's usual. "
        "The adjusted within-athlete model slope is +0.0126 DPI per weekly hinge set (95% CI 0.0085 to 0.0167)."
    )
    figures = [
        (FigureRecord("h1_dpi_vs_hinge", "Hinge volume and descents", "H1", long_alt), _png_of((160, 90)),
         _png_of((108, 135))),
        (FigureRecord("grade_speed", "How fast on each grade", "Speed", "Speed against grade."), _png_of((160, 90))),
    ]  # fmt: skip
    text = report.render_report(wh, results, figures, title="t", generated="g", mapping=None)
    pictures = re.findall(r"<picture>(.*?)</picture>", text)
    assert len(pictures) == 2
    source = re.search(r'<source media="([^"]+)" srcset="data:image/png;base64,([^"]+)" width="(\d+)"', pictures[0])
    assert source and source.group(1) == report.html_figures.PHONE_MEDIA and source.group(3) == "108"
    with Image.open(io.BytesIO(__import__("base64").b64decode(source.group(2)))) as im:
        assert im.size == (108, 135)  # the phone canvas, portrait
    assert "<source" not in pictures[1]  # no phone render: the desktop one for every screen
    page = _parse(text)
    alts = [img["alt"] for img in page.images]
    assert all(0 < len(a) <= 125 for a in alts) and alts[1] == "Speed against grade."
    assert alts[0] == "Hinge volume and descents (scatter of 330 runs from 8 athletes)."
    details = re.findall(r"<details[^>]*><summary>Full description</summary><p>(.*?)</p></details>", text)
    assert [html.unescape(d) for d in details] == [long_alt, "Speed against grade."]


@pytest.mark.parametrize(
    "alt",
    [
        "Short.",
        "x" * 400,
        "Forest plot of 12 estimates of the hinge-volume effect with 95% confidence intervals, one panel per outcome "
        "on its own scale. Descent performance (DPI), in DPI per weekly hinge set: ...",
        "Weekly training calendar of athlete A1 over 26 weeks from 03 Mar 2025: running 37 to 79 km, descent 962 to "
        "2934 m and 4 to 9 weighted hinge sets per week; darker cells are bigger weeks within each row.",
    ],
)
def test_short_alt_fits_in_125_characters(alt):
    from trailstrength.report.words import short_alt

    short = short_alt("Athlete A1: training week by week", alt)
    assert 0 < len(short) <= 125
    if len(alt) <= 125:
        assert short == alt


def test_plain_names_leaves_no_column_name():
    from trailstrength.report.words import plain_names

    note = (
        "Holm p = 0.04; descent_100m_28d adjusted by a spline; n_athletes=3, n_obs=42; random slope on "
        "hinge_sets_28d_within; cluster_bootstrap: 3 athletes; see benchmarks/h2_estimand.py"
    )
    text = plain_names(note)
    assert SNAKE.findall(text) == [] and "3 athletes, 42 runs" in text and "h2_estimand.py" in text
    assert "hinge sets per week (within athlete)" in text and plain_names(float("nan")) == ""


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
    from small_cohort import small_cohort, small_cohort_results

    _, wh = small_cohort()
    out = tmp_path_factory.mktemp("report") / "report.html"
    return report.build_report(wh, out, results=small_cohort_results(), fast=True)


@pytest.mark.slow
def test_build_report_embeds_every_report_figure_with_alt_text(built_report):
    text = built_report.read_text(encoding="utf-8")
    page = _parse(text)
    assert page.external == [] and set(SECTIONS) | {"athletes", "fig-athlete_weeks"} <= page.ids
    assert len(page.images) >= 7
    sources = re.findall(r'<source media="[^"]+" srcset="data:image/png;base64,([^"]+)"', text)
    assert len(sources) == len(page.images)  # every report figure has its phone canvas
    for img, phone in zip(page.images, sources, strict=True):
        assert img["src"].startswith("data:image/png;base64,") and 20 < len(img["alt"]) <= 125
        with Image.open(io.BytesIO(__import__("base64").b64decode(img["src"].split(",", 1)[1]))) as im:
            assert im.size == (1600, 900) or im.size == (1050, 1200)
        with Image.open(io.BytesIO(__import__("base64").b64decode(phone))) as im:
            assert im.size == (1080, 1350)
    assert text.count("<summary>Full description</summary>") == len(page.images)
    for athlete in ("ath01", "ath02", "ath03"):
        assert athlete not in text


@pytest.mark.slow
def test_report_text_has_no_column_name_or_nan(built_report):
    """Issue 17 "done when": no published text of the report (summary, tables, notes, alt text, captions) shows a
    raw column name or "nan"."""
    assert _published_problems(built_report.read_text(encoding="utf-8")) == []


@pytest.mark.slow
def test_athlete_summary_says_not_logged_never_zero_or_nan():
    """Per-athlete weeks: hinge sets missing where the strength log does not cover the week, soreness where no
    report; the summary says "not logged" for a source an athlete never logged, and medians of what was logged."""
    from small_cohort import small_cohort

    from trailstrength.report.athletes import NOT_LOGGED, athlete_summary, athlete_weeks
    from trailstrength.report.words import number
    from trailstrength.warehouse import open_warehouse

    wh = open_warehouse(small_cohort()[1])
    full = athlete_weeks(wh, mapping={"ath01": "A1", "ath02": "A2", "ath03": "A3"})
    assert list(full["athlete"].unique()) == ["A1", "A2", "A3"] and (full["week"].dt.day_of_week == 0).all()
    assert full[["run_km", "descent_m", "hinge_sets", "soreness"]].notna().all().all()  # everything logged
    weekly = full[full["athlete_id"] == "ath01"].set_index("week")
    sets = wh.strength_sets
    working = sets[(sets["athlete_id"] == "ath01") & (sets["pattern"] == "hinge") & (sets["set_type"] == "working")]
    assert weekly["hinge_sets"].sum() == pytest.approx(working["posterior_chain_weight"].sum())
    # A3 lost its strength log, A2 its diary: not logged, neither 0 nor NaN in the table
    cov = wh.coverage
    no_log = SimpleNamespace(
        runs=wh.runs,
        activities=wh.activities,
        strength_sets=sets[sets["athlete_id"] != "ath03"],
        wellness=wh.wellness[wh.wellness["athlete_id"] != "ath02"],
        coverage=cov[~((cov["athlete_id"] == "ath03") & (cov["source"] == "strength"))],
        samples=wh.samples,
    )
    weeks = athlete_weeks(no_log, mapping={"ath01": "A1", "ath02": "A2", "ath03": "A3"})
    assert weeks.loc[weeks["athlete"] == "A3", "hinge_sets"].isna().all()
    assert weeks.loc[weeks["athlete"] == "A2", "soreness"].isna().all()
    tables = athlete_summary(weeks)
    assert list(tables) == ["A1", "A2", "A3"]
    a3 = tables["A3"].set_index("measure")
    assert a3.loc["Weighted hinge sets (sets/week)", ["median", "range"]].tolist() == [NOT_LOGGED] * 2
    assert a3.loc["Weighted hinge sets (sets/week)", "weeks logged"] == f"0 of {(weeks['athlete'] == 'A3').sum()}"
    assert tables["A2"].set_index("measure").loc["Soreness (0-10, weekly mean)", "median"] == NOT_LOGGED
    a1 = tables["A1"].set_index("measure")
    km = weekly["run_km"]
    assert a1.loc["Running (km/week)", "median"] == number(km.median(), 2)
    assert a1.loc["Running (km/week)", "range"] == f"{number(km.min(), 2)} to {number(km.max(), 2)}"
    cells = pd.concat(tables.values())
    assert not cells.map(lambda v: bool(NAN.search(str(v)))).any().any()


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="headless Chromium not installed (apt-get install -y chromium); CI may not have it"
)
_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--virtual-time-budget=10000"]

# Injected into a copy of the report: once loaded, it writes what the browser laid out into the page (read back
# with --dump-dom, no DevTools protocol) and, inside the phone frame, posts it to the page around it.
_MEASURE = """
window.addEventListener("load", function () {
  var figures = Array.prototype.slice.call(document.querySelectorAll("figure img")).map(function (im) {
    return {id: im.closest("figure").id, shown: im.getBoundingClientRect().width, natural: im.naturalWidth,
            naturalHeight: im.naturalHeight, complete: im.complete};
  });
  var found = JSON.stringify({viewport: window.innerWidth, document: document.documentElement.scrollWidth,
                              figures: figures});
  var out = document.createElement("pre");
  out.id = "measurements";
  out.textContent = found;
  document.body.appendChild(out);
  if (window.parent !== window) window.parent.postMessage(found, "*");
});
"""

# Headless Chromium will not make a window narrower than 500 px, so the phone is a 390 px wide frame: media
# queries, layout and image choice inside it see a 390 px viewport, as on the phone.
_PHONE_FRAME = """<!DOCTYPE html><html><head><meta charset="utf-8"><style>body { margin: 0; }
iframe { width: 390px; height: 4000px; border: 0; display: block; }</style></head>
<body><iframe src="measured.html"></iframe><pre id="measurements"></pre>
<script>window.addEventListener("message", function (e) {
  document.getElementById("measurements").textContent = e.data; });</script></body></html>"""


def _chromium(*args, timeout=180) -> subprocess.CompletedProcess:
    run = subprocess.run([CHROMIUM, *_FLAGS, *args], capture_output=True, text=True, timeout=timeout)
    assert run.returncode == 0, run.stderr[-2000:]
    return run


def _measure(page: Path, window: str) -> dict:
    import json

    dom = _chromium(f"--window-size={window}", "--dump-dom", page.resolve().as_uri()).stdout
    found = re.search(r'<pre id="measurements">(.*?)</pre>', dom, flags=re.S)
    assert found and found.group(1).strip(), "the page did not report its layout"
    return json.loads(html.unescape(found.group(1)))


@pytest.fixture(scope="module")
def measured_report(built_report, tmp_path_factory):
    """The report with the measuring script, and the 390 px phone frame around it."""
    folder = tmp_path_factory.mktemp("chromium")
    text = built_report.read_text(encoding="utf-8").replace("</body>", f"<script>{_MEASURE}</script></body>")
    (folder / "measured.html").write_text(text, encoding="utf-8")
    (folder / "phone.html").write_text(_PHONE_FRAME, encoding="utf-8")
    return folder


@pytest.mark.slow
@needs_chromium
def test_report_renders_in_headless_chromium(built_report, tmp_path):
    url = built_report.resolve().as_uri()
    dom = _chromium("--dump-dom", url)
    page = _parse(dom.stdout)
    assert set(SECTIONS) <= page.ids
    # set by the page's load handler once every embedded image has decoded
    assert 'data-images="ok"' in dom.stdout, "an embedded image did not decode in Chromium"

    shot = tmp_path / "report.png"
    _chromium("--window-size=1280,16000", f"--screenshot={shot}", url)
    with Image.open(shot) as im:
        pixels = np.asarray(im.convert("RGB"), dtype=int)
    assert pixels.shape[:2] == (16000, 1280)
    assert pixels.std() > 20  # not a blank page
    # the figures drew: the hinge blue (#0072B2) of the house palette is on screen
    blue = (np.abs(pixels - np.array([0, 114, 178])).sum(axis=2) < 30).sum()
    assert blue > 300  # drawn, not blank (a 1280 x 16000 page of the simulated report holds the figures)
    Path(built_report.with_suffix(".png")).write_bytes(shot.read_bytes())  # kept beside the report to look at


@pytest.mark.slow
@needs_chromium
def test_report_at_390_px_shows_every_figure_on_the_phone_canvas(measured_report, built_report):
    """Issue 17 "done when": at 390 px every figure is at most 390 CSS px wide, drawn from the phone canvas
    (1080 x 1350), and the page does not scroll sideways."""
    phone = _measure(measured_report / "phone.html", "500,4000")
    assert phone["viewport"] == 390
    assert phone["document"] <= phone["viewport"], "the report scrolls sideways at 390 px"
    figures = phone["figures"]
    assert len(figures) == len(_parse(built_report.read_text(encoding="utf-8")).images) >= 7
    for fig in figures:
        assert fig["complete"] and 0 < fig["shown"] <= 390, fig
        assert (fig["natural"], fig["naturalHeight"]) == (1080, 1350), fig  # the phone canvas, not the desktop one

    shot = measured_report / "phone.png"
    _chromium("--window-size=500,4000", f"--screenshot={shot}", (measured_report / "phone.html").resolve().as_uri())
    with Image.open(shot) as im:
        pixels = np.asarray(im.convert("RGB"), dtype=int)[:, :390]
    assert pixels.std() > 20  # the page drew inside the phone frame
    Path(built_report.with_name("report-390px.png")).write_bytes(shot.read_bytes())  # to look at


@pytest.mark.slow
@needs_chromium
def test_report_on_a_desktop_keeps_the_desktop_canvas(measured_report):
    desktop = _measure(measured_report / "measured.html", "1280,4000")
    assert desktop["viewport"] == 1280 and desktop["document"] <= 1280
    assert {f["natural"] for f in desktop["figures"]} <= {1600, 1050}  # 16:9 (or 7:8) canvas, not the phone one


@pytest.mark.slow
def test_report_reuses_a_written_figure_set(tmp_path):
    from small_cohort import small_cohort, small_cohort_results

    from trailstrength.report import write_figure_set
    from trailstrength.report.words import short_alt

    _, wh = small_cohort()
    res = small_cohort_results()
    records = write_figure_set(wh, tmp_path / "figures", results=res, fast=True, only=["h1_", "grade_speed"])
    out = report.build_report(wh, tmp_path / "report.html", results=res, figure_dir=tmp_path / "figures")
    text = out.read_text(encoding="utf-8")
    page = _parse(text)
    # REPORT_FIGURES order: h1, grade; the short alt on the image, the figure set's alt text below it
    assert [img["alt"] for img in page.images] == [short_alt(r.title, r.alt) for r in records]
    phones = re.findall(r'<source media="[^"]+" srcset="data:image/png;base64,([^"]+)"', text)
    assert len(phones) == len(records)
    for img, record, phone in zip(page.images, records, phones, strict=True):
        png = __import__("base64").b64decode(img["src"].split(",", 1)[1])
        with Image.open(io.BytesIO(png)) as im:
            assert im.width == 1600  # the 2x export, halved for the page
            assert im.text["Description"] == record.alt
        with Image.open(io.BytesIO(__import__("base64").b64decode(phone))) as im:
            assert im.size == (1080, 1350)  # the 2x phone export, halved
        assert html.escape(record.alt) in text


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
