"""The planted truth of a simulated cohort: ``truth.json``, ``truth_runs.csv``, and recovered vs planted.

:func:`planted_truth` is the dictionary :func:`trailstrength.simulate.simulate_cohort` returns and writes as
``truth.json`` (:func:`write_truth`, read back by :func:`read_truth`); :func:`recovered_vs_planted` sets an
analysis' effects table beside it, one row per planted coefficient, as ``trailstrength demo`` prints it.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from trailstrength.simulate.hinge import (
    DEADLIFT_FRACTION,
    HINGE_NAMES,
    MEAN_UNILATERAL_SHARE,
    UNILATERAL_SHARE,
    hinge_weights,
)

if TYPE_CHECKING:
    from trailstrength.simulate.cohort import PlantedEffects

COMPARISON_COLUMNS = ["hypothesis", "term", "planted", "estimated", "estimate", "ci_low", "ci_high", "covers"]


def planted_truth(
    effects: PlantedEffects,
    *,
    seed: int,
    athletes: int,
    weeks: int,
    start: str,
    definitions: str,
    athletes_detail: list[dict],
) -> dict:
    """The truth dictionary of a simulated cohort (the content of ``truth.json``).

    Keys: ``seed``, ``athletes``, ``weeks``, ``start`` (first day, ISO date), ``effects`` (the planted values),
    ``primary`` (H1, H2) and ``secondary`` (H3, H4, H7: :meth:`PlantedEffects.secondary_truth`), each an
    ``outcome``, the model ``term`` it is the truth of and its ``estimate`` (units of that term's coefficient),
    ``hinge_mix`` (exercises, weights and the mix's ranges), ``definitions`` (the generative model in words) and
    ``athletes_detail`` (one dict per athlete).
    """
    return {
        "seed": seed,
        "athletes": athletes,
        "weeks": weeks,
        "start": start,
        "effects": asdict(effects),
        "primary": {
            "H1": {"outcome": "dpi", "term": "hinge_sets_28d_within", "estimate": effects.dpi_per_hinge_set},
            "H2": {
                "outcome": "soreness_peak_72h",
                "term": "hinge_sets_28d_within",
                "estimate": effects.soreness_per_hinge_set,
            },
        },
        "secondary": effects.secondary_truth(),
        "hinge_mix": {
            "exercises": [n[0] for n in HINGE_NAMES],
            "posterior_chain_weight": hinge_weights().tolist(),
            "deadlift_fraction_range": list(DEADLIFT_FRACTION),
            "unilateral_share_range": list(UNILATERAL_SHARE),
            "unilateral_reference_share": MEAN_UNILATERAL_SHARE,
            "block_days": 28,
        },
        "definitions": definitions,
        "athletes_detail": athletes_detail,
    }


def write_truth(folder: Path, truth: dict, truth_runs: list[dict]) -> Path:
    """Write ``truth.json`` and ``truth_runs.csv`` (one row per run: planted DPI, climb index and exposures) into
    ``folder`` (created if missing); returns the path of ``truth.json``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "truth.json").write_text(json.dumps(truth, indent=2))
    pd.DataFrame(truth_runs).to_csv(folder / "truth_runs.csv", index=False)
    return folder / "truth.json"


def read_truth(folder: Path) -> dict:
    """The truth dictionary in ``folder/truth.json``."""
    return json.loads((Path(folder) / "truth.json").read_text())


def recovered_vs_planted(truth: dict, effects: pd.DataFrame, *, secondary: bool = False) -> pd.DataFrame:
    """Each planted coefficient beside the analysis' estimate of it.

    Parameters
    ----------
    truth : dict
        :func:`planted_truth` (or ``truth.json`` read back).
    effects : pandas.DataFrame
        The analysis' tidy effects (``hypothesis``, ``term``, ``estimate``, ``ci_low``, ``ci_high``, ``primary``);
        where a hypothesis has several rows of a term, the primary one is taken.
    secondary : bool
        Also the secondary hypotheses' truth (H3, H4, H7), for ``analyze --all`` results.

    Returns
    -------
    pandas.DataFrame
        One row per planted coefficient: ``hypothesis``, ``term``, ``planted``, ``estimated`` (whether the effects
        hold that term), ``estimate``, ``ci_low``, ``ci_high`` (NaN when not estimated) and ``covers`` (the 95 %
        CI contains the planted value; False when not estimated).

    Examples
    --------
    >>> import pandas as pd
    >>> truth = {"primary": {"H1": {"term": "hinge_sets_28d_within", "estimate": 0.012}}}
    >>> fx = pd.DataFrame({"hypothesis": ["H1"], "term": ["hinge_sets_28d_within"], "estimate": [0.0126],
    ...                    "ci_low": [0.0085], "ci_high": [0.0167], "primary": [True]})
    >>> recovered_vs_planted(truth, fx)[["hypothesis", "planted", "estimate", "covers"]]
      hypothesis  planted  estimate  covers
    0         H1    0.012    0.0126    True
    """
    checks = [(h, v["term"], v["estimate"]) for h, v in truth["primary"].items()]
    if secondary:
        checks += [(h, v["term"], v["estimate"]) for h, v in truth.get("secondary", {}).items()]
    rows = effects.sort_values("primary", ascending=False, kind="stable")  # the primary row of H1/H2 first
    out = []
    for hyp, term, planted in checks:
        match = rows[(rows["hypothesis"] == hyp) & (rows["term"] == term)]
        if match.empty:
            out.append((hyp, term, planted, False, float("nan"), float("nan"), float("nan"), False))
            continue
        r = match.iloc[0]
        out.append(
            (
                hyp,
                term,
                planted,
                True,
                r["estimate"],
                r["ci_low"],
                r["ci_high"],
                bool(r["ci_low"] <= planted <= r["ci_high"]),
            )
        )
    return pd.DataFrame(out, columns=COMPARISON_COLUMNS)


__all__ = ["COMPARISON_COLUMNS", "planted_truth", "read_truth", "recovered_vs_planted", "write_truth"]
