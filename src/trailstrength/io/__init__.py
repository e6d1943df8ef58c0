"""Readers, one module per source family; each module lists its :class:`~trailstrength.io.base.Format` s.

Adding a format = writing one module with ``FORMATS`` and adding it to ``_MODULES`` below.
"""

from __future__ import annotations

from trailstrength.io import fitnotes, gpx, hevy, pmdata, races, strength_logs, strong, wellness
from trailstrength.io import fit, strava_export, tcx
from trailstrength.io.base import Athlete, FileContext, Format, ReaderError, ReadResult
from trailstrength.io.detect import detect, open_bytes

_MODULES = (gpx, strong, hevy, fitnotes, strength_logs, wellness, pmdata, races)
_MODULES = (fit, tcx, strava_export, *_MODULES)  # activity formats (FIT, TCX, Strava export) first: their sniffers are the strictest
FORMATS: dict[str, Format] = {f.name: f for m in _MODULES for f in m.FORMATS}

__all__ = ["FORMATS", "Athlete", "FileContext", "Format", "ReadResult", "ReaderError", "detect", "open_bytes"]
