"""One small simulated cohort and its warehouse, built once per test session and shared by the modules
that need real tables (figures, report, notebooks): 3 athletes x 8 weeks, seed 4 (~10 s)."""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from pathlib import Path


@functools.cache
def small_cohort() -> tuple[Path, Path]:
    """(raw folder, warehouse folder) of the shared cohort (removed when the test process exits)."""
    from trailstrength import warehouse
    from trailstrength.simulate import simulate_cohort

    root = Path(tempfile.mkdtemp(prefix="trailstrength-small-cohort-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    simulate_cohort(root / "raw", athletes=3, weeks=8, seed=4)
    warehouse.ingest(root / "raw", warehouse=root / "wh", progress=False)
    return root / "raw", root / "wh"
