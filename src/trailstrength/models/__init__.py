"""Statistical models: the pre-registered primary analyses and everything around them.

- :mod:`~trailstrength.models.mixed`, :mod:`~trailstrength.models.primary`: the H1/H2 linear mixed models;
- :mod:`~trailstrength.models.secondary`: competing explanation, descent x hinge, ordinal, lags, bootstrap,
  repeated-measures correlation (``analyze --all``);
- :mod:`~trailstrength.models.bootstrap`, :mod:`~trailstrength.models.ordinal`, :mod:`~trailstrength.models.rmcorr`,
  :mod:`~trailstrength.models.lags`, :mod:`~trailstrength.models.multiplicity`: the building blocks;
- :mod:`~trailstrength.models.speccurve`: the specification curve;
- :mod:`~trailstrength.models.power`: power by simulation (panels from :mod:`trailstrength.simulate.panels`);
- :mod:`~trailstrength.models.studies`: the partial analyses of the public datasets (PMData, Lövdal et al.);
- :mod:`~trailstrength.models.units`: the one vocabulary of units for model terms.

Models fit and simulate; they never draw (figures are in :mod:`trailstrength.viz`).

Every model returns the tidy effects vocabulary :data:`EFFECT_COLUMNS` (DESIGN §8).
"""

from trailstrength.models.bootstrap import cluster_bootstrap
from trailstrength.models.lags import distributed_lags, fit_lags
from trailstrength.models.mixed import EFFECT_COLUMNS, MixedFit, fit_mixed, within_between
from trailstrength.models.multiplicity import adjust_effects, benjamini_hochberg, holm
from trailstrength.models.ordinal import SORENESS_BINS, bin_soreness, fit_ordinal_clm, fit_ordinal_gee
from trailstrength.models.power import minimal_detectable_effect, simulate_power
from trailstrength.models.primary import (
    DEFAULT_H1_COVARIATES,
    DEFAULT_H2_COVARIATES,
    V2_H1_COVARIATES,
    V2_H2_COVARIATES,
    fit_h1,
    fit_h2,
    fit_primary,
)
from trailstrength.models.rmcorr import rmcorr
from trailstrength.models.secondary import fit_h2_interaction, fit_h2_ordinal, fit_knee_competitor, secondary_effects
from trailstrength.models.speccurve import Spec, default_specs, run_specs

__all__ = [
    "EFFECT_COLUMNS",
    "MixedFit",
    "within_between",
    "fit_mixed",
    "DEFAULT_H1_COVARIATES",
    "DEFAULT_H2_COVARIATES",
    "V2_H1_COVARIATES",
    "V2_H2_COVARIATES",
    "fit_h1",
    "fit_h2",
    "fit_primary",
    "SORENESS_BINS",
    "Spec",
    "adjust_effects",
    "benjamini_hochberg",
    "bin_soreness",
    "cluster_bootstrap",
    "default_specs",
    "distributed_lags",
    "fit_h2_interaction",
    "fit_h2_ordinal",
    "fit_knee_competitor",
    "fit_lags",
    "fit_ordinal_clm",
    "fit_ordinal_gee",
    "holm",
    "minimal_detectable_effect",
    "rmcorr",
    "run_specs",
    "secondary_effects",
    "simulate_power",
]
