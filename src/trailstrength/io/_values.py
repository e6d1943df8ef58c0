"""Value-level validation for the CSV readers (issue 14, item 2): a bad value costs that value, not its row or file.

A reader that finds a value it cannot use (``stress`` of 0 on a 1–5 scale, ``reps`` of ``"ten"``, a date that is
not one) leaves that value empty and notes it in a :class:`ValueLog`: the file line, the column, the value as
written and why. A row is left out only when it cannot be placed at all (no usable date or time); a file is
rejected only when no row remains. The log becomes the ``warnings`` table of the file's results
(:data:`TABLE`; the warehouse stores it as ``warnings.parquet``, read as ``wh.warnings``) and one summary line
per column among the reader's warnings.

Plausibility limits (issue 16, item 9) are written in one place, :data:`PLAUSIBLE` (per field) and
:data:`EARLIEST_DAY` / :data:`DAYS_AHEAD` (the window of dates a log line can carry): a value outside is a typing,
unit or export error, never a measurement, and is left empty and recorded (``outside ...``), never clipped or
coerced (a load of ``NaN`` does not become 0 kg). A line whose date is outside the window is left out and recorded.

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

#: field -> (lowest, highest, unit for messages): the plausible range of one logged value (outside: left empty).
#: Loads: the heaviest loaded machines (leg-press sleds) stay below 1 t; reps: no set counts 1000 repetitions;
#: a set or a workout lasts less than a day; a strength set's distance (carries, sled pushes) is below 100 km.
PLAUSIBLE: dict[str, tuple[float, float, str]] = {
    "load_kg": (0.0, 1000.0, " kg"),
    "reps": (0.0, 1000.0, ""),
    "duration_s": (0.0, 24 * 3600.0, " s"),
    "session_duration_s": (0.0, 24 * 3600.0, " s"),
    "distance_m": (0.0, 100_000.0, " m"),
}
#: the window of plausible dates on a log line: none before 1980 (no training apps, no diaries of ours), none
#: more than DAYS_AHEAD days after the day the file is read (time zones; a diary is not written in advance)
EARLIEST_DAY = pd.Timestamp("1980-01-01")
DAYS_AHEAD = 2


def plausible_days(day: pd.Series) -> pd.Series:
    """True where ``day`` (naive dates or times) lies in :data:`EARLIEST_DAY` … today + :data:`DAYS_AHEAD` days."""
    latest = pd.Timestamp.now().normalize() + pd.Timedelta(days=DAYS_AHEAD + 1)
    return day.ge(EARLIEST_DAY) & day.lt(latest)


def window_text() -> str:
    """The date window, for reasons: ``"before 1980-01-01 or after 2026-12-05"``."""
    latest = pd.Timestamp.now().normalize() + pd.Timedelta(days=DAYS_AHEAD)
    return f"dated before {EARLIEST_DAY:%Y-%m-%d} or after {latest:%Y-%m-%d}"


_HH_MM = r"(?:[01]?\d|2[0-3]):[0-5]\d"


def clock_times(log: ValueLog, column: str) -> tuple[pd.Series, pd.Series]:
    """Column ``column`` of ``log.raw`` as local ``HH:MM`` text and a mask of the rows that have one.

    A time that is no clock time (``25:99``, ``7.30``) is left empty and recorded, so it cannot roll into the next
    day; a blank one is simply absent (the row keeps its date).
    """
    raw = log.raw
    time = raw[column].astype("str").str.strip() if column in raw else pd.Series("", index=raw.index, dtype="str")
    has_time = time.str.fullmatch(_HH_MM).fillna(False).astype(bool)
    log.note(~has_time & time.ne(""), column, "not a HH:MM clock time")
    return time.where(has_time, "00:00"), has_time


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

    def plausible(self, values: pd.Series, field: str, column: str) -> pd.Series:
        """``values`` of ``field``; those outside :data:`PLAUSIBLE` (and ±inf) left empty, recorded under ``column``."""
        lo, hi, unit = PLAUSIBLE[field]
        bad = values.notna() & (~np.isfinite(values.astype("float64")) | values.lt(lo) | values.gt(hi))
        return self.null(values, bad, column, f"outside {lo:g}–{hi:g}{unit}")

    def dated(self, day: pd.Series, column: str, why: str) -> pd.Series:
        """The rows whose ``day`` can be read (else left out: ``why``) and lies in the plausible window (else left
        out and recorded); raises when none is left."""
        ok = self.keep_rows(day.notna(), column, why)
        return ok & self.keep_rows(plausible_days(day) | ~ok, column, window_text())

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
