"""Messy real-world inputs never stop an ingest (issue 14, items 1–4 and 8; issue 20's re-classification count).

Fixtures are made here: run-typed GPX files whose times are all unusable (1901, ``yesterday``, none), a PMData
``wellness.csv`` in the exact PMSys layout with one ``stress`` of 0, bad values in PMData ``srpe.csv`` and the
strength template, an untyped trail run, and a FIT whose records stop early while its session message states the
totals.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from trailstrength.warehouse import ingest, open_warehouse

RUN_TOML = 'untyped_sport = "running"\n'


def gpx(times, *, typed: bool = True, n: int = 120, step_deg: float = 0.0002, drop_m: float = 3.0) -> str:
    """A 120-point track north from 46° N, 8° E (about 22 m a point), descending ``drop_m`` a point; ``times(k)``
    is the text of point k's ``<time>`` (None: no element)."""
    pts = []
    for k in range(n):
        t = times(k)
        stamp = f"<time>{t}</time>" if t is not None else ""
        pts.append(f'<trkpt lat="{46 + k * step_deg:.6f}" lon="8.0"><ele>{1500 - k * drop_m:.1f}</ele>{stamp}</trkpt>')
    kind = "<type>running</type>" if typed else ""
    return (
        '<?xml version="1.0"?><gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1">'
        f"<trk><name>x</name>{kind}<trkseg>{''.join(pts)}</trkseg></trk></gpx>"
    )


def every(seconds: int, day: str = "2024-05-01"):
    start = pd.Timestamp(f"{day}T06:00:00Z")
    return lambda k: (start + pd.Timedelta(seconds=seconds * k)).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture
def untimed_runs(tmp_path):
    """One athlete with untyped_sport = running: a good run and three run-typed GPX without usable times."""
    folder = tmp_path / "raw" / "ath"
    folder.mkdir(parents=True)
    (folder / "athlete.toml").write_text(RUN_TOML + 'timezone = "UTC"\n')
    (folder / "old.gpx").write_text(gpx(lambda k: f"1901-01-01T00:{k // 60:02d}:{k % 60:02d}Z", typed=False))
    (folder / "yesterday.gpx").write_text(gpx(lambda k: "yesterday"))
    (folder / "notime.gpx").write_text(gpx(lambda k: None))
    (folder / "good.gpx").write_text(gpx(every(10)))
    return tmp_path


def test_runs_without_usable_times_never_abort_the_batch(untimed_runs):
    """Item 1: before, `index values must not have NaT` (features/runs.py via build_runs) stopped the whole
    ingest and nothing was written. Now every file is ingested, the untimed ones keep their geometry."""
    report = ingest(untimed_runs / "raw", warehouse=untimed_runs / "wh", progress=False, workers=1)
    wh = open_warehouse(untimed_runs / "wh")
    manifest = wh.manifest.set_index("path")
    assert (manifest["state"] == "ingested").all(), manifest[["state", "reason"]]
    for name in ("old", "yesterday", "notime"):
        reason = manifest.loc[f"ath/{name}.gpx", "reason"]
        assert "no usable times" in reason and "not in the runs table" in reason, (name, reason)
    assert "impossible dates" in manifest.loc["ath/old.gpx", "reason"]
    acts = wh.activities.set_index("source_file")
    assert acts.loc["ath/notime.gpx", "distance_m"] > 2000  # geometry kept: about 2.6 km of track
    assert pd.isna(acts.loc["ath/notime.gpx", "local_date"])
    assert list(wh.runs["activity_id"]) == [acts.loc["ath/good.gpx", "activity_id"]]
    assert report.counts()["ingested"] == 4
    untimed = acts.loc[[f"ath/{name}.gpx" for name in ("old", "yesterday", "notime")]]
    assert untimed[["duration_s", "moving_time_s"]].isna().all().all()  # no time metrics: missing, never 0 s
    assert untimed["local_date"].isna().all()


def tcx(times, *, start: str | None, lon: float = 8.0, n: int = 120) -> str:
    """A TCX run of ``n`` trackpoints (about 22 m apart, descending 3 m each) with ``<Id>start</Id>`` (none when
    None); ``times(k)`` is the text of trackpoint k's ``<Time>`` (None: no element)."""
    pts = []
    for k in range(n):
        stamp = f"<Time>{times(k)}</Time>" if times(k) is not None else ""
        pts.append(
            f"<Trackpoint>{stamp}<Position><LatitudeDegrees>{46 + k * 0.0002:.6f}</LatitudeDegrees>"
            f"<LongitudeDegrees>{lon}</LongitudeDegrees></Position>"
            f"<AltitudeMeters>{1500 - 3 * k:.1f}</AltitudeMeters></Trackpoint>"
        )
    ident = f"<Id>{start}</Id>" if start is not None else ""
    return (
        '<?xml version="1.0"?><TrainingCenterDatabase '
        'xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"><Activities>'
        f'<Activity Sport="Running">{ident}<Lap StartTime="{start or ""}"><Track>{"".join(pts)}</Track></Lap>'
        "</Activity></Activities></TrainingCenterDatabase>"
    )


def test_tcx_without_usable_times_is_kept_as_a_course(tmp_path):
    """Item 1 for TCX: trackpoint times and Id all in 1901 (a reset clock), absent, or unparsable. Before, the 1901
    file became a run dated 1901-01-01 (and the other two "duplicates" of it, by that start). Now each is kept
    with its geometry, no date and no time metrics, out of the runs table, with the reason on its manifest row."""
    from trailstrength.answerable import check_tables

    folder = tmp_path / "raw" / "ath"
    folder.mkdir(parents=True)
    (folder / "athlete.toml").write_text('timezone = "UTC"\n')
    clock = "1901-01-01T00:{:02d}:{:02d}Z"
    (folder / "old.tcx").write_text(tcx(lambda k: clock.format(k // 60, k % 60), start="1901-01-01T00:00:00Z"))
    (folder / "notime.tcx").write_text(tcx(lambda k: None, start=None, lon=8.01))
    (folder / "junk.tcx").write_text(tcx(lambda k: "soon", start="soon", lon=8.02))
    (folder / "good.tcx").write_text(tcx(every(10), start="2024-05-01T06:00:00Z", lon=8.03))
    ingest(tmp_path / "raw", warehouse=tmp_path / "wh", progress=False, workers=1)
    wh = open_warehouse(tmp_path / "wh")
    manifest = wh.manifest.set_index("path")
    assert (manifest["state"] == "ingested").all(), manifest[["state", "reason"]]
    assert "120 trackpoints have impossible dates" in manifest.loc["ath/old.tcx", "reason"]
    acts = wh.activities.set_index("source_file")
    for name in ("old", "notime", "junk"):
        assert "no usable times" in manifest.loc[f"ath/{name}.tcx", "reason"], name
        row = acts.loc[f"ath/{name}.tcx"]
        assert pd.isna(row["local_date"]) and pd.isna(row["duration_s"]) and pd.isna(row["moving_time_s"]), name
        assert row["distance_m"] > 2000, name  # the course's geometry is kept
    assert list(wh.runs["activity_id"]) == [acts.loc["ath/good.tcx", "activity_id"]]
    table = check_tables(wh.runs, wh.strength_sets, wh.wellness, wh.activities)
    assert table.loc[table["claim"] == "H1", "count"].sum() == 1  # check counts the one timed run only


def test_a_failing_derived_step_costs_only_its_activity(untimed_runs, monkeypatch):
    """Item 1, any derived step: build_runs failing on one activity's data leaves the others' runs, and the reason
    lands on that file's manifest row."""
    from trailstrength.features import runs as runs_module
    from trailstrength.warehouse import derive

    (untimed_runs / "raw" / "ath" / "second.gpx").write_text(gpx(every(9, "2024-05-03")))
    real = runs_module.build_runs

    def fragile(acts, summary):
        if (acts["source_file"] == "ath/second.gpx").any():
            raise ValueError("cannot divide by the flat speed")
        return real(acts, summary)

    monkeypatch.setattr(derive, "build_runs", fragile)
    ingest(untimed_runs / "raw", warehouse=untimed_runs / "wh", progress=False, workers=1)
    wh = open_warehouse(untimed_runs / "wh")
    reason = wh.manifest.set_index("path").loc["ath/second.gpx", "reason"]
    assert "not in the runs table: ValueError: cannot divide by the flat speed" in reason
    assert len(wh.runs) == 1 and len(wh.activities) == 5


def test_terrain_failure_keeps_the_file(untimed_runs, monkeypatch):
    """Item 1: a terrain step that raises on one activity keeps the activity (no terrain) and says why."""
    from trailstrength.warehouse import read_files

    def broken(activity, samples):
        raise ZeroDivisionError("a zero-length track")

    monkeypatch.setattr(read_files, "terrain_for", broken)
    ingest(untimed_runs / "raw", warehouse=untimed_runs / "wh", progress=False, workers=1)
    wh = open_warehouse(untimed_runs / "wh")
    manifest = wh.manifest.set_index("path")
    assert (manifest["state"] == "ingested").all()
    assert "terrain not computed (ZeroDivisionError: a zero-length track)" in manifest.loc["ath/good.gpx", "reason"]
    assert len(wh.runs) == 1 and wh.runs["descent_m"].isna().all()


# ------------------------------------------------------------------------------------------------ item 2
PMDATA_HEADER = (
    "effective_time_frame,fatigue,mood,readiness,sleep_duration_h,sleep_quality,soreness,soreness_area,stress"
)


def pmdata_wellness(days: int = 145, bad_line: int = 40) -> str:
    """A PMSys wellness.csv (PMData's layout) with ``days`` reports; the report on file line ``bad_line`` has
    ``stress`` 0 (outside 1–5)."""
    lines = [PMDATA_HEADER]
    start = pd.Timestamp("2019-11-01T08:31:40.751Z")
    for k in range(days):
        stress = 0 if k + 2 == bad_line else 3
        area = "[12921003]" if k % 3 else "[]"
        when = (start + pd.Timedelta(days=k)).strftime("%Y-%m-%dT%H:%M:%S.") + "751Z"
        lines.append(f"{when},2,3,{5 + k % 4},6,3,{2 + k % 2},{area},{stress}")
    return "\n".join(lines) + "\n"


def test_pmdata_stress_of_zero_costs_one_value_not_the_file(tmp_path):
    """Item 2: before, one `stress` of 0 rejected the whole wellness.csv (145 soreness reports lost), naming
    neither column nor line. Now the value is left empty, the report and the file kept, the value recorded."""
    folder = tmp_path / "raw" / "p01"
    folder.mkdir(parents=True)
    (folder / "wellness.csv").write_text(pmdata_wellness(145, bad_line=40))
    report = ingest(tmp_path / "raw", warehouse=tmp_path / "wh", progress=False, workers=1)
    wh = open_warehouse(tmp_path / "wh")
    assert wh.manifest["state"].tolist() == ["ingested"]
    assert wh.wellness["soreness"].notna().sum() == 145
    assert wh.wellness["stress"].isna().sum() == 1
    w = wh.warnings
    assert w[["source_file", "line", "column", "value"]].to_dict("records") == [
        {"source_file": "p01/wellness.csv", "line": 40, "column": "stress", "value": "0"}
    ]
    assert w["reason"].iloc[0] == "outside 1–5" and w["athlete_id"].iloc[0] == "p01"
    reason = wh.manifest["reason"].iloc[0]
    assert "stress: 1 value outside 1–5 (line 40: '0')" in reason
    assert report.values_left_out == {"p01/wellness.csv": 1}
    assert any("1 value left empty or rows left out in 1 file" in line for line in report.notes())


def test_pmdata_lines_that_cannot_be_placed_are_left_out_alone(tmp_path):
    """Item 2: a line without an ISO time is left out and recorded; bad srpe values are left empty; the file is
    quarantined only when no line is usable, and the reason names the column."""
    folder = tmp_path / "raw" / "p01"
    folder.mkdir(parents=True)
    text = pmdata_wellness(5, bad_line=0).splitlines()
    text[3] = "yesterday" + text[3][text[3].index(",") :]
    (folder / "wellness.csv").write_text("\n".join(text) + "\n")
    (folder / "srpe.csv").write_text(
        "end_date_time,activity_names,perceived_exertion,duration_min\n"
        "2019-11-04T17:00:00.000Z,\"['individual', 'running']\",5,60\n"
        "2019-11-05T17:00:00.000Z,\"['individual', 'running']\",11,-5\n"
        "2019-11-06T17:00:00.000Z,\"['strength'\",4,45\n"
    )
    (folder / "injury.csv").write_text("effective_time_frame,injuries\nsoon,{}\n")
    ingest(tmp_path / "raw", warehouse=tmp_path / "wh", progress=False, workers=1)
    wh = open_warehouse(tmp_path / "wh")
    manifest = wh.manifest.set_index("path")
    assert manifest.loc["p01/wellness.csv", "state"] == "ingested" and len(wh.wellness) == 4
    assert manifest.loc["p01/srpe.csv", "state"] == "ingested" and len(wh.activities) == 3
    assert manifest.loc["p01/injury.csv", "state"] == "quarantined"
    assert "no usable row (effective_time_frame: no ISO time on every line)" in manifest.loc["p01/injury.csv", "reason"]
    got = wh.warnings.sort_values(["source_file", "line", "column"])
    assert got[["source_file", "line", "column", "value", "reason"]].values.tolist() == [
        ["p01/srpe.csv", 3, "duration_min", "-5", "outside 0– min"],
        ["p01/srpe.csv", 3, "perceived_exertion", "11", "outside 0–10"],
        ["p01/srpe.csv", 4, "activity_names", "['strength'", "not a readable list or dict"],
        ["p01/wellness.csv", 4, "effective_time_frame", "yesterday", "row left out: no ISO time"],
    ]
    srpe = wh.activities.sort_values("start_time")
    assert srpe["rpe"].isna().tolist() == [False, True, False]


def test_strength_template_bad_values_cost_their_value(tmp_path):
    """Item 2, strength logs: a bad reps or rpe value is left empty, a set without a date or unit is left out;
    the other sets stay, every problem recorded with its line."""
    folder = tmp_path / "raw" / "ath"
    folder.mkdir(parents=True)
    (folder / "log.csv").write_text(
        "date,exercise,set,reps,load,unit,rpe\n"
        "2024-05-01,Romanian Deadlift,1,8,60,kg,7\n"
        "2024-05-01,Romanian Deadlift,2,ten,60,kg,7\n"
        "2024-05-01,Romanian Deadlift,3,8,60,stone,7\n"
        "01/05/2024,Romanian Deadlift,4,8,60,kg,7\n"
        "2024-05-01,Romanian Deadlift,5,8,60,kg,12\n"
    )
    ingest(tmp_path / "raw", warehouse=tmp_path / "wh", progress=False, workers=1)
    wh = open_warehouse(tmp_path / "wh")
    assert wh.manifest["state"].tolist() == ["ingested"]
    assert len(wh.strength_sets) == 3
    got = wh.warnings.sort_values("line")[["line", "column", "value", "reason"]].values.tolist()
    assert got == [
        [3, "reps", "ten", "not a number"],
        [4, "unit", "stone", "row left out: not kg or lb"],
        [5, "date", "01/05/2024", "row left out: not a YYYY-MM-DD date"],
        [6, "rpe", "12", "outside 0–10"],
    ]


# ------------------------------------------------------------------------------------------------ item 3
def test_untyped_run_gets_an_inferred_sport_and_is_counted(tmp_path):
    """Item 3: an untyped GPX run (no athlete.toml untyped_sport) is inferred as running, stored with
    sport_source "inferred", counted in the ingest summary; untyped_sport still wins."""
    for name, toml, day in (("a", "", "2024-05-01"), ("b", 'untyped_sport = "hiking"\n', "2024-05-02")):
        folder = tmp_path / "raw" / name
        folder.mkdir(parents=True)
        (folder / "athlete.toml").write_text(toml + 'timezone = "UTC"\n')
        # 600 points of ~11 m every 4 s: 2.8 m/s on a gentle descent, 40 minutes
        (folder / "run.gpx").write_text(gpx(every(4, day), typed=False, n=600, step_deg=0.0001, drop_m=0.3))
    report = ingest(tmp_path / "raw", warehouse=tmp_path / "wh", progress=False, workers=1)
    acts = open_warehouse(tmp_path / "wh").activities.set_index("athlete_id")
    assert acts.loc["a", ["sport", "sport_source"]].tolist() == ["running", "inferred"]
    assert 0.5 < acts.loc["a", "sport_confidence"] <= 1 and acts.loc["a", "sport_evidence"].startswith("running:")
    assert acts.loc["b", ["sport", "sport_source"]].tolist() == ["hiking", "athlete.toml"]
    assert report.sports_inferred == {"running": 1} and report.untyped == 0
    assert report.notes()[0] == "sport inferred from the movement for 1 activity whose file names none (running 1)"


def test_status_counts_inferred_sports(tmp_path):
    from typer.testing import CliRunner

    from trailstrength.cli import app

    folder = tmp_path / "raw" / "a"
    folder.mkdir(parents=True)
    (folder / "run.gpx").write_text(gpx(every(4), typed=False, n=600, step_deg=0.0001, drop_m=0.3))
    (folder / "short.gpx").write_text(gpx(every(1, "2024-06-01"), typed=False, n=30))
    ingest(tmp_path / "raw", warehouse=tmp_path / "wh", progress=False, workers=1)
    out = CliRunner().invoke(app, ["status", "--warehouse", str(tmp_path / "wh")])
    assert out.exit_code == 0, out.output
    assert (
        "sport inferred from the movement: 1 activities (running 1); set by athlete.toml untyped_sport: 0; "
        "still unknown: 1" in " ".join(out.output.split())
    )


# ------------------------------------------------------------------------------------------------ issue 20
def test_ingest_says_how_many_sets_an_override_reclassified(tmp_path):
    """Issue 20: re-ingesting after adding exercise_overrides.csv says how many sets it re-classified."""
    folder = tmp_path / "raw" / "ath"
    folder.mkdir(parents=True)
    rows = [f"2024-05-0{d},Cable Upright Bar Row,{s},10,30,kg" for d in (1, 2) for s in (1, 2, 3)]
    (folder / "log.csv").write_text("date,exercise,set,reps,load,unit\n" + "\n".join(rows) + "\n")
    first = ingest(tmp_path / "raw", warehouse=tmp_path / "wh", progress=False, workers=1)
    assert first.reclassified == "" and first.notes() == []
    (folder / "exercise_overrides.csv").write_text("exercise,aliases\nupright_row,Cable Upright Bar Row\n")
    second = ingest(tmp_path / "raw", warehouse=tmp_path / "wh", progress=False, workers=1)
    assert second.reclassified.startswith("exercise_overrides.csv re-classified 6 sets (1 name): Cable Upright Bar Row")
    assert second.reclassified in second.notes()
    sets = open_warehouse(tmp_path / "wh").strength_sets
    assert sets["match_method"].eq("override").all()


# ------------------------------------------------------------------------------------------------ item 4
def test_coverage_is_stored_with_declared_periods_and_without_placeholders(tmp_path):
    """Item 4: ingest writes the coverage table (wh.coverage): strength periods from the log, split at a 21-day
    gap, the athlete.toml [coverage] declaration merged in; a PMData srpe strength session (a placeholder) never
    makes a strength period, and wellness counts soreness reports."""
    a = tmp_path / "raw" / "a"
    a.mkdir(parents=True)
    (a / "athlete.toml").write_text('timezone = "UTC"\n[coverage]\nstrength = [["2024-03-01", "2024-03-31"]]\n')
    days = ["2024-05-01", "2024-05-08", "2024-06-20"]  # 43 days from the second to the third: two periods
    rows = [f"{d},Romanian Deadlift,1,8,60,kg" for d in days]
    (a / "log.csv").write_text("date,exercise,set,reps,load,unit\n" + "\n".join(rows) + "\n")
    p = tmp_path / "raw" / "p01"
    p.mkdir(parents=True)
    (p / "wellness.csv").write_text(pmdata_wellness(10, bad_line=0))
    (p / "srpe.csv").write_text(
        "end_date_time,activity_names,perceived_exertion,duration_min\n2019-11-04T17:00:00.000Z,\"['strength']\",5,60\n"
    )
    ingest(tmp_path / "raw", warehouse=tmp_path / "wh", progress=False, workers=1)
    wh = open_warehouse(tmp_path / "wh")
    cov = wh.coverage
    strength = cov[(cov["athlete_id"] == "a") & (cov["source"] == "strength")]
    assert strength[["start", "end", "n_records", "origin"]].astype(str).values.tolist() == [
        ["2024-03-01", "2024-03-31", "0", "declared"],
        ["2024-05-01", "2024-05-08", "2", "logged"],
        ["2024-06-20", "2024-06-20", "1", "logged"],
    ]
    assert len(wh.strength_sets[wh.strength_sets["athlete_id"] == "p01"]) == 1  # the placeholder row is stored
    assert cov[(cov["athlete_id"] == "p01")]["source"].tolist() == ["activities", "wellness"]
    assert cov.loc[(cov["athlete_id"] == "p01") & (cov["source"] == "wellness"), "n_records"].tolist() == [10]


def test_a_bad_coverage_declaration_is_a_warning(tmp_path):
    a = tmp_path / "raw" / "a"
    a.mkdir(parents=True)
    (a / "athlete.toml").write_text('[coverage]\nstrength = [["2024-03-31", "2024-03-01"]]\n')
    (a / "log.csv").write_text("date,exercise,set,reps,load,unit\n2024-05-01,Romanian Deadlift,1,8,60,kg\n")
    report = ingest(tmp_path / "raw", warehouse=tmp_path / "wh", progress=False, workers=1)
    assert any("ends (2024-03-01) before it starts" in w for w in report.warnings["a/athlete.toml"])
    assert open_warehouse(tmp_path / "wh").coverage["origin"].tolist() == ["logged"]


# ------------------------------------------------------------------------------------------------ item 8
def partial_fit(n_records: int, n_kept: int, day: str = "2024-05-01") -> tuple[bytes, float]:
    """A running FIT whose session states the whole run (n_records points, ~10 m apart, 3 s each) but whose
    record messages stop after ``n_kept``; returns the bytes and the session distance (m)."""
    from trailstrength.simulate.formats import encode_fit, track_columns

    k = np.arange(n_records)
    track = pd.DataFrame(
        {
            "time": pd.Timestamp(f"{day}T06:00:00Z") + pd.to_timedelta(3 * k, unit="s"),
            "lat": 46.0 + k * 0.00009,
            "lon": np.full(n_records, 8.0),
            "ele": 1500.0 - 0.5 * k,
            "hr": np.full(n_records, 150.0),
        }
    )
    rec = track_columns(track)
    t0, t1, total = float(rec["timestamp"][0]), float(rec["timestamp"][-1]), float(rec["distance"][-1])
    short = {c: v[:n_kept] for c, v in rec.items()}
    whole = {"timestamp": t1, "start_time": t0, "total_elapsed_time": t1 - t0, "total_timer_time": t1 - t0}
    msgs = [
        (
            "file_id",
            {"type": "activity", "manufacturer": "garmin", "product": 1967, "serial_number": 1, "time_created": t0},
        ),
        ("record", short),
        (
            "session",
            {
                **whole,
                "total_distance": total,
                "total_descent": round(0.5 * (n_records - 1)),
                "sport": "running",
                "sub_sport": "generic",
                "event": "session",
                "event_type": "stop",
                "num_laps": 1,
                "message_index": 0,
            },
        ),
    ]
    return encode_fit(msgs), total


def test_partial_fit_keeps_its_session_totals(tmp_path):
    """Item 8: records stop after ~900 m but the session says ~9 km: the activity and the run count the session's
    distance (weekly km use it), flagged partial_records; our descent is NaN, not the recorded part's."""
    folder = tmp_path / "raw" / "a"
    folder.mkdir(parents=True)
    data, total = partial_fit(1000, 100)
    (folder / "cut.fit").write_bytes(data)
    (folder / "whole.fit").write_bytes(partial_fit(300, 300, "2024-05-03")[0])
    ingest(tmp_path / "raw", warehouse=tmp_path / "wh", progress=False, workers=1)
    wh = open_warehouse(tmp_path / "wh")
    acts = wh.activities.set_index("source_file")
    assert acts.loc["a/cut.fit", "partial_records"] and not acts.loc["a/whole.fit", "partial_records"]
    assert math.isclose(acts.loc["a/cut.fit", "distance_m"], total, rel_tol=1e-6) and total > 8900
    assert acts.loc["a/cut.fit", "descent_m"] == 500.0  # the session's stated descent (whole metres in FIT)
    runs = wh.runs.set_index("activity_id")
    cut = runs.loc[acts.loc["a/cut.fit", "activity_id"]]
    assert cut["partial_records"] and math.isclose(cut["distance_m"], total, rel_tol=1e-6)
    assert np.isnan(cut["descent_m"])
    assert math.isclose(cut["moving_time_s"], 2997.0)
    from trailstrength.features.exposures import daily_exposures

    daily = daily_exposures(wh.runs, wh.strength_sets)
    assert math.isclose(daily["run_km"].sum(), (total + acts.loc["a/whole.fit", "distance_m"]) / 1000, rel_tol=1e-6)


REAL_FITS = [
    "python-fitparse/activity-large-fenxi2-multisport.fit",
    "python-fitparse/activity-small-fenix2-run.fit",
    "python-fitparse/garmin-fenix-5-run.fit",
    "python-fitparse/2013-02-06-12-11-14.fit",
    "python-fitparse/activity-unexpected-eof.fit",
    "heartandsole/testdata.fit",
    "sweatpy/6471559601_ACTIVITY.fit",
    "runpandas/run.fit",
    "open-fitness-dataset/1253222978_ACTIVITY.fit",
]


def test_complete_real_fits_are_not_partial(realdata, tmp_path):
    """Item 8 must not fire on complete files: the multisport Fenix 2 legs' terrain distance is shorter than the
    device's (2,245 m leg), which a distance-only rule took for records stopping early. No real FIT here has
    records that end before a session message (realdata-findings.md), so none is partial."""
    folder = tmp_path / "raw" / "a"
    folder.mkdir(parents=True)
    for rel in REAL_FITS:
        (folder / rel.replace("/", "_")).write_bytes(realdata(rel).read_bytes())
    ingest(tmp_path / "raw", warehouse=tmp_path / "wh", progress=False, workers=1)
    acts = open_warehouse(tmp_path / "wh").activities
    assert len(acts) >= len(REAL_FITS)
    assert not acts["partial_records"].any(), acts.loc[acts["partial_records"], "source_file"].tolist()


def test_soreness_diary_bad_values_cost_their_value(tmp_path):
    """Item 2, the soreness diary template: a soreness outside its scale or on an unknown scale is left empty (the
    line's fatigue kept), a line without a date left out; before, any of them rejected the file."""
    from trailstrength.io import Athlete, FileContext
    from trailstrength.io.wellness import SCALES, read_template

    text = (
        "date,soreness,scale,fatigue\n"
        "2024-05-01,3,0-10,4\n"
        "2024-05-02,14,0-10,5\n"
        "2024-05-03,2,1-9,6\n"
        "May 4,2,0-10,6\n"
        "2024-05-05,sore,0-10,3\n"
    )
    res = read_template(text.encode(), FileContext("a/diary.csv", "0" * 64, Athlete("a")))
    w = res.tables["wellness"]
    assert w["soreness"].tolist()[:1] == [3.0] and w["soreness"].isna().tolist() == [False, True, True, True]
    assert w["fatigue"].tolist() == [4.0, 5.0, 6.0, 3.0]
    log = res.tables["warnings"].sort_values("line")[["line", "column", "value", "reason"]].values.tolist()
    assert log == [
        [3, "soreness", "14", "outside its scale"],
        [4, "scale", "1-9", f"not one of {', '.join(SCALES)}"],
        [5, "date", "May 4", "row left out: not a YYYY-MM-DD date"],
        [6, "soreness", "sore", "not a number"],
    ]


def test_app_exports_record_values_they_could_not_read(realdata):
    """Item 2, the app exports (Hevy, Strong, FitNotes) already skipped sets without a date and read bad numbers as
    empty, silently; now each is recorded with its line. A real FitNotes export with one bad reps cell and one bad
    date keeps every other set."""
    from trailstrength.io import Athlete, FileContext
    from trailstrength.io.fitnotes import read_fitnotes

    data = realdata("kaiserlift/FitNotes_Export_2025_05_21_08_39_11.csv").read_bytes()
    lines = data.decode("utf-8").splitlines()
    header = [h.strip().lower() for h in lines[0].split(",")]
    reps, date = header.index("reps"), header.index("date")
    cells = lines[5].split(",")
    cells[reps] = "ten"
    lines[5] = ",".join(cells)
    cells = lines[9].split(",")
    cells[date] = "yesterday"
    lines[9] = ",".join(cells)
    ctx = FileContext("a/fitnotes.csv", "0" * 64, Athlete("a", strength_unit="lb"))
    before = read_fitnotes(data, ctx).tables["strength_sets"]
    res = read_fitnotes(("\n".join(lines) + "\n").encode(), ctx)
    assert len(res.tables["strength_sets"]) == len(before) - 1
    log = res.tables["warnings"][["line", "column", "value", "reason"]].values.tolist()
    assert log == [
        [10, "date", "yesterday", "row left out: not a date in the export's format"],
        [6, "reps", "ten", "not a number"],
    ]


def test_the_run_shown_in_detail_has_measured_altitude(tmp_path):
    """Defect: notebook 1.0 (and figures --maps) showed a run without altitude as "the biggest descent". The
    notebook's pick (frames.run_terrains with max_runs=1) takes the run with most *measured* descent: a longer run
    without <ele> is never chosen, and with no other run nothing is shown."""
    import re

    from trailstrength.features import frames

    folder = tmp_path / "raw" / "ath"
    folder.mkdir(parents=True)
    (folder / "athlete.toml").write_text('timezone = "UTC"\n')
    flat = re.sub(r"<ele>[^<]*</ele>", "", gpx(every(10, "2024-05-02"), n=400))  # 8.8 km, no altitude
    (folder / "flat.gpx").write_text(flat)
    (folder / "hill.gpx").write_text(gpx(every(10)))
    ingest(tmp_path / "raw", warehouse=tmp_path / "wh", progress=False, workers=1)
    wh = open_warehouse(tmp_path / "wh")
    runs = wh.runs.set_index(wh.activities.set_index("activity_id").loc[wh.runs["activity_id"], "source_file"])
    assert pd.isna(runs.loc["ath/flat.gpx", "descent_m"]) and runs.loc["ath/hill.gpx", "descent_m"] > 300
    assert list(frames.run_terrains(wh, ["ath"], max_runs=1)) == [runs.loc["ath/hill.gpx", "activity_id"]]
    alone = open_warehouse(tmp_path / "wh", start="2024-05-02")
    assert frames.run_terrains(alone, ["ath"], max_runs=1) == {}
    # notebook 2.0 then plotted an untyped empty frame: `ufunc 'isfinite' not supported`; now it is typed
    points = frames.grade_speed_frame(alone, ["ath"], max_runs=1)
    assert points.empty and not np.isfinite(points[["grade", "relative_speed", "weight"]]).any().any()
