"""Value-level validation for the CSV readers (issue 14, item 2): a bad value costs that value, not its row or file.

A reader that finds a value it cannot use (``stress`` of 0 on a 1–5 scale, ``reps`` of ``"ten"``, a date that is
not one) leaves that value empty and notes it in a :class:`ValueLog`: the file line, the column, the value as
written and why. A row is left out only when it cannot be placed at all (no usable date or time); a file is
rejected only when no row remains. The log becomes the ``warnings`` table of the file's results
(:data:`TABLE`; the warehouse stores it as ``warnings.parquet``, read as ``wh.warnings``) and one summary line
per column among the reader's warnings.

Lines are numbered as in a text editor: the header is line ``1 + skiprows``, the first data row the next one
(blank lines, which the CSV parser skips, are not counted).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from trailstrength.io.base import ReaderError, ReadResult

TABLE = "warnings"  # key of the value log in ReadResult.tables
COLUMNS = ["line", "column", "value", "reason"]
SHOWN = 3  # values quoted per column in the summary line
ROW_LEFT_OUT = "row left out: "  # reason prefix of a row that could not be placed


class ValueLog:
    """The values one file's reader left out, one record per value (see the module docstring).

    Parameters
    ----------
    what : str
        The kind of file, for messages (``"PMData wellness.csv"``).
    raw : pandas.DataFrame
        The file as text (:func:`trailstrength.io._csv.read_csv_text`), index 0 on the first data row; the
        reader may go on with a subset of its rows (the index is kept).
    skiprows : int
        Lines before the header.
    """

    def __init__(self, what: str, raw: pd.DataFrame, *, skiprows: int = 0):
        self.what, self.raw, self.first_line = what, raw, 2 + skiprows
        self.records: list[dict] = []

    def line(self, index) -> int:
        """The file line of data row ``index`` (the parser's row number, counted from 0)."""
        return int(index) + self.first_line

    def note(self, bad: pd.Series, column: str, why: str) -> None:
        """Record the values of ``column`` (as written) on the rows where ``bad`` is True."""
        written = self.raw[column] if column in self.raw else pd.Series("", index=self.raw.index)
        for i in bad.index[bad.fillna(False).to_numpy(dtype=bool)]:
            self.records.append({"line": self.line(i), "column": column, "value": str(written[i]), "reason": why})

    def null(self, values: pd.Series, bad: pd.Series, column: str, why: str) -> pd.Series:
        """``values`` with the ``bad`` ones left empty (NaN / None), each recorded."""
        bad = bad.fillna(False).astype(bool)
        if not bad.any():
            return values
        self.note(bad, column, why)
        return values.where(~bad)

    def number(self, column: str, lo: float | None = None, hi: float | None = None, unit: str = "") -> pd.Series:
        """Column ``column`` as numbers: text that is no number, and numbers outside [lo, hi], left empty."""
        text = self.raw[column].astype("str").str.strip()
        text = text.where(~text.str.fullmatch(r"-?\d+,\d+"), text.str.replace(",", ".", regex=False))
        values = pd.to_numeric(text, errors="coerce").astype("float64")
        values = self.null(values, values.isna() & text.ne("") & text.str.lower().ne("nan"), column, "not a number")
        if lo is not None or hi is not None:
            outside = values.lt(-np.inf if lo is None else lo) | values.gt(np.inf if hi is None else hi)
            span = f"{'' if lo is None else f'{lo:g}'}–{'' if hi is None else f'{hi:g}'}{unit}"
            values = self.null(values, outside, column, f"outside {span}")
        return values

    def keep_rows(self, ok: pd.Series, column: str, why: str) -> pd.Series:
        """The rows that can be placed: the others recorded (``why``: "row left out: ..."). Raises when none is left."""
        ok = ok.fillna(False).astype(bool)
        self.note(~ok, column, ROW_LEFT_OUT + why)
        if len(ok) and not ok.any():
            raise ReaderError(f"{self.what}: no usable row ({column}: {why} on every line)")
        return ok

    def frame(self) -> pd.DataFrame:
        """The records as a table (:data:`COLUMNS`; ``line`` int64)."""
        return pd.DataFrame(self.records, columns=COLUMNS).astype({"line": "int64", "value": "str"})

    def summary(self) -> list[str]:
        """One line per column, for the reader's warnings: how many values, why, the first lines and values."""
        if not self.records:
            return []
        out = []
        log = self.frame()
        for (column, why), grp in log.groupby(["column", "reason"], sort=False):
            shown = ", ".join(f"line {r.line}: {r.value!r}" for r in grp.head(SHOWN).itertuples())
            more = f" and {len(grp) - SHOWN} more" if len(grp) > SHOWN else ""
            n, rows = len(grp), why.startswith(ROW_LEFT_OUT)
            what = (
                f"row{'s' * (n != 1)} left out: {why.removeprefix(ROW_LEFT_OUT)}"
                if rows
                else f"value{'s' * (n != 1)} {why}"
            )
            out.append(f"{column}: {n} {what} ({shown}{more}); see wh.warnings")
        return out

    def attach(self, result: ReadResult) -> ReadResult:
        """``result`` with the log as its ``warnings`` table and the summary lines among its warnings."""
        if not self.records:
            return result
        return ReadResult({**result.tables, TABLE: self.frame()}, [*self.summary(), *result.warnings])
