"""The whole figure set of one analysis: every figure drawn, titled, alt-texted and exported.

``trailstrength figures --out DIR``, ``trailstrength demo`` and the report call :func:`write_figure_set` with the
results of :func:`trailstrength.analysis.analyze` already computed: the set draws them and never refits the models.
The specification curves draw ``results.spec_curve`` (the table written as ``spec_curve.csv``, fitted by
``analyze(..., all_claims=True)``); results without one skip those two figures and say why. Athletes are
pseudonymised (``A1 … An``) unless ``pseudonymise_athletes=False``; routes are drawn only with ``maps=True``, then
trimmed around each athlete's privacy zones and the first and last ``trim_ends_m`` of the run.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from trailstrength import features
from trailstrength.features import frames
from trailstrength.privacy import athlete_labels, privacy_zones, relabel_athletes
from trailstrength.report import words

__all__ = [
    "SETS_EXPOSURES",
    "FigureRecord",
    "figure_set",
    "forest_rows",
    "specification_table",
    "write_figure_set",
]

log = logging.getLogger("trailstrength")

#: Exposures whose slopes are per weekly hinge set, so they share one specification curve.
SETS_EXPOSURES = ("hinge_sets_28d", "hinge_sets_ewm")
#: Weeks a training calendar shows on the desktop canvas and on the phone canvas (390 px wide fits about 8
#: weeks with numbers a reader can read).
CALENDAR_WEEKS, PHONE_CALENDAR_WEEKS = 26, 8
_SPEC_COLUMNS = [
    "hypothesis",
    "estimate",
    "ci_low",
    "ci_high",
    "window",
    "exposure",
    "filter",
    "model_choice",
    "primary",
]


@dataclass
class FigureRecord:
    """One figure of the set: its name, texts and the files written (or why it was skipped)."""

    name: str
    title: str = ""
    subtitle: str = ""
    alt: str = ""
    canvas: str = "blog"
    paths: list[Path] = field(default_factory=list)
    skipped: str = ""  # reason, when the data could not support the figure
    phone_paths: list[Path] = field(default_factory=list)  # the same figure on the portrait phone canvas

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "title": self.title,
            "subtitle": self.subtitle,
            "alt": self.alt,
            "canvas": self.canvas,
            "files": [p.name for p in self.paths],
            "skipped": self.skipped,
            "phone_files": [p.name for p in self.phone_paths],
        }


@dataclass
class _Context:
    wh: object
    results: object
    mapping: dict | None
    source: str
    fast: bool
    maps: bool
    raw: Path | None
    trim_ends_m: float

    def label(self, athlete_id: str) -> str:
        return self.mapping.get(str(athlete_id), "A?") if self.mapping else str(athlete_id)


@dataclass
class _Drawn:
    name: str
    fig: object
    title: str
    subtitle: str
    alt: str
    canvas: str = "blog"
    source: str = ""
    # also written as <name>.phone.* on the portrait phone canvas: True re-lays out this figure, a callable
    # draws one made for the portrait shape (the forest's panels stacked)
    phone: object = None


#: (figure-name prefixes a builder makes, builder), in drawing order.
_BUILDERS: list[tuple[tuple[str, ...], Callable[[_Context], Iterator[_Drawn | FigureRecord]]]] = []


def _builder(*prefixes: str):
    def register(fn):
        _BUILDERS.append((prefixes, fn))
        return fn

    return register


def _wanted(name: str, only) -> bool:
    return not only or any(name.startswith(p) or p.startswith(name) for p in only)


def _subplots(**kw):
    import matplotlib.pyplot as plt

    return plt.subplots(**kw)


def specification_table(spec_curve: pd.DataFrame | None) -> pd.DataFrame:
    """The specifications to draw as one curve per hypothesis, from the analysis' specification curve.

    Parameters
    ----------
    spec_curve : DataFrame or None
        ``Results.spec_curve`` (the rows of ``spec_curve.csv``, :func:`trailstrength.models.speccurve.run_specs`).
        Its fitted rows on one scale are kept: linear models of exposures counted in weekly hinge sets
        (:data:`SETS_EXPOSURES`); ordinal-GEE rows (log odds) and per-kg or per-second exposures are left to
        the table.

    Returns
    -------
    DataFrame
        ``hypothesis, estimate, ci_low, ci_high``, the choice columns ``window`` ("28 days"), ``exposure``,
        ``filter``, ``model_choice``, and ``primary`` marking the pre-registered spec (28 days,
        ``hinge_sets_28d``, the first descent filter, random slope tried for H1, random intercept for H2).
        Empty (same columns) when there is no curve.
    """
    if spec_curve is None or not len(spec_curve):
        return pd.DataFrame(columns=_SPEC_COLUMNS)
    # One curve, one unit: ordinal GEE estimates are log cumulative odds, and volume-load (per kg) or eccentric
    # TUT (per s) slopes are per a different exposure unit, so neither is another point on this curve.
    same_scale = (spec_curve["model_choice"] != "ordinal_gee") & spec_curve["exposure"].isin(SETS_EXPOSURES)
    table = spec_curve[spec_curve["estimate"].notna() & same_scale].copy()
    table["window"] = table["window_days"].map(lambda w: f"{w:g} days")
    first_filter = table.groupby("hypothesis")["filter"].transform("first")
    preregistered_model = np.where(table["hypothesis"] == "H1", "lmm_rs", "lmm")
    table["primary"] = (
        (table["window_days"] == features.WINDOW_DAYS)
        & (table["exposure"] == "hinge_sets_28d")
        & (table["filter"] == first_filter)
        & (table["model_choice"] == preregistered_model)
    )
    return table[_SPEC_COLUMNS].reset_index(drop=True)


def _primary_row(effects: pd.DataFrame, hypothesis: str):
    rows = effects[(effects["hypothesis"] == hypothesis) & (effects["term"] == "hinge_sets_28d_within")]
    return rows.iloc[0] if len(rows) else None


@_builder("h1_dpi_vs_hinge", "h2_soreness_vs_hinge")
def _primary_scatters(ctx: _Context):
    from trailstrength.viz.effects import dpi_vs_hinge, soreness_vs_hinge

    res = ctx.results
    for name, hyp, panel, plot, what, outcome_words in (
        (
            "h1_dpi_vs_hinge",
            "H1",
            res.h1_panel,
            dpi_vs_hinge,
            "Hinge volume and descent performance",
            "descent performance index (grade-adjusted descent speed relative to flat speed)",
        ),
        (
            "h2_soreness_vs_hinge",
            "H2",
            res.h2_panel,
            soreness_vs_hinge,
            "Hinge volume and soreness after descents",
            "peak soreness (0-10) in the 72 hours after the run",
        ),
    ):
        if panel.empty or panel["athlete_id"].nunique() < 1:
            yield FigureRecord(
                name,
                skipped=f"the {hyp} panel is empty (no runs with 500 m of descent segments inside the strength "
                "log's coverage and 28 days of history; trailstrength check says why)",
            )
            continue
        row = _primary_row(res.effects, hyp)
        if row is None or not np.isfinite(row["estimate"]):
            why = "no model row" if row is None else words.not_answerable_reason(row["note"])
            yield FigureRecord(name, skipped=f"the {hyp} model could not be fitted: {why}")
            continue
        fig, ax = _subplots()
        plot(relabel_athletes(panel, ctx.mapping), res.effects, ax=ax)
        alt = words.scatter_alt(panel, row, outcome_words)
        subtitle = f"{hyp}: within-athlete deviations; line = adjusted model slope"
        yield _Drawn(name, fig, what, subtitle, alt, phone=True)


@_builder("effects_forest")
def _forest(ctx: _Context):
    from trailstrength.viz.effects import effects_forest

    eff = ctx.results.effects
    keep = forest_rows(eff) if not eff.empty else eff
    keep = keep[keep["estimate"].notna()].reset_index(drop=True) if not keep.empty else keep
    if keep.empty:
        yield FigureRecord("effects_forest", skipped="no hinge-volume term could be estimated with these data")
        return

    def draw(ncols=None):
        fig, ax = _subplots(layout="constrained")
        effects_forest(keep, ax=ax, ncols=ncols)
        return fig

    yield _Drawn(
        "effects_forest",
        draw(),
        "Hinge volume: every estimate",
        "Estimates with 95% CIs, each outcome on its own scale; blue = pre-registered",
        words.forest_panels_alt(keep),
        phone=lambda: draw(ncols=1),
    )


def forest_rows(effects: pd.DataFrame) -> pd.DataFrame:
    """The H1 and H2 hinge-volume rows of the forest plot, labelled in words (one panel per outcome).

    Linear models only (ordinal log odds and correlations are on other scales); within-athlete rows first, the
    primary row first. Adds ``label`` (term and model in words), ``panel`` (the outcome in words) and ``unit``
    (the panel's unit in words), all from :mod:`trailstrength.models.units`.
    """
    from trailstrength.models.units import model_label, outcome_label, term_label, unit_label

    linear = ~effects["model"].astype(str).str.startswith(("ordinal", "rmcorr", "not_fitted"))
    rows = effects[
        effects["hypothesis"].isin(["H1", "H2"])
        & effects["term"].isin(["hinge_sets_28d_within", "hinge_sets_28d_between"])
        & linear
    ].copy()
    rows["_within"] = rows["term"].str.endswith("_within")
    rows = rows.sort_values(["hypothesis", "_within", "primary"], ascending=[True, False, False], kind="stable")
    # "Within athlete" / "Between athletes", then what the model adds to the main one (short: one line per row)
    rows["label"] = [
        ", ".join(
            [term_label(t).rsplit("(", 1)[-1].rstrip(")").capitalize()] + [model_label(v) for v in m.split("+")[1:]]
        )
        for t, m in zip(rows["term"], rows["model"].astype(str))
    ]
    rows["panel"] = [outcome_label(o, short=True) for o in rows["outcome"]]
    rows["unit"] = rows["unit"].map(unit_label)
    return rows.drop(columns="_within").reset_index(drop=True)


@_builder("specification_curve_")
def _specification(ctx: _Context):
    from trailstrength.viz.effects import RESULT_COLUMNS, specification_curve

    curve = getattr(ctx.results, "spec_curve", None)
    specs = specification_table(curve)
    for hyp, unit in (("H1", "DPI per weekly hinge set"), ("H2", "soreness points per weekly hinge set")):
        sub = specs[specs["hypothesis"] == hyp]
        name = f"specification_curve_{hyp.lower()}"
        if curve is None:
            yield FigureRecord(
                name,
                skipped="these results have no specification curve (`trailstrength analyze --all` fits it)",
            )
            continue
        if len(sub) < 2:
            yield FigureRecord(name, skipped=f"fewer than two {hyp} specifications on one scale could be fitted")
            continue
        sub = _spec_choices_in_words(sub)
        ax = specification_curve(sub)
        choices = [c for c in sub.columns if c not in RESULT_COLUMNS and sub[c].nunique() > 1]
        yield _Drawn(
            name,
            ax.figure,
            f"{hyp} across analysis choices",
            f"Within-athlete hinge effect, {unit}",
            words.spec_curve_alt(sub, hyp, unit, choices),
            phone=True,
        )


def _spec_choices_in_words(specs: pd.DataFrame) -> pd.DataFrame:
    """The choice columns of :func:`specification_table` in words for the dashboard (no snake_case names)."""
    from trailstrength.models.units import model_label, term_label

    def runs_kept(rule: str) -> str:
        column, _, value = str(rule).partition(" >= ")
        label, unit = term_label(column).removesuffix(" (m)"), " m" if term_label(column).endswith("(m)") else ""
        return f"{label} \u2265 {value}{unit}" if value else (rule or "all runs")

    out = specs.copy()
    out["exposure"] = out["exposure"].map(term_label)
    out["filter"] = out["filter"].map(runs_kept)
    out["model_choice"] = out["model_choice"].map(model_label)
    return out.rename(columns={"filter": "runs kept", "model_choice": "model type"})


@_builder("grade_speed")
def _grade_speed(ctx: _Context):
    from trailstrength.terrain import NotEnoughTerrainData, fit_empirical_gap
    from trailstrength.viz.terrain import MODEL_LABELS, grade_speed

    terrains = frames.run_terrains(ctx.wh, max_runs=30 if ctx.fast else 120)
    points = frames.grade_speed_frame(ctx.wh, terrains=terrains)
    if points.empty:
        yield FigureRecord("grade_speed", skipped="no runs with an altitude profile and a flat reference speed")
        return
    models = {MODEL_LABELS["strava"]: "strava", MODEL_LABELS["minetti"]: "minetti"}
    with contextlib.suppress(NotEnoughTerrainData):
        # The one fit left in the figure set: a descriptive equal-effort spline over the drawn runs (each run's own
        # intercept absorbs who ran it and how fresh they were). It is not one of the analysis' models.
        models["Empirical curve (these runs)"] = fit_empirical_gap(terrains.values())
    fig, ax = _subplots()
    grade_speed(points, models=models, ax=ax)
    alt = words.grade_speed_alt(points, empirical=len(models) > 2)
    yield _Drawn(
        "grade_speed",
        fig,
        "How fast on each grade",
        "Moving speed relative to flat speed, 100 m stretches",
        alt,
        phone=True,
    )


@_builder("soreness_time_course")
def _soreness_course(ctx: _Context):
    from trailstrength.viz.training import soreness_time_course

    course = frames.soreness_course_frame(ctx.wh)
    if course.empty or course["hinge_tertile"].isna().all():
        yield FigureRecord("soreness_time_course", skipped="no soreness reports within 72 h of a long-descent run")
        return
    fig, ax = _subplots()
    soreness_time_course(course, ax=ax)
    yield _Drawn(
        "soreness_time_course",
        fig,
        "Soreness in the 72 hours after long descents",
        "By prior hinge volume (each athlete's own thirds)",
        words.soreness_course_alt(course),
        phone=True,
    )


@_builder("training_calendar_")
def _calendars(ctx: _Context):
    from trailstrength.viz.training import training_calendar

    weekly = frames.weekly_training_frame(ctx.wh)
    if weekly.empty:
        yield FigureRecord("training_calendar", skipped="no training recorded")
        return
    athletes = sorted(weekly["athlete_id"].unique(), key=ctx.label)
    for athlete in athletes[:1] if ctx.fast else athletes:
        who = ctx.label(athlete)
        sub = weekly[weekly["athlete_id"] == athlete].drop(columns="athlete_id")

        def draw(weeks=CALENDAR_WEEKS, labels=8, sub=sub):
            fig, ax = _subplots()
            training_calendar(sub, ax=ax, last_weeks=weeks, date_labels=labels)
            return fig

        yield _Drawn(
            f"training_calendar_{who}",
            draw(),
            f"Athlete {who}: training week by week",
            "Running, vertical descent and hinge sets per week",
            words.calendar_alt(sub.sort_values("week").tail(CALENDAR_WEEKS), who, phone_weeks=PHONE_CALENDAR_WEEKS),
            phone=lambda draw=draw: draw(PHONE_CALENDAR_WEEKS, labels=4),
        )


#: Athletes in the per-athlete small multiple at most (the report's tables list them all).
MAX_ATHLETE_PANELS = 12


@_builder("athlete_weeks")
def _athlete_weeks(ctx: _Context):
    from trailstrength.report.athletes import athlete_weeks
    from trailstrength.viz.athletes import athlete_panels

    weeks = athlete_weeks(ctx.wh, mapping=ctx.mapping)
    if weeks.empty or weeks["hinge_sets"].isna().all():
        yield FigureRecord("athlete_weeks", skipped="no analysed week has a strength log")
        return
    shown = weeks[weeks["athlete"].isin(list(dict.fromkeys(weeks["athlete"]))[:MAX_ATHLETE_PANELS])]

    def draw(ncols=None):
        fig, ax = _subplots(layout="constrained")
        athlete_panels(shown, ax=ax, ncols=ncols)
        return fig

    n = shown["athlete"].nunique()
    yield _Drawn(
        "athlete_weeks",
        draw(),
        "Hinge sets, athlete by athlete",
        "Weighted hinge working sets per week; grey weeks: strength not logged",
        words.athlete_weeks_alt(shown, total=weeks["athlete"].nunique()),
        phone=lambda: draw(ncols=1 if n <= 3 else 2),
    )


@_builder("dose_response_h1")
def _dose_response(ctx: _Context):
    from trailstrength.viz.planning import dose_response

    panel = ctx.results.h1_panel
    if panel.empty:
        yield FigureRecord("dose_response_h1", skipped="the H1 panel is empty")
        return
    curve, observed = frames.binned_dose_response(panel, "dpi")
    if len(curve) < 2:
        yield FigureRecord("dose_response_h1", skipped="hinge volume spans fewer than two dose bins")
        return
    fig, ax = _subplots()
    dose_response(
        curve,
        ax=ax,
        observed=observed,
        dose_label="Hinge sets per week (previous 28 days)",
        outcome_label="DPI vs athlete's usual",
    )
    yield _Drawn(
        "dose_response_h1",
        fig,
        "More hinge sets, faster descents?",
        "Descriptive dose-response: DPI by weekly hinge sets, within athlete",
        words.dose_response_alt(curve),
        phone=True,
    )


@_builder("route_")
def _routes(ctx: _Context):
    if not ctx.maps:
        return
    from trailstrength.viz.terrain import route_map

    zones = privacy_zones(ctx.raw) if ctx.raw is not None and Path(ctx.raw).is_dir() else {}
    runs = ctx.wh.runs
    for athlete, grp in sorted(runs.groupby("athlete_id"), key=lambda kv: ctx.label(kv[0])):
        run, samples = _biggest_descent_with_track(ctx.wh, grp)
        if run is None:
            yield FigureRecord(f"route_{ctx.label(athlete)}", skipped="no run with a GPS track and a measured descent")
            continue
        samples = _trim_ends(samples, ctx.trim_ends_m)
        who = ctx.label(athlete)
        fig, ax = _subplots()
        athlete_zones = zones.get(str(athlete), [])
        route_map(samples, ax=ax, privacy_zones=athlete_zones)
        yield _Drawn(
            f"route_{who}",
            fig,
            f"Athlete {who}: the biggest descent run",
            "Route shape only; privacy zones removed",
            words.route_alt(who, run["descent_m"], len(athlete_zones), ctx.trim_ends_m),
        )


ROUTE_CANDIDATES = 5  # runs tried per athlete, biggest descent first, for one with a GPS track


def _biggest_descent_with_track(wh, runs: pd.DataFrame):
    """The run with the most descent among those with a measured descent (never a NaN-descent run: no altitude)
    and a GPS track, with its samples; (None, None) when there is none among the biggest few."""
    measured = runs[np.isfinite(pd.to_numeric(runs["descent_m"], errors="coerce"))]
    for _, run in measured.sort_values("descent_m", ascending=False).head(ROUTE_CANDIDATES).iterrows():
        samples = wh.samples(activity_ids=[run["activity_id"]])
        if not samples[["lat", "lon"]].dropna().empty:
            return run, samples
    return None, None


def _trim_ends(samples: pd.DataFrame, metres: float) -> pd.DataFrame:
    """Drop the first and last ``metres`` of a track (start and finish are often at home)."""
    if metres <= 0 or "distance_m" not in samples or samples["distance_m"].isna().all():
        return samples
    d = samples["distance_m"]
    return samples[(d >= d.min() + metres) & (d <= d.max() - metres)]


def figure_set(
    wh=None,
    *,
    results,
    pseudonymise_athletes: bool = True,
    maps: bool = False,
    raw=None,
    fast: bool = False,
    source: str | None = None,
    trim_ends_m: float = 200.0,
    only=None,
) -> Iterator[_Drawn | FigureRecord]:
    """Draw the figures of an analysis one by one (a generator of drawn figures and skip records).

    See :func:`write_figure_set` for the parameters; ``only`` keeps figures whose name starts with
    one of the given prefixes.
    """
    from trailstrength import __version__
    from trailstrength.warehouse import Warehouse

    wh = wh if isinstance(wh, Warehouse) else Warehouse(wh)
    mapping = athlete_labels(wh.activities["athlete_id"]) if pseudonymise_athletes else None
    if source is None:
        source = _default_source(wh.activities, __version__)
    ctx = _Context(wh, results, mapping, source, fast, maps, Path(raw) if raw else None, trim_ends_m)
    for prefixes, build in _BUILDERS:
        if not any(_wanted(p, only) for p in prefixes):
            continue  # skip the work, not just the output
        for item in build(ctx):
            name = item.name
            if only and not any(name.startswith(p) for p in only):
                if isinstance(item, _Drawn):
                    _close(item.fig)
                continue
            if isinstance(item, _Drawn):
                item.source = ctx.source
            yield item


def _default_source(acts: pd.DataFrame, version: str) -> str:
    span = ""
    if len(acts):
        dates = pd.to_datetime(acts["local_date"])
        span = f", {dates.min():%b %Y} to {dates.max():%b %Y}"
    return f"Data: {acts['athlete_id'].nunique()} athletes{span}. Made with trailstrength {version}."


def _close(fig) -> None:
    import matplotlib.pyplot as plt

    plt.close(fig)


def write_figure_set(
    wh=None,
    out="reports/figures",
    *,
    results,
    pseudonymise_athletes: bool = True,
    maps: bool = False,
    raw=None,
    fast: bool = False,
    source: str | None = None,
    formats=("png", "svg"),
    scale: float = 2,
    theme: str = "blog",
    trim_ends_m: float = 200.0,
    only=None,
) -> list[FigureRecord]:
    """Draw and export every figure of an analysis; write ``figures.json`` listing them.

    Parameters
    ----------
    wh : Warehouse or path, optional
        The warehouse the results come from (default ``config.path("warehouse")``): the descriptive figures
        (grade and speed, soreness course, calendars, routes) read it.
    out : path
        Folder for the files: ``<name>.png``, ``<name>.svg``, ``<name>.alt.txt`` per figure.
    results : analysis.Results
        The analysis to draw (``trailstrength.analyze(wh)``); with a ``spec_curve``
        (``all_claims=True``) the specification curves are drawn from it, else skipped.
    pseudonymise_athletes : bool
        Show athletes as ``A1 … An`` (sorted ids) in titles and alt text. Default True.
    maps : bool
        Also draw each athlete's biggest-descent route (shape only, no coordinates), trimmed around
        the privacy zones in ``RAW/<athlete>/athlete.toml`` and the first and last ``trim_ends_m``.
    raw : path, optional
        Raw folder to read privacy zones from (default ``config.path("raw")``).
    fast : bool
        Fewer runs and calendars (notebooks' fast mode, tests).
    source : str, optional
        Text of the source band (default: athletes and date range).
    formats, scale : see :func:`trailstrength.viz.save`.
    theme : {"blog", "paper"}
        House style variant.
    only : list of str, optional
        Figure-name prefixes to draw (e.g. ``["h1_", "grade_speed"]``).

    Returns
    -------
    list of FigureRecord
        Every figure, drawn or skipped (``skipped`` says why), in drawing order.
    """
    from trailstrength import config
    from trailstrength.viz.export import save
    from trailstrength.viz.style import theme as house_theme

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    raw = config.path("raw", raw) if maps else None
    records: list[FigureRecord] = []
    with house_theme(theme):
        for item in figure_set(
            wh,
            results=results,
            pseudonymise_athletes=pseudonymise_athletes,
            maps=maps,
            raw=raw,
            fast=fast,
            source=source,
            trim_ends_m=trim_ends_m,
            only=only,
        ):
            if isinstance(item, FigureRecord):
                log.info("figure %s skipped: %s", item.name, item.skipped)
                records.append(item)
                continue
            texts = dict(alt=item.alt, title=item.title, subtitle=item.subtitle, source=item.source)
            phone_paths: list[Path] = []
            try:
                paths = save(item.fig, out / item.name, canvas=item.canvas, formats=formats, scale=scale, **texts)
                if item.phone is not None:
                    phone_fig = item.fig if item.phone is True else item.phone()
                    try:
                        stem = out / f"{item.name}.phone"
                        phone_paths = save(phone_fig, stem, canvas="phone", formats=formats, scale=scale, **texts)
                    finally:
                        _close(phone_fig)
            finally:
                _close(item.fig)
            records.append(
                FigureRecord(
                    item.name, item.title, item.subtitle, item.alt, item.canvas, paths, phone_paths=phone_paths
                )
            )
    index = {"figures": [r.to_dict() for r in records], "pseudonymised": pseudonymise_athletes, "maps": maps}
    (out / "figures.json").write_text(json.dumps(index, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return records
