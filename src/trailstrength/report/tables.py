"""Tables people can open in a spreadsheet: ``trailstrength export --out DIR --format csv|xlsx`` (issue 17, item 5).

Four tables, columns named in words with their units ("vertical descent (m)"), athletes pseudonymised (``A1 … An``)
unless asked otherwise, an empty cell where a value is missing or was not logged (never 0, never "nan"):

* ``athlete_weeks`` — one row per athlete and analysed week (:func:`trailstrength.report.athletes.athlete_weeks`);
* ``runs`` — one row per run with its distance, descent and descent performance;
* ``soreness_windows`` — one row per long-descent run of the H2 panel: its descent, the soreness peak in the
  72 hours after it and the hinge sets before it;
* ``effects`` — the analysis' estimates, terms and units in words.

CSV files are UTF-8 with a byte-order mark, so spreadsheet programs read the accents and the minus signs; ``xlsx``
writes one workbook with a sheet per table (it needs ``openpyxl``, an optional extra).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from trailstrength.privacy import athlete_labels
from trailstrength.report.athletes import ATHLETE_MEASURES, athlete_weeks
from trailstrength.report.words import plain_names

__all__ = ["EXPORT_TABLES", "export_frames", "export_tables"]

#: Tables written, in order (file stems and sheet names).
EXPORT_TABLES = ("athlete_weeks", "runs", "soreness_windows", "effects")

#: Decimals of the measured values written (estimates in ``effects`` keep every digit).
DECIMALS = 3

#: Warehouse / panel column -> (column in the export, factor from the stored unit to the exported one).
_RUN_COLUMNS = {
    "local_date": ("date", None),
    "distance_m": ("distance (km)", 1e-3),
    "moving_time_s": ("moving time (min)", 1 / 60),
    "ascent_m": ("ascent (m)", 1.0),
    "descent_m": ("vertical descent (m)", 1.0),
    "descent_length_m": ("length of descent segments (m)", 1.0),
    "mean_descent_grade": ("mean descent grade (%)", 100.0),
    "descent_gap_speed_mps": ("grade-adjusted descent speed (km/h)", 3.6),
    "flat_reference_mps": ("flat reference speed (km/h)", 3.6),
    "dpi": ("descent performance index (descent / flat speed)", 1.0),
}
_SORENESS_COLUMNS = {
    "local_date": ("date of the run", None),
    "descent_100m": ("vertical descent of the run (m)", 100.0),
    "soreness_peak_72h": ("peak soreness in the 72 h after (0-10)", 1.0),
    "hinge_sets_28d": ("hinge sets per week, previous 28 days", 1.0),
    "knee_sets_28d": ("knee-dominant sets per week, previous 28 days", 1.0),
    "descent_100m_28d": ("vertical descent per week, previous 28 days (m)", 100.0),
}


def _columns(frame: pd.DataFrame, columns: dict, label) -> pd.DataFrame:
    """``athlete`` and the ``columns`` that ``frame`` has, renamed and converted to the exported units."""
    out = pd.DataFrame({"athlete": frame["athlete_id"].map(label)})
    for column, (name, factor) in columns.items():
        if column not in frame:
            continue
        if factor is None:
            out[name] = pd.to_datetime(frame[column]).dt.date
        else:
            out[name] = (pd.to_numeric(frame[column], errors="coerce") * factor).round(DECIMALS)
    return out.reset_index(drop=True)


def _effects(effects: pd.DataFrame) -> pd.DataFrame:
    from trailstrength.models.units import model_label, outcome_label, term_label, unit_label

    return pd.DataFrame(
        {
            "claim": effects["hypothesis"],
            "outcome": effects["outcome"].map(lambda o: outcome_label(str(o))),
            "term": effects["term"].map(lambda t: term_label(str(t))),
            "estimate": effects["estimate"],
            "95% CI low": effects["ci_low"],
            "95% CI high": effects["ci_high"],
            "p": effects["p_value"],
            "unit": effects["unit"].map(lambda u: plain_names(unit_label(str(u))) if pd.notna(u) else ""),
            "athletes": effects["n_athletes"],
            "observations": effects["n_obs"],
            "model": effects["model"].map(lambda m: model_label(str(m))),
            "pre-registered primary": effects["primary"].map(lambda v: "yes" if v is True or v == 1 else "no"),
            "note": effects["note"].map(plain_names),
        }
    )


def export_frames(wh, *, results, pseudonymise_athletes: bool = True) -> dict[str, pd.DataFrame]:
    """The tables of :data:`EXPORT_TABLES` as frames (see the module docstring), not written."""
    mapping = athlete_labels(wh.activities["athlete_id"]) if pseudonymise_athletes else None
    label = (lambda a: mapping.get(str(a), "A?")) if mapping else str
    weeks = athlete_weeks(wh, mapping=mapping).drop(columns="athlete_id")
    weeks = (
        weeks.round(DECIMALS)
        .assign(week=weeks["week"].dt.date)
        .rename(
            columns={"week": "week starting (Monday)"}
            | {c: f"{w.lower()} ({u})" for c, (w, u, _) in ATHLETE_MEASURES.items()}
        )
    )
    return {
        "athlete_weeks": weeks,
        "runs": _columns(wh.runs.sort_values(["athlete_id", "local_date"]), _RUN_COLUMNS, label),
        "soreness_windows": _columns(results.h2_panel, _SORENESS_COLUMNS, label),
        "effects": _effects(results.effects),
    }


def export_tables(wh, out, *, results, format: str = "csv", pseudonymise_athletes: bool = True) -> list[Path]:
    """Write the tables of an analysis for a spreadsheet.

    Parameters
    ----------
    wh : Warehouse
        The warehouse the results come from (an open one: ``trailstrength.open_warehouse(path)``).
    out : path
        Folder for ``<table>.csv`` files or ``tables.xlsx`` (created).
    results : analysis.Results
        ``trailstrength.analyze(wh)``: its H2 panel and effects.
    format : {"csv", "xlsx"}
        One CSV per table, or one workbook with a sheet per table (needs ``openpyxl``).
    pseudonymise_athletes : bool
        Athletes as ``A1 … An`` (default).

    Returns
    -------
    list of Path
        The files written.

    Raises
    ------
    ValueError
        An unknown format, or ``xlsx`` without ``openpyxl`` installed (the message says how to install it).
    """
    if format not in ("csv", "xlsx"):
        raise ValueError(f"format must be 'csv' or 'xlsx', not {format!r}")
    frames = export_frames(wh, results=results, pseudonymise_athletes=pseudonymise_athletes)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    if format == "csv":
        written = []
        for name, frame in frames.items():
            path = out / f"{name}.csv"
            frame.to_csv(path, index=False, encoding="utf-8-sig", na_rep="")
            written.append(path)
        return written
    try:
        import openpyxl  # noqa: F401
    except ImportError:
        raise ValueError(
            "--format xlsx needs openpyxl: pip install openpyxl (or use --format csv, which needs nothing)"
        ) from None
    path = out / "tables.xlsx"
    with pd.ExcelWriter(path, engine="openpyxl") as book:
        for name, frame in frames.items():
            frame.to_excel(book, sheet_name=name, index=False)
    return [path]
