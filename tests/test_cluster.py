"""A real multi-process Dask cluster started from the command line: ``dask scheduler`` + two ``dask worker``.

The scheduler and two single-threaded workers (each a nanny and a worker process) run on localhost on free ports,
importing trailstrength from the tree under test (``PYTHONPATH``). ``trailstrength ingest --scheduler tcp://…``
runs as its own process (the first time with ``file://`` URLs for RAW and the warehouse). The warehouse it builds
must equal the single-process one row for row (every table and the samples), also when a worker is SIGKILLed
while reading a file: the scheduler reschedules that file on a live worker and nothing is lost or quarantined.
Every process is stopped in the fixture teardown.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

import trailstrength
from trailstrength import warehouse
from trailstrength.simulate import simulate_cohort
from trailstrength.warehouse.plan import IGNORED_NAMES

distributed = pytest.importorskip("distributed", reason='needs dask[distributed] (pip install -e ".[scale]")')
from test_scale import KEYS, _samples, _table  # noqa: E402 - after the skip: test_scale needs distributed too

pytestmark = pytest.mark.slow
BIN = Path(sys.executable).parent
PRELOAD = Path(__file__).with_name("cluster_preload.py")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stop(procs: list[subprocess.Popen]) -> None:
    """SIGTERM each process group we started (nanny + its worker), SIGKILL what is left after 10 s."""
    for p in procs:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    for p in procs:
        try:
            p.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()


@pytest.fixture(scope="module")
def cohort(tmp_path_factory):
    """A 2-athlete × 2-week cohort (FIT, TCX, GPX, strength logs, soreness) and its single-process warehouse."""
    out = tmp_path_factory.mktemp("cluster")
    raw = out / "raw"
    simulate_cohort(raw, athletes=2, weeks=2, seed=5, truth_dir=out / "truth", activity_formats=("fit", "tcx", "gpx"))
    single = out / "single"
    warehouse.ingest(raw, warehouse=single, progress=False, workers=1)
    return raw, single


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """``tcp://127.0.0.1:PORT`` of a scheduler with two worker processes, and the preload's control folder."""
    control = tmp_path_factory.mktemp("control")
    src = str(Path(trailstrength.__file__).resolve().parents[1])
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([src, *filter(None, [os.environ.get("PYTHONPATH")])]),
        "TS_CLUSTER_TEST_DIR": str(control),
    }
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    procs: list[subprocess.Popen] = []
    logs = control / "logs"
    logs.mkdir()

    def start(name: str, *args: str) -> None:
        with open(logs / f"{name}.log", "wb") as log:
            procs.append(
                subprocess.Popen(
                    [str(BIN / "dask"), *args], env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
                )
            )

    try:
        start(
            "scheduler",
            "scheduler",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-dashboard",
            "--idle-timeout",
            "600",
        )
        for k in range(2):
            start(
                f"worker{k}",
                "worker",
                address,
                "--name",
                f"w{k}",
                "--host",
                "127.0.0.1",
                "--nthreads",
                "1",
                "--no-dashboard",
                "--death-timeout",
                "60",
                "--preload",
                str(PRELOAD),
            )
        with distributed.Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=120)
            assert {w["name"] for w in client.scheduler_info()["workers"].values()} == {"w0", "w1"}
            assert set(client.run(lambda: trailstrength.__file__).values()) == {trailstrength.__file__}
        yield address, control
    finally:
        _stop(procs)
        assert all(p.poll() is not None for p in procs)


def _ingest(raw: Path | str, wh: Path | str, address: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(Path(trailstrength.__file__).resolve().parents[1])}
    cmd = [str(BIN / "trailstrength"), "ingest", str(raw), "--warehouse", str(wh), "--scheduler", address]
    return subprocess.Popen([*cmd, "--no-progress"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def _assert_same_warehouse(wh: Path, single: Path, raw: Path) -> None:
    for name in KEYS:
        pd.testing.assert_frame_equal(_table(wh, name), _table(single, name), obj=name)
    pd.testing.assert_frame_equal(_samples(wh), _samples(single), obj="samples")
    manifest = warehouse.Warehouse(wh).manifest
    inputs = {p.relative_to(raw).as_posix() for p in raw.rglob("*") if p.is_file() and p.name not in IGNORED_NAMES}
    assert set(manifest["path"]) == inputs  # every input accounted for
    assert not manifest["reason"].fillna("").str.contains("worker failed").any()


def test_cli_ingest_on_command_line_cluster(cohort, cluster, tmp_path):
    raw, single = cohort
    address, _ = cluster
    proc = _ingest(raw.as_uri(), (tmp_path / "wh").as_uri(), address)  # file:// URLs, as fsspec tooling writes them
    out, _ = proc.communicate(timeout=300)
    assert proc.returncode == 0, out.decode()
    _assert_same_warehouse(tmp_path / "wh", single, raw)
    assert len(_samples(tmp_path / "wh")) > 1_000


def test_worker_killed_mid_ingest_loses_nothing(cohort, cluster, tmp_path):
    raw, single = cohort
    address, control = cluster
    victim = sorted(raw.rglob("*.fit"))[0].relative_to(raw).as_posix()
    (control / "victim").write_text(victim)
    proc = _ingest(raw, tmp_path / "wh", address)
    try:
        deadline = time.monotonic() + 120
        while not (control / "started").exists():
            assert proc.poll() is None and time.monotonic() < deadline, "the victim file was never started"
            time.sleep(0.05)
        pid = int((control / "started").read_text())
        os.kill(pid, signal.SIGKILL)  # the worker process holding the file, mid-task
        out, _ = proc.communicate(timeout=300)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, out.decode()
    _assert_same_warehouse(tmp_path / "wh", single, raw)
    m = warehouse.Warehouse(tmp_path / "wh").manifest.set_index("path")
    assert m.loc[victim, "state"] == "ingested"
