"""Shared Monte Carlo plumbing of the recovery benchmarks (run as scripts from this folder)."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from pathlib import Path

import pandas as pd


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
    on_done: Callable[[int, list[dict]], None] | None = None,
) -> dict[int, list[dict]]:
    """``{job index: one_rep(job)}`` for the jobs finished within ``seconds`` of wall time, started in order.

    At most ``2 * workers`` jobs are in flight, so stopping at the deadline wastes at most those; the caller
    keeps whatever complete set of jobs it needs (e.g. whole rounds of one cohort per world).  ``every > 0``
    prints a progress line to stderr every that many finished jobs; ``on_done(index, rows)`` is called as each job
    finishes (e.g. to append its rows to a file, so an interrupted run keeps its work).
    """
    done: dict[int, list[dict]] = {}
    stop = time.perf_counter() + seconds
    t0 = time.perf_counter()
    if workers <= 1:
        for i, job in enumerate(jobs):
            if time.perf_counter() >= stop:
                break
            done[i] = one_rep(job)
            if on_done:
                on_done(i, done[i])
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
                i = pending.pop(f)
                done[i] = f.result()
                if on_done:
                    on_done(i, done[i])
                if every and len(done) % every == 0:
                    print(f"  {len(done)} of {len(jobs)} jobs, {time.perf_counter() - t0:.0f} s", file=sys.stderr)
            if time.perf_counter() >= stop:
                for f in pending:
                    f.cancel()
                break
    return done


def shortfalls(table: pd.DataFrame) -> list[str]:
    """Every row of a validation table that misses a target (issue 15), with its number: false-positive rate
    (``p<.05_%`` where ``reads_as`` is ``false_pos``) over 6 %, coverage outside 93-97 %, |bias| of 10 % of the
    planted effect or more."""
    msgs = []
    for _, r in table.iterrows():
        where = f"{r['world']} {r['term']} [{r['inference']}]"
        if r["reads_as"] == "false_pos" and r["p<.05_%"] > 6:
            msgs.append(f"{where}: false-positive rate {r['p<.05_%']:.1f} % > 6 %")
        if not 93 <= r["coverage_%"] <= 97:
            msgs.append(f"{where}: coverage {r['coverage_%']:.1f} % outside 93-97 %")
        if abs(r["bias_%"]) >= 10:
            msgs.append(f"{where}: bias {r['bias_%']:+.1f} % of the planted effect")
    return msgs


def finish_report(lines: list[str], table: pd.DataFrame, out: Path | None) -> str:
    """``lines`` then the table's :func:`shortfalls`, printed and (when ``out`` is given) written to ``out``."""
    misses = shortfalls(table)
    lines = [*lines, "", f"Shortfalls against the targets ({len(misses)}):", *(f"  {m}" for m in misses)]
    text = "\n".join(lines)
    print(text)
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text + "\n")
    return text
