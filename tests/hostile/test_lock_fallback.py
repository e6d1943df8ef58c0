"""Issue 16, item 4 on systems without ``fcntl`` (Windows): the ``pidfile`` lock, forced here on Linux. One holder at a
time, the second refused naming the holder's process id; a lock whose process died (kill -9) is taken over; another
host's lock is never broken; nothing is left behind."""

from __future__ import annotations

import multiprocessing
import os
import signal
import socket
from pathlib import Path

import pytest

from trailstrength.errors import WarehouseLocked
from trailstrength.warehouse import ingest, locking, storage


def _hold(root, ready, release):
    with locking.lock(Path(root), method="pidfile"):
        ready.set()
        release.wait(60)


def _holder(wh: Path):
    ctx = multiprocessing.get_context("spawn")
    ready, release = ctx.Event(), ctx.Event()
    proc = ctx.Process(target=_hold, args=(str(wh), ready, release))
    proc.start()
    assert ready.wait(60)
    return proc, release


def test_second_holder_is_refused_and_the_file_goes_on_release(tmp_path):
    proc, release = _holder(tmp_path)
    try:
        assert (tmp_path / locking.LOCK).read_text().split()[:2] == [str(proc.pid), socket.gethostname()]
        refused = pytest.raises(WarehouseLocked, match=rf"process {proc.pid}\).*\.ingest\.lock")
        with refused, locking.lock(tmp_path, 0, method="pidfile"):
            pass
    finally:
        release.set()
        proc.join(30)
    assert not (tmp_path / locking.LOCK).exists()
    with locking.lock(tmp_path, 0, method="pidfile"):
        assert (tmp_path / locking.LOCK).read_text().split()[0] == str(os.getpid())
    assert not (tmp_path / locking.LOCK).exists()


def test_waits_for_the_holder_within_the_timeout(tmp_path):
    proc, release = _holder(tmp_path)
    try:
        release.set()  # the holder lets go within a fraction of a second; a 30 s wait gets the lock
        with locking.lock(tmp_path, 30, method="pidfile"):
            assert (tmp_path / locking.LOCK).read_text().split()[0] == str(os.getpid())
    finally:
        proc.join(30)


def test_lock_of_a_killed_ingest_is_taken_over(tmp_path):
    proc, release = _holder(tmp_path)
    os.kill(proc.pid, signal.SIGKILL)
    proc.join(30)
    assert (tmp_path / locking.LOCK).read_text().split()[0] == str(proc.pid)  # left behind by kill -9 ...
    assert not locking.process_alive(proc.pid)
    with locking.lock(tmp_path, 0, method="pidfile"):  # ... and stale: taken over at once
        assert (tmp_path / locking.LOCK).read_text().split()[0] == str(os.getpid())
    assert not list(tmp_path.glob(".ingest.lock*"))


@pytest.mark.parametrize("content", ["", "garbage\n", "4194999\n"])  # flock's empty file, no pid, no such process
def test_files_that_hold_no_live_process_are_stale(tmp_path, content):
    (tmp_path / locking.LOCK).write_text(content)
    with locking.lock(tmp_path, 0, method="pidfile"):
        pass
    assert not (tmp_path / locking.LOCK).exists()


def test_another_hosts_lock_is_never_broken(tmp_path):
    (tmp_path / locking.LOCK).write_text("4194999\nanother-machine.example\n")
    with pytest.raises(WarehouseLocked, match=r"process 4194999\)"), locking.lock(tmp_path, 0, method="pidfile"):
        pass
    assert (tmp_path / locking.LOCK).exists()


def test_live_flock_holder_is_respected_by_the_pidfile_lock(tmp_path):
    """A warehouse shared between the two methods: the flock holder's pid in the file keeps a pidfile writer out."""
    refused = pytest.raises(WarehouseLocked, match=rf"process {os.getpid()}\)")
    with locking.lock(tmp_path, 0, method="flock"), refused, locking.lock(tmp_path, 0, method="pidfile"):
        pass


def test_ingest_without_fcntl(realdata, tmp_path, monkeypatch):
    """The whole ingest on the fallback, as on Windows: it runs, and leaves no lock file."""
    monkeypatch.setattr(locking, "lock_method", lambda: "pidfile")
    raw = tmp_path / "raw"
    (raw / "ana").mkdir(parents=True)
    (raw / "ana" / "run.gpx").write_bytes(realdata("heartandsole/testdata.gpx").read_bytes())
    rep = ingest(raw, warehouse=tmp_path / "wh", progress=False, workers=1)
    assert rep.counts()["ingested"] == 1
    assert not (tmp_path / "wh" / storage.LOCK).exists()
