"""The derived steps of ``ingest`` that work on whole tables: runs, session totals, coverage (issue 14, items 1, 4, 8).

* :func:`runs_table` — the ``runs`` table, one activity's fault never the batch's;
* :func:`with_terrain_totals` / :func:`with_session_totals` — activity totals from the terrain summary, and from the
  session message where the records stop early (``partial_records``); :func:`runs_with_session_totals` carries
  them into the runs;
* :func:`coverage_table` — the periods each athlete's records cover, per source, with ``athlete.toml``'s
  ``[coverage]`` merged in.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from trailstrength.errors import ReaderError
from trailstrength.features import RUN_SPORTS, build_runs, coverage
from trailstrength.io import Athlete


def runs_table(acts: pd.DataFrame, summary: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    """The runs table, one activity's fault never the batch's (issue 14, item 1); ``problems``: activity id -> why.

    A run without a usable date (its file's times were all unusable) stays in ``activities`` with its geometry
    and distance, but is no run: every run metric is about a day. When :func:`build_runs` still fails, the runs
    that fail alone are left out, and if the rest still fails, the athletes whose runs fail together.
    """
    is_run = acts["sport"].isin(RUN_SPORTS)
    undated = is_run & acts["local_date"].isna()
    problems = {
        aid: "no usable times: kept with its geometry (no date, no time-based metrics), not in the runs table"
        for aid in acts.loc[undated, "activity_id"]
    }
    usable = acts[~undated]
    try:
        return build_runs(usable, summary), problems
    except Exception:  # noqa: BLE001 - narrowed down below, one activity at a time
        pass
    for aid in usable.loc[is_run[~undated], "activity_id"]:
        try:
            build_runs(usable[usable["activity_id"] == aid], summary)
        except Exception as err:  # noqa: BLE001 - the reason goes to the file's manifest row
            problems[aid] = f"not in the runs table: {type(err).__name__}: {err}"
    usable = usable[~usable["activity_id"].isin(problems)]
    parts = []
    for _, grp in usable.groupby("athlete_id", sort=False):
        try:
            parts.append(build_runs(grp, summary))
        except Exception as err:  # noqa: BLE001
            why = f"not in the runs table (fails with this athlete's other runs): {type(err).__name__}: {err}"
            problems.update(dict.fromkeys(grp.loc[grp["sport"].isin(RUN_SPORTS), "activity_id"], why))
    runs = pd.concat(parts, ignore_index=True) if parts else build_runs(usable.iloc[:0], summary)
    return runs, problems


def runs_with_session_totals(runs: pd.DataFrame, acts: pd.DataFrame) -> pd.DataFrame:
    """Runs whose records stop early (``partial_records``): distance and moving time from the session message, so
    weekly volumes count the whole run; our descent and ascent NaN (the terrain of the missing part is unknown;
    segments, DPI and the other terrain metrics describe the recorded part)."""
    flag = acts.set_index("activity_id")["partial_records"] if "partial_records" in acts else pd.Series(dtype=bool)
    out = runs.copy()
    out["partial_records"] = out["activity_id"].map(flag).eq(True)
    if out["partial_records"].any():
        whole = acts.set_index("activity_id")
        rows = out["partial_records"]
        for col in ("distance_m", "moving_time_s"):
            out.loc[rows, col] = out.loc[rows, "activity_id"].map(whole[col]).to_numpy()
        out.loc[rows, ["ascent_m", "descent_m"]] = float("nan")
    return out


def with_terrain_totals(acts: pd.DataFrame, summary: pd.DataFrame) -> pd.DataFrame:
    """Fill activity distance / moving time / ascent / descent from the terrain summary where it has them.

    Moving time is ours only where the activity covered distance; otherwise (strength sessions, indoor
    rides without a speed sensor) the reader's value (the device's timer time) stays.
    """
    cols = ("moving_time_s", "distance_m", "ascent_m", "descent_m")
    out = acts.copy()
    for c in cols:
        if c not in out:
            out[c] = float("nan")
    if summary.empty:
        return out
    s = summary.drop_duplicates("activity_id", keep="last").set_index("activity_id")
    moved = out["activity_id"].map(s["distance_m"]).gt(0) if "distance_m" in s else pd.Series(False, index=out.index)
    for c in cols:
        ours = out["activity_id"].map(s[c]) if c in s else pd.Series(float("nan"), index=out.index)
        use = ours.notna() & (moved if c == "moving_time_s" else True)
        out[c] = ours.where(use, out[c])
    return with_session_totals(out)


PARTIAL_MARGIN_M = (100.0, 0.05)  # records fall short of the session's distance by more than both of these
PARTIAL_MARGIN_S = 60.0  # and end more than this before the session does


def with_session_totals(acts: pd.DataFrame) -> pd.DataFrame:
    """Activities whose records stop early keep the totals their file's session message states (issue 14, item 8).

    Records stop early (a partly decoded or damaged file) when the session's distance (``device_distance_m``, m)
    exceeds the records' (``records_distance_m``, the last record distance; else the terrain step's distance) by
    more than 100 m and 5 %, and the last record (``records_elapsed_s``) comes more than 60 s before the session's
    end (``duration_s``; when both are known). Then ``distance_m`` and ``moving_time_s`` take the session's
    distance and timer time, ``ascent_m`` / ``descent_m`` the session's totals (NaN when it states none: the
    recorded part's would undercount), and ``partial_records`` is True. Segments and the terrain summary stay those
    of the recorded part.
    """
    out = acts.copy()
    out["partial_records"] = False
    if "device_distance_m" not in out:
        return out

    def col(name: str) -> pd.Series:
        return pd.to_numeric(out[name], errors="coerce") if name in out else pd.Series(float("nan"), index=out.index)

    session = col("device_distance_m")
    recorded = col("records_distance_m").fillna(out["distance_m"])
    lo, share = PARTIAL_MARGIN_M
    short_in_time = ~(col("records_elapsed_s") >= out["duration_s"] - PARTIAL_MARGIN_S)  # unknown counts as short
    partial = recorded.notna() & (session - recorded > lo) & (session > recorded * (1 + share)) & short_in_time
    if not partial.any():
        return out
    out.loc[partial, "distance_m"] = session[partial]
    out.loc[partial, "moving_time_s"] = col("device_timer_s")[partial].fillna(out.loc[partial, "moving_time_s"])
    out.loc[partial, "ascent_m"] = col("device_ascent_m")[partial]
    out.loc[partial, "descent_m"] = col("device_descent_m")[partial]
    out.loc[partial, "partial_records"] = True
    return out


def coverage_table(
    tables: dict[str, pd.DataFrame],
    athletes: Mapping[str, Athlete],
    warnings: dict[str, list[str]],
    *,
    previous: pd.DataFrame | None = None,
    only: set[str] | None = None,
) -> pd.DataFrame:
    """The ``coverage`` table: per athlete and source, the periods its records cover (features.coverage), with
    the periods each ``athlete.toml`` declares under ``[coverage]`` merged in. A declaration that cannot be read
    is left out, with the reason among that ``athlete.toml``'s warnings (the logged periods still count).

    With ``previous`` (the coverage table of the last run) and ``only`` (the athlete ids whose records may have
    changed since), only those athletes' periods are computed again; the others' rows are kept (issue 18).
    """
    declared = []
    for folder, athlete in athletes.items():
        if not athlete.coverage:
            continue
        try:
            declared.append(coverage.declared_periods(athlete.coverage, athlete.athlete_id))
        except ReaderError as err:
            warnings.setdefault(f"{folder}/athlete.toml", []).append(f"{err}; the declared periods are ignored")
    sets = tables["strength_sets"]
    if "duplicate_of" in sets:  # a workout in two exports counts once
        sets = sets[sets["duplicate_of"].isna()]
    wellness, activities = tables["wellness"], tables["activities"]
    declared_all = pd.concat(declared, ignore_index=True) if declared else None
    if previous is None or only is None or "athlete_id" not in previous:
        return coverage.coverage_table(
            strength_sets=sets, wellness=wellness, activities=activities, declared=declared_all
        )
    ids = list(only)
    fresh = coverage.coverage_table(
        strength_sets=sets[sets["athlete_id"].isin(ids)],
        wellness=wellness[wellness["athlete_id"].isin(ids)],
        activities=activities[activities["athlete_id"].isin(ids)],
        declared=declared_all[declared_all["athlete_id"].isin(ids)] if declared_all is not None else None,
    )
    kept = previous[~previous["athlete_id"].isin(ids)]
    parts = [df for df in (kept, fresh) if len(df)]
    if not parts:
        return fresh
    out = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    return out.sort_values(["athlete_id", "source", "start"], ignore_index=True)
