"""Run the pre-registered primary analysis on a warehouse and write its outputs.

``analyze`` builds the H1 and H2 panels from the warehouse tables, fits the primary models and writes
``effects.csv`` (the tidy vocabulary of DESIGN §8), ``panel_h1.parquet``, ``panel_h2.parquet`` and
``model_summary.txt`` into the output folder.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from trailstrength import config, features, models
from trailstrength.warehouse import Warehouse

CAVEAT = (
    "Observational associations, not causal effects: athletes choose when to lift and where to run. "
    "Every model adjusts for recent downhill running (the repeated-bout effect) and running volume; "
    "within-athlete terms compare an athlete with themselves."
)


@dataclass
class Results:
    """Outputs of one analysis: the tidy effects table, the panels, and a plain-text summary."""

    effects: pd.DataFrame
    h1_panel: pd.DataFrame
    h2_panel: pd.DataFrame
    summary: str
    out: Path | None = None

    @property
    def primary(self) -> pd.DataFrame:
        return self.effects[self.effects["primary"]].reset_index(drop=True)


def panels(wh: Warehouse) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The H1 (descent performance) and H2 (soreness) panels of a warehouse."""
    runs, sets = wh.runs, wh.strength_sets
    return features.h1_panel(runs, sets), features.h2_panel(runs, sets, wh.wellness)


def analyze(warehouse=None, out=None) -> Results:
    """Fit the primary family (H1, H2) and write the outputs to ``out`` (default ``config.path('results')``)."""
    wh = warehouse if isinstance(warehouse, Warehouse) else Warehouse(warehouse)
    h1, h2 = panels(wh)
    effects, text = models.fit_primary(h1, h2)
    summary = f"trailstrength primary analysis\nwarehouse: {wh.root}\n\n{CAVEAT}\n\n{text}"
    res = Results(effects, h1, h2, summary)
    if out is not False:
        res.out = write(res, config.path("results", out))
    return res


def write(res: Results, out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    res.effects.to_csv(out / "effects.csv", index=False)
    res.h1_panel.to_parquet(out / "panel_h1.parquet", index=False)
    res.h2_panel.to_parquet(out / "panel_h2.parquet", index=False)
    (out / "model_summary.txt").write_text(res.summary, encoding="utf-8")
    return out
