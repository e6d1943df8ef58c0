"""Reading a built warehouse: :class:`Warehouse` and :func:`open_warehouse`, optionally narrowed to a selection.

A selection (some athletes, a range of local dates) is a filter applied to every table as it is read, so
everything that takes a :class:`Warehouse` (``analyze``, the figures, the notebooks) works on the selection
unchanged.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from trailstrength import config
from trailstrength.errors import WarehouseNotFound
from trailstrength.warehouse import storage

DateLike = str | dt.date | pd.Timestamp | None  # a first or last local date of a selection


@dataclass(frozen=True)
class Selection:
    """Which athletes and local dates a :class:`Warehouse` shows (None: no limit on that side).

    ``start`` and ``end`` are inclusive. Exposure windows are computed from the kept days only, so runs in
    the first 28 days of the range have no full history and leave the panels.
    """

    athletes: tuple[str, ...] | None = None
    start: DateLike = None
    end: DateLike = None

    @classmethod
    def of(cls, athletes=None, start: DateLike = None, end: DateLike = None) -> Selection:
        """A selection from notebook-style parameters (``athletes`` a single id or a list of them)."""
        if isinstance(athletes, str):
            athletes = (athletes,)
        return cls(tuple(athletes) if athletes is not None else None, start, end)

    @property
    def everything(self) -> bool:
        return self.athletes is None and self.start is None and self.end is None

    def rows(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The rows of ``frame`` of the selected athletes and dates (tables without those columns pass whole)."""
        if self.athletes is not None and "athlete_id" in frame:
            # manifest rows of files outside athlete folders have no athlete: they belong to no selection
            frame = frame[frame["athlete_id"].isin(self.athletes)]
        if "local_date" in frame and (self.start is not None or self.end is not None):
            dates = pd.to_datetime(frame["local_date"])
            keep = pd.Series(True, index=frame.index)
            if self.start is not None:
                keep &= dates >= pd.Timestamp(self.start)
            if self.end is not None:
                keep &= dates <= pd.Timestamp(self.end)
            frame = frame[keep]
        return frame


class Warehouse:
    """Read access to a built warehouse; tables are plain pandas DataFrames read on each access.

    Parameters
    ----------
    root : path, optional
        The warehouse folder (default :func:`trailstrength.config.path` ``warehouse``).
    must_exist : bool
        Raise :class:`~trailstrength.errors.WarehouseNotFound` when ``root`` holds no warehouse (default).
    selection : Selection, optional
        Show only these athletes and dates (default: everything). :func:`open_warehouse` builds it.

    Examples
    --------
    :func:`open_warehouse` shows one being read. Without a warehouse the error says how to build one:

    >>> Warehouse("/nonexistent/warehouse")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    trailstrength.errors.WarehouseNotFound: no warehouse at /nonexistent/warehouse: run `trailstrength ingest RAW ...`
    """

    def __init__(self, root=None, *, must_exist: bool = True, selection: Selection | None = None):
        self.root = config.path("warehouse", root)
        self.selection = selection or Selection()
        if must_exist and not storage.table_path(self.root, storage.MANIFEST).is_file():
            raise WarehouseNotFound(
                f"no warehouse at {self.root}: run `trailstrength ingest RAW --warehouse {self.root}`"
            )

    def __repr__(self) -> str:
        if self.selection.everything:
            return f"Warehouse({str(self.root)!r})"
        s = self.selection
        return f"Warehouse({str(self.root)!r}, athletes={s.athletes}, start={s.start}, end={s.end})"

    @property
    def meta(self) -> dict:
        """``meta.json``: the versions the derived tables were built with, and when."""
        return storage.read_meta(self.root)

    def table(self, name: str) -> pd.DataFrame:
        """One tidy table (an empty frame with the contract's columns when it was never written)."""
        frame = storage.read_table(self.root, name)
        if self.selection.everything:
            return frame
        frame = self.selection.rows(frame)
        if name == "segments" and (self.selection.start is not None or self.selection.end is not None):
            # segments have no date: keep those of the selected activities
            frame = frame[frame["activity_id"].isin(self.table("activities")["activity_id"])]
        return frame.reset_index(drop=True)

    manifest = property(lambda self: self.table("manifest"))
    activities = property(lambda self: self.table("activities"))
    strength_sets = property(lambda self: self.table("strength_sets"))
    wellness = property(lambda self: self.table("wellness"))
    segments = property(lambda self: self.table("segments"))
    runs = property(lambda self: self.table("runs"))
    warnings = property(lambda self: self.table("warnings"))  # values the readers left empty, and why
    coverage = property(lambda self: self.table("coverage"))  # periods each source's records cover

    @property
    def descents(self) -> pd.DataFrame:
        """The descent segments of every run."""
        seg = self.segments
        return seg[seg["kind"] == "descent"].reset_index(drop=True)

    def samples(self, activity_ids=None, athletes=None) -> pd.DataFrame:
        """Recorded points, optionally only for some activities or athletes (read from the per-activity files)."""
        if activity_ids is None and not self.selection.everything:
            acts = self.table("activities")
            if athletes is not None:
                acts = acts[acts["athlete_id"].isin(athletes)]
            activity_ids = acts["activity_id"].tolist()
        return storage.read_samples(storage.samples_dir(self.root), activity_ids=activity_ids, athletes=athletes)


def open_warehouse(path=None, *, athletes=None, start=None, end=None) -> Warehouse:
    """Open a built warehouse, optionally showing only some athletes and local dates.

    Parameters
    ----------
    path : path, optional
        The warehouse folder (default :func:`trailstrength.config.path` ``warehouse``).
    athletes : str or list of str, optional
        Athlete ids to keep (None: all).
    start, end : date-like, optional
        First and last local date to keep (inclusive; None: open). Exposure windows are computed from the
        kept days only, so runs in the first 28 days of the range have no full history and leave the panels.

    Returns
    -------
    Warehouse
        Tables as pandas DataFrames (``.runs``, ``.strength_sets``, ``.wellness``, ``.samples(...)``).

    Raises
    ------
    WarehouseNotFound
        No warehouse at ``path``; the message says which command builds one.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from trailstrength.simulate import simulate_cohort
    >>> from trailstrength.warehouse import ingest, open_warehouse
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = simulate_cohort(folder / "raw", athletes=2, weeks=1, seed=1, truth_dir=folder / "truth")
    >>> _ = ingest(folder / "raw", warehouse=folder / "wh", progress=False, workers=1)
    >>> wh = open_warehouse(folder / "wh")
    >>> sorted(wh.activities["athlete_id"].unique())
    ['ath01', 'ath02']
    >>> one = open_warehouse(folder / "wh", athletes="ath02", end="2025-03-06")
    >>> one.runs[["athlete_id", "local_date"]]
      athlete_id local_date
    0      ath02 2025-03-04
    """
    return Warehouse(path, selection=Selection.of(athletes, start, end))
