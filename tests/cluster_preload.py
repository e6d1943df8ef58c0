"""Worker preload for tests/test_cluster.py: lets the test kill a worker while it is reading a chosen file.

``dask worker --preload tests/cluster_preload.py`` runs this in every worker process at start. It is inert unless
``$TS_CLUSTER_TEST_DIR/victim`` exists and names a raw file (relative path): the first worker to start reading that
file writes its process id to ``started`` and sleeps, so the test can SIGKILL it mid-task; the task is then
rescheduled, and since ``started`` exists the next worker reads the file normally.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from trailstrength.warehouse import read_files

_DIR = Path(os.environ.get("TS_CLUSTER_TEST_DIR", "/nonexistent"))
# the original reader, kept once: a worker may execute this file again (a restarted worker process, a re-import)
_real = read_files.__dict__.setdefault("_read_file_before_preload", read_files.read_file)


def _read_file(path, ctx, samples_dir):
    victim, started = _DIR / "victim", _DIR / "started"
    if victim.exists() and ctx.path == victim.read_text().strip() and not started.exists():
        tmp = started.with_suffix(".tmp")
        tmp.write_text(str(os.getpid()))
        tmp.replace(started)
        time.sleep(120)  # the test kills this process long before
    return _real(path, ctx, samples_dir)


read_files.read_file = _read_file
