"""Ingesting activity files end to end: duplicates across formats, faults, parallel reading, re-runs."""

from __future__ import annotations

import gzip
import logging
import os
import shutil
import time

import numpy as np
import pandas as pd
import pytest

from trailstrength import warehouse
from trailstrength.simulate.formats import encode_fit, fit_activity, gpx_activity, tcx_activity


def _copy(realdata, rel: str, dest) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(realdata(rel), dest)


def _track(start: str, n: int = 900, lat0: float = 46.0) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "time": pd.date_range(start, periods=n, freq="s"),
            "lat": lat0 + np.arange(n) * 3e-5,
            "lon": 8.0,
            "ele": 900 - np.arange(n) * 0.1,
            "hr": 140.0,
        }
    )


def test_same_run_in_three_formats_is_one_activity(realdata, tmp_path):
    raw = tmp_path / "raw"
    for ext in ("fit", "gpx", "tcx"):
        _copy(realdata, f"heartandsole/testdata.{ext}", raw / "runner" / f"boulder.{ext}")
    report = warehouse.ingest(raw, warehouse=tmp_path / "wh", progress=False, workers=1)
    m = report.manifest.set_index("path")
    assert m.loc["runner/boulder.fit", "state"] == "ingested"
    for ext in ("gpx", "tcx"):
        assert m.loc[f"runner/boulder.{ext}", "state"] == "duplicate"
        assert m.loc[f"runner/boulder.{ext}", "duplicate_of"] == "runner/boulder.fit"
        assert "FIT > TCX > GPX" in m.loc[f"runner/boulder.{ext}", "reason"]
    w = warehouse.Warehouse(tmp_path / "wh")
    assert len(w.activities) == 1 and w.activities["source_format"].iloc[0] == "fit"
    assert len(w.table("activity_sources")) == 3  # every copy is kept for the next run's decision
    assert set(w.samples()["activity_id"]) == set(w.activities["activity_id"])


def test_every_failure_file_ends_in_a_stated_state(realdata, tmp_path):
    raw = tmp_path / "raw"
    cases = {
        "wellness/day.fit": "open-fitness-dataset/118799063835_WELLNESS.fit",
        "sleep/night.fit": "open-fitness-dataset/118799068102_SLEEP_DATA.fit",
        "eof/run.fit": "python-fitparse/activity-unexpected-eof.fit",
        "corrupt/run.fit": "python-fitparse/activity-settings-corruptheader.fit",
        "crc/run.fit": "python-fitparse/2013-02-06-12-11-14.fit",
    }
    for dest, rel in cases.items():
        _copy(realdata, rel, raw / dest)
    junk = raw / "junk"
    junk.mkdir()
    (junk / "empty.gpx").write_bytes(b"")
    (junk / "notgzip.fit.gz").write_bytes(b"\x1f\x8b\x08\x00 this is not gzip data")
    (junk / "page.gpx").write_text("<html><body>not a track</body></html>")
    (junk / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0" + os.urandom(64))
    data = fit_activity(_track("2024-05-01T06:00:00Z"))
    (junk / "cut.fit").write_bytes(data[: len(data) // 2])
    report = warehouse.ingest(raw, warehouse=tmp_path / "wh", progress=False, workers=1)
    m = report.manifest.set_index("path")
    assert (
        m.loc["wellness/day.fit", "state"] == "quarantined" and "not an activity" in m.loc["wellness/day.fit", "reason"]
    )
    assert m.loc["sleep/night.fit", "state"] == "quarantined"
    for path, byte in (("eof/run.fit", "768"), ("corrupt/run.fit", "771")):
        assert m.loc[path, "state"] == "ingested" and f"byte {byte}" in m.loc[path, "reason"]
    assert m.loc["crc/run.fit", "state"] == "ingested" and "fitdecode" in m.loc["crc/run.fit", "reason"]
    assert m.loc["junk/empty.gpx", "reason"] == "empty file"
    assert "gzip" in m.loc["junk/notgzip.fit.gz", "reason"]
    assert "unrecognised format" in m.loc["junk/page.gpx", "reason"]
    assert "unrecognised format" in m.loc["junk/photo.jpg", "reason"]
    assert m.loc["junk/cut.fit", "state"] == "ingested" and "kept the" in m.loc["junk/cut.fit", "reason"]
    assert m["reason"].dropna().map(lambda r: "\n" not in r).all()


def _cohort(raw, n_files: int = 10) -> None:
    """Runs of two athletes in all three formats, one a day, plus a multisport FIT."""
    writers = {
        "fit": lambda t: fit_activity(t),
        "gpx": lambda t: gpx_activity(t).encode(),
        "tcx": lambda t: tcx_activity(t).encode(),
    }
    for k in range(n_files):
        fmt = ("fit", "gpx", "tcx")[k % 3]
        track = _track(f"2024-05-{k + 1:02d}T06:00:00Z", lat0=46 + k * 0.01)
        athlete = "ana" if k % 2 else "ben"
        (raw / athlete).mkdir(parents=True, exist_ok=True)
        (raw / athlete / f"run{k}.{fmt}").write_bytes(writers[fmt](track))
    (raw / "ana" / "athlete.toml").write_text('timezone = "Europe/Zurich"\n')
    t = 1717225200.0 + np.arange(1200)  # 2024-06-01T07:00Z: run 600 s, then ride 600 s
    legs = [
        (
            "record",
            {
                "timestamp": t,
                "heart_rate": np.full(1200, 140.0),
                "distance": np.arange(1200) * 3.0,
                "position_lat": 46 + np.arange(1200) * 2e-5,
                "position_long": np.full(1200, 8.0),
                "enhanced_altitude": np.full(1200, 500.0),
            },
        )
    ]
    legs += [
        (
            "session",
            {
                "timestamp": [t[599], t[-1]],
                "start_time": [t[0], t[600]],
                "total_elapsed_time": [599.0, 599.0],
                "sport": ["running", "cycling"],
            },
        )
    ]
    (raw / "ana" / "brick.fit").write_bytes(encode_fit(legs))


def test_parallel_reading_equals_in_process(tmp_path, monkeypatch):
    from trailstrength.warehouse import read_files

    raw = tmp_path / "raw"
    _cohort(raw)
    monkeypatch.setattr(read_files, "PARALLEL_MIN_BYTES", 0)  # these few small files go through the pool too
    assert read_files.use_pool(sorted(p for p in raw.rglob("*") if p.is_file()), 2)
    one = warehouse.ingest(raw, warehouse=tmp_path / "wh1", progress=False, workers=1)
    two = warehouse.ingest(raw, warehouse=tmp_path / "wh2", progress=False, workers=2)
    cols = ["path", "state", "format", "rows"]
    pd.testing.assert_frame_equal(one.manifest[cols], two.manifest[cols])
    a1 = warehouse.Warehouse(tmp_path / "wh1").activities.sort_values("activity_id").reset_index(drop=True)
    a2 = warehouse.Warehouse(tmp_path / "wh2").activities.sort_values("activity_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(a1, a2)
    brick = a1[a1["source_file"] == "ana/brick.fit"]
    assert brick["sport"].tolist() == ["running", "cycling"]
    s = warehouse.Warehouse(tmp_path / "wh1").samples(activity_ids=brick["activity_id"].tolist())
    assert s.groupby("activity_id").size().tolist() == [600, 600]  # one samples file per leg


def test_pool_only_for_a_batch_that_pays_for_it(tmp_path, monkeypatch):
    from trailstrength.warehouse import read_files

    raw = tmp_path / "raw"
    _cohort(raw)
    files = sorted(p for p in raw.rglob("*") if p.is_file())
    assert sum(p.stat().st_size for p in files) < read_files.PARALLEL_MIN_BYTES
    assert not read_files.use_pool(files, 2)  # too few bytes: in-process
    monkeypatch.setattr(read_files, "PARALLEL_MIN_BYTES", sum(p.stat().st_size for p in files))
    assert read_files.use_pool(files, 2)
    assert not read_files.use_pool(files, 1)  # one worker: in-process
    monkeypatch.setattr(read_files, "PARALLEL_MIN_BYTES", 0)
    assert not read_files.use_pool(files[: read_files.PARALLEL_MIN_FILES - 1], 2)  # too few files


def test_rerun_with_nothing_changed_writes_nothing(tmp_path):
    raw, wh = tmp_path / "raw", tmp_path / "wh"
    _cohort(raw, 4)
    warehouse.ingest(raw, warehouse=wh, progress=False, workers=1)
    stamp = (wh / "manifest.parquet").stat().st_mtime_ns
    t0 = time.perf_counter()
    again = warehouse.ingest(raw, warehouse=wh, progress=False, workers=1)
    assert again.read == [] and again.counts()["unchanged"] == 5
    assert (wh / "manifest.parquet").stat().st_mtime_ns == stamp and time.perf_counter() - t0 < 5
    run = next((raw / "ben").glob("run0.*"))
    os.utime(run, ns=(run.stat().st_atime_ns, run.stat().st_mtime_ns + 10**9))  # touched, same bytes
    assert warehouse.ingest(raw, warehouse=wh, progress=False, workers=1).read == []
    (raw / "ben" / "athlete.toml").write_text('timezone = "Asia/Tokyo"\n')  # the zone changes local dates
    redo = warehouse.ingest(raw, warehouse=wh, progress=False, workers=1)
    assert sorted(redo.read) == sorted(p for p in redo.manifest["path"] if p.startswith("ben/"))


def test_duplicate_comes_back_when_the_kept_copy_goes(tmp_path, realdata):
    raw, wh = tmp_path / "raw", tmp_path / "wh"
    for ext in ("fit", "gpx"):
        _copy(realdata, f"heartandsole/testdata.{ext}", raw / "runner" / f"boulder.{ext}")
    warehouse.ingest(raw, warehouse=wh, progress=False, workers=1)
    (raw / "runner" / "boulder.fit").unlink()
    report = warehouse.ingest(raw, warehouse=wh, progress=False, workers=1)
    assert report.removed == ["runner/boulder.fit"] and report.read == ["runner/boulder.gpx"]
    w = warehouse.Warehouse(wh)
    assert w.activities["source_format"].tolist() == ["gpx"] and len(w.samples()) == 46


def test_zone_warning_once_per_athlete(tmp_path, caplog):
    raw = tmp_path / "raw"
    _cohort(raw, 4)
    with caplog.at_level(logging.WARNING, logger="trailstrength"):
        warehouse.ingest(raw, warehouse=tmp_path / "wh", progress=False, workers=1)
    zone = [r.getMessage() for r in caplog.records if "time zone" in r.getMessage()]
    assert len(zone) == 1 and zone[0].startswith("athlete ben")  # ana has athlete.toml; FIT files name a zone


@pytest.mark.parametrize("gz", [False, True])
def test_gzipped_inputs(tmp_path, gz):
    raw = tmp_path / "raw" / "a"
    raw.mkdir(parents=True)
    data = tcx_activity(_track("2024-05-01T06:00:00Z")).encode()
    (raw / ("run.tcx.gz" if gz else "run.tcx")).write_bytes(gzip.compress(data) if gz else data)
    report = warehouse.ingest(tmp_path / "raw", warehouse=tmp_path / "wh", progress=False, workers=1)
    assert report.manifest["state"].tolist() == ["ingested"] and report.manifest["format"].tolist() == ["tcx"]


def test_fast_validation_equals_pandera(realdata):
    from trailstrength import schemas
    from trailstrength.io import Athlete, FileContext, fit

    ctx = FileContext("a/f.fit", "f" * 64, Athlete("a"))
    res = fit.read(realdata("python-fitparse/activity-small-fenix2-run.fit").read_bytes(), ctx)
    for table in ("activities", "samples"):
        pd.testing.assert_frame_equal(
            schemas.validate_fast(table, res.tables[table]), schemas.validate(table, res.tables[table])
        )
    bad = res.tables["samples"].copy()
    bad.loc[5, "heart_rate"] = 400.0
    with pytest.raises(schemas.SchemaViolation, match=r"heart_rate.*rows \[5\]"):
        schemas.validate_fast("samples", bad)


def test_simulated_archive_in_mixed_formats(tmp_path):
    from trailstrength.simulate import simulate_cohort

    simulate_cohort(
        tmp_path / "raw",
        athletes=1,
        weeks=1,
        seed=3,
        truth_dir=tmp_path / "truth",
        activity_formats=("fit", "tcx", "gpx"),
    )
    runs = sorted(p.name.split(".", 1)[1] for p in (tmp_path / "raw" / "ath01" / "runs").iterdir())
    assert {"fit", "tcx.gz", "gpx.gz"} <= set(runs)
    report = warehouse.ingest(tmp_path / "raw", warehouse=tmp_path / "wh", progress=False, workers=1)
    assert (report.manifest["state"] == "ingested").all()
    acts = warehouse.Warehouse(tmp_path / "wh").activities
    assert set(acts["source_format"]) == {"fit", "tcx", "gpx"} and (acts["altitude_source"] == "barometric").all()
