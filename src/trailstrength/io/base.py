"""What every reader shares: the file context it is given, what it returns, and its error type."""

from __future__ import annotations

import hashlib
import re
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
        """The profile of ``folder`` (see :func:`load_profile`); raises :class:`ReaderError` on any problem."""
        athlete, problems = load_profile(folder)
        if problems:
            raise ReaderError("; ".join(problems))
        return athlete


#: Athlete ids name folders in the warehouse (``athlete_id=<id>``): letters, digits, ``.``, ``_`` and ``-``, 1 to 64
#: characters, not starting with ``.`` (no ``/``, no ``..``, nothing a URL decoder or a shell would change).
ATHLETE_ID = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}")
#: Keys ``athlete.toml`` may hold, and the TOML types each accepts (other keys are named in a warning, and ignored).
PROFILE_KEYS: dict[str, tuple[type, ...]] = {
    "athlete_id": (str,),
    "timezone": (str,),
    "time_zone": (str,),
    "strength_unit": (str,),
    "body_mass_kg": (int, float),
    "untyped_sport": (str,),
    "privacy_zones": (list,),  # read by trailstrength.privacy
    "coverage": (dict,),  # read by trailstrength.features.coverage
}
UNIT_ALIASES = {"kgs": "kg", "kilogram": "kg", "kilograms": "kg", "lbs": "lb", "pound": "lb", "pounds": "lb"}
BODY_MASS_KG = (20.0, 300.0)  # plausible body mass, kg


def is_safe_athlete_id(name: str) -> bool:
    """Whether ``name`` may be used as an athlete id as it is (:data:`ATHLETE_ID`)."""
    return isinstance(name, str) and ATHLETE_ID.fullmatch(name) is not None


def safe_athlete_id(name: str) -> str:
    """``name`` when it is a safe id, else one made from it: other characters become ``_``, and 6 hex digits of
    its sha256 keep two folders apart that differ only in those characters (``"a b"`` -> ``"a_b-…"``)."""
    if is_safe_athlete_id(name):
        return name
    stem = re.sub(r"[^A-Za-z0-9._-]", "_", name).lstrip(".")[:57] or "athlete"
    return f"{stem}-{hashlib.sha256(name.encode('utf-8', 'surrogateescape')).hexdigest()[:6]}"


def load_profile(folder: Path) -> tuple[Athlete, list[str]]:
    """Read ``folder/athlete.toml`` when present, field by field: ``(profile, problems)``.

    The folder name is the id unless the profile names a safe one (:data:`ATHLETE_ID`; an unsafe folder name is
    made safe by :func:`safe_athlete_id`). A field with a wrong type or value is reported (file and key named) and
    falls back to its default; the other fields still count. An unreadable or invalid file falls back whole.
    """
    prof = folder / "athlete.toml"
    problems: list[str] = []
    data: dict = {}
    try:
        if prof.is_file():
            data = tomllib.loads(prof.read_text(encoding="utf-8"))
    except OSError as err:
        problems.append(f"{prof}: cannot be read ({type(err).__name__}: {err.strerror or err}); defaults used")
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        problems.append(f"{prof}: not valid TOML ({err}); defaults used")

    def field(key: str):
        value = data.get(key)
        if value is None or isinstance(value, PROFILE_KEYS[key]) and not isinstance(value, bool):
            return value
        kinds = " or ".join(t.__name__ for t in PROFILE_KEYS[key])
        problems.append(f"{prof}: {key} must be a {kinds}, not {value!r}; ignored")
        return None

    unknown = sorted(set(data) - set(PROFILE_KEYS))
    if unknown:
        problems.append(
            f"{prof}: unknown key(s) {', '.join(map(repr, unknown))} ignored (known: {', '.join(PROFILE_KEYS)})"
        )
    athlete_id = safe_athlete_id(folder.name)
    given = field("athlete_id")
    if given is not None and is_safe_athlete_id(given):
        athlete_id = given
    elif given is not None:
        problems.append(
            f"{prof}: athlete_id {given!r} is not a safe id (letters, digits, '.', '_', '-'; at most 64; "
            f"not starting with '.'); {athlete_id!r} used"
        )
    tz = field("timezone") or field("time_zone")
    if tz:
        try:
            ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            problems.append(f"{prof}: timezone {tz!r} is not an IANA time zone (like 'Europe/Oslo'); ignored")
            tz = None
    unit = (field("strength_unit") or "kg").strip().lower()
    unit = UNIT_ALIASES.get(unit, unit)
    if unit not in ("kg", "lb"):
        problems.append(f"{prof}: strength_unit must be 'kg' or 'lb', not {unit!r}; 'kg' used")
        unit = "kg"
    mass = field("body_mass_kg")
    if mass is not None and not BODY_MASS_KG[0] <= mass <= BODY_MASS_KG[1]:
        problems.append(f"{prof}: body_mass_kg {mass!r} is outside {BODY_MASS_KG[0]:g}–{BODY_MASS_KG[1]:g} kg; ignored")
        mass = None
    sport = field("untyped_sport")
    field("privacy_zones")
    coverage = field("coverage")
    athlete = Athlete(
        athlete_id=athlete_id,
        timezone=tz or config.athlete_timezone_default(),
        timezone_known=bool(tz),
        strength_unit=unit,
        body_mass_kg=float(mass) if mass is not None else None,
        untyped_sport=sport.strip().lower() or None if sport else None,
        coverage=coverage,
    )
    return athlete, problems


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
