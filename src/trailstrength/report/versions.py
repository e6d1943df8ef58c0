"""The versions behind a result: Python and the packages that shape the numbers (the report's last section and the
last cell of every notebook)."""

from __future__ import annotations

import pandas as pd

__all__ = ["VERSION_PACKAGES", "versions"]

#: Packages whose versions the notebooks and the report list.
VERSION_PACKAGES = (
    "trailstrength",
    "pandas",
    "numpy",
    "scipy",
    "statsmodels",
    "matplotlib",
    "seaborn",
    "pandera",
    "pyarrow",
)


def versions(packages=VERSION_PACKAGES) -> pd.DataFrame:
    """Python and package versions as a two-column DataFrame (``package``, ``version``; "not installed" if absent)."""
    import importlib.metadata as md
    import platform

    rows = [("python", platform.python_version())]
    for pkg in packages:
        try:
            rows.append((pkg, md.version(pkg)))
        except md.PackageNotFoundError:
            rows.append((pkg, "not installed"))
    return pd.DataFrame(rows, columns=["package", "version"])
