"""Every exception trailstrength raises on purpose, in one place.

Policy
------
- A reader that cannot read a file raises :class:`ReaderError`; the caller adds the file name and the file is
  quarantined with the message as its reason, never the whole batch.
- A table that breaks the data contract raises :class:`SchemaViolation` with every failure (pandera's lazy mode).
- Missing inputs raise ``FileNotFoundError`` subclasses whose message says what to run or where to put the data.
- Internal control flow (:class:`NeedsTree`) never reaches a user.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas only for the annotation: the errors import nothing heavy
    import pandas as pd


class ReaderError(ValueError):
    """A file could not be read; the message says what is wrong (the caller adds the file name)."""


class NeedsTree(Exception):
    """The fast path cannot vouch for this document; parse it as a tree instead."""


class SchemaViolation(ValueError):
    """A table broke the data contract. ``failures`` holds pandera's failure cases."""

    def __init__(self, table: str, failures: pd.DataFrame):
        self.table = table
        self.failures = failures
        lines = [f"table {table!r} violates its schema ({len(failures)} failure(s)):"]
        for (column, check), grp in failures.groupby(["column", "check"], dropna=False, sort=False):
            if check == "column_in_dataframe":
                lines.append(f"  missing column(s) {grp['failure_case'].tolist()}")
                continue
            rows = grp["index"].dropna().tolist()
            shown = ", ".join(str(r) for r in rows[:10]) + (" ..." if len(rows) > 10 else "")
            values = ", ".join(repr(v) for v in grp["failure_case"].head(3))
            lines.append(f"  column {column!r}: {check} — rows [{shown}] (values {values})")
        super().__init__("\n".join(lines))


class WarehouseNotFound(FileNotFoundError):
    """No warehouse at this path yet: run ``trailstrength ingest RAW`` first."""


class WarehouseLocked(RuntimeError):
    """Another ``ingest`` holds the warehouse's lock; the message names the lock file and that process's id."""


class DatasetNotFound(FileNotFoundError):
    """No local copy of a public dataset; the message says where to get it and where to put it."""


class NotEnoughTerrainData(ValueError):
    """The runs do not hold enough moving data over enough grades to fit an athlete's curve."""


class NotebookFailed(RuntimeError):
    """A cell raised while a notebook ran; the executed notebook (with the traceback) was still written."""
