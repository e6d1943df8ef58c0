"""The one vocabulary of units and labels for model terms: what one unit of each predictor is, what a coefficient
is in, and what each is called in published text.

A coefficient's unit is ``"<outcome unit> per <one unit of the predictor>"``, with ``(within athlete)`` or
``(between athletes)`` appended for the two parts of a split exposure (:func:`predictor_unit`).  The primary
models, the secondary models, the claims H3–H7, the specification curve and the power simulation all read their
units from here, so one term has one unit wherever it is reported.

The labels people read (figure axes, row labels, alt text, sentences) come from here too: :func:`term_label`,
:func:`outcome_label`, :func:`model_label` and :func:`unit_label` turn the effects table's snake_case names into
words, so no published text shows a raw column name.
"""

from __future__ import annotations

__all__ = [
    "EFFECT_COLUMN_DICTIONARY",
    "MODEL_LABELS",
    "OUTCOME_LABELS",
    "OUTCOME_SHORT_LABELS",
    "OUTCOME_UNITS",
    "PREDICTOR_LABELS",
    "PREDICTOR_UNITS",
    "PRIMARY_EFFECT_UNITS",
    "effects_data_dictionary",
    "model_label",
    "outcome_label",
    "predictor_unit",
    "term_label",
    "unit_label",
]

#: What one unit of each predictor is (panel units: weekly means of the 28-day window, 100 m of descent, hours).
PREDICTOR_UNITS = {
    "hinge_sets_28d": "weekly hinge set",
    "knee_sets_28d": "weekly knee-dominant set",
    "descent_100m_28d": "100 m/week of descent",
    "run_km_28d": "km/week",
    "mean_descent_grade": "unit grade (1.0 = 100 %)",
    "duration_h": "hour",
    "descent_100m": "100 m of descent in this run",
    "hinge_sets_acute": "hinge set within ±3 days",
    "other_descent_100m_72h": "100 m of descent in other runs within 72 h",
    "season_weeks": "week of the athlete's season",
    # the claims H3-H7 (models.claims)
    "pure_hinge_sets_28d": "weekly pure-hinge (RDL-type) set",
    "deadlift_sets_28d": "weekly conventional / trap-bar deadlift set",
    "hinge_ecc_tut_min_28d": "minute/week of hinge eccentric time under tension",
    "hinge_unilateral_share_28d": "unit of unilateral share of hinge sets (0 -> 1 = none -> all unilateral)",
    "mean_climb_grade": "unit grade (1.0 = 100 %)",
    # H6 dose categories (models.claims.H6_BINS), each against weeks with no hinge sets
    "hinge_sets_0_3": "week category 0-3 hinge sets vs 0",
    "hinge_sets_3_6": "week category 3-6 hinge sets vs 0",
    "hinge_sets_gt6": "week category gt6 hinge sets vs 0",
}

#: Unit of each outcome as it is written into the effects table (DPI is dimensionless: descent speed / flat speed).
OUTCOME_UNITS = {
    "dpi": "dpi",
    "soreness_peak_72h": "soreness points",
    "climb_performance_index": "cpi",
}

#: Unit of the planted and estimated primary effect per hypothesis, as the power simulation reports it.
PRIMARY_EFFECT_UNITS = {
    "H1": f"DPI per {PREDICTOR_UNITS['hinge_sets_28d']}",
    "H2": f"{OUTCOME_UNITS['soreness_peak_72h']} per {PREDICTOR_UNITS['hinge_sets_28d']}",
}


def predictor_unit(outcome_unit: str, term: str) -> str:
    """Unit of a coefficient: ``"<outcome unit> per <one unit of the predictor>"`` (within/between marked).

    Parameters
    ----------
    outcome_unit : str
        The outcome's unit, e.g. ``"dpi"`` or ``"soreness points"``.
    term : str
        Model term; a ``_within`` / ``_between`` suffix marks the two parts of a split exposure.  A predictor
        without an entry in :data:`PREDICTOR_UNITS` is called ``"unit of <name>"``.

    Returns
    -------
    str

    Examples
    --------
    >>> predictor_unit("dpi", "hinge_sets_28d_within")
    'dpi per weekly hinge set (within athlete)'
    >>> predictor_unit("soreness points", "duration_h")
    'soreness points per hour'
    """
    for suffix, label in (("_within", " (within athlete)"), ("_between", " (between athletes)")):
        if term.endswith(suffix):
            base = term.removesuffix(suffix)
            return f"{outcome_unit} per {PREDICTOR_UNITS.get(base, 'unit of ' + base)}{label}"
    return f"{outcome_unit} per {PREDICTOR_UNITS.get(term, 'unit of ' + term)}"


# ---------------------------------------------------------------------------------------- labels people read

#: What each predictor is, in words (a figure's row label or axis; the unit is :data:`PREDICTOR_UNITS`).
PREDICTOR_LABELS = {
    "hinge_sets_28d": "Hinge sets per week",
    "knee_sets_28d": "Knee-dominant sets per week",
    "descent_100m_28d": "Descent per week",
    "run_km_28d": "Running km per week",
    "mean_descent_grade": "Mean descent grade",
    "mean_climb_grade": "Mean climb grade",
    "duration_h": "Run duration",
    "descent_100m": "Descent in this run",
    "hinge_sets_acute": "Hinge sets within 3 days",
    "other_descent_100m_72h": "Descent in other runs within 72 h",
    "season_weeks": "Week of the season",
    "pure_hinge_sets_28d": "Pure-hinge (RDL-type) sets per week",
    "deadlift_sets_28d": "Conventional / trap-bar deadlift sets per week",
    "hinge_ecc_tut_min_28d": "Hinge eccentric time per week",
    "hinge_unilateral_share_28d": "Single-leg share of hinge sets",
    "hinge_sets_0_3": "0-3 hinge sets a week (vs none)",
    "hinge_sets_3_6": "3-6 hinge sets a week (vs none)",
    "hinge_sets_gt6": "More than 6 hinge sets a week (vs none)",
    "hinge_sets_ewm": "Hinge sets, recent-weighted",
    "descent_length_m": "Descent length (m)",
}

#: Each outcome in words, with its scale.
OUTCOME_LABELS = {
    "dpi": "Descent performance index (descent speed / flat speed)",
    "soreness_peak_72h": "Peak soreness in the 72 h after a long descent (0\u201310)",
    "climb_performance_index": "Climb performance index (climb speed / flat speed)",
}

#: Each outcome in two or three words (a panel title on a phone-sized figure).
OUTCOME_SHORT_LABELS = {
    "dpi": "Descent performance (DPI)",
    "soreness_peak_72h": "Peak soreness (0\u201310)",
    "climb_performance_index": "Climb performance (CPI)",
}

#: What a model's name means; a ``+suffix`` adds to the base model (:func:`model_label`).
MODEL_LABELS = {
    "mixedlm_ri": "mixed model",
    "mixedlm_rs": "mixed model, random slope",
    "lmm": "mixed model",
    "lmm_rs": "mixed model, random slope",
    "ols_cluster": "regression, athlete-clustered errors",
    "ols": "regression (one athlete)",
    "ordinal_gee": "ordinal model (log odds)",
    "rmcorr": "repeated-measures correlation",
    "not_fitted": "not fitted",
    "knee": "+ knee-dominant sets",
    "cluster_bootstrap": "bootstrap interval",
    "descent_x_hinge": "+ descent \u00d7 hinge",
    "lags": "week-by-week lags",
}

_SPLIT = (("_within", "within athlete"), ("_between", "between athletes"))
_UNIT_WORDS = {"dpi": "DPI", "cpi": "CPI"}


def _split(term: str) -> tuple[str, str]:
    for suffix, words in _SPLIT:
        if term.endswith(suffix):
            return term.removesuffix(suffix), words
    return term, ""


def _words(name: str) -> str:
    # A name the vocabulary does not know is still written in words, never with underscores.
    return name.replace("_", " ").strip().capitalize()


def term_label(term: str) -> str:
    """A model term in words: ``"Hinge sets per week (within athlete)"``.

    Examples
    --------
    >>> term_label("hinge_sets_28d_within")
    'Hinge sets per week (within athlete)'
    >>> term_label("run_km_28d")
    'Running km per week'
    """
    base, part = _split(str(term))
    label = PREDICTOR_LABELS.get(base, _words(base))
    return f"{label} ({part})" if part else label


def outcome_label(outcome: str, *, short: bool = False) -> str:
    """An outcome in words with its scale, e.g. ``"Descent performance index (descent speed / flat speed)"``;
    ``short=True``: two or three words for a panel title (``"Peak soreness (0\u201310)"``)."""
    vocabulary = OUTCOME_SHORT_LABELS if short else OUTCOME_LABELS
    return vocabulary.get(str(outcome), _words(str(outcome)))


def model_label(model: str) -> str:
    """A model name in words: ``"mixedlm_ri+knee"`` -> ``"mixed model, + knee-dominant sets"``.

    Examples
    --------
    >>> model_label("mixedlm_ri+cluster_bootstrap")
    'mixed model, bootstrap interval'
    """
    parts = [p for p in str(model).split("+") if p]
    return ", ".join(MODEL_LABELS.get(p, p.replace("_", " ")) for p in parts)


def unit_label(unit: str) -> str:
    """An effects-table unit as a reader writes it: ``"dpi per weekly hinge set (within athlete)"`` ->
    ``"DPI per weekly hinge set"`` (the within/between part belongs to the row label, not the axis).

    Examples
    --------
    >>> unit_label("soreness points per weekly hinge set (between athletes)")
    'soreness points per weekly hinge set'
    """
    text = str(unit)
    for _, words in _SPLIT:
        text = text.replace(f" ({words})", "")
    first, _, rest = text.partition(" ")
    return " ".join(w for w in (_UNIT_WORDS.get(first, first), rest) if w)


# ------------------------------------------------------------------------------- the effects table, column by column

#: Every column of ``effects.csv`` (:data:`trailstrength.models.tidy.EFFECT_COLUMNS`): (what it is, its unit, its type).
#: Written beside the table as ``effects_columns.csv`` so a spreadsheet user can read it without the docs.
EFFECT_COLUMN_DICTIONARY = {
    "hypothesis": ("The article's claim the row tests (H1-H7; DESIGN section 1)", "", "text"),
    "outcome": ("What the model explains: dpi, soreness_peak_72h or climb_performance_index", "", "text"),
    "term": ("The model term; _within = vs the athlete's own mean, _between = the athlete's mean", "", "text"),
    "estimate": ("Change in the outcome per one unit of the term", "see the unit column", "number"),
    "ci_low": ("Lower end of the 95% confidence interval of the estimate", "see the unit column", "number"),
    "ci_high": ("Upper end of the 95% confidence interval of the estimate", "see the unit column", "number"),
    "p_value": ("Two-sided p-value of the estimate against zero (not adjusted for multiple tests)", "0-1", "number"),
    "df": (
        "Degrees of freedom of the t distribution behind ci_low, ci_high and p_value (Satterthwaite for mixed "
        "models, Bell-McCaffrey for CR2, athletes - 1 for the cluster bootstrap, runs - terms for one athlete's "
        "regression); empty where the interval is a normal (Wald z) one or comes from another method",
        "degrees of freedom",
        "number",
    ),
    "unit": ("The unit of estimate, ci_low and ci_high: outcome unit per one unit of the term", "", "text"),
    "n_athletes": ("Athletes in the model", "athletes", "whole number"),
    "n_obs": ("Observations (runs) in the model", "runs", "whole number"),
    "model": ("Model fitted; a +suffix names what a sensitivity model adds", "", "text"),
    "converged": ("Whether the fit converged (False: do not read the estimate)", "", "TRUE/FALSE"),
    "primary": (
        "Whether the row is a pre-registered primary result (H1 and H2 within-athlete slopes)",
        "",
        "TRUE/FALSE",
    ),
    "note": ("What was dropped, changed or could not be estimated, in words", "", "text"),
}


def effects_data_dictionary():
    """``effects_columns.csv``: one row per column of ``effects.csv`` with ``column, description, unit, type``."""
    import pandas as pd

    rows = [(c, *EFFECT_COLUMN_DICTIONARY[c]) for c in EFFECT_COLUMN_DICTIONARY]
    return pd.DataFrame(rows, columns=["column", "description", "unit", "type"])
