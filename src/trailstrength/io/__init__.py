"""Readers, one module per source family; each module lists its :class:`~trailstrength.io.base.Format` s.

The registry of formats and the content sniffing live in :mod:`trailstrength.io.detect`. Readers only read:
this package imports no later stage (clean, terrain, warehouse, features, models, viz).
"""

from __future__ import annotations

from trailstrength.io.base import Athlete, FileContext, Format, ReaderError, ReadResult
from trailstrength.io.detect import FORMATS, READER_MODULES, detect, open_bytes

__all__ = [
    "FORMATS",
    "READER_MODULES",
    "Athlete",
    "FileContext",
    "Format",
    "ReadResult",
    "ReaderError",
    "detect",
    "open_bytes",
]
