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


@pytest.fixture(scope="module")
def analyzed(cohort):
    """``ts.analyze`` of the cohort, written to ``results`` once for the module (two tests read it; neither changes
    it: one reads the folder back, the other replaces the effects in a copy)."""
    tmp, wh = cohort
    return ts.analyze(wh, out=tmp / "results")


def _late_log(wh, athlete: str, start: pd.Timestamp) -> pd.DataFrame:
    """The strength sets with ``athlete``'s log starting on ``start`` (earlier sets dropped)."""
    sets = wh.strength_sets
    return sets[(sets["athlete_id"] != athlete) | (sets["local_date"] >= start)].reset_index(drop=True)


@pytest.mark.slow  # on the ingested cohort (see its fixture)
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


@pytest.mark.slow  # on the ingested cohort (see its fixture)
def test_panel_exclusions_add_up_to_the_runs(cohort):
    _, wh = cohort
    panel = h1_panel(wh.runs, wh.strength_sets)
    assert len(panel) + sum(panel.attrs["excluded"].values()) == len(wh.runs)


@pytest.mark.slow  # on the ingested cohort (see its fixture)
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


@pytest.mark.slow  # on the ingested cohort (see its fixture)
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


@pytest.mark.slow  # on the ingested cohort (see its fixture)
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


@pytest.mark.slow  # on the ingested cohort (see its fixture)
def test_report_reads_the_last_analyze(cohort, analyzed):
    """Item 7: the results folder is read back, not refitted (the H3-H7 rows of --all included)."""
    from trailstrength.analysis import load_results

    tmp, _ = cohort
    res = analyzed
    back = load_results(tmp / "results")
    pd.testing.assert_frame_equal(back.effects, res.effects, check_dtype=False)
    assert back.check is not None and len(back.check) == len(res.check)
    assert len(back.h1_panel) == len(res.h1_panel)
    assert load_results(tmp / "nothing-here") is None


@pytest.mark.slow  # simulates and ingests a cohort (17 s at load 10)
def test_docstring_examples_run():
    """The Examples of ts.check, not_answerable_reason and personal_runs_needed, run as doctests."""
    import doctest

    from trailstrength import answerable as check_module
    from trailstrength.report import words

    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    finder = doctest.DocTestFinder()
    from trailstrength.models.primary import personal_runs_needed

    examples = [
        (check_module.check, "check"),
        (words.not_answerable_reason, "not_answerable_reason"),
        (personal_runs_needed, "personal_runs_needed"),
    ]
    for obj, name in examples:
        for test in finder.find(obj, name, globs={name: obj}):
            runner.run(test)
    assert runner.summarize(verbose=False).attempted >= 8
    assert runner.summarize(verbose=False).failed == 0


# ------------------------------------------------------------------------------------------------ computed next steps
def _model_needs(panel: pd.DataFrame, claim: str) -> int:
    """The runs the one-athlete model says it needs, read from its own note when it refuses ``panel``."""
    from trailstrength.models.primary import primary_fit

    note = primary_fit(panel, claim, "v2", detrend=False).note
    found = re.search(r"too few runs \((\d+) < (\d+)\)", note)
    assert found and int(found[1]) == len(panel), note
    return int(found[2])


def _rows(table: pd.DataFrame, athlete: str, claim: str) -> pd.DataFrame:
    return table[(table["athlete_id"] == athlete) & (table["claim"] == claim)]


def test_more_runs_from_the_threshold_and_the_rate():
    """A hand-made case: 2 usable H2 runs and 3 without a soreness report; runs from 1 January to 31 March 2024,
    strength logged from 15 January, so a run can count from 12 February (28 days of log before it): 49 days =
    7 weeks, 5 runs (5/7 a week); the model needs 9, so 7 more runs take 7 / (5/7) = 9.8 -> 10 weeks."""
    from trailstrength.answerable import _more_runs
    from trailstrength.models.primary import personal_runs_needed

    runs = pd.DataFrame({"local_date": pd.to_datetime(["2024-01-01", "2024-02-10", "2024-03-31"])})
    coverage = pd.DataFrame({"start": pd.to_datetime(["2024-01-15"]), "end": pd.to_datetime(["2024-12-31"])})
    needed = personal_runs_needed("H2")
    assert needed == 9
    step = _more_runs("H2", 2, {EXCLUSION_REASONS["soreness"]: 3}, runs, coverage)
    assert step.startswith("log soreness after long descents for 10 more weeks: ")
    assert "needs 9 runs, 2 usable" in step and "5 runs with at least 500 m of descent segments in 7 weeks" in step
    # twice the runs in the same time: half the weeks (7 / (10/7) = 4.9 -> 5)
    assert "for 5 more weeks" in _more_runs("H2", 2, {EXCLUSION_REASONS["soreness"]: 8}, runs, coverage)
    # a 14-day window: runs count from 29 January, 63 days = 9 weeks: 7 / (5/9) = 12.6 -> 13
    short = _more_runs("H2", 2, {EXCLUSION_REASONS["soreness"]: 3}, runs, coverage, window_days=14)
    assert short.startswith("log soreness after long descents for 13 more weeks")
    assert _more_runs("H2", needed, {}, runs, coverage) == ""
    step = _more_runs("H1", 3, {EXCLUSION_REASONS["coverage"]: 40}, runs, coverage)
    assert step == (
        "6 more runs with at least 500 m of descent segments while logging strength "
        "(the one-athlete model needs 9 runs, 3 usable)"
    )


@pytest.mark.slow  # on the ingested cohort (see its fixture)
def test_check_says_how_many_weeks_of_soreness_are_missing(cohort):
    """Item 5, computed: an athlete who logged soreness after only a few long descents is told how many more weeks
    to log, from the model's threshold (read from the model's own refusal), the usable runs and the athlete's rate
    of long-descent runs per week in which a run could count (28 days of strength log before it; derived here from
    the dates)."""
    from trailstrength.features.coverage import coverage_table

    _, wh = cohort
    athlete = sorted(wh.runs["athlete_id"].unique())[0]
    runs, sets = wh.runs[wh.runs["athlete_id"] == athlete], wh.strength_sets
    full = h2_panel(runs, sets, wh.wellness)
    eligible = len(full) + full.attrs["excluded"].get(EXCLUSION_REASONS["soreness"], 0)
    periods = coverage_table(strength_sets=sets)
    periods = periods[(periods["athlete_id"] == athlete) & (periods["source"] == "strength")]
    assert len(periods) == 1  # one continuous log: the weeks below are one overlap
    start = max(periods["start"].iloc[0] + pd.Timedelta(days=28), runs["local_date"].min())
    end = min(periods["end"].iloc[0], runs["local_date"].max())
    weeks = ((end - start).days + 1) / 7
    seen = set()
    for kept_runs in (1, 3):
        days = full["local_date"].iloc[:kept_runs]
        windows = {d + pd.Timedelta(days=k) for d in days for k in (1, 2, 3)}
        mine = wh.wellness["athlete_id"] == athlete
        wellness = wh.wellness[~mine | wh.wellness["local_date"].isin(windows)]
        thin = h2_panel(runs, sets, wellness)
        assert 0 < len(thin) < len(full)
        needed = _model_needs(thin, "H2")
        more = int(np.ceil((needed - len(thin)) / (eligible / weeks)))
        rows = _rows(check_tables(wh.runs, sets, wellness, wh.activities), athlete, "H2")
        step = rows.loc[rows["reason"] == EXCLUSION_REASONS["soreness"], "next_step"].iloc[0]
        assert step.startswith(f"log soreness after long descents for {more} more week"), step
        assert f"needs {needed} runs, {len(thin)} usable" in step
        assert (rows["next_step"] != "").sum() == 1
        seen.add(more)
    assert len(seen) == 2  # fewer reports, more weeks: the number follows the data


@pytest.mark.slow  # on the ingested cohort (see its fixture)
def test_check_says_how_many_more_descent_runs_h1_needs(cohort):
    """Item 5, computed: an athlete whose strength log starts late has a few usable H1 runs; the next step asks for
    the runs the one-athlete model still lacks (its threshold read from the model's own refusal)."""
    _, wh = cohort
    athlete = sorted(wh.runs["athlete_id"].unique())[0]
    mine = wh.runs[wh.runs["athlete_id"] == athlete]
    found = []
    for back in range(35, 84, 7):
        sets = _late_log(wh, athlete, mine["local_date"].max() - pd.Timedelta(days=back))
        panel = h1_panel(mine, sets)
        if 0 < len(panel) < 9:
            found.append((sets, panel))
    assert found, "no late log leaves between 1 and 8 usable runs"
    for sets, panel in found[:2]:
        needed = _model_needs(panel, "H1")
        rows = _rows(check_tables(wh.runs, sets, wh.wellness, wh.activities), athlete, "H1")
        assert rows.loc[rows["status"] == "usable", "count"].iloc[0] == len(panel)
        steps = rows.loc[rows["next_step"] != "", "next_step"]
        want = f"{needed - len(panel)} more run{'s' * (needed - len(panel) != 1)} with at least 500 m of descent"
        assert len(steps) == 1 and want in steps.iloc[0] and "while logging strength" in steps.iloc[0], steps.tolist()


# ------------------------------------------------------------------------------------------------ the defects
def test_inventory_spans_every_source_and_counts_no_placeholders():
    """Defect: "Last day" counted activities only, and "working sets" counted PMData srpe's session-level
    "strength" rows. An athlete with runs in 2013, a strength log in 2022 (3 working sets, a warm-up and one srpe
    placeholder) and a soreness report in 2023: first day 2013, last day 2023, 3 working sets."""
    from trailstrength.io.pmdata import STRENGTH_SESSION_EXERCISE
    from trailstrength.report.html import _inventory

    day = pd.Timestamp
    acts = pd.DataFrame({"athlete_id": ["a"], "local_date": [day("2013-06-01")], "activity_id": ["r1"]})
    runs = acts.assign(descent_length_m=[800.0], distance_m=[12000.0])
    sets = pd.DataFrame(
        {
            "athlete_id": ["a"] * 5,
            "local_date": [day("2022-01-03")] * 4 + [day("2022-01-05")],
            "exercise_raw": ["Romanian Deadlift"] * 4 + [STRENGTH_SESSION_EXERCISE],
            "set_type": ["warmup", "working", "working", "working", "working"],
            "session_level": [False] * 4 + [True],
            "reps": [8, 8, 8, 8, np.nan],
            "load_kg": [40.0, 60, 60, 60, np.nan],
            "duration_s": [np.nan] * 4 + [2700.0],
            "pattern": ["hinge"] * 4 + ["unknown"],
            "posterior_chain_weight": [1.0] * 4 + [0.0],
        }
    )
    well = pd.DataFrame({"athlete_id": ["a"], "local_date": [day("2023-09-30")], "soreness": [3.0]})
    manifest = pd.DataFrame({"path": ["a/x.gpx"], "format": ["gpx"], "state": ["ingested"], "reason": [None]})
    manifest["athlete_id"] = "a"
    wh = SimpleNamespace(activities=acts, runs=runs, strength_sets=sets, wellness=well, manifest=manifest)
    athletes, _, _ = _inventory(wh, {"a": "A1"})
    row = athletes.iloc[0]
    assert (row["athlete"], row["first day"], row["last day"]) == ("A1", "2013-06-01", "2023-09-30")
    assert row["working sets"] == 3 and row["weighted hinge sets"] == 3.0 and row["soreness reports"] == 1


def test_forest_leaves_out_models_that_were_not_fitted():
    """Defect: forest rows labelled "not converged" for models that were never fitted. A not_fitted row is not
    drawn (the figure set then says why the forest is skipped); a fitted row that did not converge still is."""
    from trailstrength.report.figures import forest_rows

    fitted = {**_unfitted("H1", 40, "fitted"), "estimate": 0.01, "ci_low": 0.0, "ci_high": 0.02, "p_value": 0.04}
    effects = pd.DataFrame(
        [
            {**fitted, "model": "mixedlm_ri", "converged": True},
            _unfitted("H2", 3, "too few complete rows to fit (3 < 9 = terms + 3); nothing fitted"),
            {**fitted, "hypothesis": "H2", "outcome": "soreness_peak_72h", "model": "mixedlm_ri", "converged": False},
        ],
        columns=EFFECT_COLUMNS,
    )
    rows = forest_rows(effects)
    assert rows["model"].tolist() == ["mixedlm_ri", "mixedlm_ri"] and rows["converged"].tolist() == [True, False]
    assert forest_rows(effects.iloc[[1]]).empty


@pytest.mark.slow
def test_analyze_figures_and_report_take_athletes_and_dates(cohort):
    """Item 7: ``analyze``, ``figures`` and ``report`` accept ``--athletes``, ``--start`` and ``--end``; item 5:
    the check table opens ``analyze``'s output."""
    from trailstrength.cli import app

    tmp, wh = cohort
    athlete = sorted(wh.runs["athlete_id"].unique())[1]
    start = f"{wh.runs['local_date'].min() + pd.Timedelta(days=14):%Y-%m-%d}"
    end = f"{wh.runs['local_date'].max() - pd.Timedelta(days=7):%Y-%m-%d}"
    pick = ["--warehouse", str(tmp / "warehouse"), "--athletes", athlete, "--start", start, "--end", end]
    runner = CliRunner()
    out = runner.invoke(app, ["analyze", *pick, "--out", str(tmp / "picked")])
    assert out.exit_code == 0, out.output
    assert out.output.lstrip().startswith("what these data can answer")
    assert out.output.index(f"{athlete} H1:") < out.output.index("effects")
    effects = pd.read_csv(tmp / "picked" / "effects.csv")
    assert set(effects["n_athletes"].dropna()) <= {0, 1}
    panel = pd.read_parquet(tmp / "picked" / "panel_h1.parquet")
    assert set(panel["athlete_id"]) == {athlete}
    assert panel["local_date"].between(pd.Timestamp(start), pd.Timestamp(end)).all()
    figs = runner.invoke(app, ["figures", *pick, "--fast", "--results", str(tmp / "picked"), "--out", str(tmp / "f")])
    assert figs.exit_code == 0, figs.output
    page = tmp / "picked.html"
    rep = runner.invoke(app, ["report", *pick, "--results", str(tmp / "picked"), "--out", str(page)])
    assert rep.exit_code == 0, rep.output
    html = page.read_text()
    assert 'id="check"' in html and athlete not in html  # pseudonymised: A1, never the id


@pytest.mark.slow  # on the ingested cohort (see its fixture)
def test_too_few_runs_and_none_excluded_still_get_a_next_step(cohort, capsys):
    """Every run usable but fewer than the model needs: the next step sits on the usable row, and ``check``
    prints it there."""
    from trailstrength.cli import _print_check

    _, wh = cohort
    athlete = sorted(wh.runs["athlete_id"].unique())[0]
    usable = h1_panel(wh.runs, wh.strength_sets)
    keep = usable.loc[usable["athlete_id"] == athlete, "activity_id"].iloc[:4]
    runs = wh.runs[wh.runs["activity_id"].isin(keep)]
    table = check_tables(runs, wh.strength_sets, wh.wellness)
    rows = _rows(table, athlete, "H1")
    assert rows["status"].tolist() == ["usable"] and rows["count"].tolist() == [4]
    needed = _model_needs(h1_panel(runs, wh.strength_sets), "H1")
    assert rows["next_step"].iloc[0].startswith(f"{needed - 4} more runs with at least 500 m of descent")
    _print_check(rows)
    assert f"{athlete} H1: 4 of 4 runs usable -> next: {needed - 4} more runs" in capsys.readouterr().out


@pytest.mark.slow  # on the ingested cohort (see its fixture)
def test_a_scatter_whose_model_was_not_fitted_is_skipped_with_the_reason(cohort, analyzed, tmp_path):
    """Defect: `figures` drew a single dot at (0, 0) labelled "Model slope +nan". A scatter whose model has no
    estimate is not drawn; the record says why, in words from the model's note; what is drawn has no "nan"."""
    import dataclasses

    from trailstrength.report import write_figure_set

    _, wh = cohort
    res = dataclasses.replace(analyzed, out=None, files=())  # as analyze(wh) without out returns it
    h1 = res.effects["hypothesis"] == "H1"
    effects = res.effects.copy()
    effects.loc[h1, ["estimate", "ci_low", "ci_high", "p_value"]] = np.nan
    effects.loc[h1, ["model", "note"]] = [
        "not_fitted",
        "too few complete rows to fit (3 < 9 = terms + 3); nothing fitted",
    ]
    thin = dataclasses.replace(res, effects=effects)
    records = write_figure_set(wh, tmp_path, results=thin, fast=True, formats=("png",), scale=1, only=["h1_", "h2_"])
    by_name = {r.name: r for r in records}
    assert not by_name["h1_dpi_vs_hinge"].paths
    assert by_name["h1_dpi_vs_hinge"].skipped == (
        "the H1 model could not be fitted: too few complete rows to fit (3 < 9 = terms + 3); nothing fitted"
    )
    drawn = [r for r in records if r.paths]
    assert drawn and all(not NAN.search(r.alt or "") for r in drawn)
