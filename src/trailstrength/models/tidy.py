"""The tidy effects vocabulary shared by every model, and the helpers that fill it.

Every model in :mod:`trailstrength.models` returns one row per (hypothesis, outcome,
term, model) with the columns :data:`EFFECT_COLUMNS` (DESIGN §8).  This module holds
what they share: dtype-stable construction of that table, the complete-case filter with
a note saying what was dropped and why, and the greedy rank check that reports aliased
terms as NaN rather than failing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

__all__ = [
    "EFFECT_COLUMNS",
    "complete_cases",
    "dropped_note",
    "effects_frame",
    "estimable_terms",
    "numeric_columns",
    "reference_df",
    "rows_from_estimates",
]

EFFECT_COLUMNS = [
    "hypothesis",
    "outcome",
    "term",
    "estimate",
    "ci_low",
    "ci_high",
    "p_value",
    "df",
    "unit",
    "n_athletes",
    "n_obs",
    "model",
    "converged",
    "primary",
    "note",
]


def numeric_columns(frame: pd.DataFrame, columns: Sequence[str], where: str) -> pd.DataFrame:
    """``frame[columns]`` as float64 (pandas NA -> NaN); raise naming a non-numeric column."""
    out = {}
    for c in columns:
        try:
            out[c] = pd.to_numeric(frame[c], errors="raise").astype("float64")
        except (ValueError, TypeError) as exc:
            raise TypeError(
                f"{where}: column {c!r} must be numeric (got dtype {frame[c].dtype}); convert it in the panel builder"
            ) from exc
    return pd.DataFrame(out, index=frame.index)


def effects_frame(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=EFFECT_COLUMNS)
    for c in ("estimate", "ci_low", "ci_high", "p_value", "df"):
        frame[c] = frame[c].astype("float64")
    for c in ("n_athletes", "n_obs"):
        frame[c] = frame[c].astype("int64")
    for c in ("converged", "primary"):
        frame[c] = frame[c].astype("bool")
    for c in ("hypothesis", "outcome", "term", "unit", "model", "note"):
        frame[c] = frame[c].astype("str")
    return frame


def estimable_terms(data: pd.DataFrame, terms: Sequence[str]) -> tuple[list[str], list[str]]:
    """Terms kept in the design (greedy full-rank with the intercept) and those aliased.

    On an empty sample (no rows) nothing is estimable: every term is aliased.
    """
    if len(data) == 0:
        return [], list(terms)
    kept: list[str] = []
    aliased: list[str] = []
    columns = [np.ones(len(data))]
    rank = 1
    for t in terms:
        x = data[t].to_numpy(dtype="float64")
        trial = np.column_stack([*columns, x])
        scale = np.maximum(np.abs(trial).max(axis=0), 1e-300)
        if np.linalg.matrix_rank(trial / scale, tol=1e-9 * np.sqrt(len(data))) > rank:
            columns.append(x)
            kept.append(t)
            rank += 1
        else:
            aliased.append(t)
    return kept, aliased


def dropped_note(panel: pd.DataFrame, incomplete: pd.DataFrame, n_dropped: int) -> str:
    """Per-column count of missing values behind the dropped rows."""
    counts: dict[str, int] = {}
    for c, n in incomplete.sum().items():
        # a *_within / *_between part is missing because its source column (or, when split
        # on complete rows, another column) is: count the source column instead
        base = c.rsplit("_", 1)[0] if c.endswith(("_within", "_between")) else None
        if base is not None and base in panel.columns:
            src = pd.to_numeric(panel[base], errors="coerce").astype("float64")
            c, n = base, (~np.isfinite(src)).sum()
        counts[c] = max(counts.get(c, 0), int(n))
    per_col = ", ".join(f"{c}: {n}" for c, n in counts.items() if n)
    return f"dropped {n_dropped} row(s) with missing values ({per_col})"


def reference_df(dist) -> float:
    """Degrees of freedom of a frozen scipy ``t`` reference distribution; NaN for any other (a Wald z test has
    none: its ``df`` cell stays empty)."""
    if getattr(getattr(dist, "dist", None), "name", "") != "t":
        return np.nan
    return float(dist.kwds.get("df", dist.args[0] if dist.args else np.nan))


def rows_from_estimates(
    est: Mapping[str, float],
    se: Mapping[str, float],
    *,
    terms: Sequence[str],
    dist,
    base: dict,
    units: Mapping[str, str],
    primary_terms: Sequence[str],
    note: str,
    aliased: Sequence[str],
    outcome: str,
) -> list[dict]:
    crit = float(dist.ppf(0.975))
    df = reference_df(dist)
    rows = []
    for t in terms:
        row_note = note
        if t in aliased:
            b = s = np.nan
            row_note = f"{note}; not estimable: {t} is constant or collinear with other terms in this sample"
        else:
            b, s = float(est[t]), float(se[t])
        stat = b / s if s > 0 else np.nan
        rows.append(
            {
                **base,
                "term": t,
                "estimate": b,
                "ci_low": b - crit * s,
                "ci_high": b + crit * s,
                "p_value": float(2 * dist.sf(abs(stat))) if np.isfinite(stat) else np.nan,
                "df": df if np.isfinite(b) else np.nan,
                "unit": units.get(t, f"{outcome} per unit of {t}"),
                "primary": t in primary_terms,
                "note": row_note,
            }
        )
    return rows


def complete_cases(
    panel: pd.DataFrame, outcome: str, terms: Sequence[str], group: str, where: str
) -> tuple[pd.DataFrame, list[str]]:
    """Rows of ``panel[[outcome, group, *terms]]`` with every value present and finite.

    Returns the complete rows (numeric columns as float64, index reset) and the notes a
    model prints: ``n_athletes=..., n_obs=...`` and, when rows were dropped, a count per
    column.  Raises KeyError naming any missing column.
    """
    used = list(dict.fromkeys([outcome, group, *terms]))
    missing_cols = [c for c in used if c not in panel.columns]
    if missing_cols:
        raise KeyError(f"{where}: panel has no column(s) {missing_cols}; available: {list(panel.columns)}")
    data = panel[used].copy()
    numeric = [c for c in used if c != group]
    data[numeric] = numeric_columns(data, numeric, where)
    data[numeric] = data[numeric].where(np.isfinite(data[numeric]))
    incomplete = data.isna()
    n_dropped = int(incomplete.any(axis=1).sum())
    data = data.loc[~incomplete.any(axis=1)].reset_index(drop=True)
    notes = [f"n_athletes={int(data[group].nunique())}, n_obs={len(data)}"]
    if n_dropped:
        notes.append(dropped_note(panel, incomplete, n_dropped))
    return data, notes
