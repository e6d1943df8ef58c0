# R oracle for trailstrength's small-sample inference (trailstrength.models.smallsample and .cr2).
#
# On the same fixed panels as primary_models.R (tests/data/r_panel_h1.csv, r_panel_h2.csv; within/between split
# over all rows), writes estimate, SE, df, t and p of every fixed term for:
#
#   lmerTest Satterthwaite : summary(lmer(<model>, REML = TRUE))$coefficients                      (method "satterthwaite")
#   pbkrtest Kenward-Roger : summary(lmer(<model>, REML = TRUE), ddf = "Kenward-Roger")$coefficients (method "kenward-roger")
#   the within - between contrast of H1 (both models): lmerTest::contest(fit, L, joint = FALSE, ddf = ...)
#   clubSandwich CR2       : coef_test(fit, vcov = vcovCR(fit, cluster = d$athlete_id, type = "CR2"),
#                                      test = "Satterthwaite")  (= coef_test(fit, vcov = "CR2", cluster = ...))
#                            for lm (OLS), lm with weights = 1 / (runs of the athlete) (WLS; clubSandwich's
#                            default working model, the identity, and with inverse_var = TRUE, model h1_wls_iv)
#                            and the lmer random-intercept fit (working model = its fitted covariance) (method "cr2")
#
# models: h1_rs = dpi ~ <h1 terms> + (1 + hinge_sets_28d_within | athlete_id); h1_ri = the same with (1 | athlete_id);
# h2_ri = soreness_peak_72h ~ <h2 terms> + (1 | athlete_id); h1_ols / h1_wls / h2_ols = lm with the same fixed terms.
#
#   Rscript tests/r/small_sample.R tests/data tests/data/r_small_sample.csv
#
# The pinned copy tests/data/r_small_sample.csv was written with R 4.2.2, lme4 1.1-31, lmerTest 3.1-3,
# pbkrtest 0.5.2, clubSandwich 0.5.8 (Debian bookworm packages); tests/test_r_oracle.py compares with it always
# and reruns this script when Rscript and the packages are installed.

suppressPackageStartupMessages({
  library(lme4)
  library(lmerTest)
  library(pbkrtest)
  library(clubSandwich)
})

args <- commandArgs(trailingOnly = TRUE)
data_dir <- if (length(args) >= 1) args[1] else "tests/data"
out_file <- if (length(args) >= 2) args[2] else file.path(data_dir, "r_small_sample.csv")

script_dir <- dirname(sub("^--file=", "", grep("^--file=", commandArgs(trailingOnly = FALSE), value = TRUE)))
source(file.path(script_dir, "panels.R"))
h1 <- read_panel(data_dir, "r_panel_h1.csv")
h2 <- read_panel(data_dir, "r_panel_h2.csv")
h1$athlete_weight <- 1 / ave(rep(1, nrow(h1)), h1$athlete_id, FUN = length)

f_h1 <- as.formula(paste("dpi ~", h1_terms))
f_h2 <- as.formula(paste("soreness_peak_72h ~", h2_terms))

rows <- list()
add <- function(model, method, term, est, se, df, stat, p) {
  rows[[length(rows) + 1]] <<- data.frame(model = model, method = method, term = term, estimate = est, se = se,
                                          df = df, statistic = stat, p_value = p)
}
add_table <- function(model, method, cf) {
  for (term in rownames(cf)) {
    add(model, method, term, cf[term, "Estimate"], cf[term, "Std. Error"], cf[term, "df"], cf[term, "t value"],
        cf[term, "Pr(>|t|)"])
  }
}
add_cr2 <- function(model, fit, cluster, ...) {
  ct <- coef_test(fit, vcov = vcovCR(fit, cluster = cluster, type = "CR2", ...), test = "Satterthwaite")
  for (i in seq_len(nrow(ct))) {
    add(model, "cr2", ct$Coef[i], ct$beta[i], ct$SE[i], ct$df_Satt[i], ct$tstat[i], ct$p_Satt[i])
  }
}

ctrl <- lmerControl(optimizer = "bobyqa", optCtrl = list(maxfun = 1e5))
lmers <- list(
  h1_rs = lmer(update(f_h1, . ~ . + (1 + hinge_sets_28d_within | athlete_id)), data = h1, REML = TRUE, control = ctrl),
  h1_ri = lmer(update(f_h1, . ~ . + (1 | athlete_id)), data = h1, REML = TRUE, control = ctrl),
  h2_ri = lmer(update(f_h2, . ~ . + (1 | athlete_id)), data = h2, REML = TRUE, control = ctrl)
)
ddf <- c(satterthwaite = "Satterthwaite", `kenward-roger` = "Kenward-Roger")
for (model in names(lmers)) {
  fit <- lmers[[model]]
  for (method in names(ddf)) {
    add_table(model, method, summary(fit, ddf = ddf[[method]])$coefficients)
  }
  if (startsWith(model, "h1")) {
    L <- setNames(rep(0, length(fixef(fit))), names(fixef(fit)))
    L[c("hinge_sets_28d_within", "hinge_sets_28d_between")] <- c(1, -1)
    for (method in names(ddf)) {
      ct <- contest(fit, L, joint = FALSE, ddf = ddf[[method]])
      add(model, method, "within_minus_between", ct$Estimate, ct[["Std. Error"]], ct$df, ct[["t value"]],
          ct[["Pr(>|t|)"]])
    }
  }
}
add_cr2("h1_ri", lmers$h1_ri, h1$athlete_id)
add_cr2("h1_ols", lm(f_h1, data = h1), h1$athlete_id)
add_cr2("h1_wls", lm(f_h1, data = h1, weights = athlete_weight), h1$athlete_id)
add_cr2("h1_wls_iv", lm(f_h1, data = h1, weights = athlete_weight), h1$athlete_id, inverse_var = TRUE)
add_cr2("h2_ols", lm(f_h2, data = h2), h2$athlete_id)

out <- do.call(rbind, rows)
write.csv(out, out_file, row.names = FALSE)
cat(sprintf("wrote %d rows to %s\n", nrow(out), out_file))
