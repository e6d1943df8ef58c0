"""Grade-adjustment models: how much harder (or easier) a grade is than the flat.

Two published curves, selectable by name (DESIGN §6):

* ``"strava"`` — the equal-effort (performance) curve of Strava's 2017 GAP model, as reverse-engineered
  factors at 17 grades. Used by default because it describes what runners actually do on descents.
* ``"minetti"`` — the metabolic energy cost of running on a treadmill (Minetti et al. 2002), relative to
  the flat. An energy model: it rates steep descents as cheap, so it over-rewards them as "effort".
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

#: Minetti et al. (2002) polynomial coefficients, highest power first, for Cr(i) in J kg⁻¹ m⁻¹.
MINETTI_COEFFS: tuple[float, ...] = (155.4, -30.4, -43.3, 46.3, 19.5, 3.6)
#: The grade range over which Minetti's fit was measured (fraction); inputs are clipped to it.
MINETTI_MAX_ABS_GRADE: float = 0.45

#: Strava's equal-effort factors, grade in percent -> factor (relative effort vs flat at the same speed).
#: Numbers as listed in DESIGN §6: Strava engineering (2017) "An improved GAP model", digitised as paces
#: at 8:00/mi in aaron-schroeder/specialsauce ``ngp_gap.csv`` (MIT); factor = 8:00 / GAP pace.
STRAVA_GAP_FACTORS: dict[float, float] = {
    -30.0: 1.495, -20.0: 1.081, -15.0: 0.941, -10.0: 0.876, -8.0: 0.876, -6.0: 0.891, -4.0: 0.918,
    -2.0: 0.960, 0.0: 1.000, 2.0: 1.055, 4.0: 1.135, 6.0: 1.228, 8.0: 1.337, 10.0: 1.459, 15.0: 1.846,
    20.0: 2.297, 30.0: 3.158,
}
_STRAVA_GRADE = np.array(sorted(STRAVA_GAP_FACTORS)) / 100.0
_STRAVA_FACTOR = np.array([STRAVA_GAP_FACTORS[k] for k in sorted(STRAVA_GAP_FACTORS)])

#: Names accepted by :func:`gap_factor`.
GAP_MODELS: tuple[str, ...] = ("strava", "minetti")


def minetti_cost(grade: ArrayLike) -> np.ndarray:
    """Energy cost of running at a grade (Minetti et al. 2002).

    Parameters
    ----------
    grade : array_like
        Grade as a fraction (rise / horizontal run; 0.10 = 10 %). Clipped to ±0.45, the range of the
        original measurements, because the quintic diverges quickly outside it. NaN stays NaN.

    Returns
    -------
    numpy.ndarray
        Cost of transport Cr in J kg⁻¹ m⁻¹ (float array, same shape as ``grade``).

    Notes
    -----
    Cr(i) = 155.4 i⁵ − 30.4 i⁴ − 43.3 i³ + 46.3 i² + 19.5 i + 3.6, so Cr(0) = 3.6,
    Cr(−0.2) = 1.800 and Cr(0.1) = 5.968 J kg⁻¹ m⁻¹.

    References
    ----------
    Minetti AE, Moia C, Roi GS, Susta D, Ferretti G (2002). Energy cost of walking and running at extreme
    uphill and downhill slopes. J Appl Physiol 93:1039–1046.
    """
    i = np.clip(np.asarray(grade, dtype=float), -MINETTI_MAX_ABS_GRADE, MINETTI_MAX_ABS_GRADE)
    return np.polyval(MINETTI_COEFFS, i)


def gap_factor(grade: ArrayLike, model: str = "strava") -> np.ndarray:
    """Relative effort of running at a grade compared with the flat, at equal speed.

    Grade-adjusted speed is ``speed * gap_factor(grade)``: the flat speed that would cost the same effort.

    Parameters
    ----------
    grade : array_like
        Grade as a fraction (0.10 = 10 %). NaN stays NaN.
    model : {"strava", "minetti"}
        ``"strava"``: linear interpolation of :data:`STRAVA_GAP_FACTORS` in grade, held constant beyond
        ±30 % (the published table ends there; extrapolating its steep ends is not supported by data).
        ``"minetti"``: ``minetti_cost(grade) / minetti_cost(0)``.

    Returns
    -------
    numpy.ndarray
        Dimensionless factor (1 on the flat), float array of the shape of ``grade``.

    Raises
    ------
    ValueError
        For a model name not in :data:`GAP_MODELS`.

    References
    ----------
    Strava Engineering (2017). An improved GAP model. Minetti et al. (2002), see :func:`minetti_cost`.
    """
    g = np.asarray(grade, dtype=float)
    if model == "strava":
        # np.interp clamps outside the table, which is the documented behaviour; NaN propagates.
        return np.interp(g, _STRAVA_GRADE, _STRAVA_FACTOR)
    if model == "minetti":
        return minetti_cost(g) / MINETTI_COEFFS[-1]
    raise ValueError(
        f"unknown grade-adjustment model {model!r}; choose one of {', '.join(GAP_MODELS)} "
        "(a per-athlete empirical model is not implemented yet)"
    )
