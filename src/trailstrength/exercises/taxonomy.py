"""The exercise taxonomy (package data) and the user's ``exercise_overrides.csv``.

``taxonomy.csv`` holds one row per canonical exercise (DESIGN §7): its movement ``pattern``, hinge subtype,
``posterior_chain_weight`` in [0, 1], the ``unilateral`` / ``knee_dominant`` / ``eccentric_emphasis`` flags, the
Garmin FIT names where one exists, the aliases apps write and a ``source_note`` for every weight. A user overrides
file (same columns, only ``exercise`` required) wins row by row and may add exercises.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from trailstrength.exercises.normalise import normalise_name

TAXONOMY_COLUMNS: list[str] = [
    "exercise",
    "display_name",
    "aliases",
    "pattern",
    "hinge_subtype",
    "posterior_chain_weight",
    "unilateral",
    "knee_dominant",
    "eccentric_emphasis",
    "fit_category",
    "fit_subtype",
    "source_note",
]
#: Movement patterns (DESIGN §7). ``cardio`` and ``mobility`` were split out of ``other`` (issue 20): conditioning
#: and stretching logged in a strength app are not strength work, and ``other`` alone could not tell a treadmill
#: or a yoga session from a calf raise or a power clean.
PATTERNS: tuple[str, ...] = (
    "hinge",
    "squat",
    "lunge_single_leg",
    "knee_flexion",
    "push",
    "pull",
    "carry",
    "core",
    "plyometric",
    "cardio",
    "mobility",
    "other",
)
#: The lower-body patterns (the ones whose ``unilateral`` flag feeds the unilateral share, DESIGN H7).
LOWER_BODY_PATTERNS: tuple[str, ...] = ("hinge", "squat", "lunge_single_leg", "knee_flexion")
HINGE_SUBTYPES: tuple[str, ...] = (
    "rdl_sld",
    "deadlift",
    "good_morning",
    "swing",
    "back_extension",
    "hip_thrust_bridge",
)
OVERRIDES_FILENAME = "exercise_overrides.csv"

_BOOL_COLUMNS = ("unilateral", "knee_dominant", "eccentric_emphasis")
_STR_COLUMNS = tuple(c for c in TAXONOMY_COLUMNS if c not in _BOOL_COLUMNS + ("posterior_chain_weight",))
_TRUE = {"true", "t", "yes", "y", "1"}
_FALSE = {"false", "f", "no", "n", "0"}
_CANONICAL_RE = re.compile(r"^[a-z0-9]+(?:_[a-z0-9]+)*$")


def split_aliases(aliases: object) -> list[str]:
    if not isinstance(aliases, str):
        return []
    return [a.strip() for a in aliases.split("|") if a.strip()]


def _parse_bool(value: str, where: str) -> bool:
    low = value.strip().lower()
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    raise ValueError(f"{where}: {value!r} is not a boolean; write true or false")


def _parse_weight(value: str, where: str) -> float:
    try:
        weight = float(value)
    except ValueError:
        raise ValueError(f"{where}: {value!r} is not a number; write a weight between 0 and 1") from None
    if not 0.0 <= weight <= 1.0:
        raise ValueError(f"{where}: weight {weight} is outside [0, 1]")
    return weight


def _validate_row(row: dict[str, str], where: str) -> None:
    if not _CANONICAL_RE.match(row["exercise"]):
        raise ValueError(f"{where}, column 'exercise': {row['exercise']!r} is not a snake_case name")
    if row["pattern"] not in PATTERNS:
        raise ValueError(f"{where}, column 'pattern': {row['pattern']!r} is not one of {', '.join(PATTERNS)}")
    subtype = row["hinge_subtype"]
    if row["pattern"] == "hinge" and subtype not in HINGE_SUBTYPES:
        raise ValueError(
            f"{where}, column 'hinge_subtype': a hinge needs one of {', '.join(HINGE_SUBTYPES)}, got {subtype!r}"
        )
    if row["pattern"] != "hinge" and subtype:
        raise ValueError(
            f"{where}, column 'hinge_subtype': {subtype!r} given for pattern {row['pattern']!r}; "
            "leave it empty for non-hinges"
        )


def _frame_from_records(records: list[dict[str, str]], source: str) -> pd.DataFrame:
    columns: dict[str, list] = {c: [] for c in TAXONOMY_COLUMNS}
    for i, rec in enumerate(records):
        where = f"{source}, row {i + 2} ({rec['exercise']})"
        _validate_row(rec, where)
        for col in TAXONOMY_COLUMNS:
            value = rec[col]
            if col == "posterior_chain_weight":
                value = _parse_weight(value or "0", f"{where}, column {col!r}")
            elif col in _BOOL_COLUMNS:
                value = _parse_bool(value or "false", f"{where}, column {col!r}")
            else:
                value = value if value else np.nan
            columns[col].append(value)
    frame = pd.DataFrame(columns)
    dupes = frame["exercise"][frame["exercise"].duplicated()].unique().tolist()
    if dupes:
        raise ValueError(f"{source}: canonical exercise names appear more than once: {dupes}")
    return frame.astype(
        {"posterior_chain_weight": "float64", **{c: "bool" for c in _BOOL_COLUMNS}, **{c: "str" for c in _STR_COLUMNS}}
    )


def _read_records(handle_or_path, source: str, require_all: bool) -> tuple[list[dict[str, str]], list[str]]:
    options = {}
    if isinstance(handle_or_path, Path):
        # user files come from spreadsheets: allow a byte-order mark and the ';' that Excel writes in many locales
        with handle_or_path.open(encoding="utf-8-sig") as handle:
            header = handle.readline()
        options = {"encoding": "utf-8-sig", "sep": ";" if ";" in header and "," not in header else ","}
    raw = pd.read_csv(handle_or_path, dtype=str, keep_default_na=False, skipinitialspace=True, **options)
    raw.columns = [c.strip() for c in raw.columns]
    unknown = [c for c in raw.columns if c not in TAXONOMY_COLUMNS]
    if unknown:
        raise ValueError(f"{source}: unknown column(s) {unknown}; allowed columns are {TAXONOMY_COLUMNS}")
    missing = [c for c in TAXONOMY_COLUMNS if c not in raw.columns]
    if "exercise" in missing or (require_all and missing):
        raise ValueError(f"{source}: missing column(s) {missing}")
    records = [{c: str(v).strip() for c, v in rec.items()} for rec in raw.to_dict("records")]
    return records, list(raw.columns)


@lru_cache(maxsize=1)
def package_taxonomy() -> pd.DataFrame:
    source = resources.files("trailstrength.exercises").joinpath("taxonomy.csv")
    with source.open("r", encoding="utf-8") as handle:
        records, _ = _read_records(handle, "taxonomy.csv (package data)", require_all=True)
    return _frame_from_records(records, "taxonomy.csv (package data)")


def _overrides_path(overrides: str | Path) -> Path:
    path = Path(overrides)
    if path.is_dir():
        path = path / OVERRIDES_FILENAME
    if not path.is_file():
        raise FileNotFoundError(
            f"exercise overrides file not found: {path}; pass a CSV path or a folder holding {OVERRIDES_FILENAME}"
        )
    return path


def overrides_for(raw: str | Path, folder: str | None = None) -> pd.DataFrame | None:
    """The user overrides that apply to one athlete folder of the raw drop zone, or None when there are none.

    ``<raw>/exercise_overrides.csv`` applies to every athlete; ``<raw>/<folder>/exercise_overrides.csv`` adds to it,
    and its row for an exercise replaces the root file's row for the same exercise. Each file is checked on its
    own first, so an error names the file, the row and the column. An alias both files give goes to the
    athlete file's exercise.
    """
    raw = Path(raw)
    paths = [
        p
        for p in (raw / OVERRIDES_FILENAME, raw / folder / OVERRIDES_FILENAME if folder else None)
        if p is not None and p.is_file()
    ]
    frames = []
    for path in paths:
        merge_overrides(package_taxonomy(), path)
        records, given = _read_records(path, str(path), require_all=False)
        frames.append(pd.DataFrame(records, columns=given))
    if not frames:
        return None
    if len(frames) == 2 and "aliases" in frames[0] and "aliases" in frames[1]:
        # an alias the athlete's file gives to one exercise is taken away from the root file's rows
        mine = {normalise_name(a) for cell in frames[1]["aliases"] for a in split_aliases(cell)}
        frames[0]["aliases"] = [
            "|".join(a for a in split_aliases(cell) if normalise_name(a) not in mine) for cell in frames[0]["aliases"]
        ]
    combined = pd.concat(frames, ignore_index=True).fillna("")
    return combined.drop_duplicates("exercise", keep="last").reset_index(drop=True)


def merge_overrides(package: pd.DataFrame, overrides: str | Path | pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (merged taxonomy, override rows as full taxonomy rows)."""
    if isinstance(overrides, pd.DataFrame):
        source = "overrides DataFrame"
        frame = overrides.astype("object").where(overrides.notna(), "")
        unknown = [c for c in frame.columns if c not in TAXONOMY_COLUMNS]
        if unknown or "exercise" not in frame.columns:
            raise ValueError(f"{source}: needs an 'exercise' column and only taxonomy columns; unknown: {unknown}")
        records = [{c: str(v).strip() for c, v in rec.items()} for rec in frame.to_dict("records")]
        given = list(frame.columns)
    else:
        path = _overrides_path(overrides)
        source = str(path)
        records, given = _read_records(path, source, require_all=False)
    base = {rec["exercise"]: rec for rec in _records_of(package)}
    out: list[dict[str, str]] = []
    for i, rec in enumerate(records):
        where = f"{source}, row {i + 2}"
        name = rec.get("exercise", "")
        if not name:
            raise ValueError(f"{where}, column 'exercise': empty canonical name")
        if name in base:
            row = dict(base[name])
            for col in given:
                if col not in ("exercise", "aliases") and rec[col]:
                    row[col] = rec[col]
            if "pattern" in given and rec["pattern"] and rec["pattern"] != "hinge" and not rec.get("hinge_subtype"):
                row["hinge_subtype"] = ""
            row["aliases"] = "|".join(split_aliases(rec.get("aliases", "")))
        else:
            if not rec.get("pattern"):
                raise ValueError(f"{where} ({name}), column 'pattern': a new exercise needs a pattern")
            row = {c: rec.get(c, "") for c in TAXONOMY_COLUMNS}
            row["display_name"] = row["display_name"] or name.replace("_", " ").title()
            row["source_note"] = row["source_note"] or f"user override ({source})"
        out.append(row)
    override_rows = _frame_from_records(out, source) if out else pd.DataFrame(columns=TAXONOMY_COLUMNS)
    merged_records = dict(base)
    for row in out:
        if row["exercise"] in merged_records:
            package_aliases = split_aliases(merged_records[row["exercise"]]["aliases"])
            row = {**row, "aliases": "|".join(dict.fromkeys(split_aliases(row["aliases"]) + package_aliases))}
        merged_records[row["exercise"]] = row
    merged = _frame_from_records(list(merged_records.values()), f"{source} merged with package taxonomy")
    return merged, override_rows


def _records_of(frame: pd.DataFrame) -> list[dict[str, str]]:
    records = []
    for rec in frame.to_dict("records"):
        out = {}
        for col in TAXONOMY_COLUMNS:
            value = rec[col]
            if isinstance(value, (bool, np.bool_)):
                out[col] = "true" if value else "false"
            elif isinstance(value, float) and np.isnan(value):
                out[col] = ""
            else:
                out[col] = str(value)
        records.append(out)
    return records


def load_taxonomy(overrides: str | Path | pd.DataFrame | None = None) -> pd.DataFrame:
    """Load the exercise taxonomy, optionally merged with a user overrides file.

    Parameters
    ----------
    overrides : str, Path, DataFrame or None
        Path of an ``exercise_overrides.csv`` (or a folder holding one) with the taxonomy columns; only
        ``exercise`` is required. A row naming an existing exercise replaces that exercise's non-empty fields
        (changing ``pattern`` away from hinge clears ``hinge_subtype``) and adds its aliases; a row with a new name
        adds an exercise (``pattern`` required; weight defaults to 0, flags to False).

    Returns
    -------
    pandas.DataFrame
        One row per canonical exercise with :data:`TAXONOMY_COLUMNS`: strings as ``str`` dtype (NaN when empty),
        ``posterior_chain_weight`` float64 in [0, 1], ``unilateral``/``knee_dominant``/``eccentric_emphasis`` bool.
        ``aliases`` is the ``|``-separated alias list.

    Raises
    ------
    ValueError
        When a row breaks the contract (unknown pattern, hinge without subtype, weight outside [0, 1], ...); the
        message names the file, the row and the column.
    FileNotFoundError
        When ``overrides`` does not exist.
    """
    package = package_taxonomy()
    if overrides is None:
        return package.copy()
    return merge_overrides(package, overrides)[0]
