"""Every notebook in notebooks/ runs top to bottom on a small simulated cohort (jupytext → papermill), through
the same runner as ``trailstrength notebook run``; and the runner's own behaviour."""

from __future__ import annotations

import ast
from pathlib import Path

import jupytext
import pytest
from small_cohort import small_cohort

from trailstrength import notebooks

NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.py"))
#: Every notebook takes these, so one command reruns any of them on new data.
COMMON_PARAMETERS = {"warehouse", "output_dir", "fast"}
#: Extra parameters per notebook in the test run (none need the network or a public dataset).
EXTRA_PARAMETERS: dict[str, dict] = {}


def test_there_are_notebooks():
    assert [p.stem.split("-", 1)[0] for p in NOTEBOOKS] == ["1.0", "2.0", "3.0", "4.0", "5.0", "6.0"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_shape(path):
    nb = jupytext.read(path)
    params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1, "exactly one cell tagged 'parameters'"
    assert notebooks._declared_parameters(nb) >= COMMON_PARAMETERS
    assert nb.cells.index(params[0]) <= 3, "parameters near the top"
    assert "md.version" in nb.cells[-1].source or "versions" in nb.cells[-1].source.lower(), "ends with versions"
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), "committed without outputs"
    for cell in nb.cells:
        if cell.cell_type == "code":
            ast.parse(cell.source)  # no syntax errors hiding in a cell that the fast run skips


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_executes(path, tmp_path):
    _, wh = small_cohort()
    params = {"warehouse": str(wh), "output_dir": str(tmp_path / "out"), "fast": True} | EXTRA_PARAMETERS.get(
        path.stem, {}
    )
    out = notebooks.run_notebook(
        str(path), params, output=tmp_path / f"{path.stem}.ipynb", kernel_name="python3", cwd=tmp_path
    )
    executed = jupytext.read(out)
    errors = [o for c in executed.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors


# --- the runner ------------------------------------------------------------------------------------


def test_parse_params_reads_literals_and_strings():
    assert notebooks.parse_params(
        ["fast=true", "athletes=['a1', 'a2']", "warehouse=data/wh", "n=12", "x=None", "start=2025-03-01"]
    ) == {"fast": True, "athletes": ["a1", "a2"], "warehouse": "data/wh", "n": 12, "x": None, "start": "2025-03-01"}
    with pytest.raises(ValueError, match="key=value"):
        notebooks.parse_params(["fast"])
    with pytest.raises(ValueError, match="key=value"):
        notebooks.parse_params(["2x=1"])


def test_find_notebook_by_number_stem_topic_and_path():
    first = NOTEBOOKS[0]
    assert notebooks.find_notebook("1.0", NOTEBOOK_DIR) == first
    assert notebooks.find_notebook("1", NOTEBOOK_DIR) == first
    assert notebooks.find_notebook(first.stem, NOTEBOOK_DIR) == first
    assert notebooks.find_notebook("explore", NOTEBOOK_DIR) == first
    assert notebooks.find_notebook(str(first)) == first
    with pytest.raises(FileNotFoundError, match="matches no notebook; notebooks: 1.0-explore"):
        notebooks.find_notebook("9.9", NOTEBOOK_DIR)


def test_run_notebook_refuses_unknown_parameters(tmp_path):
    with pytest.raises(ValueError, match=r"no parameter\(s\) \['warehous'\]"):
        notebooks.run_notebook("1.0", {"warehous": "x"}, folder=NOTEBOOK_DIR, output=tmp_path / "x.ipynb")


def test_notebook_run_command_reports_bad_names(tmp_path):
    from typer.testing import CliRunner

    from trailstrength.cli import app

    result = CliRunner().invoke(app, ["notebook", "run", "9.9"])
    assert result.exit_code == 1
    result = CliRunner().invoke(app, ["notebook", "list"])
    assert result.exit_code == 0 and "1.0-explore-your-data" in result.output


@pytest.mark.slow
def test_warehouse_view_filters_athletes_and_dates():
    import trailstrength as ts

    _, wh = small_cohort()
    view = ts.open_warehouse(wh, athletes="ath01", start="2025-03-20", end="2025-04-10")
    for name in ("activities", "runs", "strength_sets", "wellness"):
        table = view.table(name)
        assert set(table["athlete_id"]) == {"ath01"}
        assert table["local_date"].between("2025-03-20", "2025-04-10").all()
    assert set(view.segments["activity_id"]) <= set(view.activities["activity_id"])
    assert set(view.samples()["activity_id"]) == set(view.activities["activity_id"])
    res = ts.analyze(view)  # everything that takes a Warehouse takes a view
    assert (res.h1_panel["athlete_id"] == "ath01").all()
    assert type(ts.open_warehouse(wh)).__name__ == "Warehouse"  # no filter, no view
