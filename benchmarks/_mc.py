"""Shared Monte Carlo plumbing of the recovery benchmarks (run as scripts from this folder)."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait


def run_reps(one_rep: Callable[[tuple], list[dict]], jobs: Sequence[tuple], workers: int) -> list[dict]:
    """``one_rep(job)`` for every job (in a process pool when ``workers > 1``), its row lists flattened in order."""
    if workers > 1:
        with ProcessPoolExecutor(workers) as pool:
            return [r for rs in pool.map(one_rep, jobs, chunksize=8) for r in rs]
    return [r for j in jobs for r in one_rep(j)]


def run_until(
    one_rep: Callable[[tuple], list[dict]],
    jobs: Sequence[tuple],
    workers: int,
    seconds: float,
    every: int = 0,
) -> dict[int, list[dict]]:
    """``{job index: one_rep(job)}`` for the jobs finished within ``seconds`` of wall time, started in order.

    At most ``2 * workers`` jobs are in flight, so stopping at the deadline wastes at most those; the caller
    keeps whatever complete set of jobs it needs (e.g. whole rounds of one cohort per world).  ``every > 0``
    prints a progress line to stderr every that many finished jobs.
    """
    done: dict[int, list[dict]] = {}
    stop = time.perf_counter() + seconds
    t0 = time.perf_counter()
    if workers <= 1:
        for i, job in enumerate(jobs):
            if time.perf_counter() >= stop:
                break
            done[i] = one_rep(job)
        return done
    with ProcessPoolExecutor(workers) as pool:
        pending, nxt = {}, 0
        while nxt < len(jobs) or pending:
            while nxt < len(jobs) and len(pending) < 2 * workers and time.perf_counter() < stop:
                pending[pool.submit(one_rep, jobs[nxt])] = nxt
                nxt += 1
            if not pending:
                break
            finished, _ = wait(pending, timeout=max(0.1, stop - time.perf_counter()), return_when=FIRST_COMPLETED)
            for f in finished:
                done[pending.pop(f)] = f.result()
                if every and len(done) % every == 0:
                    print(f"  {len(done)} of {len(jobs)} jobs, {time.perf_counter() - t0:.0f} s", file=sys.stderr)
            if time.perf_counter() >= stop:
                for f in pending:
                    f.cancel()
                break
    return done
