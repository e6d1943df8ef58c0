"""The hinge schedule and exercise mix of the simulated cohort, shared by
:func:`trailstrength.simulate.simulate_cohort` and its day-by-day twin :mod:`trailstrength.simulate.panels`.

The schedule (:func:`hinge_schedule`) gives each lifting day a number of hinge working sets; they are split among
three exercises (:data:`HINGE_EXERCISES`, logged under the names of :data:`HINGE_NAMES`):

* ``rdl`` Romanian deadlift: pure hinge (``hinge_subtype`` rdl_sld), bilateral;
* ``deadlift`` conventional deadlift: ``hinge_subtype`` deadlift;
* ``sl_rdl`` single-leg Romanian deadlift: pure hinge, unilateral.

Each set carries its ``posterior_chain_weight`` from the package taxonomy (:func:`hinge_weights`: 1.0, 0.6,
1.0), exactly as the pipeline weights it.  Per 4-week block (:data:`BLOCK_DAYS`, the blocks of the dose schedule)
two things are drawn independently: the deadlift fraction p ~ U(:data:`DEADLIFT_FRACTION`) of the sets and the
unilateral share q ~ U(:data:`UNILATERAL_SHARE`) of the *weighted* sets; each session's sets are then split
Multinomial(n, (1 - p - s, p, s)) with s = q (1 - (1 - w) p), w the deadlift weight, so that the expected
unilateral share of the weighted sets is q whatever p and n.  So the mix varies within and between athletes, and
the unilateral share is (nearly) unrelated to how many pure-hinge and deadlift sets were done: its planted effect
hardly biases the H1 and H4 models, which do not adjust for it (twin Monte Carlo, 400 athletes: H1 and the H4
pure-hinge coefficient unbiased, the H4 difference about 0.0005 DPI/set too large, from the multinomial noise).

The planted unilateral effect is a contrast with the average mix: ``dpi_per_unilateral_share`` x (share -
:data:`MEAN_UNILATERAL_SHARE`), and 0 when the 28 days hold no hinge sets (:func:`planted_exposures`), so that
starting or stopping hinge work does not also switch a unilateral term on or off.

All draws come from :func:`aux_generator`, a generator derived from the cohort seed but independent of the main
stream, so adding the mix left every schedule, course and run of an existing seed where it was.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from trailstrength.features.exposures import PURE_HINGE_SUBTYPES, trailing_sum, window_share

HINGE_EXERCISES = {"rdl": "romanian_deadlift", "deadlift": "deadlift", "sl_rdl": "single_leg_romanian_deadlift"}
# (Strong name, template name, working load kg) of rdl, deadlift, sl_rdl (HINGE_EXERCISES order)
HINGE_NAMES = [
    ("Romanian Deadlift (Barbell)", "Romanian deadlift", 70.0),
    ("Deadlift (Barbell)", "Deadlift", 90.0),
    ("Single Leg Romanian Deadlift (Dumbbell)", "Single leg Romanian deadlift", 20.0),
]
DEADLIFT_FRACTION = (0.0, 0.5)  # uniform range of a block's share of sets done as conventional deadlifts
UNILATERAL_SHARE = (0.0, 0.6)  # uniform range of a block's expected unilateral share of the weighted hinge sets
MEAN_UNILATERAL_SHARE = 0.3  # its mean: the reference of the planted unilateral effect
BLOCK_DAYS = 28
AUX_SPAWN_KEY = 0x48494E47  # "HING": spawn key of the auxiliary stream (far from SeedSequence.spawn's 0, 1, ...)


def aux_generator(seed) -> np.random.Generator:
    """A generator for everything drawn besides the main stream of ``seed`` (int or SeedSequence)."""
    ss = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    return np.random.default_rng(np.random.SeedSequence(ss.entropy, spawn_key=(*ss.spawn_key, AUX_SPAWN_KEY)))


@cache
def _taxonomy_rows() -> dict:
    from trailstrength.exercises.taxonomy import package_taxonomy

    tax = package_taxonomy().set_index("exercise")
    return {k: tax.loc[name] for k, name in HINGE_EXERCISES.items()}


def hinge_weights() -> np.ndarray:
    """``posterior_chain_weight`` of (rdl, deadlift, sl_rdl) from the package taxonomy (weighted sets per set)."""
    return np.array([float(r["posterior_chain_weight"]) for r in _taxonomy_rows().values()])


def unilateral_flags() -> np.ndarray:
    """Taxonomy ``unilateral`` flag of (rdl, deadlift, sl_rdl)."""
    return np.array([str(r["unilateral"]).lower() == "true" for r in _taxonomy_rows().values()])


def pure_flags() -> np.ndarray:
    """Whether (rdl, deadlift, sl_rdl) count as pure hinge (features.exposures.PURE_HINGE_SUBTYPES)."""
    return np.array([r["hinge_subtype"] in PURE_HINGE_SUBTYPES for r in _taxonomy_rows().values()])


def hinge_schedule(rng: np.random.Generator, mean_dose: float, n_days: int) -> np.ndarray:
    """Hinge working sets per day before the exercise split (int array of ``n_days``).

    4-week blocks whose weekly dose (sets/week) is N(``mean_dose``, 3) rounded and floored at 0, lifted in one
    session a week up to 4 sets, else two, on days 0, 2 or 4 of each week.
    """
    sets = np.zeros(n_days, dtype=np.int64)
    for block in range(0, n_days, BLOCK_DAYS):
        dose = max(0, int(round(rng.normal(mean_dose, 3.0))))
        sessions = 0 if dose == 0 else (1 if dose <= 4 else 2)
        for week in range(block, min(block + BLOCK_DAYS, n_days), 7):
            if not sessions:
                continue
            days = rng.choice([0, 2, 4], size=sessions, replace=False)
            for k, d in enumerate(days):
                if week + d < n_days:
                    sets[week + d] = dose // sessions + (1 if k < dose % sessions else 0)
    return sets


def split_hinge_sets(aux: np.random.Generator, sets: np.ndarray) -> np.ndarray:
    """Split each day's hinge working sets (int array, one per day) into (rdl, deadlift, sl_rdl) counts, (n, 3)."""
    sets = np.asarray(sets, dtype=np.int64)
    out = np.zeros((sets.size, 3), dtype=np.int64)
    w = hinge_weights()[1]
    for block in range(0, sets.size, BLOCK_DAYS):
        p, q = aux.uniform(*DEADLIFT_FRACTION), aux.uniform(*UNILATERAL_SHARE)
        s = min(q * (1.0 - (1.0 - w) * p), 1.0 - p)
        probs = np.array([1.0 - p - s, p, s]).clip(0.0)
        for d in range(block, min(block + BLOCK_DAYS, sets.size)):
            if sets[d] > 0:
                out[d] = aux.multinomial(sets[d], probs / probs.sum())
    return out


def planted_exposures(counts: np.ndarray, window: int = 28) -> dict[str, np.ndarray]:
    """Daily and window exposures of the split sets (the planted effects' inputs).

    ``hinge_sets`` weighted working sets per day; ``hinge_unilateral_sets`` weighted unilateral ones;
    ``hinge_28d`` weighted sets per week over the window; ``hinge_unilateral_share_28d`` the window's unilateral
    share of weighted hinge sets (0-1, NaN when the window has no hinge sets: the pipeline's column of that name);
    ``unilateral_term`` what the planted effect multiplies: share - :data:`MEAN_UNILATERAL_SHARE`, 0 without hinge
    sets; ``pure_28d`` / ``deadlift_28d`` unweighted sets per week.  Windows are the pipeline's
    (:func:`~trailstrength.features.exposures.trailing_sum`); nothing was lifted before the cohort's first day, so
    that day's sums are 0.
    """
    w, uni, pure = hinge_weights(), unilateral_flags(), pure_flags()
    weighted = counts @ w
    unilateral = counts @ (w * uni)
    daily = np.column_stack([weighted, unilateral, counts @ pure, counts[:, 1]])
    total, uni_sum, pure_sum, deadlift_sum = np.nan_to_num(trailing_sum(daily, window), nan=0.0).T
    per_week = window / 7.0
    share = window_share(uni_sum, total)
    return {
        "hinge_sets": weighted,
        "hinge_unilateral_sets": unilateral,
        "hinge_28d": total / per_week,
        "hinge_unilateral_share_28d": share,
        "unilateral_term": np.where(total > 0, share - MEAN_UNILATERAL_SHARE, 0.0),
        "pure_28d": pure_sum / per_week,
        "deadlift_28d": deadlift_sum / per_week,
    }


__all__ = [
    "DEADLIFT_FRACTION",
    "HINGE_EXERCISES",
    "HINGE_NAMES",
    "MEAN_UNILATERAL_SHARE",
    "UNILATERAL_SHARE",
    "aux_generator",
    "hinge_schedule",
    "hinge_weights",
    "planted_exposures",
    "pure_flags",
    "split_hinge_sets",
    "unilateral_flags",
]
