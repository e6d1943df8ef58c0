"""Hostile input (issue 16): one file never stops an ingest, ids cannot escape the warehouse, gzip bombs are capped,
one writer at a time, and user text printed through rich is never markup. Every case is generated here, small."""

from __future__ import annotations

import contextlib
import dataclasses
import gzip
import multiprocessing
import random
import shutil
import zlib
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner
from warehouse_compare import assert_same_warehouse

from trailstrength.cli import app
from trailstrength.errors import WarehouseLocked
from trailstrength.io import FORMATS, Athlete, FileContext, ReaderError, open_bytes
from trailstrength.io.base import load_profile
from trailstrength.warehouse import ingest, read_files, storage
from trailstrength.warehouse import plan as planning

FIT = "heartandsole/testdata.fit"
GPX = "heartandsole/testdata.gpx"


def _mutant(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 3)):
        out[rng.randrange(len(out))] = rng.randrange(256)
    return bytes(out)


def _files_outside(root: Path, allowed: list[Path]) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and not any(a in p.parents for a in allowed)]


# ---------------------------------------------------------------------------------------------- 1. one file
def test_fit_that_panics_fitfast_is_read_not_raised(realdata, tmp_path):
    """Byte 1139 = 0x17 makes fitfast panic (pyo3 PanicException, a BaseException): fitdecode reads it instead."""
    data = bytearray(realdata(FIT).read_bytes())
    data[1139] = 0x17
    (tmp_path / "x.fit").write_bytes(data)
    ctx = FileContext("a/x.fit", "0" * 64, Athlete("a"))
    res = read_files.read_file(str(tmp_path / "x.fit"), ctx, str(tmp_path / "samples"))
    assert not res.reason and res.rows > 0
    assert any("fitfast failed (PanicException" in w for w in res.warnings)


def test_base_exception_in_a_reader_quarantines_only_that_file(tmp_path, monkeypatch, realdata):
    class Panic(BaseException):  # what pyo3 raises for a Rust panic: no Exception subclass
        pass

    def boom(data, ctx):
        raise Panic("attempt to calculate the remainder with a divisor of zero")

    monkeypatch.setitem(FORMATS, "fit", dataclasses.replace(FORMATS["fit"], read=boom))
    shutil.copy(realdata(FIT), tmp_path / "x.fit")
    res = read_files.read_file(str(tmp_path / "x.fit"), FileContext("a/x.fit", "0" * 64, Athlete("a")), str(tmp_path))
    assert res.reason.startswith("unexpected Panic while reading") and "\n" not in res.reason
    monkeypatch.setitem(
        FORMATS,
        "fit",
        dataclasses.replace(FORMATS["fit"], read=lambda d, c: (_ for _ in ()).throw(KeyboardInterrupt())),
    )
    with pytest.raises(KeyboardInterrupt):  # the user's Ctrl-C still stops the run
        read_files.read_file(str(tmp_path / "x.fit"), FileContext("a/x.fit", "0" * 64, Athlete("a")), str(tmp_path))


@pytest.mark.parametrize("name, n", [("testdata.fit", 50), ("testdata.gpx", 75), ("testdata.tcx", 75)])
def test_fuzz_no_exception_escapes_the_reader(realdata, tmp_path, name, n):
    """200 byte-flipped copies in all (fixed seed), in-process: each is read or quarantined with a one-line reason."""
    data, rng = realdata(f"heartandsole/{name}").read_bytes(), random.Random(16)
    states = {"read": 0, "quarantined": 0}
    for k in range(n):
        (tmp_path / f"{k}-{name}").write_bytes(_mutant(data, rng))
        ctx = FileContext(f"a/{k}-{name}", f"{k:064d}", Athlete("a"))
        res = read_files.read_file(str(tmp_path / f"{k}-{name}"), ctx, str(tmp_path / "samples"))
        assert "\n" not in res.reason and "worker failed" not in res.reason
        states["quarantined" if res.reason else "read"] += 1
    assert sum(states.values()) == n and states["read"] > 0


def test_panicking_fit_in_the_process_pool(realdata, tmp_path, monkeypatch):
    """In the pool, a panic used to come back as PicklingError ('worker failed'); now the worker reads the file."""
    monkeypatch.setattr(read_files, "PARALLEL_MIN_BYTES", 0)  # the pool even for these 8 small files
    data = bytearray(realdata(FIT).read_bytes())
    data[1139] = 0x17
    (tmp_path / "x.fit").write_bytes(data)
    jobs = [(tmp_path / "x.fit", FileContext(f"a/{k}.fit", f"{k:064d}", Athlete("a"))) for k in range(8)]
    assert read_files.use_pool([p for p, _ in jobs], 2)
    results = read_files.read_files(jobs, tmp_path / "samples", workers=2, progress=False)
    assert [r.reason for r in results] == [""] * 8


def _raw_with_gpx(realdata, tmp_path: Path, folder: str = "ana") -> Path:
    raw = tmp_path / "raw"
    (raw / folder).mkdir(parents=True)
    shutil.copy(realdata(GPX), raw / folder / "run.gpx")
    return raw


def test_unreadable_file_and_profile_are_rows_not_tracebacks(realdata, tmp_path, monkeypatch):
    raw = _raw_with_gpx(realdata, tmp_path)
    (raw / "ana" / "locked.gpx").write_text("<gpx/>")
    (raw / "ana" / "athlete.toml").write_text('timezone = "Europe/Oslo"\n')
    real_sha, real_read_text = planning.sha256, Path.read_text

    def sha(path):
        if Path(path).name in ("locked.gpx", "athlete.toml"):
            raise PermissionError(13, "Permission denied")
        return real_sha(path)

    def read_text(self, *a, **k):
        if self.name == "athlete.toml":
            raise PermissionError(13, "Permission denied")
        return real_read_text(self, *a, **k)

    monkeypatch.setattr(planning, "sha256", sha)
    monkeypatch.setattr(Path, "read_text", read_text)
    rep = ingest(raw, warehouse=tmp_path / "wh", progress=False, workers=1)
    m = rep.manifest.set_index("path")
    assert m.loc["ana/locked.gpx", "state"] == "quarantined"
    assert m.loc["ana/locked.gpx", "reason"].startswith("cannot be read (PermissionError")
    assert m.loc["ana/run.gpx", "state"] == "ingested"
    assert any("athlete.toml: cannot be read" in w for w in rep.warnings["ana/athlete.toml"])


def test_profile_validated_field_by_field(tmp_path):
    folder = tmp_path / "ana"
    folder.mkdir()
    (folder / "athlete.toml").write_text(
        'athlete_id = "a/b"\ntimezone = 5\nstrength_unit = "lbs"\nbody_mass_kg = 71.5\nshoe = "x"\n'
    )
    athlete, problems = load_profile(folder)
    assert athlete == Athlete("ana", "UTC", False, strength_unit="lb", body_mass_kg=71.5)
    text = "\n".join(problems)
    assert "athlete.toml: timezone must be a str, not 5" in text
    assert "athlete_id 'a/b' is not a safe id" in text and "unknown key(s) 'shoe'" in text
    (folder / "athlete.toml").write_text('timezone = "../../etc/passwd"\nstrength_unit = "stone"\n')
    athlete, problems = load_profile(folder)
    assert athlete.timezone == "UTC" and athlete.strength_unit == "kg" and len(problems) == 2
    with pytest.raises(ReaderError, match="not an IANA time zone"):
        Athlete.from_folder(folder)


# ---------------------------------------------------------------------------------------------- 2. traversal
def test_athlete_id_cannot_write_outside_the_warehouse(realdata, tmp_path):
    base = tmp_path / "a" / "b" / "c" / "d"
    raw = _raw_with_gpx(realdata, base)
    (raw / "ana" / "athlete.toml").write_text('athlete_id = "../../../../tmp/x"\n')
    rep = ingest(raw, warehouse=base / "wh", progress=False, workers=1)
    assert _files_outside(tmp_path, [raw, base / "wh"]) == []
    assert rep.manifest["state"].tolist() == ["ingested"]
    assert storage.read_table(base / "wh", "activities")["athlete_id"].tolist() == ["ana"]
    with pytest.raises(ValueError, match="not a safe folder name"):
        storage.sample_path(base / "wh", "../x", "a1")


def test_unsafe_folder_names_map_to_safe_distinct_ids(tmp_path):
    ids = {load_profile(tmp_path / name)[0].athlete_id for name in ("a b", "a_b", "x%2Fy", ".hidden")}
    assert len(ids) == 4 and "a_b" in ids
    assert all(storage.partition_name(i) for i in ids)


# ---------------------------------------------------------------------------------------------- 3. gzip bomb
def test_gzip_bomb_is_capped_and_quarantined(realdata, tmp_path, monkeypatch):
    raw = _raw_with_gpx(realdata, tmp_path)
    deflate = zlib.compressobj(9, zlib.DEFLATED, 31)
    with open(raw / "ana" / "bomb.gpx.gz", "wb") as fh:  # 8 MB of zeros in about 8 kB
        for _ in range(8):
            fh.write(deflate.compress(bytes(1 << 20)))
        fh.write(deflate.flush())
    monkeypatch.setenv("TRAILSTRENGTH_MAX_INFLATED_MB", "2")
    with pytest.raises(ReaderError, match="decompresses beyond 2 MB"):
        open_bytes(raw / "ana" / "bomb.gpx.gz")
    m = ingest(raw, warehouse=tmp_path / "wh", progress=False, workers=1).manifest.set_index("path")
    assert m.loc["ana/bomb.gpx.gz", "state"] == "quarantined"
    assert "decompresses beyond 2 MB" in m.loc["ana/bomb.gpx.gz", "reason"]
    (raw / "ana" / "two.gpx.gz").write_bytes(gzip.compress(b"<?xml") + gzip.compress(b' version="1.0"?>'))
    assert open_bytes(raw / "ana" / "two.gpx.gz") == (b'<?xml version="1.0"?>', True)  # members read in turn


# ---------------------------------------------------------------------------------------------- 4. one writer
def _hold_lock(root, ready, release):
    with storage.lock(Path(root)):
        ready.set()
        release.wait(30)


def test_second_ingest_refuses_while_another_holds_the_lock(realdata, tmp_path):
    raw, wh = _raw_with_gpx(realdata, tmp_path), tmp_path / "wh"
    wh.mkdir()
    ctx = multiprocessing.get_context("spawn")
    ready, release = ctx.Event(), ctx.Event()
    holder = ctx.Process(target=_hold_lock, args=(str(wh), ready, release))
    holder.start()
    try:
        assert ready.wait(60)
        with pytest.raises(WarehouseLocked, match=rf"process {holder.pid}\).*\.ingest\.lock"):
            ingest(raw, warehouse=wh, progress=False, workers=1)
        out = CliRunner().invoke(app, ["ingest", str(raw), "--warehouse", str(wh), "--no-progress"])
        assert out.exit_code == 1 and "another ingest" in out.output and "Traceback" not in out.output
    finally:
        release.set()
        holder.join(30)
    assert ingest(raw, warehouse=wh, progress=False, workers=1).counts()["ingested"] == 1  # free again


def test_every_run_repairs_activities_without_samples(realdata, tmp_path):
    raw, wh = _raw_with_gpx(realdata, tmp_path), tmp_path / "wh"
    ingest(raw, warehouse=wh, progress=False, workers=1)
    files = list(storage.samples_dir(wh).rglob("*.parquet"))
    assert len(files) == 1
    files[0].unlink()  # what a racing writer's orphan clean-up did
    acts = storage.read_table(wh, "activities")
    assert len(storage.activities_missing_samples(wh, acts)) == 1
    rep = ingest(raw, warehouse=wh, progress=False, workers=1)
    assert rep.read == ["ana/run.gpx"] and files[0].is_file()
    assert storage.activities_missing_samples(wh, storage.read_table(wh, "activities")).empty
    assert ingest(raw, warehouse=wh, progress=False, workers=1).read == []  # and then nothing to do


# ---------------------------------------------------------------------------------------------- 5. rich markup
def test_markup_in_paths_and_exercise_names_is_printed_as_text(tmp_path):
    raw = tmp_path / "raw"
    (raw / "ana").mkdir(parents=True)
    (raw / "ana" / "[-].csv").write_text("[/] not a known format\n")
    (raw / "ana" / "strength.csv").write_text(  # FitNotes' columns
        "Date,Exercise,Category,Weight (kg),Weight (lbs),Reps,Distance,Distance Unit,Time,Notes,Kind\n"
        "2026-04-29,[/],Legs,100,,8,,,,,wr\n2026-04-29,[bold]x[/bold] [/],Legs,100,,8,,,,,wr\n"
    )
    runner = CliRunner()
    out = runner.invoke(app, ["ingest", str(raw), "--warehouse", str(tmp_path / "wh"), "--no-progress"])
    assert out.exit_code == 0, out.output
    assert "[-].csv" in out.output and "Traceback" not in out.output
    out = runner.invoke(app, ["exercises", "--unmatched", "--warehouse", str(tmp_path / "wh")])
    assert out.exit_code == 0, out.output
    assert "[/]" in out.output and "[bold]x[/bold]" in out.output
    assert pd.read_parquet(tmp_path / "wh" / "manifest.parquet")["path"].str.contains(r"\[-\]").any()


@pytest.mark.slow  # whole CLI ingests in subprocesses (11-21 s at load 10)
def test_two_ingests_started_together_leave_a_complete_warehouse(realdata, tmp_path):
    """Two CLI processes on one warehouse: one writes, the other refuses naming the lock (or runs after it); every
    committed activity has its samples file."""
    import subprocess
    import sys

    raw, wh = tmp_path / "raw", tmp_path / "wh"
    for folder in ("ana", "ben"):
        (raw / folder).mkdir(parents=True)
        for name in ("testdata.gpx", "testdata.tcx", "testdata.fit"):
            shutil.copy(realdata(f"heartandsole/{name}"), raw / folder / name)
        (raw / folder / "athlete.toml").write_text(f'timezone = "{"UTC" if folder == "ana" else "Europe/Oslo"}"\n')
    cmd = [sys.executable, "-m", "trailstrength.cli", "ingest", str(raw), "--warehouse", str(wh), "--no-progress"]
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for _ in range(2)]
    outs = [(p.wait(300), p.stdout.read()) for p in procs]
    assert sorted(rc for rc, _ in outs)[0] == 0
    for rc, text in outs:
        assert "Traceback" not in text
        assert rc == 0 or "another ingest" in text and ".ingest.lock" in text
    assert storage.activities_missing_samples(wh, storage.read_table(wh, "activities")).empty
    assert len(pd.read_parquet(wh / "manifest.parquet")) == 6


# ---------------------------------------------------------------------------------------------- 5, 7, 10
def test_reasons_never_quote_a_files_content(tmp_path):
    raw = tmp_path / "raw"
    (raw / "ana").mkdir(parents=True)
    (raw / "ana" / "notes.txt").write_text("Kari Nordmann, born 1980-01-01, phone +47 12345678\n")
    reason = ingest(raw, warehouse=tmp_path / "wh", progress=False, workers=1).manifest["reason"].iloc[0]
    assert reason.startswith("unrecognised format (") and "Kari" not in reason and "1234" not in reason


def test_symbolic_links_are_rows_never_followed(realdata, tmp_path):
    raw = _raw_with_gpx(realdata, tmp_path)
    secret = tmp_path / "outside" / "secret.csv"
    secret.parent.mkdir()
    secret.write_text("date,soreness\nsecret-line,3\n")
    (raw / "ana" / "link.csv").symlink_to(secret)
    (raw / "ana" / "linked_folder").symlink_to(secret.parent)
    (raw / "ben").symlink_to(secret.parent)
    m = ingest(raw, warehouse=tmp_path / "wh", progress=False, workers=1).manifest.set_index("path")
    links = ["ana/link.csv", "ana/linked_folder", "ben"]
    assert m.loc[links, "state"].eq("quarantined").all()
    assert m.loc[links, "reason"].str.startswith("a symbolic link: not followed").all()
    assert not m["reason"].astype(str).str.contains("secret-line").any()
    assert m.loc["ana/run.gpx", "state"] == "ingested"


def test_unreadable_folder_is_a_row_and_its_data_are_kept(realdata, tmp_path, monkeypatch):
    import os

    raw, wh = tmp_path / "raw", tmp_path / "wh"
    (raw / "ana" / "sub").mkdir(parents=True)
    shutil.copy(realdata(GPX), raw / "ana" / "sub" / "run.gpx")
    ingest(raw, warehouse=wh, progress=False, workers=1)
    real_scandir = os.scandir

    def scandir(path="."):
        if isinstance(path, str | os.PathLike) and Path(path).name == "sub":
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    rep = ingest(raw, warehouse=wh, progress=False, workers=1)
    m = rep.manifest.set_index("path")
    assert rep.removed == [] and m.loc["ana/sub/run.gpx", "state"] == "ingested"
    assert m.loc["ana/sub", "reason"].startswith("cannot be read (PermissionError")
    assert len(storage.read_table(wh, "activities")) == 1


def test_an_athlete_id_taken_by_another_folder_is_refused(realdata, tmp_path):
    raw = _raw_with_gpx(realdata, tmp_path)
    (raw / "bob").mkdir()
    shutil.copy(realdata("heartandsole/testdata.tcx"), raw / "bob" / "run.tcx")
    (raw / "bob" / "athlete.toml").write_text('athlete_id = "ana"\n')
    rep = ingest(raw, warehouse=tmp_path / "wh", progress=False, workers=1)
    assert set(rep.manifest["athlete_id"]) == {"ana", "bob"}
    assert any("already the id of folder 'ana'" in w for w in rep.warnings["bob/athlete.toml"])


@pytest.mark.slow  # whole CLI ingests in subprocesses (11-21 s at load 10)
def test_workers_exit_when_the_ingest_is_killed(realdata, tmp_path):
    """kill -9 of an ingest reading in a process pool: its worker processes are gone within seconds."""
    import signal
    import subprocess
    import sys
    import time

    psutil = pytest.importorskip("psutil")
    raw = tmp_path / "raw"
    (raw / "ana").mkdir(parents=True)
    data = realdata(GPX).read_bytes()
    for k in range(60):  # distinct content, so none is an identical copy
        (raw / "ana" / f"{k}.gpx").write_bytes(data + f"<!-- {k} -->".encode())
    wh = tmp_path / "wh"
    code = (  # the pool even for these 60 small files (read_files.PARALLEL_MIN_BYTES would read them in-process)
        "from trailstrength.warehouse import ingest, read_files; read_files.PARALLEL_MIN_BYTES = 0; "
        f"ingest({str(raw)!r}, warehouse={str(wh)!r}, workers=2)"
    )
    parent = subprocess.Popen([sys.executable, "-c", code], stderr=subprocess.DEVNULL)
    helpers = []
    try:
        deadline, workers = time.monotonic() + 120, []
        while time.monotonic() < deadline and len(workers) < 2:  # the pool's workers, under the fork server
            time.sleep(0.2)
            helpers = psutil.Process(parent.pid).children(recursive=True)
            workers = [p for p in helpers if p.ppid() != parent.pid]
        assert len(workers) >= 2, "the pool never started"
        parent.send_signal(signal.SIGKILL)
        parent.wait(10)
        gone, alive = psutil.wait_procs(workers, timeout=15)
        assert alive == []
    finally:
        parent.kill()
        for p in helpers:  # the fork server and resource tracker this test started
            with contextlib.suppress(psutil.NoSuchProcess):
                p.kill()


def test_samples_of_an_uncommitted_activity_are_not_read(realdata, tmp_path):
    """What a killed ingest leaves: a samples file whose activity was never committed stays invisible."""
    from trailstrength.warehouse import open_warehouse

    raw, wh = _raw_with_gpx(realdata, tmp_path), tmp_path / "wh"
    ingest(raw, warehouse=wh, progress=False, workers=1)
    committed = open_warehouse(wh).samples()
    (stray,) = storage.samples_dir(wh).rglob("*.parquet")
    shutil.copy(stray, stray.with_name("0123456789abcdef.parquet"))
    assert len(open_warehouse(wh).samples()) == len(committed) > 0
    assert len(open_warehouse(wh).samples(athletes=["ana"])) == len(committed)


_KILLED_BEFORE_COMMIT = """
import os, signal, sys
from trailstrength.warehouse import ingest
stages = sys.modules["trailstrength.warehouse.ingest"]
stages._commit = lambda *a, **k: os.kill(os.getpid(), signal.SIGKILL)  # kill -9 between the reads and the commit
ingest(sys.argv[1], warehouse=sys.argv[2], progress=False, workers=1)
"""


@pytest.mark.slow  # whole CLI ingests in subprocesses (11-21 s at load 10)
def test_kill_9_before_the_commit_leaves_no_visible_samples(realdata, tmp_path):
    """Samples are staged in ``.staging/`` until the commit: after kill -9 neither ``wh.samples()`` nor a reader
    globbing ``samples.parquet/*/*.parquet`` (DuckDB, dask) sees the killed run's activities; the next run clears
    the staging folder and equals a clean build."""
    import signal
    import subprocess
    import sys

    from trailstrength.warehouse import open_warehouse

    raw, wh = _raw_with_gpx(realdata, tmp_path), tmp_path / "wh"
    ingest(raw, warehouse=wh, progress=False, workers=1)
    before_files = sorted(p.relative_to(wh) for p in storage.samples_dir(wh).rglob("*.parquet"))
    before = open_warehouse(wh).samples()
    shutil.copy(realdata("heartandsole/testdata.tcx"), raw / "ana" / "run.tcx")
    shutil.copy(realdata(FIT), raw / "ana" / "run.fit")
    proc = subprocess.run([sys.executable, "-c", _KILLED_BEFORE_COMMIT, str(raw), str(wh)], capture_output=True)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()
    assert len(list(storage.staging_dir(wh).rglob("*.parquet"))) == 2  # the killed run did write its samples ...
    assert sorted(p.relative_to(wh) for p in storage.samples_dir(wh).rglob("*.parquet")) == before_files  # ... unseen
    pd.testing.assert_frame_equal(open_warehouse(wh).samples(), before)
    ingest(raw, warehouse=wh, progress=False, workers=1)
    assert not (wh / storage.STAGING).exists()
    ingest(raw, warehouse=tmp_path / "clean", progress=False, workers=1)
    assert_same_warehouse(wh, tmp_path / "clean")


def test_a_file_that_becomes_a_duplicate_on_a_later_run(realdata, tmp_path):
    """A GPX ingested alone, then the FIT of the same run added: the GPX becomes the duplicate (marking it raised
    TypeError when every reason so far was missing: the column was float64)."""
    raw, wh = _raw_with_gpx(realdata, tmp_path), tmp_path / "wh"
    ingest(raw, warehouse=wh, progress=False, workers=1)
    shutil.copy(realdata(FIT), raw / "ana" / "run.fit")
    m = ingest(raw, warehouse=wh, progress=False, workers=1).manifest.set_index("path")
    assert m.loc["ana/run.gpx", "state"] == "duplicate" and m.loc["ana/run.gpx", "duplicate_of"] == "ana/run.fit"


def test_empty_raw_folder_and_every_file_removed(tmp_path):
    """An athlete folder without files, then one diary ingested and removed: each run commits an empty manifest
    (a frame without columns raised SchemaViolation before)."""
    raw, wh = tmp_path / "raw", tmp_path / "wh"
    (raw / "ana").mkdir(parents=True)
    assert ingest(raw, warehouse=wh, progress=False, workers=1).counts()["files"] == 0
    (raw / "ana" / "diary.csv").write_text("date,time,soreness,regions\n2025-03-01,07:30,4,quads\n")
    assert ingest(raw, warehouse=wh, progress=False, workers=1).counts()["ingested"] == 1
    (raw / "ana" / "diary.csv").unlink()
    rep = ingest(raw, warehouse=wh, progress=False, workers=1)
    assert rep.removed == ["ana/diary.csv"] and len(rep.manifest) == 0
    assert storage.read_table(wh, "wellness").empty and storage.read_table(wh, "manifest").empty


def test_summary_counts_agree_with_its_table(realdata, tmp_path):
    """The counts are of the files read this run; so is the 'not ingested' table (a re-run said 'quarantined 0' above
    a table of one quarantined file). Files not ingested before and unchanged are one line."""
    raw = _raw_with_gpx(realdata, tmp_path)
    (raw / "ana" / "junk.gpx").write_text("<gpx><trk>")
    cmd = ["ingest", str(raw), "--warehouse", str(tmp_path / "wh"), "--no-progress"]
    first, again = (CliRunner().invoke(app, cmd) for _ in range(2))
    assert "quarantined 1" in first.output and "junk.gpx" in first.output and "not ingested" in first.output
    assert "quarantined 0" in again.output and "junk.gpx" not in again.output
    assert "1 unchanged file not ingested (`trailstrength status` lists them)" in again.output


def test_identical_copies_keep_the_first_in_path_order_whatever_came_first(realdata, tmp_path):
    """A byte-identical copy arriving later with an earlier path takes over as the kept file, as in a clean build
    (the property test found the kept copy depended on the order files arrived in)."""
    raw, wh = _raw_with_gpx(realdata, tmp_path, "ana"), tmp_path / "wh"
    (raw / "ana" / "z").mkdir()
    shutil.copy(raw / "ana" / "run.gpx", raw / "ana" / "z" / "copy.gpx")
    ingest(raw, warehouse=wh, progress=False, workers=1)
    shutil.copy(raw / "ana" / "run.gpx", raw / "ana" / "a-first.gpx")
    m = ingest(raw, warehouse=wh, progress=False, workers=1).manifest.set_index("path")
    assert m.loc["ana/a-first.gpx", "state"] == "ingested"
    assert m.loc[["ana/run.gpx", "ana/z/copy.gpx"], "duplicate_of"].eq("ana/a-first.gpx").all()
    ingest(raw, warehouse=tmp_path / "clean", progress=False, workers=1)
    assert_same_warehouse(wh, tmp_path / "clean")
