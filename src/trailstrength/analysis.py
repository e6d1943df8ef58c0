"""Run the pre-registered primary analysis on a warehouse and write its outputs.

``analyze`` builds the H1 and H2 panels from the warehouse tables, fits the primary models and, given an ``out``
folder, writes ``effects.csv`` (the tidy vocabulary of DESIGN §8), ``panel_h1.parquet``, ``panel_h2.parquet`` and
``model_summary.txt`` into it.

``analyze(..., all_claims=True)`` (``trailstrength analyze --all``) adds the secondary and sensitivity models of
:mod:`trailstrength.models.secondary` to ``effects.csv`` (rows with ``primary=False``, BH-adjusted as one
exploratory family) and writes the specification curve to ``spec_curve.csv``
(:mod:`trailstrength.models.speccurve`), plus the article's claims H3–H7 (:mod:`trailstrength.models.claims`,
their own BH family; H3 on a climb panel of runs with >= 500 m of climb segments).
The default stays the pre-registered primary family.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from trailstrength import features, models
from trailstrength.warehouse import Warehouse

CAVEAT = (
    "Observational associations, not causal effects: athletes choose when to lift and where to run. "
    "Every model adjusts for recent downhill running (the repeated-bout effect) and running volume; "
    "within-athlete terms compare an athlete with themselves."
)


@dataclass
class Results:
    """Outputs of one analysis: the tidy effects table, the panels, and a plain-text summary."""

    effects: pd.DataFrame
    h1_panel: pd.DataFrame
    h2_panel: pd.DataFrame
    summary: str
    out: Path | None = None
    spec_curve: pd.DataFrame | None = None
    adherence: pd.DataFrame | None = None  # per athlete, against the article's prescription (H6, descriptive)
    files: tuple[str, ...] = ()  # names of the files written into ``out``

    @property
    def primary(self) -> pd.DataFrame:
        """The pre-registered primary rows (H1, H2; Holm-adjusted)."""
        return self.effects[self.effects["primary"]].reset_index(drop=True)

    @property
    def secondary_exposures(self) -> pd.DataFrame:
        """The non-primary rows of exposure terms (hinge and knee-dominant lifting; the BH-adjusted family)."""
        from trailstrength.models.secondary import EXPOSURE_TERM_PATTERN

        rows = ~self.effects["primary"] & self.effects["term"].str.contains(EXPOSURE_TERM_PATTERN)
        return self.effects[rows].reset_index(drop=True)


def panels(
    wh: Warehouse, window_days: int = features.WINDOW_DAYS, variants: bool = False
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The H1 (descent performance) and H2 (soreness) panels of a warehouse."""
    runs, sets = wh.runs, wh.strength_sets
    return (
        features.h1_panel(runs, sets, window_days, variants=variants),
        features.h2_panel(runs, sets, wh.wellness, window_days, variants=variants),
    )


#: Exposure definitions of the specification curve, where the panels carry them.
SPEC_EXPOSURES = ("hinge_sets_28d", "hinge_volume_kg_28d", "hinge_ecc_tut_s_28d", "hinge_sets_ewm")


def _exploratory(wh: Warehouse, h1: pd.DataFrame, h2: pd.DataFrame, n_boot: int, seed: int):
    """Secondary/sensitivity effects, the claims H3-H7, their summary, and the specification curve of a warehouse."""
    from trailstrength.models.claims import claims_effects, climb_panel
    from trailstrength.models.secondary import secondary_effects
    from trailstrength.models.speccurve import default_specs, run_specs

    daily = features.daily_exposures(wh.runs, wh.strength_sets)
    effects, text = secondary_effects(h1, h2, daily, n_boot=n_boot, seed=seed)
    # the article's claims H3-H7 (models.claims), BH-adjusted as their own exploratory family
    claims, claims_text = claims_effects(h1, h2, climb_panel(wh.runs, wh.strength_sets))
    if len(claims):
        effects = pd.concat([effects, claims], ignore_index=True)[models.EFFECT_COLUMNS]
    text += f"\nclaims H3-H7 (BH over their exposure terms):\n{claims_text}"
    cache: dict = {}

    def panel_for(hypothesis: str, window: int) -> pd.DataFrame:
        if window not in cache:
            cache[window] = panels(wh, window, variants=True)
        return cache[window][0 if hypothesis == "H1" else 1]

    exposures = [e for e in SPEC_EXPOSURES if e in h1.columns and e in h2.columns]
    curve = run_specs(default_specs(exposures=exposures), panel_for)
    fitted = curve["estimate"].notna()
    distinct = int((fitted & curve["duplicate_of"].isna()).sum())
    text += (
        f"\nspecification curve: {len(curve)} specs ({int(fitted.sum())} fitted, {distinct} distinct; BH over the "
        f"distinct ones) over windows 14/28/42 d, "
        f"descent thresholds, exposures {', '.join(exposures)} and models; spec_curve.csv"
    )
    return effects, text, curve


def analyze(
    warehouse=None,
    *,
    out=None,
    all_claims: bool = False,
    detrend: bool = False,
    version: str = "v2",
    n_boot: int = 999,
    seed: int = 0,
) -> Results:
    """Fit the pre-registered primary family (H1, H2) on a warehouse, optionally everything else, and write it.

    Parameters
    ----------
    warehouse : Warehouse, str or Path, optional
        An open warehouse (or a view of one), or its folder; default ``config.path("warehouse")``
        (``$TRAILSTRENGTH_WAREHOUSE`` or ``data/processed/warehouse``).
    out : str or Path, optional
        Folder to write ``effects.csv``, ``panel_h1.parquet``, ``panel_h2.parquet`` and ``model_summary.txt``
        into (with ``all_claims``, also ``spec_curve.csv`` and ``adherence.csv``).  None (the default) writes
        nothing; the command line passes ``config.path("results")``.
    all_claims : bool, default False
        Also the secondary and sensitivity models and the article's claims H3–H7 (rows appended to ``effects``
        with ``primary=False``, BH-adjusted as exploratory families), the specification curve
        (:attr:`Results.spec_curve`) and programme adherence (:attr:`Results.adherence`); ``analyze --all``.
    detrend : bool, default False
        Add the within-athlete season trend to the v1 models (v2 always has it; stated in each row's note).
    version : {"v2", "v1"}, default "v2"
        The primary models (DESIGN §8 v2; :func:`trailstrength.models.fit_primary`): v2 adds the v1 models, the
        H2 post-run and clean-window models and the negative control as ``primary=False`` rows; with one athlete
        v2 fits the n-of-1 time-series model (personal evidence).
    n_boot : int, default 999
        Athlete cluster-bootstrap replicates of the H1 primary term among the secondary models (``all_claims``).
    seed : int, default 0
        Seed of that bootstrap.

    Returns
    -------
    Results
        ``effects`` (tidy, :data:`trailstrength.models.EFFECT_COLUMNS`; estimates in the units of the ``unit``
        column, e.g. dpi or soreness points per weekly hinge set), ``h1_panel``, ``h2_panel``, ``summary``
        (plain text), ``out`` (the folder written, or None) and ``files`` (the names written).

    Examples
    --------
    A tiny simulated cohort (2 athletes, 6 weeks) in a temporary folder:

    >>> import tempfile
    >>> from pathlib import Path
    >>> import trailstrength as ts
    >>> folder = tempfile.TemporaryDirectory()
    >>> tmp = Path(folder.name)
    >>> truth = ts.simulate_cohort(tmp / "raw", athletes=2, weeks=6, seed=1)
    >>> report = ts.ingest(tmp / "raw", warehouse=tmp / "warehouse", progress=False, workers=1)
    >>> res = ts.analyze(tmp / "warehouse")  # out=None: nothing written
    >>> res.out is None
    True
    >>> res.primary[["hypothesis", "term"]]
      hypothesis                   term
    0         H1  hinge_sets_28d_within
    1         H2  hinge_sets_28d_within
    >>> res = ts.analyze(tmp / "warehouse", out=tmp / "results")
    >>> res.files
    ('effects.csv', 'panel_h1.parquet', 'panel_h2.parquet', 'model_summary.txt')
    >>> sorted(p.name for p in (tmp / "results").iterdir()) == sorted(res.files)
    True
    >>> folder.cleanup()
    """
    if isinstance(out, bool):
        raise TypeError("out must be a folder or None (None writes nothing)")
    wh = warehouse if isinstance(warehouse, Warehouse) else Warehouse(warehouse)
    h1, h2 = panels(wh, variants=all_claims)
    effects, text = models.fit_primary(h1, h2, detrend=detrend, version=version)
    summary = f"trailstrength primary analysis\nwarehouse: {wh.root}\n\n{CAVEAT}\n\n{text}"
    curve = adherence = None
    if all_claims:
        from trailstrength.features.adherence import programme_adherence

        extra, extra_text, curve = _exploratory(wh, h1, h2, n_boot, seed)
        effects = pd.concat([effects, extra], ignore_index=True)[models.EFFECT_COLUMNS]
        summary += (
            f"\nSecondary and sensitivity models (not pre-registered as primary; BH over exposure terms)\n"
            f"{extra_text}\n"
        )
        adherence = programme_adherence(wh.strength_sets)
        summary += (
            f"\nProgramme adherence (1–2 hinge sessions/week, 3–4 sets of 6–8 reps, ≤ +10 %/week load):\n"
            f"{adherence.round(2).to_string(index=False)}\n"
        )
    res = Results(effects, h1, h2, summary, spec_curve=curve, adherence=adherence)
    if out is not None:
        write(res, out)
    return res


def write(res: Results, out: Path) -> Path:
    """Write a :class:`Results` into folder ``out`` (created); sets ``res.out`` and ``res.files``, returns ``out``."""
    out = Path(out).expanduser()
    out.mkdir(parents=True, exist_ok=True)
    res.effects.to_csv(out / "effects.csv", index=False)
    res.h1_panel.to_parquet(out / "panel_h1.parquet", index=False)
    res.h2_panel.to_parquet(out / "panel_h2.parquet", index=False)
    (out / "model_summary.txt").write_text(res.summary, encoding="utf-8")
    files = ["effects.csv", "panel_h1.parquet", "panel_h2.parquet", "model_summary.txt"]
    if res.spec_curve is not None:
        res.spec_curve.to_csv(out / "spec_curve.csv", index=False)
        files.append("spec_curve.csv")
    if res.adherence is not None:
        res.adherence.to_csv(out / "adherence.csv", index=False)
        files.append("adherence.csv")
    res.out, res.files = out, tuple(files)
    return out
