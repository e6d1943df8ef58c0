"""How many logged sets the exercise taxonomy classifies, whether lower-body names get the right flags, and how fast.

Issue 20's targets: on real, custom-named logs >= 97 % of working sets carry a movement pattern, and 100 % of
lower-body names carry the correct lower-body flags (``knee_dominant`` for every set, which feeds knee-dominant
volume; ``unilateral`` for hinge / squat / lunge / knee-flexion sets, which feeds the unilateral share).

Inputs:

* the real strength logs in ``../shared/realdata`` (``TRAILSTRENGTH_REALDATA``; Strong and FitNotes exports), read
  with the package's readers and classified as ``ingest`` does (no overrides);
* ``tests/data/exercises/custom_names.csv``: hand-labelled names (pattern, flags, whether a posterior-chain weight
  is expected) - the custom names issue 20 quotes from a Hevy and a FitNotes export that are not in realdata,
  our own custom gym names, and every lower-body name of the real logs.

Run: ``python benchmarks/taxonomy_coverage.py`` (about 5 s).
"""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd

from trailstrength import config
from trailstrength.exercises import (
    LOWER_BODY_PATTERNS,
    annotate_sets,
    compare_with_labels,
    pattern_coverage,
)
from trailstrength.features.exposures import WORKING_SET_TYPES
from trailstrength.io import Athlete, FileContext, fitnotes, strong

LABELS = Path(__file__).resolve().parents[1] / "tests" / "data" / "exercises" / "custom_names.csv"
REAL_LOGS = {"strong-charts/strong.csv": strong.read_strong, "kaiserlift/FitNotes_Export_*.csv": fitnotes.read_fitnotes}


def real_sets() -> dict[str, pd.DataFrame]:
    """Strength sets of every real log present, by file."""
    root = config.path("realdata")
    ctx = FileContext("a1/log.csv", "0" * 64, Athlete("a1", "UTC", True))
    found = {}
    for pattern, reader in REAL_LOGS.items():
        for path in sorted(root.glob(pattern)):
            found[str(path.relative_to(root))] = reader(path.read_bytes(), ctx).tables["strength_sets"]
    return found


def coverage_table(logs: dict[str, pd.DataFrame]) -> pd.DataFrame:
    rows = {}
    for name, sets in logs.items():
        out = annotate_sets(sets)
        rows[name] = pattern_coverage(out[out["set_type"].isin(WORKING_SET_TYPES)])
    table = pd.DataFrame(rows).T
    table.loc["all real logs"] = table.sum()
    table["share_with_pattern"] = table["with_pattern"] / table["n_sets"]
    return table


def lower_body_check(logs: dict[str, pd.DataFrame], labels: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Labelled lower-body names compared; and real-log names that look lower-body but carry no label."""
    checked = compare_with_labels(labels)
    real_names = pd.concat([annotate_sets(s) for s in logs.values()]) if logs else pd.DataFrame()
    unlabelled = []
    if len(real_names):
        looks_lower = real_names["pattern"].isin(LOWER_BODY_PATTERNS) | real_names["knee_dominant"]
        unlabelled = sorted(set(real_names.loc[looks_lower, "exercise_raw"]) - set(labels["name"]))
    return checked, unlabelled


def throughput(logs: dict[str, pd.DataFrame], copies: int = 40) -> list[str]:
    """CPU seconds of :func:`annotate_sets` (process time, so other jobs on the machine count less)."""
    sets = pd.concat(logs.values(), ignore_index=True)
    big = pd.concat([sets] * copies, ignore_index=True)
    overrides = pd.DataFrame({"exercise": ["upright_row"], "aliases": ["Cable Upright Bar Row"]})
    cases = [
        (f"{len(sets):,} real sets, first call (loads the taxonomy)", sets, None, 1),
        (f"{len(sets):,} real sets, warm", sets, None, 7),
        (f"{len(sets):,} real sets, with an overrides file", sets, overrides, 7),
        (f"x{copies} = {len(big):,} sets, warm", big, None, 3),
    ]
    lines = []
    for label, frame, extra, repeats in cases:
        best = min(_timed(frame, extra) for _ in range(repeats))
        lines.append(f"{label}: {best * 1e3:.1f} ms = {len(frame) / best:,.0f} sets/s (best of {repeats})")
    return lines


def _timed(frame: pd.DataFrame, overrides) -> float:
    start = time.process_time()
    annotate_sets(frame, overrides=overrides)
    return time.process_time() - start


def main() -> None:
    pd.set_option("display.width", 160)
    logs = real_sets()
    labels = pd.read_csv(LABELS)
    speed = throughput(logs) if logs else []  # first, so that its first call is a cold one
    if logs:
        table = coverage_table(logs)
        print("Table 1. Working sets of the real logs with a movement pattern (no overrides)\n")
        print(table.to_string(float_format=lambda v: f"{v:.2%}"))
        for name, sets in logs.items():
            out = annotate_sets(sets)
            left = out.loc[out["pattern"].isna(), "exercise_raw"].value_counts()
            print(f"\n{name}: names without a pattern: {left.to_dict() or 'none'}")
    else:
        print(f"real logs not found under {config.path('realdata')}: set TRAILSTRENGTH_REALDATA")
    checked, unlabelled = lower_body_check(logs, labels)
    lower = checked[checked["lower_body"]]
    print("\nTable 2. Hand-labelled names (tests/data/exercises/custom_names.csv)\n")
    for source, part in checked.groupby(checked["source"].str.split(" ").str[0]):
        low = part[part["lower_body"]]
        print(
            f"{source:14s} {len(part):3d} names: pattern {part['got_pattern'].notna().mean():.1%}, "
            f"correct pattern {part['pattern_ok'].mean():.1%}; lower-body names {len(low):3d}: "
            f"correct flags {low['flags_ok'].mean():.1%}, correct pattern {low['pattern_ok'].mean():.1%}, "
            f"weight where expected {low['weight_ok'].mean():.1%}"
        )
    sets = checked["sets"].fillna(0)
    if sets.sum():
        print(
            f"issue 20's counted names: {sets[checked['got_pattern'].notna()].sum():.0f} of {sets.sum():.0f} "
            "sets carry a pattern"
        )
    wrong = checked[~(checked["pattern_ok"] & checked["flags_ok"] & checked["weight_ok"])]
    print(
        f"all lower-body names: {lower['flags_ok'].sum()} of {len(lower)} with correct flags; "
        f"disagreements: {wrong['name'].tolist() or 'none'}"
    )
    print(f"real-log names that look lower-body but have no label: {unlabelled or 'none'}")
    if speed:
        print("\nTable 3. annotate_sets throughput (CPU time, this machine)\n")
        print("\n".join(speed))


if __name__ == "__main__":
    main()
