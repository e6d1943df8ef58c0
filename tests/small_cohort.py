"""One small simulated cohort and its warehouse, built once per test session and shared by the modules
that need real tables (figures, report, notebooks): 3 athletes x 8 weeks, seed 4 (~10 s); and its primary
analysis (``ts.analyze`` of that warehouse), also computed once per session and handed out as a copy."""

from __future__ import annotations

import atexit
import copy
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


@functools.cache
def _small_cohort_results():
    import trailstrength as ts

    return ts.analyze(small_cohort()[1])


def small_cohort_results():
    """``ts.analyze`` of the shared cohort's warehouse (nothing written), a deep copy per call so that no test sees
    another's changes: four tests that each analysed this warehouse now share one analysis."""
    return copy.deepcopy(_small_cohort_results())
