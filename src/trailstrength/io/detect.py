"""The registry of formats, and recognising a file's format from its content (never its name).

Every reader module lists its :class:`~trailstrength.io.base.Format` s in ``FORMATS``; :data:`FORMATS` here
collects them in the order their sniffers are tried. Adding a format = writing one module with ``FORMATS``
and adding it to :data:`READER_MODULES`. ``.gz`` files are opened transparently (:func:`open_bytes`).
"""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

from trailstrength.io import (
    fit,
    fitnotes,
    gpx,
    hevy,
    pmdata,
    races,
    strava_export,
    strength_logs,
    strong,
    tcx,
    wellness,
)
from trailstrength.io.base import Format, ReaderError

#: Reader modules in sniffing order: the activity formats (FIT, TCX, Strava export) first, their sniffers being
#: the strictest; then GPX, the strength apps, trailstrength's templates, wellness diaries and race files.
READER_MODULES = (fit, tcx, strava_export, gpx, strong, hevy, fitnotes, strength_logs, wellness, pmdata, races)
#: Format name -> :class:`Format`, in sniffing order.
FORMATS: dict[str, Format] = {f.name: f for m in READER_MODULES for f in m.FORMATS}

GZIP_MAGIC = b"\x1f\x8b"
MAX_BYTES = 2 * 1024**3  # refuse to inflate beyond 2 GiB (a zip bomb is not an activity)


def open_bytes(path: Path) -> tuple[bytes, bool]:
    """Return the file's bytes (decompressed when gzip) and whether it was compressed."""
    data = Path(path).read_bytes()
    if data[:2] != GZIP_MAGIC:
        return data, False
    try:
        out = gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as err:
        raise ReaderError(f"corrupt gzip ({err})") from None
    if len(out) > MAX_BYTES:
        raise ReaderError("gzip inflates beyond 2 GiB")
    return out, True


def detect(data: bytes) -> str | None:
    """Name of the first registered format whose sniffer accepts ``data``; None when unknown.

    FIT is recognised by its header signature (``.FIT`` at bytes 8–11), before the text formats are tried.
    """
    return next((fmt.name for fmt in FORMATS.values() if fmt.sniff(data)), None)
