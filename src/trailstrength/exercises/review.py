"""What the user reviews after matching: names without a taxonomy row, hints for them, and what overrides changed.

* :func:`unmatched_report` counts the sets of every name no taxonomy row matched (the grammar may still have given
  it a pattern) and, on request, a hint: the package row nearest to it that keeps its body part and movement.
* :func:`reclassification_summary` compares two annotations of the same sets (before and after an edited
  ``exercise_overrides.csv``) and :func:`describe_reclassification` says it in one line for ``ingest``.

Hints never cross a movement: the candidate row must have the pattern the grammar gives the name (a ``curl`` is
never a leg curl unless the name says ``leg`` or ``hamstring``), may add no word but equipment, grip or set
modifiers and no other implement than the name's (a ``row`` is never a ``seated`` row unless the name says
``seated``; a cable row is no dumbbell row), and the name may carry no movement word the candidate lacks ("Cable Upright Bar Row" is not a "Cable Row"). Names with no movement word and
session placeholders (PMData's ``strength session (exercises not recorded)``) get no hint.
"""  # noqa: E501

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
from rapidfuzz import fuzz

from trailstrength.exercises.grammar import (
    GRIP_WORDS,
    RULES,
    first_rule,
    is_placeholder,
    words_of,
)
from trailstrength.exercises.match import (
    ANNOTATION_COLUMNS,
    MATCH_METHODS,
    _package_index,
    annotate_sets,
    match_exercises,
)
from trailstrength.exercises.normalise import NEUTRAL_WORDS, normalise_name
from trailstrength.exercises.taxonomy import LOWER_BODY_PATTERNS, package_taxonomy

NO_ROW_METHODS = ("pattern", "unmatched")
_FREE = NEUTRAL_WORDS | GRIP_WORDS
# body positions and bench angles: a name may add them to a row's movement, a hint may not add them to the name
_POSITIONS = frozenset(
    {"seated", "standing", "kneeling", "sitting", "lying", "prone", "supine", "incline", "decline", "flat"}
)
_IMPLEMENTS = frozenset(
    {
        "barbell",
        "dumbbell",
        "kettlebell",
        "cable",
        "machine",
        "band",
        "smith",
        "plate",
        "ezbar",
        "bodyweight",
        "trx",
        "suspension",
        "lever",
        "landmine",
        "trapbar",
    }
)
_BODY = frozenset(
    {
        "chest",
        "pec",
        "shoulder",
        "delt",
        "bicep",
        "tricep",
        "lat",
        "back",
        "lower",
        "upper",
        "ab",
        "abdominal",
        "glute",
        "hamstring",
        "ham",
        "quad",
        "leg",
        "calf",
        "hip",
        "core",
        "trunk",
    }
)


@lru_cache(maxsize=1)
def _candidates() -> tuple[tuple[str, str, frozenset[str], str], ...]:
    """(alias key, exercise, words, pattern) for every package alias key; the words are the alias's and the
    exercise's own name's (an alias "Cable Row" of ``seated_cable_row`` still says "seated")."""
    patterns = package_taxonomy().set_index("exercise")["pattern"]
    return tuple(
        (key, ex, words_of(key) | words_of(ex.replace("_", " ")), patterns[ex])
        for key, ex in _package_index().keys.items()
    )


@lru_cache(maxsize=1)
def _known_words() -> frozenset[str]:
    grammar = {w for rule in RULES for alt in rule.alternatives for group in alt for w in group}
    return frozenset(_package_index().vocab) | frozenset(grammar)


# the muscle a movement word implies when the name names none ("Seated Machine Curl" is a biceps curl)
_IMPLIED_BODY = {"curl": {"bicep"}, "fly": {"chest", "pec"}, "pushdown": {"tricep"}, "pulldown": {"lat"}}


def _keeps_movement(name_words: frozenset[str], candidate_words: frozenset[str]) -> bool:
    added = candidate_words - name_words
    implied = set().union(*(_IMPLIED_BODY.get(w, set()) for w in name_words)) if not name_words & _BODY else set()
    if added - _FREE - implied or (added & _IMPLEMENTS and name_words & _IMPLEMENTS):
        return False  # a new movement word, or another implement than the name's
    extra = name_words - candidate_words
    return not {w for w in extra if w in _known_words()} - _FREE - _POSITIONS - _BODY


def closest_row(name: str, pattern: str | None = None) -> tuple[str | None, float]:
    """The package exercise to suggest for ``name`` in the overrides file, and its similarity (0-100).

    ``pattern`` is the pattern the name was given (default: the grammar's). Returns ``(None, nan)`` when no row
    keeps the name's movement (see the module docstring) or the name is a session placeholder. The similarity is
    :func:`rapidfuzz.fuzz.token_set_ratio` of the normalised names; ties go to the closer plain ratio.
    """
    if is_placeholder(name):
        return None, np.nan
    if pattern is None or (isinstance(pattern, float) and np.isnan(pattern)):
        rule = first_rule(name)
        pattern = rule.pattern if rule is not None else None
    if pattern is None:
        return None, np.nan
    words, key = words_of(name), normalise_name(name)
    best: tuple[float, float, str] | None = None
    for cand_key, exercise, cand_words, cand_pattern in _candidates():
        if cand_pattern != pattern or not _keeps_movement(words, cand_words):
            continue
        score = (fuzz.token_set_ratio(key, cand_key), fuzz.ratio(key, cand_key), exercise)
        if best is None or score[:2] > best[:2]:
            best = score
    return (best[2], float(best[0])) if best else (None, np.nan)


def unmatched_report(
    df: pd.DataFrame,
    name_column: str = "exercise_raw",
    overrides: str | Path | pd.DataFrame | None = None,
    suggest: bool = False,
) -> pd.DataFrame:
    """Count the sets whose exercise name found no taxonomy row.

    Parameters
    ----------
    df : pandas.DataFrame
        A strength-sets table, annotated by :func:`annotate_sets` or not (then it is annotated first).
    name_column : str, default "exercise_raw"
        Column holding the raw names.
    overrides
        As in :func:`~trailstrength.exercises.match.match_exercises`; used only when ``df`` is not yet annotated.
    suggest : bool, default False
        Add ``closest`` (the package exercise to add the name to as an alias, by :func:`closest_row`; missing when
        no row keeps the name's movement, for session placeholders and for rows marked ``session_level``) and
        ``closest_score`` (0-100, NaN without a hint): a hint for the overrides file, never applied.

    Returns
    -------
    pandas.DataFrame
        One row per name without a taxonomy row (``match_method`` ``pattern`` or ``unmatched``), most sets first
        (ties alphabetical): ``exercise_raw`` (str), ``n_sets`` (int64) and ``pattern`` (what the name grammar
        gave it, NaN when nothing). Rows with a missing or blank name are not listed: there is no name to add.
    """
    if "match_method" not in df.columns:
        df = annotate_sets(df, name_column=name_column, overrides=overrides)
    names = df[name_column].astype("object").where(df[name_column].notna()).astype("str")
    mask = df["match_method"].isin(NO_ROW_METHODS) & names.str.strip().fillna("").ne("")
    rows = pd.DataFrame({"exercise_raw": names[mask], "pattern": df.loc[mask, "pattern"]})
    grouped = rows.groupby("exercise_raw", sort=False, dropna=False)
    report = pd.DataFrame(
        {
            "exercise_raw": grouped.size().index.astype("str"),
            "n_sets": grouped.size().to_numpy(dtype="int64"),
            "pattern": grouped["pattern"].first().to_numpy(),
        }
    )
    report = report.astype({"pattern": "str"}).sort_values(
        ["n_sets", "exercise_raw"], ascending=[False, True], ignore_index=True
    )
    if suggest:
        session = (
            df.loc[mask].groupby(names[mask])["session_level"].all()
            if "session_level" in df.columns
            else pd.Series(dtype=bool)
        )
        hints = [
            (None, np.nan) if bool(session.get(n, False)) else closest_row(n, p)
            for n, p in zip(report["exercise_raw"], report["pattern"])
        ]
        report["closest"] = pd.Series([h[0] for h in hints], dtype="str")
        report["closest_score"] = pd.Series([h[1] for h in hints], dtype="float64")
    return report


# ---------------------------------------------------------------------------------------------------------------
# What an edited overrides file changed
# ---------------------------------------------------------------------------------------------------------------

_COMPARED = [c for c in ANNOTATION_COLUMNS if c not in ("match_score", "match_note")]


def reclassification_summary(
    before: pd.DataFrame, after: pd.DataFrame, name_column: str = "exercise_raw"
) -> pd.DataFrame:
    """The sets whose classification changed between two annotations of the same sets.

    Parameters
    ----------
    before, after : pandas.DataFrame
        The same sets (matched on the index) annotated twice, e.g. the warehouse's strength sets as stored and as
        re-annotated with the current ``exercise_overrides.csv`` (:func:`annotate_by_folder` keeps the index).
        Sets only in one of them, and all sets when ``before`` carries no annotation, are not compared.
    name_column : str, default "exercise_raw"

    Returns
    -------
    pandas.DataFrame
        One row per raw name and change, most sets first: ``exercise_raw``, ``n_sets`` (int64), ``exercise_before``,
        ``pattern_before``, ``match_method_before``, ``exercise_after``, ``pattern_after``, ``match_method_after``
        and ``by_override`` (True when an override decided before or after). A set counts as changed when its
        exercise, pattern, hinge subtype, posterior-chain weight, a flag or its match method differs.
    """
    columns = (
        [name_column, "n_sets"]
        + [f"{c}_{w}" for w in ("before", "after") for c in ("exercise", "pattern", "match_method")]
        + ["by_override"]
    )
    if "match_method" not in before.columns or before.empty or after.empty:
        return pd.DataFrame(
            {c: pd.Series(dtype="int64" if c == "n_sets" else "bool" if c == "by_override" else "str") for c in columns}
        )
    common = before.index.intersection(after.index)
    old, new = before.loc[common, _COMPARED], after.loc[common, _COMPARED]
    same = (old.eq(new) | (old.isna() & new.isna())).all(axis=1)
    changed = common[~same.to_numpy()]
    parts = {name_column: after.loc[changed, name_column].astype("str")}
    for col in ("exercise", "pattern", "match_method"):
        parts[f"{col}_before"] = before.loc[changed, col].astype("str")
        parts[f"{col}_after"] = after.loc[changed, col].astype("str")
    frame = pd.DataFrame(parts).fillna("")
    keys = [c for c in columns if c not in ("n_sets", "by_override")]
    summary = frame.groupby(keys, sort=False).size().rename("n_sets").reset_index()
    summary["by_override"] = summary["match_method_before"].eq("override") | summary["match_method_after"].eq(
        "override"
    )
    summary = summary.replace("", np.nan).astype({c: "str" for c in keys} | {"n_sets": "int64"})
    return summary[columns].sort_values(["n_sets", name_column], ascending=[False, True], ignore_index=True)


def describe_reclassification(summary: pd.DataFrame, limit: int = 5, name_column: str = "exercise_raw") -> str:
    """What :func:`reclassification_summary` found, in a line or two for ``ingest``, e.g.
    ``exercise_overrides.csv re-classified 150 sets (1 name): Cable Upright Bar Row -> upright_row (150)``; a second
    line counts the sets that changed with re-weighted or re-filed rows. Empty string when nothing changed."""
    if summary.empty:
        return ""
    lines = []
    for by_override, part in summary.groupby("by_override", sort=True):
        # an alias match decides the override rows; a row re-weighted (in the overrides file or a new package
        # version) changes the sets matched to it, and the sets the grammar weighs as it, without an override match
        what = "exercise_overrides.csv" if by_override else "re-weighted or re-filed taxonomy rows"
        shown = [f"{r[name_column]} -> {_label(r, 'after')} ({r['n_sets']})" for _, r in part.head(limit).iterrows()]
        more = f", and {part[name_column].nunique() - limit} more" if part[name_column].nunique() > limit else ""
        names, n_sets = part[name_column].nunique(), int(part["n_sets"].sum())
        lines.append(
            f"{what} re-classified {n_sets} set{'s' * (n_sets != 1)} "
            f"({names} name{'s' * (names != 1)}): " + "; ".join(shown) + more
        )
    return "\n".join(reversed(lines))


def _label(row: pd.Series, when: str) -> str:
    exercise, pattern = row[f"exercise_{when}"], row[f"pattern_{when}"]
    if isinstance(exercise, str):
        return exercise
    return f"pattern {pattern}" if isinstance(pattern, str) else "unmatched"


# ---------------------------------------------------------------------------------------------------------------
# Coverage and hand labels
# ---------------------------------------------------------------------------------------------------------------


def pattern_coverage(sets: pd.DataFrame) -> pd.Series:
    """How many of the given (annotated) sets carry a pattern, and by which stage.

    Returns a Series: ``n_sets``, ``with_pattern``, ``share_with_pattern`` (0-1) and ``n_<method>`` for every
    method of :data:`~trailstrength.exercises.match.MATCH_METHODS`. Filter to working sets first if that is what
    you count.
    """
    n = len(sets)
    with_pattern = int(sets["pattern"].notna().sum())
    out = {"n_sets": n, "with_pattern": with_pattern, "share_with_pattern": with_pattern / n if n else np.nan}
    counts = sets["match_method"].value_counts()
    out |= {f"n_{m}": int(counts.get(m, 0)) for m in MATCH_METHODS}
    return pd.Series(out, dtype="object")


def compare_with_labels(labels: pd.DataFrame, overrides: str | Path | pd.DataFrame | None = None) -> pd.DataFrame:
    """Classify hand-labelled names and say where the classification disagrees with the labels.

    Parameters
    ----------
    labels : pandas.DataFrame
        Columns ``name``, ``pattern``, ``knee_dominant``, ``unilateral`` (bool) and ``weighted`` (bool: a
        posterior-chain weight above 0 is expected).
    overrides
        As in :func:`~trailstrength.exercises.match.match_exercises`.

    Returns
    -------
    pandas.DataFrame
        ``labels`` with ``got_pattern``, ``got_knee_dominant``, ``got_unilateral``, ``got_weight``,
        ``match_method``, ``lower_body`` (labelled a lower-body pattern, or knee-dominant), ``pattern_ok``,
        ``flags_ok`` (``knee_dominant`` equal, and ``unilateral`` equal for the lower-body patterns, where it feeds
        the unilateral share) and ``weight_ok``.
    """
    got = match_exercises(labels["name"], overrides=overrides).set_index("exercise_raw").reindex(labels["name"])
    out = labels.reset_index(drop=True).assign(
        got_pattern=got["pattern"].to_numpy(),
        got_knee_dominant=got["knee_dominant"].to_numpy(),
        got_unilateral=got["unilateral"].to_numpy(),
        got_weight=got["posterior_chain_weight"].to_numpy(),
        match_method=got["match_method"].to_numpy(),
    )
    lower_pattern = out["pattern"].isin(LOWER_BODY_PATTERNS)
    out["lower_body"] = lower_pattern | out["knee_dominant"].astype(bool)
    out["pattern_ok"] = out["got_pattern"].eq(out["pattern"])
    out["flags_ok"] = out["got_knee_dominant"].eq(out["knee_dominant"]) & (
        ~lower_pattern | out["got_unilateral"].eq(out["unilateral"])
    )
    out["weight_ok"] = out["got_weight"].gt(0).eq(out["weighted"].astype(bool))
    return out
