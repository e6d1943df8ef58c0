"""Privacy: who can be recognised in what trailstrength stores and publishes.

Three different protections, each with its own name:

* **keyed runner ids** for race results (:func:`runner_key_ids`, :func:`hide_runner_names`). Race files name
  strangers; the warehouse stores ``r-<12 hex>`` instead: an HMAC-SHA256 of the normalised name under a local
  secret key (argument → ``TRAILSTRENGTH_PSEUDONYM_KEY`` → a random key kept in ``<interim>/pseudonym.key``,
  git-ignored), so the same runner gets the same id across races while the id cannot be recomputed from a
  list of names without the key. Bib numbers are dropped with the names. Race, position and time together can
  still re-identify a runner through the public results page: never publish row-level data.
* **athlete labels** for published figures and the report (:func:`athlete_labels`, :func:`relabel_athletes`):
  athlete ids (folder names are often real names) become ``A1 … An``.
* **privacy zones** for route maps (:func:`privacy_zones`, :func:`trim_privacy_zones`): every point inside a
  zone is removed. Zones come from ``athlete.toml``::

      privacy_zones = [[46.5123, 7.9876, 400], [46.6001, 8.0102, 250]]   # lat, lon, radius in m
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import tomllib
import unicodedata
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from trailstrength import config
from trailstrength.units import great_circle_m

__all__ = [
    "athlete_labels",
    "hide_runner_names",
    "normalise_runner_name",
    "privacy_zones",
    "relabel_athletes",
    "runner_key",
    "runner_key_ids",
    "trim_privacy_zones",
]


# ------------------------------------------------------------------------------------------------ keyed runner ids
def runner_key(key: str | bytes | None = None) -> bytes:
    """The secret for :func:`runner_key_ids`: ``key`` → ``$TRAILSTRENGTH_PSEUDONYM_KEY`` →
    ``<interim>/pseudonym.key`` (created with 32 random bytes on first use; keep it to keep ids stable, never
    commit it)."""
    if key is None:
        key = config.pseudonym_key_text()
    if key is None:
        path = config.pseudonym_key_path()
        if not path.is_file():
            _create_key_file(path)
        key = path.read_text().strip()
    return key.encode() if isinstance(key, str) else key


def _create_key_file(path: Path) -> None:
    """Write a new random key, readable by the owner only; the first of several processes racing here wins."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    tmp.write_text(secrets.token_hex(32))
    tmp.chmod(0o600)
    try:
        os.link(tmp, path)  # atomic, and fails when another process created the key first
    except FileExistsError:
        pass
    finally:
        tmp.unlink()


def normalise_runner_name(name: str) -> str:
    """``"  Élise  MACDONALD "`` -> ``"elise macdonald"`` (accents, case and spacing removed)."""
    plain = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode()
    return re.sub(r"\s+", " ", plain).strip().casefold()


def runner_key_ids(names: pd.Series, key: str | bytes | None = None) -> pd.Series:
    """Stable pseudonymous runner ids ``r-<12 hex>``: HMAC-SHA256 of the normalised name under the key.

    Parameters
    ----------
    names : Series of str
        Runner names as written (namesakes already told apart, e.g. ``"Ailsa Quorn #7"``).
    key
        The secret (see :func:`runner_key`); None reads it from the environment or the key file.

    Examples
    --------
    >>> ids = runner_key_ids(pd.Series(["Bram Tollet", "  bram  TOLLET"]), key="k")
    >>> ids[0] == ids[1], ids[0].startswith("r-"), len(ids[0])
    (True, True, 14)
    """
    k = runner_key(key)
    return names.map(lambda n: "r-" + hmac.new(k, normalise_runner_name(n).encode(), hashlib.sha256).hexdigest()[:12])


def hide_runner_names(races: pd.DataFrame, *, key: str | bytes | None = None) -> pd.DataFrame:
    """A ``races`` table as read (``athlete_id`` = the runner's name) with keyed ids instead, ``name`` and ``bib``
    dropped. The warehouse applies this to every race file it reads."""
    out = races.drop(columns=["name", "bib"], errors="ignore")
    out["athlete_id"] = runner_key_ids(out["athlete_id"], key)
    return out


# ------------------------------------------------------------------------------------------------ athlete labels
def athlete_labels(athlete_ids: Iterable) -> dict[str, str]:
    """Map athlete ids to ``A1 … An`` in sorted order of the ids (stable for the same set)."""
    ids = sorted({str(a) for a in athlete_ids if pd.notna(a)})
    return {a: f"A{i}" for i, a in enumerate(ids, start=1)}


def relabel_athletes(frame: pd.DataFrame, mapping: dict[str, str] | None, column: str = "athlete_id") -> pd.DataFrame:
    """A copy of ``frame`` with ``column`` replaced by its label from :func:`athlete_labels` (``A?`` for an id
    the mapping lacks); ``frame`` itself when ``mapping`` is None."""
    if mapping is None or column not in frame:
        return frame
    out = frame.copy()
    out[column] = out[column].astype(str).map(lambda a: mapping.get(a, "A?"))
    return out


# ------------------------------------------------------------------------------------------------ privacy zones
def privacy_zones(raw, athlete_id: str | None = None) -> dict[str, list[tuple[float, float, float]]]:
    """Privacy zones of every athlete (or one) from ``RAW/<folder>/athlete.toml``.

    Returns
    -------
    dict
        athlete id (the profile's ``athlete_id``, else the folder name) -> list of
        ``(lat, lon, radius_m)``; athletes without zones are left out.

    Raises
    ------
    ValueError
        A ``privacy_zones`` entry that is not ``[lat, lon, radius_m]`` with a positive radius; the
        message names the file.
    """
    zones: dict[str, list[tuple[float, float, float]]] = {}
    root = Path(raw)
    for prof in sorted(root.glob("*/athlete.toml")):
        try:
            data = tomllib.loads(prof.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
            raise ValueError(f"{prof}: not valid TOML ({err})") from None
        from trailstrength.io.base import load_profile  # here: io.races imports this module

        aid = load_profile(prof.parent)[0].athlete_id  # the id the warehouse uses (unsafe ids are replaced)
        if athlete_id is not None and aid != athlete_id:
            continue
        entries = data.get("privacy_zones", [])
        parsed = []
        for k, entry in enumerate(entries):
            try:
                lat, lon, radius = (float(v) for v in entry)
            except (TypeError, ValueError):
                raise ValueError(f"{prof}: privacy_zones[{k}] must be [lat, lon, radius_m], got {entry!r}") from None
            if not (-90 <= lat <= 90 and -180 <= lon <= 180 and radius > 0):
                raise ValueError(
                    f"{prof}: privacy_zones[{k}] = {entry!r} is out of range (lat −90…90, lon −180…180, radius_m > 0)"
                )
            parsed.append((lat, lon, radius))
        if parsed:
            zones[aid] = parsed
    return zones


def trim_privacy_zones(samples: pd.DataFrame, zones, *, keep_gaps: bool = False) -> pd.DataFrame:
    """Remove the points of a track that lie within any privacy zone.

    Parameters
    ----------
    samples : DataFrame
        Points with ``lat`` and ``lon`` (degrees).
    zones : iterable of (lat, lon, radius_m)
        Zone centres and radii (m).
    keep_gaps : bool
        False: drop the rows. True: keep them with ``lat``/``lon`` set to NaN, so a line drawn
        through the result breaks where the zone was instead of jumping across it.

    Returns
    -------
    DataFrame
        A copy; rows with missing coordinates are kept as they are.
    """
    zones = [tuple(map(float, z)) for z in zones]
    out = samples.copy()
    if not zones or out.empty:
        return out
    lat = out["lat"].to_numpy(dtype=float)
    lon = out["lon"].to_numpy(dtype=float)
    inside = np.zeros(len(out), dtype=bool)
    for zlat, zlon, radius in zones:
        with np.errstate(invalid="ignore"):
            inside |= great_circle_m(zlat, zlon, lat, lon) <= radius
    if keep_gaps:
        out.loc[inside, ["lat", "lon"]] = np.nan
        return out
    return out[~inside].reset_index(drop=True)
