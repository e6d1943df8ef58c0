"""trailstrength: test strength-training claims on real endurance data.

Few verbs, plain DataFrames::

    import trailstrength as ts
    ts.ingest("data/raw")                       # build / update the parquet warehouse
    wh = ts.open_warehouse()                    # wh.runs, wh.strength_sets, wh.wellness, wh.samples(...)
    res = ts.analyze(wh)                        # res.effects (tidy), res.h1_panel, res.h2_panel
    h1, h2 = ts.panels(wh)                      # the analysis panels alone
    wh = ts.load_example()                      # the simulated example cohort with planted effects
"""

from __future__ import annotations

__version__ = "0.1.0"

_LAZY = {
    "ingest": "trailstrength.warehouse",
    "open_warehouse": "trailstrength.warehouse",
    "Warehouse": "trailstrength.warehouse",
    "analyze": "trailstrength.analysis",
    "panels": "trailstrength.analysis",
    "load_example": "trailstrength.analysis",
    "check": "trailstrength.answerable",
    "simulate_cohort": "trailstrength.simulate",
    "PlantedEffects": "trailstrength.simulate",
}


_SUBMODULES = ("datasets", "viz", "models", "features", "terrain", "exercises", "report", "simulate", "warehouse")


def __getattr__(name: str):
    # imported on first use so `import trailstrength` stays fast for the CLI's --help
    import importlib

    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    if name in _SUBMODULES:
        return importlib.import_module(f"trailstrength.{name}")
    raise AttributeError(f"module 'trailstrength' has no attribute {name!r}")


__all__ = [*_LAZY, *_SUBMODULES, "__version__"]


def __dir__() -> list[str]:
    # the lazy names are real attributes for tab completion in JupyterLab and for dir()
    return sorted(__all__)
