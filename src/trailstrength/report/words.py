"""Every sentence the report, the figure set and the notebooks write from numbers, in one place.

The claims table (:func:`hypothesis_table`), the verdict on the primary claims (:func:`verdicts`, notebook 4.0) and
the alt text of each figure of the set (``*_alt``) say what an interval means the same way everywhere:
:func:`interval_verdict` and :func:`ci_words` are the only places that decide "includes zero".
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from trailstrength.viz._common import fmt

__all__ = [
    "CLAIMED_SIGN",
    "HYPOTHESES",
    "SHORT_ALT_CHARS",
    "athlete_weeks_alt",
    "calendar_alt",
    "ci_words",
    "dose_response_alt",
    "effect_refusal",
    "effect_sentence",
    "forest_alt",
    "forest_panels_alt",
    "grade_speed_alt",
    "hypothesis_table",
    "interval_verdict",
    "number",
    "plain_names",
    "route_alt",
    "scatter_alt",
    "short_alt",
    "soreness_course_alt",
    "spec_curve_alt",
    "verdict",
    "verdicts",
]

#: The article's claims (DESIGN §1): id -> (claim, what is measured).
HYPOTHESES: dict[str, tuple[str, str]] = {
    "H1": (
        "Hinge / posterior-chain volume makes descents faster and better controlled",
        "descent performance index per run vs prior weekly hinge sets",
    ),
    "H2": (
        "A trained posterior chain means less soreness after long descents",
        "peak soreness 24-72 h after a long descent vs prior weekly hinge sets",
    ),
    "H3": ("Hip-extension power makes climbing more efficient", "grade-adjusted uphill speed vs prior hinge volume"),
    "H4": (
        "The Romanian deadlift (pure hinge) differs from conventional / trap-bar deadlifts",
        "exposure split by hinge purity; coefficients compared",
    ),
    "H5": ("Slow eccentrics (3-4 s lowering) are what transfers", "eccentric time under tension as the exposure"),
    "H6": (
        "1-2 sessions a week of 3-4 x 6-8, progressed conservatively, is the dose",
        "dose-response and adherence summaries",
    ),
    "H7": ("Single-leg RDLs expose asymmetries", "unilateral share of hinge volume (left/right where recorded)"),
}

#: The sign of the within-athlete hinge slope the article's claim predicts (more DPI, less soreness).
CLAIMED_SIGN = {"H1": 1, "H2": -1}


def number(value, digits: int = 3) -> str:
    """A number for a table: ``digits`` significant digits, thousands separators from 10**digits, a typographic
    minus, "–" when not finite; anything that is not a number as text ("" for None)."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return "" if value is None else str(value)
    if not np.isfinite(v):
        return "–"
    if abs(v) >= 10**digits:  # counts, km, metres: 1,140 not 1.14e+03
        return f"{v:,.0f}".replace("-", "\u2212")
    return f"{v:.{digits}g}".replace("-", "\u2212")


def interval_verdict(ci_low: float, ci_high: float) -> str:
    """What a 95 % interval says about zero, in the words of the claims table."""
    lo, hi = float(ci_low), float(ci_high)
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return "no interval could be computed"
    if lo <= 0 <= hi:
        return "interval includes zero: no clear association"
    return "interval excludes zero: an association (observational)"


def ci_words(row) -> str:
    """``"95% CI a to b, which includes zero"`` (alt text) for a row with ``ci_low`` and ``ci_high``."""
    lo, hi = float(row["ci_low"]), float(row["ci_high"])
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return "no confidence interval could be computed"
    side = "includes zero" if lo <= 0 <= hi else "excludes zero"
    return f"95% CI {fmt(lo, digits=3)} to {fmt(hi, digits=3)}, which {side}"


def hypothesis_table(effects: pd.DataFrame) -> pd.DataFrame:
    """One row per claim H1–H7: the claim, what is measured, and the primary (else first) estimate with a verdict.

    Parameters
    ----------
    effects : DataFrame
        Tidy effects (``analyze(...).effects``): ``hypothesis, term, estimate, ci_low, ci_high`` and ``primary``.

    Returns
    -------
    DataFrame
        ``id, claim, measured as, result``; ``result`` is ``"term in words: estimate [low, high] — verdict"`` or
        says the claim is not estimated.
    """
    from trailstrength.models.units import term_label

    rows = []
    for hid, (claim, measured) in HYPOTHESES.items():
        sub = effects[effects["hypothesis"] == hid] if len(effects) else effects
        if len(sub):
            prim = sub[sub["primary"].fillna(False).astype(bool)] if "primary" in sub else sub.iloc[:0]
            row = prim.iloc[0] if len(prim) else sub.iloc[0]
            lo, hi = row["ci_low"], row["ci_high"]
            status = (
                f"{term_label(row['term'])}: {number(row['estimate'])} [{number(lo)}, {number(hi)}] — "
                f"{interval_verdict(lo, hi)}"
            )
        else:
            status = "not estimated in this version of trailstrength"
        rows.append({"id": hid, "claim": claim, "measured as": measured, "result": status})
    return pd.DataFrame(rows)


def verdict(
    hypothesis: str, primary: pd.DataFrame, *, specs: pd.DataFrame | None = None, competitor: pd.DataFrame | None = None
) -> str:
    """The verdict on one primary claim (markdown): estimate, direction, interval, robustness, competitor, size.

    Parameters
    ----------
    hypothesis : {"H1", "H2"}
    primary : DataFrame
        The primary effects (``Results.primary``).
    specs : DataFrame, optional
        :func:`trailstrength.report.specification_table` rows: the share agreeing in sign is reported.
    competitor : DataFrame, optional
        The hinge slope with and without the competing explanation: rows with ``hypothesis``, ``term``
        (``hinge_sets_28d_within``), ``model_set`` (``"primary"`` and ``"+ knee-dominant sets"``) and ``estimate``.
    """
    row = primary[primary["hypothesis"] == hypothesis]
    if row.empty or not np.isfinite(row["estimate"].iloc[0]):
        return f"**{hypothesis}**: no estimate (too few runs in the panel)."
    r = row.iloc[0]
    helpful = np.sign(r["estimate"]) == CLAIMED_SIGN.get(hypothesis, np.sign(r["estimate"]))
    direction = "in the direction the article claims" if helpful else "against the article's direction"
    text = (
        f"**{hypothesis}**: {r['estimate']:+.3g} {r['unit']} (95% CI {r['ci_low']:.3g} to {r['ci_high']:.3g}; "
        f"{r['n_athletes']} athletes, {r['n_obs']} runs), {direction}; "
        f"{interval_verdict(r['ci_low'], r['ci_high'])}. "
    )
    sub = specs[specs["hypothesis"] == hypothesis] if specs is not None and len(specs) else None
    if sub is not None and len(sub):
        share = 100 * (np.sign(sub["estimate"]) == np.sign(r["estimate"])).mean()
        text += f"{share:.0f}% of {len(sub)} specifications agree in sign. "
    if competitor is not None and len(competitor):
        knee = competitor[(competitor["hypothesis"] == hypothesis) & (competitor["term"] == "hinge_sets_28d_within")]
        if len(knee) == 2:
            base, adj = knee.set_index("model_set")["estimate"].reindex(["primary", "+ knee-dominant sets"])
            if np.isfinite(base) and base != 0:
                text += f"Adding knee-dominant sets changes it by {100 * (adj - base) / abs(base):+.0f}%. "
    if r["n_athletes"] < 12:
        text += "With fewer than 12 athletes the interval is likely too narrow."
    return text


def verdicts(
    primary: pd.DataFrame, *, specs: pd.DataFrame | None = None, competitor: pd.DataFrame | None = None
) -> str:
    """The honest verdict (markdown): :func:`verdict` on H1 and H2, then what the other claims can and cannot say."""
    return (
        "\n\n".join(verdict(h, primary, specs=specs, competitor=competitor) for h in CLAIMED_SIGN)
        + "\n\nH3–H7: see the sections above; none is a pre-registered test, and this version fits "
        "models only for those with rows in the claims table. Everything here is an observational, "
        "within-athlete association, adjusted for downhill running and volume."
    )


# --- results in plain words ---------------------------------------------------------------------------------------

#: Per outcome: (noun as a percentage of speed or None, noun in points, unit of a point, the scale in words).
_OUTCOME_WORDS = {
    "dpi": ("descents", "a descent performance index", "", "DPI is descent speed relative to flat speed"),
    "soreness_peak_72h": ("", "peak soreness after long descents", " points", "on the 0\u201310 scale"),
    "climb_performance_index": ("climbs", "a climb performance index", "", "CPI is climb speed relative to flat speed"),
}


def effect_refusal(row) -> str | None:
    """Why :func:`effect_sentence` will not state an effect row in words, or None when it will.

    A row is not stated when it is missing, its model was not fitted or did not converge, or it has no estimate or
    no finite 95 % interval: a sentence without its interval would claim more than the analysis can.
    """
    if row is None:
        return "there is no such estimate in these results"
    from trailstrength.models.units import term_label

    name = f"{row.get('hypothesis', '?')} {term_label(str(row.get('term', '?'))).lower()}"
    note = f" ({row['note']})" if isinstance(row.get("note"), str) and row.get("note") else ""
    if str(row.get("model", "")) == "not_fitted":
        return f"{name}: the model was not fitted{note}"
    converged = row.get("converged", True)
    if converged is not None and not pd.isna(converged) and not bool(converged):
        return f"{name}: the model did not converge{note}"
    values = [row.get(k) for k in ("estimate", "ci_low", "ci_high")]
    if any(v is None or not np.isfinite(float(v)) for v in values[:1]):
        return f"{name}: no estimate{note}"
    if any(v is None or not np.isfinite(float(v)) for v in values[1:]):
        return f"{name}: no 95% interval could be computed{note}"
    return None


def effect_sentence(row, *, per: float = 3, outcome_mean: float | None = None) -> str:
    """One effect row in plain words: the change for ``per`` more weekly sets, its 95 % interval and its scale.

    Parameters
    ----------
    row : Series or dict
        A row of the effects table (``analyze(...).effects``): ``hypothesis, outcome, term, estimate, ci_low,
        ci_high``, ``unit``, ``model``, ``converged``. The term's exposure counts one unit per weekly set
        (:data:`trailstrength.models.units.PREDICTOR_UNITS`).
    per : float
        The dose to speak of, in the exposure's units: 3 weekly hinge sets is the article's one extra session.
    outcome_mean : float, optional
        The outcome's mean over the analysed runs. For an index that is a ratio to flat speed (DPI, CPI) a change
        ``d`` is ``100 * d / outcome_mean`` % of the speed the athlete usually descends at; without it the change is
        stated in index points.

    Returns
    -------
    str
        The sentence, or when the row cannot be stated (:func:`effect_refusal`) the reason, starting
        ``"Not stated: "``.

    Notes
    -----
    Estimate and interval are both multiplied by ``per`` (a linear term: the interval scales with it). Within-athlete
    terms speak of one athlete against their own usual, between-athlete terms of athletes against each other. The
    sentence says "went with", never "makes": these are observational associations.

    Examples
    --------
    >>> from trailstrength.report.words import effect_sentence
    >>> row = {"hypothesis": "H1", "outcome": "dpi", "term": "hinge_sets_28d_within", "estimate": 0.0126,
    ...        "ci_low": 0.0085, "ci_high": 0.0167, "model": "mixedlm_ri", "converged": True}
    >>> print(effect_sentence(row, outcome_mean=0.84))  # doctest: +NORMALIZE_WHITESPACE
    3 more hinge sets a week than the athlete's usual went with descents 4.5% faster (95% CI 3% to 6%),
    relative to a mean index of 0.84 (DPI is descent speed relative to flat speed).
    >>> print(effect_sentence(row))  # doctest: +NORMALIZE_WHITESPACE
    3 more hinge sets a week than the athlete's usual went with a descent performance index 0.038 higher
    (95% CI 0.026 to 0.05; DPI is descent speed relative to flat speed).
    >>> soreness = {**row, "outcome": "soreness_peak_72h", "estimate": -0.31, "ci_low": -0.46, "ci_high": 0.02}
    >>> print(effect_sentence(soreness))  # doctest: +NORMALIZE_WHITESPACE
    3 more hinge sets a week than the athlete's usual went with peak soreness after long descents 0.93 points
    lower (95% CI 1.4 lower to 0.06 higher; on the 0–10 scale).
    >>> print(effect_sentence({**row, "ci_low": float("nan")}))
    Not stated: H1 hinge sets per week (within athlete): no 95% interval could be computed
    """
    from trailstrength.models.units import PREDICTOR_LABELS, outcome_label

    reason = effect_refusal(row)
    if reason:
        return f"Not stated: {reason}"
    outcome, term = str(row["outcome"]), str(row["term"])
    speed_noun, noun, point, scale = _OUTCOME_WORDS.get(
        outcome, ("", outcome_label(outcome).lower(), "", f"in {row.get('unit', 'its units')}")
    )
    base = term.removesuffix("_within").removesuffix("_between")
    dose = PREDICTOR_LABELS.get(base, base.replace("_", " ")).lower().replace(" per week", " a week")
    if term.endswith("_between"):
        who = f"Athletes doing {per:g} more {dose} than others"
    else:
        who = f"{per:g} more {dose} than the athlete's usual"
    est, lo, hi = (per * float(row[k]) for k in ("estimate", "ci_low", "ci_high"))
    lo, hi = min(lo, hi), max(lo, hi)
    if speed_noun and outcome_mean is not None and np.isfinite(outcome_mean) and outcome_mean > 0:
        est, lo, hi = (100 * v / outcome_mean for v in (est, lo, hi))
        return (
            f"{who} went with {speed_noun} {number(abs(est), 2)}% {'faster' if est >= 0 else 'slower'} "
            f"(95% CI {_ends(lo, hi, 'faster', 'slower', '%')}), relative to a mean index of "
            f"{number(outcome_mean, 3)} ({scale})."
        )
    return (
        f"{who} went with {noun} {number(abs(est), 2)}{point} {'higher' if est >= 0 else 'lower'} "
        f"(95% CI {_ends(lo, hi, 'higher', 'lower')}; {scale})."
    )


def _ends(lo: float, hi: float, up: str, down: str, suffix: str = "") -> str:
    """An interval's ends; with the direction words when it crosses zero (``"1.4 lower to 0.06 higher"``)."""
    if lo < 0 < hi:
        return f"{number(-lo, 2)}{suffix} {down} to {number(hi, 2)}{suffix} {up}"
    a, b = sorted((abs(lo), abs(hi)))
    return f"{number(a, 2)}{suffix} to {number(b, 2)}{suffix}"


# --- alt text of the figure set --------------------------------------------------------------------------------


def scatter_alt(panel: pd.DataFrame, row, outcome_words: str) -> str:
    """Alt text of a within-athlete scatter (H1, H2) with the model's slope row (or None)."""
    n, k = len(panel), panel["athlete_id"].nunique()
    alt = (
        f"Scatter of {n} runs from {k} athletes: {outcome_words} against weekly hinge sets over the "
        "previous 28 days, both relative to each athlete's usual."
    )
    if row is not None and np.isfinite(row["estimate"]):
        alt += (
            f" The adjusted within-athlete model slope is {fmt(row['estimate'], sign=True, digits=3)} "
            f"{row['unit']} ({ci_words(row)})."
        )
    return alt


def forest_alt(rows: pd.DataFrame) -> str:
    """Alt text of the forest plot of hinge-volume estimates."""
    parts = [
        f"{r.hypothesis} {r.term}: {fmt(r.estimate, sign=True, digits=3)} ({ci_words(r._asdict())})"
        for r in rows.itertuples()
    ]
    return (
        f"Forest plot of {len(rows)} hinge-volume estimates with 95% confidence intervals, one row each: "
        + "; ".join(parts)
        + ". Estimates are in different units; compare each with zero."
    )


def forest_panels_alt(rows: pd.DataFrame) -> str:
    """Alt text of the forest plot drawn from :func:`trailstrength.report.figures.forest_rows` (``label``,
    ``panel`` and ``unit`` in words): one sentence per panel, every row with its interval."""
    parts = []
    for panel, sub in rows.groupby("panel", sort=False):
        items = "; ".join(
            f"{r['label']}{' (pre-registered)' if bool(r.get('primary', False)) else ''} "
            f"{fmt(r['estimate'], sign=True, digits=3)} ({ci_words(r)})"
            for _, r in sub.iterrows()
        )
        parts.append(f"{panel}, in {sub['unit'].iloc[0]}: {items}.")
    return (
        f"Forest plot of {len(rows)} estimates of the hinge-volume effect with 95% confidence intervals, "
        f"one panel per outcome on its own scale. " + " ".join(parts)
    )


def spec_curve_alt(specs: pd.DataFrame, hypothesis: str, unit: str, choices) -> str:
    """Alt text of one specification curve (``choices``: the choice columns shown below it)."""
    excl = int(((specs["ci_low"] > 0) | (specs["ci_high"] < 0)).sum())
    est = specs["estimate"]
    return (
        f"Specification curve of {len(specs)} estimates of the {hypothesis} within-athlete hinge effect ({unit}), "
        f"ranked from {fmt(est.min(), sign=True, digits=3)} to {fmt(est.max(), sign=True, digits=3)}, median "
        f"{fmt(est.median(), sign=True, digits=3)}; {excl} of {len(specs)} intervals exclude zero. "
        f"Below, marks show each specification's choices: {', '.join(c.replace('_', ' ') for c in choices)}."
    )


def grade_speed_alt(points: pd.DataFrame, empirical: bool) -> str:
    """Alt text of speed against grade (``empirical``: the curve fitted to these runs is drawn too)."""
    lo, hi = points["grade"].quantile([0.01, 0.99]) * 100
    own = ", and the equal-effort curve fitted to these runs" if empirical else ""
    return (
        f"Speed relative to flat speed against grade for {len(points)} stretches of 100 m from "
        f"{points['activity_id'].nunique()} runs by {points['athlete_id'].nunique()} athletes, grades "
        f"{fmt(round(lo), digits=3)}% to {fmt(round(hi), digits=3)}%, with the binned median and "
        f"grade-adjustment models: Strava's equal-effort curve, Minetti's energy-cost curve (which predicts much "
        f"faster descents than runners run){own}."
    )


def soreness_course_alt(course: pd.DataFrame) -> str:
    """Alt text of the soreness time course around long descents."""
    means = course[course["hours_after"] > 0].groupby("hinge_tertile", observed=True)["soreness"].mean()
    words = ", ".join(f"{k} {v:.1f}" for k, v in means.items())
    return (
        f"Mean soreness (0-10) from 24 hours before to 72 hours after {course['activity_id'].nunique()} "
        "long-descent runs, one line per third of the athlete's own prior hinge volume, with 95% bands. "
        f"Mean soreness after the run by third: {words}. Descriptive; not adjusted for other training."
    )


def _span(values: pd.Series) -> str:
    lo, hi = f"{values.min():.0f}", f"{values.max():.0f}"
    return lo if lo == hi else f"{lo} to {hi}"


def calendar_alt(weeks: pd.DataFrame, who: str, *, phone_weeks: int | None = None) -> str:
    """Alt text of one athlete's training calendar (``who``: the label shown; ``phone_weeks``: the last weeks the
    phone canvas shows, said when fewer than ``weeks``)."""
    phone = (
        f" On a phone the last {phone_weeks} weeks are shown."
        if phone_weeks is not None and phone_weeks < len(weeks)
        else ""
    )
    return (
        f"Weekly training calendar of athlete {who} over {len(weeks)} weeks from "
        f"{weeks['week'].min():%d %b %Y}: running {_span(weeks['run_km'])} km, descent {_span(weeks['descent_m'])} "
        f"m and {_span(weeks['hinge_sets'])} weighted hinge sets per week; "
        "darker cells are bigger weeks within each row." + phone
    )


def athlete_weeks_alt(weeks: pd.DataFrame, *, total: int | None = None) -> str:
    """Alt text of the per-athlete small multiple of weekly hinge sets (``weeks``: the athletes drawn,
    :func:`trailstrength.report.athletes.athlete_weeks`; ``total``: athletes in the data, when more)."""
    parts = []
    for athlete, sub in weeks.groupby("athlete", sort=False):
        logged = sub["hinge_sets"].dropna()
        if logged.empty:
            parts.append(f"{athlete} not logged")
            continue
        gap = len(sub) - len(logged)
        parts.append(
            f"{athlete} median {number(logged.median(), 2)} ({_span(logged)})"
            + (f", {gap} week{'s' if gap != 1 else ''} not logged" if gap else "")
        )
    k = weeks["athlete"].nunique()
    more = f" (the first {k} of {total} athletes)" if total is not None and total > k else ""
    return (
        f"Small multiple of weekly weighted hinge sets, one panel per athlete{more} on one shared scale, over "
        f"their analysed weeks: " + "; ".join(parts) + ". Weeks without a strength log are shaded grey, not zero."
    )


_COUNTS = re.compile(r"\bn_(athletes|obs)\s*=\s*(\d+)")
# a snake_case name, unless it is a file name (``h2_estimand.py``, ``truth_runs.csv``)
_SNAKE = re.compile(r"\b[A-Za-z0-9]+(?:_[A-Za-z0-9]+)+\b(?!\.[a-z]{2,4}\b)")


def plain_names(text) -> str:
    """``text`` with every snake_case name in words: terms and outcomes from the label vocabulary
    (:mod:`trailstrength.models.units`), model names by :func:`~trailstrength.models.units.model_label`,
    ``n_athletes=3`` as "3 athletes", any other name with spaces for underscores. File names are kept.

    >>> plain_names("descent_100m_28d adjusted by a spline; n_athletes=3, n_obs=42; fitted mixedlm_ri")
    'descent per week adjusted by a spline; 3 athletes, 42 runs; fitted mixed model'
    """
    from trailstrength.models.units import MODEL_LABELS, OUTCOME_SHORT_LABELS, PREDICTOR_LABELS, term_label

    def name(match: re.Match) -> str:
        token = match.group(0)
        base = token.removesuffix("_within").removesuffix("_between")
        if base in PREDICTOR_LABELS:
            label = term_label(token)
            return label[0].lower() + label[1:]
        if token in OUTCOME_SHORT_LABELS:
            return OUTCOME_SHORT_LABELS[token]
        return MODEL_LABELS.get(token, token.replace("_", " "))

    text = "" if text is None or (isinstance(text, float) and text != text) else str(text)
    text = _COUNTS.sub(lambda m: f"{m.group(2)} {'athletes' if m.group(1) == 'athletes' else 'runs'}", text)
    return _SNAKE.sub(name, text)


#: Longest alt attribute a figure gets on a page; the full description goes under the figure.
SHORT_ALT_CHARS = 125


def short_alt(title: str, alt: str, limit: int = SHORT_ALT_CHARS) -> str:
    """A short alt attribute (at most ``limit`` characters) for a figure whose full alt text is shown below it.

    The first sentence of ``alt`` when it fits; else the title with the first clause of ``alt`` (up to a colon,
    semicolon or comma) in brackets, or that clause alone, or the title cut at a word.
    """
    text = " ".join(str(alt).split())
    title = " ".join(str(title).split())
    first = text.split(". ", 1)[0].rstrip(".")
    if first and len(first) + 1 <= limit:
        return first + "."
    clauses = [first.split(mark, 1)[0].strip() for mark in (":", ";", ",")]
    for clause in sorted({c for c in clauses if c and c != first}, key=len, reverse=True):
        both = f"{title} ({clause[0].lower()}{clause[1:]})." if title else ""
        if both and len(both) <= limit:
            return both
        if len(clause) + 1 <= limit:
            return clause + "."
    title = title or first
    return title if len(title) <= limit else title[: limit - 1].rsplit(" ", 1)[0] + "\u2026"


def dose_response_alt(curve: pd.DataFrame) -> str:
    """Alt text of the descriptive DPI dose-response."""
    parts = "; ".join(f"{r.dose} sets: {fmt(r.estimate, sign=True, digits=2)} (n = {r.n})" for r in curve.itertuples())
    return (
        "Descent performance index relative to each athlete's usual, by weekly hinge sets over the previous "
        f"28 days, mean and 95% CI per dose: {parts}. Unadjusted and descriptive."
    )


def route_alt(who: str, descent_m: float, n_zones: int, trim_ends_m: float) -> str:
    """Alt text of a route shape (no coordinates)."""
    zone_words = f"{n_zones} privacy zone{'s' if n_zones != 1 else ''}" if n_zones else "no privacy zones set"
    return (
        f"Route shape of athlete {who}'s run with the most descent ({descent_m:.0f} m), without "
        f"coordinates or base map; {zone_words}; the first and last {trim_ends_m:.0f} m are removed."
    )


def not_answerable_reason(note) -> str:
    """Why a claim has no estimate, in one line, from its effects row's ``note`` (issue 14 item 6).

    The first part of the note that says why nothing was fitted (too few rows or athletes, a constant term, rows
    dropped for missing values), else the whole note; "no runs in the analysis panel" for an empty note.

    >>> not_answerable_reason("H1 primary; dropped 3 row(s) with missing values (hinge_sets_28d: 3); too few rows")
    'dropped 3 row(s) with missing values (hinge_sets_28d: 3); too few rows'
    >>> not_answerable_reason("")
    'no runs in the analysis panel'
    """
    text = "" if note is None or (isinstance(note, float) and note != note) else str(note).strip()
    if not text:
        return "no runs in the analysis panel"
    parts = [p.strip() for p in text.split(";") if p.strip()]
    keys = ("too few", "no rows", "empty", "dropped", "not estimable", "nothing fitted", "no ")
    why = [p for p in parts if any(k in p for k in keys)]
    return "; ".join(why or parts)


def claims_table(effects: pd.DataFrame) -> pd.DataFrame:
    """:func:`hypothesis_table`, with a claim whose rows have no estimate saying "not answerable with these data:
    <reason>" (from its note) and a claim without rows saying which command estimates it."""
    table = hypothesis_table(effects)
    for k, hid in enumerate(table["id"]):
        sub = effects[effects["hypothesis"] == hid] if len(effects) else effects
        if not len(sub):
            table.loc[k, "result"] = "not estimated by this analysis (trailstrength analyze --all estimates it)"
        elif sub["estimate"].isna().all():
            why = "no usable runs" if (sub["n_obs"] == 0).all() else not_answerable_reason(sub["note"].iloc[0])
            table.loc[k, "result"] = f"not answerable with these data: {why}"
    return table


def not_answerable_lines(effects: pd.DataFrame, *, in_words: bool = False) -> list[str]:
    """One line per claim and outcome whose effects rows have no estimate: ``"H1 dpi (6 terms): not answerable
    with these data: <reason>"`` (reason from the rows' note; "no usable runs" when no row had any).
    ``in_words=True`` names the outcome in words (``"H1 Descent performance (DPI)"``) for published text."""
    from trailstrength.models.units import outcome_label

    if not len(effects):
        return []
    empty = effects[effects["estimate"].isna()]
    lines = []
    for (hyp, outcome), rows in empty.groupby(["hypothesis", "outcome"], sort=False):
        why = "no usable runs" if (rows["n_obs"] == 0).all() else not_answerable_reason(rows["note"].iloc[0])
        what = outcome_label(str(outcome), short=True) if in_words else outcome
        lines.append(f"{hyp} {what} ({len(rows)} terms): not answerable with these data: {why}")
    return lines
