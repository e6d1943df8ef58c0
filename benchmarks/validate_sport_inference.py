"""Validate sport inference (``trailstrength.sport``) on every real activity file whose sport is known.

Run from the repository root::

    PYTHONPATH=src python benchmarks/validate_sport_inference.py

Every FIT, TCX and GPX file in ``../shared/realdata`` (``TRAILSTRENGTH_REALDATA``) is read with the package's
readers; each activity (each leg of a multisport file) is inferred from its samples alone, as if its file named
no sport, and compared with the truth:

* the sport the file itself names (FIT session, TCX ``Sport``, GPX ``<type>``), mapped to running,
  hiking/walking, cycling or other (strength training, rowing, the cross-country ski file's ``Other``);
* for GPX files that name none or name junk, the MANIFEST's description (:data:`MANIFEST_TRUTH`): the
  Tanzawa trail run, the runpandas GPX run, the Slovenian hike;
* FIT ``generic`` and ``transition`` legs and the Cerknica track (the MANIFEST says "walk/ride"; it holds
  walking stretches and stretches at 7–11 m/s) have no stated sport: printed, not scored.

It prints one row per activity (truth, inferred, confidence, evidence) and the confusion table (rows: truth,
columns: inferred; ``unknown`` = could not be inferred, with the reason in the evidence). A second table infers
the same activities from positions, times and altitude only (cadence, device distance and speed dropped), as a
plain GPX export would carry them: untyped files are mostly GPX, so the speed-and-grade path must stand alone.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))  # runnable without installing

from trailstrength import config
from trailstrength.io import (
    FORMATS,
    Athlete,
    FileContext,
    ReaderError,
    detect,
    open_bytes,
)
from trailstrength.sport import infer_sport

CLASSES = ["running", "hiking/walking", "cycling", "other", "unknown"]
FILE_SPORT = {
    "running": "running",
    "trail_running": "running",
    "hiking": "hiking/walking",
    "walking": "hiking/walking",
    "cycling": "cycling",
    "other": "other",
    "strength_training": "other",
    "rowing": "other",
    "swimming": "other",
}
NOT_A_SPORT = {"generic", "transition"}
#: truth for GPX files whose own sport is missing or junk, from realdata/MANIFEST.md
MANIFEST_TRUTH = {
    "trail_analyzer/tanzawa_main_ridge.gpx": "running",  # "REAL TRAIL RUN ... 24.3 km, +2,234 m"
    "runpandas/4383adb2-5170-467c-85b8-2d983c415e5b.gpx": "running",  # "GPX run written by gpxpy"
    "gpxpy/korita-zbevnica.gpx": "hiking/walking",  # "Mountain hike/trail track" (type is 'jkljkl')
}
UNSTATED = {
    "gpxpy/cerknicko-jezero.gpx",
    "gpxpy/cerknicko-jezero-without-elevations.gpx",
    "gpxpy/cerknicko-without-times.gpx",
}  # MANIFEST: "Walk/ride track"


def _truth(rel: str, file_sport: str) -> str | None:
    if rel in MANIFEST_TRUTH:
        return MANIFEST_TRUTH[rel]
    if rel in UNSTATED or file_sport in NOT_A_SPORT or file_sport not in FILE_SPORT:
        return None
    return FILE_SPORT[file_sport]


def activities(root: Path, quiet: bool = False):
    """(path, leg, file sport, altitude source, samples) for every activity the readers find."""
    for path in sorted(p for p in root.rglob("*") if p.suffix.lower() in (".fit", ".gpx", ".tcx")):
        rel = path.relative_to(root).as_posix()
        data, _ = open_bytes(path)
        fmt = detect(data)
        if fmt not in FORMATS:
            continue
        try:
            tables = FORMATS[fmt].read(data, FileContext(rel, "0" * 64, Athlete("a1"))).tables
        except ReaderError as err:
            if not quiet:
                print(f"  skipped {rel}: {err}")
            continue
        if "samples" not in tables or "activities" not in tables:
            continue
        samples = tables["samples"]
        for leg, act in enumerate(tables["activities"].itertuples()):
            part = samples[samples["activity_id"] == act.activity_id].reset_index(drop=True)
            yield rel, leg, act.sport, act.altitude_source, part


def gpx_like(samples: pd.DataFrame) -> pd.DataFrame:
    """What a plain GPX export keeps: positions, times, altitude (and heart rate); no cadence, distance, speed."""
    return samples.assign(cadence=float("nan"), distance_m=float("nan"), speed_mps=float("nan"))


def infer_all(root: Path, strip: bool) -> pd.DataFrame:
    rows = []
    for rel, leg, file_sport, alt_source, part in activities(root, quiet=strip):
        guess = infer_sport(gpx_like(part) if strip else part, altitude_source=alt_source)
        rows.append(
            {
                "file": rel + (f" #{leg}" if leg else ""),
                "file sport": file_sport,
                "truth": _truth(rel, file_sport) or "(not stated)",
                "inferred": guess.sport,
                "class": "hiking/walking" if guess.sport in ("hiking", "walking") else guess.sport,
                "confidence": guess.confidence,
                "evidence": guess.evidence,
            }
        )
    return pd.DataFrame(rows)


def confusion(table: pd.DataFrame, title: str) -> None:
    scored = table[table["truth"] != "(not stated)"]
    confusion = pd.crosstab(
        pd.Categorical(scored["truth"], CLASSES[:-1]),
        pd.Categorical(scored["class"], CLASSES),
        dropna=False,
        rownames=["truth"],
        colnames=["inferred"],
    )
    print(f"\nConfusion table, {title} (activities whose sport is stated; rows truth, columns inferred):")
    print(confusion.to_string())
    decided = scored[scored["class"] != "unknown"]
    right = int((decided["truth"] == decided["class"]).sum())
    print(
        f"\n{len(scored)} scored activities: {len(decided)} inferred, {right} of them right; "
        f"{len(scored) - len(decided)} not inferable (too short, no times or no distance). "
        f"{len(table) - len(scored)} more without a stated sport."
    )


def main() -> None:
    root = config.path("realdata")
    if not root.is_dir():
        sys.exit(f"real samples not found at {root} (set TRAILSTRENGTH_REALDATA)")
    table = infer_all(root, strip=False)
    for r in table.itertuples():
        print(
            f"{r.file:58s} file says {r._2:17s} truth {r.truth:14s} -> {r.inferred:8s} ({r.confidence:.2f})\n"
            f"    {r.evidence}"
        )
    confusion(table, "all recorded channels")
    stripped = infer_all(root, strip=True)
    changed = stripped[stripped["inferred"] != table["inferred"]]
    print("\nFrom positions, times and altitude only, these activities change:")
    for r in changed.itertuples():
        print(f"{r.file:58s} truth {r.truth:14s} -> {r.inferred:8s} ({r.confidence:.2f}): {r.evidence}")
    confusion(stripped, "positions, times and altitude only")


if __name__ == "__main__":
    main()
