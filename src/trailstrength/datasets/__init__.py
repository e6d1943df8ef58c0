"""Public datasets: where a copy is, a card for each, and loaders into trailstrength's tidy tables.

>>> import trailstrength as ts
>>> ts.datasets.list_datasets()                 # doctest: +SKIP
>>> print(ts.datasets.info("pmdata"))            # the dataset card  # doctest: +SKIP
>>> pm = ts.datasets.pmdata("~/data/pmdata")     # PMData: wellness, activities, strength_sets
>>> ts.datasets.pmdata_analysis(pm)              # soreness after strength vs running sessions  # doctest: +SKIP
>>> lv = ts.datasets.lovdal()                    # Lövdal et al. 2021 runners   # doctest: +SKIP
>>> ts.datasets.lovdal_analysis(lv)              # doctest: +SKIP

A local copy is looked for, in order, at ``path=``, at ``<external>/<folder>`` (``TRAILSTRENGTH_EXTERNAL``, default
``data/external``) and in the download cache (``TRAILSTRENGTH_CACHE``, default the OS cache dir). :func:`fetch`
downloads with pooch and checks the sha256 when the registry knows a stable URL and hash; when it does not
(neither host could be reached to verify one when this was written), it says how to download the files by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from trailstrength import config
from trailstrength.errors import DatasetNotFound  # noqa: F401  (re-exported)


@dataclass(frozen=True)
class DatasetInfo:
    """One registry entry. ``url``/``sha256`` are set only for a stable, verified direct download."""

    name: str
    title: str
    citation: str
    licence: str
    landing_page: str
    folder: str  # folder name under <external>/ and the cache
    marker: str  # glob (relative to the copy's root) that a valid copy matches
    files: str  # what to download, in words
    card: str  # package-data markdown file
    url: str | None = None
    sha256: str | None = None
    archive: bool = False  # url is a zip to unpack


REGISTRY: dict[str, DatasetInfo] = {
    "pmdata": DatasetInfo(
        name="pmdata",
        title="PMData: a sports logging dataset (16 persons, 5 months, Fitbit + PMSys + Google Forms)",
        citation=(
            "Thambawita V, Hicks SA, Borgli H, et al. PMData: a sports logging dataset. Proc. 11th ACM "
            "Multimedia Systems Conference (MMSys '20), 2020. doi:10.1145/3339825.3394926"
        ),
        licence="CC BY 4.0 (attribution required)",
        landing_page="https://datasets.simula.no/pmdata/",
        folder="pmdata",
        marker="p*/pmsys/wellness.csv",
        files="the PMData archive, unpacked so that pXX/pmsys/{wellness,srpe,injury}.csv sit below one folder",
        card="pmdata.md",
    ),
    "lovdal": DatasetInfo(
        name="lovdal",
        title="Injury prediction in competitive runners (Lövdal, den Hartigh & Azzopardi 2021): daily, weekly files",
        citation=(
            "Lövdal SS, den Hartigh RJR, Azzopardi G. Injury prediction in competitive runners with machine "
            "learning. Int J Sports Physiol Perform 2021;16(10):1522-1531, doi:10.1123/ijspp.2020-0518. "
            "Data: DataverseNL, "
            "doi:10.34894/UWU9PV"
        ),
        licence="CC0 1.0 as published on DataverseNL (check the landing page)",
        landing_page="https://doi.org/10.34894/UWU9PV",
        folder="lovdal",
        marker="day_approach_maskedID_timeseries*.csv",
        files="day_approach_maskedID_timeseries.csv (and, optionally, week_approach_maskedID_timeseries.csv)",
        card="lovdal.md",
    ),
}


def _get(name: str) -> DatasetInfo:
    try:
        return REGISTRY[name.lower()]
    except KeyError:
        raise KeyError(f"unknown dataset {name!r}; known: {', '.join(REGISTRY)}") from None


def _valid(root: Path, info: DatasetInfo) -> Path | None:
    """The copy's root if ``root`` (a folder, or a file inside one) holds the dataset, else None."""
    root = root.expanduser()
    if root.is_file():
        return root if root.match(info.marker.split("/")[-1]) else None
    for base in (root, root / info.folder):
        if base.is_dir() and next(base.glob(info.marker), None) is not None:
            return base
    return None


def locate(name: str, path=None) -> Path | None:
    """Where a local copy of dataset ``name`` is: ``path`` → ``<external>/<folder>`` → cache; None when absent."""
    info = _get(name)
    candidates = [Path(path)] if path is not None else []
    candidates += [config.path("external") / info.folder, config.path("cache") / info.folder]
    for c in candidates:
        found = _valid(c, info)
        if found is not None:
            return found
    return None


def _manual(info: DatasetInfo, path) -> str:
    where = f"{path} does not hold it" if path is not None else "no local copy found"
    return (
        f"{info.name}: {where}. No verified direct download is registered, so fetch it by hand:\n"
        f"  1. open {info.landing_page}\n  2. download {info.files}\n"
        f"  3. put it in {config.path('external') / info.folder} (or anywhere, and pass path=...)\n"
        f"Licence: {info.licence}. Cite: {info.citation}"
    )


def fetch(name: str, path=None, *, progress: bool = False) -> Path:
    """Return the root of a local copy of dataset ``name``, downloading it first when that is possible.

    Raises
    ------
    DatasetNotFound
        No local copy and no registered URL + sha256: the message gives the manual steps.
    """
    info = _get(name)
    found = locate(name, path)
    if found is not None:
        return found
    if not (info.url and info.sha256):
        raise DatasetNotFound(_manual(info, path))
    import pooch

    dest = config.path("cache") / info.folder
    processor = pooch.Unzip(extract_dir=".") if info.archive else None
    pooch.retrieve(info.url, known_hash=f"sha256:{info.sha256}", path=dest, processor=processor, progressbar=progress)
    found = _valid(dest, info)
    if found is None:
        raise DatasetNotFound(f"{name}: downloaded {info.url} to {dest} but found no {info.marker} in it")
    return found


def list_datasets():
    """One row per registered dataset (a DataFrame): name, title, licence, landing page, download mode, local copy."""
    import pandas as pd

    rows = []
    for info in REGISTRY.values():
        local = locate(info.name)
        rows.append(
            {
                "name": info.name,
                "title": info.title,
                "licence": info.licence,
                "landing_page": info.landing_page,
                "download": "automatic (sha256-checked)" if info.url and info.sha256 else "manual",
                "local_copy": str(local) if local else "",
            }
        )
    return pd.DataFrame(rows)


def info(name: str) -> str:
    """The dataset card (markdown): source, citation, licence, variables, and what it can say about H1–H7."""
    return resources.files(__name__).joinpath(_get(name).card).read_text(encoding="utf-8")


def pmdata(path=None, *, participants=None, timezone: str = "Europe/Oslo"):
    """Load PMData's PMSys files into tidy tables (see :func:`trailstrength.datasets.pmdata_study.load`)."""
    from trailstrength.datasets import pmdata_study

    return pmdata_study.load(fetch("pmdata", path), participants=participants, timezone=timezone)


def lovdal(path=None):
    """Load the Lövdal et al. daily (and weekly) files (see :func:`trailstrength.datasets.lovdal_study.load`)."""
    from trailstrength.datasets import lovdal_study

    return lovdal_study.load(fetch("lovdal", path))


def pmdata_analysis(data):
    """Soreness after strength vs running sessions, within athletes (PMData; tidy effects).

    ``data`` is a loaded :class:`~trailstrength.datasets.pmdata_study.PMData` or its session-day panel; the model
    is :func:`trailstrength.models.studies.soreness_after_sessions`.
    """
    import pandas as pd

    from trailstrength.datasets.pmdata_study import session_day_panel
    from trailstrength.models.studies import soreness_after_sessions

    return soreness_after_sessions(data if isinstance(data, pd.DataFrame) else session_day_panel(data))


def lovdal_analysis(data):
    """Strength-training days vs next-day perceived recovery and injury odds (Lövdal; tidy effects).

    The models are :func:`trailstrength.models.studies.recovery_after_strength` (on the recovery panel) and
    :func:`trailstrength.models.studies.injury_odds` (on the published rows, ``data.events``).
    """
    import pandas as pd

    from trailstrength.datasets.lovdal_study import recovery_panel
    from trailstrength.models.studies import injury_odds, recovery_after_strength

    return pd.concat([recovery_after_strength(recovery_panel(data)), injury_odds(data.events)], ignore_index=True)


__all__ = [
    "REGISTRY",
    "DatasetInfo",
    "DatasetNotFound",
    "fetch",
    "info",
    "list_datasets",
    "locate",
    "lovdal",
    "lovdal_analysis",
    "pmdata",
    "pmdata_analysis",
]
