"""The data contract: one pandera model per tidy table (DESIGN §4).

Storage is SI (m, s, m/s, kg); instants are tz-aware UTC (``datetime64[ns, UTC]``) and every table that is
about a day carries ``local_date`` (naive midnight in the athlete's own time zone). ``validate(name, df)`` is the
single gate every table passes before it is written; a violation raises :class:`SchemaViolation` naming the
table, the columns, the failed checks and the first offending rows.
"""

from __future__ import annotations

import sys

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from trailstrength.errors import SchemaViolation  # noqa: F401  (re-exported)


def _pandera_without_dask() -> None:
    """Let pandera build these (pandas-only) schemas without importing Dask.

    The first time pandera builds a schema it looks up its Dask annotation types, which imports ``dask.dataframe``
    when Dask is installed: 0.7 s on every ingest and in every reader process (issue 18). Unless the process has
    already imported ``dask.dataframe``, pandera's Dask typing module is loaded here while that import is refused,
    so pandera takes Dask for absent; ``dask.dataframe`` itself stays importable afterwards. (Only pandera models
    annotated with ``pandera.typing.dask`` types would notice, and this package has none.)
    """
    if "pandera.typing.dask" in sys.modules or "dask.dataframe" in sys.modules:
        return
    sys.modules["dask.dataframe"] = None  # type: ignore[assignment]  # an import of it now raises ImportError
    try:
        import pandera.typing.dask  # noqa: F401
    finally:
        del sys.modules["dask.dataframe"]


_pandera_without_dask()

UTC = pd.DatetimeTZDtype(unit="ns", tz="UTC")
LOCAL_DATE = "datetime64[ns]"


def _ts(nullable: bool = False, **kw):
    return pa.Field(dtype_kwargs={"unit": "ns", "tz": "UTC"}, nullable=nullable, **kw)


class _Base(pa.DataFrameModel):
    class Config:
        coerce = True
        strict = False  # readers may add source-specific reference columns


class Activities(_Base):
    """One row per activity (a run, ride, strength session recorded by a watch, ...)."""

    activity_id: Series[str] = pa.Field(unique=True)
    athlete_id: Series[str]
    source_file: Series[str]
    source_format: Series[str]
    sport: Series[str]
    # where the sport came from: the file, athlete.toml untyped_sport, or inferred from the movement (sport.py)
    sport_source: Series[str] | None = pa.Field(isin=["file", "athlete.toml", "inferred"], nullable=True)
    sport_confidence: Series[float] | None = pa.Field(ge=0, le=1, nullable=True)  # of an inferred sport
    start_time: Series[pd.DatetimeTZDtype] = _ts(nullable=True)
    local_date: Series[LOCAL_DATE] = pa.Field(nullable=True)
    duration_s: Series[float] = pa.Field(ge=0, nullable=True)
    moving_time_s: Series[float] = pa.Field(ge=0, nullable=True)
    distance_m: Series[float] = pa.Field(ge=0, nullable=True)
    ascent_m: Series[float] = pa.Field(ge=0, nullable=True)
    descent_m: Series[float] = pa.Field(ge=0, nullable=True)
    has_gps: Series[bool]
    has_altitude: Series[bool]
    altitude_source: Series[str] = pa.Field(isin=["barometric", "gps", "dem", "none", "unknown"])
    device: Series[str] = pa.Field(nullable=True)


class Samples(_Base):
    """One row per recorded point of an activity."""

    activity_id: Series[str]
    timestamp: Series[pd.DatetimeTZDtype] = _ts(nullable=True)
    elapsed_s: Series[float] = pa.Field(ge=0, nullable=True)
    distance_m: Series[float] = pa.Field(ge=0, nullable=True)
    lat: Series[float] = pa.Field(ge=-90, le=90, nullable=True)
    lon: Series[float] = pa.Field(ge=-180, le=180, nullable=True)
    altitude_m: Series[float] = pa.Field(ge=-500, le=9000, nullable=True)
    heart_rate: Series[float] = pa.Field(ge=0, le=260, nullable=True)
    cadence: Series[float] = pa.Field(ge=0, nullable=True)
    speed_mps: Series[float] = pa.Field(ge=0, nullable=True)


class Segments(_Base):
    """One row per terrain segment (descent or climb) of a run."""

    activity_id: Series[str]
    athlete_id: Series[str]
    kind: Series[str] = pa.Field(isin=["descent", "climb", "flat"])
    start_m: Series[float] = pa.Field(ge=0)
    end_m: Series[float] = pa.Field(ge=0)
    length_m: Series[float] = pa.Field(gt=0)
    drop_m: Series[float]
    mean_grade: Series[float] = pa.Field(ge=-0.45, le=0.45)
    duration_s: Series[float] = pa.Field(ge=0, nullable=True)
    speed_mps: Series[float] = pa.Field(ge=0, nullable=True)
    gap_speed_mps: Series[float] = pa.Field(ge=0, nullable=True)
    vertical_speed_mps: Series[float] = pa.Field(ge=0, nullable=True)


class Runs(_Base):
    """One row per run with its terrain summary and descent performance index (DPI)."""

    activity_id: Series[str] = pa.Field(unique=True)
    athlete_id: Series[str]
    local_date: Series[LOCAL_DATE]
    distance_m: Series[float] = pa.Field(ge=0, nullable=True)
    descent_m: Series[float] = pa.Field(ge=0, nullable=True)
    descent_length_m: Series[float] = pa.Field(ge=0, nullable=True)
    descent_gap_speed_mps: Series[float] = pa.Field(ge=0, nullable=True)
    flat_speed_mps: Series[float] = pa.Field(gt=0, nullable=True)
    flat_reference_mps: Series[float] = pa.Field(gt=0, nullable=True)
    flat_reference: Series[str] = pa.Field(isin=["same_run", "rolling_28d", "none"])
    dpi: Series[float] = pa.Field(gt=0, nullable=True)


class StrengthSets(_Base):
    """One row per strength set, with its exercise classified by the taxonomy."""

    athlete_id: Series[str]
    performed_at: Series[pd.DatetimeTZDtype] = _ts(nullable=True)
    local_date: Series[LOCAL_DATE]
    session_id: Series[str]
    exercise_raw: Series[str]
    exercise: Series[str] = pa.Field(nullable=True)
    pattern: Series[str] = pa.Field(nullable=True)
    hinge_subtype: Series[str] = pa.Field(nullable=True)
    posterior_chain_weight: Series[float] = pa.Field(ge=0, le=1)
    unilateral: Series[bool]
    knee_dominant: Series[bool]
    set_index: Series[int] = pa.Field(ge=0)
    set_type: Series[str] = pa.Field(isin=["working", "warmup", "failure", "drop"])
    reps: Series[float] = pa.Field(ge=0, nullable=True)
    load_kg: Series[float] = pa.Field(ge=0, nullable=True)
    rpe: Series[float] = pa.Field(ge=0, le=10, nullable=True)
    rir: Series[float] = pa.Field(ge=0, nullable=True)
    duration_s: Series[float] = pa.Field(ge=0, nullable=True)
    source: Series[str]


class Wellness(_Base):
    """One row per wellness / soreness report (an athlete-day, or several reports a day with a time).

    Subjective scores are on 0–10 and named for what a higher value means: ``soreness``, ``fatigue`` and
    ``stress`` (higher = more of it, worse); ``mood``, ``readiness``, ``motivation`` and ``sleep_quality``
    (higher = better). ``soreness_raw`` / ``soreness_scale`` keep the value as recorded and its scale
    (see :data:`trailstrength.io.wellness.SCALES`). ``soreness_regions`` holds the normalised regions
    (quads, hamstrings, glutes, calves, lower_back, other; ``;``-joined) and ``soreness_regions_raw`` the
    regions as written. Injury reports are rows with ``report_kind == "injury"``.
    """

    athlete_id: Series[str]
    local_date: Series[LOCAL_DATE]
    reported_at: Series[pd.DatetimeTZDtype] = _ts(nullable=True)
    soreness: Series[float] = pa.Field(ge=0, le=10, nullable=True)
    soreness_raw: Series[float] = pa.Field(nullable=True)
    soreness_scale: Series[str] = pa.Field(nullable=True)
    soreness_regions: Series[str] = pa.Field(nullable=True)
    fatigue: Series[float] = pa.Field(nullable=True)
    sleep_h: Series[float] = pa.Field(ge=0, le=24, nullable=True)
    source: Series[str]
    # optional columns (readers that have them add them)
    soreness_regions_raw: Series[str] | None = pa.Field(nullable=True)
    stress: Series[float] | None = pa.Field(ge=0, le=10, nullable=True)
    mood: Series[float] | None = pa.Field(ge=0, le=10, nullable=True)
    readiness: Series[float] | None = pa.Field(ge=0, le=10, nullable=True)
    motivation: Series[float] | None = pa.Field(ge=0, le=10, nullable=True)
    sleep_quality: Series[float] | None = pa.Field(ge=0, le=10, nullable=True)
    resting_hr_bpm: Series[float] | None = pa.Field(gt=0, le=250, nullable=True)
    hrv_ms: Series[float] | None = pa.Field(ge=0, nullable=True)
    body_mass_kg: Series[float] | None = pa.Field(gt=0, nullable=True)
    injury_severity: Series[str] | None = pa.Field(isin=["none", "minor", "moderate", "major"], nullable=True)
    injury_regions: Series[str] | None = pa.Field(nullable=True)
    report_kind: Series[str] | None = pa.Field(isin=["wellness", "injury"], nullable=True)


class Races(_Base):
    """One row per athlete × race × section."""

    athlete_id: Series[str]
    race: Series[str]
    date: Series[LOCAL_DATE]
    section: Series[str]
    distance_m: Series[float] = pa.Field(ge=0, nullable=True)
    gain_m: Series[float] = pa.Field(ge=0, nullable=True)
    loss_m: Series[float] = pa.Field(ge=0, nullable=True)
    time_s: Series[float] = pa.Field(ge=0, nullable=True)


class Courses(_Base):
    """One row per planned route (a GPX ``rte`` without times): a course, not an activity."""

    course_id: Series[str] = pa.Field(unique=True)
    athlete_id: Series[str]
    source_file: Series[str]
    source_format: Series[str]
    name: Series[str] = pa.Field(nullable=True)
    n_points: Series[int] = pa.Field(ge=0)
    distance_m: Series[float] = pa.Field(ge=0, nullable=True)
    has_altitude: Series[bool]
    gain_m: Series[float] = pa.Field(ge=0, nullable=True)
    loss_m: Series[float] = pa.Field(ge=0, nullable=True)


class Warnings(_Base):
    """One row per value a reader left empty, or row it left out (issue 14, item 2): where, what, why."""

    athlete_id: Series[str]
    source_file: Series[str]
    line: Series[int] = pa.Field(ge=1)  # file line as in a text editor (the header is line 1)
    column: Series[str]
    value: Series[str]  # as written in the file
    reason: Series[str]


class Coverage(_Base):
    """One row per athlete, source and period the records cover (features.coverage; issue 14, item 4)."""

    athlete_id: Series[str]
    source: Series[str] = pa.Field(isin=["strength", "wellness", "activities"])
    start: Series[LOCAL_DATE]  # first day, inclusive
    end: Series[LOCAL_DATE]  # last day, inclusive
    n_days_logged: Series[int] = pa.Field(ge=0)
    n_records: Series[int] = pa.Field(ge=0)
    origin: Series[str]  # logged, declared (athlete.toml [coverage]) or both joined


class Manifest(_Base):
    """One row per input file: what it was, and what became of it."""

    path: Series[str]
    sha256: Series[str] = pa.Field(str_length={"min_value": 64, "max_value": 64})
    size_bytes: Series[int] = pa.Field(ge=0)
    format: Series[str]
    athlete_id: Series[str]
    state: Series[str] = pa.Field(isin=["ingested", "duplicate", "quarantined"])
    reason: Series[str] = pa.Field(nullable=True)
    rows: Series[int] = pa.Field(ge=0)
    reader_version: Series[str]
    ingested_at: Series[pd.DatetimeTZDtype] = _ts()
    duplicate_of: Series[str] | None = pa.Field(nullable=True)  # the kept file, for state "duplicate"
    mtime_ns: Series[int] | None = pa.Field(nullable=True)  # lets a re-run trust the hash of an untouched file


TABLES: dict[str, type[_Base]] = {
    "activities": Activities,
    "samples": Samples,
    "segments": Segments,
    "runs": Runs,
    "strength_sets": StrengthSets,
    "wellness": Wellness,
    "races": Races,
    "courses": Courses,
    "warnings": Warnings,
    "coverage": Coverage,
    "manifest": Manifest,
}


def validate(table: str, df: pd.DataFrame) -> pd.DataFrame:
    """Validate ``df`` as table ``table``; return it coerced to the contract dtypes.

    Raises
    ------
    SchemaViolation
        Every failed check at once (``lazy=True``), naming table, column and rows.
    """
    model = TABLES[table]
    try:
        return model.validate(df, lazy=True)
    except pa.errors.SchemaErrors as err:
        raise SchemaViolation(table, err.failure_cases) from None


_SIMPLE_CHECKS = {
    "greater_than_or_equal_to": lambda s, st: s < st["min_value"],
    "less_than_or_equal_to": lambda s, st: s > st["max_value"],
    "greater_than": lambda s, st: s <= st["min_value"],
    "less_than": lambda s, st: s >= st["max_value"],
    "isin": lambda s, st: ~s.isin(st["allowed_values"]) & s.notna(),
    "str_length": lambda s, st: _outside_length(s.str.len(), st),
}


def _outside_length(n: pd.Series, st: dict) -> pd.Series:
    """Rows whose string length breaks pandera's ``str_length`` statistics (missing values pass, as there)."""
    bad = pd.Series(False, index=n.index)
    for key, breaks in (("exact_value", n.ne), ("min_value", n.lt), ("max_value", n.gt)):
        if st.get(key) is not None:
            bad |= breaks(st[key]).fillna(False).astype(bool)
    return bad


_SCHEMAS: dict = {}


def validate_fast(table: str, df: pd.DataFrame) -> pd.DataFrame:
    """:func:`validate` for the hot path (one call per activity during ingest), same contract and result.

    Coerces to the contract dtypes and runs the simple column checks (bounds, ``isin``, nullability,
    uniqueness) with plain pandas; anything else, and any failure, goes through :func:`validate`, so a
    violation is reported exactly as there.
    """
    schema = _SCHEMAS.setdefault(table, TABLES[table].to_schema())
    out = df.copy(deep=False)
    try:
        for name, col in schema.columns.items():
            if name not in out:
                if col.required:
                    return validate(table, df)
                continue
            s = out[name]
            want = col.dtype.type
            if s.dtype != want:
                s = s.astype(want)
            if (not col.nullable and s.isna().any()) or (col.unique and s.duplicated().any()):
                return validate(table, df)
            for check in col.checks:
                rule = _SIMPLE_CHECKS.get(check.name)
                if rule is None or bool(rule(s, check.statistics).any()):
                    return validate(table, df)
            out[name] = s
    except (TypeError, ValueError):
        return validate(table, df)
    return out


def empty(table: str) -> pd.DataFrame:
    """An empty frame with the contract's columns and dtypes for ``table``."""
    schema = TABLES[table].to_schema()
    return pd.DataFrame({name: pd.Series(dtype=col.dtype.type) for name, col in schema.columns.items()})
