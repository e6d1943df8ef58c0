# Shared by the R oracle scripts (primary_models.R, small_sample.R): the fixed panels with hinge_sets_28d split
# into the athlete mean (between) and the deviation from it (within) over all rows, as
# trailstrength.models.within_between computes them, and the H1 / H2 fixed terms.

split_hinge <- function(d) {
  d$hinge_sets_28d_between <- ave(d$hinge_sets_28d, d$athlete_id)
  d$hinge_sets_28d_within <- d$hinge_sets_28d - d$hinge_sets_28d_between
  d
}
read_panel <- function(data_dir, name) split_hinge(read.csv(file.path(data_dir, name)))

h1_terms <- "hinge_sets_28d_within + hinge_sets_28d_between + descent_100m_28d + run_km_28d + mean_descent_grade + duration_h"
h2_terms <- paste("hinge_sets_28d_within + hinge_sets_28d_between + descent_100m + descent_100m_28d +",
                  "hinge_sets_acute + other_descent_100m_72h")
