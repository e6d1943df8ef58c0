"""The one vocabulary of units for model terms: what one unit of each predictor is, and what a coefficient is in.

A coefficient's unit is ``"<outcome unit> per <one unit of the predictor>"``, with ``(within athlete)`` or
``(between athletes)`` appended for the two parts of a split exposure (:func:`predictor_unit`).  The primary
models, the secondary models, the claims H3–H7, the specification curve and the power simulation all read their
units from here, so one term has one unit wherever it is reported.
"""

from __future__ import annotations

__all__ = ["OUTCOME_UNITS", "PREDICTOR_UNITS", "PRIMARY_EFFECT_UNITS", "predictor_unit"]

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
