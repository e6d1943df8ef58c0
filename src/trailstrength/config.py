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

A path may also be given as a ``file://`` URL (``file:///shared/study/raw``), as fsspec and cluster tooling write
them; other URL schemes (``s3://``, ``gs://`` ...) are refused: the warehouse is written with local file operations
(atomic renames), so object stores are not supported.

Settings that are not paths: ``TRAILSTRENGTH_WORKERS`` (reader processes of ``ingest``, :func:`workers`),
``TRAILSTRENGTH_DEFAULT_TZ`` (:func:`athlete_timezone_default`), ``TRAILSTRENGTH_PSEUDONYM_KEY``
(:func:`pseudonym_key_text`), ``TRAILSTRENGTH_MAX_INFLATED_MB`` (:func:`max_inflated_bytes`) and
``TRAILSTRENGTH_LOCK_TIMEOUT`` (:func:`lock_timeout_s`).
"""

from __future__ import annotations

import os
import re
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


def _local(value: str | os.PathLike) -> Path:
    """A path, or the local path of a ``file://`` URL; any other URL scheme is refused with a ValueError."""
    text = str(os.fspath(value))
    # a URL, also as pathlib leaves it ("file:/x": a Path collapses the "//"); one letter is a Windows drive
    if not re.match(r"[A-Za-z][A-Za-z0-9+.-]+:/", text):
        return Path(text).expanduser()
    from urllib.parse import urlparse
    from urllib.request import url2pathname

    url = urlparse(text)
    if url.scheme != "file" or url.netloc not in ("", "localhost"):
        raise ValueError(
            f"{text}: only local paths and file:// URLs are supported (the warehouse needs atomic renames)"
        )
    return Path(url2pathname(url.path))


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
        return _local(override)
    env = os.environ.get(ENV_PREFIX + name.upper())
    if env:
        return _local(env)
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


def workers(override: int | None = None) -> int:
    """Reader processes for ingest: ``override`` > ``TRAILSTRENGTH_WORKERS`` (a whole number) > the CPU count.

    Always at least 1; a ``TRAILSTRENGTH_WORKERS`` that is not a whole number is ignored.
    """
    if override:
        return override
    env = os.environ.get(ENV_PREFIX + "WORKERS")
    return max(1, int(env)) if env and env.isdigit() else max(1, os.cpu_count() or 1)


def notebooks_override() -> Path | None:
    """The notebooks folder from ``TRAILSTRENGTH_NOTEBOOKS``, or None (the runner then looks in ./notebooks and the
    source checkout; see :func:`trailstrength.notebooks.notebooks_dir`)."""
    env = os.environ.get(ENV_PREFIX + "NOTEBOOKS")
    return Path(env).expanduser() if env else None


def _number(name: str, default: float) -> float:
    """A positive number from ``TRAILSTRENGTH_<NAME>``; ``default`` when unset or not a positive number."""
    env = os.environ.get(ENV_PREFIX + name, "")
    try:
        value = float(env)
    except ValueError:
        return default
    return value if value > 0 else default


def max_inflated_bytes() -> int:
    """Largest size a ``.gz`` input may decompress to: ``TRAILSTRENGTH_MAX_INFLATED_MB`` (default 512 MB).

    Inflating stops at this size and the file is quarantined ("decompresses beyond N MB"): a gzip bomb costs
    at most this much memory, never the machine.
    """
    return int(_number("MAX_INFLATED_MB", 512) * 1024**2)


def lock_timeout_s() -> float:
    """Seconds an ``ingest`` waits for another one to release the warehouse: ``TRAILSTRENGTH_LOCK_TIMEOUT``
    (default 0: refuse at once, naming the lock file and the process holding it)."""
    return _number("LOCK_TIMEOUT", 0.0) if os.environ.get(ENV_PREFIX + "LOCK_TIMEOUT") != "0" else 0.0
