"""A synthetic cohort with known effects, written as the real file formats the package reads.

Each athlete gets a folder ``<out>/athNN/`` with ``athlete.toml``, one gzipped GPX per run (1 Hz, GPS and barometric
noise, pauses), a strength log (Strong's classic CSV for even-numbered athletes, the strength template for odd
ones; one Romanian-deadlift warm-up set per session, marked) and a soreness diary (template). ``truth.json``
records every planted effect and how it is defined, so the analysis can be checked against it.

Generative model (units as in the analysis panels; windows as in :mod:`trailstrength.features`):

* hinge working sets: each athlete lifts in 4-week blocks whose weekly dose (sets/week) is drawn around an
  athlete-specific mean, in 1–2 sessions a week.  Each block's sets are split among Romanian deadlift (RDL),
  conventional deadlift and single-leg RDL in a mix drawn per block (:mod:`trailstrength.simulate.hinge`: a
  deadlift fraction ~ U(0, 0.5) and, independently, an expected unilateral share of the weighted sets ~ U(0, 0.6);
  sessions split multinomially), so the mix varies within and between athletes.
* hinge exposure ``hinge_28d`` = *weighted* hinge working sets in the 28 days before the run ÷ 4 (sets/week), each
  set weighted by its taxonomy ``posterior_chain_weight`` (RDL 1.0, single-leg RDL 1.0, deadlift 0.6): what the
  pipeline's ``hinge_sets_28d`` measures.  ``hinge_unilateral_share_28d`` = weighted single-leg sets / weighted
  hinge sets over the same 28 days (0–1, as the pipeline's column of that name; not the pipeline's
  ``unilateral_share_28d``, the share of all lower-body sets; undefined without hinge sets, and those runs leave
  the H7 model).
* **H1**: the run's true DPI = athlete baseline + ``dpi_per_hinge_set`` · hinge_28d + ``dpi_per_unilateral_share``
  · (hinge_unilateral_share_28d − 0.3) [this term 0 when the 28 days hold no hinge sets: a contrast with the average
  mix] + ``dpi_per_descent_100m_week`` · descent_28d + N(0, ``dpi_noise``). Baselines are
  confounded with athletes' mean hinge dose (``between_confound``), so only the within-athlete contrast recovers
  the planted effect. The runner moves at grade-adjusted speed flat_speed × DPI on descents (< −2 %), flat_speed
  × (0.97 + ``cpi_per_hinge_set`` · hinge_28d) on climbs (> +2 %), converted to real speed with the Strava
  equal-effort factors, and at flat speed elsewhere.
* **H3**: the climb performance index (climb GAP speed ÷ flat speed) is therefore 0.97 + ``cpi_per_hinge_set`` ·
  hinge_28d, and ``cpi_per_hinge_set`` is the H3 within coefficient (CPI per weekly weighted hinge set).
* **H4**: per *unweighted* weekly set, a pure-hinge set (RDL or single-leg RDL, ``pure_hinge_sets_28d``) moves DPI
  by ``dpi_per_hinge_set`` and a conventional deadlift set (``deadlift_sets_28d``) by w · ``dpi_per_hinge_set``,
  w = 0.6 the deadlift weight; truth.json records both and their difference (the H4
  ``pure_minus_conventional_within`` row).  The H4 model leaves the unilateral share out; as the mix makes the
  share nearly independent of the set counts, that biases the difference only slightly (about +0.0005 DPI/set
  in a large twin cohort).
* **H7**: ``dpi_per_unilateral_share`` is the DPI difference between all and none of the window's hinge sets
  being single-leg (the H7 within coefficient, adjusted for total weighted hinge sets).
* **H2**: a descent run raises next-day soreness by R = ``soreness_per_descent_100m`` · descent/100 m +
  ``soreness_per_descent_100m_week`` · descent_28d, decaying 1, 0.6, 0.3 over days 1–3; the hinge effect shifts
  soreness on each of the 3 days after a descent run by ``soreness_per_hinge_set`` · hinge_28d of that run (of
  the most recent one where the 3-day windows of several runs overlap, so it is counted once, not once per run:
  the planted value is then what the H2 model estimates, the change in peak 72-h soreness per weekly weighted
  set; see benchmarks/h2_estimand.py); each weighted hinge set of a session (working sets plus the RDL warm-up,
  weight 1) adds ``soreness_per_acute_hinge_set`` on the next two days (1, 0.5); daily reports add
  N(0, ``soreness_noise``), are rounded to integers and clipped to 0–10.

Random streams: the exercise mix has its own generator (:func:`trailstrength.simulate.hinge.aux_generator`), and
each run's track noise (1-Hz points, so a number of draws that depends on the run's duration) comes from a child
generator seeded by one draw of the main stream.  So a seed's lifting schedules, run days, courses and diaries'
noise do not depend on the planted effects: ``PlantedEffects()`` and ``PlantedEffects.null()`` with one seed
differ only in the values the effects change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from trailstrength.features.exposures import WINDOW_DAYS, trailing_sum
from trailstrength.simulate.formats import write_activity, write_soreness_diary, write_strength_log
from trailstrength.simulate.hinge import (
    HINGE_NAMES,
    aux_generator,
    hinge_schedule,
    hinge_weights,
    planted_exposures,
    split_hinge_sets,
)
from trailstrength.simulate.runs import CLIMB_FACTOR, COURSE_KINDS, Course, course_track, random_course
from trailstrength.simulate.truth import planted_truth, write_truth

ZONES = ["Europe/Zurich", "Europe/Oslo", "America/Denver", "Europe/Madrid", "Australia/Hobart", "Asia/Tokyo"]
START = pd.Timestamp("2025-03-03")  # the cohort's first day (a Monday)


@dataclass(frozen=True)
class PlantedEffects:
    """The effects written into a simulated cohort (see module docstring for definitions)."""

    dpi_per_hinge_set: float = 0.012  # DPI per weekly weighted hinge set (within athlete)
    dpi_per_descent_100m_week: float = 0.004  # DPI per 100 m/week of prior descent
    between_confound: float = 0.025  # baseline DPI per weekly set of the athlete's mean dose (confounding)
    dpi_noise: float = 0.03
    soreness_per_hinge_set: float = -0.2  # soreness points per weekly weighted hinge set
    soreness_per_descent_100m: float = 0.45  # points per 100 m of the run's descent
    soreness_per_descent_100m_week: float = -0.06  # repeated-bout effect, points per 100 m/week
    soreness_per_acute_hinge_set: float = 0.08  # lifting soreness per weighted set on the next day
    soreness_noise: float = 0.5
    dpi_per_unilateral_share: float = 0.03  # DPI per unit (0 -> 1) of 28-day unilateral share of hinge sets
    cpi_per_hinge_set: float = 0.006  # climb performance index per weekly weighted hinge set

    @classmethod
    def null(cls) -> PlantedEffects:
        """No hinge effect on anything (downhill exposure and lifting soreness stay)."""
        return cls(
            dpi_per_hinge_set=0.0,
            between_confound=0.0,
            soreness_per_hinge_set=0.0,
            dpi_per_unilateral_share=0.0,
            cpi_per_hinge_set=0.0,
        )

    def secondary_truth(self) -> dict:
        """The H3, H4 and H7 within coefficients these effects imply (terms as in models.claims)."""
        w = hinge_weights()
        pure, conv = self.dpi_per_hinge_set * w[0], self.dpi_per_hinge_set * w[1]
        return {
            "H3": {
                "outcome": "climb_performance_index",
                "term": "hinge_sets_28d_within",
                "estimate": self.cpi_per_hinge_set,
            },
            "H4": {
                "outcome": "dpi",
                "term": "pure_minus_conventional_within",
                "estimate": pure - conv,
                "pure_hinge_sets_28d_within": pure,
                "deadlift_sets_28d_within": conv,
                "deadlift_weight": float(w[1]),
            },
            "H7": {
                "outcome": "dpi",
                "term": "hinge_unilateral_share_28d_within",
                "estimate": self.dpi_per_unilateral_share,
            },
        }


@dataclass
class _Athlete:
    athlete_id: str
    zone: str
    flat_speed: float
    dpi_base: float
    mean_dose: float
    origin: tuple[float, float]
    courses: list[Course] = field(default_factory=list)
    soreness_base: float = 1.5


def _strength_rows(rng, day: pd.Timestamp, hinge_sets, style: str) -> list[dict]:
    """One session: an RDL warm-up and the (rdl, deadlift, sl_rdl) working sets ``hinge_sets``, plus squats, leg
    curls and a push."""
    names = [(strong if style == "strong" else template, load) for strong, template, load in HINGE_NAMES]
    reps = int(rng.integers(6, 9))
    plan = [(names[0][0], "warmup", 1, 8, 40.0)]
    plan += [(name, "working", int(n), reps, load) for (name, load), n in zip(names, hinge_sets)]
    plan += [
        ("Squat (Barbell)" if style == "strong" else "Back squat", "working", int(rng.integers(0, 4)), 6, 80.0),
        ("Lying Leg Curl (Machine)" if style == "strong" else "Lying leg curl", "working", 2, 10, 35.0),
        (
            "Bench Press (Barbell)" if style == "strong" else "Push-up",
            "working",
            3,
            8,
            60.0 if style == "strong" else 0.0,
        ),
    ]
    start = day + pd.Timedelta(hours=int(rng.integers(17, 20)), minutes=int(rng.integers(0, 60)))
    rows = []
    for exercise, kind, n, reps, load in plan:
        for k in range(n):
            rows.append(
                {
                    "start": start,
                    "exercise": exercise,
                    "kind": kind,
                    "set": k + 1,
                    "reps": reps,
                    "load": load * rng.uniform(0.95, 1.05),
                }
            )
    return rows


def _draw_athlete(rng: np.random.Generator, i: int, effects: PlantedEffects) -> _Athlete:
    """Athlete ``i``'s time zone, flat speed, DPI baseline (confounded with the mean hinge dose), start point,
    soreness baseline and five courses."""
    mean_dose = rng.uniform(0, 9)
    a = _Athlete(
        f"ath{i + 1:02d}",
        ZONES[i % len(ZONES)],
        rng.normal(3.1, 0.25),
        rng.normal(1.0, 0.05) + effects.between_confound * (mean_dose - 4.5),
        mean_dose,
        (46.0 + rng.uniform(-0.5, 0.5), 8.0 + rng.uniform(-0.5, 0.5)),
        soreness_base=rng.uniform(1.0, 2.5),
    )
    a.courses = [random_course(rng, k, f"{k}-{j}") for j, k in enumerate(COURSE_KINDS)]
    return a


def _simulate_athlete(
    rng,
    aux,
    a: _Athlete,
    days: pd.DatetimeIndex,
    effects: PlantedEffects,
    folder: Path,
    style: str,
    truth_runs: list[dict],
    activity_formats: tuple[str, ...],
) -> None:
    """Write one athlete's runs, strength log and diary under ``folder``; append the planted truth of each run to
    ``truth_runs`` (whose length also picks each run's format in turn)."""
    mix = split_hinge_sets(aux, hinge_schedule(rng, a.mean_dose, days.size))  # (rdl, deadlift, sl_rdl) per day
    ex = planted_exposures(mix)
    hinge, hinge_28d, share_28d = ex["hinge_sets"], ex["hinge_28d"], ex["hinge_unilateral_share_28d"]
    # runs: 3–5 per week on non-consecutive-ish days, chosen course per run
    descent = pd.Series(0.0, index=days)
    soreness = pd.Series(a.soreness_base, index=days) + rng.normal(0, effects.soreness_noise, days.size)
    hinge_shift = np.zeros(days.size)  # post-descent hinge effect, counted once per day
    strength_rows = []
    for d_i, day in enumerate(days):
        if mix[d_i].sum() > 0:
            strength_rows += _strength_rows(rng, day, mix[d_i], style)
            for lag, w in ((1, 1.0), (2, 0.5)):
                if d_i + lag < days.size:
                    soreness.iloc[d_i + lag] += w * effects.soreness_per_acute_hinge_set * (hinge[d_i] + 1)
        if rng.uniform() > 4 / 7:
            continue
        course = a.courses[int(rng.integers(len(a.courses)))]
        prior_descent = trailing_sum(descent, WINDOW_DAYS).iloc[d_i]  # m; NaN on day 0: nothing ran before it
        descent_28d = np.nan_to_num(prior_descent, nan=0.0) / (WINDOW_DAYS / 7.0) / 100.0  # 100 m per week
        dpi = (
            a.dpi_base
            + effects.dpi_per_hinge_set * hinge_28d[d_i]
            + effects.dpi_per_unilateral_share * ex["unilateral_term"][d_i]
            + effects.dpi_per_descent_100m_week * descent_28d
            + rng.normal(0, effects.dpi_noise)
        )
        cpi = CLIMB_FACTOR + effects.cpi_per_hinge_set * hinge_28d[d_i]
        local_start = day + pd.Timedelta(hours=float(rng.uniform(6, 10)))
        start_utc = local_start.tz_localize(a.zone).tz_convert("UTC")
        # the track's noise has its own generator (one main draw per run, whatever the run's duration)
        track = course_track(
            np.random.default_rng(rng.integers(2**63)),
            course,
            flat_speed=a.flat_speed,
            origin=a.origin,
            dpi=dpi,
            start_utc=start_utc,
            cpi=cpi,
        )
        fmt = activity_formats[len(truth_runs) % len(activity_formats)]
        write_activity(folder / "runs" / f"{day:%Y-%m-%d}-{course.name}", track, fmt, f"Run {course.name}")
        descent.iloc[d_i] += course.descent_m
        response = (
            (
                effects.soreness_per_descent_100m * course.descent_m / 100.0
                + effects.soreness_per_descent_100m_week * descent_28d
            )
            if course.descent_m > 200
            else 0.0
        )
        for lag, w in ((1, 1.0), (2, 0.6), (3, 0.3)):
            if d_i + lag < days.size:
                soreness.iloc[d_i + lag] += w * response
        if course.descent_m > 200:  # a later run overwrites the days it shares with this one
            hinge_shift[d_i + 1 : d_i + 4] = effects.soreness_per_hinge_set * hinge_28d[d_i]
        truth_runs.append(
            {
                "athlete_id": a.athlete_id,
                "local_date": str(day.date()),
                "course": course.name,
                "course_descent_m": round(course.descent_m, 1),
                "dpi_true": round(dpi, 4),
                "cpi_true": round(cpi, 4),
                "hinge_sets_28d": hinge_28d[d_i],
                "pure_hinge_sets_28d": ex["pure_28d"][d_i],
                "deadlift_sets_28d": ex["deadlift_28d"][d_i],
                "hinge_unilateral_share_28d": share_28d[d_i],
                "descent_100m_28d": descent_28d,
            }
        )
    write_strength_log(folder / "strength", strength_rows, style)
    soreness += hinge_shift
    write_soreness_diary(folder / "diary" / "soreness.csv", days, soreness, rng.uniform(size=days.size) < 0.9)


def simulate_cohort(
    out,
    *,
    athletes: int = 8,
    weeks: int = 16,
    seed: int = 0,
    effects: PlantedEffects | None = None,
    bad_file: bool = False,
    progress: bool = False,
    truth_dir=None,
    activity_formats: tuple[str, ...] = ("gpx",),
) -> dict:
    """Write a synthetic cohort with planted effects as the real file formats the package reads.

    Each athlete gets ``out/athNN/`` with ``athlete.toml``, ``runs/`` (one activity file per run, 3–5 runs a
    week), ``strength/`` (Strong's CSV for even-numbered athletes, the strength template for odd ones) and
    ``diary/soreness.csv``; the generative model is in the module docstring.

    Parameters
    ----------
    out : str or pathlib.Path
        Raw folder to write into (created if missing).
    athletes, weeks : int
        Cohort size: number of athletes and weeks of training per athlete (from Monday 2025-03-03).
    seed : int
        Everything is deterministic given the seed.
    effects : PlantedEffects, optional
        Planted effects (default :class:`PlantedEffects`; ``PlantedEffects.null()`` for no hinge effect).
    bad_file : bool
        Also write one truncated GPX upload, to show quarantine.
    progress : bool
        Show a progress bar over athletes.
    truth_dir : str or pathlib.Path, optional
        Where ``truth.json`` and ``truth_runs.csv`` go (default ``out``, where ingest lists them as files outside
        an athlete folder).
    activity_formats : tuple of str
        Formats the runs are written in, in turn (``gpx``, ``fit``, ``tcx``; see
        :mod:`trailstrength.simulate.formats`): ``("fit", "tcx", "gpx")`` gives a mixed archive like a watch plus
        Strava's exports.

    Returns
    -------
    dict
        The planted truth, as written to ``truth.json`` (:func:`trailstrength.simulate.truth.planted_truth`):
        ``effects`` (the :class:`PlantedEffects` values), ``primary`` (H1, H2) and ``secondary`` (H3, H4, H7)
        coefficients with the model term each is the truth of, the hinge mix, the definitions, and per-athlete
        details (``athletes_detail``). ``truth_runs.csv`` holds each run's planted DPI (``dpi_true``), climb
        index (``cpi_true``) and exposures.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from trailstrength.simulate import PlantedEffects, simulate_cohort
    >>> folder = Path(tempfile.mkdtemp())
    >>> truth = simulate_cohort(folder / "raw", athletes=2, weeks=2, seed=1, truth_dir=folder)
    >>> truth["primary"]["H1"]["estimate"], truth["primary"]["H1"]["term"]
    (0.012, 'hinge_sets_28d_within')
    >>> sorted(p.name for p in (folder / "raw" / "ath01").iterdir())
    ['athlete.toml', 'diary', 'runs', 'strength']
    >>> sorted(p.name for p in folder.glob("truth*"))
    ['truth.json', 'truth_runs.csv']
    >>> PlantedEffects.null().dpi_per_hinge_set  # pass effects=PlantedEffects.null() for a null cohort
    0.0
    >>> import shutil; shutil.rmtree(folder)
    """
    effects = effects or PlantedEffects()
    out = Path(out)
    rng = np.random.default_rng(seed)
    aux = aux_generator(seed)  # the exercise mix: its own stream, so the main one is as before the mix
    days = pd.date_range(START, periods=weeks * 7, freq="D")
    truth_runs: list[dict] = []  # one row per run, for truth_runs.csv
    cohort: list[dict] = []  # one row per athlete
    for i in _progress(range(athletes), progress):
        a = _draw_athlete(rng, i, effects)
        folder = out / a.athlete_id
        (folder / "runs").mkdir(parents=True, exist_ok=True)
        (folder / "strength").mkdir(exist_ok=True)
        (folder / "diary").mkdir(exist_ok=True)
        (folder / "athlete.toml").write_text(
            f'timezone = "{a.zone}"\nstrength_unit = "kg"\n\n'
            # the simulated athlete did no hinge work before the first day and logs every session after it, so the
            # log covers the longest exposure window before the cohort (42 d) to its end: no gap is "not logged"
            f'[coverage]\nstrength = [["{(days[0] - pd.Timedelta(days=42)).date()}", "{days[-1].date()}"]]\n'
        )
        style = "strong" if i % 2 == 0 else "template"
        _simulate_athlete(rng, aux, a, days, effects, folder, style, truth_runs, activity_formats)
        cohort.append(
            {
                "athlete_id": a.athlete_id,
                "timezone": a.zone,
                "strength_log": style,
                "mean_hinge_dose": round(a.mean_dose, 2),
                "dpi_baseline": round(a.dpi_base, 4),
                "flat_speed_mps": round(a.flat_speed, 3),
            }
        )
    if bad_file and athletes:
        (out / cohort[-1]["athlete_id"] / "runs" / "corrupt-upload.gpx").write_text(
            '<?xml version="1.0"?>\n<gpx version="1.1"><trk><trkseg><trkpt lat="46.1"'
        )
    truth = planted_truth(
        effects,
        seed=seed,
        athletes=athletes,
        weeks=weeks,
        start=str(START.date()),
        definitions=__doc__.split("Generative model", 1)[1].strip(),
        athletes_detail=cohort,
    )
    write_truth(Path(truth_dir) if truth_dir is not None else out, truth, truth_runs)
    return truth


def _progress(items, show):
    if not show:
        return items
    from rich.progress import track

    return track(items, description="simulating athletes")


__all__ = ["PlantedEffects", "simulate_cohort"]
