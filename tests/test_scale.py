"""Ingest on a Dask cluster (trailstrength.warehouse.dask): the same warehouse as the single-process path, row for row.

The cluster is a ``distributed.LocalCluster`` with 2 workers **in-process** (``processes=False``: worker threads
in the test process). Why threads: it starts in about a second instead of spawning two interpreters that import
pandas and pyarrow; the scheduler, task graph, futures, ``as_completed`` and error paths are Dask's real ones; and
the one-file failure can be injected by monkeypatching the reader the workers call. Process workers are covered
by ``benchmarks/bench_scale.py`` and the slow test at the end.
"""

from __future__ import annotations

import json
import shutil
import sys
import threading

import pandas as pd
import pytest
from warehouse_compare import KEYS
from warehouse_compare import samples as _samples
from warehouse_compare import table as _table

from trailstrength import analysis, warehouse
from trailstrength.simulate import simulate_cohort
from trailstrength.warehouse import read_files, storage

distributed = pytest.importorskip("distributed", reason='needs dask[distributed] (pip install -e ".[scale]")')
warehouse_dask = pytest.importorskip("trailstrength.warehouse.dask")


@pytest.fixture(scope="module")
def raw(tmp_path_factory):
    out = tmp_path_factory.mktemp("scale") / "raw"
    simulate_cohort(
        out,
        athletes=3,
        weeks=6,
        seed=3,
        truth_dir=out.parent / "truth",
        bad_file=True,
        activity_formats=("fit", "tcx", "gpx"),
    )
    return out


@pytest.fixture(scope="module")
def client():
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0") as c,
        distributed.Client(c) as cl,
    ):
        yield cl


@pytest.fixture(scope="module")
def single(raw, tmp_path_factory):
    wh = tmp_path_factory.mktemp("single") / "wh"
    warehouse.ingest(raw, warehouse=wh, progress=False, workers=1)
    return wh


@pytest.mark.slow  # Dask ingests on a LocalCluster (6-30 s each at load 10)
def test_dask_warehouse_equals_single_process(raw, single, client, tmp_path):
    wh = tmp_path / "wh"
    report = warehouse_dask.ingest(raw, warehouse=wh, client=client, progress=False)
    assert report.read and (report.manifest["state"] == "ingested").sum() > 20
    for name in KEYS:
        pd.testing.assert_frame_equal(_table(wh, name), _table(single, name), obj=name)
    pd.testing.assert_frame_equal(_samples(wh), _samples(single), obj="samples")
    assert len(_samples(wh)) > 10_000
    # and the unsorted frames the API returns are the same too (runs and segments come back in one order)
    pd.testing.assert_frame_equal(warehouse.Warehouse(wh).runs, warehouse.Warehouse(single).runs)
    pd.testing.assert_frame_equal(warehouse.Warehouse(wh).segments, warehouse.Warehouse(single).segments)


@pytest.mark.slow  # Dask ingests on a LocalCluster (6-30 s each at load 10)
def test_window_of_one_and_compacting_every_three_files_change_nothing(raw, single, client, tmp_path, monkeypatch):
    """One file on the cluster at a time (results still handed on in file order) and the small tables folded every
    3 files: the same warehouse (the defaults, 4 tasks per worker thread and every 256 files, are the same code)."""
    stages = sys.modules["trailstrength.warehouse.ingest"]
    monkeypatch.setattr(stages, "COMPACT_EVERY", 3)
    lock, running, most = threading.Lock(), [0], [0]
    real = read_files.read_file

    def counted(path, ctx, samples_dir):  # the workers are threads of this process (processes=False)
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        try:
            return real(path, ctx, samples_dir)
        finally:
            with lock:
                running[0] -= 1

    monkeypatch.setattr(read_files, "read_file", counted)
    wh = tmp_path / "wh"
    read = lambda *a, **k: warehouse_dask.read_files_on(client, *a, window=1, **k)  # noqa: E731
    stages.ingest(raw, warehouse=wh, progress=False, read_files=read)
    assert most[0] == 1
    for name in KEYS:
        pd.testing.assert_frame_equal(_table(wh, name), _table(single, name), obj=name)
    pd.testing.assert_frame_equal(warehouse.Warehouse(wh).runs, warehouse.Warehouse(single).runs)


@pytest.mark.slow  # Dask ingests on a LocalCluster (6-30 s each at load 10)
def test_rerun_reads_nothing(raw, client, tmp_path):
    wh = tmp_path / "wh"
    first = warehouse_dask.ingest(raw, warehouse=wh, client=client, progress=False)
    stamp = (wh / "manifest.parquet").stat().st_mtime_ns
    again = warehouse_dask.ingest(raw, warehouse=wh, client=client, progress=False)
    assert again.read == [] and len(again.unchanged) == len(first.manifest)
    assert (wh / "manifest.parquet").stat().st_mtime_ns == stamp  # nothing written


@pytest.mark.slow  # Dask ingests on a LocalCluster (6-30 s each at load 10)
def test_worker_failure_quarantines_one_file_and_rerun_resumes(raw, single, client, tmp_path, monkeypatch):
    victim = sorted(p for p in raw.rglob("*.fit"))[1]
    rel = victim.relative_to(raw).as_posix()
    real = read_files.read_file

    def flaky(path, ctx, samples_dir):
        if ctx.path == rel:
            raise MemoryError("simulated worker failure")  # not caught by read_file's reader-fault handling
        return real(path, ctx, samples_dir)

    monkeypatch.setattr(read_files, "read_file", flaky)
    wh = tmp_path / "wh"
    report = warehouse_dask.ingest(raw, warehouse=wh, client=client, progress=False)
    m = report.manifest.set_index("path")
    assert m.loc[rel, "state"] == "quarantined"
    assert "worker failed: MemoryError: simulated worker failure" in m.loc[rel, "reason"]
    assert (m["state"] == "ingested").sum() == (_table(single, "manifest")["state"] == "ingested").sum() - 1

    # the next run retries the file a worker failed on (the fault was the worker's, not the file's), then rests
    monkeypatch.setattr(read_files, "read_file", real)
    again = warehouse_dask.ingest(raw, warehouse=wh, client=client, progress=False)
    assert again.read == [rel]
    for name in KEYS:
        pd.testing.assert_frame_equal(_table(wh, name), _table(single, name), obj=name)
    assert warehouse_dask.ingest(raw, warehouse=wh, client=client, progress=False).read == []


@pytest.mark.slow  # on the module's ingested 3-format cohort (its fixtures: 39-43 s at load 8)
def test_partitioned_tables_readable_by_other_engines(single):
    runs = warehouse.Warehouse(single).runs
    folder = single / "runs.parquet"
    assert folder.is_dir() and sorted(p.name for p in folder.glob("athlete_id=*")) == [
        f"athlete_id={a}" for a in sorted(runs["athlete_id"].unique())
    ]
    by_pandas = pd.read_parquet(folder)
    assert len(by_pandas) == len(runs) and set(by_pandas["athlete_id"].astype(str)) == set(runs["athlete_id"])
    import pyarrow.dataset as ds

    assert ds.dataset(folder, format="parquet", partitioning="hive").count_rows() == len(runs)
    import dask.dataframe as dd

    ddf = dd.read_parquet(str(single / "samples.parquet"))
    assert len(ddf) == len(warehouse.Warehouse(single).samples())
    assert sorted(dd.read_parquet(str(folder))["activity_id"].compute()) == sorted(runs["activity_id"])
    duckdb = pytest.importorskip("duckdb", reason="duckdb is only a readability check, not a dependency")
    n = duckdb.sql(
        f"select count(*), count(distinct athlete_id) from read_parquet('{folder}/*/*.parquet', hive_partitioning=true)"
    ).fetchall()[0]
    assert n == (len(runs), runs["athlete_id"].nunique())


@pytest.mark.slow  # on the module's ingested 3-format cohort (its fixtures: 39-43 s at load 8)
def test_dataset_round_trip_keeps_frame(single, tmp_path):
    segs = warehouse.Warehouse(single).segments
    storage.atomic_dataset(segs, tmp_path / "segments.parquet")
    back = storage.read_dataset(tmp_path / "segments.parquet")
    expected = segs.sort_values("athlete_id", kind="stable").reset_index(drop=True)
    pd.testing.assert_frame_equal(back, expected)
    empty = segs.iloc[:0]
    storage.atomic_dataset(empty, tmp_path / "segments.parquet")
    pd.testing.assert_frame_equal(storage.read_dataset(tmp_path / "segments.parquet"), empty.reset_index(drop=True))
    assert not list(tmp_path.glob(".segments.parquet.*"))  # no temporary or old folder left behind


@pytest.mark.slow  # on the module's ingested 3-format cohort (its fixtures: 39-43 s at load 8)
def test_crash_between_swaps_reads_previous_folder(single, tmp_path):
    wh = tmp_path / "wh"
    shutil.copytree(single, wh)
    runs = warehouse.Warehouse(wh).runs
    (wh / "runs.parquet").rename(wh / ".runs.parquet.0123.old")  # the state between the two renames
    pd.testing.assert_frame_equal(warehouse.Warehouse(wh).runs, runs)


@pytest.mark.slow  # on the module's ingested 3-format cohort (its fixtures: 39-43 s at load 8)
def test_panels_never_load_all_samples(single, monkeypatch):
    def refuse(self, activity_ids=None, athletes=None):
        raise AssertionError("panel building read samples")

    monkeypatch.setattr(warehouse.Warehouse, "samples", refuse)
    h1, h2 = analysis.panels(warehouse.Warehouse(single))
    assert len(h1) or len(h2)


@pytest.mark.slow  # on the module's ingested 3-format cohort (its fixtures: 39-43 s at load 8)
def test_meta_unchanged_by_layout(single):
    assert json.loads((single / "meta.json").read_text())["terrain_version"]


@pytest.mark.slow
def test_cli_dask_local_process_cluster(raw, single, tmp_path):
    """``trailstrength ingest RAW --dask --workers 2``: real worker processes, same warehouse."""
    from typer.testing import CliRunner

    from trailstrength.cli import app

    wh = tmp_path / "wh"
    result = CliRunner().invoke(
        app, ["ingest", str(raw), "--warehouse", str(wh), "--dask", "--workers", "2", "--no-progress"]
    )
    assert result.exit_code == 0, result.output
    for name in KEYS:
        pd.testing.assert_frame_equal(_table(wh, name), _table(single, name), obj=name)
    pd.testing.assert_frame_equal(_samples(wh), _samples(single), obj="samples")


def test_file_urls_name_local_paths_and_object_stores_are_refused(tmp_path):
    from pathlib import Path

    from trailstrength import config

    assert config.path("raw", (tmp_path / "a b").as_uri()) == tmp_path / "a b"
    assert config.path("warehouse", Path((tmp_path / "wh").as_uri())) == tmp_path / "wh"  # as typer passes it
    with pytest.raises(ValueError, match="only local paths and file:// URLs"):
        config.path("raw", "s3://bucket/raw")
