"""Shared fixtures: the real sample files (skipped with a reason when absent) and small simulated cohorts."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import pytest
from hypothesis import settings

matplotlib.use("Agg")

# Property tests draw the same examples on every run by default, so that CI on a clean clone is reproducible: a new
# counter-example is found while exploring (HYPOTHESIS_PROFILE=explore make test) and then kept as an @example.
settings.register_profile("repeatable", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

REPO = Path(__file__).resolve().parents[1]


def realdata_dir() -> Path:
    return Path(os.environ.get("TRAILSTRENGTH_REALDATA", REPO.parent / "shared" / "realdata"))


@pytest.fixture(scope="session")
def realdata():
    """Return a function mapping a path inside ../shared/realdata to a Path, skipping when it is absent."""

    def get(rel: str) -> Path:
        p = realdata_dir() / rel
        if not p.exists():
            pytest.skip(reason=f"real sample {rel} not available (set TRAILSTRENGTH_REALDATA to ../shared/realdata)")
        return p

    return get


@pytest.fixture()
def athlete():
    from trailstrength.io import Athlete

    return Athlete("a1", timezone="Europe/Oslo", timezone_known=True)


@pytest.fixture()
def ctx(athlete):
    from trailstrength.io import FileContext

    return FileContext("a1/file", "0" * 64, athlete)
