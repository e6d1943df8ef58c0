"""The H1/H2 panels of a warehouse built a batch of athletes at a time (issue 19: analysis out of core).

The warehouse side of :func:`trailstrength.features.panels.panels_in_batches`: each batch reads only its athletes'
partitions, so the panels of a 1,000-athlete warehouse never hold every run in pandas at once.  It lives here, not in
``features``, because features come before the warehouse in the flow (ingest derives tables with them).
"""

from __future__ import annotations

import pandas as pd

from trailstrength.features import panels
from trailstrength.warehouse import storage

__all__ = ["run_athletes", "warehouse_panels"]


def warehouse_panels(
    wh,
    window_days: int = panels.WINDOW_DAYS,
    *,
    variants: bool = False,
    coverage: pd.DataFrame | None = None,
    batch_athletes: int | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The H1 and H2 panels of warehouse ``wh`` (a :class:`~trailstrength.warehouse.Warehouse`, with its
    selection), read and built ``batch_athletes`` athletes at a time (default
    :data:`~trailstrength.features.panels.PANEL_BATCH_ATHLETES`; see
    :func:`~trailstrength.features.panels.panels_in_batches`).

    Each batch reads only its athletes' partitions of the ``runs`` dataset and their rows of ``strength_sets`` and
    ``wellness`` (a filtered scan: the other rows are never turned into pandas), so ``analyze`` on a 1,000-athlete
    warehouse holds one batch's tables at a time rather than every run of the cohort.
    """
    athletes = run_athletes(wh.root)
    if wh.selection.athletes is not None:
        athletes = [a for a in athletes if a in set(wh.selection.athletes)]

    def tables_of(batch: list[str]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        def read(name: str) -> pd.DataFrame:
            frame = storage.read_table(wh.root, name, athletes=batch if batch else None)
            frame = frame.iloc[:0] if not batch else frame  # no athletes: the empty tables
            return frame if wh.selection.everything else wh.selection.rows(frame).reset_index(drop=True)

        return read("runs"), read("strength_sets"), read("wellness")

    return panels.panels_in_batches(
        tables_of,
        athletes,
        window_days,
        variants=variants,
        coverage=coverage,
        batch_athletes=batch_athletes or panels.PANEL_BATCH_ATHLETES,
    )


def run_athletes(root) -> list[str]:
    """The athletes with runs in the warehouse at ``root``, sorted: the partition folders of ``runs.parquet``
    (or the ``athlete_id`` column of a single-file runs table)."""
    folder = storage.table_path(root, "runs")
    if folder.is_dir():
        return sorted(d.name.split("=", 1)[1] for d in folder.glob(f"{storage.PARTITION_COLUMN}=*") if d.is_dir())
    if folder.is_file():
        return sorted(pd.read_parquet(folder, columns=[storage.PARTITION_COLUMN])[storage.PARTITION_COLUMN].unique())
    return []
