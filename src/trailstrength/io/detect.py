"""The registry of formats, and recognising a file's format from its content (never its name).

Every reader module lists its :class:`~trailstrength.io.base.Format` s in ``FORMATS``; :data:`FORMATS` here
collects them in the order their sniffers are tried. Adding a format = writing one module with ``FORMATS``
and adding it to :data:`READER_MODULES`. ``.gz`` files are opened transparently (:func:`open_bytes`).
"""

from __future__ import annotations

import zlib
from pathlib import Path

from trailstrength import config
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
_CHUNK = 1 << 20  # compressed bytes fed to the decompressor at a time


def open_bytes(path: Path, max_bytes: int | None = None) -> tuple[bytes, bool]:
    """Return the file's bytes (decompressed when gzip) and whether it was compressed.

    Gzip is inflated as a stream that stops at ``max_bytes`` (default :func:`trailstrength.config.max_inflated_bytes`,
    512 MB): a file that would decompress beyond it raises :class:`ReaderError` ("decompresses beyond N MB") having
    used at most that much memory. Concatenated gzip members are read in turn, as ``gzip.decompress`` does.
    """
    cap = config.max_inflated_bytes() if max_bytes is None else max_bytes
    with open(path, "rb") as fh:
        if fh.read(2) != GZIP_MAGIC:
            fh.seek(0)
            return fh.read(), False
        fh.seek(0)
        parts: list[bytes] = []  # joined once at the end (a growing bytearray would copy itself as it grows)
        size, pending, fed = 0, b"", False
        inflater = zlib.decompressobj(wbits=31)  # 16 + 15: a gzip header and trailer
        try:
            while pending or (pending := fh.read(_CHUNK)):
                parts.append(inflater.decompress(pending, min(_CHUNK * 16, cap + 1 - size)))  # 16 MB at most
                size += len(parts[-1])
                if size > cap:
                    raise ReaderError(f"decompresses beyond {cap / 1024**2:g} MB (a gzip bomb?); not read")
                pending, fed = inflater.unconsumed_tail, True
                if inflater.eof:  # a file may hold several gzip members, read in turn (as gzip.decompress does)
                    pending, fed = inflater.unused_data.lstrip(b"\0"), False
                    inflater = zlib.decompressobj(wbits=31)
        except zlib.error as err:
            raise ReaderError(f"corrupt gzip ({err})") from None
        if fed:
            raise ReaderError("corrupt gzip (compressed file ended before the end-of-stream marker was reached)")
    return b"".join(parts), True


def detect(data: bytes) -> str | None:
    """Name of the first registered format whose sniffer accepts ``data``; None when unknown.

    FIT is recognised by its header signature (``.FIT`` at bytes 8–11), before the text formats are tried.
    """
    return next((fmt.name for fmt in FORMATS.values() if fmt.sniff(data)), None)
