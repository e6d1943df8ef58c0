"""The package's shape, checked from its source (issue 13's "done when"):

* data flows one way: io → clean/exercises/terrain → warehouse → features → models → viz/report; a stage imports
  no later stage (``io`` none of them, ``models`` no ``viz``, ``viz`` neither ``analysis``, ``warehouse`` nor
  ``models``);
* no function body is longer than 100 lines (docstring excluded);
* environment variables are read in ``config.py`` only.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "trailstrength"

# stage -> packages/modules it must never import (at module level or inside functions)
_LATER_THAN_IO = (
    "clean",
    "terrain",
    "exercises",
    "warehouse",
    "features",
    "models",
    "analysis",
    "viz",
    "report",
    "simulate",
)
FORBIDDEN = {
    "config": ("io", *_LATER_THAN_IO),
    "errors": ("io", *_LATER_THAN_IO),
    "units": ("io", *_LATER_THAN_IO),
    # privacy sits beside io: io.races keys runner ids with it, and it reads athlete.toml privacy zones with io
    "privacy": _LATER_THAN_IO,
    "clean": ("warehouse", "features", "models", "analysis", "viz", "report", "simulate"),
    "io": _LATER_THAN_IO,
    "terrain": ("warehouse", "features", "models", "analysis", "viz", "report", "simulate"),
    "exercises": ("warehouse", "features", "models", "analysis", "viz", "report", "simulate"),
    "warehouse": ("models", "analysis", "viz", "report", "simulate"),
    "features": ("models", "analysis", "viz", "report", "warehouse"),
    "models": ("viz", "report", "analysis", "warehouse"),
    "viz": ("analysis", "warehouse", "models", "report"),
}
MAX_BODY_LINES = 100


def _modules():
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC)
        yield rel, ast.parse(path.read_text(encoding="utf-8"))


def _imported(tree: ast.AST, rel: Path) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative import: resolve against the module's package
                base = list(rel.parent.parts)[: len(rel.parent.parts) - (node.level - 1)]
                module = ".".join(["trailstrength", *base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            names.add(module)
            if module == "trailstrength":
                names |= {f"trailstrength.{a.name}" for a in node.names}
    return {n for n in names if n.startswith("trailstrength")}


@pytest.mark.parametrize("stage", sorted(FORBIDDEN))
def test_no_stage_imports_a_later_stage(stage):
    offences = []
    for rel, tree in _modules():
        if rel.parts[0] != stage and rel.with_suffix("").as_posix() != stage:
            continue
        for name in _imported(tree, rel):
            later = name.split(".")[1] if name.count(".") else ""
            if later in FORBIDDEN[stage]:
                offences.append(f"{rel}: imports {name}")
    assert not offences, "\n".join(offences)


def _body_lines(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    body = fn.body
    if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant):
        body = body[1:]  # the docstring is not code
    if not body:
        return 0
    return body[-1].end_lineno - body[0].lineno + 1


def test_no_function_body_over_100_lines():
    long = []
    for rel, tree in _modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and _body_lines(node) > MAX_BODY_LINES:
                long.append(f"{rel}:{node.lineno} {node.name}: {_body_lines(node)} lines")
    assert not long, "\n".join(long)


def test_environment_is_read_in_config_only():
    readers = []
    for rel, tree in _modules():
        if rel.as_posix() == "config.py":
            continue
        for node in ast.walk(tree):
            is_env = isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv")
            if is_env and isinstance(node.value, ast.Name) and node.value.id == "os":
                readers.append(f"{rel}:{node.lineno}")
    assert not readers, "os.environ read outside config.py: " + ", ".join(readers)


def test_the_checks_can_fail(tmp_path):
    """The checks above see a real offence (a guard against an AST walk that finds nothing)."""
    tree = ast.parse("from trailstrength.viz import save\n\ndef f():\n" + "    x = 1\n" * 101)
    assert "trailstrength.viz" in _imported(tree, Path("models/x.py"))
    fn = next(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef))
    assert _body_lines(fn) == 101


# what each entry point may not pull in at import (issue 18: start-up time of the CLI and of every ingest worker)
HEAVY_AT_IMPORT = {
    "trailstrength": ("pandas", "pandera", "pyarrow", "scipy", "statsmodels", "matplotlib"),
    "trailstrength.cli": ("pandas", "pandera", "pyarrow", "scipy", "statsmodels", "matplotlib", "markdown_it"),
    "trailstrength.warehouse": ("pandas", "pandera", "pyarrow", "scipy", "statsmodels", "matplotlib"),
    # the ingest path itself (and every reader worker): pandas and pyarrow; pandera once a table is validated
    "trailstrength.warehouse.ingest": ("pandera", "scipy", "statsmodels", "matplotlib", "seaborn", "dask", "patsy"),
    "trailstrength.warehouse.read_files": ("scipy", "statsmodels", "matplotlib", "seaborn", "dask", "patsy"),
}


@pytest.mark.parametrize("module", sorted(HEAVY_AT_IMPORT))
def test_importing_an_entry_point_leaves_heavy_libraries_out(module):
    import os
    import subprocess
    import sys

    code = f"import sys, {module}; print(' '.join(sorted({{m.split('.')[0] for m in sys.modules}})))"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SRC.parent), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    loaded = set(done.stdout.split())
    assert "trailstrength" in loaded  # the check ran in the tree under test
    assert sorted(loaded & set(HEAVY_AT_IMPORT[module])) == []
