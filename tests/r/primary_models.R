# R oracle for trailstrength's primary and ordinal models.
#
# Fits H1 and H2 on the fixed simulated panels tests/data/r_panel_h1.csv and r_panel_h2.csv (written once by
# tests/r/make_panels.py, seed 20260407) with lme4::lmer (REML) and ordinal::clm / clmm, and writes every number
# the Python tests compare with into one long CSV.
#
#   Rscript tests/r/primary_models.R tests/data tests/data/r_results.csv
#
# The pinned copy is tests/data/r_results.csv, written with R 4.2.2, lme4 1.1-31, lmerTest 3.1-3,
# ordinal 2022.11-16 (Debian bookworm packages). tests/test_r_oracle.py compares against the pinned
# copy always, and reruns this script when Rscript and the packages are installed.
#
# Calls (terms: hw = hinge_sets_28d_within, hb = hinge_sets_28d_between, the athlete mean and deviation of
# hinge_sets_28d over all rows of the panel, as trailstrength.models.within_between computes them):
#   h1_rs : lmer(dpi ~ hw + hb + descent_100m_28d + run_km_28d + mean_descent_grade + duration_h
#                + (1 + hw | athlete_id), REML = TRUE)
#   h1_ri : the same with (1 | athlete_id)
#   h2_ri : lmer(soreness_peak_72h ~ hw + hb + descent_100m + descent_100m_28d + hinge_sets_acute
#                + other_descent_100m_72h + (1 | athlete_id), REML = TRUE)
#   h2_clm : clm(factor(soreness_cat, ordered = TRUE) ~ <h2 terms>, link = "logit")
#   h2_clmm: clmm(factor(soreness_cat, ordered = TRUE) ~ <h2 terms> + (1 | athlete_id), link = "logit",
#                 nAGQ = 10)
# Not used as an oracle: geepack::ordgee (1.3.9) with corstr = "independence" gave slopes far from both clm and
# statsmodels' OrdinalGEE with an independence working correlation (within-athlete hinge -0.13 vs -0.41 and -0.41),
# so the ordinal GEE is checked against clmm through the marginal/conditional attenuation instead (see the test).
# Fixed-effect SEs of lmer are model-based; lmerTest's Satterthwaite df are written for reference (kind "df").
# The within/between split and the term lists are in tests/r/panels.R (shared with small_sample.R).

suppressPackageStartupMessages({
  library(lme4)
  library(lmerTest)
  library(ordinal)
})

args <- commandArgs(trailingOnly = TRUE)
data_dir <- if (length(args) >= 1) args[1] else "tests/data"
out_file <- if (length(args) >= 2) args[2] else file.path(data_dir, "r_results.csv")

script_dir <- dirname(sub("^--file=", "", grep("^--file=", commandArgs(trailingOnly = FALSE), value = TRUE)))
source(file.path(script_dir, "panels.R"))
h1 <- read_panel(data_dir, "r_panel_h1.csv")
h2 <- read_panel(data_dir, "r_panel_h2.csv")

rows <- list()
add <- function(model, kind, name, value, se = NA_real_) {
  rows[[length(rows) + 1]] <<- data.frame(model = model, kind = kind, name = name, value = value, se = se)
}

ctrl <- lmerControl(optimizer = "bobyqa", optCtrl = list(maxfun = 1e5))
add_lmer <- function(model, fit) {
  cf <- summary(fit)$coefficients
  for (term in rownames(cf)) {
    add(model, "fixef", term, cf[term, "Estimate"], cf[term, "Std. Error"])
    add(model, "df", term, cf[term, "df"])
  }
  vc <- as.data.frame(VarCorr(fit))
  for (i in seq_len(nrow(vc))) {
    name <- if (is.na(vc$var1[i])) vc$grp[i] else if (is.na(vc$var2[i])) paste0(vc$grp[i], ":", vc$var1[i]) else
      paste0(vc$grp[i], ":", vc$var1[i], ":", vc$var2[i])
    add(model, "vcov", name, vc$vcov[i])
  }
  add(model, "loglik", "REML", as.numeric(logLik(fit)))
  add(model, "converged", "no_messages", as.numeric(length(fit@optinfo$conv$lme4$messages) == 0))
}

add_lmer("h1_rs", lmer(as.formula(paste("dpi ~", h1_terms, "+ (1 + hinge_sets_28d_within | athlete_id)")),
                       data = h1, REML = TRUE, control = ctrl))
add_lmer("h1_ri", lmer(as.formula(paste("dpi ~", h1_terms, "+ (1 | athlete_id)")), data = h1, REML = TRUE,
                       control = ctrl))
add_lmer("h2_ri", lmer(as.formula(paste("soreness_peak_72h ~", h2_terms, "+ (1 | athlete_id)")), data = h2,
                       REML = TRUE, control = ctrl))

h2$soreness_ord <- factor(h2$soreness_cat, ordered = TRUE)
add_ordinal <- function(model, fit) {
  cf <- summary(fit)$coefficients
  for (term in rownames(cf)) {
    kind <- if (term %in% names(fit$alpha)) "threshold" else "fixef"
    add(model, kind, term, cf[term, "Estimate"], cf[term, "Std. Error"])
  }
  add(model, "loglik", "ML", as.numeric(logLik(fit)))
}
add_ordinal("h2_clm", clm(as.formula(paste("soreness_ord ~", h2_terms)), data = h2, link = "logit"))
clmm_fit <- clmm(as.formula(paste("soreness_ord ~", h2_terms, "+ (1 | athlete_id)")), data = h2, link = "logit",
                 nAGQ = 10)
add_ordinal("h2_clmm", clmm_fit)
add("h2_clmm", "vcov", "athlete_id", as.numeric(VarCorr(clmm_fit)$athlete_id))

out <- do.call(rbind, rows)
write.csv(out, out_file, row.names = FALSE)
cat(sprintf("wrote %d rows to %s\n", nrow(out), out_file))
