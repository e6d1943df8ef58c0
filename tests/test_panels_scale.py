"""Panels built a batch of athletes at a time from partition-pruned reads equal the whole-table panels (issue 19).

The warehouse is written straight from the daily simulator's tables (tests/test_simpanels.py: runs, strength sets,
soreness; strength coverage declared over the simulated period), in the warehouse layout (runs partitioned by
athlete), so the test takes a second instead of an ingest.
"""

from __future__ import annotations

import pandas as pd
import pytest
from test_simpanels import tables_from_daily

from trailstrength import analysis, features
from trailstrength.features import panels
from trailstrength.features.coverage import declared_periods
from trailstrength.simulate import CohortDesign, simulate_daily
from trailstrength.warehouse import Warehouse, open_warehouse, storage
from trailstrength.warehouse.batches import warehouse_panels


def write_twin_warehouse(root, athletes: int, weeks: int, seed: int = 4) -> None:
    """A warehouse holding the daily simulator's runs, strength sets, soreness and declared strength coverage."""
    daily = simulate_daily(CohortDesign(athletes=athletes, weeks=weeks), seed=seed)
    runs, sets, wellness = tables_from_daily(daily)
    span = daily.groupby("athlete_id")["local_date"].agg(["min", "max"])
    coverage = pd.concat(
        [
            declared_periods({"strength": [[lo.date(), (hi + pd.Timedelta(days=7)).date()]]}, a)
            for a, (lo, hi) in span.iterrows()
        ],
        ignore_index=True,
    )
    storage.write_table(root, "runs", runs.reset_index(drop=True))
    for name, df in (("strength_sets", sets), ("wellness", wellness), ("coverage", coverage)):
        storage.atomic_parquet(df.reset_index(drop=True), storage.table_path(root, name))
    storage.atomic_parquet(pd.DataFrame({"path": pd.Series([], dtype="str")}), storage.table_path(root, "manifest"))


@pytest.fixture(scope="module")
def twin(tmp_path_factory):
    root = tmp_path_factory.mktemp("twin") / "wh"
    write_twin_warehouse(root, athletes=5, weeks=10)
    return root


def _whole(wh: Warehouse, variants: bool, window: int = 28):
    """The panels of the whole tables, read at once (what analysis.panels did before issue 19)."""
    cov = wh.coverage
    runs, sets = wh.runs, wh.strength_sets
    return (
        features.h1_panel(runs, sets, window, variants=variants, coverage=cov),
        features.h2_panel(runs, sets, wh.wellness, window, variants=variants, coverage=cov),
    )


def _assert_same(ours, theirs):
    for a, b in zip(ours, theirs, strict=True):
        pd.testing.assert_frame_equal(a, b)
        assert a.attrs["excluded"] == b.attrs["excluded"]


@pytest.mark.parametrize("batch", [1, 2, 100])
@pytest.mark.parametrize("variants", [False, True])
def test_batched_panels_equal_whole_table_panels(twin, batch, variants):
    wh = Warehouse(twin)
    whole = _whole(wh, variants)
    assert len(whole[0]) > 50 and len(whole[1]) > 50 and whole[0]["athlete_id"].nunique() == 5
    ours = warehouse_panels(wh, variants=variants, coverage=wh.coverage, batch_athletes=batch)
    _assert_same(ours, whole)


def test_batched_panels_of_a_selection(twin):
    wh = open_warehouse(twin, athletes=["ath02", "ath04", "nobody"], start="2025-03-20")
    whole = _whole(wh, variants=False)
    assert set(whole[0]["athlete_id"]) == {"ath02", "ath04"} and len(whole[0]) > 10
    _assert_same(warehouse_panels(wh, coverage=wh.coverage, batch_athletes=1), whole)
    # no athlete selected: whatever the whole-table path does (today it raises on the empty merge), the same
    empty = open_warehouse(twin, athletes="nobody")
    outcomes = []
    for build in (lambda: _whole(empty, False), lambda: warehouse_panels(empty, coverage=empty.coverage)):
        try:
            outcomes.append(build())
        except ValueError as err:
            outcomes.append(str(err))
    if isinstance(outcomes[0], str):
        assert outcomes[1] == outcomes[0]
    else:
        _assert_same(outcomes[1], outcomes[0])


def test_each_read_holds_one_batch_of_athletes(twin, monkeypatch):
    real, seen = storage.read_table, []

    def spy(root, name, athletes=None):
        frame = real(root, name, athletes=athletes)
        seen.append((name, athletes, set(frame["athlete_id"]) if "athlete_id" in frame else set()))
        return frame

    monkeypatch.setattr(storage, "read_table", spy)
    warehouse_panels(Warehouse(twin), coverage=None, batch_athletes=2)
    assert [s[1] for s in seen if s[0] == "runs"] == [["ath01", "ath02"], ["ath03", "ath04"], ["ath05"]]
    assert {s[0] for s in seen} == {"runs", "strength_sets", "wellness"}
    assert all(got <= set(batch) and got for _, batch, got in seen)  # filtered as read, never the whole table


def test_analysis_panels_reads_by_batch(twin, monkeypatch):
    monkeypatch.setattr(panels, "PANEL_BATCH_ATHLETES", 2)
    calls = []
    real = panels.panels_in_batches

    def spy(*args, **kwargs):
        calls.append(kwargs.get("batch_athletes"))
        return real(*args, **kwargs)

    monkeypatch.setattr(panels, "panels_in_batches", spy)
    wh = Warehouse(twin)
    _assert_same(analysis.panels(wh), _whole(wh, variants=False))
    assert calls == [panels.PANEL_BATCH_ATHLETES]
