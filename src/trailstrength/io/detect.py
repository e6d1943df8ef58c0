"""Recognise a file's format from its content (never its name); ``.gz`` is opened transparently."""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

from trailstrength.io.base import ReaderError

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
    from trailstrength.io import FORMATS

    if len(data) >= 12 and data[8:12] == b".FIT":
        return "fit" if "fit" in FORMATS else "fit (no reader yet)"
    for fmt in FORMATS.values():
        if fmt.sniff(data):
            return fmt.name
    return None
