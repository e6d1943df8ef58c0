"""Matching raw exercise names to the taxonomy.

Matching runs per unique name, in this order, and the first stage that succeeds wins:

1. **override** - the name (exact or normalised) is an alias listed in the user's ``exercise_overrides.csv``, or
   the canonical or display name of an exercise that file adds. A row that only re-weights a package exercise
   changes the attributes, not how its package aliases match (they still report exact/normalised).
2. **exact** - the stripped name equals an alias, display name or canonical name (case-sensitive).
3. **normalised** - the name's token key equals an alias key after accents, case, punctuation, plurals, word order
   and synonyms (``DB``, ``RDL``, ``hex bar``...) are folded; equipment (bracketed or not), gym brands and set
   modifiers (``paused``, ``left``...) may be dropped.
4. **fuzzy** - typo repair with :func:`rapidfuzz.fuzz.ratio` over the token-sorted keys (see :meth:`_Matcher._fuzzy`).
5. **normalised** (relaxed) - words unknown to the taxonomy are dropped (``Leg Press Technogym (Gelb)``). This runs
   after fuzzy on purpose: a misspelt discriminating word (``Deadlift (Romanain)``) must be repaired, not dropped.
6. **pattern** - no row matched, but the name's words give a movement pattern by the keyword and equipment grammar
   of :mod:`~trailstrength.exercises.grammar` ("Cable Upright Bar Row" is a pull, "Glute Machine (Kick
   Backwards)" hip extension): exercise NaN, pattern and lower-body flags set, posterior-chain weight only where
   the grammar is sure, and ``match_note`` says which rule decided.
7. **unmatched** - exercise and pattern NaN, weight 0, flags False; listed by
   :func:`~trailstrength.exercises.review.unmatched_report`.

Garmin FIT strength sets are named ``category/subtype`` from the FIT profile (``deadlift/romanian_deadlift``,
``hip_raise/kettlebell_swing``, ``leg_curl/good_morning``). Such a name is matched by its subtype alone: the
category is a coarse family (good mornings sit under ``leg_curl``, swings under ``hip_raise``) and never decides the
exercise (DESIGN §7). A numeric or ``unknown`` subtype (``65534`` = unknown exercise) is unmatched and reported.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from trailstrength.exercises.grammar import classify_name
from trailstrength.exercises.normalise import (
    ANTONYMS,
    relaxed_variant,
    split_name,
    strict_variants,
    token_key,
)
from trailstrength.exercises.taxonomy import (
    OVERRIDES_FILENAME,
    merge_overrides,
    overrides_for,
    package_taxonomy,
    split_aliases,
)

MATCH_METHODS: tuple[str, ...] = ("override", "exact", "normalised", "fuzzy", "pattern", "unmatched")
MATCH_COLUMNS: list[str] = [
    "exercise_raw",
    "exercise",
    "pattern",
    "hinge_subtype",
    "posterior_chain_weight",
    "unilateral",
    "knee_dominant",
    "eccentric_emphasis",
    "match_method",
    "match_score",
    "match_note",
]
ANNOTATION_COLUMNS: list[str] = MATCH_COLUMNS[1:]

_FIT_NAME_RE = re.compile(r"^([a-z0-9]+(?:_[a-z0-9]+)*)/([a-z0-9]+(?:_[a-z0-9]+)*)$")
_FIT_UNKNOWN = frozenset({"unknown", "invalid", "65534", "65535"})

# ---------------------------------------------------------------------------------------------------------------
# Alias index and resolution
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _AliasIndex:
    exact: dict[str, str]
    keys: dict[str, str]
    compact: dict[str, str]
    vocab: frozenset[str]

    @classmethod
    def build(cls, taxonomy: pd.DataFrame, label: str, aliases_only: frozenset[str] = frozenset()) -> _AliasIndex:
        """Index every alias, display name and canonical name (only aliases for rows in ``aliases_only``)."""
        exact: dict[str, str] = {}
        keys: dict[str, set[str]] = {}
        compact: dict[str, set[str]] = {}
        vocab: set[str] = set()
        for row in taxonomy.itertuples(index=False):
            names = split_aliases(row.aliases)
            if row.exercise not in aliases_only:
                names = [row.exercise, row.display_name] + names
            for name in names:
                if not isinstance(name, str) or not name.strip():
                    continue
                exact.setdefault(name.strip(), row.exercise)
                outside, inside = split_name(name)
                tokens = outside + inside
                if not tokens:
                    continue
                vocab.update(tokens)
                keys.setdefault(token_key(tokens), set()).add(row.exercise)
                compact.setdefault("".join(tokens), set()).add(row.exercise)
        clashes = {k: v for k, v in keys.items() if len(v) > 1}
        if clashes:
            listed = "; ".join(f"{k!r} -> {sorted(v)}" for k, v in sorted(clashes.items()))
            warnings.warn(
                f"{label}: aliases that normalise to the same key name different exercises and are ignored: {listed}",
                stacklevel=3,
            )
        return cls(
            exact=exact,
            keys={k: next(iter(v)) for k, v in keys.items() if len(v) == 1},
            compact={k: next(iter(v)) for k, v in compact.items() if len(v) == 1},
            vocab=frozenset(vocab),
        )

    def lookup(self, variants: list[list[str]]) -> str | None:
        for tokens in variants:
            hit = self.keys.get(token_key(tokens)) or self.compact.get("".join(tokens))
            if hit is not None:
                return hit
        return None


def _tokens_align(query: list[str], candidate: list[str], min_ratio: float = 80.0) -> bool:
    """True when every word of one name pairs with a near-identical word of the other (typos only).

    Words may not be added or dropped, short words (< 4 letters) must be equal, and antonym pairs such as
    abduction/adduction never pair.
    """
    if len(query) != len(candidate):
        return False
    remaining = list(candidate)
    for word in sorted(query, key=len, reverse=True):
        best = max(remaining, key=lambda other: fuzz.ratio(word, other))
        if word != best and (
            min(len(word), len(best)) < 4 or fuzz.ratio(word, best) < min_ratio or frozenset({word, best}) in ANTONYMS
        ):
            return False
        remaining.remove(best)
    return True


class _Matcher:
    """Resolve raw names against the package index and, first, the user's override index."""

    def __init__(self, package: _AliasIndex, override: _AliasIndex | None, threshold: float) -> None:
        self.package = package
        self.override = override
        self.threshold = threshold
        merged = dict(package.keys)
        if override is not None:
            merged.update(override.keys)
        self.choices = list(merged)
        self.choice_exercise = [merged[k] for k in self.choices]
        self.vocab = package.vocab | (override.vocab if override is not None else frozenset())

    def resolve(self, name: str) -> tuple[str | None, str, float]:
        """Return ``(exercise, match_method, match_score)`` for one raw name (``unmatched`` before the grammar)."""
        stripped = self.name_to_match(name)
        if stripped is None:
            return None, "unmatched", np.nan
        outside, inside = split_name(stripped)
        variants = strict_variants(outside, inside)
        if self.override is not None:
            hit = self.override.exact.get(stripped) or self.override.lookup(variants)
            if hit is not None:
                return hit, "override", 100.0
        hit = self.package.exact.get(stripped)
        if hit is not None:
            return hit, "exact", 100.0
        hit = self.package.lookup(variants)
        if hit is not None:
            return hit, "normalised", 100.0
        fuzzy = self._fuzzy(variants)
        if fuzzy is not None:
            return fuzzy[0], "fuzzy", fuzzy[1]
        relaxed = relaxed_variant(outside, inside, self.vocab)
        if relaxed is not None:
            for index in (self.override, self.package):
                hit = index.lookup([relaxed]) if index is not None else None
                if hit is not None:
                    return hit, ("override" if index is self.override else "normalised"), 100.0
        return None, "unmatched", np.nan

    def name_to_match(self, name: str) -> str | None:
        """The stripped name, a FIT ``category/subtype`` name's subtype, or None for a blank or unknown name."""
        stripped = name.strip()
        fit = _FIT_NAME_RE.match(stripped)
        if fit and not (self.override is not None and stripped in self.override.exact):
            stripped = fit.group(2)
        if not stripped or stripped.isdigit() or stripped in _FIT_UNKNOWN:
            return None
        return stripped

    def _fuzzy(self, variants: list[list[str]]) -> tuple[str, float] | None:
        """Typo repair over token-sorted alias keys.

        Scorer: :func:`rapidfuzz.fuzz.ratio` (normalised Indel similarity) on sorted-token keys, i.e. a
        token-sort ratio. Subset-tolerant scorers (``token_set_ratio``, ``partial_ratio``, ``WRatio``) score
        ``"deadlift"`` against ``"deadlift romanian"`` at 100 and would cross the traps; the plain ratio penalises
        every missing word. On top, :func:`_tokens_align` rejects candidates that add, drop or swap a word, and a
        tie between two exercises at the best score is treated as no match.
        """
        for tokens in variants:
            found = process.extract(
                token_key(tokens), self.choices, scorer=fuzz.ratio, score_cutoff=self.threshold, limit=10
            )
            passing = [
                (self.choice_exercise[i], score) for choice, score, i in found if _tokens_align(tokens, choice.split())
            ]
            if not passing:
                continue
            best_score = passing[0][1]
            best = {ex for ex, score in passing if score == best_score}
            if len(best) == 1:
                return passing[0][0], float(best_score)
            return None
        return None


@lru_cache(maxsize=1)
def _package_index() -> _AliasIndex:
    return _AliasIndex.build(package_taxonomy(), "taxonomy.csv (package data)")


def _matcher_for(overrides, threshold: float) -> tuple[_Matcher, pd.DataFrame]:
    package = package_taxonomy()
    merged, override_rows = merge_overrides(package, overrides)
    # A row that only re-weights a package exercise claims its listed aliases, not the package's names for it.
    existing = frozenset(override_rows["exercise"]) & frozenset(package["exercise"])
    override_index = _AliasIndex.build(override_rows, "exercise overrides", aliases_only=existing)
    return _Matcher(_package_index(), override_index, threshold), merged


# ---------------------------------------------------------------------------------------------------------------
# Public matching API
# ---------------------------------------------------------------------------------------------------------------


def _empty_matches() -> pd.DataFrame:
    return _typed_matches(pd.DataFrame({c: [] for c in MATCH_COLUMNS}))


def _typed_matches(frame: pd.DataFrame) -> pd.DataFrame:
    types = {
        "exercise_raw": "str",
        "exercise": "str",
        "pattern": "str",
        "hinge_subtype": "str",
        "posterior_chain_weight": "float64",
        "unilateral": "bool",
        "knee_dominant": "bool",
        "eccentric_emphasis": "bool",
        "match_method": "str",
        "match_score": "float64",
        "match_note": "str",
    }
    return frame[MATCH_COLUMNS].astype(types)


def match_exercises(names, overrides: str | Path | pd.DataFrame | None = None, threshold: float = 88.0) -> pd.DataFrame:
    """Match raw exercise names to the taxonomy, once per unique name.

    Parameters
    ----------
    names : iterable of str or pandas.Series
        Raw names as the app wrote them; duplicates and missing values are allowed (missing values are skipped).
    overrides : str, Path, DataFrame or None
        User overrides (see :func:`load_taxonomy`); their aliases are tried before the package's.
    threshold : float, default 88.0
        Minimum :func:`rapidfuzz.fuzz.ratio` (0-100) between token-sorted keys for a fuzzy match.

    Returns
    -------
    pandas.DataFrame
        One row per unique non-missing name, in first-seen order, with :data:`MATCH_COLUMNS`:
        ``exercise_raw``, ``exercise``, ``pattern``, ``hinge_subtype``, ``posterior_chain_weight``, ``unilateral``,
        ``knee_dominant``, ``eccentric_emphasis``, ``match_method`` (one of :data:`MATCH_METHODS`),
        ``match_score`` (100 for override/exact/normalised, the rapidfuzz score for fuzzy, NaN for pattern and
        unmatched) and ``match_note`` (for ``pattern``, the grammar rule and where the weight came from; else NaN).
        ``pattern`` names have NaN exercise; unmatched names also NaN pattern and subtype, weight 0.0 and all
        flags False.

    Notes
    -----
    The stages are described in the module docstring. The cost is one resolution per unique name, so 100k sets
    with a few hundred distinct names take well under a second; without overrides each name's result is also
    remembered for the rest of the process.
    """
    series = pd.Series(names if not isinstance(names, pd.Series) else names.to_numpy(), dtype="object")
    series = series[series.notna()].astype("str")
    unique = pd.unique(series)
    if len(unique) == 0:
        return _empty_matches()
    if overrides is None:
        rows = [_package_match(name, threshold) for name in unique]
    else:
        matcher, taxonomy = _matcher_for(overrides, threshold)
        by_exercise = _rows_by_exercise(taxonomy)
        rows = [_match_one(name, matcher, by_exercise) for name in unique]
    return _typed_matches(pd.DataFrame(rows, columns=MATCH_COLUMNS))


_ATTRIBUTES = [
    "pattern",
    "hinge_subtype",
    "posterior_chain_weight",
    "unilateral",
    "knee_dominant",
    "eccentric_emphasis",
]
_NO_ATTRIBUTES = (np.nan, np.nan, 0.0, False, False, False)


def _rows_by_exercise(taxonomy: pd.DataFrame) -> dict[str, dict]:
    """exercise -> its attributes (a dict per row: looked up once per name, far faster than ``DataFrame.loc``)."""
    columns = {c: taxonomy[c].tolist() for c in _ATTRIBUTES}
    return {ex: {c: columns[c][i] for c in _ATTRIBUTES} for i, ex in enumerate(taxonomy["exercise"])}


def _match_one(name: str, matcher: _Matcher, by_exercise: dict[str, dict]) -> tuple:
    """One row of :data:`MATCH_COLUMNS` for one unique name: the alias stages, then the grammar (stage 6)."""
    exercise, method, score = matcher.resolve(name)
    if exercise is not None:
        attributes = by_exercise[exercise]
        return (name, exercise, *(attributes[c] for c in _ATTRIBUTES), method, score, np.nan)
    target = matcher.name_to_match(name)
    hit = classify_name(target, by_exercise, matcher.vocab) if target is not None else None
    if hit is None:
        return (name, np.nan, *_NO_ATTRIBUTES, "unmatched", np.nan, np.nan)
    return (name, np.nan, *(getattr(hit, c) for c in _ATTRIBUTES), "pattern", np.nan, hit.note)


@lru_cache(maxsize=4)
def _package_matcher(threshold: float) -> tuple[_Matcher, dict[str, dict]]:
    return _Matcher(_package_index(), None, threshold), _rows_by_exercise(package_taxonomy())


@lru_cache(maxsize=65_536)
def _package_match(name: str, threshold: float) -> tuple:
    """:func:`_match_one` against the package data alone, remembered: ingest classifies the same names again and
    again (per file, then per athlete folder), and the package data do not change while the process runs."""
    return _match_one(name, *_package_matcher(threshold))


def annotate_sets(
    df: pd.DataFrame,
    name_column: str = "exercise_raw",
    overrides: str | Path | pd.DataFrame | None = None,
    threshold: float = 88.0,
) -> pd.DataFrame:
    """Add the taxonomy columns to a strength-sets table.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per set, with the raw exercise name in ``name_column``.
    name_column : str, default "exercise_raw"
        Column holding the raw names.
    overrides, threshold
        As in :func:`match_exercises`.

    Returns
    -------
    pandas.DataFrame
        A copy of ``df`` (same index and row order) with :data:`ANNOTATION_COLUMNS` appended; existing columns of
        those names are replaced. Rows with a missing name are marked unmatched.
    """
    if name_column not in df.columns:
        raise KeyError(f"annotate_sets: column {name_column!r} not found; columns are {list(df.columns)}")
    names = df[name_column].astype("object").where(df[name_column].notna()).astype("str")
    matches = match_exercises(names, overrides=overrides, threshold=threshold)
    unmatched = pd.DataFrame(
        {
            "exercise_raw": [np.nan],
            "exercise": [np.nan],
            "pattern": [np.nan],
            "hinge_subtype": [np.nan],
            "posterior_chain_weight": [0.0],
            "unilateral": [False],
            "knee_dominant": [False],
            "eccentric_emphasis": [False],
            "match_method": ["unmatched"],
            "match_score": [np.nan],
            "match_note": [np.nan],
        }
    )
    table = pd.concat([matches, _typed_matches(unmatched)], ignore_index=True)
    position = pd.Index(matches["exercise_raw"]).get_indexer(names)
    position[position < 0] = len(table) - 1
    picked = table.iloc[position].reset_index(drop=True)
    out = df.drop(columns=[c for c in ANNOTATION_COLUMNS if c in df.columns and c != name_column])
    for col in ANNOTATION_COLUMNS:
        out[col] = picked[col].to_numpy()
    return out.astype({col: picked[col].dtype for col in ANNOTATION_COLUMNS})


def annotate_by_folder(
    df: pd.DataFrame, raw: str | Path, name_column: str = "exercise_raw", path_column: str = "source_file"
) -> pd.DataFrame:
    """Annotate the sets of every athlete folder with the overrides that apply to it (:func:`overrides_for`).

    The folder is the first part of ``path_column`` (paths relative to ``raw``, as the warehouse stores them).
    Folders without an overrides file of their own share the root's overrides and are annotated in one pass (a
    cohort of 400 athletes is one call, not 400). Returns a copy in the same row order; an empty frame or one
    without names is returned unchanged.
    """
    if df.empty or name_column not in df.columns:
        return df
    folder = (
        df[path_column].astype("str").str.split("/", n=1).str[0]
        if path_column in df.columns
        else pd.Series("", index=df.index)
    )
    raw = Path(raw)
    own = {
        name: name
        for name in folder.unique()
        if isinstance(name, str) and name and (raw / name / OVERRIDES_FILENAME).is_file()
    }
    group = folder.map(lambda name: own.get(name, ""))
    parts = [
        annotate_sets(grp, name_column, overrides=overrides_for(raw, name or None))
        for name, grp in df.groupby(group, sort=False)
    ]
    return pd.concat(parts).reindex(df.index)
