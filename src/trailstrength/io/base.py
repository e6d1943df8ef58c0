"""What every reader shares: the file context it is given, what it returns, and its error type."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd

from trailstrength import config
from trailstrength.errors import ReaderError  # noqa: F401  (re-exported)


@dataclass(frozen=True)
class Athlete:
    """An athlete folder's profile (from the optional ``athlete.toml``)."""

    athlete_id: str
    timezone: str = "UTC"
    timezone_known: bool = False
    strength_unit: str = "kg"  # unit of Strong's classic export, which does not say
    body_mass_kg: float | None = None
    untyped_sport: str | None = None  # sport for activity files that name none (many GPX exports)
    # the raw [coverage] table (periods declared as logged); checked by the warehouse's coverage stage, not here
    coverage: dict | None = field(default=None, hash=False, compare=False)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @classmethod
    def from_folder(cls, folder: Path) -> Athlete:
        """Read ``folder/athlete.toml`` when present; the folder name is the id unless the profile says otherwise."""
        prof = folder / "athlete.toml"
        data: dict = {}
        if prof.is_file():
            try:
                data = tomllib.loads(prof.read_text(encoding="utf-8"))
            except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
                raise ReaderError(f"{prof}: not valid TOML ({err})") from None
        tz = data.get("timezone") or data.get("time_zone")
        if tz:
            try:
                ZoneInfo(tz)
            except (ZoneInfoNotFoundError, ValueError):
                raise ReaderError(f"{prof}: unknown time zone {tz!r} (use an IANA name like 'Europe/Oslo')") from None
        unit = str(data.get("strength_unit", "kg")).lower()
        if unit not in ("kg", "lb"):
            raise ReaderError(f"{prof}: strength_unit must be 'kg' or 'lb', not {unit!r}")
        return cls(
            athlete_id=str(data.get("athlete_id", folder.name)),
            timezone=tz or config.athlete_timezone_default(),
            timezone_known=bool(tz),
            strength_unit=unit,
            body_mass_kg=data.get("body_mass_kg"),
            untyped_sport=str(data["untyped_sport"]).strip().lower() if data.get("untyped_sport") else None,
            coverage=data.get("coverage"),
        )


@dataclass(frozen=True)
class FileContext:
    """Where the bytes a reader gets came from."""

    path: str  # relative to the raw root, POSIX separators
    sha256: str
    athlete: Athlete

    def activity_id(self, index: int = 0) -> str:
        """Stable id from the content hash (and the session index for multi-activity files)."""
        return f"{self.sha256[:16]}" + (f"-{index}" if index else "")


@dataclass
class ReadResult:
    """Tables a reader produced from one file (table name -> frame) and non-fatal warnings."""

    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return int(sum(len(df) for df in self.tables.values()))


@dataclass(frozen=True)
class Format:
    """A supported input format: how to recognise it from its first bytes, and how to read it."""

    name: str
    version: str  # bump when the reader's output changes: files are re-read
    kind: str  # activity | strength | wellness | race
    sniff: Callable[[bytes], bool]
    read: Callable[[bytes, FileContext], ReadResult]


def local_dates(instants: pd.Series, tz: str) -> pd.Series:
    """UTC instants -> naive local midnight (``local_date``) in zone ``tz``."""
    return instants.dt.tz_convert(tz).dt.tz_localize(None).dt.normalize().astype("datetime64[ns]")


def localize(naive: pd.Series, tz: str) -> pd.Series:
    """Naive local wall-clock times -> UTC instants (ambiguous/nonexistent DST times resolved forward)."""
    return (
        naive.dt.tz_localize(tz, ambiguous="NaT", nonexistent="shift_forward")
        .dt.tz_convert("UTC")
        .astype("datetime64[ns, UTC]")
    )


def text_head(data: bytes, n: int = 4096) -> str:
    """The first ``n`` bytes as text, BOM and leading whitespace removed (Strava's TCX starts with spaces)."""
    return data[:n].decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
