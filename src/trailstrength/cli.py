"""The ``trailstrength`` command: simulate, ingest, analyze, demo, status, figures, report, notebook."""

from __future__ import annotations

import functools
import logging
import math
import re
import time
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.logging import RichHandler
from rich.markup import escape
from rich.table import Table

app = typer.Typer(
    help="Test strength-training claims (hip hinges vs descents and soreness) on real endurance data.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console()
PathOpt = Optional[Path]  # noqa: UP045


_STATE = {"verbose": False}


def _user_errors(fn):
    """Print expected user errors (missing folder or warehouse, unreadable profile or overrides file) as one
    line and exit 1; with ``-v`` the traceback is shown instead."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from trailstrength.errors import WarehouseLocked
        from trailstrength.io import ReaderError

        try:
            return fn(*args, **kwargs)
        except (FileNotFoundError, ReaderError, KeyError, ValueError, WarehouseLocked) as err:
            if _STATE["verbose"]:
                raise  # -v: the full traceback, for bug reports
            Console(stderr=True, soft_wrap=True).print(
                f"[bold red]error:[/] {escape(str(err))}\n[dim](run with -v for the traceback)[/]", highlight=False
            )
            raise typer.Exit(1) from None

    return wrapper


@app.callback()
def _main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show debug messages and tracebacks.")] = False,
):
    _STATE["verbose"] = verbose
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(message)s",
        handlers=[RichHandler(console=Console(stderr=True), show_path=False)],
    )


@app.command()
def simulate(
    out: Annotated[Path, typer.Argument(help="Folder to write the raw files into (RAW/<athlete>/...).")],
    athletes: Annotated[int, typer.Option(help="Number of athletes.")] = 8,
    weeks: Annotated[int, typer.Option(help="Weeks of training per athlete.")] = 16,
    seed: Annotated[int, typer.Option(help="Random seed (the cohort is deterministic given it).")] = 0,
    null: Annotated[bool, typer.Option("--null", help="Plant no hinge effect (a null cohort).")] = False,
):
    """Write a synthetic cohort with planted, documented effects (truth.json beside the files)."""
    from trailstrength.simulate import PlantedEffects, simulate_cohort

    t0 = time.perf_counter()
    truth = simulate_cohort(
        out, athletes=athletes, weeks=weeks, seed=seed, effects=PlantedEffects.null() if null else None, progress=True
    )
    n = sum(1 for _ in Path(out).rglob("*.gpx"))
    console.print(
        f"wrote {athletes} athletes × {weeks} weeks ({n} GPX runs) to {escape(str(out))} "
        f"in {time.perf_counter() - t0:.1f} s"
    )
    console.print(
        f"planted: H1 {truth['primary']['H1']['estimate']:+.4f} DPI per weekly hinge set, "
        f"H2 {truth['primary']['H2']['estimate']:+.3f} soreness points per weekly hinge set"
    )


def _print_ingest(report) -> None:
    counts = report.counts()
    console.print(
        f"[bold]{counts['files']}[/] files: read {counts['read']} new or changed, {counts['unchanged']} unchanged, "
        f"{counts.get('removed', 0)} removed since last run → ingested {counts.get('ingested', 0)}, "
        f"duplicate {counts.get('duplicate', 0)}, quarantined {counts.get('quarantined', 0)}"
    )
    for path, notes in report.warnings.items():  # profile problems (the files' own warnings are in the manifest)
        if path.endswith("athlete.toml"):
            for note in notes:
                console.print(f"[yellow]warning:[/] {escape(note)}", highlight=False)
    for line in report.notes():
        console.print(line, markup=False)
    not_ingested = report.manifest["state"] != "ingested"
    bad = report.manifest[not_ingested & report.manifest["path"].isin(report.read)]  # the files the counts are of
    if len(bad):
        # paths and reasons come from the user's files: escaped, so a '[/]' in them is text, not markup
        t = Table("file", "state", "reason", title="not ingested", title_justify="left")
        for r in bad.itertuples():
            t.add_row(escape(str(r.path)), escape(str(r.state)), escape(str(r.reason)))
        console.print(t)
    if earlier := int(not_ingested.sum()) - len(bad):
        console.print(
            f"{earlier} unchanged file{'s' * (earlier != 1)} not ingested (`trailstrength status` lists them)"
        )


@app.command()
@_user_errors
def ingest(
    raw: Annotated[
        PathOpt, typer.Argument(help="Raw folder (RAW/<athlete>/...); default $TRAILSTRENGTH_RAW or data/raw.")
    ] = None,
    warehouse: Annotated[
        PathOpt, typer.Option(help="Warehouse folder; default $TRAILSTRENGTH_WAREHOUSE or data/processed/warehouse.")
    ] = None,
    progress: Annotated[bool, typer.Option(help="Show progress bars.")] = True,
    workers: Annotated[
        int | None,
        typer.Option(
            help="Reader processes (default $TRAILSTRENGTH_WORKERS or the CPU "
            "count); with --dask, workers of the local Dask cluster."
        ),
    ] = None,
    dask: Annotated[
        bool, typer.Option("--dask", help="Read files on a local Dask cluster (needs the scale extra).")
    ] = False,
    scheduler: Annotated[
        str | None,
        typer.Option(
            help="Read files on the Dask cluster of this scheduler "
            "(tcp://host:8786; needs the scale extra and a shared filesystem)."
        ),
    ] = None,
):
    """Build or update the parquet warehouse; prints what was read, skipped and quarantined."""
    from trailstrength.warehouse import ingest as run_ingest

    t0 = time.perf_counter()
    if dask or scheduler:
        from trailstrength.warehouse import dask as warehouse_dask

        try:
            report = warehouse_dask.ingest(
                raw, warehouse=warehouse, scheduler=scheduler, workers=workers, progress=progress
            )
        except ImportError as err:
            Console(stderr=True).print(f"[bold red]error:[/] {escape(str(err))}", highlight=False)
            raise typer.Exit(1) from None
    else:
        report = run_ingest(raw, warehouse=warehouse, progress=progress, workers=workers)
    _print_ingest(report)
    console.print(f"done in {time.perf_counter() - t0:.1f} s")


def _print_effects(effects, title="effects") -> None:
    """One line per effect: readable at 80 columns, where a wide table would wrap into noise. The rows of a claim
    without estimates become one line saying why (their note), never ``+nan [+nan, +nan]``."""
    from trailstrength.report.words import not_answerable_lines

    console.print(f"[bold]{title}[/]")
    for r in effects[effects["estimate"].notna()].itertuples():
        star = "[bold]*[/]" if r.primary else " "
        adjusted = re.match(r"(Holm|BH) (?:p|q) = ([0-9.eE+-]+)", str(r.note))  # multiplicity.adjust_effects
        beside = f" ({adjusted.group(1)} {adjusted.group(2)})" if adjusted else ""
        ci = f"[{r.ci_low:+.4g}, {r.ci_high:+.4g}]" if math.isfinite(r.ci_low) else "[no interval]"
        p = f"p = {r.p_value:.2g}{beside}" if math.isfinite(r.p_value) else "no p-value"
        df = float(getattr(r, "df", math.nan))
        p += f" (t, {df:.3g} df)" if math.isfinite(df) and math.isfinite(r.p_value) else ""
        console.print(
            f"{star} {r.hypothesis} {r.outcome} ~ [cyan]{r.term}[/]: {r.estimate:+.4g} {ci}, {p}  "
            f"[dim]({r.unit}; {r.n_athletes} athletes, {r.n_obs} obs; {r.model})[/]",
            highlight=False,
        )
    for line in not_answerable_lines(effects):
        console.print(f"  {line}", highlight=False)


def _print_check(table, title="what these data can answer (trailstrength check)") -> None:
    """The check table: per athlete and claim, usable runs, then each exclusion with its count and next step."""
    console.print(f"[bold]{title}[/]")
    for (athlete, claim), rows in table.groupby(["athlete_id", "claim"], sort=False):
        usable = int(rows.loc[rows["status"] == "usable", "count"].sum())
        total = int(rows["count"].sum())
        more = rows.loc[rows["status"] == "usable", "next_step"].fillna("")
        step = f" -> next: {more.iloc[0]}" if len(more) and more.iloc[0] else ""  # too few usable, none excluded
        console.print(f"{athlete} {claim}: {usable} of {total} runs usable{step}", highlight=False, soft_wrap=True)
        for r in rows[rows["status"] == "excluded"].itertuples():
            step = f" -> next: {r.next_step}" if r.next_step else ""
            console.print(f"    {r.count} {r.reason}{step}", highlight=False, soft_wrap=True)


AthletesOpt = Annotated[
    Optional[list[str]],  # noqa: UP045
    typer.Option("--athletes", help="Only these athlete ids (repeat or comma-separate)."),
]
StartOpt = Annotated[Optional[str], typer.Option(help="First local date to analyse (YYYY-MM-DD).")]  # noqa: UP045
EndOpt = Annotated[Optional[str], typer.Option(help="Last local date to analyse (YYYY-MM-DD).")]  # noqa: UP045


def _open(warehouse, athletes=None, start=None, end=None):
    """The warehouse, restricted to ``--athletes`` / ``--start`` / ``--end`` when given."""
    from trailstrength.warehouse import open_warehouse

    ids = [a.strip() for item in athletes or [] for a in item.split(",") if a.strip()] or None
    return open_warehouse(warehouse, athletes=ids, start=start, end=end)


@app.command()
@_user_errors
def check(
    warehouse: Annotated[PathOpt, typer.Option(help="Warehouse folder.")] = None,
    athletes: AthletesOpt = None,
    start: StartOpt = None,
    end: EndOpt = None,
):
    """What the data can answer: per athlete and claim H1–H7, usable runs, exclusions and the next step."""
    from trailstrength.answerable import check as run_check

    _print_check(run_check(_open(warehouse, athletes, start, end)))


@app.command()
@_user_errors
def analyze(
    warehouse: Annotated[PathOpt, typer.Option(help="Warehouse folder.")] = None,
    out: Annotated[
        PathOpt, typer.Option(help="Results folder; default $TRAILSTRENGTH_RESULTS or reports/results.")
    ] = None,
    all_claims: Annotated[
        bool,
        typer.Option(
            "--all",
            help="Also the secondary and sensitivity models, the claims "
            "H3–H7 and the specification curve (spec_curve.csv).",
        ),
    ] = False,
    n_boot: Annotated[
        int, typer.Option(help="Athlete cluster-bootstrap replicates of the primary terms (--all).")
    ] = 999,
    detrend: Annotated[
        bool,
        typer.Option(
            help="Add the within-athlete season trend to the v1 sensitivity models too "
            "(the v2 primary models have it; stated in each note)."
        ),
    ] = False,
    athletes: AthletesOpt = None,
    start: StartOpt = None,
    end: EndOpt = None,
):
    """Fit the primary models (H1 descent performance, H2 soreness); write effects.csv, panels and a summary."""
    from trailstrength import config
    from trailstrength.analysis import CAVEAT
    from trailstrength.analysis import analyze as run_analyze
    from trailstrength.models.speccurve import summarize_specs

    wh = _open(warehouse, athletes, start, end)
    res = run_analyze(wh, out=config.path("results", out), all_claims=all_claims, n_boot=n_boot, detrend=detrend)
    if res.check is not None:
        _print_check(res.check)
    if all_claims:
        _print_effects(res.primary, "primary effects (Holm over H1, H2)")
        _print_effects(res.secondary_exposures, "secondary and sensitivity: exposure terms (BH q in effects.csv note)")
        for r in summarize_specs(res.spec_curve).itertuples():
            if not all(map(math.isfinite, (r.estimate_min, r.estimate_max, r.estimate_median))):
                console.print(f"specification curve {r.hypothesis}: {r.specs} specs, none could be fitted")
                continue
            console.print(
                f"specification curve {r.hypothesis}: {r.specs} specs, estimate {r.estimate_min:+.4g} to "
                f"{r.estimate_max:+.4g} (median {r.estimate_median:+.4g}); {r.significant} with BH q < 0.05"
            )
    else:
        _print_effects(res.effects, "effects (* = primary)")
    console.print(f"[dim]{CAVEAT}[/]")
    console.print(escape(f"wrote {res.out}/{', '.join(res.files)}"))


@app.command()
def power(
    athletes: Annotated[int, typer.Option(help="Athletes in the planned cohort.")] = 12,
    weeks: Annotated[int, typer.Option(help="Weeks of training and running per athlete.")] = 16,
    sims: Annotated[int, typer.Option(help="Simulated cohorts per planted effect.")] = 200,
    alpha: Annotated[float, typer.Option(help="Two-sided significance level of the primary test.")] = 0.05,
    seed: Annotated[int, typer.Option(help="Master seed.")] = 2026,
    workers: Annotated[int | None, typer.Option(help="Processes (default: CPUs, at most 8).")] = None,
    out: Annotated[PathOpt, typer.Option(help="Folder for power.csv and the curve; default <results>/power.")] = None,
):
    """Power and minimal detectable effect of the primary H1/H2 tests, by simulating cohorts of this size."""
    from trailstrength import config
    from trailstrength.models.power import minimal_detectable_effect, simulate_power
    from trailstrength.viz.planning import save_power_figure

    t0 = time.perf_counter()
    table = simulate_power(athletes, weeks, sims=sims, alpha=alpha, seed=seed, workers=workers, progress=True)
    mde = minimal_detectable_effect(table, alpha=alpha)
    t = Table(
        "hypothesis",
        "planted effect",
        "power",
        "± MC SE",
        "mean estimate",
        "CI coverage",
        title=f"power at alpha = {alpha:g}: {athletes} athletes x {weeks} weeks, {sims} simulated cohorts",
        title_justify="left",
    )
    for r in table.itertuples():
        t.add_row(
            r.hypothesis,
            f"{r.effect:+.4g}",
            f"{r.power:.2f}",
            f"{r.power_mcse:.2f}",
            f"{r.mean_estimate:+.4g}",
            f"{r.coverage:.2f}",
        )
    console.print(t)
    for r in mde.itertuples():
        value = "not reached" if r.mde != r.mde else f"{r.mde:+.4g} {r.unit}"
        console.print(f"minimal detectable effect (80 % power) {r.hypothesis}: {value} [dim]({r.note})[/]")
    folder = config.path("results") / "power" if out is None else Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    table.to_csv(folder / "power.csv", index=False)
    mde.to_csv(folder / "mde.csv", index=False)
    paths = save_power_figure(table, mde, folder / f"power_{athletes}x{weeks}")
    console.print(
        f"wrote {folder}/power.csv, mde.csv and {', '.join(p.name for p in paths)} in {time.perf_counter() - t0:.0f} s"
    )


@app.command()
@_user_errors
def status(warehouse: Annotated[PathOpt, typer.Option(help="Warehouse folder.")] = None):
    """Summarise a warehouse: files by state and format, table sizes."""
    import pandas as pd

    from trailstrength.warehouse import open_warehouse

    wh = open_warehouse(warehouse)
    m = wh.manifest
    console.print(m.groupby(["format", "state"]).size().rename("files").to_frame().to_string())
    for name in ("activities", "runs", "segments", "strength_sets", "wellness", "warnings", "coverage"):
        console.print(f"{name}: {len(wh.table(name))} rows")
    acts = wh.activities
    source = acts["sport_source"] if "sport_source" in acts else pd.Series("file", index=acts.index)
    inferred = acts.loc[source.eq("inferred"), "sport"].value_counts()
    console.print(
        f"sport inferred from the movement: {int(inferred.sum())} activities"
        + (" (" + ", ".join(f"{k} {v}" for k, v in inferred.sort_index().items()) + ")" if len(inferred) else "")
        + f"; set by athlete.toml untyped_sport: {int(source.eq('athlete.toml').sum())}"
        + f"; still unknown: {int(acts['sport'].eq('unknown').sum())}",
        markup=False,
    )


@app.command()
@_user_errors
def exercises(
    unmatched: Annotated[bool, typer.Option("--unmatched", help="List the names no taxonomy row matched.")] = False,
    warehouse: Annotated[PathOpt, typer.Option(help="Warehouse folder.")] = None,
):
    """How the logged exercise names were classified; with --unmatched, the names to add to exercise_overrides.csv."""
    from trailstrength.exercises import OVERRIDES_FILENAME, unmatched_report
    from trailstrength.warehouse import open_warehouse

    sets = open_warehouse(warehouse).strength_sets
    if "duplicate_of" in sets:
        sets = sets[sets["duplicate_of"].isna()]
    if sets.empty:
        console.print("no strength sets in the warehouse")
        return
    if not unmatched:
        by = sets.groupby("source")["match_method"].value_counts().unstack(fill_value=0)
        console.print(by.assign(matched=lambda d: 1 - d.get("unmatched", 0) / d.sum(axis=1)).to_string())
        return
    report = unmatched_report(sets, suggest=True)
    console.print(
        f"{report['n_sets'].sum()} of {len(sets)} sets ({report['n_sets'].sum() / len(sets):.1%}) "
        f"have an exercise name no taxonomy row matched"
    )
    if report.empty:
        return
    t = Table("exercise name as logged", "sets", "closest taxonomy row (hint only)", title_justify="left")
    for r in report.itertuples():
        t.add_row(escape(str(r.exercise_raw)), str(r.n_sets), f"{escape(str(r.closest))} ({r.closest_score:.0f})")
    console.print(t)
    first = report.iloc[0]
    name = f'"{first.exercise_raw}"' if "," in first.exercise_raw else first.exercise_raw
    target = first.closest if first.closest_score >= 90 else "<exercise column of taxonomy.csv>"
    console.print(
        f"To classify a name, add it to {OVERRIDES_FILENAME} in the raw folder (all athletes) or in an athlete's "
        f"folder, as an alias of a taxonomy row, e.g.\n\n    exercise,aliases\n    {escape(target)},{escape(name)}\n\n"
        "or as a new exercise with its own row (columns: exercise, display_name, aliases, pattern, hinge_subtype, "
        "posterior_chain_weight, unilateral, knee_dominant, eccentric_emphasis; see `trailstrength.exercises`). "
        "Then run `trailstrength ingest` again: names are re-classified without re-reading the logs.",
        highlight=False,
    )


@app.command()
@_user_errors
def demo(
    out: Annotated[PathOpt, typer.Option(help="Demo folder; default $TRAILSTRENGTH_DEMO or reports/demo.")] = None,
    fresh: Annotated[bool, typer.Option(help="Regenerate the example cohort and rebuild the warehouse.")] = False,
    athletes: Annotated[int, typer.Option(help="Athletes in the example cohort.")] = 8,
    weeks: Annotated[int, typer.Option(help="Weeks in the example cohort.")] = 16,
    everything: Annotated[
        bool,
        typer.Option(
            "--all",
            help="Also the secondary models, H3–H7 and the spec curve "
            "(as analyze --all), with H3/H4/H7 checked against their truth.",
        ),
    ] = False,
):
    """Simulate the example cohort (or reuse it), ingest, analyze, write the figure set and the report."""
    from trailstrength import config
    from trailstrength.analysis import analyze as run_analyze
    from trailstrength.simulate import read_truth, recovered_vs_planted, simulate_cohort
    from trailstrength.warehouse import ingest as run_ingest
    from trailstrength.warehouse import remove

    t0 = time.perf_counter()
    out = config.path("demo", out)
    raw, wh = out / "raw", out / "warehouse"
    if fresh:
        remove(raw), remove(wh), (out / "truth.json").unlink(missing_ok=True)
    if not (out / "truth.json").is_file() or not raw.is_dir():
        console.rule("1 · simulate the example cohort")
        simulate_cohort(raw, athletes=athletes, weeks=weeks, seed=2026, bad_file=True, progress=True, truth_dir=out)
    truth = read_truth(out)
    console.rule("2 · ingest")
    _print_ingest(run_ingest(raw, warehouse=wh))
    console.rule("3 · analyze")
    res = run_analyze(wh, out=out / "results", all_claims=everything)
    _print_effects(res.primary, "primary effects")
    t = Table(
        "hypothesis",
        "term",
        "planted",
        "recovered",
        "95% CI",
        "covers truth",
        title="recovered vs planted",
        title_justify="left",
    )
    for r in recovered_vs_planted(truth, res.effects, secondary=everything).itertuples():
        if not r.estimated:
            t.add_row(str(r.hypothesis), str(r.term), f"{r.planted:+.4f}", "not estimated", "", "")
            continue
        t.add_row(
            str(r.hypothesis),
            str(r.term),
            f"{r.planted:+.4f}",
            f"{r.estimate:+.4f}",
            f"[{r.ci_low:+.4f}, {r.ci_high:+.4f}]",
            "yes" if r.covers else "NO",
        )
    console.print(t)
    console.rule("4 · figures and report")
    _write_figures_and_report(wh, out, res, source="Simulated example cohort (trailstrength demo)")
    console.print(f"[bold green]demo finished in {time.perf_counter() - t0:.1f} s[/] → {escape(str(out))}")


RealIdsOpt = Annotated[bool, typer.Option("--real-ids", help="Show athlete ids instead of A1…An.")]


def _write_figures_and_report(wh, out: Path, res, source=None) -> None:
    from trailstrength.report import build_report, write_figure_set

    records = write_figure_set(wh, out / "figures", results=res, source=source)
    _print_figures(records, out / "figures")
    html = build_report(wh, out / "report.html", results=res, figure_dir=out / "figures")
    console.print(f"report: {escape(str(html))}")


def _print_figures(records, folder: Path) -> None:
    drawn = [r for r in records if r.paths]
    console.print(f"{len(drawn)} figures (PNG + SVG + alt text) in {escape(str(folder))}")
    for r in records:
        if r.skipped:
            console.print(f"  [dim]skipped {escape(f'{r.name}: {r.skipped}')}[/]", highlight=False)


def _last_results(wh, results_dir=None):
    """The results of the last ``analyze`` (``$TRAILSTRENGTH_RESULTS`` or ``--results``), not refitted; the
    primary analysis fitted now when that folder holds none."""
    from trailstrength import config
    from trailstrength.analysis import analyze as run_analyze
    from trailstrength.analysis import load_results

    folder = config.path("results", results_dir)
    res = load_results(folder)
    if res is None:
        console.print(f"[dim]no analysis results in {folder}: fitting the primary models now[/]", highlight=False)
        return run_analyze(wh)
    console.print(f"[dim]showing the results of the last analyze in {folder}[/]", highlight=False)
    return res


ResultsOpt = Annotated[
    PathOpt, typer.Option("--results", help="Results folder of the last analyze (default $TRAILSTRENGTH_RESULTS).")
]


@app.command()
@_user_errors
def figures(
    out: Annotated[Path, typer.Option(help="Folder for the figures (PNG, SVG, .alt.txt, figures.json).")] = Path(
        "reports/figures"
    ),
    warehouse: Annotated[PathOpt, typer.Option(help="Warehouse folder.")] = None,
    maps: Annotated[
        bool, typer.Option("--maps", help="Also draw route shapes, trimmed around athlete.toml privacy zones.")
    ] = False,
    raw: Annotated[PathOpt, typer.Option(help="Raw folder with athlete.toml privacy zones (for --maps).")] = None,
    real_ids: RealIdsOpt = False,
    fast: Annotated[bool, typer.Option("--fast", help="Fewer runs and calendars (quick look).")] = False,
    results: ResultsOpt = None,
    athletes: AthletesOpt = None,
    start: StartOpt = None,
    end: EndOpt = None,
):
    """Write the whole figure set for a warehouse: blog PNG (2x) + SVG with alt text, athletes pseudonymised."""
    from trailstrength.report import write_figure_set

    wh = _open(warehouse, athletes, start, end)
    res = _last_results(wh, results)
    records = write_figure_set(wh, out, results=res, maps=maps, raw=raw, pseudonymise_athletes=not real_ids, fast=fast)
    _print_figures(records, out)


@app.command()
@_user_errors
def report(
    out: Annotated[Path, typer.Option(help="HTML file to write.")] = Path("reports/report.html"),
    warehouse: Annotated[PathOpt, typer.Option(help="Warehouse folder.")] = None,
    real_ids: RealIdsOpt = False,
    results: ResultsOpt = None,
    athletes: AthletesOpt = None,
    start: StartOpt = None,
    end: EndOpt = None,
):
    """Write one self-contained HTML report: data inventory, results with CIs, figures, caveats, versions."""
    from trailstrength.report import build_report

    wh = _open(warehouse, athletes, start, end)
    res = _last_results(wh, results)
    console.print(f"report: {escape(str(build_report(wh, out, results=res, pseudonymise_athletes=not real_ids)))}")


@app.command()
@_user_errors
def post(
    out: Annotated[Path, typer.Option(help="Folder for post.md and images/.")] = Path("reports/post"),
    warehouse: Annotated[PathOpt, typer.Option(help="Warehouse folder.")] = None,
    real_ids: RealIdsOpt = False,
):
    """Write a blog-post draft (Markdown, front matter, results as sentences, figures with alt text)."""
    from trailstrength.analysis import analyze as run_analyze
    from trailstrength.report.post import write_post

    res = run_analyze(warehouse)
    console.print(f"post: {write_post(warehouse, out, results=res, pseudonymise_athletes=not real_ids)}")


@app.command()
@_user_errors
def export(
    out: Annotated[Path, typer.Option(help="Folder for the tables.")] = Path("reports/tables"),
    warehouse: Annotated[PathOpt, typer.Option(help="Warehouse folder.")] = None,
    table_format: Annotated[
        str, typer.Option("--format", help="csv (one file per table) or xlsx (needs openpyxl).")
    ] = "csv",
    real_ids: RealIdsOpt = False,
    results: ResultsOpt = None,
):
    """Write the weekly athlete table, the runs, the soreness windows and the effects for a spreadsheet."""
    from trailstrength.report.tables import export_tables

    wh = _open(warehouse, None, None, None)
    res = _last_results(wh, results)
    for path in export_tables(wh, out, results=res, format=table_format, pseudonymise_athletes=not real_ids):
        console.print(f"export: {escape(str(path))}")


notebook_app = typer.Typer(help="Run the analysis notebooks (jupytext + papermill) on your data.", no_args_is_help=True)
app.add_typer(notebook_app, name="notebook")


@notebook_app.command("list")
def notebook_list():
    """List the notebooks and their parameters."""
    from trailstrength.notebooks import list_notebooks

    for path in list_notebooks():
        console.print(path.stem)


@notebook_app.command("run")
def notebook_run(
    name: Annotated[str, typer.Argument(help="Notebook: number (2.0), name (2.0-descent-performance) or path.")],
    param: Annotated[
        list[str] | None, typer.Option("--param", "-p", help="key=value for the parameters cell (repeat).")
    ] = None,
    out: Annotated[
        PathOpt, typer.Option(help="Executed notebook to write (default <output_dir>/<name>.ipynb).")
    ] = None,
):
    """Execute a notebook with papermill, parameters replaced; writes the executed .ipynb."""
    from trailstrength.notebooks import NotebookFailed, parse_params, run_notebook

    try:
        path = run_notebook(name, parse_params(param), output=out, progress=True)
    except (FileNotFoundError, ValueError, NotebookFailed) as err:
        Console(stderr=True).print(f"[bold red]error:[/] {escape(str(err))}", highlight=False)
        raise typer.Exit(1) from None
    console.print(f"executed notebook: {escape(str(path))}")


from trailstrength.datasets.cli import app as datasets_app  # noqa: E402  (light: its commands import lazily)

app.add_typer(datasets_app, name="datasets")


if __name__ == "__main__":
    app()
