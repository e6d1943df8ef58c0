"""Grade-adjustment models: how much harder (or easier) a grade is than the flat.

Two published curves, selectable by name, and an athlete's own curve (DESIGN §6):

* ``"strava"`` — the equal-effort (performance) curve of Strava's 2017 GAP model, as reverse-engineered
  factors at 17 grades. Used by default because it describes what runners actually do on descents.
* ``"minetti"`` — the metabolic energy cost of running on a treadmill (Minetti et al. 2002), relative to
  the flat. An energy model: it rates steep descents as cheap, so it over-rewards them as "effort".
* an :class:`EmpiricalGap` — a per-athlete equal-effort curve fitted from their own runs by
  :func:`trailstrength.terrain.fit_empirical_gap`, passed as the model itself.
"""

from __future__ import annotations

from dataclasses import dataclass

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
    -30.0: 1.495,
    -20.0: 1.081,
    -15.0: 0.941,
    -10.0: 0.876,
    -8.0: 0.876,
    -6.0: 0.891,
    -4.0: 0.918,
    -2.0: 0.960,
    0.0: 1.000,
    2.0: 1.055,
    4.0: 1.135,
    6.0: 1.228,
    8.0: 1.337,
    10.0: 1.459,
    15.0: 1.846,
    20.0: 2.297,
    30.0: 3.158,
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


@dataclass(frozen=True)
class EmpiricalGap:
    """A per-athlete equal-effort curve: how much slower (factor > 1) or faster they go at each grade.

    Usually made by :func:`trailstrength.terrain.fit_empirical_gap`; pass it wherever a grade-adjustment
    model is chosen (``gap_factor(grade, model=curve)``, ``TerrainParams(gap_model=curve)``). Frozen and
    hashable, so parameter sets that hold it stay hashable.

    Attributes
    ----------
    grades : tuple of float
        Knots, grade as a fraction, strictly increasing, spanning 0.
    factors : tuple of float
        Factor at each knot (flat speed ÷ speed at that grade, at equal effort), 1 at grade 0.
    n_runs : int
        Runs the curve was fitted from (0 when made by hand).
    distance_m : float
        Moving distance the fit used, m.

    Notes
    -----
    Between knots the factor is linear in grade. Beyond the knots (grades the athlete has too little data
    for) it follows the shape of Strava's curve, scaled to meet the fitted end:
    ``factor(g) = factor(g_end) · strava(g) / strava(g_end)``.
    """

    grades: tuple[float, ...]
    factors: tuple[float, ...]
    n_runs: int = 0
    distance_m: float = 0.0

    def __post_init__(self) -> None:
        g = np.asarray(self.grades, dtype=float)
        f = np.asarray(self.factors, dtype=float)
        if g.ndim != 1 or g.size < 2 or g.shape != f.shape:
            raise ValueError("EmpiricalGap needs at least two knots and one factor per grade")
        if not (np.all(np.isfinite(g)) and np.all(np.diff(g) > 0)):
            raise ValueError("EmpiricalGap.grades must be finite and strictly increasing")
        if not (np.all(np.isfinite(f)) and np.all(f > 0)):
            raise ValueError("EmpiricalGap.factors must be finite and positive")
        if not g[0] <= 0 <= g[-1] or abs(float(np.interp(0.0, g, f)) - 1) > 1e-9:
            raise ValueError("EmpiricalGap must span grade 0 with factor 1 there (normalised to the flat)")
        # tuples of plain floats, whatever was passed, so equal curves hash equally
        object.__setattr__(self, "grades", tuple(map(float, g)))
        object.__setattr__(self, "factors", tuple(map(float, f)))

    @property
    def grade_range(self) -> tuple[float, float]:
        """Lowest and highest fitted grade (fraction)."""
        return self.grades[0], self.grades[-1]

    def __call__(self, grade: ArrayLike) -> np.ndarray:
        """Factor at ``grade`` (fraction; NaN stays NaN), float array of the same shape."""
        g = np.asarray(grade, dtype=float)
        kg, kf = np.asarray(self.grades), np.asarray(self.factors)
        out = np.interp(g, kg, kf)
        lo, hi = kg[0], kg[-1]
        strava = gap_factor
        with np.errstate(invalid="ignore"):
            below, above = g < lo, g > hi
        if np.any(below):
            out = np.where(below, kf[0] * strava(g) / strava(lo), out)
        if np.any(above):
            out = np.where(above, kf[-1] * strava(g) / strava(hi), out)
        return out


def gap_factor(grade: ArrayLike, model: str | EmpiricalGap = "strava") -> np.ndarray:
    """Relative effort of running at a grade compared with the flat, at equal speed.

    Grade-adjusted speed is ``speed * gap_factor(grade)``: the flat speed that would cost the same effort.

    Parameters
    ----------
    grade : array_like
        Grade as a fraction (0.10 = 10 %). NaN stays NaN.
    model : {"strava", "minetti"} or EmpiricalGap
        ``"strava"``: linear interpolation of :data:`STRAVA_GAP_FACTORS` in grade, held constant beyond
        ±30 % (the published table ends there; extrapolating its steep ends is not supported by data).
        ``"minetti"``: ``minetti_cost(grade) / minetti_cost(0)``.
        An :class:`EmpiricalGap`: the athlete's own curve (see :func:`trailstrength.terrain.fit_empirical_gap`).

    Returns
    -------
    numpy.ndarray
        Dimensionless factor (1 on the flat), float array of the shape of ``grade``.

    Raises
    ------
    ValueError
        For a model name not in :data:`GAP_MODELS` (``"empirical"`` names the function that fits one).

    References
    ----------
    Strava Engineering (2017). An improved GAP model. Minetti et al. (2002), see :func:`minetti_cost`.
    """
    g = np.asarray(grade, dtype=float)
    if isinstance(model, EmpiricalGap):
        return model(g)
    if model == "strava":
        # np.interp clamps outside the table, which is the documented behaviour; NaN propagates.
        return np.interp(g, _STRAVA_GRADE, _STRAVA_FACTOR)
    if model == "minetti":
        return minetti_cost(g) / MINETTI_COEFFS[-1]
    if model == "empirical":
        raise ValueError(
            "grade-adjustment model 'empirical' needs the athlete's fitted curve: "
            "curve = trailstrength.terrain.fit_empirical_gap(profiles), then pass model=curve"
        )
    raise ValueError(
        f"unknown grade-adjustment model {model!r}; choose one of {', '.join(GAP_MODELS)} or pass an EmpiricalGap"
    )


def is_gap_model(model) -> bool:
    """Whether ``model`` is accepted by :func:`gap_factor`."""
    return isinstance(model, EmpiricalGap) or (isinstance(model, str) and model in GAP_MODELS)
