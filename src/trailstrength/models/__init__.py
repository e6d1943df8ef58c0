"""Statistical models: generic mixed models and the pre-registered primary analyses."""

from trailstrength.models.mixed import EFFECT_COLUMNS, MixedFit, fit_mixed, within_between
from trailstrength.models.primary import (
    DEFAULT_H1_COVARIATES,
    DEFAULT_H2_COVARIATES,
    fit_h1,
    fit_h2,
    fit_primary,
)

__all__ = [
    "EFFECT_COLUMNS",
    "MixedFit",
    "within_between",
    "fit_mixed",
    "DEFAULT_H1_COVARIATES",
    "DEFAULT_H2_COVARIATES",
    "fit_h1",
    "fit_h2",
    "fit_primary",
]
