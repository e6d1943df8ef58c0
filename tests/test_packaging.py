"""Project promises: one dependency list mirrored for conda, make targets, CI calling the test command."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _name(req: str) -> str:
    return re.split(r"[<>=!~\[ ;]", req.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _conda_requirements() -> dict[str, str]:
    deps, in_deps = {}, False
    for line in (REPO / "environment.yml").read_text().splitlines():
        if line.startswith("dependencies:"):
            in_deps = True
            continue
        m = re.match(r"^\s+- (?!pip:)([^#\s][^#]*?)\s*$", line)
        if in_deps and m and not m.group(1).startswith("-e"):
            deps[_name(m.group(1))] = m.group(1).replace(" ", "")
    deps.pop("python", None)
    deps.pop("pip", None)
    return deps


def test_environment_yml_mirrors_pyproject():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    wanted = [
        *project["dependencies"],
        *project["optional-dependencies"]["test"],
        *project["optional-dependencies"]["notebooks"],
    ]
    pyproject = {_name(r): r.replace(" ", "") for r in wanted}
    conda = _conda_requirements()
    assert set(conda) == set(pyproject), (
        f"only in environment.yml: {set(conda) - set(pyproject)}; only in pyproject: {set(pyproject) - set(conda)}"
    )
    for name, req in pyproject.items():
        assert conda[name] == req, f"{name}: pyproject says {req!r}, environment.yml {conda[name]!r}"


def test_environment_yml_ends_with_editable_install():
    lines = [
        ln.strip()
        for ln in (REPO / "environment.yml").read_text().splitlines()
        if ln.strip() and not ln.strip().startswith("#")
    ]
    assert lines[-1] == "- -e ."


def test_make_help_lists_targets_and_ci_runs_make_test():
    make = (REPO / "Makefile").read_text()
    for target in ("demo", "test", "help"):
        assert re.search(rf"^{target}:.*## ", make, re.M), f"make {target} has no help text"
    assert "make test" in (REPO / ".ci" / "run").read_text()
    readme = (REPO / "README.md").read_text()
    assert "make demo" in readme and "make test" in readme
