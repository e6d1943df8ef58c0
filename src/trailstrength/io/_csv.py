"""What the CSV readers share: the text encoding, the separator, the header a sniffer looks at, and the text table a
reader parses.

Apps write CSV with commas, semicolons (Strong's unit dialect, European locales) or tabs, in UTF-8 with or without
a BOM or in a Windows code page (Excel on a European Windows saves cp1252), and pad cells with spaces. The ingest
turns every text file into UTF-8 first (:func:`as_utf8`, noting the encoding it used), and every CSV reader goes
through :func:`read_csv_text`, so these cases are handled once.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import pandas as pd

from trailstrength.io.base import ReaderError, text_head

SEPARATORS = (",", ";", "\t")
#: tried in turn on a text file that is not UTF-8: Windows-1252 (Western European Windows, Excel's default "CSV"),
#: then Latin-1 (ISO 8859-1), which decodes any byte
FALLBACK_ENCODINGS = ("cp1252", "latin-1")


def as_utf8(data: bytes) -> tuple[bytes, str]:
    """A text file's bytes as UTF-8, and the encoding they were in (``""``: left as they are).

    UTF-8 (BOM or not) is kept as it is; UTF-16 with a BOM (Excel's "Unicode text") and then
    :data:`FALLBACK_ENCODINGS` are decoded and written as UTF-8. Binary data (a NUL byte in the first 4 kB: FIT) and
    XML (which declares its own encoding: GPX, TCX) are left to their readers.
    """
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return data.decode("utf-16").encode("utf-8"), "utf-16"
        except UnicodeDecodeError:
            return data, ""
    if b"\0" in data[:4096] or data[:64].lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return data, ""
    try:
        data.decode("utf-8")
        return data, "utf-8"
    except UnicodeDecodeError:
        pass
    for encoding in FALLBACK_ENCODINGS:
        try:
            return data.decode(encoding).encode("utf-8"), encoding
        except UnicodeDecodeError:
            continue
    return data, ""  # not reached: Latin-1 decodes every byte


def separator(text: str) -> str:
    """The field separator of a CSV whose first lines are ``text``: ``,``, ``;`` or a tab.

    A separator that splits the header and every following line (of the first 20; a last line cut short is left
    out) into the same number of fields wins, as :class:`csv.Sniffer` would decide; when several or none do, the
    one the header line holds most of (a comma on a tie).
    """
    lines = text.splitlines()
    if len(lines) > 2 and not text.endswith(("\n", "\r")):
        lines = lines[:-1]  # the head of a file ends mid-line
    header, lines = (lines[0] if lines else ""), lines[:21]
    consistent = [
        sep
        for sep in SEPARATORS
        if len(widths := {len(r) for r in csv.reader(lines, delimiter=sep) if r}) == 1 and min(widths) > 1
    ]
    candidates = consistent if consistent else list(SEPARATORS)
    return max(candidates, key=lambda sep: (header.count(sep), sep == ","))


def csv_header(data: bytes) -> list[str]:
    """The first line of a CSV as stripped, lower-cased field names (separated by :func:`separator`)."""
    head = text_head(data) if data.strip() else ""
    first = head.splitlines()[0] if head else ""
    return [h.strip().strip('"').strip().lower() for h in first.split(separator(head))]


def read_csv_text(data: bytes, what: str, *, skiprows: int = 0, lower_header: bool = True) -> pd.DataFrame:
    """A CSV as a table of text: every cell a stripped string (``""`` when empty), nothing converted.

    Parameters
    ----------
    data
        The file's bytes, UTF-8 with or without a BOM (:func:`as_utf8` made them so); comma, semicolon or tab
        separated (see :func:`separator`, applied to the first lines after ``skiprows``).
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
        The bytes are not a parseable CSV (ragged rows, not UTF-8, empty), or hold a header and no rows.
    """
    lines = data[:4096].decode("utf-8", errors="replace").lstrip("\ufeff").splitlines(keepends=True)
    options: dict[str, Any] = dict(
        sep=separator("".join(lines[skiprows:])),
        dtype=str,
        keep_default_na=False,
        encoding="utf-8-sig",
        skiprows=skiprows,
    )
    try:
        df = pd.read_csv(io.BytesIO(data), **options)
        header = pd.read_csv(io.BytesIO(data), header=None, nrows=1, **options).iloc[0].tolist()
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as err:
        raise ReaderError(f"{what}: not a readable CSV ({err})") from None
    if df.empty:  # a header and nothing under it: one clear reason, whatever the reader would make of no rows
        raise ReaderError(f"{what}: a header but no rows")
    # the names as written: pandas renames a repeated one ("load", "load.1"), which would hide it
    names = [h or c for h, c in zip(header, df.columns)] if len(header) == len(df.columns) else list(df.columns)
    df.columns = [c.strip().lower() if lower_header else c.strip() for c in names]
    df = df.apply(lambda col: col.str.strip())
    return named_once(df, what)


def named_once(df: pd.DataFrame, what: str) -> pd.DataFrame:
    """``df`` with every column name once (compared case-insensitively, as the readers fold them).

    A name written twice (issue 16, item 9: a duplicated ``load`` column) leaves no way to know which column the
    app meant, so the readers never pick one: columns of one name that hold the same text in every row are one
    column (the first kept); when they differ, the file is rejected with a reason naming the column and where
    it stands (1-based). (Strava's ``activities.csv``, whose repeated names mean different units, is read by
    position with its own parser, not through here.)

    Raises
    ------
    ReaderError
        A name repeated over columns that hold different values.
    """
    key = pd.Index([str(c).casefold() for c in df.columns])
    if key.is_unique:
        return df
    keep = [True] * len(key)
    for name in key[key.duplicated()].unique():
        at = [i for i, k in enumerate(key) if k == name]
        first = df.iloc[:, at[0]]
        if not all(df.iloc[:, i].equals(first) for i in at[1:]):
            where = ", ".join(str(i + 1) for i in at)
            raise ReaderError(
                f"{what}: column {df.columns[at[0]]!r} appears {len(at)} times (columns {where}) with different "
                "values: cannot tell which one to use"
            )
        for i in at[1:]:
            keep[i] = False
    return df.loc[:, keep]
