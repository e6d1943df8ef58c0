"""Shared by the figure tests: a clean matplotlib state per test and finding artists by their ``gid``."""

from __future__ import annotations

import matplotlib as mpl

mpl.use("Agg", force=True)

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def isolated_matplotlib():
    """Every test starts from the same rcParams and leaves no figures open (import it to use it)."""
    with mpl.rc_context():
        mpl.rcdefaults()
        yield
    plt.close("all")


def by_gid(ax, gid) -> list:
    """The artists of ``ax`` with this gid."""
    return [a for a in ax.get_children() if a.get_gid() == gid]


def one(ax, gid):
    """The one artist of ``ax`` with this gid (fails the test when there are none or several)."""
    found = by_gid(ax, gid)
    assert len(found) == 1, f"expected one artist with gid {gid!r}, found {len(found)}"
    return found[0]
