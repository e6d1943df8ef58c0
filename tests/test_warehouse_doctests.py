"""The Examples sections of the warehouse modules run as doctests (without changing pytest's addopts globally)."""

from __future__ import annotations

import doctest
import importlib

import pytest

# modules whose public functions carry runnable Examples; each builds a one-athlete, one-week cohort (~2 s)
MODULES = [
    "trailstrength.progress",
    "trailstrength.warehouse.ingest",
    "trailstrength.warehouse.reader",
    "trailstrength.warehouse.plan",
]


@pytest.mark.parametrize("name", MODULES)
def test_examples_run(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.attempted > 0, f"{name} has no examples"
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples in {name} failed (output above)"


def test_dask_examples_run():
    pytest.importorskip("distributed", reason='needs dask[distributed] (pip install -e ".[scale]")')
    test_examples_run("trailstrength.warehouse.dask")
