"""A shareable, self-contained HTML report of an analysis: data, results, figures, caveats, versions.

``trailstrength report --out report.html`` writes one file with everything inside it (figures as
base64 PNG with their alt text, inline CSS, no external requests), so it can be mailed, attached to a
blog post or opened offline. Athletes appear as ``A1 … An`` unless ``pseudonymise_athletes=False``.
The report reads the results it is given (:func:`trailstrength.analysis.analyze`); it fits nothing.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from trailstrength import analysis, features
from trailstrength.features.coverage import working_sets
from trailstrength.models.units import model_label, outcome_label, term_label, unit_label
from trailstrength.privacy import athlete_labels
from trailstrength.report import words
from trailstrength.report.athletes import NOT_LOGGED, athlete_summary, athlete_weeks
from trailstrength.report.figures import write_figure_set
from trailstrength.report.html_figures import embedded, figure_html, figures_section, records_from
from trailstrength.report.versions import VERSION_PACKAGES, versions
from trailstrength.report.words import claims_table, not_answerable_lines, number

__all__ = ["REPORT_FIGURES", "build_report", "render_report"]

#: Figures of the set shown in the report (name prefixes, in order).
REPORT_FIGURES = (
    "h1_dpi_vs_hinge",
    "h2_soreness_vs_hinge",
    "effects_forest",
    "specification_curve",
    "dose_response",
    "soreness_time_course",
    "grade_speed",
    "training_calendar_A1",
    "athlete_weeks",
)


CAVEATS = (
    (
        "Observational data",
        "Athletes chose when to lift and where to run. The estimates are associations within and between "
        "athletes, not effects of assigning anyone a programme. Within-athlete terms remove stable differences "
        "between athletes (talent, terrain at home), not things that change together over time, such as a "
        "training block that adds both lifting and downhill running.",
    ),
    (
        "Competing explanations",
        "Downhill running loads mainly the knee extensors (quadriceps) eccentrically, and the best-documented "
        "protection against downhill soreness is prior downhill running itself (the repeated-bout effect: Byrnes "
        "1985, Schwane 1987, Bontemps 2020). Every model adjusts for recent downhill running and running volume; "
        "knee-dominant strength work is shown as a competing predictor in the sensitivity analyses. A hinge "
        "effect that disappears when these are adjusted for was probably theirs.",
    ),
    (
        "Measurement",
        "Descent performance is estimated from GPS or barometric altitude and grade-adjusted with a published "
        "equal-effort curve; soreness is self-reported on different scales mapped to 0-10. Both are noisy, which "
        "biases estimates towards zero.",
    ),
)

_CSS = """
:root { --ink: #222; --muted: #555; --rule: #ddd; --hinge: #0072B2; --bg: #fff; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--ink);
       background: var(--bg); margin: 0; line-height: 1.5; }
main { max-width: 980px; margin: 0 auto; padding: 1.5rem 1rem 4rem; }
h1 { font-size: 1.9rem; margin: 0.2rem 0 0.3rem; }
h2 { font-size: 1.35rem; margin-top: 2.5rem; border-bottom: 2px solid var(--rule); padding-bottom: 0.2rem; }
h3 { font-size: 1.05rem; margin-bottom: 0.3rem; }
p.lede { color: var(--muted); margin-top: 0; }
nav ol { columns: 2; padding-left: 1.2rem; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; font-size: 0.88rem; margin: 0.6rem 0 1rem; width: 100%; }
th, td { border-bottom: 1px solid var(--rule); padding: 0.3rem 0.45rem; text-align: left; vertical-align: top; }
th { background: #f6f6f6; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.date { white-space: nowrap; font-variant-numeric: tabular-nums; }
tr.primary td { font-weight: 600; background: #eef5fb; }
td.note { font-size: 0.8rem; color: var(--muted); min-width: 16rem; }
table.effects tr:not(.note-row) td { border-bottom: none; }
tr.note-row td { padding-top: 0; }
table.effects td:nth-child(6) { min-width: 9rem; }
figure { margin: 1.5rem 0 2rem; }
figure img { width: 100%; height: auto; border: 1px solid var(--rule); }
figcaption { font-size: 0.9rem; }
figure img { display: block; max-width: 100%; }
details.alt { color: var(--muted); font-size: 0.85rem; margin-top: 0.3rem; }
details.alt summary { cursor: pointer; }
.callout { border-left: 4px solid var(--hinge); background: #f3f8fc; padding: 0.6rem 1rem; margin: 1rem 0; }
.skipped { color: var(--muted); font-size: 0.9rem; }
footer { color: var(--muted); font-size: 0.8rem; margin-top: 3rem; }
"""

# Marks the page once every embedded image has decoded, so a headless browser test can tell a broken
# image from a slow one (the report makes no requests; this only reads the images it carries).
_SCRIPT = """
window.addEventListener("load", function () {
  var imgs = Array.prototype.slice.call(document.images);
  var ok = imgs.every(function (im) { return im.complete && im.naturalWidth > 0; });
  document.body.setAttribute("data-images", ok ? "ok" : "broken");
  document.body.setAttribute("data-image-count", String(imgs.length));
});
"""


def _e(value) -> str:
    return html.escape("" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value))


def _num(value, digits: int = 3) -> str:
    return _e(number(value, digits))


def _df(value) -> str:
    """A row's degrees of freedom (2 significant digits), empty where it has none (Wald z, other methods)."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return ""
    return _num(v, 2) if np.isfinite(v) else ""


def _table(frame: pd.DataFrame, *, numeric=(), classes=None, row_class=None) -> str:
    head = "".join(f'<th scope="col">{_e(c)}</th>' for c in frame.columns)
    body = []
    for i, (_, row) in enumerate(frame.iterrows()):
        cells = []
        for c in frame.columns:
            cls = "num" if c in numeric else (classes or {}).get(c)
            attr = f' class="{cls}"' if cls else ""
            cells.append(f"<td{attr}>{_num(row[c]) if c in numeric else _e(row[c])}</td>")
        rc = row_class(i) if row_class else ""
        body.append(f"<tr{f' class={chr(34)}{rc}{chr(34)}' if rc else ''}>{''.join(cells)}</tr>")
    return f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table></div>'


def _versions(wh) -> pd.DataFrame:
    rows = list(versions(VERSION_PACKAGES).itertuples(index=False, name=None))
    meta = wh.meta
    for key in ("terrain_version", "trailstrength", "written_at"):
        if key in meta:
            rows.append((f"warehouse {key.replace('_', ' ')}", meta[key]))
    return pd.DataFrame(rows, columns=["package", "version"])


def _inventory(wh, mapping) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Per-athlete summary, files by format and state, and the files not ingested (pseudonymised paths)."""
    label = (lambda a: mapping.get(str(a), "A?")) if mapping else str
    acts, runs, sets, well = wh.activities, wh.runs, wh.strength_sets, wh.wellness
    working = working_sets(sets)  # session-level placeholders (PMData srpe "strength") are not sets
    hinge = working.assign(w=np.where(working["pattern"].eq("hinge"), working["posterior_chain_weight"], 0.0))
    per = []
    everyone = set(acts["athlete_id"]) | set(sets["athlete_id"]) | set(well["athlete_id"])
    for athlete in sorted(everyone, key=label):
        a = acts[acts["athlete_id"] == athlete]
        r = runs[runs["athlete_id"] == athlete]
        days = pd.to_datetime(
            pd.concat(
                [f.loc[f["athlete_id"] == athlete, "local_date"] for f in (acts, sets, well) if "local_date" in f]
            ),
            errors="coerce",
        ).dropna()
        per.append(
            {
                "athlete": label(athlete),
                # first and last day over every source: activities, strength log, wellness
                "first day": f"{days.min():%Y-%m-%d}" if len(days) else "",
                "last day": f"{days.max():%Y-%m-%d}" if len(days) else "",
                "activities": len(a),
                "runs": len(r),
                "runs with ≥ 500 m descent": int(
                    (r["descent_length_m"].fillna(0) >= features.MIN_DESCENT_LENGTH_M).sum()
                ),
                "running km": round(float(r["distance_m"].sum()) / 1000, 1),
                "working sets": int((working["athlete_id"] == athlete).sum()),
                "weighted hinge sets": round(float(hinge.loc[hinge["athlete_id"] == athlete, "w"].sum()), 1),
                "soreness reports": int(well.loc[well["athlete_id"] == athlete, "soreness"].notna().sum()),
            }
        )
    athletes = pd.DataFrame(per)
    man = wh.manifest
    files = (
        # format ids in words ("strong csv"): the page shows no snake_case names
        man.assign(format=man["format"].astype(str).str.replace("_", " "))
        .groupby(["format", "state"])
        .size()
        .unstack("state", fill_value=0)
        .reset_index()
        if len(man)
        else pd.DataFrame(columns=["format"])
    )
    bad = man[man["state"] != "ingested"].copy() if len(man) else man
    if len(bad):

        def hide(path: str, athlete) -> str:
            # the first folder is the athlete's (often a real name); files outside athlete folders keep theirs
            head, _, rest = str(path).partition("/")
            return f"{label(athlete)}/{rest}" if rest and pd.notna(athlete) else str(path)

        files_shown = [hide(p, a) for p, a in zip(bad["path"], bad["athlete_id"], strict=True)]
        reasons = [_hide_folders(str(r), man, label) if pd.notna(r) else "" for r in bad["reason"]]
        bad = pd.DataFrame({"file": files_shown, "state": bad["state"], "reason": reasons})
    else:
        bad = pd.DataFrame(columns=["file", "state", "reason"])
    return athletes, files, bad


def _hide_folders(text: str, manifest: pd.DataFrame, label) -> str:
    """``text`` with every athlete folder named in it (``cai/runs/x.fit``) shown by its label (``A3/runs/x.fit``)."""
    folders = {str(p).partition("/")[0]: a for p, a in zip(manifest["path"], manifest["athlete_id"], strict=True)}
    for folder, athlete in sorted(folders.items(), key=lambda kv: -len(kv[0])):
        if folder and pd.notna(athlete):
            text = re.sub(rf"(?<![\w.-]){re.escape(folder)}/", f"{label(athlete)}/", text)
    return text


def _check_section(check, label) -> str:
    """What these data can answer (the check table, athletes pseudonymised)."""
    if check is None or not len(check):
        return ""
    shown = check.assign(
        athlete_id=check["athlete_id"].map(label),
        **{c: check[c].map(words.plain_names) for c in ("reason", "next_step") if c in check},
    ).rename(columns=lambda c: "athlete" if c == "athlete_id" else c.replace("_", " "))
    shown = shown[(shown["status"] == "excluded") | (shown["count"] > 0)]
    return (
        '<section id="check"><h2>What these data can answer</h2><p>Per athlete and claim: the runs usable, each '
        "exclusion with its count and reason, and the next step that would make the claim answerable "
        "(<code>trailstrength check</code>).</p>"
        + _table(shown, numeric=["count"], classes={"reason": "note", "next step": "note"})
        + "</section>"
    )


def _model_words(outcome, term) -> str:
    """``"Descent performance (DPI): Hinge sets per week (within athlete)"`` for a row's outcome and term."""
    return f"{outcome_label(str(outcome), short=True)}: {term_label(str(term))}"


def _unit_words(unit) -> str:
    """An estimate's unit in words (a term the vocabulary has no unit for is still written without underscores)."""
    return "" if unit is None or pd.isna(unit) else unit_label(str(unit)).replace("_", " ")


def _effects_table(effects: pd.DataFrame) -> str:
    """Estimates one row each (compact), with the model's note in a full-width row below it."""
    head = (
        "<tr><th>hypothesis</th><th>outcome: term</th><th>estimate</th><th>95% CI</th><th>p</th>"
        '<th><abbr title="degrees of freedom of the t distribution behind the CI and p; empty: normal (Wald z) '
        'or another method">df</abbr></th><th>unit</th><th>athletes / obs</th><th>model</th></tr>'
    )
    body = []
    for line in not_answerable_lines(effects, in_words=True):
        body.append(f'<tr class="note-row"><td colspan="9" class="note">{_e(line)}</td></tr>')
    for r in effects[effects["estimate"].notna()].to_dict("records"):
        primary = bool(r.get("primary")) if pd.notna(r.get("primary")) else False
        cls = ' class="primary"' if primary else ""
        converged = r.get("converged")
        model = _e(model_label(str(r.get("model")))) + (
            "" if converged is None or pd.isna(converged) or bool(converged) else " (not converged)"
        )
        body.append(
            f"<tr{cls}><td>{_e(r['hypothesis'])}</td><td>{_e(_model_words(r.get('outcome'), r['term']))}</td>"
            f'<td class="num">{_num(r["estimate"])}</td>'
            f'<td class="num">{_num(r["ci_low"])} to {_num(r["ci_high"])}</td>'
            f'<td class="num">{_num(r.get("p_value"), 2)}</td><td class="num">{_df(r.get("df"))}</td>'
            f"<td>{_e(_unit_words(r.get('unit')))}</td>"
            f'<td class="num">{_e(r.get("n_athletes"))} / {_e(r.get("n_obs"))}</td><td>{model}</td></tr>'
        )
        if r.get("note") and pd.notna(r.get("note")):
            note = _e(words.plain_names(r["note"]))
            body.append(f'<tr class="note-row"><td></td><td colspan="8" class="note">{note}</td></tr>')
    return (
        f'<div class="scroll"><table class="effects"><thead>{head}</thead><tbody>{"".join(body)}</tbody></table></div>'
    )


def _sample_size_caveat(effects: pd.DataFrame, n_athletes: int) -> str:
    text = (
        f"The data hold {n_athletes} athlete{'s' if n_athletes != 1 else ''}. Wald intervals of mixed models have "
        "no small-sample correction and are too narrow with few athletes, whatever their number: in the package's "
        "own benchmark (benchmarks/h2_estimand.py, 400 simulated null cohorts of 12 athletes x 16 weeks) the H2 "
        "Wald test of the first (v1) model rejected 11.75 % instead of 5 %. The primary rows therefore report t "
        "intervals with the degrees of freedom in the df column: H1 Satterthwaite, H2 cluster-robust CR2, chosen by "
        "measured false positives (benchmarks/primary_inference.py, 102 null cohorts over four simulated worlds: "
        "H1 5.9 %, up to 8 % in single worlds; H2 1.0 %, at most 4 %, where model-based intervals reached 8 % when "
        "sore athletes skip training). "
        "Season trends, slow fitness drift and descent exposure that rises with the programme can bias estimates "
        "further; the negative-control rows (upper-body sets) and the E-value in each primary note show how much "
        "confounding it would take. "
    )
    if n_athletes == 1:
        text += "With one athlete the primary rows come from a time-series model of that athlete: personal evidence. "
    if "note" in effects and effects["note"].astype(str).str.contains("collinearity:").any():
        first = effects.loc[effects["note"].astype(str).str.contains("collinearity:"), "note"].iloc[0]
        text += "Hinge and knee-dominant volume move together (" + first.split("collinearity: ", 1)[1] + "). "
    if len(effects) and "model" in effects:
        effects = effects[effects["estimate"].notna()]
        fallback = effects[~effects["model"].astype(str).str.startswith("mixedlm")]
        if len(fallback):
            models = ", ".join(sorted(fallback["model"].astype(str).unique()))
            text += (
                f" {len(fallback)} of {len(effects)} result rows come from a fallback model ({models}) because "
                "the mixed model could not be fitted; their notes say why."
            )
        if "converged" in effects and (~effects["converged"].fillna(True).astype(bool)).any():
            text += " Some fits did not converge (marked in the table)."
    return text


def _df_words(row) -> str:
    """``", t with 7.9 df"`` for a row with degrees of freedom, else ``""``."""
    text = _df(getattr(row, "df", None))
    return f", t with {text} df" if text else ""


def _holm(note) -> str:
    """``", Holm p = ..."`` from a primary row's note (models.multiplicity writes it there), else ``""``."""
    found = re.match(r"Holm p = ([0-9.eE+-]+)", str(note))
    return f", Holm p = {found.group(1)}" if found else ""


#: The figure shown with the per-athlete tables rather than among the figures.
ATHLETE_FIGURE = "athlete_weeks"


def _athletes_section(tables: dict | None, figures) -> str:
    """Per athlete, their typical week (report.athletes.athlete_summary): median and range over analysed weeks,
    then the small multiple of weekly hinge sets (``figures``: its entry, if drawn)."""
    if not tables:
        return ""
    parts = [
        '<section id="athletes"><h2>Athletes week by week</h2><p>Each athlete\'s typical week over the weeks their '
        "activity log covers: median and range (lowest to highest week). Hinge sets count only weeks inside the "
        "strength log, soreness only weeks with a report; a source without any such week says "
        f"&ldquo;{_e(NOT_LOGGED)}&rdquo; (not logged is not zero).</p>"
    ]
    for athlete, table in tables.items():
        parts.append(f"<h3>Athlete {_e(athlete)}</h3>" + _table(table, classes={"median": "num"}))
    parts += [figure_html(record, png, phone[0] if phone else None) for record, png, *phone in figures if png]
    parts.append("</section>")
    return "".join(parts)


def render_report(wh, results, figures, *, title: str, generated: str, mapping, athlete_tables=None) -> str:
    """The report's HTML from its parts (``figures``: list of (record, png bytes or None, phone png bytes or None);
    ``athlete_tables``: the per-athlete tables of :func:`trailstrength.report.athletes.athlete_summary`, or None)."""
    effects = results.effects
    athletes, files, bad = _inventory(wh, mapping)
    n_athletes = len(athletes)
    sections = []

    prim = effects[effects["primary"].fillna(False).astype(bool)] if len(effects) else effects
    summary = [f"<li>{_e(line)}</li>" for line in not_answerable_lines(prim, in_words=True)] if len(prim) else []
    for r in prim[prim["estimate"].notna()].itertuples() if len(prim) else ():
        summary.append(
            f"<li><strong>{_e(r.hypothesis)}</strong> ({_e(_model_words(r.outcome, r.term))}): "
            f"{_num(r.estimate)} {_e(_unit_words(r.unit))}, 95% CI {_num(r.ci_low)} to {_num(r.ci_high)}, "
            f"p = {_num(r.p_value, 2)}{_e(_holm(r.note))}{_df_words(r)} ({_e(r.n_athletes)} athletes, "
            f"{_e(r.n_obs)} runs)</li>"
        )
    sections.append(
        '<section id="summary"><h2>Summary</h2>'
        f'<div class="callout"><p>{_e(analysis.CAVEAT)}</p></div>'
        f"<ul>{''.join(summary) or '<li>No primary results: the panels are empty.</li>'}</ul></section>"
    )

    inv = [
        '<section id="data"><h2>Data inventory</h2>',
        f"<p>{n_athletes} athletes{' (pseudonymised as A1…An)' if mapping else ''}; every input file and what "
        "became of it.</p>",
        "<h3>Athletes</h3>",
        _table(
            athletes,
            numeric=[c for c in athletes.columns if c not in ("athlete", "first day", "last day")],
            classes={"first day": "date", "last day": "date"},
        ),
        "<h3>Files by format and state</h3>",
        _table(files, numeric=[c for c in files.columns if c != "format"]),
    ]
    if len(bad):
        inv += ["<h3>Files not ingested</h3>", _table(bad, classes={"reason": "note"})]
    inv.append("</section>")
    sections.append("".join(inv))

    by_athlete = [f for f in figures if f[0].name == ATHLETE_FIGURE]
    figures = [f for f in figures if f[0].name != ATHLETE_FIGURE or not athlete_tables]
    sections.append(_athletes_section(athlete_tables, by_athlete))
    label = (lambda a: mapping.get(str(a), "A?")) if mapping else str
    sections.append(_check_section(getattr(results, "check", None), label))
    hyp = claims_table(effects)
    sections.append(
        '<section id="results"><h2>Results: the article\'s claims</h2>'
        "<p>One row per claim (DESIGN H1–H7). A claim without a result says why (run "
        "<code>trailstrength analyze --all</code> for H3–H7); that is not evidence either way.</p>"
        + _table(hyp, classes={"result": "note"})
        + "<h3>All model estimates</h3><p>Primary rows are highlighted. Each estimate carries its unit; the line "
        "under it says which model was fitted, any fallback, and the Holm-adjusted p for the primary family.</p>"
        + _effects_table(effects)
        + "</section>"
    )

    sections.append(figures_section(figures))
    cav = ['<section id="caveats"><h2>Caveats</h2>']
    for head, text in CAVEATS:
        cav.append(f"<h3>{_e(head)}</h3><p>{_e(text)}</p>")
    cav.append(
        f"<h3>Sample size</h3><p>{_e(words.plain_names(_sample_size_caveat(effects, n_athletes)))}</p></section>"
    )
    sections.append("".join(cav))
    sections.append('<section id="versions"><h2>Versions</h2>' + _table(_versions(wh)) + "</section>")

    nav = "".join(
        f'<li><a href="#{i}">{t}</a></li>'
        for i, t in (
            ("summary", "Summary"),
            ("data", "Data inventory"),
            *((("athletes", "Athletes week by week"),) if athlete_tables else ()),
            ("results", "Results"),
            ("figures", "Figures"),
            ("caveats", "Caveats"),
            ("versions", "Versions"),
        )
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{_CSS}</style><script>{_SCRIPT}</script></head><body><main>"
        f'<header><h1>{_e(title)}</h1><p class="lede">Generated {_e(generated)} by trailstrength from '
        f"{n_athletes} athletes' training data.</p><nav><ol>{nav}</ol></nav></header>"
        + "".join(sections)
        + "<footer>Self-contained report: nothing in it is loaded from the network. Figures are PNG with alt text; "
        "the full-resolution set comes from <code>trailstrength figures</code>.</footer></main></body></html>\n"
    )


def build_report(
    warehouse=None,
    out="reports/report.html",
    *,
    results,
    title: str = "Does hinge training help trail runners? What this data says",
    pseudonymise_athletes: bool = True,
    fast: bool = False,
    figures=REPORT_FIGURES,
    figure_dir=None,
) -> Path:
    """Write the self-contained HTML report of a warehouse.

    Parameters
    ----------
    warehouse : Warehouse or path, optional
        Default ``config.path("warehouse")``.
    out : path
        The HTML file to write (folders are created).
    results : analysis.Results
        The analysis to report (``trailstrength.analyze(warehouse)``, with ``all_claims=True`` for the
        secondary models and the specification curve).
    title : str
        Page title and heading.
    pseudonymise_athletes : bool
        Show athletes as ``A1 … An`` (default); folder names in file paths are replaced too.
    fast : bool
        Fewer runs and calendars in the figures (tests).
    figures : sequence of str
        Figure-name prefixes to embed, in order (default :data:`REPORT_FIGURES`).
    figure_dir : path, optional
        A folder written by :func:`trailstrength.report.write_figure_set` for the same results (with
        its ``figures.json``): its PNGs are embedded (scaled to 1600 px wide) instead of drawing
        the figures again. Its pseudonymisation is what the figures show.

    Returns
    -------
    Path
        The file written.
    """
    from trailstrength.warehouse import Warehouse

    wh = warehouse if isinstance(warehouse, Warehouse) else Warehouse(warehouse)
    mapping = athlete_labels(wh.activities["athlete_id"]) if pseudonymise_athletes else None
    if figure_dir is not None and (Path(figure_dir) / "figures.json").is_file():
        shown = embedded(_in_order(records_from(Path(figure_dir)), figures))
    else:
        with tempfile.TemporaryDirectory(prefix="trailstrength-report-") as tmp:
            records = write_figure_set(
                wh,
                tmp,
                results=results,
                pseudonymise_athletes=pseudonymise_athletes,
                fast=fast,
                formats=("png",),
                scale=1,
                only=list(figures),
            )
            shown = embedded(_in_order(records, figures))
    tables = athlete_summary(athlete_weeks(wh, mapping=mapping))
    generated = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    text = render_report(wh, results, shown, title=title, generated=generated, mapping=mapping, athlete_tables=tables)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    return out


def _in_order(records, prefixes) -> list:
    """The records whose name starts with one of ``prefixes``, in the prefixes' order."""
    rank = {p: i for i, p in enumerate(prefixes)}
    chosen = [
        (min(i for p, i in rank.items() if r.name.startswith(p)), n, r)
        for n, r in enumerate(records)
        if any(r.name.startswith(p) for p in prefixes)
    ]
    return [r for *_, r in sorted(chosen, key=lambda t: t[:2])]
