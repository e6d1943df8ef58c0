"""What the CSV readers share: the separator, the header a sniffer looks at, and the text table a reader parses.

Apps write CSV with commas or semicolons (Strong's unit dialect, European locales), with or without a UTF-8 BOM,
and pad cells with spaces. Every CSV reader goes through :func:`read_csv_text`, so these cases are handled once.
"""

from __future__ import annotations

import io

import pandas as pd

from trailstrength.io.base import ReaderError, text_head


def separator(line: str) -> str:
    """``;`` when a header line has more semicolons than commas, else ``,``."""
    return ";" if line.count(";") > line.count(",") else ","


def csv_header(data: bytes) -> list[str]:
    """The first line of a CSV as stripped, lower-cased field names (comma or semicolon separated)."""
    first = text_head(data).splitlines()[0] if data.strip() else ""
    return [h.strip().strip('"').strip().lower() for h in first.split(separator(first))]


def read_csv_text(data: bytes, what: str, *, skiprows: int = 0, lower_header: bool = True) -> pd.DataFrame:
    """A CSV as a table of text: every cell a stripped string (``""`` when empty), nothing converted.

    Parameters
    ----------
    data
        The file's bytes, UTF-8 with or without a BOM; comma or semicolon separated (see :func:`separator`,
        applied to the header line).
    what
        The kind of file, for the error message (``"Strong export"``).
    skiprows
        Lines before the header (runpandas' results files have a metadata line first).
    lower_header
        Lower-case the (stripped) header names; False keeps them as written (Strong's headers are folded by
        its own mapping, accents included).

    Raises
    ------
    ReaderError
        The bytes are not a parseable CSV (ragged rows, not UTF-8, empty).
    """
    lines = data[:4096].decode("utf-8", errors="replace").lstrip("\ufeff").splitlines()
    header = lines[skiprows] if len(lines) > skiprows else ""
    try:
        df = pd.read_csv(
            io.BytesIO(data),
            sep=separator(header),
            dtype=str,
            keep_default_na=False,
            encoding="utf-8-sig",
            skiprows=skiprows,
        )
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as err:
        raise ReaderError(f"{what}: not a readable CSV ({err})") from None
    df.columns = [c.strip().lower() if lower_header else c.strip() for c in df.columns]
    return df.apply(lambda col: col.str.strip())
