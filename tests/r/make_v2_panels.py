"""Write the pinned v2 panels and design matrices the R oracle of the v2 primary rows fits.

Run once from the repository root (the CSVs are committed)::

    PYTHONPATH=src python tests/r/make_v2_panels.py

Panels: :func:`trailstrength.simulate.panels.simulate_panels` with 8 athletes x 14 weeks, the default planted
effects and seed :data:`SEED`, the columns the v2 primary models read (tests/data/r_panel_v2_h1.csv,
r_panel_v2_h2.csv; values rounded to 6 decimals, which is part of the data).  Designs: the fixed-effect design
matrix that ``fit_h1`` / ``fit_h2`` with ``version="v2"`` build from those panels (within/between split on the
complete rows, natural-spline columns of the descent exposures, the within-athlete season trend), with the
outcome and the athlete (tests/data/r_design_v2_h1.csv, r_design_v2_h2.csv; 12 significant digits).
tests/r/primary_v2.R fits lmer on the designs; tests/test_r_oracle.py checks that our fits build the pinned
designs and that the ``df`` and ``p_value`` of the effects table agree with lmerTest.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from trailstrength.models.primary import fit_h1, fit_h2
from trailstrength.simulate import CohortDesign, simulate_panels

SEED = 20261203
DATA = Path(__file__).resolve().parents[1] / "data"
H1_COLUMNS = ["athlete_id", "local_date", "dpi", "hinge_sets_28d", "descent_100m_28d", "run_km_28d"]
H1_COLUMNS += ["mean_descent_grade", "distance_km"]
H2_COLUMNS = ["athlete_id", "local_date", "soreness_peak_72h", "descent_100m", "hinge_sets_28d", "descent_100m_28d"]
H2_COLUMNS += ["hinge_sets_pre3d", "other_descent_100m_pre72h"]


def panels() -> tuple[pd.DataFrame, pd.DataFrame]:
    cohort = simulate_panels(CohortDesign(athletes=8, weeks=14), seed=SEED)
    out = []
    for panel, columns in ((cohort.h1, H1_COLUMNS), (cohort.h2, H2_COLUMNS)):
        p = panel[columns].copy()
        p["local_date"] = pd.to_datetime(p["local_date"]).dt.strftime("%Y-%m-%d")
        out.append(p.round(6))
    return out[0], out[1]


def design(fit) -> pd.DataFrame:
    """Outcome, athlete and fixed-effect columns (intercept left out) of a MixedLM fit, as R reads them."""
    model = fit.result.model
    x = pd.DataFrame(model.exog, columns=model.exog_names).drop(columns="Intercept")
    return pd.concat([pd.DataFrame({"y": model.endog, "athlete_id": model.groups}), x], axis=1)


def read_panels() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The pinned panels as the tests read them."""
    return pd.read_csv(DATA / "r_panel_v2_h1.csv"), pd.read_csv(DATA / "r_panel_v2_h2.csv")


if __name__ == "__main__":
    h1, h2 = panels()
    h1.to_csv(DATA / "r_panel_v2_h1.csv", index=False)
    h2.to_csv(DATA / "r_panel_v2_h2.csv", index=False)
    h1, h2 = read_panels()  # the designs of the panels as written (rounded)
    for name, fit in (("h1", fit_h1(h1, version="v2")), ("h2", fit_h2(h2, version="v2"))):
        design(fit).to_csv(DATA / f"r_design_v2_{name}.csv", index=False, float_format="%.12g")
        print(f"{name}: {fit.model}, {len(fit.result.model.endog)} rows")
