"""Every path trailstrength reads or writes, in one place.

Each path resolves in the same order: an explicit argument, then an environment variable, then a default
relative to the data root. The data root itself is ``TRAILSTRENGTH_DATA`` or ``./data``.

======================  ==============================  =================================
path                    environment variable            default
======================  ==============================  =================================
data root               ``TRAILSTRENGTH_DATA``          ``./data``
raw exports             ``TRAILSTRENGTH_RAW``           ``<data>/raw``
interim files           ``TRAILSTRENGTH_INTERIM``       ``<data>/interim``
warehouse (parquet)     ``TRAILSTRENGTH_WAREHOUSE``     ``<data>/processed/warehouse``
external / public data  ``TRAILSTRENGTH_EXTERNAL``      ``<data>/external``
results of ``analyze``  ``TRAILSTRENGTH_RESULTS``       ``./reports/results``
demo output             ``TRAILSTRENGTH_DEMO``          ``./reports/demo``
download cache          ``TRAILSTRENGTH_CACHE``         OS cache dir (pooch) / trailstrength
real sample files       ``TRAILSTRENGTH_REALDATA``      ``../shared/realdata`` (tests only)
======================  ==============================  =================================
"""

from __future__ import annotations

import os
from pathlib import Path

ENV_PREFIX = "TRAILSTRENGTH_"

_DEFAULTS: dict[str, tuple[str | None, str]] = {
    # name: (parent name or None for the working directory, relative default)
    "data": (None, "data"),
    "raw": ("data", "raw"),
    "interim": ("data", "interim"),
    "warehouse": ("data", "processed/warehouse"),
    "external": ("data", "external"),
    "results": (None, "reports/results"),
    "demo": (None, "reports/demo"),
    "realdata": (None, "../shared/realdata"),
}


def path(name: str, override: str | os.PathLike | None = None) -> Path:
    """Resolve one named path: ``override`` > ``TRAILSTRENGTH_<NAME>`` > default.

    Parameters
    ----------
    name
        One of ``data, raw, interim, warehouse, external, results, demo, cache, realdata``.
    override
        An explicit path (e.g. a command-line option); wins over everything.
    """
    if override is not None:
        return Path(override).expanduser()
    env = os.environ.get(ENV_PREFIX + name.upper())
    if env:
        return Path(env).expanduser()
    if name == "cache":
        import pooch

        return Path(pooch.os_cache("trailstrength"))
    try:
        parent, rel = _DEFAULTS[name]
    except KeyError:
        known = ", ".join(sorted([*_DEFAULTS, "cache"]))
        raise KeyError(f"unknown path name {name!r}; known: {known}") from None
    base = path(parent) if parent else Path.cwd()
    return base / rel


def athlete_timezone_default() -> str:
    """Time zone used when neither athlete.toml nor the file gives one (UTC; a warning is logged once)."""
    return os.environ.get(ENV_PREFIX + "DEFAULT_TZ", "UTC")


def pseudonym_key_text() -> str | None:
    """The runner-id secret from ``TRAILSTRENGTH_PSEUDONYM_KEY`` (the key itself, not a path); None when unset.

    See :func:`trailstrength.privacy.runner_key`, which falls back to :func:`pseudonym_key_path`.
    """
    return os.environ.get(ENV_PREFIX + "PSEUDONYM_KEY") or None


def pseudonym_key_path() -> Path:
    """Where the local runner-id secret is kept when no key is given: ``<interim>/pseudonym.key`` (git-ignored)."""
    return path("interim") / "pseudonym.key"
