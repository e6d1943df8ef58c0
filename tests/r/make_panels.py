"""Write the fixed panels the R oracle fits: tests/data/r_panel_h1.csv and r_panel_h2.csv.

Run once from the repository root (the CSVs are committed; rerunning must reproduce them byte for byte)::

    PYTHONPATH=src python tests/r/make_panels.py

The panels come from :func:`trailstrength.simulate.panels.simulate_panels` with 8 athletes x 14 weeks, the
default planted effects (without the climb effect, and with ``hinge_mix=False``: every hinge set an RDL, as
when they were written) and seed 20260407.  H1 additionally gets an athlete-specific within slope (SD 0.01 DPI
per weekly set, from ``numpy.random.default_rng(7)``) so that the random-slope model is supported and can be
compared with lme4.  Values are rounded to 6 decimals: Python and R both read these files, so the rounding is
part of the data.  The H2 file also carries ``soreness_cat``, soreness binned as in
:func:`trailstrength.models.ordinal.bin_soreness` (0-2, 3-4, 5-6, 7-10 -> 0, 1, 2, 3).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np

from trailstrength.models.ordinal import bin_soreness
from trailstrength.simulate import CohortDesign, PlantedEffects, simulate_panels

SEED = 20260407
DATA = Path(__file__).resolve().parents[1] / "data"


def panels():
    # hinge_soreness="per_run", every hinge set an RDL and no climb effect: the generative model the panels were
    # first written with (pinned data)
    design = CohortDesign(athletes=8, weeks=14, hinge_soreness="per_run", hinge_mix=False)
    cohort = simulate_panels(design, replace(PlantedEffects(), cpi_per_hinge_set=0.0), seed=SEED)
    h1 = cohort.h1[
        ["athlete_id", "dpi", "hinge_sets_28d", "descent_100m_28d", "run_km_28d", "mean_descent_grade", "duration_h"]
    ].copy()
    rng = np.random.default_rng(7)
    slopes = dict(zip(sorted(h1["athlete_id"].unique()), rng.normal(0, 0.01, h1["athlete_id"].nunique())))
    within = h1["hinge_sets_28d"] - h1.groupby("athlete_id")["hinge_sets_28d"].transform("mean")
    h1["dpi"] = h1["dpi"] + h1["athlete_id"].map(slopes) * within
    h2 = cohort.h2[
        [
            "athlete_id",
            "soreness_peak_72h",
            "descent_100m",
            "hinge_sets_28d",
            "descent_100m_28d",
            "hinge_sets_acute",
            "other_descent_100m_72h",
        ]
    ].copy()
    h2["soreness_cat"] = bin_soreness(h2["soreness_peak_72h"]).cat.codes
    return h1.round(6), h2.round(6)


if __name__ == "__main__":
    h1, h2 = panels()
    h1.to_csv(DATA / "r_panel_h1.csv", index=False)
    h2.to_csv(DATA / "r_panel_h2.csv", index=False)
    print(f"wrote {len(h1)} H1 rows and {len(h2)} H2 rows to {DATA}")
