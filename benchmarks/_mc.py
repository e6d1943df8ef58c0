"""Shared Monte Carlo plumbing of the recovery benchmarks (run as scripts from this folder)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor


def run_reps(one_rep: Callable[[tuple], list[dict]], jobs: Sequence[tuple], workers: int) -> list[dict]:
    """``one_rep(job)`` for every job (in a process pool when ``workers > 1``), its row lists flattened in order."""
    if workers > 1:
        with ProcessPoolExecutor(workers) as pool:
            return [r for rs in pool.map(one_rep, jobs, chunksize=8) for r in rs]
    return [r for j in jobs for r in one_rep(j)]
