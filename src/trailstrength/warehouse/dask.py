"""The same ingest on a Dask cluster, for research-scale cohorts (``pip install "trailstrength[scale]"``).

:func:`ingest` is :func:`trailstrength.warehouse.ingest` with the file reading mapped over Dask workers instead of
a local process pool: everything else — scanning, hashing, the manifest diff, duplicates across sources, the
runs table with its per-athlete history, the atomic writes with the manifest last — stays on the client and is
the very same code, so a Dask-built warehouse equals a single-machine one row for row (``tests/test_scale.py``).

Each task is :func:`trailstrength.warehouse.read_files.read_file` on one input file: the worker reads it, cleans its
samples, computes the terrain of each activity and writes the samples straight into the warehouse's staging folder
(``<warehouse>/.staging/samples.parquet/athlete_id=<id>/<activity_id>.parquet``, published at the commit); it
sends back only the small tables (one activity row, strength sets, wellness) and the terrain segments and summary.
The client never holds samples, and never more than a window of results: :func:`read_files_on` keeps a bounded
number of tasks on the cluster and hands each result on in file order as soon as it arrives, and ingest folds every
few hundred of them into one frame per table (``_Batch.compact``).
A task that fails (an exception the reader did not catch, a worker killed by the OOM killer ...) quarantines its
one file with the reason in the manifest; the batch goes on. A re-run reads only new or changed files.

Workers and client must see the raw folder and the warehouse under the same absolute paths (a shared
filesystem). ``dask`` is imported only when these functions run, so the default install does not need it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from trailstrength import config
from trailstrength.io import FileContext
from trailstrength.progress import track
from trailstrength.warehouse import read_files as reading
from trailstrength.warehouse.ingest import IngestReport
from trailstrength.warehouse.ingest import ingest as _ingest
from trailstrength.warehouse.read_files import FileResult

INSTALL_HINT = 'Dask is not installed: pip install "trailstrength[scale]" (dask[distributed])'


def _distributed():
    try:
        import distributed
    except ImportError as err:  # pragma: no cover - exercised only without the extra
        raise ImportError(INSTALL_HINT) from err
    return distributed


#: Entries distributed keeps in its developer logs of recent messages and transitions (its default is 1,000). The
#: client's log of the messages it sent holds the submitted files' tasks with their arguments (after a 25-athlete
#: ingest 441 task wrappers were alive with the default, 123 with this); a short log bounds that. It is not what
#: makes the client grow with the cohort (issue 19: ~20 KB per file read either way).
LOW_LEVEL_LOG_LENGTH = 50


@contextlib.contextmanager
def cluster_client(scheduler: str | None = None, workers: int | None = None, *, processes: bool = True) -> Iterator:
    """A ``distributed.Client`` on ``scheduler`` (``tcp://host:8786``) or on a local cluster of ``workers``.

    A local cluster runs one single-threaded worker process per core by default (the readers hold the GIL
    for most of their time, so threads would not add throughput); it is closed on exit. A client of an
    existing scheduler is closed on exit, the cluster is left running. Both keep short developer logs
    (:data:`LOW_LEVEL_LOG_LENGTH`), so the client's memory does not grow with the files submitted.
    """
    distributed = _distributed()
    import dask

    with dask.config.set({"distributed.admin.low-level-log-length": LOW_LEVEL_LOG_LENGTH}):
        if scheduler:
            with distributed.Client(scheduler) as client:
                yield client
            return
        n = config.workers(workers)
        with (
            distributed.LocalCluster(
                n_workers=n, threads_per_worker=1, processes=processes, dashboard_address=":0"
            ) as cluster,
            distributed.Client(cluster) as client,
        ):
            yield client


#: Tasks in flight per worker thread: enough to keep every worker busy between two scheduler round trips, few
#: enough that the client never holds more than a window of results (issue 19: client memory flat in the cohort)
WINDOW_PER_THREAD = 4
#: A finished file waits in the client for the files before it (results go out in job order) at most this many
#: windows ahead; a slow file at the head stops new submissions rather than letting the waiting results grow
LOOKAHEAD_WINDOWS = 8


def read_files_on(
    client,
    jobs: list[tuple[Path, FileContext]],
    samples_dir: Path,
    *,
    workers: int | None = None,
    progress: bool = True,
    label: str = "reading files (dask)",
    window: int | None = None,
) -> Iterator[FileResult]:
    """:func:`~trailstrength.warehouse.read_files.read_file` for every job on the cluster of ``client``, in job order.

    Same contract as :func:`trailstrength.warehouse.read_files.read_files` (``workers`` is ignored: the cluster has
    its own), but streamed: at most ``window`` files (default :data:`WINDOW_PER_THREAD` per worker thread, at
    least 8) are on the cluster at once, each result is handed on as soon as the files before it have been, and
    its future is released at once. The client's memory is bounded by the window, not by the cohort: the
    scheduler never holds more than ``window`` tasks of this ingest, and the caller decides what to keep of each
    result.
    """
    return track(
        _ordered_results(client, jobs, samples_dir, window), label, show=progress and bool(jobs), total=len(jobs)
    )


def _ordered_results(client, jobs, samples_dir, window: int | None) -> Iterator[FileResult]:
    """The results of :func:`read_files_on` in job order, submitting as a sliding window (see there)."""
    distributed = _distributed()
    if not jobs:
        return
    if window is None:
        threads = sum(w.get("nthreads", 1) for w in client.scheduler_info()["workers"].values())
        window = max(8, WINDOW_PER_THREAD * threads)
    dest = str(Path(samples_dir).resolve())
    done = distributed.as_completed(with_results=True, raise_errors=False)
    index: dict[str, int] = {}
    finished: dict[int, FileResult] = {}  # results waiting for an earlier file
    submitted = handed = 0
    while handed < len(jobs):
        while (
            submitted < len(jobs)
            and submitted - handed - len(finished) < window
            and submitted - handed < window * LOOKAHEAD_WINDOWS
        ):
            path, ctx = jobs[submitted]
            fut = client.submit(_read_file_task, str(Path(path).resolve()), ctx, dest, pure=False)
            index[fut.key] = submitted
            done.add(fut)
            submitted += 1
        while handed not in finished:
            fut, res = next(done)
            k = index.pop(fut.key)
            if fut.status == "finished":
                finished[k] = res
            else:  # the task raised, or its worker died (KilledWorker): this file only
                err = res if isinstance(res, BaseException) else fut.exception()
                finished[k] = reading.worker_failed(jobs[k][1].path, err)
            fut.release()
        while handed in finished:
            yield finished.pop(handed)
            handed += 1


def _read_file_task(path: str, ctx: FileContext, samples_dir: str) -> FileResult:
    # looked up at call time, so a test can make one file fail on the workers (processes=False)
    return reading.read_file(path, ctx, samples_dir)


def ingest(
    raw=None,
    *,
    warehouse=None,
    scheduler: str | None = None,
    workers: int | None = None,
    client=None,
    progress: bool = True,
) -> IngestReport:
    """Build or update the warehouse with the file reading on a Dask cluster.

    Parameters
    ----------
    raw, warehouse : path, optional
        As :func:`trailstrength.warehouse.ingest`; both must be on a filesystem every worker sees at the same
        absolute path.
    scheduler : str, optional
        Address of a running scheduler (``tcp://host:8786``); ``None`` starts a local cluster.
    workers : int, optional
        Worker processes of the local cluster (default :func:`trailstrength.config.workers`).
    client : distributed.Client, optional
        An existing client to use instead (left open).
    progress : bool
        Show a progress bar while the files are read.

    Returns
    -------
    IngestReport
        As :func:`trailstrength.warehouse.ingest`; the warehouse equals a single-machine one row for row.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import distributed
    >>> from trailstrength.simulate import simulate_cohort
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = simulate_cohort(folder / "raw", athletes=1, weeks=1, seed=1, truth_dir=folder / "truth")
    >>> with distributed.Client(processes=False, n_workers=1, dashboard_address=":0") as client:
    ...     report = ingest(folder / "raw", warehouse=folder / "wh", client=client, progress=False)
    >>> report.counts()
    {'files': 6, 'read': 6, 'unchanged': 0, 'removed': 0, 'ingested': 6}
    """
    raw = config.path("raw", raw).resolve()
    root = config.path("warehouse", warehouse).resolve()
    if client is not None:
        return _ingest(
            raw, warehouse=root, progress=progress, read_files=lambda *a, **k: read_files_on(client, *a, **k)
        )
    with cluster_client(scheduler, workers) as c:
        return _ingest(raw, warehouse=root, progress=progress, read_files=lambda *a, **k: read_files_on(c, *a, **k))
