"""Speed of the H2 panel builder against a per-run reference loop, on the same tables in the same run.

``features.h2_panel`` finds each run's peak soreness on days d+1..d+3 and the other runs' descent on d..d+3 with
one MultiIndex lookup per day offset.  The reference below does the same with two lookups per run (what the
package did before); the script checks that both give the identical panel and prints their times and ratio.

The tables come from a warehouse (``--warehouse``; default: a 4-athlete x 16-week simulated cohort ingested into a
temporary folder), replicated ``--copies`` times under new athlete ids to reach cohort scale.

    PYTHONPATH=src python benchmarks/bench_panels.py [--warehouse reports/demo/warehouse] [--copies 30]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from trailstrength.features import panels
from trailstrength.features.exposures import daily_exposures, rolling_exposures


def reference_h2_panel(runs, strength_sets, wellness, window_days=28):
    """The per-run loop: two reindexes per run (the oracle the vectorised builder must equal); all columns."""
    exp = rolling_exposures(daily_exposures(runs, strength_sets), window_days)
    panel = panels._descent_runs(runs, exp, window_days)
    sore = wellness.dropna(subset=["soreness"]).groupby(["athlete_id", "local_date"])["soreness"].max()
    run_desc = runs.groupby(["athlete_id", "local_date"])["descent_m"].sum()
    peak, other = [], []
    for row in panel.itertuples():
        days = pd.date_range(row.local_date + pd.Timedelta(days=1), periods=3, freq="D")
        vals = sore.reindex([(row.athlete_id, d) for d in days]).dropna()
        peak.append(vals.max() if len(vals) else np.nan)
        window = [(row.athlete_id, d) for d in (row.local_date, *days)]
        other.append((run_desc.reindex(window).fillna(0).sum() - row.descent_m) / 100.0)
    panel["soreness_peak_72h"] = peak
    panel["other_descent_100m_72h"] = np.clip(other, 0, None)
    panel["descent_100m"] = panel["descent_m"] / 100.0
    return panel[panel["soreness_peak_72h"].notna()].reset_index(drop=True)


def _copies(df: pd.DataFrame, n: int) -> pd.DataFrame:
    parts = []
    for i in range(n):
        extra = {"activity_id": df["activity_id"] + f"-{i}"} if "activity_id" in df else {}
        parts.append(df.assign(athlete_id=df["athlete_id"] + f"-{i}", **extra))
    return pd.concat(parts, ignore_index=True)


def _tables(warehouse: Path | None):
    from trailstrength.warehouse import Warehouse, ingest

    if warehouse is None:
        from trailstrength.simulate import simulate_cohort

        tmp = Path(tempfile.mkdtemp(prefix="bench_panels_"))
        simulate_cohort(tmp / "raw", athletes=4, weeks=16, seed=7)
        ingest(tmp / "raw", warehouse=tmp / "wh", progress=False)
        warehouse = tmp / "wh"
    wh = Warehouse(warehouse)
    return wh.runs, wh.strength_sets, wh.wellness


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--warehouse", type=Path)
    ap.add_argument("--copies", type=int, default=30)
    a = ap.parse_args(argv)
    runs, sets, well = _tables(a.warehouse)
    runs, sets, well = _copies(runs, a.copies), _copies(sets, a.copies), _copies(well, a.copies)
    t0 = time.perf_counter()
    ref = reference_h2_panel(runs, sets, well)
    t1 = time.perf_counter()
    ours = panels.h2_panel(runs, sets, well, variants=True)
    t2 = time.perf_counter()
    pd.testing.assert_frame_equal(ref[list(ours.columns)], ours, check_dtype=False)
    print(
        f"bench_panels: h2_panel on {len(runs)} runs ({runs['athlete_id'].nunique()} athletes) -> {len(ours)} "
        f"panel rows, identical to the reference; per-run loop {t1 - t0:.2f} s, h2_panel {t2 - t1:.2f} s, "
        f"ratio {(t1 - t0) / (t2 - t1):.1f}x"
    )


if __name__ == "__main__":
    main()
