"""Every notebook in notebooks/ runs top to bottom on a small simulated cohort (jupytext → papermill)."""

from __future__ import annotations

from pathlib import Path

import jupytext
import papermill
import pytest

from trailstrength import warehouse
from trailstrength.simulate import simulate_cohort

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.py"))
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def small_warehouse(tmp_path_factory):
    root = tmp_path_factory.mktemp("nb")
    simulate_cohort(root / "raw", athletes=3, weeks=8, seed=4)
    warehouse.ingest(root / "raw", root / "wh", progress=False)
    return root / "wh"


def test_there_are_notebooks():
    assert NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_executes(path, small_warehouse, tmp_path):
    nb = jupytext.read(path)
    assert any("parameters" in c.metadata.get("tags", []) for c in nb.cells), "no parameters cell"
    src = tmp_path / f"{path.stem}.ipynb"
    jupytext.write(nb, src)
    papermill.execute_notebook(
        str(src), str(tmp_path / f"{path.stem}.out.ipynb"), kernel_name="python3", cwd=str(tmp_path),
        parameters={"warehouse": str(small_warehouse), "output_dir": str(tmp_path / "out"), "fast": True},
        progress_bar=False,
    )
