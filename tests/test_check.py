"""What the data can answer (issue 14 items 4-7): coverage masking in the panels, the check funnel, graceful
results (no nan, one reason per claim), the report reading the last analyze, route and notebook pickers."""

from __future__ import annotations

import re
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import trailstrength as ts
from trailstrength.answerable import CLAIMS, check_tables
from trailstrength.features.panels import EXCLUSION_REASONS, h1_panel, h2_panel
from trailstrength.models.tidy import EFFECT_COLUMNS, estimable_terms
from trailstrength.report.words import claims_table, not_answerable_lines, not_answerable_reason

NAN = re.compile(r"\bnan\b", re.IGNORECASE)


@pytest.fixture(scope="module")
def cohort(tmp_path_factory):
    """Two simulated athletes, 12 weeks, ingested once."""
    tmp = tmp_path_factory.mktemp("check")
    ts.simulate_cohort(tmp / "raw", athletes=2, weeks=12, seed=4)
    ts.ingest(tmp / "raw", warehouse=tmp / "warehouse", progress=False, workers=1)
    return tmp, ts.open_warehouse(tmp / "warehouse")


def _late_log(wh, athlete: str, start: pd.Timestamp) -> pd.DataFrame:
    """The strength sets with ``athlete``'s log starting on ``start`` (earlier sets dropped)."""
    sets = wh.strength_sets
    return sets[(sets["athlete_id"] != athlete) | (sets["local_date"] >= start)].reset_index(drop=True)


def test_runs_before_the_strength_log_leave_h1_and_h2_counted(cohort):
    """Item 4: not logged is not zero lifting: runs whose 28 days lie before the log are out, with a count."""
    _, wh = cohort
    athlete = sorted(wh.runs["athlete_id"].unique())[0]
    start = wh.runs["local_date"].min() + pd.Timedelta(days=42)
    sets = _late_log(wh, athlete, start)
    first_log = sets.loc[sets["athlete_id"] == athlete, "local_date"].min()
    for panel in (h1_panel(wh.runs, sets), h2_panel(wh.runs, sets, wh.wellness)):
        mine = panel[panel["athlete_id"] == athlete]
        assert (mine["local_date"] >= first_log + pd.Timedelta(days=28)).all()
        assert panel["hinge_sets_28d"].notna().all()
        assert panel.attrs["excluded"][EXCLUSION_REASONS["coverage"]] > 0
    full = h1_panel(wh.runs, wh.strength_sets)
    late = h1_panel(wh.runs, sets)
    dropped = len(full) - len(late)
    extra = (
        late.attrs["excluded"][EXCLUSION_REASONS["coverage"]] - full.attrs["excluded"][EXCLUSION_REASONS["coverage"]]
    )
    assert dropped == extra > 0


def test_panel_exclusions_add_up_to_the_runs(cohort):
    _, wh = cohort
    panel = h1_panel(wh.runs, wh.strength_sets)
    assert len(panel) + sum(panel.attrs["excluded"].values()) == len(wh.runs)


def test_check_is_a_funnel_per_athlete_and_claim(cohort):
    tmp, wh = cohort
    table = ts.check(tmp / "warehouse")
    assert list(table.columns) == ["athlete_id", "claim", "status", "count", "reason", "next_step"]
    runs = wh.runs.groupby("athlete_id").size()
    for (athlete, claim), rows in table.groupby(["athlete_id", "claim"]):
        assert rows["count"].sum() == runs[athlete], (athlete, claim)
        assert (rows.loc[rows["status"] == "excluded", "reason"].str.strip() != "").all()
    assert set(table["claim"]) == set(CLAIMS)
    h1 = table[(table["claim"] == "H1") & (table["status"] == "usable")]
    # what check calls usable is what the models see (the warehouse's coverage, declared periods included)
    assert h1["count"].sum() == len(ts.panels(wh)[0])
    assert not NAN.search(table.to_string())


def test_check_says_the_strength_log_starts_after_the_last_run(cohort):
    """Item 5: the next step names the non-overlap."""
    _, wh = cohort
    athlete = sorted(wh.runs["athlete_id"].unique())[0]
    sets = wh.strength_sets.copy()
    mine = sets["athlete_id"] == athlete
    sets.loc[mine, "local_date"] += wh.runs["local_date"].max() - wh.runs["local_date"].min() + pd.Timedelta(days=60)
    table = check_tables(wh.runs, sets, wh.wellness, wh.activities)
    rows = table[(table["athlete_id"] == athlete) & (table["claim"] == "H1")]
    assert rows.loc[rows["status"] == "usable", "count"].sum() == 0
    cover = rows[rows["reason"].str.startswith(EXCLUSION_REASONS["coverage"])]
    assert len(cover) == 1 and cover["count"].iloc[0] > 0
    assert "strength log starts after the last run" in cover["next_step"].iloc[0]


def test_check_command_prints_every_claim_without_nan(cohort):
    from trailstrength.cli import app

    tmp, _ = cohort
    out = CliRunner().invoke(app, ["check", "--warehouse", str(tmp / "warehouse")])
    assert out.exit_code == 0, out.output
    for claim in CLAIMS:
        assert re.search(rf"\b{claim}\b", out.output)
    assert not NAN.search(out.output)


def test_estimable_terms_on_an_empty_panel():
    """Item 6: `zero-size array to reduction operation maximum` (analyze --all, notebook 4.0) is gone."""
    assert estimable_terms(pd.DataFrame({"a": [], "b": []}, dtype=float), ["a", "b"]) == ([], ["a", "b"])


def _unfitted(hypothesis: str, n_obs: int, note: str) -> dict:
    return {
        "hypothesis": hypothesis,
        "outcome": "dpi",
        "term": "hinge_sets_28d_within",
        "estimate": np.nan,
        "ci_low": np.nan,
        "ci_high": np.nan,
        "p_value": np.nan,
        "unit": "dpi per weekly hinge set",
        "n_athletes": 1,
        "n_obs": n_obs,
        "model": "not_fitted",
        "converged": False,
        "primary": True,
        "note": note,
    }


def test_unfitted_claims_say_why_in_one_line():
    effects = pd.DataFrame(
        [
            _unfitted("H1", 3, "H1 primary; too few complete rows to fit (3 < 9 = terms + 3); nothing fitted"),
            {**_unfitted("H1", 3, "same"), "term": "hinge_sets_28d_between"},
            _unfitted("H2", 0, ""),
        ],
        columns=EFFECT_COLUMNS,
    )
    lines = not_answerable_lines(effects)
    assert lines == [
        "H1 dpi (2 terms): not answerable with these data: too few complete rows to fit (3 < 9 = terms + 3); "
        "nothing fitted",
        "H2 dpi (1 terms): not answerable with these data: no usable runs",
    ]
    table = claims_table(effects)
    assert table.set_index("id").loc["H1", "result"].startswith("not answerable with these data")
    assert "analyze --all" in table.set_index("id").loc["H3", "result"]
    assert not NAN.search(table.to_string() + "\n".join(lines))
    assert not_answerable_reason(None) == "no runs in the analysis panel"


def test_report_hides_athlete_folders_in_reasons():
    from trailstrength.report.html import _hide_folders

    manifest = pd.DataFrame({"path": ["cai/watch/testdata.fit", "aino/x.gpx"], "athlete_id": ["cai", "aino"]})
    label = {"cai": "A3", "aino": "A1"}.get
    text = "same activity as cai/watch/testdata.fit; under mosaic/cai/, not xcai/; aino/x.gpx"
    shown = "same activity as A3/watch/testdata.fit; under mosaic/A3/, not xcai/; A1/x.gpx"
    assert _hide_folders(text, manifest, label) == shown


def test_route_never_picks_a_run_without_altitude():
    """Item 6 (--maps): the biggest *measured* descent with a track; a NaN-descent run is never chosen."""
    from trailstrength.report.figures import _biggest_descent_with_track

    runs = pd.DataFrame({"activity_id": ["none", "big", "small"], "descent_m": [np.nan, 900.0, 100.0]})
    tracks = {"big": [(46.0, 7.0)], "small": [(46.0, 7.0)], "none": [(46.0, 7.0)]}

    def samples(activity_ids):
        return pd.DataFrame(tracks[activity_ids[0]], columns=["lat", "lon"])

    run, _ = _biggest_descent_with_track(SimpleNamespace(samples=samples), runs)
    assert run["activity_id"] == "big"
    tracks["big"] = []
    run, _ = _biggest_descent_with_track(SimpleNamespace(samples=samples), runs)
    assert run["activity_id"] == "small"
    run, _ = _biggest_descent_with_track(SimpleNamespace(samples=samples), runs.iloc[:1])
    assert run is None


def test_report_reads_the_last_analyze(cohort):
    """Item 7: the results folder is read back, not refitted (the H3-H7 rows of --all included)."""
    from trailstrength.analysis import load_results

    tmp, wh = cohort
    res = ts.analyze(wh, out=tmp / "results")
    back = load_results(tmp / "results")
    pd.testing.assert_frame_equal(back.effects, res.effects, check_dtype=False)
    assert back.check is not None and len(back.check) == len(res.check)
    assert len(back.h1_panel) == len(res.h1_panel)
    assert load_results(tmp / "nothing-here") is None


def test_docstring_examples_run():
    """The Examples of ts.check and not_answerable_reason, run as doctests."""
    import doctest

    from trailstrength import answerable as check_module
    from trailstrength.report import words

    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    finder = doctest.DocTestFinder()
    for obj, name in ((check_module.check, "check"), (words.not_answerable_reason, "not_answerable_reason")):
        for test in finder.find(obj, name, globs={name: obj}):
            runner.run(test)
    assert runner.summarize(verbose=False).attempted >= 8
    assert runner.summarize(verbose=False).failed == 0
