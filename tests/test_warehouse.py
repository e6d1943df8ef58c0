"""Warehouse: manifest accounting, quarantine, incremental re-runs, duplicates, atomic writes."""

from __future__ import annotations

import gzip
import shutil

import pandas as pd
import pytest

from trailstrength import schemas, terrain, warehouse
from trailstrength.simulate import simulate_cohort
from trailstrength.warehouse import read_files, storage


@pytest.fixture(scope="module")
def small_raw(tmp_path_factory):
    raw = tmp_path_factory.mktemp("raw")
    simulate_cohort(raw, athletes=2, weeks=3, seed=5, truth_dir=tmp_path_factory.mktemp("truth"))
    return raw


@pytest.fixture()
def raw(small_raw, tmp_path):
    dst = tmp_path / "raw"
    shutil.copytree(small_raw, dst)
    return dst


def _state(report, path):
    m = report.manifest.set_index("path")
    return m.loc[path, "state"], m.loc[path, "reason"]


def test_every_file_is_accounted_for_and_raw_untouched(raw, tmp_path):
    before = {p: p.read_bytes() for p in raw.rglob("*") if p.is_file()}
    (raw / "ath01" / "notes").mkdir()
    (raw / "ath01" / "notes" / "broken.gpx").write_text("<gpx><trk><trkseg><trkpt lat=")
    (raw / "ath01" / "notes" / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0 not an activity")
    (raw / "stray.csv").write_text("date,soreness\n2025-01-01,3\n")
    report = warehouse.ingest(raw, warehouse=tmp_path / "wh", progress=False)
    m = report.manifest
    inputs = [p for p in raw.rglob("*") if p.is_file() and p.name != "athlete.toml"]
    # every input file is in the manifest exactly once
    assert set(m["path"]) >= {p.relative_to(raw).as_posix() for p in inputs}
    assert m["path"].is_unique
    state, reason = _state(report, "ath01/notes/broken.gpx")
    assert state == "quarantined" and "not well-formed" in reason
    state, reason = _state(report, "ath01/notes/photo.jpg")
    assert state == "quarantined" and "unrecognised format" in reason
    state, reason = _state(report, "stray.csv")
    assert state == "quarantined" and "athlete folder" in reason
    assert (m["state"] == "ingested").sum() == len(inputs) - 3
    for p, content in before.items():
        assert p.read_bytes() == content
    wh = warehouse.open_warehouse(tmp_path / "wh")
    for name in ("activities", "runs", "segments", "strength_sets", "wellness", "manifest"):
        schemas.validate(name, pd.read_parquet(tmp_path / "wh" / f"{name}.parquet"))
    assert len(wh.activities) == (m["format"] == "gpx").sum() - 1
    s = wh.samples(athletes=["ath01"])
    assert len(s) > 1000 and set(s["activity_id"]) <= set(wh.activities["activity_id"])
    assert wh.strength_sets["exercise"].notna().all()


def test_rerun_reads_only_new_or_changed(raw, tmp_path):
    wh = tmp_path / "wh"
    first = warehouse.ingest(raw, warehouse=wh, progress=False)
    again = warehouse.ingest(raw, warehouse=wh, progress=False)
    assert again.read == [] and len(again.unchanged) == len(first.manifest)

    diary = raw / "ath02" / "diary" / "soreness.csv"
    diary.write_text(diary.read_text() + "2025-04-01,07:30,9,quads\n")
    gpx = sorted((raw / "ath01" / "runs").glob("*.gpx.gz"))[0]
    acts = warehouse.Warehouse(wh).activities.set_index("source_file")
    removed_id = acts.loc[gpx.relative_to(raw).as_posix(), "activity_id"]
    gpx.unlink()
    third = warehouse.ingest(raw, warehouse=wh, progress=False)
    assert third.read == ["ath02/diary/soreness.csv"]
    assert third.removed == [gpx.relative_to(raw).as_posix()]
    w = warehouse.Warehouse(wh)
    assert removed_id not in set(w.activities["activity_id"]) and removed_id not in set(w.runs["activity_id"])
    assert not list((wh / "samples.parquet").glob(f"*/{removed_id}.parquet"))
    assert (w.wellness["soreness"] == 9).any()


def test_identical_copy_and_same_run_are_duplicates(raw, tmp_path):
    src = sorted((raw / "ath01" / "runs").glob("*.gpx.gz"))[0]
    shutil.copy(src, raw / "ath01" / "copy-of-run.gpx.gz")
    (raw / "ath01" / "strava").mkdir()
    same_run = gzip.decompress(src.read_bytes()).replace(b"<name>", b"<name>Strava ")
    (raw / "ath01" / "strava" / "same-run-uncompressed.gpx").write_bytes(same_run)
    report = warehouse.ingest(raw, warehouse=tmp_path / "wh", progress=False)
    pair = {_state(report, "ath01/copy-of-run.gpx.gz")[0], _state(report, src.relative_to(raw).as_posix())[0]}
    assert pair == {"ingested", "duplicate"}  # byte-identical: the first listed wins
    state, reason = _state(report, "ath01/strava/same-run-uncompressed.gpx")
    assert state == "duplicate" and "same activity" in reason
    acts = warehouse.Warehouse(tmp_path / "wh").activities
    assert acts["start_time"].is_unique


def test_crash_mid_write_leaves_previous_warehouse(raw, tmp_path, monkeypatch):
    wh = tmp_path / "wh"
    warehouse.ingest(raw, warehouse=wh, progress=False)
    before = {n: pd.read_parquet(wh / f"{n}.parquet") for n in ("manifest", "activities", "wellness")}
    diary = raw / "ath01" / "diary" / "soreness.csv"
    diary.write_text(diary.read_text() + "2025-04-01,07:30,8,quads\n")
    real = storage.atomic_parquet
    calls = {"n": 0}

    def failing(df, dest):
        calls["n"] += 1
        if dest.name == "wellness.parquet":
            raise OSError("disk full (simulated)")
        real(df, dest)

    monkeypatch.setattr(storage, "atomic_parquet", failing)
    with pytest.raises(OSError, match="disk full"):
        warehouse.ingest(raw, warehouse=wh, progress=False)
    monkeypatch.setattr(storage, "atomic_parquet", real)
    pd.testing.assert_frame_equal(pd.read_parquet(wh / "manifest.parquet"), before["manifest"])
    pd.testing.assert_frame_equal(pd.read_parquet(wh / "wellness.parquet"), before["wellness"])
    assert not list(wh.glob(".*.tmp"))
    # the next run redoes the unfinished work
    report = warehouse.ingest(raw, warehouse=wh, progress=False)
    assert "ath01/diary/soreness.csv" in report.read
    assert (warehouse.Warehouse(wh).wellness["soreness"] == 8).any()


def test_terrain_version_change_rebuilds_derived(raw, tmp_path, monkeypatch):
    wh = tmp_path / "wh"
    warehouse.ingest(raw, warehouse=wh, progress=False)
    assert warehouse.ingest(raw, warehouse=wh, progress=False).rebuilt_derived is False
    before = warehouse.Warehouse(wh)
    segments = before.segments.sort_values(["activity_id", "start_m"]).reset_index(drop=True)
    runs = before.runs.sort_values("activity_id").reset_index(drop=True)
    recorded = set(before.samples()["activity_id"])
    recomputed = []
    real = read_files.terrain_for

    def counting(activity, samples):
        recomputed.append(activity["activity_id"])
        return real(activity, samples)

    monkeypatch.setattr(read_files, "terrain_for", counting)
    monkeypatch.setattr(terrain, "TERRAIN_VERSION", "test-bump")
    report = warehouse.ingest(raw, warehouse=wh, progress=False)
    assert report.read == [] and report.rebuilt_derived
    after = warehouse.Warehouse(wh)
    assert after.meta["terrain_version"] == "test-bump"
    # every activity with samples had its terrain computed again, once, from its stored samples ...
    assert len(recorded) > 10 and sorted(recomputed) == sorted(recorded)
    # ... and, the terrain code being the same, the rebuilt tables equal the ones computed while reading the files
    assert len(segments) > 50 and segments["activity_id"].nunique() > 10
    pd.testing.assert_frame_equal(
        after.segments.sort_values(["activity_id", "start_m"]).reset_index(drop=True), segments
    )
    pd.testing.assert_frame_equal(after.runs.sort_values("activity_id").reset_index(drop=True), runs)


def test_open_warehouse_selection_filters_every_table(raw, tmp_path):
    warehouse.ingest(raw, warehouse=tmp_path / "wh", progress=False)
    whole = warehouse.open_warehouse(tmp_path / "wh")
    dates = sorted(whole.runs["local_date"].astype(str))
    start, end = dates[len(dates) // 4], dates[len(dates) // 2]
    view = warehouse.open_warehouse(tmp_path / "wh", athletes="ath02", start=start, end=end)
    for name in ("activities", "runs", "strength_sets", "wellness"):
        table, full = view.table(name), whole.table(name)
        inside = (full["athlete_id"] == "ath02") & full["local_date"].astype(str).between(start, end)
        assert len(table) == inside.sum() and set(table["athlete_id"]) <= {"ath02"}
    assert len(view.runs) > 0
    assert set(view.segments["activity_id"]) == set(whole.segments["activity_id"]) & set(view.activities["activity_id"])
    recorded = set(whole.samples()["activity_id"])
    assert set(view.samples()["activity_id"]) == set(view.activities["activity_id"]) & recorded
    assert (view.manifest["athlete_id"] == "ath02").all()
    assert "athletes=('ath02',)" in repr(view) and repr(whole) == f"Warehouse({str(tmp_path / 'wh')!r})"


def test_missing_warehouse_is_a_named_error(tmp_path):
    with pytest.raises(warehouse.WarehouseNotFound, match="trailstrength ingest"):
        warehouse.open_warehouse(tmp_path / "nowhere")


def test_schema_violation_names_table_column_rows():
    df = pd.DataFrame(
        {
            "activity_id": ["a", "a"],
            "timestamp": pd.to_datetime(["2024-01-01", "2024-01-01"], utc=True),
            "elapsed_s": [0.0, 1.0],
            "distance_m": [0.0, 1.0],
            "lat": [46.0, 95.0],
            "lon": [8.0, 8.0],
            "altitude_m": [500.0, 500.0],
            "heart_rate": [120.0, 400.0],
            "cadence": [80.0, 80.0],
            "speed_mps": [1.0, 1.0],
        }
    )
    with pytest.raises(schemas.SchemaViolation) as err:
        schemas.validate("samples", df)
    msg = str(err.value)
    assert "table 'samples'" in msg and "column 'lat'" in msg and "column 'heart_rate'" in msg and "rows [1]" in msg


def test_commit_validation_is_pandera_s(raw, tmp_path):
    # the commit validates with schemas.validate_fast (issue 18): same tables out, same violations caught
    warehouse.ingest(raw, warehouse=tmp_path / "wh", progress=False)
    wh = warehouse.open_warehouse(tmp_path / "wh")
    for name in ("activities", "runs", "segments", "strength_sets", "wellness", "coverage", "manifest"):
        table = wh.table(name)
        assert len(table), name
        pd.testing.assert_frame_equal(schemas.validate_fast(name, table), schemas.validate(name, table))
    bad = wh.manifest.copy()
    bad.loc[1, "sha256"] = "abc"
    with pytest.raises(schemas.SchemaViolation, match=r"sha256.*str_length"):
        schemas.validate_fast("manifest", bad)


def test_coverage_of_unchanged_athletes_is_kept_and_equals_a_full_rebuild(raw, tmp_path):
    from trailstrength.io.base import load_profile
    from trailstrength.warehouse import derive

    wh_dir = tmp_path / "wh"
    warehouse.ingest(raw, warehouse=wh_dir, progress=False)
    sorted((raw / "ath01" / "runs").iterdir())[-1].unlink()  # ath01 loses its last run
    (raw / "ath02" / "diary" / "soreness.csv").unlink()  # ath02 its diary: its wellness coverage goes
    report = warehouse.ingest(raw, warehouse=wh_dir, progress=False)
    assert len(report.removed) == 2
    wh = warehouse.open_warehouse(wh_dir)
    athletes = {p.name: load_profile(p)[0] for p in raw.iterdir() if p.is_dir()}
    tables = {"strength_sets": wh.strength_sets, "wellness": wh.wellness, "activities": wh.activities}
    full = schemas.validate("coverage", derive.coverage_table(tables, athletes, {}))
    pd.testing.assert_frame_equal(wh.coverage, full)
    assert not ((wh.coverage["athlete_id"] == "ath02") & (wh.coverage["source"] == "wellness")).any()
