"""Run the analysis notebooks on new data: jupytext ``py:percent`` file → papermill → executed ``.ipynb``.

The notebooks live in ``notebooks/`` as ``N.M-topic.py`` with a ``parameters`` cell;
``trailstrength notebook run 2.0 --param warehouse=data/processed/warehouse`` executes one with the
parameters replaced and writes the executed notebook (outputs included) next to its figures.

This module is the runner (list, find, parameters, run). What the notebooks call lives with its stage:
figure frames in :mod:`trailstrength.features.frames`, figures in :mod:`trailstrength.viz`, the claims table,
verdicts and versions in :mod:`trailstrength.report`. A notebook opens its data with
:func:`trailstrength.open_warehouse` (``athletes``, ``start``, ``end`` select a part).
"""

from __future__ import annotations

import ast
from pathlib import Path

from trailstrength import config
from trailstrength.errors import NotebookFailed  # noqa: F401  (re-exported)

__all__ = ["NotebookFailed", "find_notebook", "list_notebooks", "notebooks_dir", "parse_params", "run_notebook"]


def notebooks_dir(override=None) -> Path:
    """Where the notebooks are: ``override`` > ``TRAILSTRENGTH_NOTEBOOKS`` > ``./notebooks`` > the source checkout's."""
    if override is not None:
        return Path(override).expanduser()
    env = config.notebooks_override()
    if env is not None:
        return env
    here = Path.cwd() / "notebooks"
    if here.is_dir() and any(here.glob("*.py")):
        return here
    return Path(__file__).resolve().parents[2] / "notebooks"  # src/trailstrength/ -> repository root


def list_notebooks(folder=None) -> list[Path]:
    """The jupytext notebooks (``N.M-topic.py``) in ``folder``, sorted by number."""
    return sorted(p for p in notebooks_dir(folder).glob("*.py") if p.name[:1].isdigit())


def find_notebook(name: str, folder=None) -> Path:
    """A notebook by path, full stem (``2.0-descent-performance``), number (``2.0``, ``2``) or topic.

    Raises
    ------
    FileNotFoundError
        No notebook or more than one matches; the message lists the notebooks there are.
    """
    path = Path(name).expanduser()
    if path.suffix == ".py" and path.is_file():
        return path
    notebooks = list_notebooks(folder)
    stem = name.removesuffix(".py").removesuffix(".ipynb")
    number = stem if "." in stem or not stem.isdigit() else f"{stem}.0"
    candidates = (
        [p for p in notebooks if p.stem == stem]
        or [p for p in notebooks if p.stem.split("-", 1)[0] == number]
        or [p for p in notebooks if stem.lower() in p.stem.lower()]
    )
    if len(candidates) == 1:
        return candidates[0]
    known = ", ".join(p.stem for p in notebooks) or f"none in {notebooks_dir(folder)}"
    what = "matches several notebooks" if candidates else "matches no notebook"
    raise FileNotFoundError(f"{name!r} {what}; notebooks: {known}")


def _value(text: str):
    """A parameter value as typed: Python literals (numbers, None, True, lists), else the string itself."""
    lowered = text.strip().lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered in ("none", "null"):
        return None
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def parse_params(items) -> dict:
    """``["key=value", ...]`` → dict, values parsed as Python literals where they are one.

    >>> parse_params(["fast=true", "athletes=['ath01']", "warehouse=data/wh", "min_runs=5"])
    {'fast': True, 'athletes': ['ath01'], 'warehouse': 'data/wh', 'min_runs': 5}
    """
    params = {}
    for item in items or ():
        key, sep, value = item.partition("=")
        if not sep or not key.strip().isidentifier():
            raise ValueError(f"parameter {item!r} is not key=value with a Python name as key")
        params[key.strip()] = _value(value)
    return params


def _declared_parameters(nb) -> dict:
    """Names assigned in the notebook's ``parameters`` cell (to catch typos in --param)."""
    for cell in nb.cells:
        if "parameters" in cell.metadata.get("tags", []):
            tree = ast.parse(cell.source)
            return {
                t.id
                for node in tree.body
                if isinstance(node, ast.Assign)
                for t in node.targets
                if isinstance(t, ast.Name)
            }
    return set()


def run_notebook(
    name: str,
    params: dict | None = None,
    *,
    output=None,
    folder=None,
    kernel_name: str | None = None,
    cwd=None,
    progress: bool = False,
) -> Path:
    """Execute a notebook with papermill and return the path of the executed ``.ipynb``.

    Parameters
    ----------
    name : str
        See :func:`find_notebook`.
    params : dict, optional
        Values for the ``parameters`` cell. Unknown names raise (a typo would otherwise be ignored).
    output : path, optional
        Executed notebook to write. Default: ``<output_dir>/<stem>.ipynb`` when the parameters (or
        the notebook's defaults) give an ``output_dir``, else ``reports/notebooks/<stem>.ipynb``.
    folder : path, optional
        Notebooks folder (see :func:`notebooks_dir`).
    kernel_name : str, optional
        Jupyter kernel (default: the notebook's, i.e. ``python3``).
    cwd : path, optional
        Working directory of the kernel (default: the notebook's folder, so its relative default
        paths resolve as when it is opened in JupyterLab).

    Raises
    ------
    NotebookFailed
        A cell raised; the message names the cell and the error, and the executed notebook is kept.
    """
    import jupytext
    import papermill

    path = find_notebook(name, folder)
    params = dict(params or {})
    nb = jupytext.read(path)
    declared = _declared_parameters(nb)
    if not declared:
        raise ValueError(f"{path} has no cell tagged 'parameters'")
    unknown = sorted(set(params) - declared)
    if unknown:
        raise ValueError(f"{path.name} has no parameter(s) {unknown}; it takes {sorted(declared)}")
    # relative paths given on the command line are relative to where the user is, not the notebook
    for key, value in params.items():
        if isinstance(value, str) and key in ("warehouse", "output_dir", "raw", "pmdata_path", "lovdal_path"):
            params[key] = str(Path(value).expanduser().resolve())
    if output is None:
        base = Path(params["output_dir"]) if "output_dir" in params else Path("reports/notebooks").resolve()
        output = base / f"{path.stem}.ipynb"
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    source = output.with_name(f".{path.stem}.input.ipynb")
    jupytext.write(nb, source)
    try:
        papermill.execute_notebook(
            str(source),
            str(output),
            parameters=params,
            kernel_name=kernel_name,
            cwd=str(cwd or path.parent),
            progress_bar=progress,
        )
    except papermill.PapermillExecutionError as err:
        raise NotebookFailed(
            f"{path.name}: cell {err.exec_count} raised {err.ename}: {err.evalue} "
            f"(the executed notebook with the traceback is {output})"
        ) from err
    finally:
        source.unlink(missing_ok=True)
    return output
