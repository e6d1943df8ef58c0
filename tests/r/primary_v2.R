# R oracle for the df and p of trailstrength's v2 primary rows (DESIGN section 8 v2; effects.csv `df` column).
#
# Reads the fixed-effect designs that fit_h1 / fit_h2 with version = "v2" build from the pinned panels
# (tests/data/r_design_v2_h1.csv, r_design_v2_h2.csv, written by tests/r/make_v2_panels.py: outcome y, athlete_id,
# then every fixed term: within/between hinge, descent splines, covariates, season trend) and fits
#
#   lmer(y ~ <every design column> + (1 | athlete_id), REML = TRUE)      (both: the LRT kept no random slope)
#
# then writes lmerTest's Satterthwaite estimate, SE, df, t and p of every term (summary(fit)$coefficients).
#
#   Rscript tests/r/primary_v2.R tests/data tests/data/r_primary_v2.csv
#
# The pinned copy tests/data/r_primary_v2.csv was written with R 4.2.2, lme4 1.1-31, lmerTest 3.1-3 (Debian
# bookworm packages); tests/test_r_oracle.py compares with it always and reruns this script when R is installed.

suppressPackageStartupMessages({
  library(lme4)
  library(lmerTest)
})

args <- commandArgs(trailingOnly = TRUE)
data_dir <- if (length(args) >= 1) args[1] else "tests/data"
out_file <- if (length(args) >= 2) args[2] else file.path(data_dir, "r_primary_v2.csv")

ctrl <- lmerControl(optimizer = "bobyqa", optCtrl = list(maxfun = 1e5))
rows <- list()
for (model in c("h1", "h2")) {
  d <- read.csv(file.path(data_dir, sprintf("r_design_v2_%s.csv", model)))
  d$athlete_id <- factor(d$athlete_id)
  terms <- setdiff(names(d), c("y", "athlete_id"))
  f <- as.formula(paste("y ~", paste(terms, collapse = " + "), "+ (1 | athlete_id)"))
  cf <- summary(lmer(f, data = d, REML = TRUE, control = ctrl), ddf = "Satterthwaite")$coefficients
  rows[[model]] <- data.frame(model = model, method = "satterthwaite", term = rownames(cf),
                              estimate = cf[, "Estimate"], se = cf[, "Std. Error"], df = cf[, "df"],
                              statistic = cf[, "t value"], p_value = cf[, "Pr(>|t|)"])
}
out <- do.call(rbind, rows)
write.csv(out, out_file, row.names = FALSE)
cat(sprintf("wrote %d rows to %s\n", nrow(out), out_file))
