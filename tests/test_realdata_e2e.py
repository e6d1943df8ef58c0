"""Real exports, end to end (issue 14, item 9): every command finishes on thin, messy, non-overlapping data.

The files of ``../shared/realdata`` are arranged as four athletes (``tests/realdata_athletes.py`` says which file
goes where and why): ``aino`` (strength log 2022–25, runs 2012–19: no overlap), ``bertil`` (soreness only),
``cai`` (one rich athlete around a 2021 Strong log) and ``dora`` (corrupt and odd files). One ingest per session,
then every command a user runs, each through the ``trailstrength`` command in a subprocess, each its own test:
``ingest``, ``status``, ``check``, ``analyze``, ``analyze --all``, ``figures --maps``, ``report`` and every notebook.
Each command runs once (cached); a test that needs an earlier command's output runs it first, so any single test
can be run alone.

Every command must exit 0 with no Python traceback and no "nan" in what it prints. Pseudonymised outputs
(report, figures, alt texts, figures.json) must not name an athlete folder. The raw files must be byte-identical
afterwards, and every one accounted for in the manifest.

``check`` contract assumed here (issue 14, item 5; the command does not exist yet): ``trailstrength.check(wh)``
returns a DataFrame (or an object whose ``table`` is one) with one row per athlete × claim × line and at least
the columns ``athlete_id``, ``claim`` ("H1" … "H7"), ``status`` ("usable" or "excluded"), ``count`` (runs),
``reason`` (why excluded; non-empty on excluded rows) and ``next_step``. It is a funnel: every run of an athlete
is counted once per claim, as usable or under the first criterion it fails, so the counts of a claim add up to
the athlete's runs. If the implementation names its columns differently, adapt :func:`_check_table` only.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from realdata_athletes import ATHLETES, arrange_athletes, file_hashes, missing_files

pytestmark = [pytest.mark.realdata, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[1]
REALDATA = Path(os.environ.get("TRAILSTRENGTH_REALDATA", REPO.parent / "shared" / "realdata"))
NOTEBOOKS = sorted(p.stem for p in (REPO / "notebooks").glob("[0-9]*.py"))
ATHLETE_IDS = sorted(ATHLETES)
CLAIMS = [f"H{i}" for i in range(1, 8)]
COMMAND_TIMEOUT_S = 900

NAN = re.compile(r"\bnan\b", re.IGNORECASE)
TRACEBACK = "Traceback (most recent call last)"
FOLDER_NAME = re.compile(r"\b(" + "|".join(map(re.escape, ATHLETE_IDS)) + r")\b", re.IGNORECASE)
DATA_URI = re.compile(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=\s]+")

# ---- expected counts, derived from the files themselves (not from the package) -----------------------------
# Runs per athlete = activities whose file (or leg) is a run, plus untyped GPX runs once inferred (item 3):
#   aino 13: FIT 2013-02-06, fenix2-small, developer-types, fenix-5, compressed-speed-distance,
#            1253222978 (treadmill), runpandas run.fit, and the 2 running legs of the fenix2 multisport file (9);
#            TCX run.tcx, run_garmin.tcx, sweatpy 3173437224.tcx (3); the untyped Tanzawa trail GPX (1).
#            (cerknicko-jezero is untyped too but a walk/ride mix: 22 % of moving time above 20 km/h; its copy
#            without elevations is a duplicate.)
#   bertil 22: rows of srpe.csv whose activity_names are ['individual', 'running'] (csv module: 22 of 34;
#            11 soccer, 1 endurance).
#   cai 648: 643 "Run" rows of the Strava activities.csv (csv module, column "Activity Type"), testdata.fit
#            (its GPX and TCX are duplicates), 11km.tcx, stopped_example.tcx, the running leg of
#            6471559601_ACTIVITY.fit, and the untyped runpandas GPX run (inferred: 96 % at running pace).
#   dora 1: activity-settings-corruptheader.fit (14 records before the fault; activity-unexpected-eof.fit
#            holds the same records, a duplicate). korita-zbevnica.gpx is a hike, cerknicko-without-times has
#            no usable times, testcourse.gpx is a route.
RUNS = {"aino": 13, "bertil": 22, "cai": 648, "dora": 1}
# aino's runs with >= 500 m of descent segments: 4. Derived with an independent reading of every aino file
# (fitdecode / ElementTree, own haversine distance, altitude on a 10 m grid, 70 m moving mean, grade over 50 m,
# descent = grade <= -5 % in stretches >= 200 m long dropping >= 20 m, gaps < 50 m merged; the definitions of
# DESIGN §8 / TerrainParams, reimplemented):
#   2013-02-06 FIT 1,110 m; multisport 2nd running leg 3,590 m; runpandas run.fit 1,550 m; Tanzawa 9,430 m;
#   every other run < 300 m (3173437224.tcx 290 m, the rest 0 m or no altitude).
# All four are from 2013–2019; aino's only strength source (FitNotes) runs 2022-09-14 → 2025-05-15, so all four
# lie outside strength coverage and H1/H2 have 0 usable runs. No other athlete has a run with >= 500 m of
# descent segments (bertil: no tracks; cai: flat runs and track-less Strava rows; dora: 14 records).
AINO_DESCENT_RUNS_OUTSIDE_STRENGTH_COVERAGE = 4
# Soreness reports in bertil's wellness.csv: 138 rows, every one with a soreness value (csv module).
BERTIL_SORENESS_REPORTS = 138
# The inventory spans every source (item 7): first and last local days per athlete, from the files.
INVENTORY_DAYS = {
    "aino": ("2010-08-05", "2025-05-15"),  # cerknicko-jezero.gpx 2010-08-05T14:23Z; FitNotes last Date
    "bertil": ("2019-11-01", "2020-03-30"),  # wellness.csv first / last effective_time_frame (Oslo)
}


# ---------------------------------------------------------------------------------------------- the session
class Session:
    """The arranged raw folder, its warehouse, and every command run on it once (results cached by name)."""

    def __init__(self, root: Path):
        self.root = root
        self.raw, self.wh = root / "raw", root / "warehouse"
        self.results = root / "results"
        self.figures, self.report, self.notebooks = root / "figures", root / "report.html", root / "notebooks"
        self.files = arrange_athletes(REALDATA, self.raw)
        self.hashes = file_hashes(self.raw)
        self.env = {
            **os.environ,
            "MPLBACKEND": "Agg",
            "COLUMNS": "200",
            "NO_COLOR": "1",
            "TRAILSTRENGTH_DATA": str(root / "data"),
            "TRAILSTRENGTH_RAW": str(self.raw),
            "TRAILSTRENGTH_WAREHOUSE": str(self.wh),
            "TRAILSTRENGTH_RESULTS": str(self.results),
            "TRAILSTRENGTH_CACHE": str(root / "cache"),
        }
        self.done: dict[str, subprocess.CompletedProcess] = {}

    def cli(self, name: str, *args: str, needs: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
        """Run ``trailstrength *args`` once under ``name`` (after the commands in ``needs``); cached."""
        for dep in needs:
            COMMANDS[dep](self)
        if name not in self.done:
            exe = Path(sys.executable).with_name("trailstrength")
            cmd = [str(exe) if exe.exists() else shutil.which("trailstrength") or "trailstrength", *args]
            self.done[name] = subprocess.run(
                cmd, cwd=self.root, env=self.env, capture_output=True, text=True, timeout=COMMAND_TIMEOUT_S
            )
        return self.done[name]

    def warehouse(self):
        import trailstrength as ts

        ingest(self)
        return ts.open_warehouse(self.wh)


def ingest(s: Session):
    return s.cli("ingest", "ingest", str(s.raw), "--warehouse", str(s.wh), "--no-progress")


def status(s: Session):
    return s.cli("status", "status", "--warehouse", str(s.wh), needs=("ingest",))


def check(s: Session):
    return s.cli("check", "check", "--warehouse", str(s.wh), needs=("ingest",))


def analyze(s: Session):
    return s.cli("analyze", "analyze", "--warehouse", str(s.wh), "--out", str(s.results), needs=("ingest",))


def analyze_all(s: Session):
    # the same results folder: the report shows what the last analyze estimated, H3–H7 included (item 7)
    return s.cli(
        "analyze_all",
        "analyze",
        "--warehouse",
        str(s.wh),
        "--out",
        str(s.results),
        "--all",
        "--n-boot",
        "99",
        needs=("analyze",),
    )


def figures(s: Session):
    return s.cli(
        "figures",
        "figures",
        "--warehouse",
        str(s.wh),
        "--out",
        str(s.figures),
        "--maps",
        "--raw",
        str(s.raw),
        needs=("analyze_all",),
    )


def report(s: Session):
    return s.cli("report", "report", "--warehouse", str(s.wh), "--out", str(s.report), needs=("analyze_all",))


def notebook(s: Session, name: str):
    source = (REPO / "notebooks" / f"{name}.py").read_text(encoding="utf-8")
    params = {
        "warehouse": s.wh,
        "output_dir": s.notebooks / name,
        "fast": True,
        # notebook 5.0 reads the real PMData participant and the Lövdal excerpt instead of its samples
        "pmdata_path": REALDATA / "pmdata",
        "lovdal_path": REALDATA / "lovdal" / "day_approach_maskedID_timeseries_excerpt.csv",
    }
    args = [
        a for k, v in params.items() if re.search(rf"^{k}\s*=", source, re.MULTILINE) for a in ("--param", f"{k}={v}")
    ]
    # `notebook run` names its output option --out since dc8bc2e (the harness was written against 7b7e9e4: --output)
    return s.cli(
        f"notebook {name}",
        "notebook",
        "run",
        name,
        *args,
        "--out",
        str(s.notebooks / f"{name}.ipynb"),
        needs=("analyze_all",),
    )


COMMANDS = {
    "ingest": ingest,
    "status": status,
    "check": check,
    "analyze": analyze,
    "analyze_all": analyze_all,
    "figures": figures,
    "report": report,
}


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    if not REALDATA.is_dir():
        pytest.skip(reason=f"real sample files not available at {REALDATA} (set TRAILSTRENGTH_REALDATA)")
    if missing := missing_files(REALDATA):
        pytest.skip(reason=f"real sample files missing from {REALDATA}: {missing}")
    return Session(tmp_path_factory.mktemp("realdata_e2e"))


# ---------------------------------------------------------------------------------------------- helpers
def _assert_finished(res: subprocess.CompletedProcess) -> str:
    """Exit 0, no traceback, no "nan" in anything printed; returns stdout + stderr."""
    out = res.stdout + res.stderr
    cmd = re.sub(r"\S*/realdata_e2e\d*/", "", " ".join(res.args[1:]))  # paths inside the session folder
    assert res.returncode == 0, f"`{cmd}` exited {res.returncode}:\n{out[-3000:]}"
    assert TRACEBACK not in out, f"`{cmd}` printed a traceback:\n{out[-3000:]}"
    _assert_no_nan(out, f"output of `{cmd}`")
    return out


def _context(text: str, m: re.Match) -> str:
    return text[max(0, m.start() - 100) : m.end() + 60].replace("\n", " ")


def _assert_no_nan(text: str, where: str) -> None:
    hits = [_context(text, m) for m in NAN.finditer(text)]
    assert not hits, f"'nan' in {where} ({len(hits)}x), e.g. {hits[:3]}"


def _assert_no_folder_name(text: str, where: str) -> None:
    text = DATA_URI.sub("", text)
    hits = [_context(text, m) for m in FOLDER_NAME.finditer(text)]
    assert not hits, f"athlete folder name in pseudonymised {where} ({len(hits)}x), e.g. {hits[:3]}"


class _VisibleText(HTMLParser):
    """Text a reader sees in an HTML page: element text outside script/style, plus alt / title / aria-label."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        self._hidden += tag in ("script", "style")
        self.parts += [v for k, v in attrs if k in ("alt", "title", "aria-label") and v]

    def handle_endtag(self, tag):
        self._hidden -= tag in ("script", "style")

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def _visible_text(html: str) -> str:
    p = _VisibleText()
    p.feed(html)
    return "\n".join(p.parts)


def _figure_texts(folder: Path) -> dict[str, str]:
    """Every text a reader meets in the figure folder: figures.json, alt texts, SVG text, PNG text chunks,
    and the file names themselves."""
    from PIL import Image

    texts = {"file names": "\n".join(sorted(p.name for p in folder.rglob("*")))}
    for p in sorted(folder.rglob("*")):
        if p.suffix in (".json", ".txt", ".svg", ".md", ".html"):
            texts[p.name] = p.read_text(encoding="utf-8")
        elif p.suffix == ".png":
            with Image.open(p) as im:
                texts[p.name] = "\n".join(f"{k}: {v}" for k, v in (getattr(im, "text", None) or {}).items())
    return texts


def _problems(check, texts: dict[str, str]) -> list[str]:
    """Run an ``_assert_*`` check on every text; all the failure messages, not just the first."""
    problems = []
    for where, text in texts.items():
        try:
            check(text, where)
        except AssertionError as err:
            problems.append(str(err))
    return problems


def _check_table(wh) -> pd.DataFrame:
    """``trailstrength.check(wh)`` as the tidy frame the module docstring describes."""
    import trailstrength as ts

    res = ts.check(wh)
    table = res if isinstance(res, pd.DataFrame) else res.table
    missing = {"athlete_id", "claim", "status", "count", "reason", "next_step"} - set(table.columns)
    assert not missing, f"check table lacks {missing}; has {list(table.columns)}"
    return table


# ---------------------------------------------------------------------------------------------- ingest
def test_ingest_finishes(session):
    _assert_finished(ingest(session))


def test_every_input_file_is_accounted_for(session):
    manifest = session.warehouse().manifest.set_index("path")
    expected = sorted(f for files in session.files.values() for f in files)
    assert sorted(set(expected) - set(manifest.index)) == [], "input files missing from the manifest"
    rows = manifest.loc[expected]
    assert rows["state"].isin(["ingested", "duplicate", "quarantined"]).all(), rows["state"].value_counts()
    not_ingested = rows[rows["state"] != "ingested"]
    no_reason = not_ingested[not_ingested["reason"].fillna("").str.strip() == ""]
    assert no_reason.empty, f"not ingested without a reason: {list(no_reason.index)}"
    # the same activity in several files is kept once, by FIT > TCX > GPX
    dups = ("cai/watch/testdata.gpx", "cai/watch/testdata.tcx", "aino/walks/cerknicko-jezero-without-elevations.gpx")
    for dup in dups:
        assert manifest.loc[dup, "state"] == "duplicate", (dup, manifest.loc[dup, ["state", "reason"]].to_dict())


def test_untyped_trail_run_is_inferred_as_a_run(session):
    """Item 3: the Garmin Connect GPX that names no sport is a run (aino has no untyped_sport), and says so."""
    acts = session.warehouse().activities
    row = acts[acts["source_file"] == "aino/trail/tanzawa_main_ridge.gpx"]
    assert len(row) == 1
    assert row.iloc[0]["sport"] == "running", row.iloc[0][["sport", "sport_source"]].to_dict()
    assert row.iloc[0]["sport_source"] == "inferred"
    assert re.search(r"\binferred\b", ingest(session).stdout), "the ingest summary does not count inferred sports"


def test_soreness_reports_all_kept(session):
    """Item 2: every soreness report of the PMData wellness file is kept."""
    wellness = session.warehouse().wellness
    reports = wellness[(wellness["athlete_id"] == "bertil") & wellness["soreness"].notna()]
    assert len(reports) == BERTIL_SORENESS_REPORTS


def test_status_finishes(session):
    out = _assert_finished(status(session))
    assert re.search(r"\binferred\b", out), "status does not count the inferred sports (item 3)"


# ---------------------------------------------------------------------------------------------- check
def test_check_finishes(session):
    out = _assert_finished(check(session))
    for claim in CLAIMS:
        assert re.search(rf"\b{claim}\b", out), f"check says nothing about {claim}"


def test_check_table_covers_every_athlete_and_claim(session):
    table = _check_table(session.warehouse())
    pairs = set(zip(table["athlete_id"], table["claim"]))
    assert {(a, c) for a in ATHLETE_IDS for c in CLAIMS} <= pairs
    _assert_no_nan(table[["reason", "next_step"]].fillna("").to_string(), "the check table's reasons and next steps")
    excluded = table[table["status"] == "excluded"]
    assert (excluded["reason"].fillna("").str.strip() != "").all(), "an exclusion without a reason"
    for (athlete, claim), rows in table.groupby(["athlete_id", "claim"]):
        if rows.loc[rows["status"] == "usable", "count"].sum() == 0:
            assert (rows["next_step"].fillna("").str.strip() != "").any(), f"{athlete} {claim}: no next step"


@pytest.mark.parametrize("claim", ["H1", "H2"])
def test_check_counts(session, claim):
    """Exact funnel counts (derivations at the top of this module)."""
    table = _check_table(session.warehouse())
    for athlete, n_runs in RUNS.items():
        rows = table[(table["athlete_id"] == athlete) & (table["claim"] == claim)]
        usable = rows.loc[rows["status"] == "usable", "count"].sum()
        assert usable == 0, f"{athlete} {claim}: {usable} usable runs, expected none"
        total = rows["count"].sum()
        assert total == n_runs, f"{athlete} {claim}: counts add up to {total}, not to the {n_runs} runs"
    aino = table[(table["athlete_id"] == "aino") & (table["claim"] == claim) & (table["status"] == "excluded")]
    coverage = aino[aino["reason"].str.contains("strength", case=False, na=False)]
    assert list(coverage["count"]) == [AINO_DESCENT_RUNS_OUTSIDE_STRENGTH_COVERAGE], aino[["count", "reason"]]


# ---------------------------------------------------------------------------------------------- analyze
def test_analyze_finishes(session):
    _assert_finished(analyze(session))


def test_analyze_effects_say_why_when_not_estimated(session):
    """Item 6: a row without an estimate keeps its reason in ``note``."""
    assert analyze(session).returncode == 0
    effects = pd.read_csv(session.results / "effects.csv")
    empty = effects[effects["estimate"].isna()]
    assert (empty["note"].fillna("").str.strip() != "").all()


def test_runs_outside_strength_coverage_leave_h1(session):
    """Item 4: aino's runs (2013–2019) lie before her strength log (2022–2025): not logged is not zero lifting."""
    assert analyze(session).returncode == 0
    panel = pd.read_parquet(session.results / "panel_h1.parquet")
    lifted = panel[(panel["athlete_id"] == "aino") & panel["hinge_sets_28d"].notna()]
    shown = lifted[["local_date", "hinge_sets_28d"]]
    assert lifted.empty, f"runs outside strength coverage with a hinge exposure:\n{shown}"


def test_analyze_all_finishes(session):
    _assert_finished(analyze_all(session))


# ---------------------------------------------------------------------------------------------- figures, report
def test_figures_finish(session):
    _assert_finished(figures(session))


def test_figures_say_no_nan(session):
    """Item 6: no figure text, alt text or figures.json entry shows "nan"."""
    assert figures(session).returncode == 0
    texts = _figure_texts(session.figures)
    assert "figures.json" in texts
    problems = _problems(_assert_no_nan, {f"figures/{k}": DATA_URI.sub("", v) for k, v in texts.items()})
    assert not problems, "\n".join(problems)


def test_figures_name_no_athlete_folder(session):
    """Item 7: figures are pseudonymised (A1 … An), file names and alt texts included."""
    assert figures(session).returncode == 0
    texts = {f"figures/{k}": v for k, v in _figure_texts(session.figures).items()}
    problems = _problems(_assert_no_folder_name, texts)
    assert not problems, "\n".join(problems)


def test_figures_are_drawn_or_skipped_with_a_reason(session):
    assert figures(session).returncode == 0
    listed = json.loads((session.figures / "figures.json").read_text(encoding="utf-8"))["figures"]
    assert listed
    for fig in listed:
        assert fig["files"] or fig["skipped"].strip(), f"{fig['name']}: neither drawn nor skipped with a reason"
        assert all((session.figures / f).is_file() for f in fig["files"]), fig


def test_report_finishes(session):
    _assert_finished(report(session))


def _report_text(session) -> str:
    assert report(session).returncode == 0
    return re.sub(r"\s+", " ", _visible_text(session.report.read_text(encoding="utf-8")))


def test_report_says_no_nan(session):
    """Item 6: no "nan" in the report's text or alt texts."""
    _assert_no_nan(_report_text(session), "the report")


def test_report_names_no_athlete_folder(session):
    """Item 7: the report promises A1 … An: no folder name anywhere in the file (reason texts included)."""
    assert report(session).returncode == 0
    _assert_no_folder_name(session.report.read_text(encoding="utf-8"), "report")


def test_report_says_why_claims_are_not_answerable(session):
    """Items 6 and 7: "not answerable with these data: <reason>" instead of not_fitted rows, and no "not
    estimated in this version" for H3–H7 after `analyze --all`."""
    text = _report_text(session)
    assert "not answerable with these data" in text
    for wrong in ("not_fitted", "not estimated in this version"):
        hits = [_context(text, m) for m in re.finditer(re.escape(wrong), text)]
        assert not hits, f"{wrong!r} in the report ({len(hits)}x), e.g. {hits[:2]}"


def test_report_inventory_spans_every_source(session):
    """Item 7: first and last day per athlete count strength logs and wellness, not activities only."""
    text = _report_text(session)
    missing = [f"{athlete} {day}" for athlete, days in INVENTORY_DAYS.items() for day in days if day not in text]
    assert not missing, f"inventory lacks {missing} (first/last days over strength, wellness and activities)"


# ---------------------------------------------------------------------------------------------- notebooks
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_to_the_end(session, name):
    _assert_finished(notebook(session, name))
    executed = json.loads((session.notebooks / f"{name}.ipynb").read_text(encoding="utf-8"))
    outputs = [o for c in executed["cells"] for o in c.get("outputs", [])]
    errors = [f"{o.get('ename')}: {o.get('evalue')}" for o in outputs if o.get("output_type") == "error"]
    assert not errors, errors
    printed = "".join("".join(o.get("text", "")) for o in outputs if o.get("output_type") == "stream")
    _assert_no_nan(printed, f"what notebook {name} prints")


# ---------------------------------------------------------------------------------------------- afterwards
def test_raw_files_unchanged(session):
    """Every command has run; the raw folder is byte for byte what was arranged (profiles included)."""
    for run in COMMANDS.values():
        run(session)
    for name in NOTEBOOKS:
        notebook(session, name)
    assert file_hashes(session.raw) == session.hashes
