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
from trailstrength.models.units import effects_data_dictionary
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
    check: pd.DataFrame | None = None  # what the data can answer (answerable.check); opens the output and the report

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
    warehouse: Warehouse, *, window_days: int = features.WINDOW_DAYS, variants: bool = False
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The H1 (descent performance) and H2 (soreness) analysis panels of a warehouse.

    Parameters
    ----------
    warehouse : Warehouse
        An open warehouse (:func:`trailstrength.open_warehouse`).
    window_days : int, default 28
        Length of the chronic exposure window (days before each run); exposures are per week over it.
    variants : bool, default False
        Also the alternative exposures and thresholds the specification curve uses.

    Returns
    -------
    h1, h2 : pandas.DataFrame
        One row per run with ≥ 500 m of descent segments (H1: outcome ``dpi``, the descent performance index,
        a ratio to the run's flat speed) and per such run followed by a soreness report within 72 h (H2: outcome
        ``soreness_peak_72h`` on 0–10), with ``hinge_sets_28d`` (posterior-chain-weighted hinge working sets per
        week) and the covariates of DESIGN §8. Strength exposures are missing outside the strength log's
        coverage; those runs are left out and counted per reason in ``attrs["excluded"]``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import trailstrength as ts
    >>> tmp = pathlib.Path(tempfile.mkdtemp())
    >>> _ = ts.simulate_cohort(tmp / "raw", athletes=2, weeks=6, seed=3)
    >>> _ = ts.ingest(tmp / "raw", warehouse=tmp / "wh", progress=False)
    >>> h1, h2 = ts.panels(ts.open_warehouse(tmp / "wh"))
    >>> sorted(h1["athlete_id"].unique())
    ['ath01', 'ath02']
    >>> bool(h1["dpi"].between(0.5, 2.0).all())
    True
    """
    from trailstrength.answerable import strength_periods

    # a batch of athletes at a time, from partition-pruned reads: never every run of the cohort at once (issue 19)
    coverage = strength_periods(warehouse)
    from trailstrength.warehouse.batches import warehouse_panels

    return warehouse_panels(warehouse, window_days, variants=variants, coverage=coverage)


def load_example(*, path=None, fresh: bool = False) -> Warehouse:
    """The bundled example: a simulated cohort with planted effects, ingested into a warehouse.

    Built on first use (8 athletes × 16 weeks, seed 2026, as ``trailstrength demo``; about a minute), then reused.

    Parameters
    ----------
    path : str or pathlib.Path, optional
        Demo folder; default ``$TRAILSTRENGTH_DEMO`` or ``reports/demo``. The raw files go to ``<path>/raw``, the
        warehouse to ``<path>/warehouse`` and the planted truth to ``<path>/truth.json``.
    fresh : bool, default False
        Simulate and ingest again even when the example exists.

    Returns
    -------
    Warehouse
        The open example warehouse.

    Examples
    --------
    >>> import tempfile
    >>> import trailstrength as ts
    >>> wh = ts.load_example(path=tempfile.mkdtemp())  # doctest: +SKIP
    >>> wh.runs["athlete_id"].nunique()  # doctest: +SKIP
    8
    """
    from trailstrength import config
    from trailstrength.simulate import simulate_cohort
    from trailstrength.warehouse import ingest, open_warehouse

    out = config.path("demo", path)
    raw, wh = out / "raw", out / "warehouse"
    if fresh or not (wh / "manifest.parquet").is_file():
        if fresh or not (out / "truth.json").is_file():
            simulate_cohort(raw, athletes=8, weeks=16, seed=2026, bad_file=True, truth_dir=out)
        ingest(raw, warehouse=wh, progress=False)
    return open_warehouse(wh)


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
    from trailstrength.answerable import strength_periods

    climbs = climb_panel(wh.runs, wh.strength_sets, coverage=strength_periods(wh))
    claims, claims_text = claims_effects(h1, h2, climbs)
    if len(claims):
        effects = pd.concat([effects, claims], ignore_index=True)[models.EFFECT_COLUMNS]
    text += f"\nclaims H3-H7 (BH over their exposure terms):\n{claims_text}"
    cache: dict = {}

    def panel_for(hypothesis: str, window: int) -> pd.DataFrame:
        if window not in cache:
            cache[window] = panels(wh, window_days=window, variants=True)
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
        Folder to write ``effects.csv`` (its columns described in ``effects_columns.csv``), ``panel_h1.parquet``,
        ``panel_h2.parquet`` and ``model_summary.txt`` into (with ``all_claims``, also ``spec_curve.csv`` and
        ``adherence.csv``).  None (the default) writes nothing; the command line passes ``config.path("results")``.
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
    ('effects.csv', 'effects_columns.csv', 'panel_h1.parquet', 'panel_h2.parquet', 'model_summary.txt', 'check.csv')
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
    from trailstrength.answerable import check as check_warehouse

    res = Results(effects, h1, h2, summary, spec_curve=curve, adherence=adherence, check=check_warehouse(wh))
    if out is not None:
        write(res, out)
    return res


def write(res: Results, out: Path) -> Path:
    """Write a :class:`Results` into folder ``out`` (created); sets ``res.out`` and ``res.files``, returns ``out``."""
    out = Path(out).expanduser()
    out.mkdir(parents=True, exist_ok=True)
    res.effects.to_csv(out / "effects.csv", index=False)
    effects_data_dictionary().to_csv(out / "effects_columns.csv", index=False)  # openpyxl is not a dependency
    res.h1_panel.to_parquet(out / "panel_h1.parquet", index=False)
    res.h2_panel.to_parquet(out / "panel_h2.parquet", index=False)
    (out / "model_summary.txt").write_text(res.summary, encoding="utf-8")
    files = ["effects.csv", "effects_columns.csv", "panel_h1.parquet", "panel_h2.parquet", "model_summary.txt"]
    if res.check is not None:
        res.check.to_csv(out / "check.csv", index=False)
        files.append("check.csv")
    if res.spec_curve is not None:
        res.spec_curve.to_csv(out / "spec_curve.csv", index=False)
        files.append("spec_curve.csv")
    if res.adherence is not None:
        res.adherence.to_csv(out / "adherence.csv", index=False)
        files.append("adherence.csv")
    res.out, res.files = out, tuple(files)
    return out


RESULT_FILES = ("effects.csv", "panel_h1.parquet", "panel_h2.parquet")


def load_results(folder) -> Results | None:
    """The :class:`Results` the last ``analyze`` wrote into ``folder`` (effects, panels, summary, check table,
    specification curve, adherence), or None when it holds no ``effects.csv`` and panels. Nothing is refitted:
    the report and the figures show what was analysed (``--all`` and ``--detrend`` included)."""
    folder = Path(folder).expanduser()
    if not all((folder / name).is_file() for name in RESULT_FILES):
        return None
    effects = pd.read_csv(folder / "effects.csv", dtype={"note": "string"}, keep_default_na=True)
    effects["note"] = effects["note"].fillna("").astype(str)
    effects["primary"] = effects["primary"].astype(bool)

    def optional_csv(name: str) -> pd.DataFrame | None:
        path = folder / name
        return pd.read_csv(path, keep_default_na=False, na_values=[""]) if path.is_file() else None

    summary = folder / "model_summary.txt"
    check = optional_csv("check.csv")
    if check is not None:
        # an all-empty column reads as float: text first, so filling with "" stays valid in pandas 4
        check[["reason", "next_step"]] = check[["reason", "next_step"]].astype("str").fillna("")
    res = Results(
        effects,
        pd.read_parquet(folder / "panel_h1.parquet"),
        pd.read_parquet(folder / "panel_h2.parquet"),
        summary.read_text(encoding="utf-8") if summary.is_file() else "",
        out=folder,
        spec_curve=optional_csv("spec_curve.csv"),
        adherence=optional_csv("adherence.csv"),
        check=check,
    )
    res.files = tuple(p.name for p in sorted(folder.iterdir()) if p.is_file())
    return res
