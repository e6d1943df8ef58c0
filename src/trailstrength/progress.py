"""The one progress bar of trailstrength: a transient rich bar with a label, a count and the time left.

Any stage that loops over files, athletes or activities wraps the loop in :func:`track`::

    for path in track(files, "reading files", show=progress):
        ...
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")


def track(items: Iterable[T], label: str, *, show: bool = True, total: int | None = None) -> Iterator[T]:
    """Yield ``items`` behind a transient progress bar labelled ``label``.

    Parameters
    ----------
    items
        What to iterate over; a sized collection, or any iterable when ``total`` is given.
    label
        Text left of the bar (``"reading files"``).
    show
        False: yield the items without a bar (as when there is nothing to show).
    total
        Number of items, for iterables without a length (a stream of completed futures).

    Returns
    -------
    iterator
        The items, in their order.

    Examples
    --------
    >>> list(track([1, 2, 3], "counting", show=False))
    [1, 2, 3]
    """
    if not show or (total is None and not items):
        yield from items
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), transient=True) as bar:
        yield from bar.track(items, total=total)  # None: rich takes the length of a sized collection
