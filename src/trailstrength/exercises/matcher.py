"""Exercise taxonomy loading and name matching.

Strength apps write the same lift a dozen ways (``Romanian Deadlift (Barbell)``, ``RDL``, ``romanian_deadlift``,
``Rumänisches Kreuzheben``). This module maps each raw name onto one canonical row of ``taxonomy.csv`` and so onto
its movement pattern and posterior-chain weight (DESIGN §7).

Matching runs per unique name, in this order, and the first stage that succeeds wins:

1. **override** - the name (exact or normalised) is an alias listed in the user's ``exercise_overrides.csv``, or
   the canonical or display name of an exercise that file adds. A row that only re-weights a package exercise
   changes the attributes, not how its package aliases match (they still report exact/normalised).
2. **exact** - the stripped name equals an alias, display name or canonical name (case-sensitive).
3. **normalised** - the name's token key equals an alias key after accents, case, punctuation, plurals, word order
   and synonyms (``DB``, ``RDL``, ``hex bar``...) are folded; equipment (bracketed or not), gym brands and set
   modifiers (``paused``, ``left``...) may be dropped.
4. **fuzzy** - typo repair with :func:`rapidfuzz.fuzz.ratio` over the token-sorted keys (see :func:`_fuzzy`).
5. **normalised** (relaxed) - words unknown to the taxonomy are dropped (``Leg Press Technogym (Gelb)``). This runs
   after fuzzy on purpose: a misspelt discriminating word (``Deadlift (Romanain)``) must be repaired, not dropped.
6. **unmatched** - exercise and pattern NaN, weight 0, flags False; listed by :func:`unmatched_report`.
"""

from __future__ import annotations

import re
import unicodedata
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

TAXONOMY_COLUMNS: list[str] = [
    "exercise", "display_name", "aliases", "pattern", "hinge_subtype", "posterior_chain_weight", "unilateral",
    "knee_dominant", "eccentric_emphasis", "fit_category", "fit_subtype", "source_note",
]
PATTERNS: tuple[str, ...] = (
    "hinge", "squat", "lunge_single_leg", "knee_flexion", "push", "pull", "carry", "core", "plyometric", "other",
)
HINGE_SUBTYPES: tuple[str, ...] = (
    "rdl_sld", "deadlift", "good_morning", "swing", "back_extension", "hip_thrust_bridge",
)
MATCH_METHODS: tuple[str, ...] = ("override", "exact", "normalised", "fuzzy", "unmatched")
MATCH_COLUMNS: list[str] = [
    "exercise_raw", "exercise", "pattern", "hinge_subtype", "posterior_chain_weight", "unilateral",
    "knee_dominant", "eccentric_emphasis", "match_method", "match_score",
]
ANNOTATION_COLUMNS: list[str] = MATCH_COLUMNS[1:]
OVERRIDES_FILENAME = "exercise_overrides.csv"

_BOOL_COLUMNS = ("unilateral", "knee_dominant", "eccentric_emphasis")
_STR_COLUMNS = tuple(c for c in TAXONOMY_COLUMNS if c not in _BOOL_COLUMNS + ("posterior_chain_weight",))
_TRUE = {"true", "t", "yes", "y", "1"}
_FALSE = {"false", "f", "no", "n", "0"}
_CANONICAL_RE = re.compile(r"^[a-z0-9]+(?:_[a-z0-9]+)*$")

# ---------------------------------------------------------------------------------------------------------------
# Name normalisation
# ---------------------------------------------------------------------------------------------------------------

# Tokens rewritten before compounds are joined (abbreviations, spelling variants, other-language equipment words).
_SYNONYMS: dict[str, tuple[str, ...]] = {
    "db": ("dumbbell",), "dumbell": ("dumbbell",), "bb": ("barbell",), "kb": ("kettlebell",),
    "rdl": ("romanian", "deadlift"), "sldl": ("stiff", "leg", "deadlift"), "ohp": ("overhead", "press"),
    "ghr": ("glute", "ham", "raise"), "bss": ("bulgarian", "split", "squat"),
    "rfess": ("rear", "foot", "elevated", "split", "squat"), "sl": ("single", "leg"), "one": ("single",),
    "legged": ("leg",), "hex": ("trap",), "flye": ("fly",), "ups": ("up",), "downs": ("down",),
    "calve": ("calf",), "abductor": ("abduction",), "adductor": ("adduction",), "hamstrings": ("hamstring",),
    "langhantel": ("barbell",), "kurzhantel": ("dumbbell",), "haltere": ("dumbbell",), "mancuerna": ("dumbbell",),
    "kabel": ("cable",), "kabelzug": ("cable",), "polea": ("cable",), "maschine": ("machine",),
    "maquina": ("machine",),
}
# Adjacent pairs written as one word, two words or hyphenated; joined so all spellings agree.
_COMPOUNDS: dict[tuple[str, str], str] = {
    ("pull", "up"): "pullup", ("push", "up"): "pushup", ("press", "up"): "pushup", ("chin", "up"): "chinup",
    ("sit", "up"): "situp", ("step", "up"): "stepup", ("step", "down"): "stepdown", ("pull", "down"): "pulldown",
    ("push", "down"): "pushdown", ("press", "down"): "pushdown", ("pull", "over"): "pullover",
    ("pull", "through"): "pullthrough", ("hyper", "extension"): "hyperextension", ("skull", "crusher"): "skullcrusher",
    ("kettle", "bell"): "kettlebell", ("dumb", "bell"): "dumbbell", ("bar", "bell"): "barbell",
    ("trap", "bar"): "trapbar", ("ez", "bar"): "ezbar", ("t", "bar"): "tbar", ("v", "bar"): "vbar",
    ("hammer", "strength"): "hammerstrength", ("life", "fitness"): "lifefitness", ("body", "weight"): "bodyweight",
    ("wood", "chop"): "woodchop", ("wood", "chopper"): "woodchop", ("pec", "deck"): "pecdeck",
}
_AFTER_COMPOUND: dict[str, str] = {
    "pressdown": "pushdown", "pushups": "pushup", "pullups": "pullup", "chinups": "chinup", "situps": "situp",
    "stepups": "stepup", "woodchopper": "woodchop",
}
_STOPWORDS = frozenset({
    "with", "on", "the", "a", "an", "of", "to", "de", "du", "des", "la", "le", "les", "el", "los", "las", "del", "al",
    "con", "en", "mit", "am", "auf", "der", "die", "das", "w",
})
# Gym brands and equipment say how, not what, so a name may drop them to find its exercise (brands first).
_BRANDS = frozenset({
    "technogym", "panatta", "cybex", "nautilus", "precor", "matrix", "hoist", "gym80", "hammerstrength", "lifefitness",
})
_EQUIPMENT = _BRANDS | frozenset({
    "barbell", "dumbbell", "kettlebell", "cable", "machine", "band", "banded", "bodyweight", "weighted", "smith",
    "plate", "loaded", "assisted", "ezbar", "lever", "trx", "suspension", "resistance",
})
# Set-level words that do not change the exercise.
_MODIFIERS = frozenset({
    "heavy", "light", "pause", "paused", "warmup", "backoff", "top", "amrap", "left", "right", "l", "r",
    "alternating", "alternate", "standard", "regular", "variation", "set", "sets", "rep", "reps", "x",
})
# Word pairs close in spelling but opposite in meaning: fuzzy matching must never align them.
_ANTONYMS = frozenset({
    frozenset({"abduction", "adduction"}), frozenset({"pushup", "pullup"}), frozenset({"pushdown", "pulldown"}),
    frozenset({"flexion", "extension"}), frozenset({"incline", "decline"}), frozenset({"front", "back"}),
    frozenset({"lying", "seated"}), frozenset({"forward", "reverse"}),
})
_BRACKETS_RE = re.compile(r"[\(\[\{]([^\)\]\}]*)[\)\]\}]?")
_SPLIT_RE = re.compile(r"[^a-z0-9]+")


def _singular(token: str) -> str:
    if len(token) <= 3 or token.isdigit():
        return token
    if token.endswith("ies") and len(token) > 4:
        return token[:-3] + "y"
    if token.endswith(("sses", "shes", "ches", "xes")):
        return token[:-2]
    if token.endswith("s") and not token.endswith(("ss", "us", "is")):
        return token[:-1]
    return token


def _fold(text: str) -> str:
    """Casefold, strip accents and apostrophes (``Farmer's`` = ``Farmers``)."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    return re.sub(r"['’`´]", "", text)


def _tokenise(text: str) -> list[str]:
    raw = [t for t in _SPLIT_RE.split(text) if t]
    words: list[str] = []
    for token in raw:
        words.extend(_SYNONYMS.get(_singular(token), (_singular(token),)))
    joined: list[str] = []
    i = 0
    while i < len(words):
        pair = (words[i], words[i + 1]) if i + 1 < len(words) else None
        if pair in _COMPOUNDS:
            joined.append(_COMPOUNDS[pair])
            i += 2
        else:
            joined.append(words[i])
            i += 1
    # dict.fromkeys drops repeats: "deadlift/romanian_deadlift" (FIT category/subtype) = "romanian deadlift"
    return list(dict.fromkeys(_AFTER_COMPOUND.get(t, t) for t in joined if t not in _STOPWORDS))


def _split_name(name: str) -> tuple[list[str], list[str]]:
    """Tokens outside brackets and new tokens inside them (``Lunge (Dumbbell)`` -> ``[lunge]``, ``[dumbbell]``)."""
    folded = _fold(name)
    outside = _tokenise(_BRACKETS_RE.sub(" ", folded))
    inside = _tokenise(" ".join(_BRACKETS_RE.findall(folded)))
    return outside, [t for t in inside if t not in outside]


def _key(tokens: Iterable[str]) -> str:
    return " ".join(sorted(tokens))


def normalise_name(name: str) -> str:
    """Return the order-free token key of an exercise name.

    Parameters
    ----------
    name : str
        Raw exercise name, e.g. ``"Romanian Deadlift (Barbell)"``.

    Returns
    -------
    str
        Sorted, space-separated tokens after folding accents and case, splitting on punctuation, singularising,
        expanding abbreviations and joining compounds, e.g. ``"barbell deadlift romanian"``. Equipment is kept
        (bracketed equipment becomes an ordinary token), so two aliases differing only in equipment stay distinct.

    Examples
    --------
    >>> normalise_name("Rumänisches Kreuzheben") == normalise_name("rumanisches   kreuzheben")
    True
    >>> normalise_name("Pull-Ups (Band)")
    'band pullup'
    """
    outside, inside = _split_name(str(name))
    return _key(outside + inside)


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
            names = _split_aliases(row.aliases)
            if row.exercise not in aliases_only:
                names = [row.exercise, row.display_name] + names
            for name in names:
                if not isinstance(name, str) or not name.strip():
                    continue
                exact.setdefault(name.strip(), row.exercise)
                outside, inside = _split_name(name)
                tokens = outside + inside
                if not tokens:
                    continue
                vocab.update(tokens)
                keys.setdefault(_key(tokens), set()).add(row.exercise)
                compact.setdefault("".join(tokens), set()).add(row.exercise)
        clashes = {k: v for k, v in keys.items() if len(v) > 1}
        if clashes:
            listed = "; ".join(f"{k!r} -> {sorted(v)}" for k, v in sorted(clashes.items()))
            warnings.warn(f"{label}: aliases that normalise to the same key name different exercises and are "
                          f"ignored: {listed}", stacklevel=3)
        return cls(
            exact=exact,
            keys={k: next(iter(v)) for k, v in keys.items() if len(v) == 1},
            compact={k: next(iter(v)) for k, v in compact.items() if len(v) == 1},
            vocab=frozenset(vocab),
        )

    def lookup(self, variants: list[list[str]]) -> str | None:
        for tokens in variants:
            hit = self.keys.get(_key(tokens)) or self.compact.get("".join(tokens))
            if hit is not None:
                return hit
        return None


def _strict_variants(outside: list[str], inside: list[str]) -> list[list[str]]:
    full = outside + inside
    # set modifiers never change the exercise, equipment sometimes does (kettlebell RDL has its own row): drop
    # brands, then modifiers, and equipment last
    no_brand = [t for t in full if t not in _BRANDS]
    no_modifiers = [t for t in no_brand if t not in _MODIFIERS and not t.isdigit()]
    no_equipment = [t for t in no_modifiers if t not in _EQUIPMENT]
    variants: list[list[str]] = []
    for tokens in (full, no_brand, no_modifiers, no_equipment):
        if tokens and tokens not in variants:
            variants.append(tokens)
    return variants


def _relaxed_variant(outside: list[str], inside: list[str], vocab: frozenset[str]) -> list[str] | None:
    """Drop words the taxonomy has never seen; allowed when only bracketed words go or two words remain."""
    strip = _EQUIPMENT | _MODIFIERS
    out = [t for t in outside if t not in strip and not t.isdigit()]
    ins = [t for t in inside if t not in strip and not t.isdigit()]
    kept_out = [t for t in out if t in vocab]
    kept = kept_out + [t for t in ins if t in vocab]
    if not kept or kept == out + ins:
        return None
    if len(kept_out) == len(out) or len(kept) >= 2:
        return kept
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
        if word != best:
            if (min(len(word), len(best)) < 4 or fuzz.ratio(word, best) < min_ratio
                    or frozenset({word, best}) in _ANTONYMS):
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
        """Return ``(exercise, match_method, match_score)`` for one raw name."""
        stripped = name.strip()
        if not stripped:
            return None, "unmatched", np.nan
        outside, inside = _split_name(stripped)
        variants = _strict_variants(outside, inside)
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
        relaxed = _relaxed_variant(outside, inside, self.vocab)
        if relaxed is not None:
            for index in (self.override, self.package):
                hit = index.lookup([relaxed]) if index is not None else None
                if hit is not None:
                    return hit, ("override" if index is self.override else "normalised"), 100.0
        return None, "unmatched", np.nan

    def _fuzzy(self, variants: list[list[str]]) -> tuple[str, float] | None:
        """Typo repair over token-sorted alias keys.

        Scorer: :func:`rapidfuzz.fuzz.ratio` (normalised Indel similarity) on sorted-token keys, i.e. a
        token-sort ratio. Subset-tolerant scorers (``token_set_ratio``, ``partial_ratio``, ``WRatio``) score
        ``"deadlift"`` against ``"deadlift romanian"`` at 100 and would cross the traps; the plain ratio penalises
        every missing word. On top, :func:`_tokens_align` rejects candidates that add, drop or swap a word, and a
        tie between two exercises at the best score is treated as no match.
        """
        for tokens in variants:
            found = process.extract(_key(tokens), self.choices, scorer=fuzz.ratio, score_cutoff=self.threshold,
                                    limit=10)
            passing = [(self.choice_exercise[i], score) for choice, score, i in found
                       if _tokens_align(tokens, choice.split())]
            if not passing:
                continue
            best_score = passing[0][1]
            best = {ex for ex, score in passing if score == best_score}
            if len(best) == 1:
                return passing[0][0], float(best_score)
            return None
        return None


# ---------------------------------------------------------------------------------------------------------------
# Taxonomy loading and overrides
# ---------------------------------------------------------------------------------------------------------------


def _split_aliases(aliases: object) -> list[str]:
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
        raise ValueError(f"{where}, column 'hinge_subtype': a hinge needs one of {', '.join(HINGE_SUBTYPES)}, "
                         f"got {subtype!r}")
    if row["pattern"] != "hinge" and subtype:
        raise ValueError(f"{where}, column 'hinge_subtype': {subtype!r} given for pattern {row['pattern']!r}; "
                         "leave it empty for non-hinges")


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
    return frame.astype({"posterior_chain_weight": "float64", **{c: "bool" for c in _BOOL_COLUMNS},
                         **{c: "str" for c in _STR_COLUMNS}})


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
def _package_taxonomy() -> pd.DataFrame:
    source = resources.files("trailstrength.exercises").joinpath("taxonomy.csv")
    with source.open("r", encoding="utf-8") as handle:
        records, _ = _read_records(handle, "taxonomy.csv (package data)", require_all=True)
    return _frame_from_records(records, "taxonomy.csv (package data)")


@lru_cache(maxsize=1)
def _package_index() -> _AliasIndex:
    return _AliasIndex.build(_package_taxonomy(), "taxonomy.csv (package data)")


def _overrides_path(overrides: str | Path) -> Path:
    path = Path(overrides)
    if path.is_dir():
        path = path / OVERRIDES_FILENAME
    if not path.is_file():
        raise FileNotFoundError(f"exercise overrides file not found: {path}; pass a CSV path or a folder holding "
                                f"{OVERRIDES_FILENAME}")
    return path


def _merge_overrides(package: pd.DataFrame, overrides: str | Path | pd.DataFrame
                     ) -> tuple[pd.DataFrame, pd.DataFrame]:
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
            row["aliases"] = "|".join(_split_aliases(rec.get("aliases", "")))
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
            package_aliases = _split_aliases(merged_records[row["exercise"]]["aliases"])
            row = {**row, "aliases": "|".join(dict.fromkeys(_split_aliases(row["aliases"]) + package_aliases))}
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
    package = _package_taxonomy()
    if overrides is None:
        return package.copy()
    return _merge_overrides(package, overrides)[0]


def _matcher_for(overrides, threshold: float) -> tuple[_Matcher, pd.DataFrame]:
    if overrides is None:
        return _Matcher(_package_index(), None, threshold), _package_taxonomy()
    package = _package_taxonomy()
    merged, override_rows = _merge_overrides(package, overrides)
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
    types = {"exercise_raw": "str", "exercise": "str", "pattern": "str", "hinge_subtype": "str",
             "posterior_chain_weight": "float64", "unilateral": "bool", "knee_dominant": "bool",
             "eccentric_emphasis": "bool", "match_method": "str", "match_score": "float64"}
    return frame[MATCH_COLUMNS].astype(types)


def match_exercises(names, overrides: str | Path | pd.DataFrame | None = None,
                    threshold: float = 88.0) -> pd.DataFrame:
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
        ``knee_dominant``, ``eccentric_emphasis``, ``match_method`` (one of :data:`MATCH_METHODS`) and
        ``match_score`` (100 for override/exact/normalised, the rapidfuzz score for fuzzy, NaN when unmatched).
        Unmatched names have NaN exercise, pattern and subtype, weight 0.0 and all flags False.

    Notes
    -----
    The stages are described in the module docstring. The cost is one resolution per unique name, so 100k sets
    with a few hundred distinct names take well under a second.
    """
    series = pd.Series(names if not isinstance(names, pd.Series) else names.to_numpy(), dtype="object")
    series = series[series.notna()].astype("str")
    unique = pd.unique(series)
    if len(unique) == 0:
        return _empty_matches()
    matcher, taxonomy = _matcher_for(overrides, threshold)
    resolved = [matcher.resolve(name) for name in unique]
    exercises = [r[0] for r in resolved]
    attrs = taxonomy.set_index("exercise").reindex(pd.Index(exercises, dtype="object"))
    out = pd.DataFrame({
        "exercise_raw": list(unique),
        "exercise": exercises,
        "pattern": attrs["pattern"].to_numpy(),
        "hinge_subtype": attrs["hinge_subtype"].to_numpy(),
        "posterior_chain_weight": attrs["posterior_chain_weight"].fillna(0.0).to_numpy(dtype="float64"),
        "unilateral": attrs["unilateral"].fillna(False).to_numpy(dtype="bool"),
        "knee_dominant": attrs["knee_dominant"].fillna(False).to_numpy(dtype="bool"),
        "eccentric_emphasis": attrs["eccentric_emphasis"].fillna(False).to_numpy(dtype="bool"),
        "match_method": [r[1] for r in resolved],
        "match_score": [r[2] for r in resolved],
    })
    return _typed_matches(out)


def annotate_sets(df: pd.DataFrame, name_column: str = "exercise_raw",
                  overrides: str | Path | pd.DataFrame | None = None, threshold: float = 88.0) -> pd.DataFrame:
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
    unmatched = pd.DataFrame({"exercise_raw": [np.nan], "exercise": [np.nan], "pattern": [np.nan],
                              "hinge_subtype": [np.nan], "posterior_chain_weight": [0.0], "unilateral": [False],
                              "knee_dominant": [False], "eccentric_emphasis": [False],
                              "match_method": ["unmatched"], "match_score": [np.nan]})
    table = pd.concat([matches, _typed_matches(unmatched)], ignore_index=True)
    position = pd.Index(matches["exercise_raw"]).get_indexer(names)
    position[position < 0] = len(table) - 1
    picked = table.iloc[position].reset_index(drop=True)
    out = df.drop(columns=[c for c in ANNOTATION_COLUMNS if c in df.columns and c != name_column])
    for col in ANNOTATION_COLUMNS:
        out[col] = picked[col].to_numpy()
    return out.astype({col: picked[col].dtype for col in ANNOTATION_COLUMNS})


def unmatched_report(df: pd.DataFrame, name_column: str = "exercise_raw",
                     overrides: str | Path | pd.DataFrame | None = None) -> pd.DataFrame:
    """Count the sets whose exercise name found no taxonomy row.

    Parameters
    ----------
    df : pandas.DataFrame
        A strength-sets table, annotated by :func:`annotate_sets` or not (then it is annotated first).
    name_column : str, default "exercise_raw"
        Column holding the raw names.
    overrides
        As in :func:`match_exercises`; used only when ``df`` is not yet annotated.

    Returns
    -------
    pandas.DataFrame
        Columns ``exercise_raw`` (str) and ``n_sets`` (int64), one row per unmatched name, most sets first (ties
        alphabetical). Rows with a missing or blank name are not listed: there is no name to add as an alias.
    """
    if "match_method" not in df.columns:
        df = annotate_sets(df, name_column=name_column, overrides=overrides)
    names = df[name_column].astype("object").where(df[name_column].notna()).astype("str")
    mask = df["match_method"].eq("unmatched") & names.str.strip().fillna("").ne("")
    counts = names[mask].value_counts()
    report = pd.DataFrame({"exercise_raw": counts.index.astype("str"), "n_sets": counts.to_numpy(dtype="int64")})
    return report.sort_values(["n_sets", "exercise_raw"], ascending=[False, True], ignore_index=True)
