"""Time of ``trailstrength power``'s defaults (12 athletes x 16 weeks, the default grid), new against old, same run.

``new`` is this tree's :func:`trailstrength.models.power.simulate_power`: every simulated cohort fitted with the
primary path ``analyze`` uses (DESIGN §8 v2: season trend, descent splines, random slope by its REML
likelihood-ratio test, H1 Satterthwaite, H2 CR2), MixedLM on
:class:`~trailstrength.models.fast_mixedlm.FastMixedLM`.  ``old`` is the package at ``--old-ref`` (default
d437c69, the last commit before this change: v1 H1 with a random intercept and Wald z, H2 with the 1,999-replicate
cluster bootstrap), extracted with ``git archive`` into a temporary folder and run in a subprocess.  A second
``new`` row (``new, statsmodels MixedLM``) runs the same new path with statsmodels' own MixedLM, so the share of
the speed-up that comes from the likelihood arithmetic is visible.

Both run ``--sims`` cohorts (a fraction of the default 200) with ``--workers`` processes, one after the other;
the time for 200 cohorts is *extrapolated* linearly from that fraction and printed as such, with the load
average before and after (the machine is shared: quote the same-run ratio, not the absolute seconds).

    PYTHONPATH=src python benchmarks/bench_power.py [--sims 10] [--workers 2] [--old-ref d437c69]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SIMS = 200  # trailstrength power --sims default

RUN = """
import sys, time, warnings
warnings.simplefilter("ignore")
import trailstrength
from trailstrength.models import power
if {statsmodels}:
    from statsmodels.regression.mixed_linear_model import MixedLM
    import trailstrength.models.mixed as mixed
    mixed.FastMixedLM = MixedLM
t0 = time.perf_counter()
table = power.simulate_power(12, 16, sims={sims}, workers={workers}, seed={seed})
print(time.perf_counter() - t0)
print(table[["hypothesis", "effect", "power", "mean_estimate", "coverage"]].to_string(index=False), file=sys.stderr)
"""


def _run(src: Path, sims: int, workers: int, seed: int, statsmodels: bool = False) -> tuple[float, str]:
    env = {**os.environ, "PYTHONPATH": str(src), "MPLBACKEND": "Agg"}
    code = RUN.format(sims=sims, workers=workers, seed=seed, statsmodels=statsmodels)
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return float(done.stdout.strip().splitlines()[-1]), done.stderr


def _load() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sims", type=int, default=10, help="cohorts per grid point actually run (default 10)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--old-ref", default="d437c69", help="git ref of the old power code")
    ap.add_argument("--skip-statsmodels", action="store_true", help="leave out the new-path statsmodels row")
    args = ap.parse_args(argv)

    print(f"load average before: {_load()} ({os.cpu_count()} CPUs)")
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench_power_old_") as tmp:
        archive = subprocess.run(
            ["git", "-C", str(REPO), "archive", args.old_ref, "src"], capture_output=True, check=True
        )
        subprocess.run(["tar", "-x", "-C", tmp], input=archive.stdout, check=True)
        runs = [("new", REPO / "src", False), (f"old ({args.old_ref})", Path(tmp) / "src", False)]
        if not args.skip_statsmodels:
            runs.append(("new, statsmodels MixedLM", REPO / "src", True))
        for label, src, plain in runs:
            seconds, table = _run(src, args.sims, args.workers, args.seed, plain)
            rows.append((label, seconds))
            print(f"\n{label}: {seconds:.1f} s for {args.sims} cohorts x 7 grid points x 2 hypotheses")
            print(table)
    print(f"\nload average after: {_load()}")
    print(f"\n{'path':<28} {'measured s':>10} {'s/cohort':>9} {'200 cohorts (extrapolated)':>27}")
    for label, seconds in rows:
        per, full = seconds / args.sims, seconds / args.sims * DEFAULT_SIMS
        print(f"{label:<28} {seconds:>10.1f} {per:>9.2f} {full:>20.0f} s ({full / 60:.1f} min)")
    new = rows[0][1]
    for label, seconds in rows[1:]:
        print(f"ratio {label} / new: {seconds / new:.2f}")


if __name__ == "__main__":
    main()
